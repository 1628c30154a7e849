"""Proxies from the environment: SOCKS works (httpx[socks]), and a failure names the proxy
settings without their credentials."""

from __future__ import annotations

import socket

import pytest

from xconsole.core import errors, proxies
from xconsole.core.client import ManagementClient


def test_only_proxy_variables_that_are_set_count():
    assert proxies.settings({"HTTPS_PROXY": "http://proxy:3128", "NO_PROXY": "*", "http_proxy": "", "PATH": "/bin"}) \
        == {"HTTPS_PROXY": "http://proxy:3128"}
    assert proxies.described({}) == ""


def test_a_proxys_user_and_password_are_never_shown():
    assert proxies.masked("http://alice:s3cret@proxy.example:3128") == "http://***@proxy.example:3128"
    assert proxies.masked("socks5://alice:s3cret@[::1]:1080") == "socks5://***@[::1]:1080"
    assert proxies.masked("http://proxy.example:3128") == "http://proxy.example:3128"
    assert "s3cret" not in proxies.masked("http://alice:s3cret@proxy.example:port")
    assert proxies.described({"ALL_PROXY": "socks5://a:s3cret@h:1"}) == " (proxy settings: ALL_PROXY=socks5://***@h:1)"


@pytest.mark.parametrize("scheme", ["socks5", "http"])
async def test_an_unreachable_proxy_is_named_in_the_failure(monkeypatch, scheme):
    with socket.socket() as s:  # a port nothing listens on
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    for name in ("HTTP_PROXY", "HTTPS_PROXY", "NO_PROXY", "http_proxy", "https_proxy", "no_proxy", "all_proxy"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("ALL_PROXY", f"{scheme}://alice:s3cret@127.0.0.1:{port}")
    client = ManagementClient("xai-" + "k" * 40, "https://management-api.x.ai", max_attempts=1)  # no ImportError
    try:
        with pytest.raises(errors.Unavailable) as failed:
            await client.validate_key()
    finally:
        await client.aclose()
    message = str(failed.value)
    assert message.startswith("Cannot reach https://management-api.x.ai (proxy settings: ALL_PROXY=")
    assert f"{scheme}://***@127.0.0.1:{port}" in message and "s3cret" not in message and "k" * 40 not in message
