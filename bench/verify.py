"""Verification speed over the shared corpus: warm median per credential (all, eddsa-rdfc-2022,
Ed25519Signature2020), the straightforward pyld reference path for comparison, and a cold
`satchel-verify` run.

    .venv/bin/python bench/verify.py [--rounds N]
"""

from __future__ import annotations

import argparse
import json
import platform
import statistics
import subprocess
import sys
import time
from datetime import UTC, datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
CORPUS = ROOT.parent / "shared" / "corpus"
AT = datetime(2026, 11, 22, tzinfo=UTC)


def warm_times(entries, fetcher, rounds: int) -> dict[str, float]:
    from credentials._verify import verify

    out = {}
    for e in entries:
        data = (CORPUS / e["file"]).read_bytes()
        verify(data, fetcher=fetcher, at=AT)  # warm caches (contexts, status lists)
        samples = []
        for _ in range(rounds):
            t0 = time.perf_counter()
            verify(data, fetcher=fetcher, at=AT)
            samples.append(time.perf_counter() - t0)
        out[e["file"]] = statistics.median(samples)
    return out


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--rounds", type=int, default=15)
    args = ap.parse_args()
    from credentials._net import DocumentMapTransport, Fetcher, make_client

    manifest = json.loads((CORPUS / "manifest.json").read_text())
    fetcher = Fetcher(make_client(DocumentMapTransport.from_file(CORPUS / "web.json")))
    times = warm_times(manifest, fetcher, args.rounds)
    ms = lambda xs: statistics.median(xs) * 1000 if xs else float("nan")  # noqa: E731
    by_suite = lambda s: [times[e["file"]] for e in manifest if e.get("proofs") == [s]]  # noqa: E731
    print(f"machine: {platform.machine()} {platform.processor() or ''} python {platform.python_version()}")
    print(f"warm median per credential, whole corpus ({len(times)}): {ms(list(times.values())):.2f} ms")
    print(f"warm mean per credential, whole corpus: {statistics.mean(times.values()) * 1000:.2f} ms")
    rdfc = by_suite("eddsa-rdfc-2022")
    print(f"warm median, eddsa-rdfc-2022 only ({len(rdfc)}): {ms(rdfc):.2f} ms")
    print(f"warm median, Ed25519Signature2020 only ({len(by_suite('Ed25519Signature2020'))}): "
          f"{ms(by_suite('Ed25519Signature2020')):.2f} ms")
    ob3 = "1edtech-ob3/ob3-impl-guide-ldp-vector.signed.json"
    print(f"warm, 1EdTech OB 3.0 eddsa-rdfc-2022 vector: {times[ob3] * 1000:.2f} ms")

    # The straightforward path (pyld normalize, no fast canonicalizer) for comparison.
    import credentials._proofs._rdfc as rdfc_mod
    from credentials._jsonld import canonize_reference

    fast = rdfc_mod.canonize
    rdfc_mod.canonize = canonize_reference
    try:
        ref = warm_times([e for e in manifest if e["file"] == ob3 or e.get("proofs") == ["eddsa-rdfc-2022"]],
                         fetcher, max(3, args.rounds // 3))
    finally:
        rdfc_mod.canonize = fast
    print(f"reference pyld path, eddsa-rdfc-2022 median: {ms(list(ref.values())):.2f} ms")

    cold = []
    for _ in range(5):
        t0 = time.perf_counter()
        subprocess.run([str(ROOT / ".venv" / "bin" / "satchel-verify"), "--json", "--offline", "--documents",
                        str(CORPUS / "web.json"), "--at", "2026-11-22T00:00:00Z", str(CORPUS / ob3)],
                       capture_output=True, check=False)
        cold.append(time.perf_counter() - t0)
    print(f"cold satchel-verify (one OB 3.0 credential, process start to exit), median of 5: {ms(cold):.0f} ms")


if __name__ == "__main__":
    main()
