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
    """A proxy URL without its user and password (they are credentials too)."""
    try:
        parts = urlsplit(url if "://" in url else f"http://{url}")
        if parts.username is None and parts.password is None:
            return url
        host = parts.hostname or ""
        host = f"[{host}]" if ":" in host else host
        port = f":{parts.port}" if parts.port else ""
    except ValueError:
        return "(unreadable proxy URL)"
    return f"{parts.scheme}://***@{host}{port}"


def described(environ: Mapping[str, str] = os.environ) -> str:
    """' (proxy settings: HTTPS_PROXY=http://proxy:3128)' when any is set, else ''."""
    found = settings(environ)
    return f" (proxy settings: {', '.join(f'{k}={masked(v)}' for k, v in sorted(found.items()))})" if found else ""
