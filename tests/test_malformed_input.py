"""Bad input gets a clear failed check in bounded time and memory, never a traceback."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from credentials._verify import verify
from tests.conftest import CORPUS, ROOT, no_network_prefix

GOOD = CORPUS / "1edtech-ob3" / "ob3-impl-guide-ldp-vector.signed.json"


def _variants(tmp: Path) -> dict[str, tuple[Path, str]]:
    """name -> (file, the problem it must give)."""
    doc = json.loads(GOOD.read_text())
    text = json.dumps(doc)
    png = (CORPUS / "ob2" / "mozilla-unbaked.png").read_bytes()
    files = {
        "truncated.json": (text[: len(text) // 2].encode(), "malformed"),
        "deep-array.json": (b"[" * 10_000 + b"]" * 10_000, "malformed"),
        "deep-object.json": (b'{"a":' * 10_000 + b"1" + b"}" * 10_000, "malformed"),
        "junk.bin": (os.urandom(4096), "malformed"),
        "truncated.png": (png[: len(png) // 2], "malformed"),
        "empty.json": (b"", "malformed"),
        "unknown-proof.json": (json.dumps({**doc, "proof": {**doc["proof"], "cryptosuite": "x-2099"}}).encode(),
                               "unsupported-proof-type"),
        "remote-context.json": (json.dumps({**doc, "@context": [*doc["@context"], "https://evil.example/c"]}).encode(),
                                "unknown-context"),
    }
    out = {}
    for name, (data, problem) in files.items():
        (tmp / name).write_bytes(data)
        out[name] = (tmp / name, problem)
    big = tmp / "fifty-megabytes.json"
    with big.open("wb") as fh:
        fh.truncate(50 * 1024 * 1024)
    out[big.name] = (big, "malformed")
    return out


def test_malformed_inputs_give_clear_failed_check_without_traceback(tmp_path: Path) -> None:
    variants = _variants(tmp_path)
    cmd = [*no_network_prefix(), sys.executable, "-m", "credentials._cli", "--json", "--offline",
           *[str(p) for p, _ in variants.values()]]
    # bounded time: every input in one process, well under the limit
    proc = subprocess.run(cmd, capture_output=True, text=True, timeout=60, cwd=ROOT)
    assert "Traceback" not in proc.stderr
    lines = proc.stdout.splitlines()
    assert len(lines) == len(variants)
    for (name, (_, problem)), line in zip(variants.items(), lines, strict=True):
        report = json.loads(line)
        assert report["problems"] == [problem], (name, report)
        failing = [c for c in report["checks"] if c["status"] in ("failed", "could-not-check")]
        assert failing and all(len(c["message"]) > 10 for c in failing), name


def test_cli_peak_memory_on_a_fifty_megabyte_file_stays_bounded(tmp_path: Path) -> None:
    big = tmp_path / "big.json"
    with big.open("wb") as fh:
        fh.truncate(50 * 1024 * 1024)
    # VmHWM is this process's own peak (ru_maxrss would carry over the forking parent's on Linux).
    code = ("import sys; from credentials._cli import main; main(['--json','--offline',sys.argv[1]]);"
            "hwm=[l for l in open('/proc/self/status') if l.startswith('VmHWM')][0];"
            "print(int(hwm.split()[1]), file=sys.stderr)")
    proc = subprocess.run([sys.executable, "-c", code, str(big)], capture_output=True, text=True, timeout=60)
    peak_kib = int(proc.stderr.strip().splitlines()[-1])
    assert peak_kib < 200 * 1024, peak_kib  # the file is never read whole


@pytest.mark.parametrize("data", [b"\x89PNG\r\n\x1a\n" + b"\x00" * 20, b"<svg", b"eyJ.eyJ.sig", b"{}", b"[]",
                                  b'{"@context": 5}', b'{"@context": ["https://www.w3.org/ns/credentials/v2"]}',
                                  b"{\"proof\": [1, 2]}"])
def test_verify_never_raises_on_hostile_bytes(data: bytes) -> None:
    report = verify(data)
    assert report.verdict != "valid"
    assert report.checks
