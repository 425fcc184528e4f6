"""Hostile inputs, timed end to end through ``verify()``: poison-graph credentials (blank-node
cliques, RDFC-1.0 §4.4) and photos of noise of several sizes (the QR search). Goal: every one
answered within 5 s on this 2-core machine.

    .venv/bin/python bench/hostile.py [--rounds N]
"""

from __future__ import annotations

import argparse
import json
import platform
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))


def main() -> None:
    from credentials._verify import verify
    from tests.helpers import ed25519_signer
    from tests.hostile import clique_credential, noise_png

    parser = argparse.ArgumentParser()
    parser.add_argument("--rounds", type=int, default=3)
    args = parser.parse_args()
    signer = ed25519_signer()
    cases: list[tuple[str, bytes]] = []
    for n in (6, 7, 8, 12):
        doc = clique_credential(signer, n)
        cases.append((f"credential, {n}-clique of blank nodes ({len(json.dumps(doc)) / 1024:.1f} KB)",
                      json.dumps(doc).encode()))
    for w, h in ((640, 480), (1280, 720), (1000, 1000), (1600, 1600), (2000, 2000), (6000, 6000)):
        png = noise_png(w, h)
        cases.append((f"noise photo {w}x{h} ({len(png) / 1e6:.1f} MB PNG)", png))
    print(f"# {platform.processor() or platform.machine()}, {platform.python_implementation()} "
          f"{platform.python_version()}, median of {args.rounds}")
    worst = 0.0
    for name, data in cases:
        times = []
        for _ in range(args.rounds):
            t0 = time.perf_counter()
            report = verify(data)
            times.append(time.perf_counter() - t0)
        median = statistics.median(times)
        worst = max(worst, max(times))
        print(f"{name:55s} {median:6.2f} s  max {max(times):5.2f} s  -> {','.join(report.problems) or 'valid'}")
    print(f"worst single run: {worst:.2f} s (goal: 5 s)")


if __name__ == "__main__":
    main()
