"""Benchmark of wallet.store with 10,000 synthetic ~3 KB credentials.

    .venv/bin/python bench/wallet_store.py [--count 10000] [--dir DIR] [--tracemalloc]

Times: inserts (batched, and one commit per import), the KDF alone, unlock + first screen,
search, re-verify-all writes, backup and restore; peak RSS (and Python heap with --tracemalloc).
Uses the default KDF (Argon2id 64 MiB, t=3, p=4), as a real wallet does.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import resource
import statistics
import sys
import tempfile
import time
import tracemalloc
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from wallet.store import ImportSource, Store, default_kdf, restore_backup  # noqa: E402

WORDS = ("data", "python", "teamwork", "welding", "nursing", "cloud", "design", "safety", "leadership",
         "statistics", "carpentry", "first", "aid", "robotics", "spanish", "ethics", "marketing", "chemistry")
ISSUERS = [f"{a} {b}" for a in ("North", "City", "Open", "Coastal", "Metro", "Valley", "Royal", "Summit")
           for b in ("College", "Academy", "University", "Institute", "Guild", "Trust")]


def synthetic_credential(n: int, rng: random.Random) -> dict[str, Any]:
    """An OB 3.0 credential shaped like a real one (~3 KB with its proof and criteria)."""
    skills = rng.sample(WORDS, 3)
    issuer = rng.choice(ISSUERS)
    return {
        "@context": ["https://www.w3.org/ns/credentials/v2",
                     "https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.3.json"],
        "id": f"urn:uuid:{rng.getrandbits(128):032x}",
        "type": ["VerifiableCredential", "OpenBadgeCredential"],
        "issuer": {"id": f"https://{issuer.lower().replace(' ', '-')}.example/issuer", "type": ["Profile"],
                   "name": issuer, "url": "https://issuer.example", "email": "badges@issuer.example"},
        "validFrom": f"20{rng.randint(15, 26)}-{rng.randint(1, 12):02d}-{rng.randint(1, 28):02d}T00:00:00Z",
        "name": f"{skills[0].title()} {n}",
        "credentialSubject": {
            "id": "did:key:z6MkhaXgBZDvotDkL5257faiztiGiC2QtKLGpbnnEGta2doK",
            "type": ["AchievementSubject"],
            "achievement": {
                "id": f"https://issuer.example/achievements/{n}",
                "type": ["Achievement"],
                "name": f"{skills[0].title()} {skills[1]} level {n % 5 + 1}",
                "description": " ".join(rng.choices(WORDS, k=120)),
                "criteria": {"narrative": " ".join(rng.choices(WORDS, k=150))},
                "alignment": [{"type": ["Alignment"], "targetName": s.title(),
                               "targetUrl": f"https://skills.example/{s}"} for s in skills],
                "image": {"id": "https://issuer.example/badge.png", "type": "Image"},
            },
        },
        "proof": {"type": "DataIntegrityProof", "cryptosuite": "eddsa-rdfc-2022", "created": "2025-01-01T00:00:00Z",
                  "verificationMethod": "https://issuer.example/issuer#key-1", "proofPurpose": "assertionMethod",
                  "proofValue": "z" + "".join(rng.choices("123456789ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz",
                                                          k=88))},
    }


def report_for(n: int) -> dict[str, Any]:
    return {"verdict": ("valid", "valid", "invalid", "unverifiable")[n % 4], "problems": [], "warnings": [],
            "checks": [{"id": c, "status": "passed", "message": f"{c} passed"} for c in
                       ("format", "proof.signature", "issuer.key", "status", "validity.dates", "schema")],
            "format": "vc-ldp", "at": "2026-11-22T00:00:00Z"}


def peak_rss_mib() -> float:
    scale = 1024 if sys.platform != "darwin" else 1024 * 1024  # Linux reports KiB, macOS bytes
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / scale


@contextmanager
def timed(label: str, figures: dict[str, float]) -> Iterator[None]:
    start = time.perf_counter()
    yield
    figures[label] = time.perf_counter() - start


BATCH = 500


def _insert_all(store: Store, payloads: list[bytes], count: int, f: dict[str, float]) -> None:
    """All but the last 200 in transactions of BATCH; the last 200 one commit (fsync) each."""
    with timed("insert batched", f):
        for start in range(0, count - 200, BATCH):
            with store.transaction():
                for n in range(start, min(start + BATCH, count - 200)):
                    raw = payloads[n]
                    store.add_credential(raw, "application/vc+ld+json", json.loads(raw), ImportSource("file"),
                                         report=report_for(n), tags=["bench"] if n % 10 == 0 else ())
    with timed("insert one commit each (last 200)", f):
        for n in range(max(0, count - 200), count):
            raw = payloads[n]
            store.add_credential(raw, "application/vc+ld+json", json.loads(raw), ImportSource("file"),
                                 report=report_for(n))


def _search(store: Store, f: dict[str, float]) -> None:
    search_times = []
    queries = ["python", "north college", "teamwork safety", "metro guild welding", "level 3", "zzz-nothing",
               "statistics", "royal"]
    for q in queries * 5:
        began = time.perf_counter()
        store.search(q, limit=50)
        search_times.append(time.perf_counter() - began)
    f["search median"] = statistics.median(search_times)
    f["search max"] = max(search_times)
    with timed("list sorted by name", f):
        store.list_credentials(sort="name")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--count", type=int, default=10_000)
    parser.add_argument("--dir", type=Path, default=None, help="where the wallet files go (default: a temp dir)")
    parser.add_argument("--tracemalloc", action="store_true", help="also report the Python heap peak (slower)")
    args = parser.parse_args()
    if args.tracemalloc:
        tracemalloc.start()
    workdir = args.dir or Path(tempfile.mkdtemp(prefix="satchel-bench-"))
    workdir.mkdir(parents=True, exist_ok=True)
    path, passphrase = workdir / "wallet.db", "correct horse battery staple"
    for leftover in workdir.glob("*"):
        leftover.unlink()
    rng = random.Random(42)
    payloads = [json.dumps(synthetic_credential(n, rng), indent=2).encode() for n in range(args.count)]
    f: dict[str, float] = {}
    kdf = default_kdf()

    with timed("create (KDF + file)", f):
        store = Store.create(path, passphrase)
    _insert_all(store, payloads, args.count, f)
    store.close()
    rss_after_insert = peak_rss_mib()

    with timed("KDF alone", f):
        kdf.derive(b"correct horse battery staple", b"\0" * 16)
    with timed("unlock (incl. KDF)", f):
        store = Store.open(path, passphrase)
    with timed("first screen (50 of all, cold)", f):
        first = store.list_credentials(limit=50)
    f["unlock + first screen"] = f["unlock (incl. KDF)"] + f["first screen (50 of all, cold)"]
    f["unlock + first screen - KDF"] = f["unlock + first screen"] - f["KDF alone"]
    assert first.total == args.count and len(first.items) == 50

    _search(store, f)

    ids = store.credential_ids()
    with timed("re-verify all (10,000 report writes, one transaction per 500)", f):
        for start in range(0, len(ids), BATCH):
            with store.transaction():
                for n, rid in enumerate(ids[start : start + BATCH], start):
                    store.record_verification(rid, report_for(n + 1))
    with timed("read all records (decrypt originals)", f):
        total_bytes = sum(len(r.original) for r in store.iter_credentials())

    backup_path = workdir / "wallet.backup"
    with timed("backup (incl. KDF)", f):
        store.backup(backup_path, "backup passphrase")
    store.close()
    restored_path = workdir / "restored.db"
    with timed("restore (incl. 2 KDFs)", f):
        restored = restore_backup(backup_path, "backup passphrase", restored_path)
    assert restored.count_credentials() == args.count
    restored.close()

    print(f"wallet.store benchmark: {args.count} credentials, {total_bytes / args.count / 1024:.1f} KiB each "
          f"(original bytes), KDF {kdf.to_json()}")
    for label, seconds in f.items():
        print(f"  {label:<62} {seconds * 1000:9.1f} ms")
    n_batched = max(0, args.count - 200)
    print(f"  {'import rate, batched':<62} {n_batched / f['insert batched']:9.0f} /s")
    print(f"  {'import rate, one commit (fsync) each':<62} {200 / f['insert one commit each (last 200)']:9.0f} /s")
    print(f"  {'wallet file':<62} {path.stat().st_size / 2**20:9.1f} MiB")
    print(f"  {'backup file':<62} {backup_path.stat().st_size / 2**20:9.1f} MiB")
    print(f"  {'peak RSS after inserts':<62} {rss_after_insert:9.1f} MiB")
    print(f"  {'peak RSS overall (incl. 64 MiB Argon2id)':<62} {peak_rss_mib():9.1f} MiB")
    if args.tracemalloc:
        print(f"  {'Python heap peak (tracemalloc)':<62} {tracemalloc.get_traced_memory()[1] / 2**20:9.1f} MiB")
    if args.dir is None:
        for leftover in workdir.glob("*"):
            leftover.unlink()
        os.rmdir(workdir)


if __name__ == "__main__":
    main()
