"""Interop: credentials the issuer stub signs must verify in didkit (SpruceID, Rust), an
implementation no one here wrote.

didkit 0.3.3 knows only its bundled contexts (credentials v1, ed25519-2020, the unversioned OB
3.0 context, ...) and resolves DIDs itself, so it gets the VCDM 1.1 + Ed25519Signature2020 form
with a did:key issuer only; never a did:web (it would go to the network).

Usage: python scripts/interop/didkit_check.py FILE...   (or no FILE: issue fresh ones)
Prints one JSON line per credential: {"file", "didkit": {...}, "accepted": bool}; exit 1 if any
untampered credential is refused or a tampered one accepted.
"""

from __future__ import annotations

import asyncio
import json
import os
import sys
from pathlib import Path

import didkit

OPTIONS = json.dumps({"proofPurpose": "assertionMethod"})


async def didkit_verify(text: str) -> dict[str, object]:
    # didkit.verify_credential returns an awaitable that needs a running event loop.
    return dict(json.loads(await didkit.verify_credential(text, OPTIONS)))


def fresh_credentials() -> list[tuple[str, str]]:
    from issuer_stub.catalogue import load_catalogue
    from issuer_stub.issuer import Issuer
    from issuer_stub.state import State

    issuer = Issuer(State(":memory:"))
    out = []
    for slug in sorted(load_catalogue()):
        _, artifact = issuer.issue(slug, "ob3-v1-ed25519signature2020-didkey")
        out.append((f"fresh:{slug}", artifact.text))
    return out


def tampered(text: str) -> str:
    doc = json.loads(text)
    doc["credentialSubject"]["achievement"]["name"] += " (forged)"
    return json.dumps(doc)


async def run(items: list[tuple[str, str]]) -> int:
    bad = 0
    for name, text in items:
        if "did:web:" in json.loads(text).get("proof", {}).get("verificationMethod", ""):
            print(json.dumps({"file": name, "skipped": "did:web: didkit would fetch it from the network"}))
            continue
        result = await didkit_verify(text)
        forged = await didkit_verify(tampered(text))
        accepted, forged_refused = not result.get("errors"), bool(forged.get("errors"))
        bad += (not accepted) + (not forged_refused)
        print(json.dumps({"file": name, "didkit": result, "accepted": accepted,
                          "tamperedRefused": forged_refused}), flush=True)
    return 1 if bad else 0


def main(argv: list[str]) -> int:
    items = [(a, Path(a).read_text(encoding="utf-8")) for a in argv] or fresh_credentials()
    return asyncio.run(run(items))


if __name__ == "__main__":
    code = main(sys.argv[1:])
    sys.stdout.flush()
    os._exit(code)  # didkit's runtime can abort during interpreter finalisation; skip it
