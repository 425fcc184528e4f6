"""Backups: round trip byte for byte into a fresh wallet; anything altered, cut or foreign restores nothing."""

from __future__ import annotations

import io
import json
import os
import random
import stat
import struct
import tempfile
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from wallet.store import (
    Argon2idParams,
    BackupError,
    ImportSource,
    Store,
    StoreExistsError,
    WrongBackupPassphraseError,
    WrongPassphraseError,
    restore_backup,
)
from wallet.store import _backup_format as backup_module
from wallet.store._crypto import b64

FAST_KDF = Argon2idParams(memory_kib=1024, iterations=1, lanes=1)
T0 = datetime(2026, 4, 1, 12, tzinfo=UTC)


def make_originals() -> dict[str, tuple[bytes, str, dict[str, Any] | None]]:
    cred = {"type": ["VerifiableCredential", "OpenBadgeCredential"], "issuer": {"id": "https://i.example",
            "name": "Issuer"}, "credentialSubject": {"achievement": {"name": "JSON badge"}}}
    return {
        "json": (json.dumps(cred, indent=2).encode() + b"\n", "application/vc+ld+json", cred),
        "jwt": (b"eyJhbGciOiJFZERTQSJ9.eyJ2YyI6e319.c2ln", "application/vc+jwt",
                {"iss": "did:web:x.example", "vc": {"type": ["VerifiableCredential"], "name": "JWT badge"}}),
        "png": (b"\x89PNG\r\n\x1a\n" + random.Random(7).randbytes(40_000), "image/png",
                {"type": "Assertion", "badge": {"name": "PNG badge", "issuer": {"name": "Moz"}}}),
        "svg": ("<svg xmlns='http://www.w3.org/2000/svg'><title>é</title></svg>\r\n".encode(), "image/svg+xml", None),
    }


@pytest.fixture
def full_store(tmp_path: Path) -> Iterator[Store]:
    store = Store.create(tmp_path / "home" / "wallet.db", "store pass", kdf=FAST_KDF)
    ids = {}
    for kind, (raw, media, cred) in make_originals().items():
        ids[kind] = store.add_credential(raw, media, cred, ImportSource("file", f"badge.{kind}"),
                                         report={"verdict": "valid", "at": "2026-03-01T00:00:00Z"}, tags=[kind]).id
    store.create_profile("Work")
    home = store.create_profile("Home")
    store.set_default_profile(home.id)
    share = store.record_share(ids["json"], "jobs.example", shared_at=T0, expires_at=T0 + timedelta(days=3),
                               details={"presentation": "urn:uuid:1"})
    store.mark_unshared(share.id, at=T0 + timedelta(days=1))
    yield store
    store.close()


def snapshot(store: Store) -> dict[str, Any]:
    return {
        "records": [(r.id, r.original, r.credential, r.report, r.summary) for r in store.iter_credentials()],
        "profiles": store.list_profiles(),
        "keys": [store.signing_key(p.id).private_bytes_raw() for p in store.list_profiles()],
        "default": store.default_profile(),
        "shares": store.list_shares(),
    }


def write_backup(store: Store, path: Path) -> bytes:
    store.backup(path, "backup pass", kdf=FAST_KDF)
    return path.read_bytes()


def assert_nothing_restored(dest: Path) -> None:
    assert not dest.exists()
    if dest.parent.exists():
        assert [p.name for p in dest.parent.iterdir() if p.name.startswith(f".{dest.name}")] == []


def chunk_spans(data: bytes) -> list[tuple[int, int]]:
    """(start of length field, end of chunk) for every chunk in a backup file."""
    header_len = struct.unpack_from(">I", data, len(backup_module.MAGIC) + 2)[0]
    at = len(backup_module.MAGIC) + 6 + header_len
    spans = []
    while at < len(data):
        (field,) = struct.unpack_from(">I", data, at)
        end = at + 4 + (field & 0x7FFF_FFFF)
        spans.append((at, end))
        at = end
    return spans


def test_backup_round_trip_is_byte_identical_into_fresh_wallet(full_store: Store, tmp_path: Path) -> None:
    before = snapshot(full_store)
    backup = tmp_path / "satchel.backup"
    write_backup(full_store, backup)
    assert stat.S_IMODE(backup.stat().st_mode) == 0o600
    dest = tmp_path / "other-machine" / "wallet.db"
    with restore_backup(backup, "backup pass", dest, store_passphrase="new machine pass", kdf=FAST_KDF) as restored:
        assert snapshot(restored) == before
        for raw, _, _ in make_originals().values():
            assert any(r.original == raw for r in restored.iter_credentials())
        assert restored.search("png badge").total == 1
        json_raw, media, cred = make_originals()["json"]
        assert restored.add_credential(json_raw, media, cred, ImportSource("paste")).merged  # dedup keys rebuilt
    with pytest.raises(WrongPassphraseError):
        Store.open(dest, "backup pass")
    Store.open(dest, "new machine pass").close()
    # no secrets of the backup leak into its plaintext header
    assert b"JSON badge" not in backup.read_bytes() and b"jobs.example" not in backup.read_bytes()


def test_backup_restore_defaults_to_backup_passphrase_and_never_overwrites(
    full_store: Store, tmp_path: Path
) -> None:
    backup = tmp_path / "b.bin"
    write_backup(full_store, backup)
    with pytest.raises(StoreExistsError):
        restore_backup(backup, "backup pass", full_store.path, kdf=FAST_KDF)
    restore_backup(backup, "backup pass", tmp_path / "r.db", kdf=FAST_KDF).close()
    Store.open(tmp_path / "r.db", "backup pass").close()


def test_backup_is_replaced_atomically_and_each_one_differs(full_store: Store, tmp_path: Path) -> None:
    backup = tmp_path / "b.bin"
    first = write_backup(full_store, backup)
    second = write_backup(full_store, backup)
    assert first != second  # fresh salt and nonces
    assert [p.name for p in tmp_path.iterdir() if p.name.startswith(".b.bin")] == []


def test_backup_large_enough_for_several_chunks_round_trips(tmp_path: Path) -> None:
    originals = [os.urandom(700_000) for _ in range(4)]  # incompressible: > 2 MiB of chunks
    with Store.create(tmp_path / "w.db", "pw", kdf=FAST_KDF) as store:
        for raw in originals:
            store.add_credential(raw, "image/png", None, ImportSource("file"))
        data = write_backup(store, tmp_path / "b.bin")
    assert len(chunk_spans(data)) >= 3
    with restore_backup(tmp_path / "b.bin", "backup pass", tmp_path / "r.db", kdf=FAST_KDF) as restored:
        assert [r.original for r in restored.iter_credentials()] == originals


def test_backup_wrong_passphrase_restores_nothing(full_store: Store, tmp_path: Path) -> None:
    write_backup(full_store, tmp_path / "b.bin")
    dest = tmp_path / "r.db"
    with pytest.raises(WrongBackupPassphraseError, match="wrong passphrase for this backup") as info:
        restore_backup(tmp_path / "b.bin", "backup Pass", dest, kdf=FAST_KDF)
    assert isinstance(info.value, BackupError)
    assert_nothing_restored(dest)


@pytest.fixture
def multi_chunk_backup(tmp_path: Path) -> bytes:
    with Store.create(tmp_path / "w.db", "pw", kdf=FAST_KDF) as store:
        for i in range(3):
            store.add_credential(os.urandom(600_000), "image/png", None, ImportSource("file"), tags=[str(i)])
        store.create_profile("me")
        return write_backup(store, tmp_path / "good.bin")


def try_restore(data: bytes, tmp_path: Path, name: str) -> BackupError:
    bad = tmp_path / f"{name}.bin"
    bad.write_bytes(data)
    dest = tmp_path / "restored" / f"{name}.db"
    with pytest.raises(BackupError) as info:
        restore_backup(bad, "backup pass", dest, kdf=FAST_KDF)
    assert_nothing_restored(dest)
    return info.value


def test_backup_any_flipped_byte_is_refused(multi_chunk_backup: bytes, tmp_path: Path) -> None:
    data = multi_chunk_backup
    spans = chunk_spans(data)
    header_end = spans[0][0]
    positions = set(range(0, header_end, max(1, header_end // 40)))  # magic, version, length, JSON
    for start, end in spans:
        positions.update({start, start + 1, start + 3, start + 4, start + 20, (start + end) // 2, end - 1})
    for pos in sorted(positions):
        flipped = bytearray(data)
        flipped[pos] ^= 0x01
        error = try_restore(bytes(flipped), tmp_path, f"flip{pos}")
        assert "nothing was restored" in str(error) or "not a Satchel backup" in str(error) or "header" in str(error)


def test_backup_truncated_anywhere_is_refused(multi_chunk_backup: bytes, tmp_path: Path) -> None:
    data = multi_chunk_backup
    cuts = {0, 5, 30, len(data) - 1, len(data) - 17}
    for start, end in chunk_spans(data):
        cuts.update({start, start + 2, end - 1})
        if end < len(data):
            cuts.add(end)  # exactly at a chunk boundary: every chunk so far authenticates
    for cut in sorted(cuts):
        error = try_restore(data[:cut], tmp_path, f"cut{cut}")
        assert cut == 0 or "truncated" in str(error) or "nothing was restored" in str(error), (cut, error)


def test_backup_reordered_dropped_or_extra_chunks_are_refused(multi_chunk_backup: bytes, tmp_path: Path) -> None:
    data = multi_chunk_backup
    spans = chunk_spans(data)
    head = data[: spans[0][0]]
    chunks = [data[s:e] for s, e in spans]
    variants = {
        "swapped": head + chunks[1] + chunks[0] + b"".join(chunks[2:]),
        "dropped": head + chunks[0] + b"".join(chunks[2:]),
        "final-twice": data + chunks[-1],
        "trailing": data + b"\0",
        "spliced": head + chunks[0] + chunks[0] + b"".join(chunks[2:]),
    }
    for name, variant in variants.items():
        try_restore(variant, tmp_path, name)


def test_backup_header_kdf_downgrade_is_refused(full_store: Store, tmp_path: Path) -> None:
    data = write_backup(full_store, tmp_path / "b.bin")
    header_len = struct.unpack_from(">I", data, len(backup_module.MAGIC) + 2)[0]
    start = len(backup_module.MAGIC) + 6
    header = json.loads(data[start : start + header_len])
    header["kdf"]["memory_kib"] = 512
    new_header = json.dumps(header).encode()
    forged = data[: start - 4] + struct.pack(">I", len(new_header)) + new_header + data[start + header_len :]
    try_restore(forged, tmp_path, "downgrade")


def test_backup_foreign_or_missing_files_are_refused(full_store: Store, tmp_path: Path) -> None:
    error = try_restore(full_store.path.read_bytes(), tmp_path, "sqlite")
    assert "not a Satchel backup" in str(error)
    with pytest.raises(BackupError, match="no backup file"):
        restore_backup(tmp_path / "nope.bin", "pw", tmp_path / "x.db", kdf=FAST_KDF)


def _sealed_backup(frames: list[bytes]) -> bytes:
    """A backup sealed with the right key ("backup pass") holding exactly ``frames``."""
    salt = os.urandom(16)
    payload_key, key_check = backup_module.backup_keys("backup pass", FAST_KDF, salt)
    header_json = json.dumps({"kdf": FAST_KDF.to_json(), "salt": b64(salt),
                              "nonce_prefix": b64(b"\1" * 7),
                              "key_check": b64(key_check), "aead": "AES-256-GCM",
                              "compression": "zlib", "chunk_size": backup_module.CHUNK_SIZE}).encode()
    header = backup_module.MAGIC + struct.pack(">HI", 1, len(header_json)) + header_json
    out = io.BytesIO()
    out.write(header)
    sealer = backup_module.ChunkSealer(out, payload_key, b"\1" * 7, header)
    for framed in frames:
        sealer.write(framed)
    sealer.finish()
    return out.getvalue()


def test_backup_authentic_but_inconsistent_contents_are_refused(tmp_path: Path) -> None:
    """Written with the right key but with wrong end counts: the end marker check catches it."""
    data = _sealed_backup([backup_module.frame(b"W", {"format": 1}),
                           backup_module.frame(b"E", {"counts": {"profiles": 0, "credentials": 5, "shares": 0}})])
    error = try_restore(data, tmp_path, "counts")
    assert "counts do not match" in str(error)


def test_backup_pending_credential_for_a_missing_profile_is_refused(tmp_path: Path) -> None:
    pending = {"id": "p1", "profile_id": "nobody", "credential_issuer": "https://issuer.example",
               "endpoint": "https://issuer.example/deferred", "access_token": "t", "transaction_id": "x",
               "interval": 5, "name": None, "requested_at": "2026-12-03T00:00:00+00:00",
               "next_ask_at": "2026-12-03T00:00:05+00:00"}
    data = _sealed_backup([backup_module.frame(b"W", {"format": 1}), backup_module.frame(b"D", pending),
                           backup_module.frame(b"E", {"counts": {"profiles": 0, "credentials": 0, "shares": 0,
                                                                  "pending": 1}})])
    error = try_restore(data, tmp_path, "pending")
    assert "profile it does not hold" in str(error)


def test_backup_inflates_within_bounds_and_refuses_an_oversized_record(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A record (frame) larger than any Satchel writes stops the restore instead of filling memory; the
    stream is inflated a chunk's worth of output at a time (a zeros blob compresses ~1000:1)."""
    with Store.create(tmp_path / "w.db", "pw", kdf=FAST_KDF) as store:
        store.add_credential(bytes(3 * backup_module.CHUNK_SIZE), "image/png", None, ImportSource("file"))
        data = write_backup(store, tmp_path / "zeros.bin")
    assert len(data) < backup_module.CHUNK_SIZE // 10  # one small sealed chunk, three inflated
    pieces: list[int] = []
    real = backup_module._inflated

    def measured(chunks: Any, inflater: Any) -> Iterator[bytes]:
        for piece in real(chunks, inflater):
            pieces.append(len(piece))
            yield piece

    monkeypatch.setattr(backup_module, "_inflated", measured)
    restore_backup(tmp_path / "zeros.bin", "backup pass", tmp_path / "ok.db", kdf=FAST_KDF).close()
    assert max(pieces) <= backup_module.CHUNK_SIZE and sum(pieces) > 3 * backup_module.CHUNK_SIZE
    monkeypatch.setattr(backup_module, "MAX_FRAME_BYTES", 2 * backup_module.CHUNK_SIZE)
    error = try_restore(data, tmp_path, "oversized")
    assert "larger than any Satchel writes" in str(error)


@settings(max_examples=15, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    originals=st.lists(st.binary(min_size=1, max_size=3000), min_size=1, max_size=6, unique=True),
    tags=st.lists(st.text(min_size=1, max_size=12).filter(str.strip), max_size=3),
)
def test_backup_round_trips_arbitrary_originals_and_tags(
    tmp_path: Path, originals: list[bytes], tags: list[str]
) -> None:
    work = Path(tempfile.mkdtemp(dir=tmp_path))
    with Store.create(work / "w.db", "pw", kdf=FAST_KDF) as store:
        for raw in originals:
            store.add_credential(raw, "application/octet-stream", None, ImportSource("paste"), tags=tags)
        before = snapshot(store)
        store.backup(work / "b.bin", "backup pass", kdf=FAST_KDF)
    with restore_backup(work / "b.bin", "backup pass", work / "r.db", kdf=FAST_KDF) as restored:
        assert snapshot(restored) == before
        assert [r.original for r in restored.iter_credentials()] == originals
