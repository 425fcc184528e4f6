"""Interop: Digital Bazaar's CBOR-LD processor (@digitalbazaar/cborld 8.1.0, pinned in
scripts/interop/cborld/package-lock.json, run with node) and Satchel's read each other's CBOR-LD,
in the 1.0 format (tag 0xcb1d, registry entry 1) and the legacy one the DCC wallet writes (0x0501),
for every credential `satchel-issuer sample` writes and every JSON-LD credential of the corpus.

Both sides build the term codec map from the same context files (scripts/interop/cborld/cborld.mjs
serves only credentials/_jsonld/contexts, and blocks every socket).

Set up with ``npm ci --prefix scripts/interop/cborld`` (``make interop-deps``); skipped without node or it.
"""

from __future__ import annotations

import json
import subprocess
from pathlib import Path
from typing import Any

import pytest

from credentials import decode_vpqr_text
from credentials._formats.cborld import CborLdError, decode_cborld, encode_cborld
from issuer_stub.sample import write_sample
from tests.helpers import NODE, node_package_skips

ROOT = Path(__file__).resolve().parent.parent
DRIVER = ROOT / "scripts" / "interop" / "cborld"
CORPUS = ROOT.parent / "shared" / "corpus"
DATA = Path(__file__).parent / "data" / "cborld"
FORMATS = ("cbor-ld-1.0", "legacy-singleton")

pytestmark = node_package_skips(DRIVER, "@digitalbazaar/cborld")


def run_node(jobs: list[dict[str, Any]]) -> list[dict[str, Any]]:
    run = subprocess.run([str(NODE), str(DRIVER / "cborld.mjs")], input=json.dumps(jobs), capture_output=True,
                         text=True, timeout=300, cwd=DRIVER)
    assert run.returncode == 0, run.stderr[-4000:]
    results: list[dict[str, Any]] = json.loads(run.stdout)
    assert len(results) == len(jobs)
    return results


def exact(doc: Any) -> str:
    """The JSON text, numbers' spelling included (3.0 is a double in JSON-LD, 3 an integer)."""
    return json.dumps(doc, sort_keys=True)


@pytest.fixture(scope="module")
def documents(tmp_path_factory: pytest.TempPathFactory) -> dict[str, dict[str, Any]]:
    sample = tmp_path_factory.mktemp("sample")
    write_sample(sample)
    paths = sorted(p for p in sample.iterdir() if p.suffix == ".json" and p.name != "web.json")
    if CORPUS.is_dir():
        paths += sorted(p for p in CORPUS.rglob("*.json") if p.name not in ("manifest.json", "web.json"))
    docs = {"dcc-over-age-vp.json": json.loads((DATA / "dcc-over-age-vp.json").read_text())}
    for path in paths:
        doc = json.loads(path.read_text())
        if isinstance(doc, dict) and "@context" in doc:
            docs[str(path.relative_to(path.parents[1]))] = doc
    return docs


@pytest.fixture(scope="module")
def ours(documents: dict[str, dict[str, Any]]) -> dict[tuple[str, str], bytes | None]:
    out: dict[tuple[str, str], bytes | None] = {}
    for name, doc in documents.items():
        for form in FORMATS:
            try:
                out[name, form] = encode_cborld(doc, format=form)
            except CborLdError:
                out[name, form] = None
    return out


@pytest.fixture(scope="module")
def theirs(documents: dict[str, dict[str, Any]], ours: dict[tuple[str, str], bytes | None]) -> dict[str, Any]:
    """Their encoding of every document, their decoding of it, and their decoding of ours."""
    keys = [(name, form) for name in documents for form in FORMATS]
    encoded = run_node([{"op": "encode", "doc": documents[n], "format": f} for n, f in keys])
    their_bytes = {k: bytes.fromhex(r["hex"]) if "hex" in r else r["error"] for k, r in zip(keys, encoded, strict=True)}
    decode_keys = [k for k in keys if isinstance(their_bytes[k], bytes)]
    own = run_node([{"op": "decode", "hex": their_bytes[k].hex()} for k in decode_keys])
    ours_keys = [k for k in keys if ours[k] is not None]
    of_ours = run_node([{"op": "decode", "hex": ours[k].hex()} for k in ours_keys])  # type: ignore[union-attr]
    return {"bytes": their_bytes, "own": dict(zip(decode_keys, own, strict=True)),
            "of_ours": dict(zip(ours_keys, of_ours, strict=True))}


def test_we_read_every_document_they_write_as_they_read_it(theirs: dict[str, Any],
                                                           documents: dict[str, dict[str, Any]]) -> None:
    read = 0
    for (name, form), data in theirs["bytes"].items():
        if not isinstance(data, bytes):
            continue
        their_reading = theirs["own"][name, form]["doc"]
        assert decode_cborld(data) == their_reading, (name, form)
        read += 1
    assert read >= 150  # every sample form and most of the corpus, in both formats


def test_they_read_every_document_we_write_as_the_original(theirs: dict[str, Any], ours: dict[tuple[str, str], Any],
                                                           documents: dict[str, dict[str, Any]]) -> None:
    for (name, form), result in theirs["of_ours"].items():
        assert "error" not in result, (name, form, result)
        assert result["doc"] == documents[name], (name, form)  # JavaScript reads 3.0 as 3: == allows that
    assert len(theirs["of_ours"]) >= 2 * (len(documents) - 1)


def test_our_bytes_are_theirs_wherever_their_encoding_is_lossless(theirs: dict[str, Any],
                                                                  ours: dict[tuple[str, str], Any],
                                                                  documents: dict[str, dict[str, Any]]) -> None:
    compared = 0
    for key, data in theirs["bytes"].items():
        if isinstance(data, bytes) and exact(theirs["own"][key]["doc"]) == exact(documents[key[0]]):
            assert ours[key] == data, key
            compared += 1
    assert compared >= 150


def test_what_they_cannot_write_we_still_write_losslessly(theirs: dict[str, Any], ours: dict[tuple[str, str], Any],
                                                          documents: dict[str, dict[str, Any]]) -> None:
    """Their encoder throws on a ``urn:uuid:`` that is not an RFC 9562 UUID and rewrites a
    non-canonical base64url multibase value; ours keeps such values as text, so reading gives back
    exactly what was written."""
    refused = [k for k, data in theirs["bytes"].items() if not isinstance(data, bytes)]
    assert any("UUID" in theirs["bytes"][k] for k in refused)
    lossy = [k for k, data in theirs["bytes"].items()
             if isinstance(data, bytes) and theirs["own"][k]["doc"] != documents[k[0]]]
    assert lossy  # the corpus's tampered status list (encodedList "…-I-CHANGED-THIS…")
    for key in refused + lossy:
        if ours[key] is not None:
            assert exact(decode_cborld(ours[key])) == exact(documents[key[0]]), key


def test_both_read_the_dcc_wallets_vp1_code_alike(documents: dict[str, dict[str, Any]]) -> None:
    text = (DATA / "dcc-vpqr-2.2.1-legacy-base32.txt").read_text().strip()
    data = encode_cborld(decode_vpqr_text(text), format="legacy-singleton")
    (result,) = run_node([{"op": "decode", "hex": data.hex()}])
    assert result["doc"] == documents["dcc-over-age-vp.json"] == decode_vpqr_text(text)
