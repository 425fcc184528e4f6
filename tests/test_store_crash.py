"""Crash safety: real child processes work on a wallet and are SIGKILLed at random moments.

Each child prints a line only after a commit has returned. After every kill the parent opens
the wallet and checks that everything the child reported is there and intact, that groups
written in one transaction are all-or-nothing, and that the file passes SQLite's own check.
Four scenarios (import, re-verification, passphrase change, restore) run side by side.

Run as a script, this file is the child: ``python test_store_crash.py SCENARIO DIR SEED``.
"""

from __future__ import annotations

import hashlib
import json
import os
import random
import signal
import sqlite3
import subprocess
import sys
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from wallet.store import (  # noqa: E402 - the child needs the path set first
    Argon2idParams,
    ImportSource,
    Store,
    WrongPassphraseError,
    restore_backup,
)

CHEAP_KDF = Argon2idParams(memory_kib=256, iterations=1, lanes=1)
PASSPHRASES = ("first passphrase", "second passphrase")
TRIALS_PER_SCENARIO = int(os.environ.get("SATCHEL_CRASH_TRIALS", "55"))  # 4 scenarios: 220 kills
GROUP_SIZE = 4
GROUPS = 5


def synthetic_credential(n: int) -> tuple[bytes, dict[str, object]]:
    cred: dict[str, object] = {
        "type": ["VerifiableCredential", "OpenBadgeCredential"],
        "id": f"urn:example:{n}",
        "issuer": {"id": "https://issuer.example", "name": f"Issuer {n % 7}"},
        "validFrom": "2025-01-01T00:00:00Z",
        "credentialSubject": {"achievement": {"name": f"Badge {n}", "description": "x" * (200 + n % 900)}},
    }
    return json.dumps(cred).encode(), cred


def sha(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def say(line: str) -> None:
    sys.stdout.write(line + "\n")
    sys.stdout.flush()


def open_with_either(path: Path) -> tuple[Store, str]:
    for passphrase in PASSPHRASES:
        try:
            return Store.open(path, passphrase), passphrase
        except WrongPassphraseError:
            continue
    raise AssertionError(f"{path} opens with neither passphrase")


# -- the child ------------------------------------------------------------------------------


def child(scenario: str, workdir: Path, seed: int) -> None:
    wallet = workdir / "wallet.db"
    rng = random.Random(seed)
    if scenario == "restore":
        say("ready")
        k = seed * 1000
        while True:
            k += 1
            restore_backup(workdir / "backup.bin", PASSPHRASES[0], workdir / f"restored-{k}.db",
                           kdf=CHEAP_KDF).close()
            say(f"restored {k}")
    store, current = open_with_either(wallet)
    say("ready")
    n = seed * 100_000
    while True:
        n += 1
        if scenario == "import":
            if n % 5 == 0:  # a duplicate of something imported earlier: exercises the merge path
                original, cred = synthetic_credential(rng.randrange(seed * 100_000 + 1, n))
                result = store.add_credential(original, "application/json", cred, ImportSource("file", f"dup{n}"))
            else:
                original, cred = synthetic_credential(n)
                result = store.add_credential(original, "application/json", cred, ImportSource("paste"),
                                              tags=[f"t{n % 3}"])
            say(f"added {result.id} {sha(original)}")
        elif scenario == "reverify":
            group = rng.randrange(GROUPS)
            ids = store.search(tags=[f"g{group}"], limit=None).items
            with store.transaction():  # a whole group re-verified in one transaction
                for summary in ids:
                    store.record_verification(summary.id, {"verdict": "valid" if n % 2 else "invalid",
                                                           "n": n, "at": f"2026-01-01T00:00:{n % 60:02d}Z"})
            say(f"verified {group} {n}")
        elif scenario == "passphrase":
            new = PASSPHRASES[1] if current == PASSPHRASES[0] else PASSPHRASES[0]
            kdf = Argon2idParams(memory_kib=256 * (1 + n % 2), iterations=1, lanes=1)
            store.change_passphrase(current, new, kdf=kdf)
            current = new
            say(f"passphrase {PASSPHRASES.index(new)} {kdf.memory_kib}")
        else:
            raise SystemExit(f"unknown scenario {scenario}")


# -- the parent -----------------------------------------------------------------------------


def run_and_kill(scenario: str, workdir: Path, seed: int, rng: random.Random) -> list[str]:
    # stderr goes to a file: communicate() on two pipes would skip what readline() buffered.
    with open(workdir / "child-stderr.txt", "w+") as err:
        proc = subprocess.Popen(
            [sys.executable, __file__, scenario, str(workdir), str(seed)],
            stdout=subprocess.PIPE, stderr=err, cwd=ROOT, text=True,
        )
        assert proc.stdout is not None
        first = proc.stdout.readline()
        if first.strip() != "ready":
            proc.kill()
            proc.wait()
            err.seek(0)
            raise AssertionError(f"child did not start: {first!r} {err.read()}")
        time.sleep(rng.uniform(0.0, 0.12))
        os.kill(proc.pid, signal.SIGKILL)
        out = proc.stdout.read()
        proc.stdout.close()
        proc.wait(timeout=30)
        err.seek(0)
        assert proc.returncode == -signal.SIGKILL, f"child died on its own: {err.read()}"
    lines = out.splitlines()
    assert all(line.count(" ") >= 1 for line in lines), lines
    return lines


def assert_sqlite_intact(path: Path) -> None:
    conn = sqlite3.connect(path)
    try:
        assert conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
    finally:
        conn.close()


def seed_wallet(workdir: Path, records: int, tags: bool = False) -> dict[str, str]:
    expected = {}
    with Store.create(workdir / "wallet.db", PASSPHRASES[0], kdf=CHEAP_KDF) as store:
        for n in range(records):
            original, cred = synthetic_credential(10_000_000 + n)
            tag = [f"g{n % GROUPS}"] if tags else []
            expected[store.add_credential(original, "application/json", cred, ImportSource("file"), tags=tag).id] = (
                sha(original))
    return expected


def scenario_import(workdir: Path, trials: int, rng: random.Random) -> int:
    seed_wallet(workdir, 0)
    committed: dict[str, str] = {}
    for trial in range(1, trials + 1):
        for line in run_and_kill("import", workdir, trial, rng):
            _, rid, digest = line.split()
            committed.setdefault(rid, digest)
        assert_sqlite_intact(workdir / "wallet.db")
        with Store.open(workdir / "wallet.db", PASSPHRASES[0]) as store:
            for rid, digest in committed.items():
                assert sha(store.get_credential(rid).original) == digest
            records = list(store.iter_credentials())  # every record, reported or not, decrypts
            # at most one commit per kill can have gone unreported
            assert len(records) == store.count_credentials() <= len(committed) + trial
    return trials


def scenario_reverify(workdir: Path, trials: int, rng: random.Random) -> int:
    seed_wallet(workdir, GROUP_SIZE * GROUPS, tags=True)
    last_reported: dict[int, int] = {}
    for trial in range(1, trials + 1):
        for line in run_and_kill("reverify", workdir, trial, rng):
            _, group_text, n_text = line.split()
            last_reported[int(group_text)] = int(n_text)
        assert_sqlite_intact(workdir / "wallet.db")
        with Store.open(workdir / "wallet.db", PASSPHRASES[0]) as store:
            for group in range(GROUPS):
                members = store.search(tags=[f"g{group}"], limit=None).items
                assert len(members) == GROUP_SIZE
                reports = [store.get_credential(s.id).report for s in members]
                seen = {None if r is None else r["n"] for r in reports}
                assert len(seen) == 1, f"group {group} half-updated: {seen}"  # one transaction per group
                (latest,) = seen
                if group in last_reported:
                    assert latest is not None and latest >= last_reported[group]
                for summary, rep in zip(members, reports, strict=True):
                    # summary and report are written in the same transaction
                    assert summary.verdict == (None if rep is None else rep["verdict"])
    return trials


def scenario_passphrase(workdir: Path, trials: int, rng: random.Random) -> int:
    expected = seed_wallet(workdir, 10)
    for trial in range(1, trials + 1):
        reported = [line.split()[1:] for line in run_and_kill("passphrase", workdir, trial, rng)]
        assert_sqlite_intact(workdir / "wallet.db")
        store, used = open_with_either(workdir / "wallet.db")
        with store:
            if reported and used == PASSPHRASES[int(reported[-1][0])]:
                # no later change committed, so the key slot is exactly the reported one
                assert store.kdf == Argon2idParams(memory_kib=int(reported[-1][1]), iterations=1, lanes=1)
            for rid, digest in expected.items():
                assert sha(store.get_credential(rid).original) == digest
    return trials


def scenario_restore(workdir: Path, trials: int, rng: random.Random) -> int:
    expected = seed_wallet(workdir, 30)
    with Store.open(workdir / "wallet.db", PASSPHRASES[0]) as store:
        store.create_profile("me")
        store.backup(workdir / "backup.bin", PASSPHRASES[0], kdf=CHEAP_KDF)
    reported: set[int] = set()
    checked: set[str] = set()
    for trial in range(1, trials + 1):
        reported.update(int(line.split()[1]) for line in run_and_kill("restore", workdir, trial, rng))
        present = {int(p.stem.split("-")[1]) for p in workdir.glob("restored-*.db")}
        assert reported <= present
        for k in sorted(present):
            path = workdir / f"restored-{k}.db"
            if path.name in checked:
                continue
            assert_sqlite_intact(path)
            with Store.open(path, PASSPHRASES[0]) as restored:  # whole, or not there at all
                assert {r.id: sha(r.original) for r in restored.iter_credentials()} == expected
                assert [p.label for p in restored.list_profiles()] == ["me"]
            checked.add(path.name)
    return trials


def test_store_survives_sigkill_during_import_reverify_passphrase_change_and_restore(tmp_path: Path) -> None:
    scenarios = {"import": scenario_import, "reverify": scenario_reverify,
                 "passphrase": scenario_passphrase, "restore": scenario_restore}
    started = time.monotonic()
    with ThreadPoolExecutor(max_workers=len(scenarios)) as pool:
        futures = {}
        for i, (name, run) in enumerate(scenarios.items()):
            workdir = tmp_path / name
            workdir.mkdir()
            futures[name] = pool.submit(run, workdir, TRIALS_PER_SCENARIO, random.Random(1000 + i))
        kills = sum(f.result() for f in futures.values())
    assert kills >= min(200, 4 * TRIALS_PER_SCENARIO)
    print(f"{kills} SIGKILL trials in {time.monotonic() - started:.1f} s")


if __name__ == "__main__":
    child(sys.argv[1], Path(sys.argv[2]), int(sys.argv[3]))
