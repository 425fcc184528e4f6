"""The issuer: catalogue + keys + state, issuing every form and changing status.

Everything the HTTP server serves comes from :meth:`Issuer.document`, and the ``sample``
command writes the same documents to files, so the offline sample and the live server agree.
"""

from __future__ import annotations

import hashlib
import json
import secrets
import uuid
from collections.abc import Callable
from dataclasses import dataclass, replace
from datetime import UTC, datetime, timedelta
from typing import Any

from credentials import did_key_from_public_key

from . import ob2
from .badge_art import badge_png, badge_svg
from .catalogue import Achievement, image_path, load_catalogue
from .clr import as_achievement_credential, clr_credential, parent_associations
from .forms import SignedArtifact, baked_png, baked_svg, data_integrity, json_bytes, ob3_vc_jwt, vc_jose
from .keys import ED25519_2020_FRAGMENT, ED25519_FRAGMENT, P256_FRAGMENT, did_key_method, issuer_keys
from .ob3 import (
    OB3_CONTEXT,
    OB3_CONTEXT_UNVERSIONED,
    StatusRef,
    Validity,
    endorsement_credential,
    issuer_profile,
    open_badge_credential,
    status_list_2021_credential,
    status_list_credential,
    xsd,
)
from .pathways import PathwaySpec, earn_page, load_pathways, pathway_document, pathways_of
from .state import STATUS_PURPOSES, IssuedRecord, State, StateError

DEFAULT_BASE_URL = "http://127.0.0.1:8765"
ISSUER_NAME = "Riverside Community College Health Careers (Satchel demo issuer)"
ENDORSER_NAME = "Ontario Personal Support Worker Association (demo endorser)"


@dataclass(frozen=True)
class Form:
    """One issuable form; ``stem`` + ``extension`` is its file name in the sample."""

    name: str
    stem: str
    extension: str
    media_type: str
    statusable: bool = True


_FORMS = [
    Form("ob3-v2-eddsa-rdfc-2022", "ob3-v2-eddsa-rdfc-2022", "json", "application/vc+ld+json"),
    Form("ob3-v2-eddsa-jcs-2022", "ob3-v2-eddsa-jcs-2022", "json", "application/vc+ld+json"),
    Form("ob3-v2-1edtech-revocation-list", "ob3-v2-eddsa-rdfc-2022-1edtech-revocation-list", "json",
         "application/vc+ld+json"),
    Form("ob3-v2-refreshable", "ob3-v2-eddsa-rdfc-2022-refreshable", "json", "application/vc+ld+json"),
    Form("ob3-v1-ed25519signature2020", "ob3-v1-ed25519signature2020", "json", "application/ld+json"),
    Form("ob3-v1-statuslist2021", "ob3-v1-ed25519signature2020-statuslist2021", "json", "application/ld+json"),
    Form("ob3-v1-ed25519signature2020-didkey", "ob3-v1-ed25519signature2020-didkey", "json",
         "application/ld+json", statusable=False),
    Form("ob3-vc-jwt", "ob3-vc-jwt", "jwt", "application/jwt"),
    Form("ob3-vc-jose", "ob3-vc-jose", "jwt", "application/vc+jwt"),
    Form("ob3-png", "ob3-v2-eddsa-rdfc-2022", "png", "image/png"),
    Form("ob3-svg", "ob3-v2-eddsa-rdfc-2022", "svg", "image/svg+xml"),
    Form("ob3-endorsement", "ob3-endorsement-v2-eddsa-rdfc-2022", "json", "application/vc+ld+json",
         statusable=False),
    Form("clr-v2-eddsa-rdfc-2022", "clr-v2-eddsa-rdfc-2022", "json", "application/vc+ld+json"),
    Form("ob2-hosted", "ob2-hosted", "json", "application/ld+json"),
    Form("ob2-hosted-png", "ob2-hosted", "png", "image/png"),
    Form("ob2-hosted-svg", "ob2-hosted", "svg", "image/svg+xml"),
    Form("ob2-signed", "ob2-signed", "jws", "application/jose"),
    Form("ob2-signed-png", "ob2-signed", "png", "image/png"),
    Form("ob2-signed-svg", "ob2-signed", "svg", "image/svg+xml"),
]
FORMS: dict[str, Form] = {f.name: f for f in _FORMS}
ONEDTECH_FORM = "ob3-v2-1edtech-revocation-list"
REVOCATION_LIST_FORMS = (ONEDTECH_FORM,)  # revoked by listing the id, not by a status bit
REFRESHABLE_FORM = "ob3-v2-refreshable"  # names a refreshService (GET /refresh/<uuid>)
REFRESH_VALIDITY = timedelta(days=365)
# VCDM 1.1 + Ed25519Signature2020 with a StatusList2021Entry (revocation): the list at /status/2021/revocation
# is a StatusList2021Credential over the same revocation bits as the Bitstring list (indexes are shared).
STATUSLIST2021_FORM = "ob3-v1-statuslist2021"
STATUSLIST2021_PATH = "/status/2021/revocation"
CLR_FORM = "clr-v2-eddsa-rdfc-2022"  # a ClrCredential bundling the achievement and what it stacks
CLR_PART_FORM = "ob3-v2-eddsa-rdfc-2022"  # how each bundled AchievementCredential is recorded


def now_utc() -> datetime:
    return datetime.now(UTC).replace(microsecond=0)


@dataclass(frozen=True)
class Served:
    """A document the server answers a GET with."""

    body: bytes
    media_type: str
    last_modified: str | None = None

    @property
    def etag(self) -> str:
        return '"' + hashlib.sha256(self.body).hexdigest()[:32] + '"'


class Issuer:
    def __init__(self, state: State, base_url: str | None = None, catalogue: dict[str, Achievement] | None = None,
                 clock: Any = now_utc, pathways: dict[str, PathwaySpec] | None = None) -> None:
        self.state = state
        stored = state.get_meta("base_url")
        self.base_url = (base_url or stored or DEFAULT_BASE_URL).rstrip("/")
        if stored != self.base_url:
            state.set_meta("base_url", self.base_url)
        self.catalogue = catalogue if catalogue is not None else load_catalogue()
        # The published pathways (assets/pathways) whose achievements this catalogue has.
        self.pathways = pathways if pathways is not None else load_pathways(self.catalogue)
        self.catalogue = {slug: replace(ach, pathways=tuple(p.slug for p in pathways_of(slug, self.pathways)))
                          for slug, ach in self.catalogue.items()}
        self.clock = clock
        self.keys = issuer_keys(state, self.base_url)
        self.ob2_urls = ob2.Ob2Urls(self.base_url)
        state.ensure_status_lists(xsd(self.clock()))
        self._status_cache: dict[str, tuple[int, bytes]] = {}

    # -- identities -----------------------------------------------------------------------------
    @property
    def did(self) -> str:
        return self.keys.did_web

    def profile(self, did_key: bool = False) -> dict[str, Any]:
        return issuer_profile(self.keys.did_key if did_key else self.did, self.base_url, ISSUER_NAME)

    @property
    def onedtech_list_url(self) -> str:
        return f"{self.base_url}/status/1edtech-revocation-list"

    def refresh_url(self, uid: str) -> str:
        return f"{self.base_url}/refresh/{uid}"

    def status_list_url(self, purpose: str) -> str:
        return f"{self.base_url}/status/{purpose}"

    @property
    def status_list_2021_url(self) -> str:
        return self.base_url + STATUSLIST2021_PATH

    def achievement(self, slug: str) -> Achievement:
        if slug not in self.catalogue:
            raise StateError(404, "unknown_achievement",
                             f"no achievement {slug!r}; known: {', '.join(sorted(self.catalogue))}")
        return self.catalogue[slug]

    def learner_did(self) -> str:
        """A demo learner's did:key (the sample's credential subject)."""
        from .keys import load_or_create_key

        key = load_or_create_key(self.state, "learner-ed25519", "ed25519")
        return did_key_from_public_key(key.public_key())  # type: ignore[arg-type]

    # -- issuing --------------------------------------------------------------------------------
    def issue(self, slug: str, form_name: str, subject_id: str | None = None, *,
              valid_from: datetime | None = None, valid_until: datetime | None = None,
              with_status: bool = True, email: str = "learner@example.org") -> tuple[IssuedRecord, SignedArtifact]:
        """Issue one credential for achievement ``slug`` in the given form and record it."""
        form = FORMS.get(form_name)
        if form is None:
            raise StateError(400, "unknown_form", f"unknown form {form_name!r}; known: {', '.join(FORMS)}")
        ach = self.achievement(slug)
        subject = subject_id or self.learner_did()
        if not subject.startswith(("did:", "http://", "https://", "urn:")):
            raise StateError(400, "bad_subject", "the recipient must be a DID or URL")
        start = valid_from or self.clock()
        validity = Validity(start, valid_until)
        uid = str(uuid.uuid4())
        status = None
        if with_status and form.statusable and form_name not in REVOCATION_LIST_FORMS \
                and not form_name.startswith("ob2"):
            index = self.state.allocate_status_index()
            if form_name == STATUSLIST2021_FORM:
                status = StatusRef(index, (("revocation", self.status_list_2021_url),), "StatusList2021Entry")
            else:
                status = StatusRef(index, tuple((p, self.status_list_url(p)) for p in STATUS_PURPOSES))
        if form_name.startswith("ob2"):
            artifact, record_id = self._issue_ob2(ach, form, uid, email, validity)
        elif form_name == "ob3-endorsement":
            artifact, record_id = self._issue_endorsement(ach, form, uid, validity)
        elif form_name == CLR_FORM:
            artifact, record_id = self._issue_clr(ach, form, uid, subject, validity, status, with_status)
        else:
            artifact, record_id = self._issue_ob3(ach, form, uid, subject, validity, status)
        record = IssuedRecord(record_id, form.name, slug, subject, status.index if status else None,
                              xsd(self.clock()), json.dumps(artifact.credential), False, False)
        self.state.record_credential(record)
        return record, artifact

    def _stacked(self, ach: Achievement, issuer: dict[str, Any]) -> list[dict[str, Any]]:
        from .catalogue import achievement_document

        return [achievement_document(self.catalogue[s], self.base_url, issuer) for s in ach.stacks]

    def _issue_ob3(self, ach: Achievement, form: Form, uid: str, subject: str, validity: Validity,
                   status: StatusRef | None) -> tuple[SignedArtifact, str]:
        v1 = form.name.startswith("ob3-v1")
        did_key = form.name.endswith("-didkey")
        issuer = self.profile(did_key=did_key)
        cred = open_badge_credential(ach, base_url=self.base_url, credential_id=f"urn:uuid:{uid}", issuer=issuer,
                                     subject_id=subject, validity=validity, status=status, v2=not v1,
                                     with_2020_suite=v1, stacked=self._stacked(ach, issuer),
                                     ob_context=OB3_CONTEXT_UNVERSIONED if did_key else OB3_CONTEXT,
                                     revocation_list_url=self.onedtech_list_url if form.name == ONEDTECH_FORM
                                     else None,
                                     refresh_url=self.refresh_url(uid) if form.name == REFRESHABLE_FORM else None)
        if did_key:
            cred = _within_ob300_terms(cred)
        created = validity.valid_from
        if form.name == "ob3-vc-jwt":
            token = ob3_vc_jwt(cred, self.keys.ed25519_key, self.keys.method(ED25519_FRAGMENT), validity.valid_from,
                               validity.valid_until)
            return SignedArtifact(form.name, token.encode(), form.media_type, form.extension, cred), cred["id"]
        if form.name == "ob3-vc-jose":
            token = vc_jose(cred, self.keys.p256_key, self.keys.method(P256_FRAGMENT))
            return SignedArtifact(form.name, token.encode(), form.media_type, form.extension, cred), cred["id"]
        if v1:
            method = did_key_method(self.keys.did_key) if did_key else self.keys.method(ED25519_2020_FRAGMENT)
            signed = data_integrity(cred, "Ed25519Signature2020", self.keys.ed25519_key, method, created)
        else:
            suite = "eddsa-jcs-2022" if form.name == "ob3-v2-eddsa-jcs-2022" else "eddsa-rdfc-2022"
            signed = data_integrity(cred, suite, self.keys.ed25519_key, self.keys.method(ED25519_FRAGMENT), created)
        text = json_bytes(signed)
        if form.extension == "png":
            content = baked_png(self.image_bytes(ach, ".png"), text.decode())
        elif form.extension == "svg":
            content = baked_svg(self.image_bytes(ach, ".svg"), text.decode())
        else:
            content = text
        return SignedArtifact(form.name, content, form.media_type, form.extension, signed), signed["id"]

    def _issue_clr(self, ach: Achievement, form: Form, uid: str, subject: str, validity: Validity,
                   status: StatusRef | None, with_status: bool) -> tuple[SignedArtifact, str]:
        """CLR 2.0: the stacked micro-credentials, then the achievement itself, each issued and
        recorded as its own AchievementCredential (with its own status entries), bundled in a
        ClrCredential with their achievements and how they stack (``isParentOf``)."""
        from .catalogue import achievement_document

        issuer = self.profile()
        spec = next((p for p in self.pathways.values() if p.completes == ach.slug), None)
        if spec is not None:
            return self._issue_progress_clr(spec, form, uid, subject, validity, status)
        slugs = [*ach.stacks, ach.slug]
        parts = []
        for slug in slugs:
            part_ach = self.catalogue[slug]
            part_status = None
            if with_status:
                index = self.state.allocate_status_index()
                part_status = StatusRef(index, tuple((p, self.status_list_url(p)) for p in STATUS_PURPOSES))
            cred = open_badge_credential(part_ach, base_url=self.base_url, credential_id=f"urn:uuid:{uuid.uuid4()}",
                                         issuer=issuer, subject_id=subject, validity=validity, status=part_status,
                                         stacked=self._stacked(part_ach, issuer))
            signed = data_integrity(as_achievement_credential(cred), "eddsa-rdfc-2022", self.keys.ed25519_key,
                                    self.keys.method(ED25519_FRAGMENT), validity.valid_from)
            self.state.record_credential(IssuedRecord(signed["id"], CLR_PART_FORM, slug, subject,
                                                      part_status.index if part_status else None,
                                                      xsd(self.clock()), json.dumps(signed), False, False))
            parts.append(signed)
        achievements = [achievement_document(self.catalogue[s], self.base_url, issuer) for s in slugs]
        parent = achievements[-1]["id"]
        cred = clr_credential(
            credential_id=f"urn:uuid:{uid}", issuer=issuer, subject_id=subject,
            name=f"{ach.name}: learner record", validity=validity, status=status,
            description=f"Comprehensive Learner Record of '{ach.name}'"
                        + (f" and the {len(ach.stacks)} micro-credentials it stacks." if ach.stacks else "."),
            parts=parts, achievements=achievements,
            associations=parent_associations(parent, [a["id"] for a in achievements[:-1]]))
        signed = data_integrity(cred, "eddsa-rdfc-2022", self.keys.ed25519_key, self.keys.method(ED25519_FRAGMENT),
                                validity.valid_from)
        return SignedArtifact(form.name, json_bytes(signed), form.media_type, form.extension, signed), signed["id"]

    def _issue_progress_clr(self, spec: PathwaySpec, form: Form, uid: str, subject: str, validity: Validity,
                            status: StatusRef | None) -> tuple[SignedArtifact, str]:
        """CLR 2.0 as a record of progress on a published pathway: the learner's credentials for
        its parts issued here so far (signed, unrevoked), every part's achievement, and how they
        stack and in which order (``isParentOf`` and ``precedes`` associations, CLR 2.0 §B.1.3)."""
        from .catalogue import achievement_document

        issuer = self.profile()
        doc = pathway_document(spec, self.catalogue, self.base_url, issuer)
        part_slugs = [step.achievement for step in spec.steps]
        earned: dict[str, Any] = {}
        for record in self.state.credentials():
            if record.subject == subject and record.achievement in part_slugs and not record.revoked \
                    and record.form in (CLR_PART_FORM, "ob3-v2-eddsa-jcs-2022"):
                earned.setdefault(record.achievement, json.loads(record.body))
        parts = [earned[slug] for slug in part_slugs if slug in earned]
        # the completing achievement first: a reader that takes a CLR's first achievement as its own
        # (credentials.read_facts) shows the certificate, not one of its parts
        achievements = [achievement_document(self.catalogue[s], self.base_url, issuer)
                        for s in [spec.completes, *part_slugs]]
        cred = clr_credential(
            credential_id=f"urn:uuid:{uid}", issuer=issuer, subject_id=subject,
            name=f"{spec.name}: learner record", validity=validity, status=status,
            description=f"Comprehensive Learner Record of the '{spec.name}' pathway: {len(parts)} of "
                        f"{len(part_slugs)} parts earned.",
            parts=parts, achievements=achievements, associations=doc["association"])
        signed = data_integrity(cred, "eddsa-rdfc-2022", self.keys.ed25519_key, self.keys.method(ED25519_FRAGMENT),
                                validity.valid_from)
        return SignedArtifact(form.name, json_bytes(signed), form.media_type, form.extension, signed), signed["id"]

    def _issue_endorsement(self, ach: Achievement, form: Form, uid: str,
                           validity: Validity) -> tuple[SignedArtifact, str]:
        endorser_did = self.keys.endorser_did
        endorser = issuer_profile(endorser_did, "https://psw-association.example", ENDORSER_NAME)
        cred = endorsement_credential(
            credential_id=f"urn:uuid:{uid}", endorser=endorser,
            endorsed_id=f"{self.base_url}/achievements/{ach.slug}",
            comment=f"The association recognises '{ach.name}' as meeting its entry-to-practice expectations.",
            validity=validity)
        signed = data_integrity(cred, "eddsa-rdfc-2022", self.keys.endorser_key, did_key_method(endorser_did),
                                validity.valid_from)
        return SignedArtifact(form.name, json_bytes(signed), form.media_type, form.extension, signed), signed["id"]

    def _issue_ob2(self, ach: Achievement, form: Form, uid: str, email: str,
                   validity: Validity) -> tuple[SignedArtifact, str]:
        signed = form.name.startswith("ob2-signed")
        aid = f"urn:uuid:{uid}" if signed else self.ob2_urls.assertion(uid)
        doc = ob2.assertion(self.ob2_urls, ach, assertion_id=aid, email=email, salt=secrets.token_hex(8),
                            issued_on=xsd(validity.valid_from),
                            expires=xsd(validity.valid_until) if validity.valid_until else None, signed=signed)
        payload = ob2.sign_assertion(doc, self.keys.rsa_key) if signed else json_bytes(doc).decode()
        if form.extension == "png":
            content = baked_png(self.image_bytes(ach, ".png"), payload, ob_version="2.0")
        elif form.extension == "svg":
            content = baked_svg(self.image_bytes(ach, ".svg"), payload, ob_version="2.0",
                                verify_url=None if signed else aid)
        else:
            content = payload.encode()
        return SignedArtifact(form.name, content, form.media_type, form.extension, doc), aid

    def image_bytes(self, ach: Achievement, suffix: str) -> bytes:
        path = image_path(ach, suffix)
        if path is not None:
            return path.read_bytes()
        return badge_png(ach.name) if suffix == ".png" else badge_svg(ach.name)

    # -- status ---------------------------------------------------------------------------------
    def find(self, credential_id: str) -> IssuedRecord:
        """By full id, or by the bare uuid / last path segment of it."""
        for candidate in (credential_id, f"urn:uuid:{credential_id}", self.ob2_urls.assertion(credential_id)):
            try:
                return self.state.credential(candidate)
            except StateError:
                continue
        raise StateError(404, "unknown_credential", f"no credential {credential_id!r} was issued here")

    def change_status(self, credential_id: str, action: str) -> IssuedRecord:
        """``revoke`` / ``suspend`` / ``reinstate`` (Bitstring Status List §2.1 purposes)."""
        record = self.find(credential_id)
        form = FORMS[record.form]
        if action not in ("revoke", "suspend", "reinstate"):
            raise StateError(400, "unknown_action", f"unknown status action {action!r}")
        listed = record.form.startswith("ob2") or record.form in REVOCATION_LIST_FORMS
        if listed and action != "revoke":
            raise StateError(409, "not_suspendable", "a revocation list can revoke, not suspend")
        if record.form == STATUSLIST2021_FORM and action != "revoke":
            raise StateError(409, "not_suspendable", "this credential names a StatusList2021 revocation list "
                             "only: it can be revoked, not suspended")
        if not listed and (not form.statusable or record.status_index is None):
            raise StateError(409, "no_status", "this credential names no status list, so it cannot change")
        purpose, value = {"revoke": ("revocation", True), "suspend": ("suspension", True),
                          "reinstate": ("suspension", False)}[action]
        return self.state.change_status(record.id, purpose, value, xsd(self.clock()))

    def signed_status_list(self, purpose: str) -> bytes:
        """The BitstringStatusListCredential for ``purpose``, re-signed only when a bit changed."""
        record = self.state.status_list(purpose)
        cached = self._status_cache.get(purpose)
        if cached and cached[0] == record.version:
            return cached[1]
        updated = datetime.fromisoformat(record.updated.replace("Z", "+00:00"))
        doc = status_list_credential(list_url=self.status_list_url(purpose), issuer_id=self.did, purpose=purpose,
                                     bits=record.bits, valid_from=updated)
        body = json_bytes(data_integrity(doc, "eddsa-rdfc-2022", self.keys.ed25519_key,
                                         self.keys.method(ED25519_FRAGMENT), updated))
        self._status_cache[purpose] = (record.version, body)
        return body

    def signed_status_list_2021(self) -> bytes:
        """The StatusList2021Credential (revocation) at /status/2021/revocation, VCDM 1.1 signed with
        Ed25519Signature2020; re-signed only when a revocation bit changed."""
        record = self.state.status_list("revocation")
        cached = self._status_cache.get(STATUSLIST2021_PATH)
        if cached and cached[0] == record.version:
            return cached[1]
        updated = datetime.fromisoformat(record.updated.replace("Z", "+00:00"))
        doc = status_list_2021_credential(list_url=self.status_list_2021_url, issuer_id=self.did,
                                          purpose="revocation", bits=record.bits, issued=updated)
        body = json_bytes(data_integrity(doc, "Ed25519Signature2020", self.keys.ed25519_key,
                                         self.keys.method(ED25519_2020_FRAGMENT), updated))
        self._status_cache[STATUSLIST2021_PATH] = (record.version, body)
        return body

    def refreshed(self, uid: str) -> Served | None:
        """1EdTech Verifiable Credential Refresh Service 1.0: the credential behind ``/refresh/<uid>``
        as it would be issued now: same id, subject and status entries, valid for another
        :data:`REFRESH_VALIDITY` from now, signed afresh (eddsa-rdfc-2022)."""
        try:
            record = self.state.credential(f"urn:uuid:{uid}")
        except StateError:
            return None
        if record.form != REFRESHABLE_FORM:
            return None
        stored = json.loads(record.body)
        now = self.clock()
        doc = {k: v for k, v in stored.items() if k != "proof"}
        doc["validUntil"] = xsd(now + REFRESH_VALIDITY)  # VCDM 2.0 §4.9
        signed = data_integrity(doc, "eddsa-rdfc-2022", self.keys.ed25519_key, self.keys.method(ED25519_FRAGMENT),
                                now)
        return Served(json_bytes(signed), "application/vc+ld+json")

    # -- documents the server hosts --------------------------------------------------------------
    def document(self, path: str) -> Served | None:
        """The document at ``path`` (no query), or None: an exact route first (the revocation
        lists live under ``/status/`` too), then the first prefix that matches."""
        exact = self._exact_document(path)
        if exact is not None:
            return exact
        prefixed: tuple[tuple[str, Callable[[str], Served | None]], ...] = (
            ("/status/", self._status_list_document),
            ("/images/", self._image),
            ("/achievements/", self._achievement_document),
            ("/ob2/", lambda rest: self._ob2_document("/ob2/" + rest)),
            ("/refresh/", self.refreshed),
            ("/pathways/", self._pathway_document),
            ("/earn/", self._earn_page),
        )
        for prefix, serve in prefixed:
            if path.startswith(prefix):
                return serve(path.removeprefix(prefix))
        return None

    def _exact_document(self, path: str) -> Served | None:
        """The did:web document and the two revocation lists with a path of their own, or None."""
        if path == "/.well-known/did.json":
            return Served(json_bytes(self.keys.did_document()), "application/did+json")
        if self.base_url + path == self.onedtech_list_url:
            return self._onedtech_revocation_list()
        if path == STATUSLIST2021_PATH:
            record = self.state.status_list("revocation")
            return Served(self.signed_status_list_2021(), "application/ld+json", record.updated)
        return None

    def _onedtech_revocation_list(self) -> Served:
        """1EdTech Revocation List Status Method 1.0 §3: the list document."""
        revoked = [{"id": r.id, "revocationReason": "Revoked by the issuer."} for r in self.state.credentials()
                   if r.form in REVOCATION_LIST_FORMS and r.revoked]
        return Served(json_bytes({"id": self.onedtech_list_url, "issuer": self.did,
                                  "revokedCredentials": revoked}), "application/json")

    def _status_list_document(self, purpose: str) -> Served | None:
        """``/status/<purpose>``: the signed Bitstring Status List for a purpose the issuer keeps."""
        if purpose not in STATUS_PURPOSES:
            return None
        record = self.state.status_list(purpose)
        return Served(self.signed_status_list(purpose), "application/vc+ld+json", record.updated)

    def _achievement_document(self, slug: str) -> Served | None:
        if slug not in self.catalogue:
            return None
        from .catalogue import achievement_document

        return Served(json_bytes(achievement_document(self.catalogue[slug], self.base_url, self.profile())),
                      "application/json")

    def _pathway_document(self, slug: str) -> Served | None:
        spec = self.pathways.get(slug)
        if spec is None:
            return None
        return Served(json_bytes(pathway_document(spec, self.catalogue, self.base_url, self.profile())),
                      "application/json")

    def _earn_page(self, slug: str) -> Served | None:
        if slug not in self.catalogue:
            return None
        ach = self.catalogue[slug]
        return Served(earn_page(ach, self.base_url, pathways_of(slug, self.pathways)), "text/html; charset=utf-8")

    def _image(self, name: str) -> Served | None:
        slug, _, ext = name.rpartition(".")
        if slug not in self.catalogue or ext not in ("png", "svg"):
            return None
        return Served(self.image_bytes(self.catalogue[slug], "." + ext), "image/png" if ext == "png"
                      else "image/svg+xml")

    def _ob2_document(self, path: str) -> Served | None:
        urls = self.ob2_urls
        url = self.base_url + path
        if url == urls.issuer:
            return Served(json_bytes(ob2.issuer_profile(urls, ISSUER_NAME)), "application/ld+json")
        if url == urls.key:
            from .keys import public_pem

            return Served(json_bytes(ob2.cryptographic_key(urls, public_pem(self.keys.rsa_key))), "application/ld+json")
        if url == urls.revocation_list:
            revoked = [r.id for r in self.state.credentials() if r.form.startswith("ob2-signed") and r.revoked]
            return Served(json_bytes(ob2.revocation_list(urls, revoked)), "application/ld+json")
        if path.startswith("/ob2/badges/"):
            slug = path.removeprefix("/ob2/badges/")
            return Served(json_bytes(ob2.badge_class(urls, self.catalogue[slug])), "application/ld+json") \
                if slug in self.catalogue else None
        if path.startswith("/ob2/assertions/"):
            try:
                record = self.state.credential(url)
            except StateError:
                return None
            stored = json.loads(record.body)
            return Served(json_bytes(ob2.hosted_copy(stored, record.revoked)), "application/ld+json")
        return None

    def hosted_paths(self) -> list[str]:
        """Every path :meth:`document` answers (for the sample's web.json)."""
        paths = ["/.well-known/did.json", *(f"/status/{p}" for p in STATUS_PURPOSES),
                 "/status/1edtech-revocation-list", STATUSLIST2021_PATH,
                 "/ob2/issuer", "/ob2/keys/rsa-1", "/ob2/revocations"]
        for slug in sorted(self.catalogue):
            paths += [f"/achievements/{slug}", f"/ob2/badges/{slug}", f"/images/{slug}.png", f"/images/{slug}.svg"]
        paths += [r.id.removeprefix(self.base_url) for r in self.state.credentials()
                  if r.id.startswith(self.ob2_urls.assertion(""))]
        paths += [f"/refresh/{r.id.removeprefix('urn:uuid:')}" for r in self.state.credentials()
                  if r.form == REFRESHABLE_FORM]
        paths += [f"/pathways/{slug}" for slug in sorted(self.pathways)]
        return paths


def _within_ob300_terms(cred: dict[str, Any]) -> dict[str, Any]:
    """Drop what the unversioned (3.0.0) OB context does not define: Achievement.inLanguage and
    Achievement.related came in later context versions (safe mode would refuse to sign them)."""
    subject = dict(cred["credentialSubject"])
    subject["achievement"] = {k: v for k, v in subject["achievement"].items() if k not in ("inLanguage", "related")}
    return {**cred, "credentialSubject": subject}


def default_validity_for_expired(now: datetime) -> tuple[datetime, datetime]:
    """A validity window that ended a month ago (for the ``*-expired`` samples)."""
    return now - timedelta(days=400), now - timedelta(days=30)
