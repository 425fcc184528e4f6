"""Uniform Resources (BCR-2020-005) and Bytewords (BCR-2020-012): the published bc-ur vectors
(BlockchainCommons/bc-ur ``test/test.cpp``: the "Wolf" message, ``test_ur_encoder``,
``test_choose_fragments``), the fountain decoder under loss and reordering, and hostile parts."""

from __future__ import annotations

import random
import zlib

import cbor2
import pytest

from credentials import UrDecoder, UrEncoder, UrError, decode_single_ur, encode_single_ur, is_ur_text
from credentials._formats import ur as ur_module
from credentials._formats.ur import (
    MAX_SEQ_LEN,
    UrMismatchError,
    bytewords_decode,
    bytewords_encode,
    choose_fragments,
    nominal_fragment_len,
)


def make_message(length: int, seed: str = "Wolf") -> bytes:
    """bc-ur's ``make_message``: bytes from xoshiro256** seeded with SHA-256 of ``seed``."""
    rng = ur_module._Xoshiro256(seed.encode())
    return bytes(rng.next_int(0, 255) for _ in range(length))


# bc-ur test.cpp, test_ur_encoder: make_message_ur(256) in fragments of at most 30 bytes.
WOLF_PARTS = [
    "ur:bytes/1-9/lpadascfadaxcywenbpljkhdcahkadaemejtswhhylkepmykhhtsytsnoyoyaxaedsuttydmmhhpktpmsrjtdkgslpgh",
    "ur:bytes/2-9/lpaoascfadaxcywenbpljkhdcagwdpfnsboxgwlbaawzuefywkdplrsrjynbvygabwjldapfcsgmghhkhstlrdcxaefz",
    "ur:bytes/3-9/lpaxascfadaxcywenbpljkhdcahelbknlkuejnbadmssfhfrdpsbiegecpasvssovlgeykssjykklronvsjksopdzmol",
    "ur:bytes/4-9/lpaaascfadaxcywenbpljkhdcasotkhemthydawydtaxneurlkosgwcekonertkbrlwmplssjtammdplolsbrdzcrtas",
    "ur:bytes/5-9/lpahascfadaxcywenbpljkhdcatbbdfmssrkzmcwnezelennjpfzbgmuktrhtejscktelgfpdlrkfyfwdajldejokbwf",
    "ur:bytes/6-9/lpamascfadaxcywenbpljkhdcackjlhkhybssklbwefectpfnbbectrljectpavyrolkzczcpkmwidmwoxkilghdsowp",
    "ur:bytes/7-9/lpatascfadaxcywenbpljkhdcavszmwnjkwtclrtvaynhpahrtoxmwvwatmedibkaegdosftvandiodagdhthtrlnnhy",
    "ur:bytes/8-9/lpayascfadaxcywenbpljkhdcadmsponkkbbhgsoltjntegepmttmoonftnbuoiyrehfrtsabzsttorodklubbuyaetk",
    "ur:bytes/9-9/lpasascfadaxcywenbpljkhdcajskecpmdckihdyhphfotjojtfmlnwmadspaxrkytbztpbauotbgtgtaeaevtgavtny",
]
# bc-ur test.cpp, test_single_part_ur: make_message_ur(50).
WOLF_SINGLE = ("ur:bytes/hdeymejtswhhylkepmykhhtsytsnoyoyaxaedsuttydmmhhpktpmsrjtgwdpfnsboxgwlbaawzuefywkdplrsrjynbvyg"
               "abwjldapfcsdwkbrkch")
# bc-ur test.cpp, test_choose_fragments: make_message(1024), 11 fragments, parts 1 … 30.
WOLF_CHOSEN = [[0], [1], [2], [3], [4], [5], [6], [7], [8], [9], [10], [9], [2, 5, 6, 8, 9, 10], [8], [1, 5], [1],
               [0, 2, 4, 5, 8, 10], [5], [2], [2], [0, 1, 3, 4, 5, 7, 9, 10], [0, 1, 2, 3, 5, 6, 8, 9, 10],
               [0, 2, 4, 5, 7, 8, 9, 10], [3, 5], [4], [0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10],
               [0, 1, 3, 4, 5, 6, 7, 9, 10], [6], [5, 6], [7]]


def test_encoder_writes_the_published_multipart_vector() -> None:
    encoder = UrEncoder("bytes", cbor2.dumps(make_message(256)), max_fragment_len=30)
    assert (encoder.seq_len, encoder.fragment_len) == (9, 29)
    assert [encoder.next_part().lower() for _ in range(9)] == WOLF_PARTS


def test_single_part_matches_the_published_vector_and_round_trips() -> None:
    cbor = cbor2.dumps(make_message(50))
    assert encode_single_ur("bytes", cbor) == WOLF_SINGLE.upper()
    assert decode_single_ur(WOLF_SINGLE) == ("bytes", cbor)
    assert is_ur_text(WOLF_SINGLE.upper()) and not is_ur_text("SV1:ABC")


def test_fountain_chooses_the_published_fragments() -> None:
    message = make_message(1024)
    checksum = zlib.crc32(message)
    seq_len = -(-1024 // nominal_fragment_len(1024, 10, 100))
    assert seq_len == 11
    assert [sorted(choose_fragments(n, seq_len, checksum)) for n in range(1, 31)] == WOLF_CHOSEN


def test_decoder_reads_the_published_parts_in_any_case() -> None:
    decoder = UrDecoder()
    for part in reversed(WOLF_PARTS):
        decoder.receive_part(part.upper())
    assert decoder.is_complete and decoder.ur_type == "bytes"
    assert decoder.message == cbor2.dumps(make_message(256))


@pytest.mark.parametrize("seed", range(6))
def test_decoder_finishes_from_fountain_parts_after_losing_frames(seed: int) -> None:
    rng = random.Random(seed)
    message = cbor2.dumps(rng.randbytes(20_000))
    encoder = UrEncoder("satchel-vp", message, max_fragment_len=400)
    decoder = UrDecoder()
    start = rng.randint(1, 3 * encoder.seq_len)  # the camera arrives late
    n = start
    used = 0
    while not decoder.is_complete:
        n += 1
        if rng.random() < 0.25:  # a quarter of the frames never read
            continue
        decoder.receive_part(encoder.part(n))
        used += 1
        assert 0.0 <= decoder.progress <= 1.0
    assert decoder.message == message
    # LT codes need a few parts more than fragments; a decoder that threw parts away would need far more.
    assert encoder.seq_len <= used <= 3 * encoder.seq_len


def test_repeated_part_is_not_new() -> None:
    encoder = UrEncoder("satchel-vp", cbor2.dumps(bytes(300)), max_fragment_len=100)
    decoder = UrDecoder()
    assert decoder.receive_part(encoder.part(1)) is True
    assert decoder.receive_part(encoder.part(1)) is False
    assert decoder.expected_part_count == encoder.seq_len == 4
    assert decoder.progress == pytest.approx(0.25)
    with pytest.raises(UrError, match="not complete"):
        _ = decoder.message


def test_misread_part_fails_its_checksum_and_changes_nothing() -> None:
    encoder = UrEncoder("satchel-vp", cbor2.dumps(bytes(range(200))), max_fragment_len=60)
    decoder = UrDecoder()
    decoder.receive_part(encoder.part(1))
    good = encoder.part(2)
    body = good.rsplit("/", 1)[1]
    flipped = "JY" if body[10:12] != "JY" else "LP"
    with pytest.raises(UrError, match="checksum"):
        decoder.receive_part(good[: -len(body)] + body[:10] + flipped + body[12:])
    assert decoder.progress == pytest.approx(1 / encoder.seq_len)


def test_part_of_another_message_is_a_mismatch() -> None:
    first = UrEncoder("satchel-vp", cbor2.dumps(bytes(300)), max_fragment_len=100)
    other = UrEncoder("satchel-vp", cbor2.dumps(bytes(range(256)) + bytes(44)), max_fragment_len=100)
    decoder = UrDecoder()
    decoder.receive_part(first.part(1))
    with pytest.raises(UrMismatchError):
        decoder.receive_part(other.part(2))
    with pytest.raises(UrMismatchError):
        decoder.receive_part(encode_single_ur("satchel-vp", b"\x40"))


def _forged_part(seq_num: int, seq_len: int, message_len: int, checksum: int, fragment: bytes) -> str:
    body = cbor2.dumps([seq_num, seq_len, message_len, checksum, fragment])
    return f"ur:satchel-vp/{seq_num}-{seq_len}/{bytewords_encode(body)}"


@pytest.mark.parametrize(("part", "reason"), [
    (_forged_part(1, MAX_SEQ_LEN + 1, 10 * (MAX_SEQ_LEN + 1), 0, bytes(10)), "parts"),
    (_forged_part(1, 2, 10**9, 0, bytes(10)), "bytes"),
    (_forged_part(1, 3, 20, 0, bytes(10)), "add up"),  # 3 fragments of 10 bytes cannot be 20 bytes
    (_forged_part(2, 3, 30, 0, bytes(10)).replace("/2-3/", "/1-3/"), "disagrees"),
    ("ur:satchel-vp/1-2/" + bytewords_encode(cbor2.dumps({"not": "a part"})), "seq_num"),
    ("ur:satchel-vp/x-2/" + bytewords_encode(b"\x00"), "part number"),
    ("ur:satchel-vp/1-2/" + "zz" * 20, "byteword"),
    ("ur:satchel-vp/1-2/" + "ae" * 3, "cut short"),
    ("ur:Bad_Type/aeae", "UR type"),
    ("ur:satchel-vp/a/b/c", "ur:type"),
    ("ur:satchel-vp/1-2/" + "ae" * 6000, "longer than any QR"),
])
def test_hostile_part_gets_a_clear_error(part: str, reason: str) -> None:
    with pytest.raises(UrError, match=reason):
        UrDecoder().receive_part(part)


def test_forged_fragments_that_fail_the_message_checksum_are_refused() -> None:
    # Every part well-formed and consistent, but the fragments are not the message the checksum names.
    decoder = UrDecoder()
    decoder.receive_part(_forged_part(1, 2, 20, 12345, bytes(10)))
    with pytest.raises(UrError, match="checksum"):
        decoder.receive_part(_forged_part(2, 2, 20, 12345, bytes(10)))


def test_rows_held_and_part_numbers_remembered_are_bounded(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(ur_module, "MAX_MIXED_PARTS", 5)
    encoder = UrEncoder("satchel-vp", cbor2.dumps(bytes(range(256)) * 8), max_fragment_len=20)
    decoder = UrDecoder()
    for n in range(encoder.seq_len + 1, encoder.seq_len + 40):
        decoder.receive_part(encoder.part(n))
    assert len(decoder._seen) <= 5 and len(decoder._rows) == decoder.rank <= encoder.seq_len
    assert decoder.received_part_count == 39


# -- GF(2) elimination: what it decodes from, how much work it does ------------------------------

def fragment_mask(seq_num: int, seq_len: int, checksum: int) -> int:
    return sum(1 << i for i in choose_fragments(seq_num, seq_len, checksum))


def gf2_rank(masks: list[int]) -> int:
    """Rank over GF(2), computed independently of the decoder (an XOR basis by highest bit)."""
    basis: dict[int, int] = {}
    for mask in masks:
        while mask:
            top = mask.bit_length() - 1
            if top not in basis:
                basis[top] = mask
                break
            mask ^= basis[top]
    return len(basis)


def peeling_parts_needed(stream: list[int], seq_len: int, checksum: int) -> int | None:
    """How many parts of ``stream`` the reference peeling decoder (bc-ur's FountainDecoder: reduce
    by known fragments and by held mixed parts that are subsets, cascade new fragments) takes."""
    known: set[int] = set()
    mixed: set[frozenset[int]] = set()
    for used, seq_num in enumerate(stream, 1):
        queue = [frozenset(choose_fragments(seq_num, seq_len, checksum))]
        while queue:
            part = queue.pop() - known
            for held in list(mixed):
                if held < part:  # against the part as reduced so far
                    part -= held
            if not part or part in mixed:
                continue
            if len(part) == 1:
                known |= part
                touched = [h for h in mixed if part <= h]
                mixed.difference_update(touched)
                queue.extend(touched)
            else:
                supersets = [h for h in mixed if part < h]
                mixed.difference_update(supersets)
                queue.extend(h - part for h in supersets)
                mixed.add(part)
        if len(known) == seq_len:
            return used
    return None


def camera_stream(seq_len: int, rng: random.Random, count: int) -> list[int]:
    """Part numbers a camera reads off a loop of 2 × seq_len parts (pure, then as many fountain
    parts), starting at a random point and missing a fifth of the codes shown."""
    start = rng.randrange(2 * seq_len)
    shown = ((start + k) % (2 * seq_len) + 1 for k in range(20 * seq_len))
    read = [n for n in shown if rng.random() >= 0.2]
    return list(dict.fromkeys(read))[:count]  # repeats of a part read add nothing: distinct parts


def test_decoder_finishes_from_any_subset_that_determines_the_message() -> None:
    rng = random.Random(4)
    message = cbor2.dumps(rng.randbytes(700))
    encoder = UrEncoder("satchel-vp", message, max_fragment_len=60)
    seq_len, checksum = encoder.seq_len, zlib.crc32(message)
    assert seq_len == 12
    for trial in range(20):
        candidates = rng.sample(range(1, 6 * seq_len), k=4 * seq_len)  # any parts, pure or fountain
        masks = [fragment_mask(n, seq_len, checksum) for n in candidates]
        enough = next(k for k in range(1, len(masks) + 1) if gf2_rank(masks[:k]) == seq_len)
        decoder = UrDecoder()
        for k, n in enumerate(candidates[:enough], 1):
            decoder.receive_part(encoder.part(n))
            assert decoder.rank == gf2_rank(masks[:k]) and decoder.is_complete == (k == enough), trial
            assert decoder.progress == pytest.approx(1.0 if k == enough else decoder.rank / seq_len)
        assert decoder.message == message


def test_decoder_needs_fewer_parts_than_peeling_on_camera_streams() -> None:
    """Seeded camera streams off the wallet's loop: elimination finishes at the first part whose
    rank is full, which is never later than peeling and, summed over the seeds, well before it."""
    message = cbor2.dumps(random.Random(9).randbytes(10_000))
    encoder = UrEncoder("satchel-vp", message, max_fragment_len=100)
    seq_len, checksum = encoder.seq_len, zlib.crc32(message)
    assert seq_len == 101
    ours, peeled = [], []
    for seed in range(8):
        stream = camera_stream(seq_len, random.Random(seed), 4 * seq_len)
        decoder = UrDecoder()
        used = 0
        while not decoder.is_complete:
            decoder.receive_part(encoder.part(stream[used]))
            used += 1
        assert decoder.message == message
        masks = [fragment_mask(n, seq_len, checksum) for n in stream]
        assert gf2_rank(masks[:used]) == seq_len > gf2_rank(masks[:used - 1])  # not one part later than needed
        needed = peeling_parts_needed(stream, seq_len, checksum)
        assert needed is not None and used <= needed
        ours.append(used)
        peeled.append(needed)
    # Counted on these seeds: elimination 107–128 parts (1.06–1.27 × seq_len), peeling 114–153 (1.13–1.52 ×).
    assert sum(ours) <= 0.9 * sum(peeled), (ours, peeled)
    assert max(ours) < 1.3 * seq_len, ours


def test_a_part_that_contradicts_the_others_is_refused_and_changes_nothing() -> None:
    message = cbor2.dumps(bytes(range(250)))
    encoder = UrEncoder("satchel-vp", message, max_fragment_len=50)
    seq_len, checksum = encoder.seq_len, zlib.crc32(message)
    decoder = UrDecoder()
    for n in range(1, seq_len):  # every fragment but the last
        decoder.receive_part(encoder.part(n))
    # A fountain part that names only fragments already held, with other bytes: well-formed, consistent
    # in shape, and false.
    n = next(n for n in range(seq_len + 1, 10_000) if seq_len - 1 not in choose_fragments(n, seq_len, checksum))
    forged = _forged_part(n, seq_len, len(message), checksum, bytes(encoder.fragment_len))
    rank, xors = decoder.rank, decoder.row_xors
    with pytest.raises(UrError, match="contradicts the parts read before it"):
        decoder.receive_part(forged)
    assert decoder.rank == rank and not decoder.is_complete
    assert decoder.row_xors - xors <= len(choose_fragments(n, seq_len, checksum))
    decoder.receive_part(encoder.part(n))  # the honest part of that number is still taken
    decoder.receive_part(encoder.part(seq_len))
    assert decoder.message == message


def test_a_forged_part_that_completes_the_code_fails_its_checksum_and_the_code_starts_over() -> None:
    message = cbor2.dumps(bytes(range(250)))
    encoder = UrEncoder("satchel-vp", message, max_fragment_len=50)
    seq_len = encoder.seq_len
    decoder = UrDecoder()
    for n in range(1, seq_len):
        decoder.receive_part(encoder.part(n))
    with pytest.raises(UrError, match="does not match its checksum"):
        decoder.receive_part(_forged_part(seq_len, seq_len, len(message), zlib.crc32(message),
                                          bytes(encoder.fragment_len)))
    assert not decoder.is_complete and decoder.rank == 0 and decoder.received_part_count == 0
    for n in range(seq_len, 0, -1):  # a camera still watching the honest code finishes it
        decoder.receive_part(encoder.part(n))
    assert decoder.message == message


def test_work_on_a_hostile_stream_of_4096_fragments_is_bounded_per_part() -> None:
    """seq_len 4096 (the most Satchel reads), fed a stream of fountain parts, repeats, forged parts
    and parts of another code: each part costs at most (its degree + the rank held) row XORs, a
    repeat or a part of another code none; the rows held never exceed seq_len."""
    message = cbor2.dumps(bytes(random.Random(1).randbytes(40_950)))
    encoder = UrEncoder("satchel-vp", message, max_fragment_len=10)
    seq_len, checksum = encoder.seq_len, zlib.crc32(message)
    assert seq_len == MAX_SEQ_LEN
    other = UrEncoder("satchel-vp", cbor2.dumps(bytes(40_950)), max_fragment_len=10)
    decoder = UrDecoder()
    rng = random.Random(2)
    taken: list[int] = []
    budget = 0
    for step in range(1500):
        kind = rng.choice(["fountain", "fountain", "repeat", "forged", "other"])
        before = decoder.row_xors
        rank = decoder.rank
        if kind == "fountain" or not taken:
            n = rng.randrange(seq_len + 1, 1 << 31)
            decoder.receive_part(encoder.part(n))
            taken.append(n)
            cost = len(choose_fragments(n, seq_len, checksum)) + rank
        elif kind == "repeat":
            assert decoder.receive_part(encoder.part(rng.choice(taken))) is False
            cost = 0
        elif kind == "forged":
            n = rng.randrange(seq_len + 1, 1 << 31)
            try:
                decoder.receive_part(_forged_part(n, seq_len, len(message), checksum, rng.randbytes(10)))
            except UrError:
                pass
            cost = len(choose_fragments(n, seq_len, checksum)) + rank
        else:
            with pytest.raises(UrMismatchError):
                decoder.receive_part(other.part(rng.randrange(1, 1 << 31)))
            cost = 0
        assert decoder.row_xors - before <= cost, (step, kind)
        assert decoder.rank <= seq_len and len(decoder._rows) <= seq_len
        budget += cost
    assert decoder.row_xors <= budget <= 1500 * 2 * seq_len  # the stated bound: 2 × seq_len per part


def test_bytewords_round_trip_every_byte() -> None:
    data = bytes(range(256))
    assert bytewords_decode(bytewords_encode(data).upper()) == data
