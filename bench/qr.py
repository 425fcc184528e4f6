"""Benchmark of the self-contained QR code (``SV1:``, wallet/share/qrcodec.py).

    .venv/bin/python bench/qr.py [--frames 200] [--repeat 20]

Prints: sizes and QR versions of real presentations (the issuer stub's Open Badges, each form);
the largest credential (bytes of minified JSON) whose presentation fits one code at the default
maximum version, with and without the preset dictionary; encode times (sign + compress + QR +
PNG); decode times of the clean PNG and of the synthetic camera frames (tests/test_share_camera.py),
and the camera decode rate per QR version.
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import time
import zlib
from collections import defaultdict
from collections.abc import Callable
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import numpy as np  # noqa: E402

from issuer_stub.issuer import Issuer  # noqa: E402
from issuer_stub.state import State  # noqa: E402
from tests.helpers import VC2, ed25519_signer, ob3_credential  # noqa: E402
from tests.test_share_camera import camera_set  # noqa: E402
from wallet.share.base45 import b45encode  # noqa: E402
from wallet.share.qrcodec import (  # noqa: E402
    MAX_QR_VERSION,
    QrDecodeError,
    compact_json,
    decode_qr_image,
    decode_qr_text,
    encode_qr,
    encode_qr_text,
    qr_version_for,
)

WORDS = ("wound", "care", "skin", "client", "nurse", "report", "safe", "dressing", "clean", "stage", "pressure",
         "injury", "observe", "document", "reposition", "assist", "scope", "practice", "hygiene", "infection")


def ms(fn: Callable[[], Any], repeat: int) -> tuple[float, float]:
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        fn()
        times.append((time.perf_counter() - start) * 1000)
    return statistics.median(times), max(times)


def vp_of(holder: Any, creds: list[Any]) -> dict[str, Any]:
    vp = {"@context": [VC2], "type": ["VerifiablePresentation"], "holder": holder.did, "verifiableCredential": creds}
    signed: dict[str, Any] = holder.sign(vp, proof_purpose="authentication", challenge="x" * 32,
                                         domain="verifier.example")
    return signed


def plain_text(doc: dict[str, Any]) -> str:
    return "SV1:" + b45encode(zlib.compress(compact_json(doc), 9))


def stub_forms() -> None:
    print("## Real presentations (one issuer-stub Open Badge each, holder-signed, challenge + domain)")
    print(f"{'form':34} {'cred JSON':>9} {'VP JSON':>8} {'SV1 chars':>9} {'no dict':>8} {'version':>7}")
    holder = ed25519_signer()
    issuer = Issuer(State(":memory:"), "http://127.0.0.1:8765")
    for form in ("ob3-v2-eddsa-rdfc-2022", "ob3-v2-eddsa-jcs-2022", "ob3-v1-ed25519signature2020", "ob3-vc-jwt"):
        _record, artifact = issuer.issue("wound-care-basics", form, holder.did)
        body = artifact.content.decode()
        cred: Any = json.loads(body) if body.lstrip().startswith("{") else {
            "@context": VC2, "id": f"data:application/vc+jwt,{body.strip()}", "type": "EnvelopedVerifiableCredential"}
        vp = vp_of(holder, [cred])
        text = encode_qr_text(vp)
        version = qr_version_for(text)
        print(f"{form:34} {len(body.encode()):>9} {len(compact_json(vp)):>8} {len(text):>9} "
              f"{len(plain_text(vp)):>8} {version if version else '>40':>7}")


def largest_fitting() -> None:
    print(f"\n## Largest credential whose presentation fits one code (version <= {MAX_QR_VERSION}, level M)")
    rng = np.random.default_rng(1)
    holder, issuer = ed25519_signer(), ed25519_signer()
    text_words = [str(w) for w in rng.choice(WORDS, 3000)]

    def build(n: int) -> tuple[int, dict[str, Any]]:
        cred = issuer.sign(ob3_credential(issuer.did, subject=holder.did, description=" ".join(text_words[:n])))
        return len(compact_json(cred)), vp_of(holder, [cred])

    for label, encoder in (("preset dictionary", encode_qr_text), ("plain zlib (HC1-style)", plain_text)):
        lo, hi = 0, 3000
        while lo < hi:
            mid = (lo + hi + 1) // 2
            version = qr_version_for(encoder(build(mid)[1]))
            if version is not None and version <= MAX_QR_VERSION:
                lo = mid
            else:
                hi = mid - 1
        size, vp = build(lo)
        print(f"{label:24}: credential {size} bytes of JSON (VP {len(compact_json(vp))} bytes, "
              f"{len(encoder(vp))} characters)")


def timings(repeat: int) -> None:
    print(f"\n## Encode / decode times (median / max of {repeat}, ms)")
    holder, issuer = ed25519_signer(), ed25519_signer()
    issuer_stub = Issuer(State(":memory:"), "http://127.0.0.1:8765")
    _record, artifact = issuer_stub.issue("wound-care-basics", "ob3-v2-eddsa-rdfc-2022", holder.did)
    small = issuer.sign(ob3_credential(issuer.did, subject=holder.did))
    for label, cred in (("small OB3 badge", small), ("issuer-stub OB3 badge", json.loads(artifact.content))):
        vp = vp_of(holder, [cred])
        result = encode_qr(vp)
        sign = ms(lambda cred=cred: vp_of(holder, [cred]), repeat)  # type: ignore[misc]
        text = ms(lambda vp=vp: encode_qr_text(vp), repeat)  # type: ignore[misc]
        png = ms(lambda vp=vp: encode_qr(vp), repeat)  # type: ignore[misc]
        read = ms(lambda png=result.png: decode_qr_text(decode_qr_image(png)), repeat)  # type: ignore[misc]
        print(f"{label} (v{result.version}, {result.png.__len__()} B PNG): sign VP {sign[0]:.1f}/{sign[1]:.1f}; "
              f"SV1 text {text[0]:.2f}/{text[1]:.2f}; text+QR+PNG {png[0]:.1f}/{png[1]:.1f}; "
              f"OpenCV read of the PNG + decode {read[0]:.1f}/{read[1]:.1f}")


def camera(frames: int) -> None:
    print(f"\n## Synthetic camera set ({frames} frames, 1280x720 JPEG; tests/test_share_camera.py)")
    per_version: dict[int, list[bool]] = defaultdict(list)
    times: list[float] = []
    for vp, _d, jpeg, version in camera_set(frames):
        start = time.perf_counter()
        try:
            ok = decode_qr_text(decode_qr_image(jpeg)) == vp
        except QrDecodeError:
            ok = False
        times.append((time.perf_counter() - start) * 1000)
        per_version[version].append(ok)
    total = sum(sum(v) for v in per_version.values())
    p95 = sorted(times)[int(0.95 * len(times)) - 1]
    print(f"decoded {total}/{frames} ({100 * total / frames:.1f} %); per frame median "
          f"{statistics.median(times):.0f} ms, p95 {p95:.0f} ms, max {max(times):.0f} ms")
    for version in sorted(per_version):
        oks = per_version[version]
        print(f"  version {version}: {sum(oks)}/{len(oks)}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--frames", type=int, default=200)
    parser.add_argument("--repeat", type=int, default=20)
    args = parser.parse_args()
    stub_forms()
    largest_fitting()
    timings(args.repeat)
    camera(args.frames)


if __name__ == "__main__":
    main()
