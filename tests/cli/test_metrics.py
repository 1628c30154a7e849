"""`xconsole metrics`: the textfile, the exporter, and a real Prometheus (the Debian package, installed
by scripts/ensure-system-deps.sh) scraping it in front of the sandbox, with the shipped rules."""

from __future__ import annotations

import json
import os
import shutil
import socket
import subprocess
import sys
import time
from pathlib import Path

import httpx
import pytest

from tests.cli.conftest import credentials_dir

DEPLOY = Path(__file__).parents[2] / "deploy" / "prometheus"
needs_prometheus = pytest.mark.skipif(shutil.which("prometheus") is None or shutil.which("promtool") is None,
                                      reason="prometheus not installed (make test installs it)")


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_for(condition, what: str, timeout: float = 60.0):  # noqa: ANN001, ANN201
    """Poll `condition()` until it returns something true; fail naming `what` otherwise."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            found = condition()
        except (httpx.HTTPError, OSError, ValueError, KeyError):
            found = None
        if found:
            return found
        time.sleep(0.2)
    raise AssertionError(f"{what} within {timeout} s")


def balances(run, served) -> dict[str, float]:  # noqa: ANN001
    rows = json.loads(run("--api-url", served.url, "balance", "--all", "--json").stdout)["teams"]
    return {r["teamId"]: r["balance"]["cents"] / 100 for r in rows}


@pytest.fixture
def service_env(home, served, monkeypatch):
    """What a systemd unit gives the exporter: a credentials directory, no keyring."""
    directory = credentials_dir(home / "credentials", served, "lumen", "orbit", "helix")
    monkeypatch.setenv("XCONSOLE_CREDENTIALS_DIRECTORY", str(directory))
    return {**os.environ, "XCONSOLE_CREDENTIALS_DIRECTORY": str(directory)}


@pytest.fixture
def exporter(service_env, served):
    port = free_port()
    xconsole = Path(sys.executable).parent / "xconsole"
    process = subprocess.Popen([str(xconsole), "--api-url", served.url, "metrics", "serve", "--port", str(port),
                                "--min-interval", "60"], env=service_env, stdout=subprocess.DEVNULL,
                               stderr=subprocess.PIPE, text=True)
    url = f"http://127.0.0.1:{port}/metrics"
    try:
        wait_for(lambda: httpx.get(url, timeout=5).status_code == 200, "the exporter did not answer")
        yield url
    finally:
        process.terminate()
        process.wait(timeout=10)


def test_textfile_values_equal_balance_json_and_pass_promtool(service_env, served, run, tmp_path):
    missing = run("--api-url", served.url, "metrics", "--textfile", str(tmp_path / "prom"))
    assert missing.exit_code == 2 and "does not exist" in missing.output  # a mistyped collector directory
    (tmp_path / "prom").mkdir()
    result = run("--api-url", served.url, "metrics", "--textfile", str(tmp_path / "prom"))
    assert result.exit_code == 0, result.output
    text = (tmp_path / "prom" / "xconsole.prom").read_text()
    expected = balances(run, served)
    for team_id, dollars in expected.items():
        line = next(line for line in text.splitlines()
                    if line.startswith("xconsole_credit_balance_usd") and team_id in line)
        assert float(line.rsplit(" ", 1)[1]) == pytest.approx(dollars)
    lumen = served.teams["lumen"]["teamId"]  # not registered: named after its id
    assert f'xconsole_team_up{{team="team {lumen[:8]}",team_id="{lumen}"}} 1.0' in text
    if shutil.which("promtool"):
        check = subprocess.run(["promtool", "check", "metrics"], input=text, capture_output=True, text=True)
        assert check.returncode == 0, check.stdout + check.stderr


def test_a_team_that_cannot_be_read_is_down_with_no_other_series(home, served, run, tmp_path, monkeypatch):
    directory = credentials_dir(home / "credentials", served, "lumen")
    (directory / "team-00000000-0000-4000-8000-000000000000").write_text("xai-revokedrevokedrevoked0000")
    (directory / "team-00000000-0000-4000-8000-000000000000").chmod(0o400)
    monkeypatch.setenv("XCONSOLE_CREDENTIALS_DIRECTORY", str(directory))
    result = run("--api-url", served.url, "metrics", "--textfile", str(tmp_path))
    text = (tmp_path / "xconsole.prom").read_text()
    down = [line for line in text.splitlines() if "00000000-0000-4000" in line and not line.startswith("#")]
    assert [line.split("{")[0] for line in down] == ["xconsole_team_up"]  # no other series, not even zeros
    assert down[0].endswith(" 0.0") and "xai-revoked" not in text + result.output
    assert result.exit_code == 0 and "could not be read (xconsole_team_up 0)" in result.stderr


def test_the_exporter_serves_both_formats_and_scrapes_share_one_refresh(exporter):
    first = httpx.get(exporter, timeout=10)
    second = httpx.get(exporter, headers={"Accept": "application/openmetrics-text; version=1.0.0"}, timeout=10)
    assert first.headers["content-type"].startswith("text/plain; version=0.0.4")
    assert second.headers["content-type"].startswith("application/openmetrics-text")
    assert second.text.rstrip().endswith("# EOF") and not first.text.rstrip().endswith("# EOF")

    def refreshed(text: str) -> set[str]:
        return {line.rsplit(" ", 1)[1] for line in text.splitlines() if line.startswith("xconsole_last_refresh")}

    assert refreshed(first.text) and refreshed(first.text) == refreshed(httpx.get(exporter, timeout=10).text)  # cached
    if shutil.which("promtool"):  # the live output, as Prometheus reads it
        check = subprocess.run(["promtool", "check", "metrics"], input=first.text, capture_output=True, text=True)
        assert check.returncode == 0, check.stdout + check.stderr
    assert httpx.get(exporter.replace("/metrics", "/"), timeout=10).status_code == 404


@needs_prometheus
def test_shipped_rules_and_config_pass_promtool():
    for what, path in (("rules", DEPLOY / "rules.yml"), ("config", DEPLOY / "prometheus.yml")):
        check = subprocess.run(["promtool", "check", what, str(path)], capture_output=True, text=True)
        assert check.returncode == 0, check.stdout + check.stderr


@needs_prometheus
def test_a_real_prometheus_scrapes_the_balances_and_fires_the_runway_alert(exporter, served, run, tmp_path):
    # The shipped rules, waiting 0 s instead of minutes so the alert fires within the test.
    (tmp_path / "rules.yml").write_text((DEPLOY / "rules.yml").read_text().replace("for: 5m", "for: 0s")
                                        .replace("for: 15m", "for: 0s"))
    target = exporter.removeprefix("http://").removesuffix("/metrics")
    (tmp_path / "prometheus.yml").write_text(
        "global: {scrape_interval: 1s, evaluation_interval: 1s}\nrule_files: [rules.yml]\n"
        f"scrape_configs:\n  - job_name: xconsole\n    static_configs: [{{targets: ['{target}']}}]\n")
    port = free_port()
    prometheus = subprocess.Popen(["prometheus", f"--config.file={tmp_path / 'prometheus.yml'}",
                                   f"--storage.tsdb.path={tmp_path / 'data'}", f"--web.listen-address=127.0.0.1:{port}"],
                                  stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    api = f"http://127.0.0.1:{port}/api/v1/query"

    def query(expr: str) -> list[dict]:
        answer = httpx.get(api, params={"query": expr}, timeout=5).json()
        return answer["data"]["result"]

    try:
        series = wait_for(lambda: len(query("xconsole_credit_balance_usd")) == 3 and query("xconsole_credit_balance_usd"),
                          "Prometheus did not scrape three balances")
        scraped = {s["metric"]["team_id"]: float(s["value"][1]) for s in series}
        assert scraped == pytest.approx(balances(run, served))
        orbit = served.teams["orbit"]["teamId"]
        firing = wait_for(lambda: query('ALERTS{alertname="XconsoleRunwayUnder2Days",alertstate="firing"}'),
                          "the runway alert did not fire")
        assert {a["metric"]["team_id"] for a in firing} == {orbit}  # the team about to run out, only
        assert not query('ALERTS{alertname="XconsoleTeamDown"}')
    finally:
        prometheus.terminate()
        prometheus.wait(timeout=20)


async def test_a_key_file_added_to_the_directory_is_read_at_the_next_refresh(home, served, monkeypatch):
    """A Secret volume gains a team while the exporter runs: no restart needed; a removed file's
    series go away."""
    from xconsole.cli.metrics import _open
    from xconsole.cli.options import Options

    directory = credentials_dir(home / "credentials", served, "lumen")
    monkeypatch.setenv("XCONSOLE_CREDENTIALS_DIRECTORY", str(directory))
    metrics = await _open(Options(api_url=served.url), (), 60)
    try:
        await metrics.refresh(force=True)
        assert [r.team.team_id for r in metrics.readings] == [served.teams["lumen"]["teamId"]]
        orbit = directory / f"team-{served.teams['orbit']['teamId']}"
        orbit.write_text(served.teams["orbit"]["managementKey"])
        orbit.chmod(0o400)
        (directory / f"team-{served.teams['lumen']['teamId']}").unlink()
        await metrics.refresh(force=True)
        assert [(r.team.team_id, r.snapshot is not None) for r in metrics.readings] == [(served.teams["orbit"]["teamId"], True)]
    finally:
        await metrics.session.aclose()


async def test_a_failed_read_keeps_the_time_of_the_last_good_one(home, served, monkeypatch):
    """`xconsole_last_refresh_timestamp_seconds` stays at the last good read while the API fails:
    what a "no good read for an hour" alert needs."""
    from prometheus_client import generate_latest

    from xconsole.cli.metrics import _open
    from xconsole.cli.options import Options
    from xconsole.core import spend
    from xconsole.core.metrics import registry_for

    directory = credentials_dir(home / "credentials", served, "lumen")
    monkeypatch.setenv("XCONSOLE_CREDENTIALS_DIRECTORY", str(directory))
    metrics = await _open(Options(api_url=served.url), (), 60)

    def refreshed() -> list[str]:
        text = generate_latest(registry_for(metrics)).decode()
        return [line.rsplit(" ", 1)[1] for line in text.splitlines() if line.startswith("xconsole_last_refresh")]

    try:
        await metrics.refresh(force=True)
        good = refreshed()
        assert len(good) == 1

        async def unreachable(*_a, **_k):  # noqa: ANN002, ANN003, ANN202
            from xconsole.core.errors import Unavailable

            raise Unavailable("Cannot reach the API")

        monkeypatch.setattr(spend, "load_summary", unreachable)
        await metrics.refresh(force=True)
        assert metrics.readings[0].snapshot is None and refreshed() == good
    finally:
        await metrics.session.aclose()
