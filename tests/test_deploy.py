"""The files in deploy/ are real: systemd units pass `systemd-analyze verify`, the Kubernetes
manifests parse and wire the key volume to the credentials directory, Prometheus files pass
promtool (tests/cli/test_metrics.py)."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

DEPLOY = Path(__file__).parents[1] / "deploy"


@pytest.mark.skipif(shutil.which("systemd-analyze") is None, reason="systemd-analyze not available")
@pytest.mark.parametrize("unit", sorted(p.name for p in (DEPLOY / "systemd").iterdir()))
def test_systemd_units_verify(unit, tmp_path):
    xconsole = Path(sys.executable).parent / "xconsole"  # where a real install puts it, here
    for source in (DEPLOY / "systemd").iterdir():  # a timer is verified beside its service
        (tmp_path / source.name).write_text(source.read_text().replace("/usr/local/bin/xconsole", str(xconsole)))
    result = subprocess.run(["systemd-analyze", "verify", str(tmp_path / unit)], capture_output=True, text=True)
    problems = [line for line in (result.stdout + result.stderr).splitlines() if unit.split(".")[0] in line]
    assert result.returncode == 0 and not problems, result.stdout + result.stderr


def _pod_specs(document: dict) -> list[dict]:
    if document["kind"] == "CronJob":
        return [document["spec"]["jobTemplate"]["spec"]["template"]["spec"]]
    if document["kind"] == "Deployment":
        return [document["spec"]["template"]["spec"]]
    return []


def test_kubernetes_manifests_mount_the_keys_where_xconsole_reads_them():
    documents = [d for path in sorted((DEPLOY / "kubernetes").glob("*.yaml"))
                 for d in yaml.safe_load_all(path.read_text()) if d]
    kinds = {d["kind"] for d in documents}
    assert {"CronJob", "Deployment", "Secret", "Service"} <= kinds
    cronjob = next(d for d in documents if d["kind"] == "CronJob")
    assert cronjob["spec"]["concurrencyPolicy"] == "Forbid"
    for spec in (s for d in documents for s in _pod_specs(d)):
        container = spec["containers"][0]
        env = {e["name"]: e["value"] for e in container["env"]}
        mounts = {m["name"]: m["mountPath"] for m in container["volumeMounts"]}
        keys = next(v for v in spec["volumes"] if v["name"] == "keys")
        assert env["XCONSOLE_CREDENTIALS_DIRECTORY"] == mounts["keys"]
        assert keys["secret"]["defaultMode"] == 0o400  # group/other-readable keys are refused
        assert "fsGroup" not in spec.get("securityContext", {})  # it would make them group-readable
