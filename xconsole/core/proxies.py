"""The proxies of the environment that httpx (trust_env) routes the client through: whether any
is set (the early read does not do proxies) and how a failure names them. Standard library only."""

from __future__ import annotations

import os
import sys
from collections.abc import Mapping


def masked(url: str) -> str:
    """A proxy URL without its user and password (credentials too), even one with an unencoded
    '/' or '#' in the password, which URL parsers read as the end of the host."""
    scheme, sep, rest = url.partition("://")
    if not sep:
        scheme, rest = "", url
    if "@" not in rest:
        return url
    return f"{scheme}{sep}***@{rest.rsplit('@', 1)[1]}"


def environment(environ: Mapping[str, str] = os.environ) -> dict[str, str]:
    """Proxy variables by scheme ("https", "all", "no"…) as urllib reads them, which httpx
    uses: lower case wins over upper case, and an empty lower-case one removes the other. Off
    Linux, proxies may also come from the system's settings, which only urllib reads."""
    if sys.platform != "linux" and environ is os.environ:
        from urllib.request import getproxies

        return getproxies()
    found: dict[str, str] = {}
    for name, value in environ.items():
        if value and name.lower().endswith("_proxy"):
            found[name.lower()[:-6]] = value
    for name, value in environ.items():
        if name.endswith("_proxy"):  # lower case, as urllib: these have the last word
            if value:
                found[name[:-6]] = value
            else:
                found.pop(name[:-6], None)
    return found


def described(environ: Mapping[str, str] = os.environ) -> str:
    """' (proxy settings: HTTPS_PROXY=http://***@proxy:3128, NO_PROXY=…)' when the environment
    sets any that httpx reads, else ''. Which one a request took is httpx's choice (NO_PROXY
    patterns, the URL's scheme): the words list the settings, they do not guess."""
    found = environment(environ)
    shown = [f"{scheme.upper()}_PROXY={value if scheme == 'no' else masked(value)}"
             for scheme in ("https", "http", "all", "no") if (value := found.get(scheme))]
    if not any(scheme in found for scheme in ("https", "http", "all")):
        return ""
    return f" (proxy settings: {', '.join(shown)})"
