"""core/plain_read.py: the early-read process's numbers over the standard library. It must read
exactly what the models read, or nothing; never follow a redirect; trust what httpx trusts."""

from __future__ import annotations

import http.client
import http.server
import json
import threading
from collections.abc import Iterator
from contextlib import contextmanager

import pytest
from hypothesis import given
from hypothesis import strategies as st
from pydantic import ValidationError

from xconsole.core import models, plain_read
from xconsole.core.endpoints import SANDBOX_HEADER

TEAM = "3f1c9e2a-7b44-4d0e-9a61-0c2b5d8e4f17"
ABSENT = object()

# int64 as the wire writes it (a string, sometimes a number), and what a broken server might send.
cents = st.integers(-(2**63), 2**63 - 1)
good_val = st.one_of(cents, cents.map(str), st.just(""), st.none())
odd_val = st.one_of(st.floats(allow_nan=True), st.booleans(), st.text(max_size=4), st.just(2**64),
                    st.just(" 12 "), st.lists(st.integers(), max_size=1))
good_cent = st.one_of(st.just(ABSENT), st.none(), st.fixed_dictionaries({"val": good_val}), st.just({}))
any_cent = st.one_of(good_cent, st.fixed_dictionaries({"val": odd_val}), cents.map(str), st.integers(), st.text(max_size=3))


def _object(fields: dict) -> dict:
    return {k: v for k, v in fields.items() if v is not ABSENT}


#: Each field may also come under its Python name, which the models accept too.
SNAKE = {"prepaidCredits": "prepaid_credits", "prepaidCreditsUsed": "prepaid_credits_used",
         "totalWithCorr": "total_with_corr", "effectiveSl": "effective_sl"}


def _named(fields: dict, snake: bool) -> dict:
    return _object({(SNAKE.get(k, k) if snake else k): v for k, v in fields.items()})


def payloads(cent, names=st.just(False)) -> st.SearchStrategy:  # noqa: ANN001
    core = st.builds(lambda p, u, t, s: _named({"prepaidCredits": p, "prepaidCreditsUsed": u, "totalWithCorr": t,
                                                 "lines": [], "amountBeforeVat": "1"}, s), cent, cent, cent, names)
    # The other fields always readable: a model failing on them is not this reader's business.
    limits = st.builds(lambda e, h, s: _named({"effectiveSl": e, "effectiveHardSl": h}, s), cent, good_cent, names)
    return st.tuples(st.one_of(core.map(lambda c: {"coreInvoice": c, "defaultCredits": "0"}),
                               st.sampled_from([{}, {"coreInvoice": None}, {"coreInvoice": []}])),
                     st.one_of(limits.map(lambda s: {"spendingLimits": s}),
                               st.sampled_from([{}, {"spendingLimits": None}])))


def by_models(preview: dict, limits: dict) -> tuple | None:
    """What the console's client reads from the same bytes (model_validate_json, as _parse)."""
    try:
        p = models.InvoicePreview.model_validate_json(json.dumps(preview))
        s = models.SpendingLimitsEnvelope.model_validate_json(json.dumps(limits)).spending_limits
    except ValidationError:
        return None
    return p.live_balance_cents, p.month_to_date_spend_cents, s.limit_cents


def by_plain(preview: dict, limits: dict) -> tuple | None:
    try:
        return plain_read.numbers_from(json.loads(json.dumps(preview)), json.loads(json.dumps(limits)))
    except plain_read.Unreadable:
        return None


@given(payloads(any_cent, st.booleans()))
def test_what_it_reads_is_what_the_models_read(answers):
    plain = by_plain(*answers)
    if plain is not None:  # never a number the console's own read would not show
        assert plain == by_models(*answers)


@given(payloads(good_cent))
def test_it_reads_every_well_formed_answer(answers):
    assert by_plain(*answers) == by_models(*answers)


def test_the_live_balance_is_prepaid_minus_used_both_credit_signed():
    preview = {"coreInvoice": {"prepaidCredits": {"val": "-10000"}, "prepaidCreditsUsed": {"val": "-2500"},
                               "totalWithCorr": None}}
    assert plain_read.numbers_from(preview, {"spendingLimits": {"effectiveSl": {"val": 0}}}) == (7500, None, 0)


def test_a_proxy_in_the_environment_is_noticed():
    assert plain_read.proxied({"HTTPS_PROXY": "http://proxy:3128"})
    assert plain_read.proxied({"all_proxy": "socks5://proxy"})
    assert not plain_read.proxied({"NO_PROXY": "*", "HTTP_PROXY": ""})
    # As httpx reads them: only http, https and all; none at all with NO_PROXY=*.
    assert not plain_read.proxied({"FTP_PROXY": "http://ftp:21"})
    assert not plain_read.proxied({"HTTPS_PROXY": "http://proxy:3128", "NO_PROXY": "localhost, *"})
    assert plain_read.proxied({"HTTPS_PROXY": "http://proxy:3128", "NO_PROXY": "x.ai"})


def test_it_trusts_what_httpx_trusts(monkeypatch, tmp_path):
    import certifi
    import httpx

    monkeypatch.delenv("SSL_CERT_FILE", raising=False)
    monkeypatch.delenv("SSL_CERT_DIR", raising=False)
    assert plain_read.tls_context().get_ca_certs() == httpx.create_ssl_context().get_ca_certs()
    assert len(plain_read.tls_context().get_ca_certs()) > 50  # certifi's bundle, not an empty store
    monkeypatch.setenv("SSL_CERT_FILE", str(tmp_path / "missing.pem"))
    with pytest.raises(OSError):
        plain_read.tls_context()
    monkeypatch.setenv("SSL_CERT_FILE", certifi.where())
    assert plain_read.tls_context().get_ca_certs() == httpx.create_ssl_context().get_ca_certs()


# --------------------------------------------------------------------------- over HTTP


class Server(http.server.ThreadingHTTPServer):
    def __init__(self, answer) -> None:  # noqa: ANN001
        self.answer = answer  # path -> (status, headers, body)
        self.seen: list[tuple[str, str | None]] = []  # (path, Authorization)
        server = self

        class Handler(http.server.BaseHTTPRequestHandler):
            def do_GET(self) -> None:  # noqa: N802
                server.seen.append((self.path, self.headers.get("Authorization")))
                status, headers, body = server.answer(self.path)
                self.send_response(status)
                for name, value in headers.items():
                    self.send_header(name, value)
                if "Content-Length" not in headers:
                    self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def log_message(self, *args) -> None:  # noqa: ANN002
                pass

        super().__init__(("127.0.0.1", 0), Handler)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.server_address[1]}"


@contextmanager
def serving(answer) -> Iterator[Server]:  # noqa: ANN001
    server = Server(answer)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield server
    finally:
        server.shutdown()
        server.server_close()


PREVIEW = json.dumps({"coreInvoice": {"prepaidCredits": {"val": "-5000"}, "prepaidCreditsUsed": {"val": "-1000"},
                                      "totalWithCorr": {"val": "1200"}}}).encode()
LIMITS = json.dumps({"spendingLimits": {"effectiveSl": {"val": "2500"}}}).encode()


def billing(marked: set[str]):  # noqa: ANN201
    def answer(path: str) -> tuple[int, dict, bytes]:
        kind = "preview" if path.endswith("/invoice/preview") else "limits"
        headers = {SANDBOX_HEADER: "1"} if kind in marked else {}
        return 200, headers, PREVIEW if kind == "preview" else LIMITS
    return answer


def test_it_reads_both_answers_with_the_clients_paths_and_key():
    with serving(billing(set())) as server:
        numbers = plain_read.read(server.url + "/", TEAM, "xai-key")
    assert numbers == plain_read.PlainNumbers(4000, 1200, 2500, sandbox=False)
    assert sorted(server.seen) == [(f"/v1/billing/teams/{TEAM}/postpaid/invoice/preview", "Bearer xai-key"),
                                   (f"/v1/billing/teams/{TEAM}/postpaid/spending-limits", "Bearer xai-key")]


@pytest.mark.parametrize(("marked", "sandbox"), [({"preview", "limits"}, True), ({"preview"}, False), (set(), False)])
def test_it_is_the_sandbox_only_when_both_answers_say_so(marked, sandbox):
    with serving(billing(marked)) as server:
        assert plain_read.read(server.url, TEAM, "k").sandbox is sandbox


def test_a_redirect_is_never_followed_so_the_key_stays_where_it_was_sent():
    with serving(billing(set())) as elsewhere:
        def moved(path: str) -> tuple[int, dict, bytes]:
            return 307, {"Location": elsewhere.url + path}, b""

        with serving(moved) as server, pytest.raises(plain_read.Unreadable):
            plain_read.read(server.url, TEAM, "xai-key")
        assert elsewhere.seen == []


@pytest.mark.parametrize("answer", [
    lambda path: (401, {}, b'{"code": 16, "message": "bad key"}'),
    lambda path: (200, {}, b"not json"),
    lambda path: (200, {}, b'{"coreInvoice": {"prepaidCredits": {"val": "1.5"}}, "spendingLimits": {}}'),
])
def test_an_error_or_an_answer_it_cannot_vouch_for_is_unreadable(answer):
    with serving(answer) as server, pytest.raises(plain_read.Unreadable):
        plain_read.read(server.url, TEAM, "k")


def test_a_server_that_is_not_there_is_an_os_error():
    with pytest.raises(OSError):
        plain_read.read("http://127.0.0.1:9", TEAM, "k")


@pytest.mark.parametrize("url", ["ftp://example.com", "http://user:pw@127.0.0.1:9", "http://127.0.0.1:9/?q=1"])
def test_only_plain_http_and_https_urls(url):
    # A user and password in the URL: httpx would send them instead of the key.
    with pytest.raises(plain_read.Unreadable):
        plain_read.read(url, TEAM, "k")


@pytest.mark.parametrize("key", ["", "xai key", "xai-\nkey", "xai-ké"])
def test_a_key_that_cannot_be_a_header_is_refused_before_anything_quotes_it(key):
    with pytest.raises(plain_read.Unreadable) as refused:
        plain_read.read("http://127.0.0.1:9", TEAM, key)
    assert key not in str(refused.value) or not key


def test_an_ipv6_address_is_never_read_as_a_port():
    # http.client alone reads "[::1:8765]" as host ::1, port 8765 (another server gets the key).
    with pytest.raises(OSError):
        plain_read.read("http://[::1:8765]", TEAM, "k")


@pytest.mark.parametrize("answer", [
    lambda path: (200, {"Content-Length": "500"}, b'{"spendingLimits": {}}'),  # shorter than it says
    lambda path: (200, {}, "\ufeff".encode() + (PREVIEW if path.endswith("preview") else LIMITS)),  # a BOM
    lambda path: (200, {}, b'{"coreInvoice": {"prepaid_credits": {"val": "-1"}}, "spendingLimits": {}}'),
])
def test_answers_the_client_would_refuse_are_unreadable(answer):
    with serving(answer) as server, pytest.raises((plain_read.Unreadable, OSError, http.client.HTTPException)):
        plain_read.read(server.url, TEAM, "k")
