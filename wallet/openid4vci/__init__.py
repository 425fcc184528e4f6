"""An OpenID for Verifiable Credential Issuance 1.0 client.

The offer (§4.1, by value or by reference), the Credential Issuer metadata (§12.2) and the
Authorization Server metadata (RFC 8414); a token (§6) from a pre-authorized code, with the
``tx_code`` the learner types (§4.1.1), or from a sign-in in the system browser (authorization code
with PKCE, §5, RFC 8252 loopback redirect); a fresh nonce (§7); a Credential Request (§8) with
``jwt`` key proofs (Appendix F.1) signed by the learner's profile key, so the credential is bound to
their did:key; deferred issuance (§9) and batches. Formats ``ldp_vc``, ``jwt_vc_json`` and
``dc+sd-jwt``. Every failure is :class:`wallet.import_input.ImportRefused` with one plain
sentence; what comes back is verified and stored by ``wallet.importer``.
"""

from __future__ import annotations

from ._http import MAX_HTTP_ANSWER_BYTES, IssuerRefusal
from .authorize import BrowserOpener
from .flow import DeferredTicket, Holder, Issued, OfferFlow, OfferPreview, Received, TxCodeNeeded
from .offer import CredentialOffer, TxCode

__all__ = ["MAX_HTTP_ANSWER_BYTES", "BrowserOpener", "CredentialOffer", "DeferredTicket", "Holder", "Issued",
           "IssuerRefusal", "OfferFlow", "OfferPreview", "Received", "TxCode", "TxCodeNeeded"]
