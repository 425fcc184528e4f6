"""An OpenID for Verifiable Credential Issuance 1.0 client: the pre-authorized code flow.

The offer (§4.1, by value or by reference), the Credential Issuer metadata (§12.2), the
Authorization Server metadata (RFC 8414) for the token endpoint, the Token Request (§6.1), a fresh
nonce from the Nonce Endpoint (§7) when there is one, and a Credential Request (§8) with a ``jwt``
key proof (Appendix F.1) signed by the learner's profile key, so the credential is bound to their
did:key. Every failure is :class:`wallet.import_input.ImportRefused` with one plain sentence; what
comes back is verified and stored by ``wallet.importer``.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping
from datetime import datetime
from typing import TYPE_CHECKING, Any
from urllib.parse import parse_qs, urlsplit, urlunsplit

from credentials import MalformedError, describe_http_error, parse_input
from wallet.import_input import ImportRefused, is_http_url, sentence

if TYPE_CHECKING:
    import httpx

__all__ = ["MAX_HTTP_ANSWER_BYTES", "OfferFlow"]

MAX_HTTP_ANSWER_BYTES = 4 * 1024 * 1024
PRE_AUTHORIZED_GRANT = "urn:ietf:params:oauth:grant-type:pre-authorized_code"
PROOF_TYPE = "openid4vci-proof+jwt"


class OfferFlow:
    """One redemption of a pre-authorized code offer; every failure is ImportRefused."""

    def __init__(self, client: httpx.Client, clock: Callable[[], datetime]) -> None:
        self._client = client
        self._clock = clock

    def redeem(
        self, offer_text: str, *, signing_key: Any, verification_method: str, holder_did: str,
    ) -> tuple[bytes, dict[str, Any], str]:
        """Returns the credential as bytes, its parsed JSON and the credential issuer's URL."""
        offer = self._read_offer(offer_text)
        issuer = offer["credential_issuer"]
        grant = offer["grants"][PRE_AUTHORIZED_GRANT]
        metadata = self._issuer_metadata(issuer)
        configuration_id, configuration = self._configuration(offer, metadata)
        token_endpoint = self._token_endpoint(issuer, metadata, grant)
        form = {"grant_type": PRE_AUTHORIZED_GRANT, "pre-authorized_code": grant["pre-authorized_code"]}
        if grant.get("tx_code") is not None or grant.get("user_pin_required") is True:
            raise ImportRefused("This offer needs a transaction code from the issuer, which Satchel cannot enter yet.")
        token = self._post(token_endpoint, "token request", data=form)
        access_token = token.get("access_token")
        if not isinstance(access_token, str) or not access_token:
            raise ImportRefused("The issuer's token endpoint gave no access token.")
        auth = {"Authorization": f"{token.get('token_type') or 'Bearer'} {access_token}"}
        if str(token.get("token_type") or "Bearer").lower() != "bearer":
            auth = {"Authorization": f"Bearer {access_token}"}  # OID4VCI uses bearer tokens (§6.2)
        request = self._credential_request(token, configuration_id, configuration, metadata, auth,
                                           signing_key=signing_key, verification_method=verification_method,
                                           issuer=issuer)
        endpoint = _endpoint(metadata, "credential_endpoint", issuer)
        answer = self._post(endpoint, "credential request", json_body=request, headers=auth)
        data, document = _credential_document(_credential_from_answer(answer))
        subject_ids = _subject_ids(document)
        if subject_ids and holder_did not in subject_ids:
            raise ImportRefused(
                f"The issuer sent a credential issued to {subject_ids[0]}, not to your DID; it was not stored."
            )
        return data, document, issuer

    def _credential_request(
        self, token: dict[str, Any], configuration_id: str, configuration: dict[str, Any],
        metadata: dict[str, Any], auth: dict[str, str], *, signing_key: Any, verification_method: str,
        issuer: str,
    ) -> dict[str, Any]:
        """§8.2: which credential (by identifier when the token names them), and the key proof."""
        request: dict[str, Any] = {}
        identifier = _credential_identifier(token, configuration_id)
        if identifier is not None:
            request["credential_identifier"] = identifier
        else:
            request["credential_configuration_id"] = configuration_id
        if _needs_proof(configuration):
            nonce = self._nonce(metadata, token, auth)
            request["proofs"] = {"jwt": [self._key_proof(signing_key, verification_method, issuer, nonce)]}
        return request

    # -- §4.1 the offer ----------------------------------------------------------------------

    def _read_offer(self, text: str) -> dict[str, Any]:
        text = text.strip()
        if text.startswith("{"):
            offer = _loads_object(text, "The offer")
        else:
            params = parse_qs(urlsplit(text).query)
            if "credential_offer" in params:
                offer = _loads_object(params["credential_offer"][0], "The offer in the link")
            elif "credential_offer_uri" in params:
                offer = self._get_json(params["credential_offer_uri"][0], "credential offer")
            else:
                raise ImportRefused("The link carries no credential offer (credential_offer or credential_offer_uri).")
        issuer = offer.get("credential_issuer")
        if not isinstance(issuer, str) or not is_http_url(issuer):
            raise ImportRefused("The offer does not name its credential issuer as an http(s) URL.")
        ids = offer.get("credential_configuration_ids")
        if not isinstance(ids, list) or not ids or not all(isinstance(i, str) for i in ids):
            raise ImportRefused("The offer does not say which credential it offers.")
        grants = offer.get("grants")
        grant = grants.get(PRE_AUTHORIZED_GRANT) if isinstance(grants, dict) else None
        if not isinstance(grant, dict) or not isinstance(grant.get("pre-authorized_code"), str):
            raise ImportRefused(
                "The offer has no pre-authorized code; offers that need a sign-in with the issuer "
                "are not supported yet."
            )
        return offer

    # -- §12.2 / RFC 8414 metadata -----------------------------------------------------------

    def _issuer_metadata(self, issuer: str) -> dict[str, Any]:
        metadata = self._get_json(_well_known(issuer, "openid-credential-issuer"), "issuer metadata")
        if metadata.get("credential_issuer") != issuer:
            # §12.2.2: the metadata must be about the issuer the offer names, or it is not to be used.
            raise ImportRefused("The issuer's metadata names a different credential issuer than the offer.")
        return metadata

    def _configuration(self, offer: dict[str, Any], metadata: dict[str, Any]) -> tuple[str, dict[str, Any]]:
        supported = metadata.get("credential_configurations_supported")
        if not isinstance(supported, dict):
            raise ImportRefused("The issuer's metadata lists no credential configurations.")
        for configuration_id in offer["credential_configuration_ids"]:
            configuration = supported.get(configuration_id)
            if isinstance(configuration, dict):
                return configuration_id, configuration
        raise ImportRefused("The issuer's metadata does not describe the credential it offers.")

    def _token_endpoint(self, issuer: str, metadata: dict[str, Any], grant: dict[str, Any]) -> str:
        servers = metadata.get("authorization_servers")
        chosen = grant.get("authorization_server")
        if isinstance(servers, list) and servers:
            server = chosen if isinstance(chosen, str) and chosen in servers else servers[0]
        else:
            server = issuer  # §12.2.4: the issuer is its own authorization server
        if not isinstance(server, str) or not is_http_url(server):
            raise ImportRefused("The issuer names an authorization server that is not an http(s) URL.")
        try:
            as_metadata = self._get_json(_well_known(server, "oauth-authorization-server"),
                                         "authorization server metadata")
        except ImportRefused:
            as_metadata = {}
        endpoint = as_metadata.get("token_endpoint")
        if isinstance(endpoint, str) and is_http_url(endpoint):
            return endpoint
        legacy = metadata.get("token_endpoint")  # issuers written to draft 13 put it here
        if isinstance(legacy, str) and is_http_url(legacy):
            return legacy
        raise ImportRefused("The issuer's authorization server does not say where its token endpoint is.")

    # -- §7 nonce and Appendix F.1 key proof ------------------------------------------------

    def _nonce(self, metadata: dict[str, Any], token: dict[str, Any], auth: dict[str, str]) -> str:
        endpoint = metadata.get("nonce_endpoint")
        if isinstance(endpoint, str) and is_http_url(endpoint):
            answer = self._post(endpoint, "nonce request", headers=auth)
            nonce = answer.get("c_nonce")
        else:
            nonce = token.get("c_nonce")  # draft 13 issuers hand it out with the token
        if not isinstance(nonce, str) or not nonce:
            raise ImportRefused("The issuer gave no nonce for the key proof.")
        return nonce

    def _key_proof(self, key: Any, verification_method: str, issuer: str, nonce: str) -> str:
        from credentials import sign_jws

        header = {"typ": PROOF_TYPE, "alg": "EdDSA", "kid": verification_method}
        claims = {"aud": issuer, "iat": int(self._clock().timestamp()), "nonce": nonce}
        return sign_jws(header, json.dumps(claims, separators=(",", ":")).encode("utf-8"), key)

    # -- HTTP ------------------------------------------------------------------------------

    def _get_json(self, url: str, what: str) -> dict[str, Any]:
        return self._exchange("GET", url, what, headers={"Accept": "application/json"})

    def _post(self, url: str, what: str, *, data: dict[str, str] | None = None,
              json_body: dict[str, Any] | None = None, headers: dict[str, str] | None = None) -> dict[str, Any]:
        return self._exchange("POST", url, what, data=data, json_body=json_body,
                              headers={"Accept": "application/json", **(headers or {})})

    def _exchange(self, method: str, url: str, what: str, *, data: dict[str, str] | None = None,
                  json_body: dict[str, Any] | None = None, headers: dict[str, str] | None = None) -> dict[str, Any]:
        if not is_http_url(url):
            raise ImportRefused(f"The issuer's {what} URL is not an http(s) URL.")
        kwargs: dict[str, Any] = {"headers": headers or {}}
        if data is not None:
            kwargs["data"] = data
        elif json_body is not None:
            kwargs["json"] = json_body
        elif method == "POST":
            kwargs["content"] = b""
        status, body = self._send(method, url, what, kwargs)
        try:
            answer = json.loads(body) if body else {}
        except (ValueError, RecursionError):
            answer = None
        if status >= 400 or not isinstance(answer, dict):
            detail = ""
            if isinstance(answer, dict):
                detail = str(answer.get("error_description") or answer.get("error") or "")
            reason = f": {detail}" if detail else ""
            raise ImportRefused(sentence(f"The issuer refused the {what} (HTTP {status}){reason}"))
        return answer

    def _send(self, method: str, url: str, what: str, kwargs: dict[str, Any]) -> tuple[int, bytes]:
        """The answer's status and body, read up to MAX_HTTP_ANSWER_BYTES."""
        import httpx

        from credentials import RefusedError

        try:
            with self._client.stream(method, url, **kwargs) as response:
                body = bytearray()
                for chunk in response.iter_bytes():
                    body.extend(chunk)
                    if len(body) > MAX_HTTP_ANSWER_BYTES:
                        raise ImportRefused(f"The issuer's answer to the {what} is too large.")
                return response.status_code, bytes(body)
        except RefusedError as exc:
            raise ImportRefused(f"The {what} was not sent: {sentence(str(exc))}") from None
        except httpx.HTTPError as exc:
            raise ImportRefused(f"The issuer could not be reached for the {what}: "
                                f"{describe_http_error(exc)}.") from None

def _well_known(identifier: str, suffix: str) -> str:
    """RFC 8615 / OID4VCI §12.2.2: the well-known segment goes between the host and any path."""
    parts = urlsplit(identifier)
    path = parts.path.rstrip("/")
    return urlunsplit((parts.scheme, parts.netloc, f"/.well-known/{suffix}{path}", "", ""))


def _endpoint(metadata: dict[str, Any], name: str, issuer: str) -> str:
    value = metadata.get(name)
    if not isinstance(value, str) or not is_http_url(value):
        raise ImportRefused(f"The issuer's metadata has no usable {name.replace('_', ' ')}.")
    return value


def _loads_object(text: str, what: str) -> dict[str, Any]:
    try:
        value = json.loads(text)
    except (ValueError, RecursionError):
        raise ImportRefused(f"{what} is not valid JSON.") from None
    if not isinstance(value, dict):
        raise ImportRefused(f"{what} is not a JSON object.")
    return value


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


def _credential_from_answer(answer: Mapping[str, Any]) -> dict[str, Any] | str:
    """§8.3: ``credentials: [{"credential": ...}]`` (1.0), or ``credential`` (draft 13)."""
    credentials = answer.get("credentials")
    if isinstance(credentials, list) and credentials:
        first = credentials[0]
        value = first.get("credential") if isinstance(first, dict) else first
    else:
        value = answer.get("credential")
    if isinstance(value, dict | str) and value:
        return value
    if answer.get("transaction_id") is not None:
        raise ImportRefused("The issuer will deliver this credential later (deferred issuance), "
                            "which Satchel does not support yet.")
    raise ImportRefused("The issuer's answer holds no credential.")


def _credential_document(credential: dict[str, Any] | str) -> tuple[bytes, dict[str, Any]]:
    """The credential's bytes as the wallet keeps them, and its JSON (a JWT's payload)."""
    if isinstance(credential, dict):
        return json.dumps(credential, ensure_ascii=False, indent=2).encode("utf-8"), credential
    data = credential.strip().encode("utf-8")
    try:
        parsed_doc = parse_input(data).document
    except MalformedError as exc:
        raise ImportRefused(f"The issuer sent something that is not a credential: {sentence(str(exc))}") from None
    return data, dict(parsed_doc or {})

def _subject_ids(document: Mapping[str, Any]) -> list[str]:
    credential: Mapping[str, Any] = document
    if isinstance(document.get("vc"), Mapping):
        credential = document["vc"]
        if isinstance(document.get("sub"), str):
            return [document["sub"]]
    subject = credential.get("credentialSubject")
    subjects = subject if isinstance(subject, list) else [subject]
    return [s["id"] for s in subjects if isinstance(s, Mapping) and isinstance(s.get("id"), str)]
