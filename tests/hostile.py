"""Hostile inputs found by the tamper fuzz, built the same way for tests and bench/hostile.py."""

from __future__ import annotations

from typing import Any

import numpy as np

from tests.helpers import Signer, ob3_credential


def clique_credential(signer: Signer, n: int) -> dict[str, Any]:
    """An OB 3.0 credential whose evidence is n blank nodes that each link to all the others:
    alike at every degree, the RDFC-1.0 §4.4 poison graph (about 2.6 KB for n = 7). The
    evidence is added after signing, as an attacker would: the verifier must canonicalize it
    before it can tell the signature does not match."""
    ids = [f"_:e{i}" for i in range(n)]
    evidence = [{"id": i, "type": ["Evidence"], "name": "Portfolio item",
                 "https://example.org/vocab#relatedTo": [{"id": j} for j in ids if j != i]} for i in ids]
    signed = signer.sign(ob3_credential(signer.did))
    return {**signed, "evidence": evidence}


def noise_png(width: int = 1600, height: int = 1600, seed: int = 7) -> bytes:
    """A photo of nothing: grey noise, the worst case of the QR search."""
    import cv2

    rng = np.random.default_rng(seed)
    ok, png = cv2.imencode(".png", (rng.random((height, width)) * 255).astype(np.uint8))
    assert ok
    return bytes(png.tobytes())
