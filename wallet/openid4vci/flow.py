"""One OpenID4VCI 1.0 redemption: offer -> metadata -> token -> nonce -> credential (or a deferral)."""

from __future__ import annotations

import json
import secrets
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING, Any
from urllib.parse import urlencode

from credentials import MalformedError, parse_input, public_key_to_jwk
from wallet.import_input import ImportRefused, sentence

from ._http import IssuerHttp, IssuerRefusal
from .authorize import (
    SIGN_IN_TIMEOUT_SECONDS,
    BrowserOpener,
    LoopbackRedirect,
    code_from_callback,
    default_browser,
    new_pkce,
)
from .metadata import (
    Configuration,
    Display,
    IssuerMetadata,
    authorization_server,
    parse_issuer_metadata,
    well_known,
)
from .offer import AUTHORIZATION_CODE_GRANT, PRE_AUTHORIZED_GRANT, CredentialOffer, TxCode, parse_offer_text

if TYPE_CHECKING:
    import httpx

PROOF_TYPE = "openid4vci-proof+jwt"
CLIENT_ID = "satchel-wallet"  # a public native client (RFC 8252 §8.4): no secret, PKCE instead
MAX_DEFERRED_INTERVAL = 24 * 3600


class TxCodeNeeded(ImportRefused):
    """The offer needs a transaction code the learner has not given yet."""

    def __init__(self, tx_code: TxCode) -> None:
        hint = f" ({tx_code.description})" if tx_code.description else ""
        super().__init__(f"This offer needs the transaction code the issuer gave you{hint}; enter it and try again.")
        self.tx_code = tx_code


@dataclass(frozen=True)
class OfferPreview:
    """What the offer screen shows before anything is redeemed."""

    issuer: str
    issuer_name: str | None
    credential_name: str | None
    logo_uri: str | None
    format: str
    tx_code: TxCode | None
    sign_in: bool  # the learner signs in with the issuer in their browser


@dataclass(frozen=True)
class Received:
    data: bytes  # as the wallet keeps it
    document: dict[str, Any]  # its JSON (a JWT's payload, an SD-JWT's claims)


@dataclass(frozen=True)
class Notification:
    """§11: where to tell the issuer what became of what it sent."""

    endpoint: str
    access_token: str
    notification_id: str


@dataclass(frozen=True)
class Issued:
    issuer: str
    credentials: tuple[Received, ...]  # one per key proof (batch issuance §8.2 / §12.2.4)
    notification: Notification | None = None


@dataclass(frozen=True)
class DeferredTicket:
    """§9: what the wallet keeps to collect a credential later."""

    credential_issuer: str
    endpoint: str
    access_token: str
    transaction_id: str
    interval: int
    name: str | None
    notification_endpoint: str | None = None


@dataclass(frozen=True)
class Holder:
    signing_key: Any  # the profile's Ed25519 private key
    verification_method: str
    did: str


class OfferFlow:
    """Redeems one offer; every failure is ImportRefused with one plain sentence."""

    def __init__(self, client: httpx.Client, clock: Callable[[], datetime], *,
                 browser: BrowserOpener | None = None, sign_in_timeout: float = SIGN_IN_TIMEOUT_SECONDS) -> None:
        self._http = IssuerHttp(client)
        self._clock = clock
        self._browser = browser or default_browser
        self._sign_in_timeout = sign_in_timeout

    # -- what the offer is ------------------------------------------------------------------

    def read(self, offer_text: str) -> tuple[CredentialOffer, IssuerMetadata, Configuration]:
        offer = parse_offer_text(offer_text, lambda uri: self._http.get_json(uri, "credential offer"))
        raw = self._http.get_json(well_known(offer.credential_issuer, "openid-credential-issuer"), "issuer metadata")
        metadata = parse_issuer_metadata(raw, offer.credential_issuer)
        return offer, metadata, metadata.configuration(offer.configuration_ids)

    def preview(self, offer_text: str) -> OfferPreview:
        offer, metadata, configuration = self.read(offer_text)
        shown: Display = configuration.display
        return OfferPreview(offer.credential_issuer, metadata.display.name, shown.name,
                            shown.logo_uri or metadata.display.logo_uri, configuration.format, offer.tx_code,
                            offer.pre_authorized_code is None)

    # -- redeeming ---------------------------------------------------------------------------

    def redeem(self, offer_text: str, holder: Holder, *, tx_code: str | None = None,
               copies: int = 1) -> Issued | DeferredTicket:
        """Returns what was issued (checked to be bound to ``holder``), or the ticket of a deferral."""
        offer, metadata, configuration = self.read(offer_text)
        token = self._token(offer, metadata, configuration, tx_code)
        access_token = token.get("access_token")
        if not isinstance(access_token, str) or not access_token:
            raise ImportRefused("The issuer's token endpoint gave no access token.")
        auth = {"Authorization": f"Bearer {access_token}"}  # OID4VCI uses bearer tokens (§6.2)
        request = self._credential_request(token, configuration, metadata, auth, holder,
                                           max(1, min(copies, metadata.batch_size)))
        endpoint = metadata.endpoint("credential_endpoint") or ""
        status, answer = self._http.post_status(endpoint, "credential request", json_body=request, headers=auth)
        if status == 202 or ("transaction_id" in answer and "credentials" not in answer):
            return _ticket(answer, metadata, access_token, configuration)
        return Issued(offer.credential_issuer, _received(answer, holder),
                      _notification(answer, metadata.endpoint("notification_endpoint", required=False), access_token))

    def notify(self, notification: Notification, event: str) -> bool:
        """§11.1: ``credential_accepted`` / ``credential_deleted`` / ``credential_failure``. Advisory: a
        refusal or an unreachable issuer changes nothing in the wallet (False)."""
        try:
            self._http.exchange("POST", notification.endpoint, "notification",
                                json_body={"notification_id": notification.notification_id, "event": event},
                                headers={"Authorization": f"Bearer {notification.access_token}"})
        except ImportRefused:
            return False
        return True

    def collect(self, ticket: DeferredTicket, holder: Holder) -> Issued | DeferredTicket:
        """§9.1: asks the deferred credential endpoint again; a new ticket while it is still on its way."""
        auth = {"Authorization": f"Bearer {ticket.access_token}"}
        try:
            status, answer = self._http.post_status(ticket.endpoint, "deferred credential request",
                                                    json_body={"transaction_id": ticket.transaction_id},
                                                    headers=auth)
        except IssuerRefusal as refusal:
            if refusal.error == "issuance_pending":  # drafts 13-15 said "not yet" with this error (§9.3)
                return _with_interval(ticket, refusal.answer.get("interval"))
            if refusal.error == "invalid_transaction_id":
                raise IssuerRefusal("The issuer no longer knows this pending credential (it expired or was "
                                    "withdrawn); ask the issuer for a new offer.", refusal.error,
                                    refusal.answer) from None
            raise
        if status == 202 or "credentials" not in answer:
            return _with_interval(ticket, answer.get("interval"))
        return Issued(ticket.credential_issuer, _received(answer, holder),
                      _notification(answer, ticket.notification_endpoint, ticket.access_token))

    # -- §6 token ----------------------------------------------------------------------------

    def _token(self, offer: CredentialOffer, metadata: IssuerMetadata, configuration: Configuration,
               tx_code: str | None) -> dict[str, Any]:
        server = authorization_server(metadata, offer.authorization_server)
        try:
            server_metadata = self._http.get_json(well_known(server, "oauth-authorization-server"),
                                                  "authorization server metadata")
        except ImportRefused:
            server_metadata = {}
        endpoint = _token_endpoint(server_metadata, metadata)
        if offer.pre_authorized_code is not None:
            form = {"grant_type": PRE_AUTHORIZED_GRANT, "pre-authorized_code": offer.pre_authorized_code}
            if offer.tx_code is not None:
                if tx_code is None:
                    raise TxCodeNeeded(offer.tx_code)
                form["tx_code"] = offer.tx_code.check(tx_code)
            return self._http.post(endpoint, "token request", data=form)
        return self._sign_in(offer, configuration, server_metadata, endpoint)

    def _sign_in(self, offer: CredentialOffer, configuration: Configuration, server_metadata: dict[str, Any],
                 token_endpoint: str) -> dict[str, Any]:
        """§5 authorization request in the browser, then §6.1 with the code and the PKCE verifier."""
        authorize = server_metadata.get("authorization_endpoint")
        if not isinstance(authorize, str) or not authorize.startswith(("https://", "http://")):
            raise ImportRefused("The issuer's authorization server does not say where to sign in.")
        if server_metadata.get("require_pushed_authorization_requests") is True:
            raise ImportRefused("The issuer requires pushed authorization requests (RFC 9126), which Satchel "
                                "does not make yet.")
        methods = server_metadata.get("code_challenge_methods_supported")
        if isinstance(methods, list) and "S256" not in methods:
            raise ImportRefused("The issuer's sign-in does not take PKCE with S256, which Satchel requires.")
        pkce, state = new_pkce(), secrets.token_urlsafe(16)
        details = [{"type": "openid_credential", "credential_configuration_id": configuration.id}]
        with LoopbackRedirect() as redirect:
            query = {"response_type": "code", "client_id": CLIENT_ID, "redirect_uri": redirect.uri, "state": state,
                     "code_challenge": pkce.challenge, "code_challenge_method": "S256",
                     "authorization_details": json.dumps(details, separators=(",", ":"))}
            if offer.issuer_state:
                query["issuer_state"] = offer.issuer_state
            separator = "&" if "?" in authorize else "?"
            self._browser(f"{authorize}{separator}{urlencode(query)}")
            callback = redirect.wait(self._sign_in_timeout)
            form = {"grant_type": AUTHORIZATION_CODE_GRANT, "code": code_from_callback(callback, state),
                    "code_verifier": pkce.verifier, "redirect_uri": redirect.uri, "client_id": CLIENT_ID}
        return self._http.post(token_endpoint, "token request", data=form)

    # -- §8 credential request ---------------------------------------------------------------

    def _credential_request(self, token: dict[str, Any], configuration: Configuration, metadata: IssuerMetadata,
                            auth: dict[str, str], holder: Holder, copies: int) -> dict[str, Any]:
        """§8.2: which credential (by identifier when the token names them), and the key proofs."""
        request: dict[str, Any] = {}
        identifier = _credential_identifier(token, configuration.id)
        if identifier is not None:
            request["credential_identifier"] = identifier
        else:
            request["credential_configuration_id"] = configuration.id
        if _needs_proof(configuration.raw):
            nonce = self._nonce(metadata, token, auth)
            proof = self._key_proof(holder, metadata.credential_issuer, nonce)
            request["proofs"] = {"jwt": [proof] * copies}  # one key: each proof asks for one more copy
        return request

    def _nonce(self, metadata: IssuerMetadata, token: dict[str, Any], auth: dict[str, str]) -> str:
        endpoint = metadata.endpoint("nonce_endpoint", required=False)
        if endpoint is not None:  # §7.1: no access token is needed; sending it does no harm
            nonce = self._http.post(endpoint, "nonce request", headers=auth).get("c_nonce")
        else:
            nonce = token.get("c_nonce")  # draft 13 issuers hand it out with the token
        if not isinstance(nonce, str) or not nonce:
            raise ImportRefused("The issuer gave no nonce for the key proof.")
        return nonce

    def _key_proof(self, holder: Holder, issuer: str, nonce: str) -> str:
        """Appendix F.1: typ openid4vci-proof+jwt, the holder's DID URL as kid, aud the issuer, the nonce."""
        from credentials import sign_jws

        header = {"typ": PROOF_TYPE, "alg": "EdDSA", "kid": holder.verification_method}
        claims = {"aud": issuer, "iat": int(self._clock().timestamp()), "nonce": nonce}
        return sign_jws(header, json.dumps(claims, separators=(",", ":")).encode("utf-8"), holder.signing_key)


def _token_endpoint(server_metadata: Mapping[str, Any], metadata: IssuerMetadata) -> str:
    for candidate in (server_metadata.get("token_endpoint"), metadata.raw.get("token_endpoint")):
        if isinstance(candidate, str) and candidate.startswith(("https://", "http://")):
            return candidate  # the second: issuers written to draft 13 put it in their own metadata
    raise ImportRefused("The issuer's authorization server does not say where its token endpoint is.")


def _needs_proof(configuration: Mapping[str, Any]) -> bool:
    """§8.2: a proof of the key is required when the configuration lists proof types."""
    proof_types = configuration.get("proof_types_supported")
    if not isinstance(proof_types, dict) or not proof_types:
        return False
    jwt = proof_types.get("jwt")
    if not isinstance(jwt, dict):
        raise ImportRefused("The issuer wants a kind of key proof Satchel cannot make (it makes jwt proofs).")
    algs = jwt.get("proof_signing_alg_values_supported")
    if isinstance(algs, list) and "EdDSA" not in algs and "Ed25519" not in algs:
        raise ImportRefused("The issuer does not accept Ed25519 key proofs, which Satchel makes.")
    methods = configuration.get("cryptographic_binding_methods_supported")
    if isinstance(methods, list) and not any(m in ("did:key", "did", "jwk") for m in methods):
        raise ImportRefused("The issuer cannot bind the credential to a did:key, which Satchel uses.")
    return True


def _credential_identifier(token: Mapping[str, Any], configuration_id: str) -> str | None:
    details = token.get("authorization_details")
    if not isinstance(details, list):
        return None
    for detail in details:
        if (isinstance(detail, dict) and detail.get("credential_configuration_id") == configuration_id
                and isinstance(detail.get("credential_identifiers"), list) and detail["credential_identifiers"]):
            first = detail["credential_identifiers"][0]
            return first if isinstance(first, str) else None
    return None


def _ticket(answer: Mapping[str, Any], metadata: IssuerMetadata, access_token: str,
            configuration: Configuration) -> DeferredTicket:
    transaction_id = answer.get("transaction_id")
    if not isinstance(transaction_id, str) or not transaction_id:
        raise ImportRefused("The issuer said the credential comes later but gave no transaction id.")
    endpoint = metadata.endpoint("deferred_credential_endpoint", required=False)
    if endpoint is None:
        raise ImportRefused("The issuer said the credential comes later but has no deferred credential endpoint.")
    ticket = DeferredTicket(metadata.credential_issuer, endpoint, access_token, transaction_id, 5,
                            configuration.display.name, metadata.endpoint("notification_endpoint", required=False))
    return _with_interval(ticket, answer.get("interval"))


def _with_interval(ticket: DeferredTicket, interval: Any) -> DeferredTicket:
    """§8.3 ``interval``: seconds to wait before asking again (bounded, so a bad value cannot stall it)."""
    from dataclasses import replace

    if isinstance(interval, int) and not isinstance(interval, bool) and interval > 0:
        return replace(ticket, interval=min(interval, MAX_DEFERRED_INTERVAL))
    return ticket


def _notification(answer: Mapping[str, Any], endpoint: str | None, access_token: str) -> Notification | None:
    notification_id = answer.get("notification_id")
    if endpoint is None or not isinstance(notification_id, str) or not notification_id:
        return None
    return Notification(endpoint, access_token, notification_id)


def _received(answer: Mapping[str, Any], holder: Holder) -> tuple[Received, ...]:
    """§8.3: ``credentials: [{"credential": ...}]`` (1.0), or ``credential`` (draft 13); each bound to us."""
    credentials = answer.get("credentials")
    if isinstance(credentials, list) and credentials:
        values = [c.get("credential") if isinstance(c, dict) else c for c in credentials]
    else:
        values = [answer.get("credential")]
    usable = [v for v in values if isinstance(v, dict | str) and v]
    if not usable or len(usable) != len(values):
        raise ImportRefused("The issuer's answer holds no credential.")
    received = tuple(_document(v) for v in usable)
    for item in received:
        _check_bound(item.document, holder)
    return received


def _document(credential: dict[str, Any] | str) -> Received:
    if isinstance(credential, dict):
        return Received(json.dumps(credential, ensure_ascii=False, indent=2).encode("utf-8"), credential)
    data = credential.strip().encode("utf-8")
    try:
        parsed = parse_input(data)
    except MalformedError as exc:
        raise ImportRefused(f"The issuer sent something that is not a credential: {sentence(str(exc))}") from None
    return Received(data, dict(parsed.document or {}))


def _check_bound(document: Mapping[str, Any], holder: Holder) -> None:
    """The credential must name this wallet's holder: its subject DID, or (SD-JWT VC) its ``cnf`` key."""
    cnf = document.get("cnf")
    if isinstance(cnf, dict):
        ours = public_key_to_jwk(holder.signing_key.public_key())
        jwk = cnf.get("jwk")
        bound = (isinstance(jwk, dict) and {k: jwk.get(k) for k in ours} == ours) or cnf.get("kid") in (
            holder.verification_method, holder.did)
        if not bound:
            raise ImportRefused("The issuer sent a credential bound to another key than your wallet's; "
                                "it was not stored.")
        return
    subject_ids = _subject_ids(document)
    if subject_ids and holder.did not in subject_ids:
        raise ImportRefused(
            f"The issuer sent a credential issued to {subject_ids[0]}, not to your DID; it was not stored."
        )


def _subject_ids(document: Mapping[str, Any]) -> list[str]:
    credential: Mapping[str, Any] = document
    if isinstance(document.get("vc"), Mapping):
        credential = document["vc"]
        if isinstance(document.get("sub"), str):
            return [document["sub"]]
    subject = credential.get("credentialSubject")
    subjects = subject if isinstance(subject, list) else [subject]
    return [s["id"] for s in subjects if isinstance(s, Mapping) and isinstance(s.get("id"), str)]
