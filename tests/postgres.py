"""A throwaway PostgreSQL cluster on a loopback port, for the tests that need a real one.

The server comes from Debian's ``postgresql`` package (``make test`` installs it when missing, as
root with apt-get). Outside CI a machine without it skips those tests; in CI (``CI`` set) a
missing server is a failure, never a skip. As root the cluster runs as the ``postgres`` user,
because PostgreSQL refuses to run as root.
"""

from __future__ import annotations

import glob
import os
import shutil
import socket
import subprocess
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest


def _bindir() -> Path | None:
    found = sorted(glob.glob("/usr/lib/postgresql/*/bin/postgres"), key=lambda p: int(p.split("/")[4]))
    if found:
        return Path(found[-1]).parent
    exe = shutil.which("postgres")
    return Path(exe).parent if exe else None


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _as_owner(argv: list[str]) -> list[str]:
    return ["runuser", "-u", "postgres", "--", *argv] if os.geteuid() == 0 else argv


@contextmanager
def running_postgres() -> Iterator[str]:
    """Start a cluster; yield its URL (database ``satchel``, user ``satchel``, trust auth on loopback)."""
    bindir = _bindir()
    if bindir is None:
        if os.environ.get("CI"):
            pytest.fail("PostgreSQL is not installed (make test installs Debian's postgresql)")
        pytest.skip("PostgreSQL is not installed here (Debian's postgresql package)")
    root = Path(tempfile.mkdtemp(prefix="satchel-pg-"))
    data = root / "data"
    if os.geteuid() == 0:
        shutil.chown(root, "postgres", "postgres")
    port = _free_port()
    subprocess.run(_as_owner([str(bindir / "initdb"), "-D", str(data), "-U", "satchel", "-A", "trust",
                              "-E", "UTF8", "--no-sync"]), check=True, capture_output=True, timeout=120)
    log = open(root / "server.log", "wb")  # noqa: SIM115 - kept open while the server runs
    proc = subprocess.Popen(_as_owner([str(bindir / "postgres"), "-D", str(data), "-h", "127.0.0.1",
                                       "-p", str(port), "-k", str(root), "-c", "fsync=off",
                                       "-c", "max_connections=200"]), stdout=log, stderr=log)
    try:
        deadline = time.monotonic() + 60
        while True:
            ready = subprocess.run([str(bindir / "pg_isready"), "-h", "127.0.0.1", "-p", str(port)],
                                   capture_output=True)
            if ready.returncode == 0:
                break
            if proc.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError("PostgreSQL did not start: " + (root / "server.log").read_text()[-2000:])
            time.sleep(0.2)
        subprocess.run([str(bindir / "createdb"), "-h", "127.0.0.1", "-p", str(port), "-U", "satchel", "satchel"],
                       check=True, capture_output=True, timeout=60)
        yield f"postgresql://satchel@127.0.0.1:{port}/satchel"
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=20)
        except subprocess.TimeoutExpired:
            proc.kill()
        log.close()
        shutil.rmtree(root, ignore_errors=True)
