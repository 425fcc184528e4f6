"""How small each way of writing a credential is, and how many QR frames of the multi-part code it needs.

    .venv/bin/python bench/qr_compression.py [--corpus ../shared/corpus] [--each]

For every JSON-LD credential `satchel-issuer sample` writes (its CLR included), a synthesized OB 3.0
badge with a ~40 KB PNG in its image (about 60 KB of JSON, as Credly / Canvas issue them), holder-signed
presentations (what the wallet shares) of the badge and of the CLR, and the JSON-LD credentials of
the corpus, prints the bytes of:

* JSON: minified UTF-8 (``compact_json``);
* SV1: zlib with the preset dictionary, the ``SV1:`` / multi-part payload today (credentials/_formats/qr.py);
* CBOR-LD: 1.0 (tag 0xcb1d, registry entry 1) and legacy (0x0501, context codes; what VP1- codes use);
* CBOR-LD+zlib: the 1.0 bytes deflated at level 9 (no dictionary: it is made of JSON text);

and the frames of a version-20 (level M) multi-part code each payload needs, counted by the engine's
own frame builder (``QrParts``: a UR fragment per frame sized to fill the symbol's alphanumeric
capacity). The JWT forms are not JSON-LD, so CBOR-LD does not apply to them. Sizes only: nothing is
timed.
"""

from __future__ import annotations

import argparse
import base64
import io
import json
import statistics
import sys
import tempfile
import zlib
from pathlib import Path
from typing import Any, Final

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import cbor2  # noqa: E402

from credentials._formats.cborld import CborLdError, encode_cborld  # noqa: E402
from credentials._formats.qr import _deflate, compact_json  # noqa: E402
from credentials._formats.qr_parts import QrParts, alphanumeric_capacity  # noqa: E402
from issuer_stub.sample import write_sample  # noqa: E402
from tests.helpers import VC2, ed25519_signer  # noqa: E402

VERSION: Final = 20
LEVEL: Final = "M"
COLUMNS = ("json", "sv1", "cborld", "cborld_legacy", "cborld_zlib")


def frames(payload: bytes) -> int:
    """Frames of the engine's multi-part code carrying ``payload`` as its CBOR byte string."""
    return QrParts(cbor2.dumps(payload), version=VERSION, level=LEVEL).seq_len


def sizes(doc: dict[str, Any]) -> dict[str, int | None]:
    raw = compact_json(doc)
    out: dict[str, int | None] = {"json": len(raw), "sv1": len(_deflate(raw))}
    try:
        cborld = encode_cborld(doc)
        out["cborld"] = len(cborld)
        out["cborld_legacy"] = len(encode_cborld(doc, format="legacy-singleton"))
        out["cborld_zlib"] = len(zlib.compress(cborld, 9))
    except CborLdError:
        out.update(cborld=None, cborld_legacy=None, cborld_zlib=None)
    return out


def payloads(doc: dict[str, Any]) -> dict[str, bytes | None]:
    raw = compact_json(doc)
    try:
        cborld: bytes | None = encode_cborld(doc)
    except CborLdError:
        cborld = None
    return {"json": raw, "sv1": _deflate(raw), "cborld": cborld,
            "cborld_zlib": zlib.compress(cborld, 9) if cborld is not None else None}


def picture_badge(base: dict[str, Any]) -> dict[str, Any]:
    """The sample badge with a noisy 116×116 RGB PNG (~40 KB: a photo compresses no better) as its image."""
    import numpy as np
    from PIL import Image

    pixels = np.random.default_rng(13).integers(0, 256, (116, 116, 3), dtype=np.uint8)
    buffer = io.BytesIO()
    Image.fromarray(pixels).save(buffer, format="PNG")
    doc: dict[str, Any] = json.loads(json.dumps(base))
    doc["credentialSubject"]["achievement"]["image"] = {
        "id": "data:image/png;base64," + base64.b64encode(buffer.getvalue()).decode("ascii"), "type": "Image"}
    return doc


def presentation(credential: dict[str, Any]) -> dict[str, Any]:
    """What the wallet shares: a VCDM 2.0 presentation of the credential, signed by the holder."""
    vp = {"@context": [VC2], "type": ["VerifiablePresentation"], "verifiableCredential": [credential]}
    signed: dict[str, Any] = ed25519_signer().sign(vp, proof_purpose="authentication", challenge="x" * 32,
                                                   domain="verifier.example")
    return signed


def cell(value: int | None) -> str:
    return "n/a" if value is None else str(value)


def row(name: str, doc: dict[str, Any]) -> dict[str, Any]:
    found = sizes(doc)
    counts = {k: (frames(v) if v is not None else None) for k, v in payloads(doc).items()}
    return {"name": name, **found, "frames": counts}


def print_rows(rows: list[dict[str, Any]]) -> None:
    print("| credential | JSON | SV1 (zlib+dict) | CBOR-LD 1.0 | CBOR-LD legacy | CBOR-LD+zlib "
          "| v20-M frames: JSON / SV1 / CBOR-LD / CBOR-LD+zlib |")
    print("|---|---:|---:|---:|---:|---:|---|")
    for r in rows:
        f = r["frames"]
        print(f"| {r['name']} | {r['json']} | {r['sv1']} | {cell(r['cborld'])} | {cell(r['cborld_legacy'])} "
              f"| {cell(r['cborld_zlib'])} | {f['json']} / {f['sv1']} / {cell(f['cborld'])} "
              f"/ {cell(f['cborld_zlib'])} |")


def summary(label: str, rows: list[dict[str, Any]]) -> None:
    usable = [r for r in rows if r["cborld"] is not None]
    ratio = {k: statistics.median(r[k] / r["json"] for r in usable) for k in COLUMNS}
    total = {k: sum(r["frames"][k] for r in usable) for k in ("json", "sv1", "cborld", "cborld_zlib")}
    print(f"{label}: {len(rows)} credentials ({len(rows) - len(usable)} not CBOR-LD-encodable); median size "
          "vs JSON: " + ", ".join(f"{k} {ratio[k]:.0%}" for k in COLUMNS)
          + "; frames in all: " + ", ".join(f"{k} {v}" for k, v in total.items()))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--corpus", type=Path, default=Path(__file__).resolve().parents[2] / "shared" / "corpus")
    parser.add_argument("--each", action="store_true", help="a row for every corpus credential too")
    args = parser.parse_args()
    print(f"QR version {VERSION}-{LEVEL}: {alphanumeric_capacity(VERSION, LEVEL)} alphanumeric characters a frame")

    with tempfile.TemporaryDirectory() as tmp:
        out = Path(tmp)
        write_sample(out)
        sample = {p.name: json.loads(p.read_text()) for p in sorted(out.glob("*.json")) if p.name != "web.json"}
        skipped = sorted(p.name for p in out.iterdir() if p.suffix in (".jwt", ".jws"))
    sample = {k: v for k, v in sample.items() if isinstance(v, dict) and "@context" in v}
    rows = [row(name, doc) for name, doc in sample.items()]
    badge = picture_badge(sample["ob3-v2-eddsa-rdfc-2022.json"])
    rows.append(row("synthesized OB 3.0 badge with a 40 KB PNG image", badge))
    rows.append(row("holder-signed VCDM 2.0 presentation of ob3-v2-eddsa-rdfc-2022.json",
                    presentation(sample["ob3-v2-eddsa-rdfc-2022.json"])))
    rows.append(row("holder-signed VCDM 2.0 presentation of the CLR",
                    presentation(sample["clr-v2-eddsa-rdfc-2022.json"])))
    print_rows(rows)
    print(f"(JWT forms, not JSON-LD: {', '.join(skipped)})")
    summary("issuer sample", rows[:-3])

    corpus = []
    for path in sorted(args.corpus.rglob("*.json")) if args.corpus.is_dir() else []:
        doc = json.loads(path.read_text())
        if isinstance(doc, dict) and "@context" in doc and path.name not in ("manifest.json", "web.json"):
            corpus.append(row(str(path.relative_to(args.corpus)), doc))
    if args.each:
        print_rows(corpus)
    if corpus:
        summary("corpus", corpus)


if __name__ == "__main__":
    main()
