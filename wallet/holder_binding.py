"""Whose badge is this? The credential subject a stored badge names, against the DID this wallet
presents as.

A verifier asks that every credential in a presentation names the presenting holder as its
subject (VCDM 2.0 §4.13 and §5.5 "Subject-Holder Relationships"; the engine's
``presentation.holder`` check, ``holder-mismatch``). The wallet presents as its default profile's
did:key, so the rule here is the verifier's own (``credentials._presentation._subject_checks``):
every ``credentialSubject.id`` must be that DID. A badge naming no id passes that check, and one
naming its learner only by an email address or a hashed identity (OB 2.0 §IdentityObject,
OB 3.0 §B.1.13 IdentityObject) is something the wallet cannot check: "unknown", saying what it names.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, Literal

from wallet.store import CredentialRecord, HolderProfile, Store

__all__ = ["BindingStatus", "HolderBinding", "holder_binding", "offer_advice", "short_id"]

BindingStatus = Literal["holder", "someone-else", "unknown"]

REFUSED = "An employer's verifier will refuse it as not yours."


@dataclass(frozen=True)
class HolderBinding:
    """``subject`` is the id, DID or email the badge names (None when it names none); ``holder`` the
    DID this wallet presents as; ``own_profile`` the label of another of this wallet's profiles when
    the badge names that one; ``message`` one plain sentence or two for the learner."""

    status: BindingStatus
    subject: str | None
    message: str
    holder: str | None = None
    own_profile: str | None = None

    @property
    def someone_else(self) -> bool:
        return self.status == "someone-else"

    def to_json(self) -> dict[str, Any]:
        return {"status": self.status, "subject": self.subject, "message": self.message, "holder": self.holder,
                "ownProfile": self.own_profile}


def short_id(identifier: str, width: int = 48) -> str:
    """A long DID cut in the middle, as the verifier's own sentences show it."""
    return identifier if len(identifier) <= width else identifier[: width - 6] + "…" + identifier[-5:]


def _subjects(credential: Mapping[str, Any]) -> list[Mapping[str, Any]]:
    subject = credential.get("credentialSubject")
    return [s for s in (subject if isinstance(subject, list) else [subject]) if isinstance(s, Mapping)]


def _presenting_profile(store: Store, profile_id: str | None) -> HolderProfile | None:
    return store.get_profile(profile_id) if profile_id else store.default_profile()


def holder_binding(store: Store, record: CredentialRecord, *, profile_id: str | None = None) -> HolderBinding:
    """Whether ``record`` names the DID this wallet presents as (``profile_id``'s, else the default
    profile's), someone else, or nobody the wallet can check."""
    credential = record.credential
    if credential is None:
        return HolderBinding("unknown", None, "Satchel could not read whom this badge was issued to.")
    profile = _presenting_profile(store, profile_id)
    ids = [str(s["id"]) for s in _subjects(credential) if isinstance(s.get("id"), str)]
    if not ids:
        return _named_otherwise(credential, profile)
    if profile is None:
        return HolderBinding("unknown", ids[0], f"This badge was issued to {_named(credential, ids[0])}; this "
                             "wallet has no holder identity yet to compare it with.")
    others = [i for i in ids if i != profile.did]
    if not others:
        return HolderBinding("holder", profile.did, "This badge was issued to you: it names the identity this "
                             "wallet shares as.", profile.did)
    return _someone_else(store, credential, others[0], profile)


def _someone_else(store: Store, credential: Mapping[str, Any], subject: str, profile: HolderProfile) -> HolderBinding:
    own = next((p for p in store.list_profiles() if p.did == subject), None)
    if own is None and "EndorsementCredential" in _as_list(credential.get("type")):  # OB 3.0 §8.4
        return HolderBinding("someone-else", subject, f"This endorsement is about {_named(credential, subject)}, "
                             f"not about this wallet's holder. {REFUSED}", profile.did)
    if own is not None:
        return HolderBinding("someone-else", subject, (
            f"This badge was issued to your profile “{own.label}”, but this wallet shares "
            f"as “{profile.label}”. A verifier will refuse it as not yours until “{own.label}” is the default "
            "profile."), profile.did, own.label)
    return HolderBinding("someone-else", subject,
                         f"This badge was issued to {_named(credential, subject)} (not this wallet). {REFUSED}",
                         profile.did)


def _named(credential: Mapping[str, Any], subject: str) -> str:
    """Who a subject id is, in words: the name the badge gives that subject, else "someone else" (the DID
    itself is for Technical details, not for the sentence a learner reads)."""
    for entry in _subjects(credential):
        name = entry.get("name")
        if entry.get("id") == subject and isinstance(name, str) and name.strip():
            return f"“{name.strip()[:80]}”"
    return "someone else"


def _named_otherwise(credential: Mapping[str, Any], profile: HolderProfile | None) -> HolderBinding:
    """No subject id: an OB 2.0 ``recipient`` or OB 3.0 ``identifier`` IdentityObject, or nothing."""
    holder = profile.did if profile else None
    recipient = credential.get("recipient")
    identities = [recipient] if isinstance(recipient, Mapping) else [
        i for s in _subjects(credential) for i in _as_list(s.get("identifier")) if isinstance(i, Mapping)]
    for identity in identities:
        kind = str(identity.get("identityType") or identity.get("type") or "identity")  # OB 3.0, else OB 2.0
        value = identity.get("identity") if isinstance(recipient, Mapping) else identity.get("identityHash")
        if not isinstance(value, str) or not value:
            continue
        what = _identity_kind(kind)
        if _is_hashed(identity.get("hashed")):
            return HolderBinding("unknown", value, (
                f"This badge names its recipient by a hashed {what}, which Satchel cannot match to you; a "
                f"verifier compares it with the {what} you give them."), holder)
        return HolderBinding("unknown", value, f"This badge was issued to the {what} {short_id(value)}, which Satchel "
                             "cannot check is yours; a verifier compares it with the one you give them.", holder)
    return HolderBinding("unknown", None, "This badge does not say whom it was issued to, so a verifier cannot "
                         "tell whose it is.", holder)


def _as_list(value: Any) -> list[Any]:
    return value if isinstance(value, list) else [] if value is None else [value]


def _is_hashed(flag: Any) -> bool:
    return flag is True or (isinstance(flag, str) and flag.lower() == "true")


def _identity_kind(kind: str) -> str:
    """OB 2.0 ``type`` ("email", "url", "telephone") and OB 3.0 ``identityType`` ("emailAddress",
    "phoneNumber", "sourcedId"...) in words."""
    lowered = kind.lower()
    if "mail" in lowered:
        return "email address"
    if "phone" in lowered:
        return "phone number"
    if lowered == "url":
        return "web address"
    return "identifier"


def offer_advice(*, collect: str, identity: str | None) -> str:
    """How to get the badge issued to this wallet instead: an OpenID4VCI credential offer (the
    pre-authorized code flow binds the credential to the wallet's own DID, OID4VCI 1.0 §8.2), or the
    holder's identity given to the issuer. ``collect`` says where an offer link goes in this interface,
    ``identity`` where the learner finds that identity (the CLI prints the DID itself; the app points to
    Settings, keeping DIDs off its main screens)."""
    own = f" ({identity})" if identity else ""
    return (f"Ask the issuer to send it through an offer to this wallet: they give you an offer link "
            f"(openid-credential-offer://…) and {collect}, issued to you. Or give the issuer this wallet's "
            f"identity{own} to issue it to.")
