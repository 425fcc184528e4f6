"""CBOR-LD (credentials._formats.cborld) and the VP1- QR codes of the DCC wallet: real codes from
their test data decode to the presentation they publish, import in the wallet and verify (real
Ed25519 signatures) as the data says; every credential the issuer stub writes and every JSON-LD
credential of the corpus round-trips exactly in both formats and still verifies; hostile bytes
get a CborLdError with the reason, within counted work and bounded memory."""

from __future__ import annotations

import json
import tracemalloc
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import cbor2
import pytest

from credentials import (
    CborLdError,
    QrAssembler,
    decode_qr_image,
    decode_vpqr_text,
    encode_vpqr_text,
    parse_input,
    verify,
)
from credentials._formats.cborld import (
    MAX_CBORLD_BYTES,
    MAX_DEPTH,
    MAX_WORK,
    CborLdTooComplex,
    CborLdWork,
    decode_cborld,
    encode_cborld,
)
from credentials._net import Fetcher, LocalDocuments
from issuer_stub.sample import write_sample
from tests.test_verifier_camera import signed_presentation
from tests.test_wallet_import import qr_photo
from verifier.app.intake import IntakeError, read_text
from wallet.importer import ImportService
from wallet.store import Argon2idParams, Store

DATA = Path(__file__).parent / "data" / "cborld"
CORPUS = Path(__file__).resolve().parent.parent.parent / "shared" / "corpus"
DCC_B32 = (DATA / "dcc-vpqr-2.2.1-legacy-base32.txt").read_text().strip()
DB_B45 = (DATA / "digitalbazaar-vpqr-6.0.0-legacy-base45.txt").read_text().strip()
DB_CBORLD1 = (DATA / "digitalbazaar-vpqr-6.0.0-cborld1-base45.txt").read_text().strip()
PUBLISHED_VP = json.loads((DATA / "dcc-over-age-vp.json").read_text())
ISSUED = datetime(2021, 3, 25, tzinfo=UTC)  # a day after issuanceDate, before expirationDate
TODAY = datetime(2026, 12, 3, tzinfo=UTC)
FORMATS = ("cbor-ld-1.0", "legacy-singleton")
VC1 = "https://www.w3.org/2018/credentials/v1"


def passed(report: Any, check_id: str) -> bool:
    check = report.check(check_id)
    return check is not None and check.status.value == "passed"


def exact(doc: Any) -> str:
    """The JSON text, number spelling included (3.0 is an xsd:double in JSON-LD, 3 an integer)."""
    return json.dumps(doc, sort_keys=True)


@pytest.fixture(scope="module")
def sample(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("sample")
    write_sample(out)
    return out


def sample_documents(sample: Path) -> dict[str, dict[str, Any]]:
    return {p.name: json.loads(p.read_text()) for p in sorted(sample.glob("*.json")) if p.name != "web.json"}


def corpus_documents() -> dict[str, dict[str, Any]]:
    docs = {}
    for path in sorted(CORPUS.rglob("*.json")) if CORPUS.is_dir() else []:
        doc = json.loads(path.read_text())
        if isinstance(doc, dict) and "@context" in doc and "oldDCCExample" not in path.name:
            docs[str(path.relative_to(CORPUS))] = doc
    return docs


# -- the real codes -------------------------------------------------------------------------------

@pytest.mark.parametrize("text", [DCC_B32, DB_B45, DB_CBORLD1], ids=["dcc-legacy-b32", "db-legacy-b45", "db-1.0-b45"])
def test_the_published_vp1_codes_decode_to_the_presentation_they_publish(text: str) -> None:
    assert exact(decode_vpqr_text(text)) == exact(PUBLISHED_VP)


def test_the_dcc_published_qr_picture_reads_back_to_its_code_and_presentation() -> None:
    """Their test's QR image (a GIF data URL, version 13): OpenCV reads it (after PIL turns the GIF
    into PNG, which OpenCV opens) to exactly the published text."""
    import io

    from PIL import Image

    png = io.BytesIO()
    Image.open(DATA / "dcc-vpqr-2.2.1-qr.gif").convert("L").save(png, format="PNG")
    text = decode_qr_image(png.getvalue())
    assert text == DCC_B32
    assert exact(decode_vpqr_text(text)) == exact(PUBLISHED_VP)


def test_we_write_the_dcc_wallets_code_byte_for_byte() -> None:
    assert encode_vpqr_text(PUBLISHED_VP) == DCC_B32  # legacy-singleton, base32: what vpqr 2.2.1 writes
    assert encode_vpqr_text(PUBLISHED_VP, base="R") == DB_B45
    assert encode_vpqr_text(PUBLISHED_VP, base="R", format="cbor-ld-1.0") == DB_CBORLD1


def test_the_dcc_code_verifies_as_its_data_says() -> None:
    """Their test verifies the presentation as unsigned, the credential's Ed25519Signature2020 at
    its issuanceDate; its expirationDate is June 2021."""
    report = verify(DCC_B32, at=ISSUED)
    assert report.problems == ("no-proof",)  # the presentation carries no proof
    (inner,) = report.nested
    assert inner.problems == ()
    assert passed(inner, "proof.signature")
    assert passed(inner, "proof.key-binding")
    today = verify(DCC_B32, at=TODAY)
    assert today.nested[0].problems == ("expired",)
    assert passed(today.nested[0], "proof.signature")


def test_a_changed_fact_in_the_dcc_credential_breaks_its_signature() -> None:
    vp = decode_vpqr_text(DCC_B32)
    vp["verifiableCredential"]["credentialSubject"]["overAge"] = 18
    report = verify(encode_vpqr_text(vp), at=ISSUED)
    assert "invalid-signature" in report.nested[0].problems


def test_the_wallet_imports_the_credential_a_pasted_vp1_code_carries(tmp_path: Path) -> None:
    with Store.create(tmp_path / "w.satchel", "a long enough passphrase",
                      kdf=Argon2idParams(memory_kib=1024, iterations=1, lanes=1)) as store:
        store.create_profile("Me")
        service = ImportService(store, Fetcher(None))
        outcome = service.import_text(DCC_B32)
        assert outcome.error is None
        assert outcome.name == "OverAgeTokenCredential"  # the credential, not the presentation around it
        assert outcome.problems == ("expired",)  # kept, with the verdict the data implies today
        assert outcome.id is not None
        record = store.get_credential(outcome.id)
        assert record.credential == PUBLISHED_VP["verifiableCredential"]


def test_the_wallet_imports_a_photo_of_a_vp1_qr_code(tmp_path: Path) -> None:
    photo = qr_photo(DCC_B32)
    assert decode_qr_image(photo) == DCC_B32  # OpenCV reads the real symbol back
    with Store.create(tmp_path / "w.satchel", "a long enough passphrase",
                      kdf=Argon2idParams(memory_kib=1024, iterations=1, lanes=1)) as store:
        store.create_profile("Me")
        outcome = ImportService(store, Fetcher(None)).import_qr_image(photo)
        assert outcome.error is None and outcome.name == "OverAgeTokenCredential"


def test_the_verifier_reads_a_scanned_vp1_code() -> None:
    given = read_text(DCC_B32 + "\n")
    assert given.how == "VP1- QR" and given.is_presentation
    assert given.data == PUBLISHED_VP
    with pytest.raises(IntakeError, match="CBOR-LD"):
        read_text(DCC_B32[:-7])


def test_the_verifiers_camera_path_reads_a_vp1_symbol_and_verifies_it() -> None:
    """What the capture loop does with one code: OpenCV reads the symbol, the assembler says it is
    a complete single code, the intake reads its text, the engine verifies it."""
    assembler = QrAssembler()
    progress = assembler.add(decode_qr_image(qr_photo(DCC_B32, seed=3)))
    assert progress.complete and progress.kind == "single" and assembler.text is not None
    given = read_text(assembler.text)
    assert given.how == "VP1- QR"
    report = verify(given.data, at=ISSUED)
    assert report.problems == ("no-proof",) and report.nested[0].problems == ()


def test_parse_input_classifies_a_vp1_code_as_the_presentation_it_holds() -> None:
    parsed = parse_input(DCC_B32.encode())
    assert parsed.format == "vp" and parsed.document == PUBLISHED_VP


# -- round trips ----------------------------------------------------------------------------------

@pytest.mark.parametrize("form", FORMATS)
def test_every_sample_credential_round_trips_exactly(sample: Path, form: str) -> None:
    docs = sample_documents(sample)
    assert "clr-v2-eddsa-rdfc-2022.json" in docs and len(docs) >= 20
    for name, doc in docs.items():
        data = encode_cborld(doc, format=form)
        assert exact(decode_cborld(data)) == exact(doc), name
        assert len(data) < len(json.dumps(doc, separators=(",", ":"))), name  # it compresses


@pytest.mark.parametrize("form", FORMATS)
def test_every_corpus_json_ld_credential_round_trips_exactly(form: str) -> None:
    docs = corpus_documents()
    if not docs:
        pytest.skip("the shared corpus is not here")
    for name, doc in docs.items():
        assert exact(decode_cborld(encode_cborld(doc, format=form))) == exact(doc), name


def test_uncompressed_cbor_ld_round_trips_too(sample: Path) -> None:
    doc = sample_documents(sample)["ob3-v2-eddsa-rdfc-2022.json"]
    for form in FORMATS:
        data = encode_cborld(doc, format=form, compressed=False)
        assert data[:3] in (bytes.fromhex("d9cb1d"), bytes.fromhex("d90500"))
        assert exact(decode_cborld(data)) == exact(doc)


@pytest.mark.parametrize("name", ["ob3-v2-eddsa-rdfc-2022.json", "ob3-v1-ed25519signature2020.json",
                                  "ob3-v2-eddsa-jcs-2022.json", "clr-v2-eddsa-rdfc-2022.json"])
def test_a_credential_read_back_from_its_vp1_code_still_verifies(sample: Path, name: str) -> None:
    fetcher = Fetcher(None, documents=LocalDocuments.from_file(sample / "web.json"))
    doc = json.loads((sample / name).read_text())
    text = encode_vpqr_text(doc)
    assert text.startswith("VC1-B")
    report = verify(text, fetcher=fetcher)
    assert report.problems == (), report.problems
    assert passed(report, "proof.signature")


def test_a_vcdm2_presentation_round_trips_through_its_scoped_null_context_and_verifies() -> None:
    """VCDM 2.0 resets the terms inside ``verifiableCredential`` (``"@context": null``, JSON-LD 1.1
    §9.4.1); the embedded credential brings its own. The reference implementation fails on it."""
    vp = signed_presentation()
    text = encode_vpqr_text(vp)
    assert text.startswith("VP1-B") and exact(decode_vpqr_text(text)) == exact(vp)
    report = verify(text)
    assert report.problems == () and report.nested[0].problems == ()
    with pytest.raises(CborLdError, match="invalid context nullification"):
        encode_cborld({"@context": ["https://www.w3.org/ns/credentials/v2", None], "type": "VerifiableCredential"})


def test_the_codec_compresses_what_the_contexts_define() -> None:
    doc = {"@context": [VC1], "type": ["VerifiableCredential"], "id": "urn:uuid:188e8450-269e-11eb-b545-d3692cf35398",
           "issuanceDate": "2021-03-24T20:03:03Z", "issuer": "did:key:z6MkkUbCFazdoducKf8SUye7cAxuicMdDBhXKWuTEuGA3jQF",
           "credentialSubject": {"id": "https://example.com/people/1"}}
    payload = cbor2.loads(encode_cborld(doc, format="legacy-singleton")).value
    assert list(payload[1]) == [17]  # the context registry code of the VC 1.1 context
    ids = {key for key in payload if isinstance(key, int)}
    assert not any(isinstance(key, str) for key in payload)  # every term is an integer
    assert all(key >= 100 or key in (0, 1, 2, 3, 4, 5) for key in ids)
    values = [list(v) if isinstance(v, tuple) else v for v in payload.values()]
    assert [3, bytes.fromhex("188e8450269e11ebb545d3692cf35398")] in values  # urn:uuid as 16 bytes
    assert 1616616183 in values  # xsd:dateTime as seconds since the epoch
    assert exact(decode_cborld(encode_cborld(doc, format="legacy-singleton"))) == exact(doc)


def test_values_the_codecs_would_change_travel_as_text() -> None:
    doc = {"@context": [VC1], "type": ["VerifiableCredential"],
           "id": "urn:uuid:NOT-lower-case", "issuanceDate": "2021-03-24T20:03:03+01:00",
           "expirationDate": "2021-03-24T20:03:03.5Z", "issuer": "did:key:z6Mk#a#b",
           "credentialSubject": {"id": "data:text/plain;base64,aGk"}}
    payload = cbor2.loads(encode_cborld(doc)).value[1]
    texts = [v for v in payload.values() if isinstance(v, str)]
    assert "2021-03-24T20:03:03+01:00" in texts and "2021-03-24T20:03:03.5Z" in texts
    assert exact(decode_cborld(encode_cborld(doc))) == exact(doc)


# -- hostile input --------------------------------------------------------------------------------

def dcc_bytes() -> bytes:
    import base64

    body = DCC_B32[5:]
    return base64.b32decode(body + "=" * (-len(body) % 8))


def test_every_truncation_of_a_real_code_is_a_clear_error() -> None:
    data = dcc_bytes()
    for cut in range(len(data)):
        with pytest.raises(CborLdError):
            decode_cborld(data[:cut])


def test_mutated_real_codes_decode_or_fail_with_a_cborld_error_only(sample: Path) -> None:
    """An attacker's flipped bytes, in a real DCC code and in a sample badge: never another exception."""
    import random

    rng = random.Random(1)
    badge = sample_documents(sample)["ob3-v2-eddsa-rdfc-2022.json"]
    seeds = [dcc_bytes(), encode_cborld(badge, format="legacy-singleton"), encode_cborld(badge)]
    refused = 0
    for seed in seeds:
        for _ in range(600):
            data = bytearray(seed)
            for _ in range(rng.choice((1, 2, 3))):
                data[rng.randrange(len(data))] = rng.randrange(256)
            try:
                decode_cborld(bytes(data))
            except CborLdError:
                refused += 1
    assert refused > 300  # much damage is caught; what is not decodes to some JSON, which verify then judges


@pytest.mark.parametrize("data, reason", [
    (cbor2.dumps(cbor2.CBORTag(0xCB1D, [7, {0: "x"}])), "registry entry 7"),
    (cbor2.dumps(cbor2.CBORTag(0x0501, {0: 99})), "context code 99"),
    (cbor2.dumps(cbor2.CBORTag(0x0501, {0: 17, 9998: 1})), "term id 9998"),
    (cbor2.dumps(cbor2.CBORTag(0x0501, {0: "https://example.com/unknown/v1"})), "not one Satchel bundles"),
    (cbor2.dumps(cbor2.CBORTag(0x0501, {0: 17, 1: [17]})), "both a single @context and a list"),
    (cbor2.dumps(cbor2.CBORTag(0xCB1D, [1, {1: [VC1], 4: b"\x00\x63"}])), "in no 'url' table"),
    (cbor2.dumps(cbor2.CBORTag(0xCB1D, [1, {1: [VC1], 4: [77, "x"]}])), "scheme code 77"),
    (cbor2.dumps(cbor2.CBORTag(0xCB1D, [1, {1: [VC1], 4: [3, b"short"]}])), "scheme code 3"),
    (cbor2.dumps(cbor2.CBORTag(0xCB1D, [0, {"a": b"bytes"}])), "bytes value JSON cannot"),
    (cbor2.dumps(cbor2.CBORTag(0xCB1D, [0, {"a": float("nan")}])), "NaN"),
    (cbor2.dumps(cbor2.CBORTag(1234, {})), "tag 1234 is not a CBOR-LD tag"),
    (cbor2.dumps({"@context": VC1}), "does not start with a CBOR-LD tag"),
    (cbor2.dumps(cbor2.CBORTag(0xCB1D, [0, {"a": 1}])) + b"\x00", "bytes after its end"),
    (bytes.fromhex("d9cb1d8200a1616182d81c8101d81d00"), "tag 28"),  # a shared reference
    (bytes.fromhex("d9cb1d8200d90100a161618261616161d81900"), "tag 256"),  # a string reference
    (bytes.fromhex("d9cb1d8200a261610161610a"), "Duplicate"),
    (bytes.fromhex("d9cb1d82005b4000000000000000") + b"abc", "premature end"),  # a 2^62-byte string
    (bytes.fromhex("d9cb1d82009b000001000000000001"), "premature end"),  # a 2^40-item array
    (bytes.fromhex("d9cb1d8200bb0000010000000000"), "premature end"),  # a 2^40-entry map
])
def test_hostile_cbor_ld_is_refused_with_its_reason(data: bytes, reason: str) -> None:
    tracemalloc.start()
    try:
        with pytest.raises(CborLdError, match=reason):
            decode_cborld(data)
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert peak < 4 * 1024 * 1024  # no allocation the length prefixes ask for


def test_protected_terms_cannot_be_redefined() -> None:
    evil = {"VerifiableCredential": "https://evil.example/vocab#Credential"}
    doc = {"@context": [VC1, evil], "type": "VerifiableCredential"}
    with pytest.raises(CborLdError, match="protected term 'VerifiableCredential'"):
        encode_cborld(doc)
    data = cbor2.dumps(cbor2.CBORTag(0xCB1D, [1, {1: [VC1, evil]}]))
    with pytest.raises(CborLdError, match="protected term 'VerifiableCredential'"):
        decode_cborld(data)


def nested(depth: int) -> Any:
    value: Any = 1
    for _ in range(depth):
        value = [value]
    return value


def test_deep_nesting_is_refused_at_the_cbor_level_and_the_json_ld_level() -> None:
    deep_cbor = cbor2.dumps(cbor2.CBORTag(0xCB1D, [0, {"a": nested(5000)}]))
    with pytest.raises(CborLdError, match="depth|nest"):
        decode_cborld(deep_cbor)
    node: dict[Any, Any] = {}
    for _ in range(MAX_DEPTH + 2):
        node = {"x": node}
    with pytest.raises(CborLdError, match=f"deeper than {MAX_DEPTH}"):
        decode_cborld(cbor2.dumps(cbor2.CBORTag(0x0501, {0: 17, "x": node})))
    with pytest.raises(CborLdError, match=f"deeper than {MAX_DEPTH}"):
        encode_cborld({"@context": VC1, "credentialSubject": nested(MAX_DEPTH + 5)})


def test_a_wide_payload_stops_at_the_work_limit_and_says_how_much_was_done() -> None:
    data = cbor2.dumps(cbor2.CBORTag(0x0501, {0: 17, "x": [{}] * 200_000}))
    assert len(data) < 210_000
    with pytest.raises(CborLdTooComplex) as caught:
        decode_cborld(data)
    assert caught.value.work is not None
    assert MAX_WORK < caught.value.work <= MAX_WORK + 1_000  # stopped right at the limit


def test_genuine_documents_need_a_small_fraction_of_the_work_limit(sample: Path) -> None:
    clr = sample_documents(sample)["clr-v2-eddsa-rdfc-2022.json"]
    work = CborLdWork()
    decode_cborld(encode_cborld(clr), work=work)
    assert 0 < work.used < MAX_WORK // 20


def test_oversized_input_is_refused_before_it_is_parsed() -> None:
    with pytest.raises(CborLdError, match="larger than"):
        decode_cborld(b"\xd9\xcb\x1d" + b"\x00" * MAX_CBORLD_BYTES)
    with pytest.raises(CborLdError, match="longer than"):
        decode_vpqr_text("VP1-B" + "A" * (2 * MAX_CBORLD_BYTES))


@pytest.mark.parametrize("text, reason", [
    ("VP1-X" + DCC_B32[5:], "multibase 'X'"),
    ("VP1-B" + DCC_B32[5:].lower(), "not base32"),
    ("VP1-B" + DCC_B32[5:-1] + "1", "not base32"),
    ("VP1-R" + DB_B45[5:] + "~", "not base45"),
    ("VP2-" + DCC_B32[4:], "does not start with VP1- or VC1-"),
])
def test_damaged_vp1_text_is_refused_with_its_reason(text: str, reason: str) -> None:
    with pytest.raises(CborLdError, match=reason):
        decode_vpqr_text(text)


@pytest.mark.parametrize("value", [float("nan"), datetime(2021, 1, 1, tzinfo=UTC), b"bytes", {1: "x"}])
def test_what_is_not_json_cannot_be_encoded(value: Any) -> None:
    with pytest.raises(CborLdError, match="JSON|text"):
        encode_cborld({"@context": VC1, "type": "VerifiableCredential", "credentialSubject": {"name": value}})


def test_an_unknown_context_cannot_be_encoded() -> None:
    with pytest.raises(CborLdError, match="https://example.com/ctx/v1 is not one Satchel bundles"):
        encode_cborld({"@context": [VC1, "https://example.com/ctx/v1"], "type": "VerifiableCredential"})
