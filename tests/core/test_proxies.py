"""Proxies from the environment: SOCKS works (httpx[socks]), and a failure names the proxy
settings without their credentials."""

from __future__ import annotations

import socket

import pytest

from xconsole.core import errors, proxies
from xconsole.core.client import ManagementClient


def test_only_proxy_variables_that_are_set_count():
    assert proxies.environment({"HTTPS_PROXY": "http://proxy:3128", "NO_PROXY": "*", "http_proxy": "", "PATH": "/bin"}) \
        == {"https": "http://proxy:3128", "no": "*"}


def test_the_settings_named_are_those_httpx_reads_as_urllib_reads_them():
    env = {"HTTPS_PROXY": "http://secure:3128", "ALL_PROXY": "socks5://any:1080", "ftp_proxy": "http://ftp:21",
           "NO_PROXY": "x.ai"}
    assert proxies.described(env) == \
        " (proxy settings: HTTPS_PROXY=http://secure:3128, ALL_PROXY=socks5://any:1080, NO_PROXY=x.ai)"
    assert proxies.environment({"https_proxy": "http://lower:1", "HTTPS_PROXY": "http://upper:2"}) == {"https": "http://lower:1"}
    assert proxies.environment({"https_proxy": "", "HTTPS_PROXY": "http://upper:2"}) == {}  # urllib drops it
    assert proxies.described({"ftp_proxy": "http://ftp:21", "NO_PROXY": "*"}) == ""  # nothing httpx would use
    assert proxies.described({}) == ""


def test_a_proxys_user_and_password_are_never_shown():
    assert proxies.masked("http://alice:s3cret@proxy.example:3128") == "http://***@proxy.example:3128"
    assert proxies.masked("socks5://alice:s3cret@[::1]:1080") == "socks5://***@[::1]:1080"
    assert proxies.masked("http://proxy.example:3128") == "http://proxy.example:3128"
    assert proxies.masked("alice:s3cret@proxy:3128") == "***@proxy:3128"
    for tricky in ("http://alice:s3cret@proxy.example:port", "http://u:pa/ss@proxy:1", "http://u:p#a?ss@proxy:1"):
        assert "s3cret" not in proxies.masked(tricky) and "pa/ss" not in proxies.masked(tricky) \
            and "p#a" not in proxies.masked(tricky)
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


async def test_a_client_with_its_own_transport_never_claims_a_proxy(monkeypatch):
    import httpx

    def refuse(request):  # noqa: ANN001, ANN202
        raise httpx.ConnectError("refused", request=request)

    monkeypatch.setenv("ALL_PROXY", "socks5://127.0.0.1:9")
    client = ManagementClient("xai-" + "k" * 40, "https://management-api.x.ai", max_attempts=1,
                              transport=httpx.MockTransport(refuse))
    try:
        with pytest.raises(errors.Unavailable) as failed:
            await client.validate_key()
    finally:
        await client.aclose()
    assert "proxy" not in str(failed.value)


def test_a_proxy_url_httpx_cannot_read_is_said_without_its_password(monkeypatch):
    monkeypatch.setenv("ALL_PROXY", "http://u:s3cr#et@proxy:1")
    with pytest.raises(errors.ApiError) as failed:
        ManagementClient("xai-" + "k" * 40, "https://management-api.x.ai")
    assert "percent-encoded" in str(failed.value) and "s3cr" not in str(failed.value)
    assert failed.value.__cause__ is None and failed.value.__suppress_context__
