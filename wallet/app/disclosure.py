"""What the other side will see of a badge, in words a person reads: the Share screen's "What they
will see" and the request screen's "What they will receive" both start here. The raw fields
(``urn:uuid:…``, ``type: [...]``, ISO dates, DIDs) stay under "Technical details".

A signed credential travels whole (a field left out would break the issuer's signature), so these
lines say what is in it, not a choice of what to send.
"""

from __future__ import annotations

from datetime import datetime

from wallet.holder_binding import HolderBinding, holder_binding
from wallet.share.presentation import badge_itself
from wallet.store import CredentialRecord, ShareEntry, Store

from .badge_facts import BadgeFacts, badge_facts, date_and_time, short_date
from .state import ShareLine

PRESENTED_BY_YOU = "presented by you, signed with this wallet's key"
# An Open Badges 2.0 badge goes in a QR code on its own (wallet.share.presentation.badge_itself).
SHOWN_ALONE = ("shown as the badge itself: Open Badges 2.0 has no way to prove you are the person it "
               "names, so the verifier sees the badge, not that you sent it")


def issued_to_words(binding: HolderBinding, facts: BadgeFacts) -> str:
    """Whom the badge names, as a person says it: "You" when it names this wallet's own DID
    (``wallet.holder_binding``), else the subject's name; a DID only ever under "Technical details"."""
    if binding.status == "holder":
        return "You"
    if binding.own_profile is not None:
        return f"Your profile “{binding.own_profile}”"
    name = facts.recipient_name
    if binding.someone_else:
        return name or "Someone else (not this wallet)"
    if facts.recipient == "hashed identity":
        return "A hidden (hashed) email address or other identifier"
    if name and not name.startswith("did:"):
        return name
    return "Not stated" if binding.subject is None else "Someone not named in words"


def included(facts: BadgeFacts) -> list[str]:
    """The parts of a badge it carries, named as a learner would."""
    return [label for label, present in (
        ("what it certifies", facts.description or facts.criteria),
        ("your results", facts.results), ("credits", facts.credits_earned), ("the evidence", facts.evidence),
        ("the skills it aligns to", facts.alignments), ("the badge picture", facts.image_ref),
    ) if present]


def dates_line(facts: BadgeFacts) -> str:
    issued, until = short_date(facts.issued), short_date(facts.valid_until)
    if issued and until:
        return f"issued {issued}, valid until {until}"
    if issued:
        return f"issued {issued}, no expiry date"
    return f"valid until {until}" if until else ""


def badge_summary(store: Store, record: CredentialRecord) -> tuple[str, tuple[str, ...]]:
    """A badge's title line ("“Wound care basics” from Riverside College") and the plain lines
    under it: what it includes, its dates, whom it names, who presents it."""
    facts = badge_facts(record.credential, record.report)
    title = f"“{facts.name}” from {facts.issuer.name if facts.issuer else 'an unknown issuer'}"
    lines = []
    parts = included(facts)
    if parts:
        lines.append("includes " + ", ".join(parts))
    dates = dates_line(facts)
    if dates:
        lines.append(dates)
    if facts.recipient or facts.recipient_name:
        issued_to = issued_to_words(holder_binding(store, record), facts)
        lines.append("issued to you" if issued_to == "You" else f"issued to {issued_to}")
    lines.append(SHOWN_ALONE if badge_itself(record) is not None else PRESENTED_BY_YOU)
    return title, tuple(lines)


def disclosure_lines(store: Store, record: CredentialRecord) -> list[str]:
    """The Share screen's lines: the title, then its plain lines indented under it."""
    title, lines = badge_summary(store, record)
    return [title, *(f"  {line}" for line in lines)]


# -- the share history ---------------------------------------------------------------------------

def share_way(entry: ShareEntry) -> str:
    """How it was shared, from what ``wallet.share`` recorded (``details["channel"]``)."""
    channel = entry.details.get("channel")
    if channel == "qr":
        return "QR code"
    if channel == "link":
        return "Link"
    return "Answer to a request" if channel == "request" else "Shared"


def withdrawable(entry: ShareEntry) -> bool:
    """Only a share stored on the verifier's relay can be called back (its link stops working);
    a QR code or a link that carries the badges itself is in the other side's hands once shown."""
    return entry.details.get("kind") == "relay"


def share_line(entry: ShareEntry, names: list[str], now: datetime) -> ShareLine:
    return ShareLine(
        id=entry.id, credential_name=", ".join(names), recipient=entry.recipient,
        shared_at=date_and_time(entry.shared_at),
        expires_at=date_and_time(entry.expires_at) if entry.expires_at else "",
        active=entry.is_active(now), way=share_way(entry), withdrawable=withdrawable(entry),
    )
