"""A list row's summary of a credential (name, issuer, date, skills), from the engine's reading of
it (:func:`credentials.read_facts`, the one reader both apps use)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from credentials import read_facts

from .models import CredentialDisplay

_MAX_TEXT = 300  # summaries stay small so 10,000 of them decrypt fast
_MAX_SKILLS = 30


def describe_credential(credential: Mapping[str, Any] | None) -> CredentialDisplay:
    facts = read_facts(credential)
    issuer = facts.issuer.label if facts.issuer else ""
    return CredentialDisplay(
        name=(facts.name or facts.kind)[:_MAX_TEXT],
        issuer=issuer[:_MAX_TEXT],
        issued=facts.issued[:_MAX_TEXT] or None,
        skills=tuple(s[:_MAX_TEXT] for s in facts.skills[:_MAX_SKILLS]),
        kind=facts.kind,
        form=facts.form,
    )
