"""§4.1 Credential Offer: read by value (``credential_offer``) or by reference (``credential_offer_uri``)."""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any
from urllib.parse import parse_qs, urlsplit

from wallet.import_input import ImportRefused, is_http_url

PRE_AUTHORIZED_GRANT = "urn:ietf:params:oauth:grant-type:pre-authorized_code"
AUTHORIZATION_CODE_GRANT = "authorization_code"
MAX_TX_CODE_LENGTH = 64


@dataclass(frozen=True)
class TxCode:
    """§4.1.1 ``tx_code``: the learner types a code the issuer gave them another way."""

    input_mode: str  # "numeric" (the default) or "text"
    length: int | None
    description: str | None

    def check(self, code: str) -> str:
        """The code as sent, or ImportRefused saying what is wrong with what was typed."""
        code = code.strip()
        if not code:
            raise ImportRefused("Enter the transaction code the issuer gave you.")
        if self.input_mode == "numeric" and not code.isdigit():
            raise ImportRefused("The transaction code is made of digits only.")
        if self.length is not None and len(code) != self.length:
            raise ImportRefused(f"The transaction code has {self.length} characters; you entered {len(code)}.")
        if len(code) > MAX_TX_CODE_LENGTH:
            raise ImportRefused("The transaction code is too long.")
        return code


@dataclass(frozen=True)
class CredentialOffer:
    credential_issuer: str
    configuration_ids: tuple[str, ...]
    pre_authorized_code: str | None
    tx_code: TxCode | None
    issuer_state: str | None
    authorization_code: bool  # the offer has an authorization_code grant (§4.1.1)
    authorization_server: str | None


def parse_offer_text(text: str, fetch: Callable[[str], dict[str, Any]]) -> CredentialOffer:
    """The offer in a link or as JSON; ``fetch`` GETs a ``credential_offer_uri`` (§4.1.3)."""
    text = text.strip()
    if text.startswith("{"):
        return parse_offer(_loads_object(text, "The offer"))
    params = parse_qs(urlsplit(text).query)
    by_value, by_reference = params.get("credential_offer"), params.get("credential_offer_uri")
    if by_value and by_reference:  # §4.1: one or the other, never both
        raise ImportRefused("The link carries both an offer and an offer address; an issuer sends one of them.")
    if by_value:
        return parse_offer(_loads_object(by_value[0], "The offer in the link"))
    if by_reference:
        uri = by_reference[0]
        if not is_http_url(uri):
            raise ImportRefused("The offer's address (credential_offer_uri) is not an http(s) URL.")
        return parse_offer(fetch(uri))
    raise ImportRefused("The link carries no credential offer (credential_offer or credential_offer_uri).")


def parse_offer(offer: dict[str, Any]) -> CredentialOffer:
    issuer = offer.get("credential_issuer")
    if not isinstance(issuer, str) or not is_http_url(issuer):
        raise ImportRefused("The offer does not name its credential issuer as an http(s) URL.")
    ids = offer.get("credential_configuration_ids")
    if not isinstance(ids, list) or not ids or not all(isinstance(i, str) for i in ids):
        raise ImportRefused("The offer does not say which credential it offers.")
    grants = offer.get("grants")
    grants = grants if isinstance(grants, dict) else {}
    pre = grants.get(PRE_AUTHORIZED_GRANT)
    auth = grants.get(AUTHORIZATION_CODE_GRANT)
    code = pre.get("pre-authorized_code") if isinstance(pre, dict) else None
    if not isinstance(code, str) and not isinstance(auth, dict):
        raise ImportRefused("The offer has neither a pre-authorized code nor a sign-in with the issuer "
                            "(authorization_code); Satchel cannot redeem it.")
    chosen = pre if isinstance(code, str) else auth
    server = chosen.get("authorization_server") if isinstance(chosen, dict) else None
    state = auth.get("issuer_state") if isinstance(auth, dict) else None
    return CredentialOffer(issuer, tuple(ids), code if isinstance(code, str) else None,
                           _tx_code(pre) if isinstance(code, str) and isinstance(pre, dict) else None,
                           state if isinstance(state, str) else None, isinstance(auth, dict),
                           server if isinstance(server, str) else None)


def _tx_code(grant: dict[str, Any]) -> TxCode | None:
    """§4.1.1: ``tx_code`` (an object, possibly empty); draft 11's ``user_pin_required`` means the same."""
    value = grant.get("tx_code")
    if value is None:
        return TxCode("numeric", None, None) if grant.get("user_pin_required") is True else None
    if not isinstance(value, dict):
        raise ImportRefused("The offer's transaction code description (tx_code) is not an object.")
    mode = value.get("input_mode", "numeric")
    length = value.get("length")
    description = value.get("description")
    if mode not in ("numeric", "text"):
        raise ImportRefused("The offer asks for a transaction code of an unknown kind (input_mode).")
    if length is not None and (not isinstance(length, int) or isinstance(length, bool)
                               or not 0 < length <= MAX_TX_CODE_LENGTH):
        raise ImportRefused("The offer's transaction code length is not a sensible number.")
    if description is not None and not isinstance(description, str):
        raise ImportRefused("The offer's transaction code description is not text.")
    return TxCode(mode, length, description[:300] if description else None)


def _loads_object(text: str, what: str) -> dict[str, Any]:
    try:
        value = json.loads(text)
    except (ValueError, RecursionError):
        raise ImportRefused(f"{what} is not valid JSON.") from None
    if not isinstance(value, dict):
        raise ImportRefused(f"{what} is not a JSON object.")
    return value
