"""Interop: didkit (an independent implementation) accepts what the stub signs with
Ed25519Signature2020 and a did:key issuer, and refuses a tampered copy."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

pytest.importorskip("didkit")

ROOT = Path(__file__).resolve().parent.parent
SCRIPT = ROOT / "scripts" / "interop" / "didkit_check.py"


def run_check(*files: Path) -> tuple[int, list[dict]]:
    run = subprocess.run([sys.executable, str(SCRIPT), *map(str, files)], capture_output=True, text=True,
                         timeout=120, cwd=ROOT)
    return run.returncode, [json.loads(line) for line in run.stdout.splitlines() if line.strip()]


def test_didkit_accepts_every_catalogue_achievement() -> None:
    from issuer_stub.catalogue import load_catalogue

    code, results = run_check()
    assert len(results) == len(load_catalogue()) == 7  # the first 4, and the HCSW pathway's 3 new ones
    assert code == 0, results
    assert all(r["accepted"] and r["tamperedRefused"] for r in results)


def test_didkit_accepts_the_sample_didkey_credential(tmp_path: Path) -> None:
    subprocess.run([str(Path(sys.executable).parent / "satchel-issuer"), "sample", "--out", str(tmp_path)],
                   check=True, capture_output=True)
    code, results = run_check(tmp_path / "ob3-v1-ed25519signature2020-didkey.json")
    assert code == 0 and results[0]["accepted"], results
