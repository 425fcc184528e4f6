"""did:web (W3C CCG did:web method): the document lives at an https URL made from the DID."""

from __future__ import annotations

from typing import Any
from urllib.parse import unquote

from .._errors import FetchError, KeyResolutionError
from .._net import Fetcher

_LOOPBACK = ("127.0.0.1", "localhost", "[::1]")


def did_web_to_url(did: str) -> str:
    """did:web:example.com:user:alice -> https://example.com/user/alice/did.json (§3.2 Read).

    Loopback hosts (the issuer stub in development) are served over plain http.
    """
    parts = did.removeprefix("did:web:").split(":")
    if not parts or not parts[0]:
        raise KeyResolutionError(f"{did} is not a valid did:web")
    host = unquote(parts[0])
    if "/" in host or "@" in host:
        raise KeyResolutionError(f"{did} is not a valid did:web")
    path = "/".join(unquote(p) for p in parts[1:])
    scheme = "http" if host.split(":")[0] in _LOOPBACK or host.startswith("[::1]") else "https"
    return f"{scheme}://{host}/{path}/did.json" if path else f"{scheme}://{host}/.well-known/did.json"


def url_to_did_web(host_port: str, path: str = "") -> str:
    segs = [host_port.replace(":", "%3A")] + [p for p in path.strip("/").split("/") if p]
    return "did:web:" + ":".join(segs)


def resolve_did_web(did: str, fetcher: Fetcher) -> dict[str, Any]:
    url = did_web_to_url(did)
    try:
        doc = fetcher.get_json(url)
    except FetchError as exc:
        raise KeyResolutionError(f"the document of {did} could not be fetched ({exc.reason})") from exc
    if not isinstance(doc, dict) or doc.get("id") != did:
        raise KeyResolutionError(f"the document at {url} is not the document of {did}")
    return doc
