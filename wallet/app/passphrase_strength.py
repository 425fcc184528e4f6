"""How strong a new passphrase is, in words a learner acts on.

A rough estimate of guessing effort: length and variety of characters, discounted for
repeats, runs and very common choices. It only gives feedback; the store's key derivation
(Argon2id) does the real protecting.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

MINIMUM_LENGTH = 8
ACCEPTABLE_SCORE = 2  # "Fair" or better may be used

_COMMON = {
    "password", "passw0rd", "123456", "12345678", "123456789", "qwerty", "letmein", "welcome", "iloveyou",
    "admin", "monkey", "dragon", "football", "baseball", "abc123", "111111", "satchel", "badges", "secret",
}
LABELS = ("Too weak", "Weak", "Fair", "Good", "Strong")
HINTS = (
    "Use at least 8 characters; a few unrelated words work well.",
    "Add more words or characters to make it harder to guess.",
    "Acceptable. A longer passphrase would be safer.",
    "Good passphrase.",
    "Strong passphrase.",
)


@dataclass(frozen=True)
class Strength:
    score: int  # 0..4
    label: str
    hint: str
    bits: float

    @property
    def acceptable(self) -> bool:
        return self.score >= ACCEPTABLE_SCORE


def _alphabet_size(text: str) -> int:
    size = 0
    if any(c.islower() for c in text):
        size += 26
    if any(c.isupper() for c in text):
        size += 26
    if any(c.isdigit() for c in text):
        size += 10
    if any(not c.isalnum() and c.isascii() for c in text):
        size += 33
    if any(not c.isascii() for c in text):
        size += 100
    return max(size, 1)


def _effective_length(text: str) -> float:
    """Length with repeated characters and straight runs (abc, 123) counted at a quarter."""
    length = 0.0
    for i, char in enumerate(text):
        if i and (char == text[i - 1] or ord(char) - ord(text[i - 1]) in (1, -1)):
            length += 0.25
        else:
            length += 1
    return length


def estimate_strength(passphrase: str) -> Strength:
    folded = passphrase.lower().strip()
    if len(passphrase) < MINIMUM_LENGTH or folded in _COMMON:
        bits = 0.0 if folded in _COMMON else len(passphrase) * 2.0
        return Strength(0, LABELS[0], HINTS[0], bits)
    bits = _effective_length(passphrase) * math.log2(_alphabet_size(passphrase))
    if any(word in folded for word in _COMMON):
        bits -= 15
    words = [w for w in passphrase.replace("-", " ").split() if len(w) >= 3]
    if len(words) >= 4:
        bits = max(bits, 11.0 * len(words))  # several unrelated words are strong even in lower case
    score = 1 if bits < 40 else 2 if bits < 60 else 3 if bits < 80 else 4
    return Strength(score, LABELS[score], HINTS[score], bits)
