"""`satchel-verifier serve` as a real process on a free loopback port, for the service tests."""

from __future__ import annotations

import queue
import re
import subprocess
import sys
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]


@contextmanager
def running_verifier(*args: str) -> Iterator[tuple[str, subprocess.Popen[str]]]:
    """Start ``satchel-verifier serve --port 0 ARGS…``; yield (base URL, process). On the way out
    it is stopped, and it must not have printed a traceback (no internal error was hit)."""
    argv = [sys.executable, "-m", "verifier.cli", "serve", "--port", "0", *args]
    proc = subprocess.Popen(argv, cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    lines: queue.Queue[str] = queue.Queue()
    threading.Thread(target=lambda: [lines.put(line) for line in proc.stdout], daemon=True).start()  # type: ignore[union-attr]
    try:
        first = lines.get(timeout=60)
    except queue.Empty:
        proc.kill()
        pytest.fail("the server printed no base URL: " + (proc.stderr.read() if proc.stderr else ""))
    m = re.search(r"(http://127\.0\.0\.1:\d+)", first)
    assert m, first
    try:
        yield m.group(1), proc
    finally:
        if proc.poll() is None:
            proc.terminate()
            try:
                proc.wait(timeout=15)
            except subprocess.TimeoutExpired:
                proc.kill()
        stderr = proc.stderr.read() if proc.stderr else ""
        assert "Traceback" not in stderr, stderr
