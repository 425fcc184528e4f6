"""Sharing: presentations signed by the learner, QR codes, links, and answers to verifiers' requests.

    from wallet.share import present, share_qr, share_link, unshare, parse_request, preview_request, answer_request

    vp = present(store, [cid], challenge="…", domain="hire.example")          # dict (Data Integrity)
    jwt = present(store, [cid], challenge="…", domain="hire.example", fmt="jwt")  # VP-JWT text
    qr = share_qr(store, [cid], recipient="Acme", verifier_base_url=…, relay_client=…)   # QrShare
    link = share_link(store, [cid], verifier_base_url=…, relay_client=client, expires=…, recipient="Acme")
    unshare(store, link.share_id, client)                                        # UnshareResult
    request = parse_request(scanned_text_or_url, client=client)                  # PresentationRequest
    preview = preview_request(store, request)                                    # who, what, which fields
    answer = answer_request(store, request, preview.selected, client=client)     # or offline=True -> QR
    vp_request = read_openid4vp_request("openid4vp://?client_id=…&request_uri=…", client=client)  # OpenID4VP 1.0
    answer = answer_openid4vp(store, vp_request, client=client, withheld={"badge": {1}})  # after preview_openid4vp

Codec (no store, no network): ``encode_qr`` / ``decode_qr_text`` / ``decode_qr_image``, the
``SV1:`` format described in :mod:`wallet.share.qrcodec`; base45 (RFC 9285) in
:mod:`wallet.share.base45`. Every share (QR, link, request answer) is recorded in the store's
share history, one entry per credential, grouped by ``details["group"]``. Errors: see
:mod:`wallet.share.errors`.
"""

from .base45 import Base45Error, b45decode, b45encode
from .errors import (
    NoProfileError,
    NotPresentableError,
    RelayError,
    RequestError,
    RequestGoneError,
    ShareError,
    UnshareError,
)
from .links import MAX_INLINE_LINK, ShareLink, UnshareResult, share_link, unshare
from .openid4vp import (
    ClaimLine,
    CredentialChoice,
    OpenId4VpAnswer,
    OpenId4VpLink,
    OpenId4VpPreview,
    OpenId4VpRequest,
    VerifierIdentity,
    answer_openid4vp,
    is_openid4vp_link,
    parse_openid4vp_link,
    preview_openid4vp,
    read_openid4vp_request,
)
from .presentation import (
    ImageRef,
    PresentationFormat,
    embedded_credential,
    enveloped,
    present,
    presentation_image_report,
    unwrap_enveloped,
)
from .qrcodec import (
    MAX_QR_VERSION,
    PREFIX,
    QrDecodeError,
    QrResult,
    QrTooLarge,
    decode_qr_image,
    decode_qr_text,
    encode_qr,
    encode_qr_text,
    qr_version_for,
)
from .qrshare import QR_PROOF_LIFETIME, QrShare, share_qr
from .request import (
    CredentialQuery,
    DisclosedCredential,
    Disclosure,
    PresentationRequest,
    QueryMatch,
    RequestAnswer,
    RequestPreview,
    answer_request,
    matches_example,
    parse_request,
    preview_request,
    verifier_name_of,
)

__all__ = [
    "MAX_INLINE_LINK", "MAX_QR_VERSION", "PREFIX", "QR_PROOF_LIFETIME", "Base45Error", "CredentialQuery",
    "DisclosedCredential", "Disclosure", "ImageRef", "NoProfileError", "NotPresentableError", "PresentationFormat",
    "PresentationRequest", "QrDecodeError", "QrResult", "QrShare", "QrTooLarge", "QueryMatch", "RelayError",
    "RequestAnswer", "RequestError", "RequestGoneError", "RequestPreview", "ShareError", "ShareLink",
    "UnshareError", "UnshareResult", "answer_request", "b45decode", "b45encode", "decode_qr_image",
    "decode_qr_text", "embedded_credential", "encode_qr", "encode_qr_text", "enveloped", "matches_example",
    "parse_request", "present", "presentation_image_report", "preview_request", "qr_version_for", "share_link",
    "share_qr", "unshare", "unwrap_enveloped",
    "ClaimLine", "CredentialChoice", "OpenId4VpAnswer", "OpenId4VpLink", "OpenId4VpPreview", "OpenId4VpRequest",
    "VerifierIdentity", "answer_openid4vp", "is_openid4vp_link", "parse_openid4vp_link", "preview_openid4vp",
    "read_openid4vp_request", "verifier_name_of",
]
