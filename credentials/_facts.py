"""What a credential says, as one frozen model: the one reader both apps use.

``read_facts(doc)`` reads an Open Badges 3.0 / VCDM 2.0 or 1.1 credential
(``credentialSubject.achievement``), an SD-JWT VC's disclosed claims, a CLR 2.0 ``ClrCredential``
(its own name, and each of its credentials as ``parts``), a VC-JWT payload (the ``vc`` claim, with
``iss`` / ``nbf``) and an Open Badges 2.0 assertion with its BadgeClass embedded. It never verifies anything and never
fetches: give it what verification read (``VerificationReport.credential``), so that what a screen
shows is what was signed (the signed-spelling gate, ``credentials._jsonld._spelling``).

Missing parts are empty strings or tuples; how to word an absence ("Untitled badge") is the app's
choice. Dates stay as written (ISO 8601); formatting them is the app's choice too.

Fields follow the OB 3.0 data model (1EdTech Open Badges 3.0 §B.1: ``Achievement``, ``Alignment``,
``Evidence``, ``Result`` / ``ResultDescription``, ``Profile``) and CLR 2.0 (``ClrSubject``).
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from ._net import Fetcher

__all__ = ["Alignment", "Evidence", "Facts", "Party", "Result", "embed_badge_class", "read_facts", "split_criteria"]

_MAX_TEXT = 4_000  # a screen shows a summary; a hostile 5 MB name stops here
_MAX_ITEMS = 200  # alignments, results, evidence... per credential
_MAX_PARTS = 200  # credentials inside a CLR
_GENERIC_TYPES = {"VerifiableCredential", "Assertion", "BadgeClass"}


@dataclass(frozen=True)
class Alignment:
    """A competency the achievement aligns to (OB 3.0 ``Alignment``; OB 2.0 ``AlignmentObject``)."""

    name: str
    framework: str = ""
    code: str = ""
    description: str = ""
    url: str = ""


@dataclass(frozen=True)
class Evidence:
    name: str
    narrative: str = ""
    genre: str = ""
    url: str = ""  # only an http(s) URL: a link a person can open


@dataclass(frozen=True)
class Result:
    """One result of the subject (OB 3.0 ``Result``), labelled by its ``ResultDescription``."""

    label: str  # the description's name, or ""
    value: str  # value, status or achieved level, as written


@dataclass(frozen=True)
class Party:
    """An issuer (or endorser) as the credential names it. The name is self-asserted: only a trust
    list (``TrustList``, the ``issuer.known`` check) vouches for it."""

    name: str
    id: str
    url: str = ""

    @property
    def label(self) -> str:
        return self.name or self.id


@dataclass(frozen=True)
class Facts:
    form: str  # "Open Badge 3.0", "Open Badge 2.0", "Comprehensive Learner Record", "Endorsement", ...
    kind: str  # the most specific type: "OpenBadgeCredential", "ClrCredential", "Assertion"
    name: str  # the achievement's name (a CLR: its own name)
    description: str = ""
    achievement_type: str = ""
    achievement_id: str = ""
    criteria: str = ""  # the criteria narrative without its bullet list
    criteria_url: str = ""
    learning_outcomes: tuple[str, ...] = ()  # the criteria's bullet list
    alignments: tuple[Alignment, ...] = ()
    credits_earned: str = ""
    credits_available: str = ""
    field_of_study: str = ""
    code: str = ""  # the achievement's humanCode
    results: tuple[Result, ...] = ()
    evidence: tuple[Evidence, ...] = ()
    issuer: Party | None = None
    issued: str = ""  # validFrom / issuanceDate / awardedDate / issuedOn / JWT nbf, as written
    valid_until: str = ""  # validUntil / expirationDate / expires / JWT exp
    subject_id: str = ""  # credentialSubject.id (a DID, a URL); OB 2.0: the plain recipient identity
    subject_name: str = ""  # the subject's own name, or a plain (unhashed) identifier
    recipient_hashed: bool = False  # OB 2.0 / OB 3.0 identifier given only as a salted hash
    endorsers: tuple[str, ...] = ()
    tags: tuple[str, ...] = ()
    related_achievement_ids: tuple[str, ...] = ()
    image: str = ""  # URL or data: URI of the badge image
    parts: tuple[Facts, ...] = ()  # a CLR's credentials, in its order

    @property
    def skills(self) -> tuple[str, ...]:
        """Competency names, tags and the achievement type, once each (what search matches)."""
        found = [a.name for a in self.alignments] + list(self.tags) + [self.achievement_type]
        return tuple(dict.fromkeys(s for s in found if s))


def read_facts(doc: Mapping[str, Any] | None, *, fetcher: Fetcher | None = None) -> Facts:
    """What ``doc`` says (see the module docstring); an unreadable ``doc`` gives empty facts.

    With a ``fetcher``, an OB 2.0 assertion that names its BadgeClass by URL is read with the
    BadgeClass (:func:`embed_badge_class`); verification has just fetched it, so a caching fetcher
    answers from memory. Without one, nothing is fetched and the badge's name stays empty.
    """
    if fetcher is not None and isinstance(doc, Mapping):
        doc = embed_badge_class(doc, fetcher)
    if not isinstance(doc, Mapping):
        return Facts(form="", kind="", name="")
    jwt_issuer, jwt_issued, jwt_until = "", "", ""
    if isinstance(doc.get("vc"), Mapping):  # a VC-JWT payload (VC-JWT 1.1 §6.3.1: iss, nbf, exp)
        jwt_issuer = text_of(doc.get("iss"))
        jwt_issued, jwt_until = _epoch(doc.get("nbf") or doc.get("iat")), _epoch(doc.get("exp"))
        doc = doc["vc"]
    if isinstance(doc.get("vct"), str):  # an SD-JWT VC's disclosed claims (draft-ietf-oauth-sd-jwt-vc)
        return _sd_jwt_vc_facts(doc)
    badge = doc.get("badge")
    if isinstance(badge, Mapping):
        return _ob2_facts(doc, badge)
    facts = _vc_facts(doc)
    if jwt_issuer or jwt_issued or jwt_until:
        from dataclasses import replace

        facts = replace(facts, issuer=facts.issuer or Party(name="", id=jwt_issuer),
                        issued=facts.issued or jwt_issued, valid_until=facts.valid_until or jwt_until)
    return facts


def embed_badge_class(assertion: Mapping[str, Any], fetcher: Fetcher) -> Mapping[str, Any]:
    """An OB 2.0 assertion with its BadgeClass, and the BadgeClass's issuer Profile, embedded in
    place of their URLs (OB 2.0 §Assertion.badge, §BadgeClass.issuer: "IRI or document"). Anything
    else, or what cannot be fetched, is returned as it is: this is for reading, never for trust."""
    from ._errors import SatchelError

    badge = assertion.get("badge")
    if not isinstance(badge, str) or not badge.startswith(("https://", "http://")):
        return assertion
    try:
        badge_class = fetcher.get_json(badge)
        if not isinstance(badge_class, dict):
            return assertion
        issuer = badge_class.get("issuer")
        if isinstance(issuer, str) and issuer.startswith(("https://", "http://")):
            profile = fetcher.get_json(issuer)
            if isinstance(profile, dict):
                badge_class = {**badge_class, "issuer": profile}
    except SatchelError:
        return assertion
    return {**assertion, "badge": badge_class}


# -- readers ------------------------------------------------------------------------------------

def _vc_facts(doc: Mapping[str, Any]) -> Facts:
    types = _types(doc)
    subject = first_mapping(doc.get("credentialSubject"))
    is_clr = "ClrCredential" in types
    # A ClrSubject's ``achievement`` lists the achievements the record holds (CLR 2.0 §ClrSubject), none of
    # which is the record itself: their criteria, alignments and credits belong to its parts, not to it.
    achievement = {} if is_clr else first_mapping(subject.get("achievement"))
    criteria = achievement.get("criteria")
    prose, outcomes = split_criteria(text_of(criteria.get("narrative")) if isinstance(criteria, Mapping) else "")
    name = text_of(doc.get("name")) if is_clr else ""
    return Facts(
        form=_form(types),
        kind=_kind(types),
        name=name or text_of(achievement.get("name")) or text_of(doc.get("name")),
        description=(text_of(doc.get("description")) if is_clr else "")
        or text_of(achievement.get("description")) or text_of(doc.get("description")),
        achievement_type=text_of(achievement.get("achievementType")),
        achievement_id=text_of(achievement.get("id")),
        criteria=prose,
        criteria_url=text_of(criteria.get("id")) if isinstance(criteria, Mapping) else "",
        learning_outcomes=outcomes,
        alignments=_alignments(achievement),
        credits_earned=text_of(subject.get("creditsEarned")),
        credits_available=text_of(achievement.get("creditsAvailable")),
        field_of_study=text_of(achievement.get("fieldOfStudy")),
        code=text_of(achievement.get("humanCode")),
        results=_results(subject, achievement),
        evidence=_evidence(doc),
        issuer=_party(doc.get("issuer")),
        issued=text_of(doc.get("validFrom") or doc.get("issuanceDate") or doc.get("awardedDate")),
        valid_until=text_of(doc.get("validUntil") or doc.get("expirationDate")),
        subject_id=text_of(subject.get("id")),
        subject_name=_subject_name(subject),
        recipient_hashed=_hashed_only(subject),
        endorsers=_endorsers(doc, achievement),
        tags=_texts(achievement.get("tag")),
        related_achievement_ids=tuple(text_of(r.get("id")) for r in as_list(achievement.get("related"))[:_MAX_ITEMS]
                                      if isinstance(r, Mapping) and text_of(r.get("id"))),
        image=reference_of(achievement.get("image")) or reference_of(doc.get("image")),
        parts=_clr_parts(subject) if is_clr else (),
    )


def _ob2_facts(assertion: Mapping[str, Any], badge: Mapping[str, Any]) -> Facts:
    criteria = badge.get("criteria")
    prose, outcomes = split_criteria(text_of(criteria.get("narrative")) if isinstance(criteria, Mapping) else "")
    recipient = assertion.get("recipient")
    recipient = recipient if isinstance(recipient, Mapping) else {}
    hashed = bool(recipient.get("hashed"))
    return Facts(
        form="Open Badge 2.0",
        kind=_kind(_types(assertion)) or "Assertion",
        name=text_of(badge.get("name")),
        description=text_of(badge.get("description")),
        achievement_id=text_of(badge.get("id")),
        criteria=prose,
        criteria_url=text_of(criteria.get("id")) if isinstance(criteria, Mapping) else reference_of(criteria),
        learning_outcomes=outcomes,
        alignments=_alignments(badge),
        evidence=_evidence(assertion),
        issuer=_party(badge.get("issuer")),
        issued=text_of(assertion.get("issuedOn")),
        valid_until=text_of(assertion.get("expires")),
        subject_id="" if hashed else text_of(recipient.get("identity")),
        recipient_hashed=hashed,
        endorsers=_endorsers(assertion, badge),
        tags=_texts(badge.get("tags")),
        image=reference_of(assertion.get("image")) or reference_of(badge.get("image")),
    )


def _sd_jwt_vc_facts(doc: Mapping[str, Any]) -> Facts:
    """An SD-JWT VC as far as it is disclosed: an OB 3.0-like claim set (``credentialSubject``), or
    flat claims with an ``achievement`` (OB 3.0 names) or ``achieved`` (European Learning Model
    names: ``title``); ``iss`` / ``nbf`` / ``iat`` / ``exp`` as registered JWT claims."""
    from dataclasses import replace

    facts = _vc_facts(doc) if "credentialSubject" in doc else _claim_set_facts(doc)
    return replace(facts, form="SD-JWT VC" if facts.form == "Verifiable Credential" else facts.form,
                   kind=facts.kind if "credentialSubject" in doc else text_of(doc.get("vct")),
                   issuer=facts.issuer or Party(name="", id=text_of(doc.get("iss"))),
                   issued=facts.issued or _epoch(doc.get("nbf") or doc.get("iat")),
                   valid_until=facts.valid_until or _epoch(doc.get("exp")))


def _claim_set_facts(doc: Mapping[str, Any]) -> Facts:
    achievement = first_mapping(doc.get("achievement")) or first_mapping(doc.get("achieved"))
    names = (text_of(doc.get("given_name")), text_of(doc.get("family_name")))
    return Facts(
        form="Verifiable Credential",
        kind="",
        name=text_of(achievement.get("name")) or text_of(achievement.get("title"))
        or text_of(doc.get("name")) or text_of(doc.get("title")),
        description=text_of(achievement.get("description")) or text_of(doc.get("description")),
        achievement_type=text_of(achievement.get("achievementType")),
        achievement_id=text_of(achievement.get("id")),
        alignments=_alignments(achievement),
        issuer=_party(doc.get("issuer")) if isinstance(doc.get("issuer"), Mapping) else None,
        subject_id=text_of(doc.get("sub")),
        subject_name=" ".join(n for n in names if n),
        image=reference_of(achievement.get("image")) or reference_of(doc.get("image")),
    )


def _clr_parts(subject: Mapping[str, Any]) -> tuple[Facts, ...]:
    # CLR 2.0 §B.1.2 ClrSubject.verifiableCredential: the achievements the record holds
    return tuple(read_facts(item) for item in as_list(subject.get("verifiableCredential"))[:_MAX_PARTS]
                 if isinstance(item, Mapping))


# -- pieces -------------------------------------------------------------------------------------

def text_of(value: object) -> str:
    """A display string from a string, a number, a JSON-LD value object, a language map or a list."""
    if isinstance(value, str):
        return value.strip()[:_MAX_TEXT]
    if isinstance(value, bool):
        return ""
    if isinstance(value, int | float):
        return f"{value:g}"
    if isinstance(value, Mapping):
        for key in ("@value", "name", "en", "en-US", "en-GB"):
            if key in value:
                return text_of(value[key])
        return ""
    if isinstance(value, list) and value:
        return text_of(value[0])
    return ""


def as_list(value: object) -> list[Any]:
    if value is None:
        return []
    return value if isinstance(value, list) else [value]


def first_mapping(value: object) -> Mapping[str, Any]:
    for item in as_list(value):
        if isinstance(item, Mapping):
            return item
    return {}


def reference_of(value: object) -> str:
    """The URL (or data: URI) of an image or document given as a string or as ``{"id": ...}``."""
    if isinstance(value, str):
        return value.strip()
    if isinstance(value, Mapping):
        return text_of(value.get("id"))
    return ""


_BULLET = re.compile(r"^\s*[-*\u2022]\s+(.+)$")


def split_criteria(narrative: str) -> tuple[str, tuple[str, ...]]:
    """Criteria text without its bullet list, and the bullets (the learning outcomes)."""
    prose, outcomes = [], []
    for line in narrative.splitlines():
        match = _BULLET.match(line)
        if match:
            outcomes.append(match.group(1).strip())
        else:
            prose.append(line)
    while outcomes and prose and (not prose[-1].strip() or prose[-1].rstrip().endswith(":")):
        prose.pop()  # the "Learning outcomes. The learner can:" line that introduced the list
    return "\n".join(prose).strip(), tuple(outcomes)


def _types(doc: Mapping[str, Any]) -> list[str]:
    return [t for t in as_list(doc.get("type")) if isinstance(t, str)]


def _kind(types: list[str]) -> str:
    specific = [t for t in types if t not in _GENERIC_TYPES]
    return (specific or types or [""])[-1]


def _form(types: list[str]) -> str:
    if "ClrCredential" in types:
        return "Comprehensive Learner Record"
    if "OpenBadgeCredential" in types or "AchievementCredential" in types:
        return "Open Badge 3.0"
    if "EndorsementCredential" in types:
        return "Endorsement"
    return "Verifiable Credential"


def _texts(value: object) -> tuple[str, ...]:
    return tuple(t for t in (text_of(x) for x in as_list(value)[:_MAX_ITEMS]) if t)


def _alignments(holder: Mapping[str, Any]) -> tuple[Alignment, ...]:
    return tuple(
        Alignment(name=text_of(item.get("targetName")), framework=text_of(item.get("targetFramework")),
                  code=text_of(item.get("targetCode")), description=text_of(item.get("targetDescription")),
                  url=text_of(item.get("targetUrl")))
        for item in as_list(holder.get("alignment"))[:_MAX_ITEMS]
        if isinstance(item, Mapping) and text_of(item.get("targetName"))
    )


def _evidence_item(item: object) -> Evidence | None:
    if isinstance(item, str):
        return Evidence(name="", url=item if item.startswith(("https://", "http://")) else "")
    if not isinstance(item, Mapping):
        return None
    ident = text_of(item.get("id"))
    return Evidence(name=text_of(item.get("name")),
                    narrative=text_of(item.get("narrative")) or text_of(item.get("description")),
                    genre=text_of(item.get("genre")),
                    url=ident if ident.startswith(("https://", "http://")) else "")


def _evidence(doc: Mapping[str, Any]) -> tuple[Evidence, ...]:
    found = (_evidence_item(item) for item in as_list(doc.get("evidence"))[:_MAX_ITEMS])
    return tuple(e for e in found if e is not None)


def _party(value: object) -> Party | None:
    if isinstance(value, Mapping):
        return Party(name=text_of(value.get("name")), id=text_of(value.get("id")), url=text_of(value.get("url")))
    if isinstance(value, str) and value.strip():
        return Party(name="", id=value.strip())
    return None


def _endorsers(*holders: Mapping[str, Any]) -> tuple[str, ...]:
    names = []
    for holder in holders:
        for item in as_list(holder.get("endorsement"))[:_MAX_ITEMS]:
            if isinstance(item, Mapping):
                party = _party(item.get("issuer"))
                names.append(party.label if party else "")
    return tuple(dict.fromkeys(names))


def _results(subject: Mapping[str, Any], achievement: Mapping[str, Any]) -> tuple[Result, ...]:
    labels = {text_of(d.get("id")): text_of(d.get("name"))
              for d in as_list(achievement.get("resultDescription"))[:_MAX_ITEMS] if isinstance(d, Mapping)}
    found = []
    for result in as_list(subject.get("result"))[:_MAX_ITEMS]:
        if not isinstance(result, Mapping):
            continue
        value = text_of(result.get("value")) or text_of(result.get("status")) or text_of(result.get("achievedLevel"))
        if value:
            found.append(Result(label=labels.get(text_of(result.get("resultDescription")), ""), value=value))
    return tuple(found)


def _subject_name(subject: Mapping[str, Any]) -> str:
    name = text_of(subject.get("name"))
    if name:
        return name
    # OB 3.0 §B.1.14 IdentityObject: a plain (unhashed) identityHash is the identifier itself
    for ident in as_list(subject.get("identifier"))[:_MAX_ITEMS]:
        if isinstance(ident, Mapping) and not ident.get("hashed") and text_of(ident.get("identityHash")):
            return text_of(ident.get("identityHash"))
    return ""


def _hashed_only(subject: Mapping[str, Any]) -> bool:
    idents = [i for i in as_list(subject.get("identifier"))[:_MAX_ITEMS] if isinstance(i, Mapping)]
    return not subject.get("id") and bool(idents) and all(i.get("hashed") for i in idents)


def _epoch(value: object) -> str:
    if isinstance(value, int | float) and not isinstance(value, bool):
        try:
            return datetime.fromtimestamp(value, UTC).isoformat().replace("+00:00", "Z")
        except (OverflowError, OSError, ValueError):
            return ""
    return ""
