"""What the OpenID4VP consent screen shows (Share → Answer a request, for an ``openid4vp://``
request): who asks and how sure Satchel is of it, and per badge exactly which claims go, the
optional ones with a tick the learner may take away. Plain frozen data, built from the wallet's
:class:`wallet.share.OpenId4VpPreview`; the view only reads it."""

from __future__ import annotations

from collections.abc import Collection, Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING
from urllib.parse import urlsplit

if TYPE_CHECKING:
    from wallet.share import CredentialChoice, OpenId4VpPreview

__all__ = ["ConsentBadge", "ConsentClaim", "OpenId4VpConsent", "consent_of"]

FORMAT_WORDS = {"dc+sd-jwt": "SD-JWT credential", "ldp_vc": "signed badge (Data Integrity)",
                "jwt_vc_json": "signed badge (JWT)"}
NAMED = {"given_name": "given name", "family_name": "family name", "credentialSubject.id": "issued to",
         "credentialSubject": "about you", "vct": "credential type", "iss": "issuer", "iat": "issued at"}


def claim_words(label: str) -> str:
    """``credentialSubject.achievement.name`` → ``achievement › name``."""
    if label in NAMED:
        return NAMED[label]
    steps = [s for s in label.removeprefix("credentialSubject").split(".") if s]
    return " › ".join(NAMED.get(s, s.replace("_", " ")) for s in steps) or label


@dataclass(frozen=True)
class ConsentClaim:
    index: int  # the claim's position in its Credential Query (what the service withholds)
    label: str  # in words: "achievement › name"
    value: str
    optional: bool
    sent: bool  # ticked


@dataclass(frozen=True)
class ConsentBadge:
    query_id: str
    name: str
    issuer: str
    kind: str  # the format in words
    claims: tuple[ConsentClaim, ...]
    whole: bool  # goes whole: every claim in it is seen
    always: tuple[str, ...]  # in words: what goes whatever is unticked
    found: bool = True


@dataclass(frozen=True)
class OpenId4VpConsent:
    verifier_name: str
    confirmed: bool
    note: str  # how sure Satchel is of who asks, in words for the main screen
    how: str  # why it is (or is not) confirmed, naming the DID or certificate (technical details)
    client_id: str  # technical details
    address: str  # where the answer goes (technical details)
    encrypted: bool  # direct_post.jwt
    badges: tuple[ConsentBadge, ...]
    satisfied: bool
    warnings: tuple[str, ...] = ()


def issuer_words(issuer: str) -> str:
    """An issuer as a person reads it: its name; a bare DID is no name (issue 17: identifiers are detail)."""
    if not issuer:
        return "Unknown issuer"
    if issuer.startswith("did:"):
        return "an issuer that gives no name"
    return urlsplit(issuer).hostname or issuer if issuer.startswith(("https://", "http://")) else issuer


def _badge(choice: CredentialChoice, withheld: Collection[int]) -> ConsentBadge:
    if choice.credential_id is None:
        return ConsentBadge(choice.query_id, "", "", FORMAT_WORDS.get(choice.format, choice.format), (), False, (),
                            found=False)
    claims = tuple(ConsentClaim(c.index, claim_words(c.label), c.value, c.optional, c.index not in withheld)
                   for c in choice.claims)
    return ConsentBadge(choice.query_id, choice.name or "Untitled badge", issuer_words(choice.issuer),
                        FORMAT_WORDS.get(choice.format, choice.format), claims, choice.whole,
                        tuple(claim_words(a) for a in choice.always))


def _note(confirmed: bool, prefix: str) -> str:
    if confirmed and prefix == "x509_san_dns":
        return "Confirmed: its request is signed with a certificate your wallet trusts."
    if confirmed:
        return "Confirmed: its request is signed with the key of the identity it names."
    if prefix == "x509_san_dns":
        return "Not confirmed: its certificate is not one your wallet knows, so anyone could have made it."
    return "Not confirmed: the request is not signed; only the address your answer goes to is known."


def consent_of(full: OpenId4VpPreview, current: OpenId4VpPreview,
               withheld: Mapping[str, Collection[int]]) -> OpenId4VpConsent:
    """``full``: the preview with nothing withheld (every claim listed, ticked or not); ``current``:
    with the learner's choice (whether it still answers, and the warnings)."""
    who = full.request.verifier
    return OpenId4VpConsent(
        verifier_name=who.named, confirmed=who.confirmed, note=_note(who.confirmed, who.prefix), how=who.how,
        client_id=who.client_id,
        address=who.address, encrypted=full.request.response_mode == "direct_post.jwt",
        badges=tuple(_badge(c, withheld.get(c.query_id, ())) for c in full.choices),
        satisfied=current.satisfied, warnings=current.warnings)
