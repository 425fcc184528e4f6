"""Cold start of ``satchel-verify`` on one JSON credential, and what its imports cost.

    .venv/bin/python bench/startup.py [--runs 15]

Issues the stub's standard badge into a temporary folder, then runs the real command
(``satchel-verify --json --offline --documents web.json badge.json``) ``--runs`` times, each a new
process, and prints the median and best wall time; then one run under ``python -X importtime``
and the modules with the largest cumulative import time. Target (issue 16): < 200 ms here.
"""

from __future__ import annotations

import argparse
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))


def _command(sample: Path) -> list[str]:
    return [sys.executable, "-m", "credentials._cli", "--json", "--offline", "--documents",
            str(sample / "web.json"), str(sample / "ob3-v2-eddsa-rdfc-2022.json")]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--runs", type=int, default=15)
    parser.add_argument("--top", type=int, default=12)
    args = parser.parse_args()
    from issuer_stub.sample import write_sample

    with tempfile.TemporaryDirectory() as tmp:
        sample = Path(tmp)
        write_sample(sample)
        cmd = _command(sample)
        subprocess.run(cmd, capture_output=True, check=True)  # the page cache, not the figure
        times = []
        for _ in range(args.runs):
            start = time.perf_counter()
            done = subprocess.run(cmd, capture_output=True, check=False)
            times.append(time.perf_counter() - start)
            assert b'"verdict": "valid"' in done.stdout, done.stdout[:200]
        bare = []
        for _ in range(5):
            start = time.perf_counter()
            subprocess.run([sys.executable, "-c", "pass"], check=True)
            bare.append(time.perf_counter() - start)
        print(f"satchel-verify, one JSON credential, {args.runs} cold processes: "
              f"median {statistics.median(times) * 1000:.0f} ms, best {min(times) * 1000:.0f} ms "
              f"(python itself: {min(bare) * 1000:.0f} ms)")
        traced = subprocess.run([sys.executable, "-X", "importtime", *cmd[1:]], capture_output=True, text=True,
                                check=True)
    rows = []
    for line in traced.stderr.splitlines():
        if line.startswith("import time:") and "|" in line and "cumulative" not in line:
            _label, _self, cumulative, name = (part.strip() for part in line.replace(":", "|", 1).split("|"))
            rows.append((int(cumulative), name))
    print(f"largest cumulative imports (µs), of {len(rows)} modules:")
    for cumulative, name in sorted(rows, reverse=True)[: args.top]:
        print(f"  {cumulative:>8}  {name}")


if __name__ == "__main__":
    main()
