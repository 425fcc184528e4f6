"""Satchel's credential engine: read and verify Open Badges and Verifiable Credentials offline.

    import credentials

    report = credentials.verify(data, fetcher=credentials.Fetcher(None), at=None)  # bytes, text or JSON
    report.verdict        # Verdict.VALID | INVALID | UNVERIFIABLE
    report.problems       # contract tokens (../shared/corpus/README.md)
    report.checks         # every check: stable id (credentials.CheckId), status, plain-language message

This module is the engine's whole public face (httpx's pattern): every module below it is private
(``credentials._*``) and the apps import only names listed in ``__all__``. No network unless a
client is passed in (``Fetcher(make_client(...))``); JSON-LD contexts come only from the bundle;
time is a parameter. The error tree is drawn in ``credentials._errors``.

Names are loaded on first use, so that light users (the wallet store, the CLI's start-up) pay only
for the formats they touch; the ``TYPE_CHECKING`` block gives type checkers the same names.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from ._cache import DiskCache as DiskCache
    from ._cache import MemoryCache as MemoryCache
    from ._checks._context import VerifyOptions as VerifyOptions
    from ._checks.dates import human as human
    from ._checks.dates import parse_datetime as parse_datetime
    from ._checks.status_methods import StatusChecker as StatusChecker
    from ._checks.status_methods import StatusContext as StatusContext
    from ._checks.status_methods import StatusOutcome as StatusOutcome
    from ._dcql import CandidateMatch as CandidateMatch
    from ._dcql import ClaimMatch as ClaimMatch
    from ._dcql import ClaimsQuery as ClaimsQuery
    from ._dcql import CredentialQuery as CredentialQuery
    from ._dcql import CredentialQueryMatch as CredentialQueryMatch
    from ._dcql import CredentialSetQuery as CredentialSetQuery
    from ._dcql import DcqlCandidate as DcqlCandidate
    from ._dcql import DcqlMatch as DcqlMatch
    from ._dcql import DcqlQuery as DcqlQuery
    from ._dcql import TrustedAuthority as TrustedAuthority
    from ._dcql import json_pointer_of as json_pointer_of
    from ._dcql import match_dcql as match_dcql
    from ._dcql import parse_dcql_query as parse_dcql_query
    from ._dcql import sd_jwt_candidate as sd_jwt_candidate
    from ._dcql import sd_jwt_disclosures_for as sd_jwt_disclosures_for
    from ._dcql import select_claims_path as select_claims_path
    from ._dcql import w3c_candidate as w3c_candidate
    from ._did import did_key_from_public_key as did_key_from_public_key
    from ._did import resolve_verification_method as resolve_verification_method
    from ._did import url_to_did_web as url_to_did_web
    from ._encoding import b64url_decode as b64url_decode
    from ._encoding import b64url_encode as b64url_encode
    from ._encoding import inflate_bounded as inflate_bounded
    from ._envelope import envelope as envelope
    from ._envelope import enveloped_jwt as enveloped_jwt
    from ._errors import FetchError as FetchError
    from ._errors import FetchRefusedError as FetchRefusedError
    from ._errors import GoneError as GoneError
    from ._errors import KeyResolutionError as KeyResolutionError
    from ._errors import MalformedError as MalformedError
    from ._errors import SafeModeError as SafeModeError
    from ._errors import SatchelError as SatchelError
    from ._errors import TooComplexError as TooComplexError
    from ._errors import UnknownContextError as UnknownContextError
    from ._errors import UnsupportedFormatError as UnsupportedFormatError
    from ._errors import UnsupportedProofError as UnsupportedProofError
    from ._facts import Alignment as Alignment
    from ._facts import Evidence as Evidence
    from ._facts import Facts as Facts
    from ._facts import Party as Party
    from ._facts import Result as Result
    from ._facts import embed_badge_class as embed_badge_class
    from ._facts import read_facts as read_facts
    from ._facts import split_criteria as split_criteria
    from ._formats import ParsedInput as ParsedInput
    from ._formats import parse_input as parse_input
    from ._formats import parse_text as parse_text
    from ._formats.cborld import CborLdError as CborLdError
    from ._formats.cborld import decode_cborld as decode_cborld
    from ._formats.cborld import decode_vpqr_text as decode_vpqr_text
    from ._formats.cborld import encode_cborld as encode_cborld
    from ._formats.cborld import encode_vpqr_text as encode_vpqr_text
    from ._formats.images import bake_png as bake_png
    from ._formats.images import bake_svg as bake_svg
    from ._formats.images import is_png as is_png
    from ._formats.images import is_svg as is_svg
    from ._formats.jws import parse_compact_jws as parse_compact_jws
    from ._formats.jws import public_key_to_jwk as public_key_to_jwk
    from ._formats.jws import sign_jws as sign_jws
    from ._formats.jws import verify_jws_signature as verify_jws_signature
    from ._formats.qr import ALPHABET as BASE45_ALPHABET
    from ._formats.qr import DICTIONARY_V1 as QR_DICTIONARY_V1
    from ._formats.qr import MAX_DECODED_BYTES as QR_MAX_DECODED_BYTES
    from ._formats.qr import PREFIX as QR_PREFIX
    from ._formats.qr import Base45Error as Base45Error
    from ._formats.qr import QrDecodeError as QrDecodeError
    from ._formats.qr import b45decode as b45decode
    from ._formats.qr import b45encode as b45encode
    from ._formats.qr import compact_json as compact_json
    from ._formats.qr import decode_qr_image as decode_qr_image
    from ._formats.qr import decode_qr_text as decode_qr_text
    from ._formats.qr import encode_qr_text as encode_qr_text
    from ._formats.qr import looks_like_qr_text as looks_like_qr_text
    from ._formats.qr_parts import QR_UR_TYPE as QR_UR_TYPE
    from ._formats.qr_parts import AssemblyProgress as AssemblyProgress
    from ._formats.qr_parts import QrAssembler as QrAssembler
    from ._formats.qr_parts import QrAssemblyError as QrAssemblyError
    from ._formats.qr_parts import QrParts as QrParts
    from ._formats.qr_parts import alphanumeric_capacity as alphanumeric_capacity
    from ._formats.qr_parts import encode_qr_parts as encode_qr_parts
    from ._formats.sd_jwt import Concealed as Concealed
    from ._formats.sd_jwt import Disclosure as Disclosure
    from ._formats.sd_jwt import SdJwt as SdJwt
    from ._formats.sd_jwt import issue_sd_jwt as issue_sd_jwt
    from ._formats.sd_jwt import parse_sd_jwt as parse_sd_jwt
    from ._formats.sd_jwt import present_sd_jwt as present_sd_jwt
    from ._formats.sd_jwt import process_disclosures as process_disclosures
    from ._formats.share_links import KEY_BYTES as SHARE_KEY_BYTES
    from ._formats.share_links import MAX_INLINE_LINK as MAX_INLINE_LINK
    from ._formats.share_links import NONCE_BYTES as SHARE_NONCE_BYTES
    from ._formats.share_links import SHARE_PATH as SHARE_PATH
    from ._formats.share_links import LinkError as LinkError
    from ._formats.share_links import RelayRef as RelayRef
    from ._formats.share_links import UnshareSecret as UnshareSecret
    from ._formats.share_links import decode_link as decode_link
    from ._formats.share_links import decrypt_from_relay as decrypt_from_relay
    from ._formats.share_links import encode_inline_link as encode_inline_link
    from ._formats.share_links import encrypt_for_relay as encrypt_for_relay
    from ._formats.share_links import is_share_link as is_share_link
    from ._formats.share_links import new_unshare_secret as new_unshare_secret
    from ._formats.share_links import relay_fetch_url as relay_fetch_url
    from ._formats.share_links import relay_link as relay_link
    from ._formats.share_links import unshare_hash as unshare_hash
    from ._formats.ur import UrDecoder as UrDecoder
    from ._formats.ur import UrEncoder as UrEncoder
    from ._formats.ur import UrError as UrError
    from ._formats.ur import decode_single_ur as decode_single_ur
    from ._formats.ur import encode_single_ur as encode_single_ur
    from ._formats.ur import is_ur_text as is_ur_text
    from ._multiformats import encode_multikey as encode_multikey
    from ._net import Fetcher as Fetcher
    from ._net import LocalDocuments as LocalDocuments
    from ._net import describe_http_error as describe_http_error
    from ._net import make_client as make_client
    from ._pathways import PATHWAY_DOCUMENT_TYPE as PATHWAY_DOCUMENT_TYPE
    from ._pathways import Pathway as Pathway
    from ._pathways import PathwayPart as PathwayPart
    from ._pathways import parse_pathway_document as parse_pathway_document
    from ._pathways import pathway_document_urls as pathway_document_urls
    from ._pathways import pathways_in_credential as pathways_in_credential
    from ._pathways import with_earned as with_earned
    from ._plain import CHECK_STATUS_WORDS as CHECK_STATUS_WORDS
    from ._plain import GRADE_WORDS as GRADE_WORDS
    from ._plain import Grade as Grade
    from ._plain import GradeWords as GradeWords
    from ._plain import PlainCheck as PlainCheck
    from ._plain import grade_json as grade_json
    from ._plain import grade_of as grade_of
    from ._plain import grade_report as grade_report
    from ._plain import plain_check as plain_check
    from ._plain import plain_checks as plain_checks
    from ._proofs import ProofOptions as ProofOptions
    from ._proofs import add_proof as add_proof
    from ._proofs.ecdsa_sd_2023 import SdBaseProofKey as SdBaseProofKey
    from ._proofs.ecdsa_sd_2023 import derive_selective_disclosure as derive_selective_disclosure
    from ._proofs.ecdsa_sd_2023 import has_sd_base_proof as has_sd_base_proof
    from ._report import CheckId as CheckId
    from ._report import CheckResult as CheckResult
    from ._report import Status as Status
    from ._report import Verdict as Verdict
    from ._report import VerificationReport as VerificationReport
    from ._report import describe_problem as describe_problem
    from ._report import failed as failed
    from ._report import warning as warning
    from ._status import encode_list as encode_list
    from ._status import set_status as set_status
    from ._transports import DocumentMapTransport as DocumentMapTransport
    from ._transports import GuardedTransport as GuardedTransport
    from ._transports import RefusedError as RefusedError
    from ._transports import RefusingTransport as RefusingTransport
    from ._trust import TrustList as TrustList
    from ._verify import verify as verify
    from ._verify import verify_credential as verify_credential
    from ._verify import verify_parsed as verify_parsed
    from ._verify import verify_presentation as verify_presentation

__all__ = [
    "CHECK_STATUS_WORDS", "GRADE_WORDS", "Grade", "GradeWords", "PlainCheck", "grade_json", "grade_of", "grade_report",
    "plain_check", "plain_checks",
    "Alignment", "AssemblyProgress", "BASE45_ALPHABET", "Base45Error", "CborLdError", "CheckId",
    "CheckResult", "DiskCache", "DocumentMapTransport", "Evidence", "Facts", "FetchError",
    "FetchRefusedError", "Fetcher", "GoneError", "GuardedTransport", "KeyResolutionError", "LinkError",
    "LocalDocuments", "MAX_INLINE_LINK", "MalformedError", "MemoryCache", "ParsedInput", "Party",
    "ProofOptions", "QR_DICTIONARY_V1", "QR_MAX_DECODED_BYTES", "QR_PREFIX", "QR_UR_TYPE", "QrAssembler",
    "QrAssemblyError",
    "QrDecodeError", "QrParts", "RefusedError", "RefusingTransport", "RelayRef", "Result", "SHARE_KEY_BYTES",
    "SHARE_NONCE_BYTES", "SHARE_PATH", "SafeModeError", "SatchelError", "Status", "StatusChecker",
    "StatusContext", "StatusOutcome", "TooComplexError", "TrustList", "UnknownContextError", "UnshareSecret",
    "UnsupportedFormatError", "UnsupportedProofError", "UrDecoder", "UrEncoder", "UrError", "Verdict",
    "VerificationReport", "VerifyOptions", "add_proof", "alphanumeric_capacity", "b45decode", "b45encode",
    "b64url_decode", "b64url_encode", "bake_png", "bake_svg", "compact_json", "decode_cborld", "decode_link",
    "decode_qr_image", "decode_qr_text", "decode_single_ur", "decode_vpqr_text", "decrypt_from_relay",
    "describe_http_error", "describe_problem", "did_key_from_public_key", "embed_badge_class",
    "encode_cborld", "encode_inline_link", "encode_list", "encode_multikey", "encode_qr_parts",
    "encode_qr_text", "encode_single_ur", "encode_vpqr_text", "encrypt_for_relay", "envelope",
    "enveloped_jwt", "failed", "human", "inflate_bounded", "is_png", "is_share_link", "is_svg", "is_ur_text",
    "looks_like_qr_text", "make_client", "new_unshare_secret", "parse_compact_jws", "parse_datetime",
    "parse_input", "parse_text", "public_key_to_jwk", "read_facts", "relay_fetch_url", "relay_link",
    "resolve_verification_method", "set_status", "sign_jws", "split_criteria", "unshare_hash",
    "url_to_did_web", "verify", "verify_credential", "verify_jws_signature", "verify_parsed",
    "verify_presentation", "warning",
    "PATHWAY_DOCUMENT_TYPE", "Pathway", "PathwayPart", "parse_pathway_document", "pathway_document_urls",
    "pathways_in_credential", "with_earned",
    "SdBaseProofKey", "derive_selective_disclosure", "has_sd_base_proof",
    "Concealed", "Disclosure", "SdJwt", "issue_sd_jwt", "parse_sd_jwt", "present_sd_jwt", "process_disclosures",
    "CandidateMatch", "ClaimMatch", "ClaimsQuery", "CredentialQuery", "CredentialQueryMatch", "CredentialSetQuery",
    "DcqlCandidate", "DcqlMatch", "DcqlQuery", "TrustedAuthority", "json_pointer_of", "match_dcql", "parse_dcql_query",
    "select_claims_path", "sd_jwt_candidate", "sd_jwt_disclosures_for", "w3c_candidate",
]

# public name -> (private module, its name there)
_WHERE: dict[str, tuple[str, str]] = {
    "Facts": ("_facts", "Facts"),
    "read_facts": ("_facts", "read_facts"),
    "envelope": ("_envelope", "envelope"),
    "enveloped_jwt": ("_envelope", "enveloped_jwt"),
    "embed_badge_class": ("_facts", "embed_badge_class"),
    "Alignment": ("_facts", "Alignment"),
    "Evidence": ("_facts", "Evidence"),
    "Result": ("_facts", "Result"),
    "Party": ("_facts", "Party"),
    "split_criteria": ("_facts", "split_criteria"),
    "verify": ("_verify", "verify"),
    "verify_parsed": ("_verify", "verify_parsed"),
    "verify_credential": ("_verify", "verify_credential"),
    "verify_presentation": ("_verify", "verify_presentation"),
    "VerifyOptions": ("_checks._context", "VerifyOptions"),
    "StatusChecker": ("_checks.status_methods", "StatusChecker"),
    "StatusContext": ("_checks.status_methods", "StatusContext"),
    "StatusOutcome": ("_checks.status_methods", "StatusOutcome"),
    "parse_input": ("_formats", "parse_input"),
    "parse_text": ("_formats", "parse_text"),
    "ParsedInput": ("_formats", "ParsedInput"),
    "CHECK_STATUS_WORDS": ("_plain", "CHECK_STATUS_WORDS"),
    "GRADE_WORDS": ("_plain", "GRADE_WORDS"),
    "Grade": ("_plain", "Grade"),
    "GradeWords": ("_plain", "GradeWords"),
    "PlainCheck": ("_plain", "PlainCheck"),
    "grade_json": ("_plain", "grade_json"),
    "grade_of": ("_plain", "grade_of"),
    "grade_report": ("_plain", "grade_report"),
    "plain_check": ("_plain", "plain_check"),
    "plain_checks": ("_plain", "plain_checks"),
    "CheckId": ("_report", "CheckId"),
    "CheckResult": ("_report", "CheckResult"),
    "Status": ("_report", "Status"),
    "Verdict": ("_report", "Verdict"),
    "VerificationReport": ("_report", "VerificationReport"),
    "describe_problem": ("_report", "describe_problem"),
    "failed": ("_report", "failed"),
    "warning": ("_report", "warning"),
    "SatchelError": ("_errors", "SatchelError"),
    "MalformedError": ("_errors", "MalformedError"),
    "TooComplexError": ("_errors", "TooComplexError"),
    "UnknownContextError": ("_errors", "UnknownContextError"),
    "SafeModeError": ("_errors", "SafeModeError"),
    "UnsupportedProofError": ("_errors", "UnsupportedProofError"),
    "UnsupportedFormatError": ("_errors", "UnsupportedFormatError"),
    "KeyResolutionError": ("_errors", "KeyResolutionError"),
    "FetchError": ("_errors", "FetchError"),
    "FetchRefusedError": ("_errors", "FetchRefusedError"),
    "GoneError": ("_errors", "GoneError"),
    "Fetcher": ("_net", "Fetcher"),
    "LocalDocuments": ("_net", "LocalDocuments"),
    "make_client": ("_net", "make_client"),
    "PATHWAY_DOCUMENT_TYPE": ("_pathways", "PATHWAY_DOCUMENT_TYPE"),
    "Pathway": ("_pathways", "Pathway"),
    "PathwayPart": ("_pathways", "PathwayPart"),
    "parse_pathway_document": ("_pathways", "parse_pathway_document"),
    "pathway_document_urls": ("_pathways", "pathway_document_urls"),
    "pathways_in_credential": ("_pathways", "pathways_in_credential"),
    "with_earned": ("_pathways", "with_earned"),
    "describe_http_error": ("_net", "describe_http_error"),
    "DocumentMapTransport": ("_transports", "DocumentMapTransport"),
    "GuardedTransport": ("_transports", "GuardedTransport"),
    "RefusingTransport": ("_transports", "RefusingTransport"),
    "RefusedError": ("_transports", "RefusedError"),
    "DiskCache": ("_cache", "DiskCache"),
    "MemoryCache": ("_cache", "MemoryCache"),
    "TrustList": ("_trust", "TrustList"),
    "SdBaseProofKey": ("_proofs.ecdsa_sd_2023", "SdBaseProofKey"),
    "derive_selective_disclosure": ("_proofs.ecdsa_sd_2023", "derive_selective_disclosure"),
    "has_sd_base_proof": ("_proofs.ecdsa_sd_2023", "has_sd_base_proof"),
    "human": ("_checks.dates", "human"),
    "parse_datetime": ("_checks.dates", "parse_datetime"),
    "did_key_from_public_key": ("_did", "did_key_from_public_key"),
    "resolve_verification_method": ("_did", "resolve_verification_method"),
    "url_to_did_web": ("_did", "url_to_did_web"),
    "encode_multikey": ("_multiformats", "encode_multikey"),
    "ProofOptions": ("_proofs", "ProofOptions"),
    "add_proof": ("_proofs", "add_proof"),
    "sign_jws": ("_formats.jws", "sign_jws"),
    "parse_compact_jws": ("_formats.jws", "parse_compact_jws"),
    "verify_jws_signature": ("_formats.jws", "verify_jws_signature"),
    "public_key_to_jwk": ("_formats.jws", "public_key_to_jwk"),
    "b64url_encode": ("_encoding", "b64url_encode"),
    "b64url_decode": ("_encoding", "b64url_decode"),
    "inflate_bounded": ("_encoding", "inflate_bounded"),
    "encode_list": ("_status", "encode_list"),
    "set_status": ("_status", "set_status"),
    "bake_png": ("_formats.images", "bake_png"),
    "bake_svg": ("_formats.images", "bake_svg"),
    "is_png": ("_formats.images", "is_png"),
    "is_svg": ("_formats.images", "is_svg"),
    "QR_PREFIX": ("_formats.qr", "PREFIX"),
    "QR_DICTIONARY_V1": ("_formats.qr", "DICTIONARY_V1"),
    "QR_MAX_DECODED_BYTES": ("_formats.qr", "MAX_DECODED_BYTES"),
    "BASE45_ALPHABET": ("_formats.qr", "ALPHABET"),
    "Base45Error": ("_formats.qr", "Base45Error"),
    "QrDecodeError": ("_formats.qr", "QrDecodeError"),
    "b45decode": ("_formats.qr", "b45decode"),
    "b45encode": ("_formats.qr", "b45encode"),
    "compact_json": ("_formats.qr", "compact_json"),
    "decode_qr_image": ("_formats.qr", "decode_qr_image"),
    "decode_qr_text": ("_formats.qr", "decode_qr_text"),
    "encode_qr_text": ("_formats.qr", "encode_qr_text"),
    "looks_like_qr_text": ("_formats.qr", "looks_like_qr_text"),
    "UrDecoder": ("_formats.ur", "UrDecoder"),
    "UrEncoder": ("_formats.ur", "UrEncoder"),
    "UrError": ("_formats.ur", "UrError"),
    "decode_single_ur": ("_formats.ur", "decode_single_ur"),
    "encode_single_ur": ("_formats.ur", "encode_single_ur"),
    "is_ur_text": ("_formats.ur", "is_ur_text"),
    "QR_UR_TYPE": ("_formats.qr_parts", "QR_UR_TYPE"),
    "AssemblyProgress": ("_formats.qr_parts", "AssemblyProgress"),
    "QrAssembler": ("_formats.qr_parts", "QrAssembler"),
    "QrAssemblyError": ("_formats.qr_parts", "QrAssemblyError"),
    "QrParts": ("_formats.qr_parts", "QrParts"),
    "alphanumeric_capacity": ("_formats.qr_parts", "alphanumeric_capacity"),
    "encode_qr_parts": ("_formats.qr_parts", "encode_qr_parts"),
    "CborLdError": ("_formats.cborld", "CborLdError"),
    "decode_cborld": ("_formats.cborld", "decode_cborld"),
    "decode_vpqr_text": ("_formats.cborld", "decode_vpqr_text"),
    "encode_cborld": ("_formats.cborld", "encode_cborld"),
    "encode_vpqr_text": ("_formats.cborld", "encode_vpqr_text"),
    "SHARE_KEY_BYTES": ("_formats.share_links", "KEY_BYTES"),
    "SHARE_NONCE_BYTES": ("_formats.share_links", "NONCE_BYTES"),
    "SHARE_PATH": ("_formats.share_links", "SHARE_PATH"),
    "MAX_INLINE_LINK": ("_formats.share_links", "MAX_INLINE_LINK"),
    "LinkError": ("_formats.share_links", "LinkError"),
    "RelayRef": ("_formats.share_links", "RelayRef"),
    "UnshareSecret": ("_formats.share_links", "UnshareSecret"),
    "decode_link": ("_formats.share_links", "decode_link"),
    "decrypt_from_relay": ("_formats.share_links", "decrypt_from_relay"),
    "encode_inline_link": ("_formats.share_links", "encode_inline_link"),
    "encrypt_for_relay": ("_formats.share_links", "encrypt_for_relay"),
    "is_share_link": ("_formats.share_links", "is_share_link"),
    "new_unshare_secret": ("_formats.share_links", "new_unshare_secret"),
    "relay_fetch_url": ("_formats.share_links", "relay_fetch_url"),
    "relay_link": ("_formats.share_links", "relay_link"),
    "unshare_hash": ("_formats.share_links", "unshare_hash"),
    "Concealed": ("_formats.sd_jwt", "Concealed"),
    "Disclosure": ("_formats.sd_jwt", "Disclosure"),
    "SdJwt": ("_formats.sd_jwt", "SdJwt"),
    "issue_sd_jwt": ("_formats.sd_jwt", "issue_sd_jwt"),
    "parse_sd_jwt": ("_formats.sd_jwt", "parse_sd_jwt"),
    "present_sd_jwt": ("_formats.sd_jwt", "present_sd_jwt"),
    "process_disclosures": ("_formats.sd_jwt", "process_disclosures"),
    "CandidateMatch": ("_dcql", "CandidateMatch"),
    "ClaimMatch": ("_dcql", "ClaimMatch"),
    "ClaimsQuery": ("_dcql", "ClaimsQuery"),
    "CredentialQuery": ("_dcql", "CredentialQuery"),
    "CredentialQueryMatch": ("_dcql", "CredentialQueryMatch"),
    "CredentialSetQuery": ("_dcql", "CredentialSetQuery"),
    "DcqlCandidate": ("_dcql", "DcqlCandidate"),
    "DcqlMatch": ("_dcql", "DcqlMatch"),
    "DcqlQuery": ("_dcql", "DcqlQuery"),
    "TrustedAuthority": ("_dcql", "TrustedAuthority"),
    "json_pointer_of": ("_dcql", "json_pointer_of"),
    "match_dcql": ("_dcql", "match_dcql"),
    "parse_dcql_query": ("_dcql", "parse_dcql_query"),
    "select_claims_path": ("_dcql", "select_claims_path"),
    "sd_jwt_candidate": ("_dcql", "sd_jwt_candidate"),
    "sd_jwt_disclosures_for": ("_dcql", "sd_jwt_disclosures_for"),
    "w3c_candidate": ("_dcql", "w3c_candidate"),
}


def __getattr__(name: str) -> Any:
    where = _WHERE.get(name)
    if where is None:
        raise AttributeError(f"module 'credentials' has no attribute {name!r}")
    from importlib import import_module

    value = getattr(import_module(f"credentials.{where[0]}"), where[1])
    globals()[name] = value  # later look-ups skip this function
    return value


def __dir__() -> list[str]:
    return sorted(__all__)
