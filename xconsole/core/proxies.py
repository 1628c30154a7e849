"""The proxies of the environment that httpx (trust_env) routes the client through: whether any
is set (the early read does not do proxies) and how a failure names them. Standard library only."""

from __future__ import annotations

import os
import sys
from collections.abc import Mapping
from urllib.parse import urlsplit


def settings(environ: Mapping[str, str] = os.environ) -> dict[str, str]:
    """The proxy variables that are set (HTTPS_PROXY, ALL_PROXY…), by name; NO_PROXY is not one.
    Off Linux, proxies may also come from the system's settings, which only urllib reads."""
    if sys.platform != "linux" and environ is os.environ:
        from urllib.request import getproxies

        return {f"{scheme}_proxy": url for scheme, url in getproxies().items() if scheme != "no" and url}
    return {name: value for name, value in environ.items()
            if name.lower().endswith("_proxy") and name.lower() != "no_proxy" and value}


def masked(url: str) -> str:
    """A proxy URL without its user and password (credentials too), even one with an unencoded
    '/' or '#' in the password, which URL parsers read as the end of the host."""
    scheme, sep, rest = url.partition("://")
    if not sep:
        scheme, rest = "", url
    if "@" not in rest:
        return url
    return f"{scheme}{sep}***@{rest.rsplit('@', 1)[1]}"


def proxy_for(url: str, environ: Mapping[str, str] = os.environ) -> tuple[str, str] | None:
    """(variable, proxy URL) that httpx sends `url` through, picked as httpx and urllib pick it:
    the scheme's own variable, else ALL_PROXY (lower case first), none when NO_PROXY covers the
    host. Off Linux, system settings may add proxies this does not see."""
    from urllib.request import proxy_bypass_environment

    parts = urlsplit(url)

    def variable(name: str) -> tuple[str, str] | None:
        for key in (name, name.upper()):
            if environ.get(key):
                return key, environ[key]
        return None

    chosen = variable(f"{parts.scheme}_proxy") or variable("all_proxy")
    no_proxy = variable("no_proxy")
    if chosen is None or (no_proxy and parts.hostname
                          and proxy_bypass_environment(parts.hostname, {"no": no_proxy[1]})):
        return None
    return chosen


def described(url: str, environ: Mapping[str, str] = os.environ) -> str:
    """' (through the proxy HTTPS_PROXY=http://proxy:3128)' when `url` goes through one, else ''."""
    chosen = proxy_for(url, environ)
    return f" (through the proxy {chosen[0]}={masked(chosen[1])})" if chosen else ""
