"""Every hostile input is answered with a clear problem after bounded work (counted, not timed).

Found by the tamper fuzz: blank nodes that form a clique (RDFC-1.0 §4.4 poison graph: the
N-degree algorithm is factorial in them) and a large photo of noise (every speck a candidate
finder pattern for the QR detectors). bench/hostile.py times the same inputs.
"""

from __future__ import annotations

import pytest

from credentials._formats.qr import MAX_SEARCH_WORK, QrDecodeError, SearchWork, decode_qr_image
from credentials._jsonld._rdfc import DEFAULT_ROUNDS, work_budget
from credentials._verify import verify
from tests.conftest import AT
from tests.helpers import ed25519_signer
from tests.hostile import clique_credential, noise_png


@pytest.mark.parametrize("n", [7, 8, 12])
def test_verify_refuses_a_poison_graph_credential_as_too_complex_within_its_work_budget(n: int) -> None:
    doc = clique_credential(ed25519_signer(), n)
    with work_budget() as budget:
        report = verify(doc, at=AT)
    assert report.verdict == "invalid"
    assert report.problems == ("malformed",)
    assert any("Too complex to check" in c.message for c in report.checks)
    assert budget.rounds == DEFAULT_ROUNDS + 1  # stopped at the bound, not after the factorial


def test_a_look_alike_graph_an_honest_issuer_might_make_is_still_checked() -> None:
    doc = clique_credential(ed25519_signer(), 5)  # evidence added after signing
    with work_budget() as budget:
        report = verify(doc, at=AT)
    assert report.problems == ("invalid-signature",)  # checked, and found changed
    assert 0 < budget.rounds < DEFAULT_ROUNDS


def test_one_budget_covers_every_proof_of_a_set() -> None:
    signer = ed25519_signer()
    doc = clique_credential(signer, 7)
    doc["proof"] = [doc["proof"], dict(doc["proof"]), dict(doc["proof"])]
    with work_budget() as budget:
        report = verify(doc, at=AT)
    assert "malformed" in report.problems
    # the first proof spends the budget; each later one is refused at its first round
    assert budget.rounds == DEFAULT_ROUNDS + 3


def test_a_noise_photo_is_searched_within_the_work_limit_and_refused_plainly() -> None:
    work = SearchWork()
    with pytest.raises(QrDecodeError, match="searched as far as Satchel's limit allows"):
        decode_qr_image(noise_png(1600, 1600), work=work)
    assert 0 < work.used <= MAX_SEARCH_WORK
    assert work.skipped > 0  # the limit, not the ladder's end, stopped it


def test_verify_answers_a_noise_photo_as_malformed() -> None:
    report = verify(noise_png(1280, 720), at=AT)
    assert report.problems == ("malformed",)
    assert "no QR code" in report.checks[0].message
