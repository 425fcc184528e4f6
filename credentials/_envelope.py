"""VCDM 2.0 §4.13 enveloped credentials and presentations: a JWT carried as a JSON-LD object whose
``id`` is a ``data:`` URL (RFC 2397), e.g. ``data:application/vc+jwt,eyJ…`` or, an SD-JWT,
``data:application/vc+sd-jwt,eyJ…~…~``. The one place that
writes and reads that form: what was secured is the JWT inside, never the wrapper.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Literal

from ._errors import MalformedError

__all__ = ["ENVELOPED_TYPES", "envelope", "enveloped_jwt"]

VC2 = "https://www.w3.org/ns/credentials/v2"
ENVELOPED_TYPES = frozenset({"EnvelopedVerifiableCredential", "EnvelopedVerifiablePresentation"})


def envelope(jwt: str, kind: Literal["vc", "vp"] = "vc") -> dict[str, Any]:
    """§4.13.1 / §4.13.2: ``jwt`` as an EnvelopedVerifiableCredential (or -Presentation)."""
    name = "EnvelopedVerifiableCredential" if kind == "vc" else "EnvelopedVerifiablePresentation"
    # VC-JOSE-COSE §3.1.1 application/vc+jwt; §3.2.1 application/vc+sd-jwt (an SD-JWT has a "~").
    media = f"{kind}+sd-jwt" if "~" in jwt else f"{kind}+jwt"
    return {"@context": VC2, "id": f"data:application/{media},{jwt}", "type": name}


def enveloped_jwt(doc: Mapping[str, Any]) -> str | None:
    """The compact JWT inside an enveloped credential or presentation; None for any other object.
    Raises MalformedError for an enveloped type whose id is not a ``data:`` URL."""
    types = doc.get("type")
    names = types if isinstance(types, list) else [types]
    if not ENVELOPED_TYPES & {n for n in names if isinstance(n, str)}:
        return None
    ident = doc.get("id")
    if not isinstance(ident, str) or not ident.startswith("data:") or "," not in ident:
        raise MalformedError("an enveloped credential must hold its JWT in a data: URL")
    return ident.split(",", 1)[1].strip()
