"""Median warm time of canonize_reference (pyld) vs canonize (fast) on the corpus credentials.

Each measurement canonicalizes the credential without its proof plus the proof configuration
of its first proof (what verifying one Data Integrity proof needs).

    .venv/bin/python bench/canon.py [--repeat N] [--all]
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from credentials._jsonld import canonize, canonize_reference  # noqa: E402

CORPUS = ROOT.parent / "shared" / "corpus"

HIGHLIGHT = [
    "1edtech-ob3/ob3-impl-guide-ldp-vector.signed.json",
    "w3c-vc-di-eddsa/signed/eddsa-rdfc-2022__signedDataInt.json",
    "w3c-vc-di-eddsa/signed/Ed25519Signature2020__signedEdSig.json",
    "dcc-vc-test-fixtures/v1/ed25519/didKey/noRegistry-noStatus-noExpiry.json",
    "dcc-vc-test-fixtures/v2/dataIntegrityProof/didKey/legacyRegistry-noStatus-noExpiry-OBSpecExample.json",
    "dcc-vc-test-fixtures/statusLists/didkey-ed25519Signature2020/e5WK8CbZ1GjycuPombrj.json",
]


def _parts(doc: dict[str, Any]) -> list[dict[str, Any]]:
    unsigned = {k: v for k, v in doc.items() if k != "proof"}
    proofs = doc.get("proof")
    proof = proofs[0] if isinstance(proofs, list) and proofs else proofs
    parts = [unsigned]
    if isinstance(proof, dict):
        config = {k: v for k, v in proof.items() if k not in ("proofValue", "jws")}
        config["@context"] = doc["@context"]
        parts.append(config)
    return parts


def _median_ms(fn: Callable[[dict[str, Any]], str], parts: list[dict[str, Any]], repeat: int) -> float:
    for _ in range(5):  # warm up: contexts loaded and processed
        for p in parts:
            fn(p)
    times = []
    for _ in range(repeat):
        t0 = time.perf_counter()
        for p in parts:
            fn(p)
        times.append(time.perf_counter() - t0)
    return statistics.median(times) * 1000


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--repeat", type=int, default=100)
    ap.add_argument("--all", action="store_true", help="every JSON-LD credential in the corpus")
    args = ap.parse_args()

    if args.all:
        manifest = json.loads((CORPUS / "manifest.json").read_text())
        files = [e["file"] for e in manifest if e["kind"] in ("vc-ldp", "vc-unsigned")]
        status_lists = (CORPUS / "dcc-vc-test-fixtures/statusLists").rglob("*.json")
        files += sorted(str(p.relative_to(CORPUS)) for p in status_lists)
    else:
        files = HIGHLIGHT

    print(f"{'credential':<72} {'nquads':>7} {'reference':>10} {'fast':>8} {'speedup':>8}")
    ref_all, fast_all = [], []
    for rel in files:
        doc = json.loads((CORPUS / rel).read_text())
        parts = _parts(doc)
        size = sum(len(canonize(p)) for p in parts)
        assert all(canonize(p) == canonize_reference(p) for p in parts), rel
        ref = _median_ms(canonize_reference, parts, args.repeat)
        fast = _median_ms(canonize, parts, args.repeat)
        ref_all.append(ref)
        fast_all.append(fast)
        name = rel if len(rel) <= 72 else "…" + rel[-71:]
        print(f"{name:<72} {size:>7} {ref:>8.2f}ms {fast:>6.3f}ms {ref / fast:>7.1f}x")
    print(f"{'median over ' + str(len(files)) + ' credentials':<72} {'':>7} "
          f"{statistics.median(ref_all):>8.2f}ms {statistics.median(fast_all):>6.3f}ms")


if __name__ == "__main__":
    main()
