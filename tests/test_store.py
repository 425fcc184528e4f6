"""wallet.store on real SQLite files: encryption at rest, passphrases, records, profiles, shares, search."""

from __future__ import annotations

import hashlib
import json
import sqlite3
import stat
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey
from hypothesis import given, settings
from hypothesis import strategies as st

from credentials._multiformats import decode_multikey
from wallet.store import (
    AddResult,
    Argon2idParams,
    CorruptRecordError,
    EmptyPassphraseError,
    ImportSource,
    NotAStoreError,
    RecordNotFoundError,
    ScryptParams,
    SearchPage,
    SourceKind,
    Store,
    StoreExistsError,
    StoreNotFoundError,
    UnsupportedFormatError,
    WrongPassphraseError,
    describe_credential,
)
from wallet.store._crypto import pad, padded_length, unpad

FAST_KDF = Argon2idParams(memory_kib=1024, iterations=1, lanes=1)  # tests only: real wallets use the default
ROOT = Path(__file__).resolve().parents[1]
OB3_SIGNED = ROOT.parent / "shared" / "corpus" / "1edtech-ob3" / "ob3-impl-guide-ldp-vector.signed.json"


def ob3_credential(
    name: str, issuer: str, skills: tuple[str, ...] = (), valid_from: str = "2025-01-01T00:00:00Z"
) -> dict[str, Any]:
    return {
        "@context": ["https://www.w3.org/ns/credentials/v2"],
        "id": f"urn:uuid:{hashlib.sha256(name.encode()).hexdigest()[:32]}",
        "type": ["VerifiableCredential", "OpenBadgeCredential"],
        "issuer": {"id": "https://issuer.example", "type": ["Profile"], "name": issuer},
        "validFrom": valid_from,
        "credentialSubject": {
            "type": ["AchievementSubject"],
            "achievement": {
                "type": ["Achievement"], "name": name,
                "alignment": [{"type": ["Alignment"], "targetName": s, "targetUrl": "https://x.example"}
                              for s in skills],
            },
        },
    }


def report(verdict: str, at: str = "2026-11-22T00:00:00Z", **extra: object) -> dict[str, Any]:
    return {"verdict": verdict, "problems": [], "warnings": [], "checks": [], "format": "vc-ldp", "at": at, **extra}


def add(
    store: Store, credential: dict[str, Any], *, original: bytes | None = None, source: SourceKind = "file",
    **kw: Any,
) -> AddResult:
    raw = original if original is not None else json.dumps(credential).encode()
    return store.add_credential(raw, "application/vc+ld+json", credential, ImportSource(source, "x"), **kw)


@pytest.fixture
def wallet_path(tmp_path: Path) -> Path:
    return tmp_path / "wallet" / "satchel.db"


@pytest.fixture
def store(wallet_path: Path) -> Iterator[Store]:
    with Store.create(wallet_path, "correct horse", kdf=FAST_KDF) as s:
        yield s


def all_file_bytes(path: Path) -> bytes:
    return b"".join(p.read_bytes() for p in path.parent.iterdir() if p.name.startswith(path.name))


# -- creating, unlocking, passphrases ---------------------------------------------------------


def test_store_records_default_kdf_parameters_and_salt_in_file(wallet_path: Path) -> None:
    Store.create(wallet_path, "pw").close()
    conn = sqlite3.connect(wallet_path)
    slot = json.loads(conn.execute("SELECT value FROM meta WHERE name='keyslot'").fetchone()[0])
    conn.close()
    assert slot["kdf"] == {"name": "argon2id", "memory_kib": 65536, "iterations": 3, "lanes": 4}
    assert len(__import__("base64").b64decode(slot["salt"])) == 16
    assert slot["aead"] == "AES-256-GCM"
    with Store.open(wallet_path, "pw") as s:
        assert s.kdf == Argon2idParams()


def test_store_file_is_wal_owner_only_and_tagged(store: Store, wallet_path: Path) -> None:
    conn = sqlite3.connect(wallet_path)
    assert conn.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    assert conn.execute("PRAGMA application_id").fetchone()[0] == 0x53544348
    conn.close()
    assert stat.S_IMODE(wallet_path.stat().st_mode) == 0o600
    assert not list(wallet_path.parent.glob(".*.tmp"))  # the creation temp file is gone


def test_store_wrong_passphrase_is_refused_and_changes_nothing(store: Store, wallet_path: Path) -> None:
    rid = add(store, ob3_credential("A", "B")).id
    store.close()
    before = hashlib.sha256(wallet_path.read_bytes()).hexdigest()
    with pytest.raises(WrongPassphraseError, match="wrong passphrase"):
        Store.open(wallet_path, "Correct horse")
    assert hashlib.sha256(wallet_path.read_bytes()).hexdigest() == before
    with Store.open(wallet_path, "correct horse") as s:
        assert s.get_credential(rid).summary.name == "A"


def test_store_scrypt_fallback_parameters_work(wallet_path: Path) -> None:
    Store.create(wallet_path, "pw", kdf=ScryptParams(log2_n=10, r=8, p=1)).close()
    with Store.open(wallet_path, "pw") as s:
        assert s.kdf == ScryptParams(log2_n=10, r=8, p=1)
    with pytest.raises(WrongPassphraseError):
        Store.open(wallet_path, "pW")


def test_store_passphrase_is_unicode_normalised(wallet_path: Path) -> None:
    Store.create(wallet_path, "caf\u00e9", kdf=FAST_KDF).close()
    Store.open(wallet_path, "cafe\u0301").close()  # NFD input, as macOS keyboards may produce


def test_store_change_passphrase_rewraps_key_only(store: Store, wallet_path: Path) -> None:
    rid = add(store, ob3_credential("A", "B")).id
    conn = sqlite3.connect(wallet_path)
    blobs_before = conn.execute("SELECT summary FROM credentials").fetchall()
    with pytest.raises(WrongPassphraseError):
        store.change_passphrase("not it", "new one")
    store.change_passphrase("correct horse", "new one", kdf=Argon2idParams(memory_kib=2048, iterations=1, lanes=2))
    assert conn.execute("SELECT summary FROM credentials").fetchall() == blobs_before
    conn.close()
    store.close()
    with pytest.raises(WrongPassphraseError):
        Store.open(wallet_path, "correct horse")
    with Store.open(wallet_path, "new one") as s:
        assert s.kdf == Argon2idParams(memory_kib=2048, iterations=1, lanes=2)
        assert s.get_credential(rid).summary.name == "A"


def test_store_refuses_empty_passphrase_missing_file_and_overwrite(
    store: Store, wallet_path: Path, tmp_path: Path
) -> None:
    with pytest.raises(EmptyPassphraseError):
        Store.create(tmp_path / "other.db", "")
    assert not (tmp_path / "other.db").exists()
    with pytest.raises(StoreNotFoundError, match="no wallet"):
        Store.open(tmp_path / "missing.db", "pw")
    assert not (tmp_path / "missing.db").exists()  # opening never creates a file
    with pytest.raises(StoreExistsError):
        Store.create(wallet_path, "pw", kdf=FAST_KDF)


def test_store_refuses_other_files_and_newer_formats(tmp_path: Path, wallet_path: Path) -> None:
    text = tmp_path / "notes.txt"
    text.write_text("hello " * 1000)
    with pytest.raises(NotAStoreError):
        Store.open(text, "pw")
    other = tmp_path / "other.sqlite"
    sqlite3.connect(other).execute("CREATE TABLE t(x)").connection.close()
    with pytest.raises(NotAStoreError, match="not a Satchel wallet"):
        Store.open(other, "pw")
    Store.create(wallet_path, "pw", kdf=FAST_KDF).close()
    conn = sqlite3.connect(wallet_path)
    conn.execute("PRAGMA user_version = 99")
    conn.close()
    with pytest.raises(UnsupportedFormatError, match="newer Satchel"):
        Store.open(wallet_path, "pw")


def test_store_refuses_hostile_kdf_parameters(wallet_path: Path) -> None:
    Store.create(wallet_path, "pw", kdf=FAST_KDF).close()
    conn = sqlite3.connect(wallet_path)
    slot = json.loads(conn.execute("SELECT value FROM meta WHERE name='keyslot'").fetchone()[0])
    slot["kdf"]["memory_kib"] = 1 << 30  # a terabyte: must be refused before allocating
    conn.execute("UPDATE meta SET value=? WHERE name='keyslot'", (json.dumps(slot).encode(),))
    conn.commit()
    conn.close()
    with pytest.raises(UnsupportedFormatError, match="out of range"):
        Store.open(wallet_path, "pw")


# -- what the file reveals ------------------------------------------------------------------


def test_store_file_holds_no_badge_content_names_issuers_tags_or_keys(store: Store, wallet_path: Path) -> None:
    cred = ob3_credential("Zanzibar Pottery Mastery", "Quokka Institute", ("Glazewrangling",))
    raw = json.dumps(cred).encode()
    store.add_credential(raw, "application/json", cred, ImportSource("url", "https://quokka.example/b/1"),
                         report=report("valid", note="Xylophonic"), tags=["Marmalade"])
    profile = store.create_profile("Persephone")
    key = store.signing_key(profile.id).private_bytes_raw()
    store.record_share(store.credential_ids()[0], "verifier-wombat.example")
    for blob in (all_file_bytes(wallet_path),):  # while open: WAL included
        for secret in (b"Zanzibar", b"Quokka", b"Glazewrangling", b"Marmalade", b"quokka.example", b"Xylophonic",
                       b"Persephone", b"wombat", key, raw[:40], profile.did.encode()):
            assert secret not in blob, secret
    store.close()
    closed = all_file_bytes(wallet_path)
    assert b"Zanzibar" not in closed and key not in closed


def test_store_blob_moved_between_rows_or_columns_fails_authentication(store: Store, wallet_path: Path) -> None:
    a = add(store, ob3_credential("Alpha", "I")).id
    b = add(store, ob3_credential("Beta", "I")).id
    conn = sqlite3.connect(wallet_path)
    sa, sb = (conn.execute("SELECT summary FROM credentials WHERE id=?", (x,)).fetchone()[0] for x in (a, b))
    conn.execute("UPDATE credentials SET summary=? WHERE id=?", (sb, a))
    conn.execute("UPDATE credentials SET summary=? WHERE id=?", (sa, b))
    conn.execute("UPDATE credential_blobs SET report=(SELECT parsed FROM credential_blobs WHERE id=?) WHERE id=?",
                 (b, b))
    conn.commit()
    conn.close()
    with pytest.raises(CorruptRecordError, match="integrity check"):
        store.get_summary(a)
    with pytest.raises(CorruptRecordError):
        store.get_credential(b)


def test_store_padding_hides_exact_lengths() -> None:
    assert padded_length(1) == padded_length(256) == 256
    assert padded_length(300) == 512
    for n in (0, 1, 255, 256, 4000, 70_000, 1_000_003):
        data = bytes(range(256)) * (n // 256) + b"\x80\0" * 3
        assert unpad(pad(data)) == data
        assert len(pad(data)) <= max(256, (len(data) + 1) * 1.13 + 256)


@settings(max_examples=200, deadline=None)
@given(st.binary(max_size=5000))
def test_store_padding_round_trips(data: bytes) -> None:
    assert unpad(pad(data)) == data


# -- credential records ---------------------------------------------------------------------


def test_store_keeps_original_bytes_parsed_credential_and_report(store: Store) -> None:
    raw = OB3_SIGNED.read_bytes()
    cred = json.loads(raw)
    added = store.add_credential(raw, "application/vc+ld+json", cred, ImportSource("file", "teamwork.json"),
                                 report=report("valid", at="2026-05-01T10:00:00Z"), tags=["work", " work ", ""])
    record = store.get_credential(added.id)
    assert record.original == raw
    assert record.credential == cred
    assert record.report == report("valid", at="2026-05-01T10:00:00Z")
    s = record.summary
    assert (s.name, s.issuer, s.display.issued, s.display.kind) == (
        "Teamwork", "Example Corp", "2010-01-01T00:00:00Z", "OpenBadgeCredential")
    assert s.verdict == "valid" and s.verified_at == datetime(2026, 5, 1, 10, tzinfo=UTC)
    assert s.tags == ("work",) and s.sources[0].detail == "teamwork.json" and s.sources[0].at is not None


def test_store_keeps_unparseable_imports_and_binary_originals(store: Store) -> None:
    png = b"\x89PNG\r\n\x1a\n" + bytes(range(256)) * 40
    added = store.add_credential(png, "image/png", None, ImportSource("qr"), report=report("invalid"))
    record = store.get_credential(added.id)
    assert record.original == png and record.credential is None and record.summary.verdict == "invalid"
    assert store.add_credential(png, "image/png", None, ImportSource("file", "again.png")).merged


def test_store_duplicates_are_merged_sources_and_tags_unioned(store: Store) -> None:
    cred = ob3_credential("Dup", "I")
    first = add(store, cred, tags=["a"], source="file")
    # the same credential baked into a PNG (different bytes, same parsed credential, keys reordered)
    reordered = dict(reversed(list(cred.items())))
    second = store.add_credential(b"\x89PNG baked", "image/png", reordered, ImportSource("url", "https://h/b"),
                                  tags=["b", "a"], report=report("valid"))
    again = add(store, cred, source="file")
    assert not first.merged and second.merged and again.merged
    assert first.id == second.id == again.id
    assert store.count_credentials() == 1
    record = store.get_credential(first.id)
    assert record.original == json.dumps(cred).encode()  # the first import's bytes stay
    assert record.summary.tags == ("a", "b")
    assert [(s.kind, s.detail) for s in record.summary.sources] == [("file", "x"), ("url", "https://h/b")]
    assert record.summary.verdict == "valid"


def test_store_reverification_replaces_report_and_verdict(store: Store) -> None:
    rid = add(store, ob3_credential("R", "I"), report=report("valid", at="2026-01-01T00:00:00Z")).id
    summary = store.record_verification(rid, report("invalid", at="2026-02-01T00:00:00Z", problems=["revoked"]))
    assert summary.verdict == "invalid"
    record = store.get_credential(rid)
    assert record.report is not None and record.report["problems"] == ["revoked"]
    assert record.summary.verified_at == datetime(2026, 2, 1, tzinfo=UTC)
    assert store.search(verdicts=["invalid"]).total == 1


def test_store_summary_keeps_the_form_and_the_latest_problems(store: Store, wallet_path: Path) -> None:
    """A list row can say what a badge is and why it is not valid without opening its report."""
    rid = add(store, ob3_credential("P", "I"), report=report("invalid", problems=["revoked"])).id
    summary = store.get_summary(rid)
    assert (summary.display.form, summary.problems) == ("Open Badge 3.0", ("revoked",))
    assert store.record_verification(rid, report("valid")).problems == ()
    store.record_verification(rid, report("invalid", problems=["expired", "suspended"]))
    store.close()
    with Store.open(wallet_path, "correct horse") as again:
        assert again.get_summary(rid).problems == ("expired", "suspended")


def test_store_reads_summaries_written_before_form_and_problems_were_kept() -> None:
    from wallet.store._records import summary_from_json

    old = {"name": "N", "issuer": "I", "issued": None, "skills": [], "kind": "Assertion",
           "media_type": "application/json", "added_at": "2026-01-01T00:00:00+00:00", "tags": [],
           "sources": [], "verdict": "invalid", "verified_at": None}
    summary = summary_from_json("x", old)
    assert (summary.display.form, summary.problems, summary.verdict) == ("", (), "invalid")


def test_store_transaction_is_all_or_nothing(store: Store) -> None:
    rid = add(store, ob3_credential("T", "I"), report=report("valid")).id
    with pytest.raises(RuntimeError), store.transaction():
        store.record_verification(rid, report("invalid"))
        add(store, ob3_credential("U", "I"))
        raise RuntimeError("stop")
    assert store.count_credentials() == 1
    assert (store.get_credential(rid).report or {})["verdict"] == "valid"
    assert store.search(verdicts=["valid"]).total == 1


def test_store_tags_delete_and_missing_ids(store: Store) -> None:
    rid = add(store, ob3_credential("D", "I")).id
    assert store.set_tags(rid, ["x", "y", "x"]).tags == ("x", "y")
    assert store.search(tags=["y"]).total == 1
    store.delete_credential(rid)
    assert store.count_credentials() == 0
    for call in (store.get_credential, store.delete_credential, lambda i: store.set_tags(i, [])):
        with pytest.raises(RecordNotFoundError, match="no credential"):
            call(rid)


# -- profiles ---------------------------------------------------------------------------------


def test_store_profiles_have_own_ed25519_key_and_did_key(store: Store, wallet_path: Path) -> None:
    assert store.default_profile() is None
    work = store.create_profile("Work")
    home = store.create_profile("Home")
    assert store.default_profile() == work
    store.set_default_profile(home.id)
    assert store.rename_profile(home.id, "Personal").label == "Personal"
    assert [p.label for p in store.list_profiles()] == ["Work", "Personal"]
    assert work.did != home.did and work.did.startswith("did:key:z6Mk")
    key = store.signing_key(work.id)
    public = decode_multikey(work.did.removeprefix("did:key:"))
    assert isinstance(public, Ed25519PublicKey)
    public.verify(key.sign(b"challenge"), b"challenge")
    assert work.verification_method == f"{work.did}#{work.did.removeprefix('did:key:')}"
    store.close()
    with Store.open(wallet_path, "correct horse") as again:
        default = again.default_profile()
        assert default is not None and default.label == "Personal"
        assert again.signing_key(work.id).private_bytes_raw() == key.private_bytes_raw()


# -- share history ----------------------------------------------------------------------------


def test_store_share_history_add_list_unshare(store: Store) -> None:
    a = add(store, ob3_credential("Shared", "I")).id
    b = add(store, ob3_credential("Other", "I")).id
    t0 = datetime(2026, 3, 1, tzinfo=UTC)
    first = store.record_share(a, "jobs.example", shared_at=t0, expires_at=t0 + timedelta(days=7),
                               details={"link": "https://relay.example/p/1"})
    store.record_share(b, "school.example", shared_at=t0)
    assert [e.recipient for e in store.list_shares()] == ["jobs.example", "school.example"]
    assert store.list_shares(a) == [first]
    assert first.is_active(t0 + timedelta(days=1)) and not first.is_active(t0 + timedelta(days=8))
    gone = store.mark_unshared(first.id, at=t0 + timedelta(days=2))
    assert gone.unshared_at == t0 + timedelta(days=2) and not gone.is_active(t0 + timedelta(days=3))
    assert store.mark_unshared(first.id).unshared_at == gone.unshared_at  # idempotent
    store.delete_credential(a)
    assert store.list_shares(a)[0].credential_name == "Shared"  # history outlives the credential
    with pytest.raises(RecordNotFoundError):
        store.record_share(a, "x.example")


# -- first screen and search ------------------------------------------------------------------


def test_store_search_names_issuers_skills_tags_ignoring_case_and_accents(store: Store) -> None:
    add(store, ob3_credential("Café Barista", "Städtische Schule", ("Latte art",), "2024-01-01T00:00:00Z"))
    add(store, ob3_credential("Python Basics", "Code Club", ("Programming",), "2025-06-01T00:00:00Z"),
        tags=["career"])
    add(store, ob3_credential("Advanced Python", "Code Club", ("Programming", "Testing"), "2023-01-01T00:00:00Z"),
        report=report("valid"))
    def names(page: SearchPage) -> list[str]:
        return [s.name for s in page.items]

    assert names(store.search("cafe")) == ["Café Barista"]
    assert names(store.search("STADTISCHE")) == ["Café Barista"]
    assert names(store.search("latte")) == ["Café Barista"]
    assert names(store.search("python club")) == ["Advanced Python", "Python Basics"]  # newest added first
    assert names(store.search("python testing")) == ["Advanced Python"]
    assert names(store.search("career")) == ["Python Basics"]
    assert names(store.search("code", sort="name")) == ["Advanced Python", "Python Basics"]
    assert names(store.search("", sort="issued")) == ["Python Basics", "Café Barista", "Advanced Python"]
    assert names(store.search("", sort="issuer")) == ["Python Basics", "Advanced Python", "Café Barista"]
    assert names(store.search(verdicts=[None])) == ["Python Basics", "Café Barista"]
    page = store.list_credentials(offset=1, limit=1)
    assert page.total == 3 and names(page) == ["Python Basics"]
    assert store.search("nothing-like-this").total == 0


def test_store_list_sees_commits_from_another_connection(store: Store, wallet_path: Path) -> None:
    add(store, ob3_credential("One", "I"))
    assert store.list_credentials().total == 1
    with Store.open(wallet_path, "correct horse") as other:
        add(other, ob3_credential("Two", "I"))
    assert [s.name for s in store.list_credentials().items] == ["Two", "One"]


# -- display fields ---------------------------------------------------------------------------


def test_describe_credential_handles_ob2_jwt_and_language_maps() -> None:
    ob2 = {"type": "Assertion", "issuedOn": "2016-12-31T23:59:59Z",
           "badge": {"type": "BadgeClass", "name": "Mozilla Badge", "tags": ["web"],
                     "issuer": {"type": "Profile", "name": "Mozilla"}}}
    d = describe_credential(ob2)
    assert (d.name, d.issuer, d.issued, d.skills, d.kind) == (
        "Mozilla Badge", "Mozilla", "2016-12-31T23:59:59Z", ("web",), "Assertion")
    jwt_payload = {"iss": "did:web:uni.example", "nbf": 1700000000,
                   "vc": {"type": ["VerifiableCredential", "UniversityDegreeCredential"],
                          "credentialSubject": {"degree": {"name": "BSc"}}}}
    d = describe_credential(jwt_payload)
    assert (d.name, d.issuer, d.issued) == ("UniversityDegreeCredential", "did:web:uni.example",
                                            "2023-11-14T22:13:20Z")
    d = describe_credential({"name": [{"@value": "Nom", "@language": "fr"}], "issuer": "did:example:1",
                             "type": "VerifiableCredential"})
    assert (d.name, d.issuer) == ("Nom", "did:example:1")
    assert describe_credential(None).name == ""


def test_first_page_after_unlock_matches_the_full_index(tmp_path) -> None:
    """The newest-first page read straight from the file equals the page the search index gives."""
    from wallet.store import ImportSource, Store

    path = tmp_path / "w.satchel"
    with Store.create(path, "correct horse battery", kdf=FAST_KDF) as store:
        for n in range(7):
            doc = {"name": f"Badge {n}", "issuer": {"id": "did:example:i", "name": "Issuer"}, "n": n}
            store.add_credential(json.dumps(doc).encode(), "application/json", doc, ImportSource("file", f"{n}.json"))
    with Store.open(path, "correct horse battery") as store:
        quick = store.list_credentials(limit=3, offset=2)
        store.warm_search_index()
        indexed = store.search("", limit=3, offset=2)
    assert quick.total == indexed.total == 7
    assert [s.id for s in quick.items] == [s.id for s in indexed.items]
