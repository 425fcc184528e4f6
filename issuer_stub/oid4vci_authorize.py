"""The stub's authorization endpoint (OID4VCI 1.0 §5, RFC 6749 §4.1, PKCE RFC 7636 S256).

GET /authorize shows the learner a sign-in and consent page for the offer named by
``issuer_state``; POST /authorize (their answer) sends the browser back to the wallet's
``redirect_uri`` with a single-use code and the wallet's ``state``. Only loopback redirect URIs are
accepted (RFC 8252 §7.3: native apps listen on 127.0.0.1, any port), so no code ever leaves the
machine. The token endpoint then checks the code, the redirect URI, the client and the verifier.
"""

from __future__ import annotations

import hashlib
import hmac
import html
import json
import secrets
from urllib.parse import urlencode, urlsplit

from credentials import b64url_encode

from .oid4vci_book import AuthorizationCode, AuthorizationRequest, OfferBook, OfferTerms, live_offer
from .state import StateError

REQUEST_LIFETIME_SECONDS = 10 * 60
CODE_LIFETIME_SECONDS = 60


def start_authorization(book: OfferBook, query: dict[str, str], now: int) -> tuple[AuthorizationRequest, OfferTerms]:
    """Checks an authorization request (§5.1) and keeps it until the learner answers."""
    if query.get("response_type") != "code":
        raise StateError(400, "unsupported_response_type", "response_type must be code")
    redirect_uri = query.get("redirect_uri", "")
    parts = urlsplit(redirect_uri)
    if parts.scheme != "http" or parts.hostname not in ("127.0.0.1", "::1") or parts.query or parts.fragment:
        raise StateError(400, "invalid_request", "redirect_uri must be a loopback http://127.0.0.1:<port>/ URI")
    if query.get("code_challenge_method") != "S256" or len(query.get("code_challenge", "")) != 43:
        raise StateError(400, "invalid_request", "PKCE with code_challenge_method S256 is required (RFC 7636)")
    if not query.get("client_id") or not query.get("state"):
        raise StateError(400, "invalid_request", "client_id and state are required")
    offer = live_offer(book, query.get("issuer_state", ""), now)
    if offer.grant != "authorization_code":
        raise StateError(400, "invalid_request", "this offer is redeemed with its pre-authorized code")
    _check_details(query, offer)
    request = AuthorizationRequest(secrets.token_urlsafe(16), offer.code, query["client_id"], redirect_uri,
                                   query["state"], query["code_challenge"], now + REQUEST_LIFETIME_SECONDS)
    book.add_request(request)
    return request, offer


def _check_details(query: dict[str, str], offer: OfferTerms) -> None:
    """§5.1.1 ``authorization_details`` or §5.1.2 ``scope``: it must ask for what the offer offers."""
    raw = query.get("authorization_details")
    if raw is None:
        return  # issuer_state alone names the offer
    try:
        details = json.loads(raw)
    except ValueError:
        raise StateError(400, "invalid_request", "authorization_details is not JSON") from None
    wanted = [d.get("credential_configuration_id") for d in details if isinstance(d, dict)] \
        if isinstance(details, list) else []
    if wanted != [offer.configuration_id]:
        raise StateError(400, "invalid_authorization_details", f"this offer is for {offer.configuration_id}")


def consent_page(request: AuthorizationRequest, offer: OfferTerms, achievement_name: str) -> bytes:
    """The sign-in and consent page the learner sees in their browser."""
    name = html.escape(achievement_name)
    return f"""<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Sign in to collect your badge</title>
<meta name="viewport" content="width=device-width, initial-scale=1"></head>
<body style="font-family: sans-serif; max-width: 32rem; margin: 2rem auto">
<h1>Sign in to collect your badge</h1>
<p>Your wallet asks for <strong>{name}</strong>. Sign in as the learner it was awarded to.</p>
<form method="post" action="/authorize">
<input type="hidden" name="request_id" value="{html.escape(request.id)}">
<p><label>Your learner number <input name="learner" autocomplete="username" required></label></p>
<p><button name="decision" value="allow">Sign in and send it to my wallet</button>
<button name="decision" value="deny">Cancel</button></p>
</form></body></html>""".encode()


def finish_authorization(book: OfferBook, form: dict[str, str], now: int) -> str:
    """The learner's answer -> the redirect back to the wallet (RFC 6749 §4.1.2 / §4.1.2.1)."""
    request = book.request(form.get("request_id", ""))
    if request is None or now >= request.expires_at:
        raise StateError(400, "invalid_request", "this sign-in page expired; start again from the wallet")
    if form.get("decision") != "allow" or not form.get("learner", "").strip():
        query = {"error": "access_denied", "error_description": "the learner did not sign in", "state": request.state}
        return f"{request.redirect_uri}?{urlencode(query)}"
    code = AuthorizationCode(secrets.token_urlsafe(24), request, now + CODE_LIFETIME_SECONDS)
    book.add_code(code)
    return f"{request.redirect_uri}?{urlencode({'code': code.code, 'state': request.state})}"


def redeem_authorization_code(book: OfferBook, form: dict[str, str], now: int) -> OfferTerms:
    """§6.1 with ``grant_type=authorization_code``: the code once, for the same client and redirect URI,
    and the PKCE verifier whose S256 is the challenge (RFC 7636 §4.6)."""
    code = book.code(form.get("code", ""))
    if code is None or now >= code.expires_at:
        raise StateError(400, "invalid_grant", "unknown or expired authorization code")
    if code.used:
        raise StateError(400, "invalid_grant", "the authorization code was already used")
    book.use_code(code)  # spent even when what follows fails (RFC 6749 §4.1.2)
    request = code.request
    if form.get("redirect_uri") != request.redirect_uri or form.get("client_id") != request.client_id:
        raise StateError(400, "invalid_grant", "redirect_uri or client_id differ from the authorization request")
    verifier = form.get("code_verifier", "")
    if not 43 <= len(verifier) <= 128 or not hmac.compare_digest(pkce_challenge(verifier), request.code_challenge):
        raise StateError(400, "invalid_grant", "the code_verifier does not match the code_challenge (PKCE)")
    return live_offer(book, request.offer_code, now)


def pkce_challenge(verifier: str) -> str:
    """RFC 7636 §4.2 S256."""
    return b64url_encode(hashlib.sha256(verifier.encode("ascii")).digest())
