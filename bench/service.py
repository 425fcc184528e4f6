"""Load test of ``satchel-verifier serve`` on loopback: POST /credentials/verify with real signed
OB 3.0 credentials from keep-alive client threads, with malformed and hostile requests mixed in.

Three set-ups by default: one instance with 1 worker process, one with 2 (SQLite, the embedded
default), and 2 instances of 1 worker each on one PostgreSQL (a throwaway cluster, as the tests
start it; clients spread over both, as a load balancer would). Bounded in count and time
(``--requests`` per client, ``--seconds`` per set-up). Reports verifications per second and
p50 / p95 / p99 latency; checks every good answer is still ``valid``, every hostile one a JSON 4xx
without a traceback, no connection error, and that every server survives.

    .venv/bin/python bench/service.py [--setup all|1-worker|2-workers|2-instances-pg]
                                      [--clients 4] [--requests 2000] [--hostile 1000] [--seconds 20]
"""

from __future__ import annotations

import argparse
import http.client
import json
import os
import platform
import queue
import re
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))


@dataclass(frozen=True)
class Hostile:
    name: str
    raw: bytes  # sent on its own connection, exactly as is
    expect: tuple[int, ...]


class Tally:
    """One client's running record (mutable by nature, so a plain class)."""

    def __init__(self) -> None:
        self.latencies: list[float] = []
        self.wrong: list[str] = []
        self.hostile: dict[str, int] = {}


def _pump(stream: Any, sink: Any) -> None:
    for line in stream:
        sink(line)


def _request(path: str, body: bytes, ctype: str = "application/json", length: int | None = None) -> bytes:
    return (f"POST {path} HTTP/1.1\r\nHost: bench\r\nContent-Type: {ctype}\r\nConnection: close\r\n"
            f"Content-Length: {len(body) if length is None else length}\r\n\r\n").encode() + body


def hostile_requests(cred: dict[str, Any]) -> list[Hostile]:
    tampered = json.loads(json.dumps(cred))
    tampered["credentialSubject"]["achievement"]["name"] = "Heart surgery"
    foreign_key = {**cred, "proof": {**cred["proof"], "verificationMethod": "did:web:169.254.169.254#key"}}
    verify = "/credentials/verify"
    return [
        Hostile("bad-json", _request(verify, b'{"verifiableCredential": {'), (400,)),
        Hostile("wrong-type", _request(verify, b"{}", "text/plain"), (415,)),
        Hostile("too-large", _request(verify, b"{", length=50 * 1024 * 1024), (413,)),
        Hostile("deep-nesting", _request(verify, b'{"verifiableCredential": ' + b"[" * 50000 + b"}"), (400,)),
        Hostile("not-object", _request(verify, b"[1, 2, 3]"), (400,)),
        Hostile("ssrf-url", _request(verify, b'{"verifiableCredential": "http://169.254.169.254/x"}'), (400,)),
        Hostile("tampered", _request(verify, json.dumps({"verifiableCredential": tampered}).encode()), (400,)),
        Hostile("foreign-key", _request(verify, json.dumps({"verifiableCredential": foreign_key}).encode()), (400,)),
        Hostile("jwt-junk", _request(verify, b'{"verifiableCredential": "eyJhbGciOiJub25lIn0.e30.x"}'), (400,)),
        Hostile("unknown-path", _request("/admin", b"{}"), (404,)),
        Hostile("garbage-line", b"\x16\x03\x01\x00\xa5\x01\x00\x00\xa1\x03\x03 garbage\r\n\r\n", (400,)),
        Hostile("bad-length", _request(verify, b"{}", length=-1), (400,)),
    ]


def _send_raw(host: str, port: int, data: bytes) -> bytes:
    with socket.create_connection((host, port), timeout=30) as sock:
        try:
            sock.sendall(data)
        except OSError:
            pass  # the server may stop reading (413) before all is sent
        out = b""
        try:
            while chunk := sock.recv(65536):
                out += chunk
        except OSError:
            pass
    return out


def client_loop(host: str, port: int, bodies: list[bytes], n: int, hostile: list[Hostile], n_hostile: int,
                deadline: float, tally: Tally) -> None:
    conn = http.client.HTTPConnection(host, port, timeout=30)
    every = max(1, n // max(1, n_hostile)) if n_hostile else 0
    sent_hostile = 0
    for i in range(n):
        if time.monotonic() > deadline:
            break
        if every and i % every == 0 and sent_hostile < n_hostile:
            h = hostile[sent_hostile % len(hostile)]
            sent_hostile += 1
            out = _send_raw(host, port, h.raw)
            status = int(out[9:12]) if out.startswith(b"HTTP/1.1 ") else 0
            ok = status in h.expect and b"Traceback" not in out and b"application/json" in out
            if not ok:
                tally.wrong.append(f"hostile {h.name}: {out[:160]!r}")
            tally.hostile[h.name] = tally.hostile.get(h.name, 0) + 1
        t0 = time.perf_counter()
        try:
            conn.request("POST", "/credentials/verify", bodies[i % len(bodies)],
                         {"Content-Type": "application/json"})
            resp = conn.getresponse()
            answer = resp.read()
        except (OSError, http.client.HTTPException) as exc:
            tally.wrong.append(f"good request failed: {exc!r}")
            conn.close()
            conn = http.client.HTTPConnection(host, port, timeout=30)
            continue
        tally.latencies.append(time.perf_counter() - t0)
        if resp.status != 200 or json.loads(answer).get("verdict") != "valid":
            tally.wrong.append(f"good credential answered {resp.status}: {answer[:160]!r}")
    conn.close()


def pct(samples: list[float], p: float) -> float:
    ordered = sorted(samples)
    return ordered[min(len(ordered) - 1, int(round(p / 100 * (len(ordered) - 1))))]


def start_instance(data: str, *extra: str) -> tuple[subprocess.Popen[str], str, int, list[str]]:
    proc = subprocess.Popen([sys.executable, "-m", "verifier.cli", "serve", "--port", "0", "--offline",
                             "--data", data, "--request-timeout", "5", *extra], cwd=ROOT,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    lines: queue.Queue[str] = queue.Queue()
    assert proc.stdout is not None and proc.stderr is not None
    errs: list[str] = []
    threading.Thread(target=_pump, args=(proc.stdout, lines.put), daemon=True).start()
    threading.Thread(target=_pump, args=(proc.stderr, errs.append), daemon=True).start()
    m = re.search(r"http://([\d.]+):(\d+)", lines.get(timeout=60))
    assert m, "no base URL printed"
    return proc, m.group(1), int(m.group(2)), errs


def run_load(targets: list[tuple[str, int]], bodies: list[bytes], cred: dict[str, Any],
             args: argparse.Namespace) -> tuple[dict[str, Any], list[str]]:
    warm = Tally()
    for host, port in targets:  # every worker process imports and warms up
        client_loop(host, port, bodies, 100, [], 0, time.monotonic() + 60, warm)
    hostile = hostile_requests(cred)
    tallies = [Tally() for _ in range(args.clients)]
    deadline = time.monotonic() + args.seconds
    share = args.hostile // args.clients
    threads = [threading.Thread(target=client_loop, args=(
        *targets[i % len(targets)], bodies, args.requests, hostile, share + (i < args.hostile % args.clients),
        deadline, t)) for i, t in enumerate(tallies)]
    t0 = time.perf_counter()
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    elapsed = time.perf_counter() - t0
    lat = [x for t in tallies for x in t.latencies]
    wrong = [w for t in (warm, *tallies) for w in t.wrong]
    hostile_total = sum(sum(t.hostile.values()) for t in tallies)
    return {
        "clients": args.clients, "verified": len(lat), "hostile": hostile_total, "seconds": round(elapsed, 2),
        "verifications_per_s": round(len(lat) / elapsed, 1),
        "requests_per_s": round((len(lat) + hostile_total) / elapsed, 1),
        "p50_ms": round(pct(lat, 50) * 1000, 2), "p95_ms": round(pct(lat, 95) * 1000, 2),
        "p99_ms": round(pct(lat, 99) * 1000, 2), "mean_ms": round(statistics.fmean(lat) * 1000, 2),
        "wrong_answers": len(wrong),
    }, wrong


def run_setup(name: str, bodies: list[bytes], cred: dict[str, Any], args: argparse.Namespace) -> dict[str, Any]:
    from contextlib import ExitStack

    with ExitStack() as stack:
        procs: list[tuple[subprocess.Popen[str], str, int, list[str]]] = []
        if name == "2-instances-pg":
            from tests.postgres import running_postgres

            url = stack.enter_context(running_postgres())
            for _ in range(2):
                procs.append(start_instance(stack.enter_context(tempfile.TemporaryDirectory()), "--database", url))
        else:
            workers = "2" if name == "2-workers" else "1"
            procs.append(start_instance(stack.enter_context(tempfile.TemporaryDirectory()), "--workers", workers))
        try:
            figures, wrong = run_load([(host, port) for _p, host, port, _e in procs], bodies, cred, args)
            alive = all(p.poll() is None for p, *_ in procs)
        finally:
            for p, *_ in procs:
                p.terminate()
                try:
                    p.wait(timeout=15)
                except subprocess.TimeoutExpired:
                    p.kill()
        errs = [e for *_, es in procs for e in es]
    figures.update(setup=name, server_alive=alive, server_tracebacks=sum("Traceback" in e for e in errs),
                   connection_errors=sum("good request failed" in w for w in wrong))
    figures["wrong"] = wrong[:10]
    return figures


SETUPS = ("1-worker", "2-workers", "2-instances-pg")


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--setup", choices=("all", *SETUPS), default="all")
    ap.add_argument("--clients", type=int, default=4, help="concurrent keep-alive clients (default 4)")
    ap.add_argument("--requests", type=int, default=2000, help="good requests per client (default 2000)")
    ap.add_argument("--hostile", type=int, default=1000, help="hostile requests in all (default 1000)")
    ap.add_argument("--seconds", type=float, default=20.0, help="stop each set-up after this long (default 20)")
    ap.add_argument("--distinct", type=int, default=200, help="distinct signed credentials cycled (default 200)")
    ap.add_argument("--json", action="store_true", help="print the figures as JSON lines")
    args = ap.parse_args(argv)

    from tests.helpers import ed25519_signer, ob3_credential

    # Distinct credentials (own subject key, id and name), so nothing can be answered from a cache.
    issuer = ed25519_signer()
    creds = [issuer.sign(ob3_credential(issuer.did, subject=ed25519_signer().did, name=f"Wound care {n}",
                                        id=f"urn:uuid:00000000-0000-4000-8000-{n:012d}"))
             for n in range(args.distinct)]
    bodies = [json.dumps({"verifiableCredential": c, "options": {}}).encode() for c in creds]
    machine = f"{platform.machine()} × {os.cpu_count()} CPUs, Python {platform.python_version()}"
    if not args.json:
        print(f"satchel-verifier load test: {machine}; {args.clients} keep-alive clients")
        print(f"{'set-up':16s} {'verif./s':>9s} {'p50 ms':>7s} {'p95 ms':>7s} {'p99 ms':>7s} {'hostile':>8s} "
              f"{'conn. errors':>12s} {'wrong':>6s}")
    ok = True
    for name in SETUPS if args.setup == "all" else (args.setup,):
        f = run_setup(name, bodies, creds[0], args)
        f["machine"] = machine
        ok = ok and not f["wrong_answers"] and f["server_alive"] and not f["server_tracebacks"]
        if args.json:
            print(json.dumps(f))
            continue
        print(f"{name:16s} {f['verifications_per_s']:9.1f} {f['p50_ms']:7.2f} {f['p95_ms']:7.2f} {f['p99_ms']:7.2f} "
              f"{f['hostile']:8d} {f['connection_errors']:12d} {f['wrong_answers']:6d}"
              + ("" if f["server_alive"] else "  SERVER DIED"))
        for w in f["wrong"]:
            print("   ", w)
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
