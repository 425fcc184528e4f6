"""Benchmark of the wallet end to end with real credentials from the issuer stub.

    .venv/bin/python bench/wallet.py [--count 10000] [--dir DIR] [--json]
    .venv/bin/python bench/wallet.py --count 500            # quick mode

1. The issuer stub (in-process Python API) signs ``--count`` distinct credentials: OB 3.0 with
   eddsa-rdfc-2022, eddsa-jcs-2022 and VC-JWT (EdDSA), over its catalogue, each with its own id
   and status list entry. The documents they name (did:web, status lists, achievements) are
   written beside them and answered locally, so verification is real crypto with no network.
2. ``ImportService.import_paths`` imports the folder into a new wallet (default KDF), verifying
   every credential: the import rate.
3. Unlock (KDF + first read) and the first screen (50 newest), as the app opens.
4. Full-text search over names, issuers and skills (several queries, median and worst).
5. Backup and restore of the whole wallet; peak memory of the process.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import resource
import shutil
import statistics
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from credentials._net import Fetcher, LocalDocuments  # noqa: E402
from wallet.importer import ImportOutcome, ImportService  # noqa: E402
from wallet.store import Store, default_kdf, restore_backup  # noqa: E402

PASSPHRASE = "correct horse battery staple"
BASE_URL = "http://127.0.0.1:8765"
# (form, share): most real badges are Data Integrity; some arrive as JWTs.
FORM_MIX = (("ob3-v2-eddsa-rdfc-2022", 6), ("ob3-v2-eddsa-jcs-2022", 2), ("ob3-vc-jwt", 2))
QUERIES = ("wound", "riverside", "infection control", "menus", "ppe personal", "no such skill anywhere")
FIRST_SCREEN = 50


@contextmanager
def timed(figures: dict[str, float], label: str) -> Iterator[None]:
    start = time.perf_counter()
    yield
    figures[label] = time.perf_counter() - start


def peak_rss_mib() -> float:
    scale = 1024 if sys.platform != "darwin" else 1024 * 1024  # Linux reports KiB, macOS bytes
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / scale


def machine() -> str:
    cpu = platform.processor() or platform.machine()
    return (f"{platform.system()} {platform.release()} {platform.machine()} ({cpu}), {os.cpu_count()} CPUs, "
            f"Python {platform.python_version()}")


def issue_credentials(count: int, out: Path) -> Path:
    """Signs ``count`` credentials into ``out``; returns the web.json mapping the URLs they name."""
    from issuer_stub.issuer import FORMS, Issuer
    from issuer_stub.state import State

    issuer = Issuer(State(":memory:"), BASE_URL)
    slugs = sorted(issuer.catalogue)
    forms = [form for form, share in FORM_MIX for _ in range(share)]
    for n in range(count):
        form = forms[n % len(forms)]
        record, artifact = issuer.issue(slugs[n % len(slugs)], form)
        (out / f"{n:05d}.{FORMS[form].extension}").write_bytes(artifact.content)
    documents = out.parent / "documents"
    documents.mkdir(exist_ok=True)
    web: dict[str, str] = {}
    for index, path in enumerate(issuer.hosted_paths()):
        served = issuer.document(path)
        if served is None:
            continue
        local = documents / f"{index:04d}"
        local.write_bytes(served.body)
        web[BASE_URL + path] = str(local.relative_to(out.parent))
        if path == "/.well-known/did.json":
            web[issuer.did] = web[BASE_URL + path]
    web_json = out.parent / "web.json"
    web_json.write_text(json.dumps(web, indent=1))
    return web_json


def median_ms(samples: list[float]) -> float:
    return statistics.median(samples) * 1000


def run(count: int, workdir: Path) -> dict[str, Any]:
    figures: dict[str, float] = {}
    credentials_dir = workdir / "credentials"
    credentials_dir.mkdir()
    with timed(figures, "issue"):
        web_json = issue_credentials(count, credentials_dir)
    documents = LocalDocuments.from_file(web_json)

    wallet_path = workdir / "wallet.satchel"
    with timed(figures, "create"):
        store = Store.create(wallet_path, PASSPHRASE)
        store.create_profile("Me")
    service = ImportService(store, lambda: Fetcher(None, documents=documents))
    verdicts: dict[str, int] = {}
    last_report = [time.perf_counter()]

    def progress(done: int, total: int, outcome: ImportOutcome) -> None:
        key = outcome.error and "error" or outcome.verdict or "?"
        verdicts[key] = verdicts.get(key, 0) + 1
        if time.perf_counter() - last_report[0] > 5:
            last_report[0] = time.perf_counter()
            print(f"  imported {done}/{total}", file=sys.stderr, flush=True)

    with timed(figures, "import"):
        service.import_paths([credentials_dir], progress=progress)
    store.close()

    unlocks, first_screens = [], []
    for _ in range(3):
        start = time.perf_counter()
        store = Store.open(wallet_path, PASSPHRASE)
        unlocked = time.perf_counter()
        page = store.list_credentials(limit=FIRST_SCREEN)
        shown = time.perf_counter()
        unlocks.append(unlocked - start)
        first_screens.append(shown - start)
        assert len(page.items) == min(FIRST_SCREEN, count) and page.total == count
        store.close()

    store = Store.open(wallet_path, PASSPHRASE)
    store.list_credentials(limit=FIRST_SCREEN)  # the app has shown its first screen
    start = time.perf_counter()
    store.warm_search_index()  # the app does this in the background once the first screen is up
    figures["search_index_ms"] = round((time.perf_counter() - start) * 1000, 1)
    search_times: dict[str, list[float]] = {q: [] for q in QUERIES}
    hits: dict[str, int] = {}
    for _ in range(5):
        for query in QUERIES:
            start = time.perf_counter()
            found = store.search(query, limit=FIRST_SCREEN)
            search_times[query].append(time.perf_counter() - start)
            hits[query] = found.total

    backup_path = workdir / "wallet.satchel-backup"
    with timed(figures, "backup"):
        store.backup(backup_path, PASSPHRASE)
    store.close()
    restored_path = workdir / "restored.satchel"
    with timed(figures, "restore"):
        restored = restore_backup(backup_path, PASSPHRASE, restored_path)
    restored_count = restored.count_credentials()
    restored.close()
    assert restored_count == count

    all_search = [t for samples in search_times.values() for t in samples]
    return {
        "machine": machine(),
        "count": count,
        "kdf": str(default_kdf()),
        "verdicts": verdicts,
        "issue_seconds": round(figures["issue"], 2),
        "import_seconds": round(figures["import"], 2),
        "import_per_second": round(count / figures["import"], 1),
        "unlock_ms_median": round(median_ms(unlocks), 1),
        "unlock_and_first_screen_ms_median": round(median_ms(first_screens), 1),
        "unlock_and_first_screen_ms_worst": round(max(first_screens) * 1000, 1),
        "search_ms_median": round(median_ms(all_search), 2),
        "search_ms_worst": round(max(all_search) * 1000, 2),
        "search_hits": hits,
        "backup_seconds": round(figures["backup"], 2),
        "restore_seconds": round(figures["restore"], 2),
        "wallet_mib": round(wallet_path.stat().st_size / 2**20, 1),
        "backup_mib": round(backup_path.stat().st_size / 2**20, 1),
        "peak_rss_mib": round(peak_rss_mib(), 1),
    }


def print_figures(f: dict[str, Any], targets: dict[str, Callable[[dict[str, Any]], bool]]) -> None:
    def mark(name: str) -> str:
        return "" if name not in targets else ("  (target met)" if targets[name](f) else "  (TARGET MISSED)")

    print(f"satchel-wallet bench: {f['count']} credentials on {f['machine']}")
    print(f"  KDF                       {f['kdf']}")
    print(f"  verdicts                  {f['verdicts']}")
    print(f"  issue (stub, in-process)  {f['issue_seconds']} s")
    print(f"  import with verification  {f['import_seconds']} s = {f['import_per_second']} credentials/s")
    print(f"  unlock (KDF + open)       {f['unlock_ms_median']} ms median")
    print(f"  unlock + first screen     {f['unlock_and_first_screen_ms_median']} ms median, "
          f"{f['unlock_and_first_screen_ms_worst']} ms worst{mark('first_screen')}")
    print(f"  search index (background) {f['search_index_ms']} ms, once after unlock")
    print(f"  search                    {f['search_ms_median']} ms median, {f['search_ms_worst']} ms worst"
          f"{mark('search')}  hits {f['search_hits']}")
    print(f"  backup                    {f['backup_seconds']} s ({f['backup_mib']} MiB)")
    print(f"  restore                   {f['restore_seconds']} s (wallet file {f['wallet_mib']} MiB)")
    print(f"  peak memory (RSS)         {f['peak_rss_mib']} MiB")


def main() -> int:
    parser = argparse.ArgumentParser(description=(__doc__ or "").split("\n")[0])
    parser.add_argument("--count", type=int, default=10_000, help="credentials to issue and import (quick: 500)")
    parser.add_argument("--dir", type=Path, default=None, help="work directory (default: a temporary one)")
    parser.add_argument("--json", action="store_true", help="print the figures as JSON")
    args = parser.parse_args()
    if args.count < 1:
        parser.error("--count must be at least 1")
    workdir = args.dir or Path(tempfile.mkdtemp(prefix="satchel-wallet-bench-"))
    if workdir.exists() and any(workdir.iterdir()):
        parser.error(f"{workdir} is not empty")
    workdir.mkdir(parents=True, exist_ok=True)
    try:
        figures = run(args.count, workdir)
    finally:
        if args.dir is None:
            shutil.rmtree(workdir, ignore_errors=True)
    targets = {"first_screen": lambda f: f["unlock_and_first_screen_ms_worst"] < 500,
               "search": lambda f: f["search_ms_worst"] < 50}
    if args.json:
        print(json.dumps(figures, indent=2))
    else:
        print_figures(figures, targets)
    return 0


if __name__ == "__main__":
    sys.exit(main())
