"""CBOR-LD (W3C CBOR-LD 1.0) and the ``VP1-`` / ``VC1-`` QR text of the Digital Credentials
Consortium's wallet (vpqr): ``"VP1-" + multibase(CBOR-LD)``.

CBOR-LD (W3C draft https://w3c.github.io/cbor-ld/, formerly https://json-ld.github.io/cbor-ld-spec/)
writes a JSON-LD document as CBOR, with the vocabulary its contexts define replaced by small integers:

* The document is a CBOR tag around the payload (§"CBOR Tags for CBOR-LD", §"CBOR-LD Registry"):
  1.0 writes ``0xcb1d([registryEntryId, payload])``; entry 0 is the JSON as plain CBOR, entry 1 the
  default compression with empty type tables. Older writers use ``0x0501(payload)`` (compressed
  with the legacy string table: what ``@digitalcredentials/vpqr`` 2.x, and so the DCC Learner
  Credential Wallet, emits), ``0x0500(json)`` and ``0x0600``-``0x06ff`` (the registry entry as a
  varint begun in the tag).
* The term codec map: keywords have fixed ids; every term of every context
  the document uses gets the next id, from 100 up in steps of two (odd = "the value is an
  array"), in the order the contexts are met while walking the document (embedded, then
  type-scoped in sorted type order, then property-scoped, keys always in sorted order), each
  context's terms sorted. Encoder and decoder walk alike, so they build the same map. The
  contexts come from the bundle only (``credentials._jsonld``); an unknown one is an error.
* Values: the type tables (context URLs → integers in the legacy
  format), then by the term's type: ``@id`` / ``@vocab`` values are term ids or URLs split into
  scheme id + rest (http, https, ``urn:uuid:`` as 16 bytes, ``data:`` base64 as bytes,
  ``did:key:`` / ``did:v1:nym:`` base58 as bytes); ``security#multibase`` strings become
  bytes; ``xsd:dateTime`` / ``xsd:date`` become seconds since the epoch. A codec is used only
  where it gives back exactly the same string; anything else travels as it is.

The draft gives the term codec map and the value codecs in prose; the exact wire rules here follow
its reference implementation (github:digitalbazaar/cborld 8.1.0, read, not copied), so that what
either writes the other reads, byte for byte where theirs is lossless (tests/test_interop_cborld.py).
One difference: a scoped ``"@context": null`` (VCDM 2.0 puts one on ``verifiableCredential``) resets
the terms as JSON-LD 1.1 says; the reference implementation fails on it, so a VCDM 2.0 presentation
with credentials inside is CBOR-LD only Satchel reads.

Reading is bounded: at most ``MAX_CBORLD_BYTES`` in, ``MAX_DEPTH`` levels of nesting, no CBOR
tag inside the payload (shared references and string references would let a few bytes stand
for a huge document), no duplicate keys, and every object, value and context term definition
processed is counted against ``MAX_WORK``.
"""

from __future__ import annotations

import base64
import binascii
import calendar
import io
import re
import uuid
from collections.abc import Callable, Iterable, Mapping
from datetime import UTC, datetime, timedelta
from typing import Any, Final

import cbor2

from .._errors import MalformedError, TooComplexError, UnknownContextError
from .._jsonld._loader import load_context
from .._multiformats import b58decode, b58encode
from . import _cborld_tables as t
from .qr import Base45Error, QrDecodeError, b45decode, b45encode

__all__ = ["CborLdError", "CborLdTooComplex", "CborLdWork", "decode_cborld", "decode_vpqr_text", "encode_cborld",
           "encode_vpqr_text", "looks_like_vpqr_text"]

MAX_CBORLD_BYTES: Final = 2 * 1024 * 1024  # a 60 KB badge with its picture is 44 KB of CBOR-LD
MAX_DEPTH: Final = 48  # containers; a CLR with nested achievements and proofs needs under 20
MAX_WORK: Final = 1_000_000  # steps (see CborLdWork); the sample CLR (21 KB of JSON, 3 credentials in it) takes 35 000
MAX_BASE58_BYTES: Final = 4096  # base58 is quadratic; a proof value or a did:key is under 100 bytes

FORMAT_1_0: Final = "cbor-ld-1.0"
FORMAT_LEGACY: Final = "legacy-singleton"
VPQR_PREFIXES: Final = ("VP1-", "VC1-")


class CborLdError(QrDecodeError):
    """Bytes or text that are not CBOR-LD Satchel can read, with the reason."""


_MISSING: Final = object()
_UNDECODED: Final = object()


class CborLdTooComplex(CborLdError, TooComplexError):
    """A CBOR-LD document that needs more work than any genuine credential does."""


class CborLdWork:
    """The work one conversion may do, in steps (a CBOR item read, an object or value converted,
    a term definition loaded or copied); counted, so a hostile payload stops in bounded time and
    tests can assert the bound without timing anything."""

    __slots__ = ("limit", "used")

    def __init__(self, limit: int = MAX_WORK) -> None:
        self.limit = limit
        self.used = 0

    def take(self, amount: int) -> None:
        self.used += amount
        if self.used > self.limit:
            error = CborLdTooComplex(f"the CBOR-LD document needs more work than Satchel allows ({self.limit} steps)")
            error.work = self.used
            raise error


def _js_order(key: str) -> bytes:
    """Sort key matching JavaScript's default sort (UTF-16 code units), which the term ids hang on."""
    return key.encode("utf-16-be", "surrogatepass")


# -- contexts and the term codec map --------------------------------------------------------------

class _Term:
    """One term definition (CURIEs resolved) with the scoping facts JSON-LD 1.1 §4.1.11 needs."""

    __slots__ = ("definition", "propagate", "protected")

    def __init__(self, definition: dict[str, Any], protected: bool, propagate: bool) -> None:
        self.definition = definition
        self.protected = protected
        self.propagate = propagate

    def copy(self) -> _Term:
        return _Term(dict(self.definition), self.protected, self.propagate)


class _ContextLoader:
    """The bundled contexts as loaded term lists, and the term codec map they build."""

    def __init__(self, budget: CborLdWork) -> None:
        self.budget = budget
        self.by_url: dict[str, tuple[dict[str, Any], dict[str, tuple[dict[str, Any], bool]]]] = {}
        self.term_ids: dict[str, int] = dict(t.KEYWORD_IDS)
        self.id_terms: dict[int, str] = {v: k for k, v in t.KEYWORD_IDS.items()}
        self.next_id = t.FIRST_TERM_ID

    def id_for(self, term: str, plural: bool = False) -> int | str:
        """The term's id (odd when its value is an array), or the term itself if it has none."""
        found = self.term_ids.get(term)
        if found is None:
            return term
        return found + 1 if plural else found

    def term_for(self, key: object) -> tuple[str, bool]:
        """The term an id stands for and whether its value is an array; a string is itself."""
        if isinstance(key, str):
            return key, False
        if not isinstance(key, int) or isinstance(key, bool):
            raise CborLdError(f"a CBOR-LD map key must be a term id or a term, not {type(key).__name__}")
        term = self.id_terms.get(key & ~1)
        if term is None:
            raise CborLdError(f"the term id {key} is defined by none of the document's contexts")
        return term, bool(key & 1)

    def has_term_id(self, key: int) -> bool:
        return key in self.id_terms

    def load(self, context: object) -> tuple[dict[str, Any], dict[str, tuple[dict[str, Any], bool]]]:
        if isinstance(context, str):
            cached = self.by_url.get(context)
            if cached is None:
                cached = self.by_url[context] = self._add(self._fetch(context))
            return cached
        if not isinstance(context, dict):
            raise CborLdError("an @context entry is neither a URL nor an object")
        return self._add(context)

    @staticmethod
    def _fetch(url: str) -> dict[str, Any]:
        try:
            document = load_context(url)
        except UnknownContextError:
            raise CborLdError(f"the context {url} is not one Satchel bundles, so its CBOR-LD terms are unknown")\
                from None
        context = document.get("@context") if isinstance(document, dict) else None
        if not isinstance(context, dict):
            raise CborLdError(f"the context {url} is not a single JSON-LD context object")
        return context

    def _add(self, context: dict[str, Any]) -> tuple[dict[str, Any], dict[str, tuple[dict[str, Any], bool]]]:
        imported = context.get("@import")
        if isinstance(imported, str):  # JSON-LD 1.1 §4.1.10: the imported context, overridden by this one
            context = {**self.load(imported)[0], **context}
        self.budget.take(len(context))
        protected = bool(context.get("@protected"))
        terms: dict[str, tuple[dict[str, Any], bool]] = {}
        for key in sorted(context, key=_js_order):
            definition = context[key]
            if key in t.KEYWORD_IDS or definition is None:
                continue
            if isinstance(definition, str):
                definition = {"@id": definition}
            elif not isinstance(definition, dict):
                raise CborLdError(f"the term definition of {key!r} is neither a string nor an object")
            terms[key] = (definition, protected)
            if key not in self.term_ids:
                self.term_ids[key] = self.next_id
                self.id_terms[self.next_id] = key
                self.next_id += 2
        return context, terms


def _resolve_curie(value: str, context: Mapping[str, Any], active: Mapping[str, _Term]) -> str:
    """A compact IRI ``prefix:suffix`` expanded by the prefix's definition (JSON-LD 1.1 §4.1.3)."""
    for _ in range(16):  # a prefix defined through other prefixes; bundled contexts need one step
        prefix, colon, suffix = value.partition(":")
        if not colon:
            return value
        found = context.get(prefix)
        if found is None:
            term = active.get(prefix)
            found = term.definition if term is not None else None
        if found is None:
            return value
        base = found if isinstance(found, str) else found.get("@id") if isinstance(found, dict) else None
        if not isinstance(base, str):
            return value
        value = base + suffix
    raise CborLdError("a context defines a compact IRI through a loop of prefixes")


def _resolve_curies(terms: dict[str, _Term], context: Mapping[str, Any], active: Mapping[str, _Term]) -> None:
    for key, term in terms.items():
        definition = term.definition
        if "@id" in definition and isinstance(definition["@id"], str):
            definition["@id"] = _resolve_curie(definition["@id"], context, active)
        elif "@id" not in definition:
            resolved = _resolve_curie(key, context, active)
            if ":" in resolved:
                definition["@id"] = resolved
        if isinstance(definition.get("@type"), str):
            definition["@type"] = _resolve_curie(definition["@type"], context, active)
        if not isinstance(definition.get("@id"), str):
            raise CborLdError(f"the term {key!r} has no IRI its context defines")


class _ActiveContext:
    """The terms in force at one place of the document, and where they came from (for reverting
    type-scoped terms, which do not propagate into nested objects: JSON-LD 1.1 §4.1.8)."""

    __slots__ = ("loader", "previous", "terms", "type_terms")

    def __init__(self, loader: _ContextLoader, terms: dict[str, _Term], previous: _ActiveContext | None) -> None:
        self.loader = loader
        self.terms = terms
        self.previous = previous
        self.type_terms = ["@type"] + [k for k, v in terms.items() if v.definition.get("@id") == "@type"]

    def definition(self, term: str) -> dict[str, Any]:
        found = self.terms.get(term)
        return found.definition if found is not None else {}

    def with_embedded(self, contexts: object) -> _ActiveContext:
        return _ActiveContext(self.loader, self._update(self.terms, contexts), self)

    def with_property_scope(self, term: str) -> _ActiveContext:
        found = self.terms.get(term)
        scoped = found.definition.get("@context", _MISSING) if found is not None else _MISSING
        return _ActiveContext(self.loader, self._update(self._reverted(), scoped, property_scope=True), self)

    def with_type_scopes(self, types: Iterable[str]) -> _ActiveContext:
        terms = self.terms
        for type_name in sorted(set(types), key=_js_order):  # JSON-LD 1.1 §4.1.7: lexicographic order
            found = terms.get(type_name)
            scoped = found.definition.get("@context", _MISSING) if found is not None else _MISSING
            terms = self._update(terms, scoped, type_scope=True)
        return _ActiveContext(self.loader, terms, self)

    def _reverted(self) -> dict[str, _Term]:
        """The terms with every non-propagating one replaced by what it was before."""
        kept: dict[str, _Term] = {}
        for name, term in self.terms.items():
            if term.propagate:
                kept[name] = term
                continue
            outer = self.previous
            earlier = outer.terms.get(name) if outer is not None else None
            while earlier is not None and not earlier.propagate and outer is not None:
                outer = outer.previous
                earlier = outer.terms.get(name) if outer is not None else None
            if earlier is not None:
                kept[name] = earlier
        return kept

    def _update(self, active: dict[str, _Term], contexts: object, *, property_scope: bool = False,
                type_scope: bool = False) -> dict[str, _Term]:
        if contexts is _MISSING:
            contexts = [{}]
        for context in contexts if isinstance(contexts, list) else [contexts]:
            if context is None:  # JSON-LD 1.1 §9.4.1 (Context Processing) step 5.1: back to no terms
                if not property_scope and any(term.protected for term in active.values()):
                    raise CborLdError("a null @context would clear protected terms (invalid context nullification)")
                active = {}
                continue
            loaded, entry = self.loader.load(context)
            propagate = loaded.get("@propagate", not type_scope)
            fresh = {k: _Term(dict(d), protected, bool(propagate)) for k, (d, protected) in entry.items()}
            _resolve_curies(fresh, loaded, active)
            self.loader.budget.take(len(active) + len(fresh))
            for name, term in active.items():
                if name in fresh:
                    if term.protected and not property_scope and fresh[name].definition != term.definition:
                        raise CborLdError(f"a context redefines the protected term {name!r}")
                elif not (name in loaded and loaded[name] is None):
                    fresh[name] = term.copy()
            active = fresh
        return active


# -- value codecs -----------------------------------------------------------------------------------

def _table_type(term: str, definition: Mapping[str, Any], term_type: object) -> str:
    """Which type table and codec a value uses: "url" for @id, @type and @id/@vocab-typed terms."""
    if term in ("@id", "@type") or definition.get("@id") in ("@id", "@type") or term_type in ("@id", "@vocab"):
        return "url"
    return term_type if isinstance(term_type, str) else "none"


def _uint_bytes(value: int) -> bytes:
    for size, bound in ((1, 0xFF), (2, 0xFFFF), (4, 0xFFFFFFFF), (8, 2**53 - 1)):
        if value < bound:
            return value.to_bytes(size, "big")
    raise CborLdError(f"the table id {value} is too large")


def _int_bytes(value: int) -> bytes:
    for size in (1, 2, 4, 8):
        if -(1 << (8 * size - 1)) <= value < (1 << (8 * size - 1)) - 1:
            return value.to_bytes(size, "big", signed=True)
    raise CborLdError(f"the integer {value} is too large for a typed CBOR-LD value")


def _uint_from_bytes(data: bytes) -> int:
    if len(data) not in (1, 2, 4):
        raise CborLdError(f"a table id of {len(data)} bytes (1, 2 or 4 expected)")
    return int.from_bytes(data, "big")


def _int_from_bytes(data: bytes) -> int:
    if len(data) not in (1, 2, 4, 8):
        raise CborLdError(f"a typed integer of {len(data)} bytes (1, 2, 4 or 8 expected)")
    return int.from_bytes(data, "big", signed=True)


def _is_int(value: object) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


_UUID = re.compile(r"[0-9a-f]{8}-[0-9a-f]{4}-[1-8][0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}")
_DATA_BASE64 = re.compile("data:([^\n\r\u2028\u2029]*);base64,([^\n\r\u2028\u2029]*)")  # JavaScript's "."
_DATETIME = re.compile(r"(\d{4})-(\d\d)-(\d\d)T(\d\d):(\d\d):(\d\d)(?:\.(\d{3}))?Z")
_DATE = re.compile(r"(\d{4})-(\d\d)-(\d\d)")
_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)


def _b58_token(text: str) -> str | bytes:
    """A did:key part: its base58btc bytes when it is ``z``-multibase and reads back the same."""
    if text.startswith("z") and len(text) <= MAX_BASE58_BYTES:
        try:
            raw = b58decode(text[1:])
        except MalformedError:
            return text
        if b58encode(raw) == text[1:]:
            return raw
    return text


def _encode_url(value: str, loader: _ContextLoader) -> Any:
    term_id = loader.id_for(value)
    if isinstance(term_id, int):
        return term_id
    scheme = value.rpartition(":")[0]
    if scheme in ("http", "https") and value.startswith(scheme + "://") and len(value) > len(scheme) + 3:
        return [t.SCHEME_HTTPS if scheme == "https" else t.SCHEME_HTTP, value[len(scheme) + 3:]]
    if scheme == "urn:uuid":
        rest = value[len("urn:uuid:"):]
        return [t.SCHEME_UUID_URN, uuid.UUID(rest).bytes if _UUID.fullmatch(rest) else rest]
    if scheme == "data":
        return _encode_data_url(value)
    if scheme in ("did:key", "did:v1:nym") and value.count("#") <= 1:
        authority, hash_sign, fragment = value[len(scheme) + 1:].partition("#")
        code = t.SCHEME_DID_KEY if scheme == "did:key" else t.SCHEME_DID_V1_NYM
        return [code, _b58_token(authority)] + ([_b58_token(fragment)] if hash_sign else [])
    return value


def _encode_data_url(value: str) -> list[Any]:
    """RFC 2397: ``data:<mediatype>;base64,<data>`` as [4, mediatype, bytes] when the base64 reads
    back to exactly the same text; any other data URL as [4, everything after "data:"]."""
    found = _DATA_BASE64.fullmatch(value)
    if found is not None:
        try:
            raw = base64.b64decode(found.group(2), validate=True)
        except (binascii.Error, ValueError):
            raw = None
        if raw is not None and base64.b64encode(raw).decode("ascii") == found.group(2):
            return [t.SCHEME_DATA, found.group(1), raw]
    return [t.SCHEME_DATA, value[len("data:"):]]


def _encode_multibase(value: str) -> str | bytes:
    """A multibase string (base58btc ``z``, base64url ``u``, base64pad ``M``) as its prefix byte
    and bytes, when the bytes write back to the same text."""
    prefix, body = value[:1], value[1:]
    try:
        if prefix == "z" and len(body) <= MAX_BASE58_BYTES:
            raw = b58decode(body)
        elif prefix == "u" and "=" not in body:
            raw = base64.urlsafe_b64decode(body + "=" * (-len(body) % 4))
        elif prefix == "M":
            raw = base64.b64decode(body, validate=True)
        else:
            return value
    except (MalformedError, binascii.Error, ValueError):
        return value
    return value.encode("ascii")[:1] + raw if _multibase_text(prefix.encode("ascii")[0], raw) == value else value


def _multibase_text(prefix: int, raw: bytes) -> str | None:
    if prefix == 0x7A:
        return "z" + b58encode(raw)
    if prefix == 0x75:
        return "u" + base64.urlsafe_b64encode(raw).rstrip(b"=").decode("ascii")
    if prefix == 0x4D:
        return "M" + base64.b64encode(raw).decode("ascii")
    return None


def _encode_datetime(value: str) -> Any:
    """xsd:dateTime in UTC as seconds since the epoch, [seconds, milliseconds] with milliseconds."""
    found = _DATETIME.fullmatch(value)
    if found is None:
        return value
    year, month, day, hour, minute, second = (int(found.group(i)) for i in range(1, 7))
    try:
        moment = datetime(year, month, day, hour, minute, second, tzinfo=UTC)
    except ValueError:
        return value
    seconds = calendar.timegm(moment.timetuple())
    return seconds if found.group(7) is None else [seconds, int(found.group(7))]


def _encode_date(value: str) -> Any:
    found = _DATE.fullmatch(value)
    if found is None:
        return value
    try:
        moment = datetime(int(found.group(1)), int(found.group(2)), int(found.group(3)), tzinfo=UTC)
    except ValueError:
        return value
    return calendar.timegm(moment.timetuple())


def _moment(milliseconds: int) -> datetime:
    try:
        return _EPOCH + timedelta(milliseconds=milliseconds)
    except OverflowError:
        raise CborLdError("a CBOR-LD date is outside the years 1-9999") from None


def _decode_datetime(value: object) -> object:
    if _is_int(value):
        assert isinstance(value, int)
        return _moment(value * 1000).strftime("%Y-%m-%dT%H:%M:%SZ")
    if isinstance(value, list) and len(value) == 2 and all(_is_int(v) for v in value):
        moment = _moment(value[0] * 1000 + value[1])
        return moment.strftime("%Y-%m-%dT%H:%M:%S.") + f"{moment.microsecond // 1000:03d}Z"
    return _UNDECODED


def _decode_date(value: object) -> object:
    if _is_int(value):
        assert isinstance(value, int)
        return _moment(value * 1000).strftime("%Y-%m-%d")
    return _UNDECODED


def _decode_multibase(value: object) -> object:
    if isinstance(value, bytes) and value and value[0] in (0x7A, 0x75, 0x4D):
        if value[0] == 0x7A and len(value) > MAX_BASE58_BYTES:
            raise CborLdError("a base58 value longer than any CBOR-LD writer produces")
        return _multibase_text(value[0], value[1:])
    return _UNDECODED


def _b58_part(part: object) -> str:
    if isinstance(part, str):
        return part
    if isinstance(part, bytes) and len(part) <= MAX_BASE58_BYTES:
        return "z" + b58encode(part)
    raise CborLdError("a compressed DID URL part is neither text nor base58 bytes")


def _decode_url_array(value: list[Any]) -> str:
    prefix = t.SCHEME_PREFIXES.get(value[0]) if value and _is_int(value[0]) else None
    rest = value[1:]
    if prefix in ("http://", "https://") and len(rest) == 1 and isinstance(rest[0], str):
        return prefix + rest[0]
    if prefix == "urn:uuid:" and len(rest) == 1:
        if isinstance(rest[0], str):
            return prefix + rest[0]
        if isinstance(rest[0], bytes) and len(rest[0]) == 16:
            return prefix + str(uuid.UUID(bytes=rest[0]))
    if prefix == "data:":
        if len(rest) == 2 and isinstance(rest[0], str) and isinstance(rest[1], bytes):
            return f"data:{rest[0]};base64,{base64.b64encode(rest[1]).decode('ascii')}"
        if len(rest) == 1 and isinstance(rest[0], str):
            return prefix + rest[0]
    if prefix in ("did:key:", "did:v1:nym:") and 1 <= len(rest) <= 2:
        return prefix + _b58_part(rest[0]) + ("#" + _b58_part(rest[1]) if len(rest) == 2 else "")
    raise CborLdError(f"a compressed URL with scheme code {value[0] if value else None!r} that Satchel cannot read")


# -- the conversion -------------------------------------------------------------------------------

class _Converter:
    """One document's conversion, JSON-LD → CBOR-LD or back, with its own term codec map."""

    def __init__(self, tables: Mapping[str, Mapping[str, int]], *, legacy: bool, work: CborLdWork) -> None:
        self.budget = work
        self.loader = _ContextLoader(self.budget)
        self.tables = tables
        self.reverse = {name: {v: k for k, v in table.items()} for name, table in tables.items()}
        self.legacy = legacy
        self.bytes_tables = t.LEGACY_BYTES_TABLES if legacy else t.BYTES_TABLES
        self.root = _ActiveContext(self.loader, {}, None)

    # JSON-LD → CBOR-LD

    def compress(self, obj: Mapping[str, Any], active: _ActiveContext, depth: int = 0) -> dict[int | str, Any]:
        self._enter(depth)
        if not all(isinstance(key, str) for key in obj):
            raise CborLdError("a JSON object's keys are text")
        active = active.with_embedded(obj.get("@context", _MISSING))
        out: dict[int | str, Any] = {}
        if "@context" in obj:
            context = obj["@context"]
            table = self.tables["context"]
            encoded = [table.get(c, c) if isinstance(c, str) else c for c in _as_list(context)]
            out[t.KEYWORD_IDS["@context"] + isinstance(context, list)] = (
                encoded if isinstance(context, list) else encoded[0])
        types = [v for name in active.type_terms for v in _as_list(obj.get(name, [])) if isinstance(v, str)]
        active = active.with_type_scopes(types)
        for key in sorted((k for k in obj if k != "@context"), key=_js_order):
            value = obj[key]
            plural = isinstance(value, list)
            definition = active.definition(key)
            inner = active.with_property_scope(key)
            values = [self._compress_value(v, key, definition, inner, depth + 1) for v in _as_list(value)]
            out[self.loader.id_for(key, plural)] = values if plural else values[0]
        return out

    def _compress_value(self, value: Any, term: str, definition: Mapping[str, Any], active: _ActiveContext,
                        depth: int) -> Any:
        self.budget.take(1)
        if value is None:
            return None
        if isinstance(value, list):
            self._enter(depth)
            return [self._compress_value(v, term, definition, active, depth + 1) for v in value]
        if isinstance(value, dict):
            return self.compress(value, active, depth)
        return self._encode_scalar(value, term, definition)

    def _encode_scalar(self, value: Any, term: str, definition: Mapping[str, Any]) -> Any:
        table_type = _table_type(term, definition, definition.get("@type"))
        if table_type == "url" and not isinstance(value, str):
            raise CborLdError(f"the value of {term!r} must be a URL string, not {type(value).__name__}")
        table = self.tables.get(table_type)
        if table is not None:
            found = table.get(value) if isinstance(value, str) else None
            if found is not None:
                return _uint_bytes(found) if table_type in self.bytes_tables else found
            if table_type != "none" and _is_int(value):
                return _int_bytes(value)
        if not isinstance(value, str):
            return _json_scalar(value)
        codec = _ENCODERS.get(table_type)
        if table_type == "url":
            return _encode_url(value, self.loader)
        return codec(value) if codec is not None else value

    # CBOR-LD → JSON-LD

    def decompress(self, obj: Mapping[Any, Any], active: _ActiveContext, depth: int = 0) -> dict[str, Any]:
        self._enter(depth)
        out: dict[str, Any] = {}
        context = self._decode_contexts(obj)
        if context is not _MISSING:
            out["@context"] = context
        active = active.with_embedded(context)
        active = active.with_type_scopes(self._decoded_types(obj, active))
        entries: dict[str, tuple[bool, Any]] = {}
        for key, value in obj.items():
            if key in (0, 1) and not isinstance(key, bool):
                continue
            term, plural = self.loader.term_for(key)
            if term in entries or term == "@context":
                raise CborLdError(f"the term {term!r} appears twice in one CBOR-LD object")
            entries[term] = (plural, value)
        for term in sorted(entries, key=_js_order):
            plural, value = entries[term]
            if plural and not isinstance(value, list):
                raise CborLdError(f"the array term {term!r} holds a single value")
            definition = active.definition(term)
            inner = active.with_property_scope(term)
            values = [self._decompress_value(v, term, definition, inner, depth + 1) for v in _as_list(value, plural)]
            out[term] = values if plural else values[0]
        return out

    def _decode_contexts(self, obj: Mapping[Any, Any]) -> object:
        single, plural = obj.get(0, _MISSING), obj.get(1, _MISSING)
        if single is not _MISSING and plural is not _MISSING:
            raise CborLdError("a CBOR-LD object has both a single @context and a list of them")
        if plural is not _MISSING:
            if not isinstance(plural, list):
                raise CborLdError("the CBOR-LD @context list is not an array")
            return [self._decode_context(c) for c in plural]
        return _MISSING if single is _MISSING else self._decode_context(single)

    def _decode_context(self, value: object) -> object:
        if _is_int(value):
            url = self.reverse["context"].get(value)  # type: ignore[call-overload]
            if url is None:
                raise CborLdError(f"the context code {value} is in no registry Satchel knows")
            return url
        return _plain_json(value, self.budget)

    def _decoded_types(self, obj: Mapping[Any, Any], active: _ActiveContext) -> list[str]:
        types: list[str] = []
        for name in active.type_terms:
            key = self.loader.id_for(name)
            value = obj.get(key, _MISSING)
            if value is _MISSING and isinstance(key, int):
                value = obj.get(key + 1, _MISSING)
            if value is _MISSING:
                continue
            for item in value if isinstance(value, list) else [value]:
                decoded = self._decode_scalar(item, name, {}, "@vocab")
                if isinstance(decoded, str):
                    types.append(decoded)
        return types

    def _decompress_value(self, value: Any, term: str, definition: Mapping[str, Any], active: _ActiveContext,
                          depth: int) -> Any:
        self.budget.take(1)
        if value is None:
            return None
        if isinstance(value, dict):
            return self.decompress(value, active, depth)
        decoded = self._decode_scalar(value, term, definition, definition.get("@type"))
        if decoded is not _UNDECODED:
            return decoded
        self._enter(depth)
        return [self._decompress_value(v, term, definition, active, depth + 1) for v in value]

    def _decode_scalar(self, value: Any, term: str, definition: Mapping[str, Any], term_type: object) -> Any:
        table_type = _table_type(term, definition, term_type)
        reverse = self.reverse.get(table_type)
        if reverse is not None:
            found = self._from_table(value, table_type, reverse)
            if found is not _UNDECODED:
                return found
        if table_type == "url":
            if isinstance(value, list):
                return _decode_url_array(value)
            if _is_int(value):
                return self.loader.term_for(value)[0]
        decoder = _DECODERS.get(table_type)
        decoded = decoder(value) if decoder is not None else _UNDECODED
        if decoded is not _UNDECODED or isinstance(value, list):
            return decoded
        if isinstance(value, bytes):
            raise CborLdError(f"the value of {term!r} is a byte string no CBOR-LD codec of its type reads")
        return value

    def _from_table(self, value: Any, table_type: str, reverse: Mapping[int, str]) -> Any:
        as_bytes = table_type in self.bytes_tables
        if isinstance(value, bytes) and as_bytes:
            code = _uint_from_bytes(value)
        elif _is_int(value) and not as_bytes:
            code = value
        elif isinstance(value, bytes) and table_type != "none":
            return _int_from_bytes(value)
        else:
            return _UNDECODED
        found = reverse.get(code)
        if found is not None:
            return found
        if self.legacy and table_type == "url" and self.loader.has_term_id(code):
            return _UNDECODED  # a legacy term id written as a plain integer, read as a term below
        raise CborLdError(f"the compressed value {code} is in no {table_type!r} table Satchel knows")

    def _enter(self, depth: int) -> None:
        self.budget.take(1)
        if depth > MAX_DEPTH:
            raise CborLdError(f"the document nests deeper than {MAX_DEPTH} levels")


_ENCODERS: Final[Mapping[str, Callable[[str], Any]]] = {
    t.MULTIBASE_TYPE: _encode_multibase, t.XSD_DATE: _encode_date, t.XSD_DATETIME: _encode_datetime,
}
_DECODERS: Final[Mapping[str, Callable[[Any], Any]]] = {
    t.MULTIBASE_TYPE: _decode_multibase, t.XSD_DATE: _decode_date, t.XSD_DATETIME: _decode_datetime,
}


def _as_list(value: Any, plural: bool | None = None) -> list[Any]:
    if plural is None:
        plural = isinstance(value, list)
    return value if plural else [value]


def _plain_json(value: Any, budget: CborLdWork, depth: int = 0) -> Any:
    """CBOR data (an uncompressed payload, an embedded context) as JSON, or a CborLdError."""
    budget.take(1)
    if depth > MAX_DEPTH:
        raise CborLdError(f"the document nests deeper than {MAX_DEPTH} levels")
    if isinstance(value, dict):
        if not all(isinstance(k, str) for k in value):
            raise CborLdError("an uncompressed CBOR-LD object has a key that is not text")
        return {k: _plain_json(v, budget, depth + 1) for k, v in value.items()}
    if isinstance(value, list):
        return [_plain_json(v, budget, depth + 1) for v in value]
    return _json_scalar(value)


def _json_scalar(value: Any) -> Any:
    if value is None or isinstance(value, (str, bool, int)):
        return value
    if isinstance(value, float):
        if value != value or value in (float("inf"), float("-inf")):
            raise CborLdError("the document holds a number JSON cannot (NaN or infinity)")
        return value
    raise CborLdError(f"the document holds a {type(value).__name__} value JSON cannot")


def _check_json(value: Any) -> None:
    """Everything a decompression produced is JSON (a passthrough could carry bytes or NaN)."""
    stack = [value]
    while stack:
        item = stack.pop()
        if isinstance(item, dict):
            stack.extend(item.values())
        elif isinstance(item, list):
            stack.extend(item)
        else:
            _json_scalar(item)


# -- the envelope ---------------------------------------------------------------------------------

def _refuse_tag(tag: int) -> Callable[..., Any]:
    def refuse(*_args: Any) -> Any:
        raise CborLdError(f"CBOR tag {tag} inside a CBOR-LD payload")
    return refuse


# cbor2 gives these tags meaning (dates, bignums, sets, shared and string references...); inside
# CBOR-LD none is allowed, and references would let a few bytes stand for a huge document.
_SEMANTIC_TAGS: Final = (0, 1, 2, 3, 4, 5, 25, 28, 29, 30, 35, 36, 37, 52, 54, 100, 256, 258, 260, 261, 1004,
                         43000, 55799)
_REFUSED: Final = {tag: _refuse_tag(tag) for tag in _SEMANTIC_TAGS}


def _thaw(value: Any, budget: CborLdWork) -> Any:
    """cbor2's immutable containers as dicts and lists; any other tag refused."""
    stack: list[tuple[Any, Any, Any]] = []
    root: list[Any] = [None]
    stack.append((root, 0, value))
    while stack:
        parent, slot, item = stack.pop()
        budget.take(1)
        if isinstance(item, cbor2.CBORTag):
            raise CborLdError(f"CBOR tag {item.tag} inside a CBOR-LD payload")
        if isinstance(item, Mapping):
            fresh: dict[Any, Any] = {}
            parent[slot] = fresh
            for key, inner in item.items():
                if not isinstance(key, (str, int)) or isinstance(key, bool):
                    raise CborLdError("a CBOR-LD map key is neither a term id nor text")
                stack.append((fresh, key, inner))
        elif isinstance(item, (list, tuple)):
            array: list[Any] = [None] * len(item)
            parent[slot] = array
            stack.extend((array, i, inner) for i, inner in enumerate(item))
        else:
            parent[slot] = item
    return root[0]


def _parse(data: bytes) -> Any:
    if not isinstance(data, (bytes, bytearray, memoryview)):
        raise TypeError("CBOR-LD is bytes")
    if len(data) > MAX_CBORLD_BYTES:
        raise CborLdError(f"the CBOR-LD document is larger than {MAX_CBORLD_BYTES // 1024} KB")
    stream = io.BytesIO(bytes(data))
    try:
        decoded = cbor2.CBORDecoder(stream, max_depth=MAX_DEPTH + 4, semantic_decoders=_REFUSED,
                                    allow_duplicate_keys=False).decode()
    except CborLdError:
        raise
    except (cbor2.CBORError, ValueError, TypeError, OverflowError, MemoryError) as exc:
        cause = exc.__cause__ if isinstance(exc.__cause__, CborLdError) else None
        raise CborLdError(f"not CBOR-LD: {cause or exc}") from None
    if stream.tell() != len(data):
        raise CborLdError("the CBOR-LD document has bytes after its end")
    return decoded


def _header(decoded: Any) -> tuple[str, int, Any]:
    """(format, registry entry, payload) of a CBOR-LD document (spec §"CBOR Tags for CBOR-LD")."""
    if not isinstance(decoded, cbor2.CBORTag):
        raise CborLdError("not CBOR-LD: the data does not start with a CBOR-LD tag")
    tag, value = decoded.tag, decoded.value
    if tag == t.TAG_CBORLD_1_0:
        if not (isinstance(value, (list, tuple)) and len(value) == 2 and _is_int(value[0]) and value[0] >= 0):
            raise CborLdError("a CBOR-LD 1.0 document is not [registry entry, payload]")
        return FORMAT_1_0, value[0], value[1]
    if tag in (t.TAG_LEGACY_UNCOMPRESSED, t.TAG_LEGACY_COMPRESSED):
        return FORMAT_LEGACY, int(tag == t.TAG_LEGACY_COMPRESSED), value
    if t.TAG_LEGACY_RANGE_FIRST <= tag <= t.TAG_LEGACY_RANGE_LAST:
        first = tag - t.TAG_LEGACY_RANGE_FIRST
        if first < 0x80:
            return "legacy-range", first, value
        if not (isinstance(value, (list, tuple)) and len(value) == 2 and isinstance(value[0], bytes)):
            raise CborLdError("a CBOR-LD legacy-range document is not [registry varint, payload]")
        return "legacy-range", _varint(bytes([first]) + value[0]), value[1]
    raise CborLdError(f"not CBOR-LD: CBOR tag {tag} is not a CBOR-LD tag")


def _varint(data: bytes) -> int:
    """An unsigned LEB128 varint that is exactly ``data``, in minimal form."""
    if len(data) > 9 or data[-1] & 0x80 or any(not b & 0x80 for b in data[:-1]) or (len(data) > 1 and not data[-1]):
        raise CborLdError("the CBOR-LD registry entry varint is malformed")
    return sum((b & 0x7F) << (7 * i) for i, b in enumerate(data))


def _tables(form: str, registry: int) -> Mapping[str, Mapping[str, int]]:
    if form == FORMAT_LEGACY:
        return t.legacy_type_tables()
    if registry == t.REGISTRY_DEFAULT:
        return t.default_type_tables()
    raise CborLdError(f"CBOR-LD registry entry {registry} names type tables Satchel does not have "
                      "(it reads entries 0 and 1 and the legacy format)")


def decode_cborld(data: bytes, *, work: CborLdWork | None = None) -> dict[str, Any]:
    """The JSON-LD document of CBOR-LD bytes (any of the tags above). Raises :class:`CborLdError`
    (:class:`CborLdTooComplex` once ``work``, ``MAX_WORK`` steps by default, runs out)."""
    form, registry, payload = _header(_parse(data))
    budget = work if work is not None else CborLdWork()
    payload = _thaw(payload, budget)
    if registry == t.REGISTRY_UNCOMPRESSED:
        doc = _plain_json(payload, budget)
    else:
        if not isinstance(payload, dict):
            raise CborLdError("the CBOR-LD payload is not a map")
        converter = _Converter(_tables(form, registry), legacy=form == FORMAT_LEGACY, work=budget)
        doc = converter.decompress(payload, converter.root)
        _check_json(doc)
    if not isinstance(doc, dict):
        raise CborLdError("the CBOR-LD document is not a JSON object")
    return doc


def encode_cborld(doc: Mapping[str, Any], *, format: str = FORMAT_1_0, compressed: bool = True) -> bytes:
    """CBOR-LD bytes of a JSON-LD document whose contexts Satchel bundles.

    ``format`` "cbor-ld-1.0" writes tag 0xcb1d with registry entry 1 (0 when not ``compressed``);
    "legacy-singleton" writes tag 0x0501 (0x0500), with the legacy context codes, which is what
    the DCC wallet reads. Raises :class:`CborLdError` for an unknown context or a value CBOR-LD
    cannot hold, :class:`TypeError` for a document that is not a JSON object.
    """
    if not isinstance(doc, Mapping):
        raise TypeError("a CBOR-LD document is a JSON object")
    if format not in (FORMAT_1_0, FORMAT_LEGACY):
        raise ValueError(f"unknown CBOR-LD format {format!r} ({FORMAT_1_0!r} or {FORMAT_LEGACY!r})")
    payload: Any = dict(doc)
    if compressed:
        converter = _Converter(_tables(format, t.REGISTRY_DEFAULT), legacy=format == FORMAT_LEGACY, work=CborLdWork())
        payload = converter.compress(payload, converter.root)
    else:
        _plain_json(payload, CborLdWork())
    if format == FORMAT_LEGACY:
        tagged = cbor2.CBORTag(t.TAG_LEGACY_COMPRESSED if compressed else t.TAG_LEGACY_UNCOMPRESSED, payload)
    else:
        tagged = cbor2.CBORTag(t.TAG_CBORLD_1_0, [t.REGISTRY_DEFAULT if compressed else t.REGISTRY_UNCOMPRESSED,
                                                  payload])
    return cbor2.dumps(tagged, canonical=True)


# -- the VP1- / VC1- QR text --------------------------------------------------------------------------
# vpqr (github:digitalcredentials/vpqr 2.2.1 lib/vpqr.js; github:digitalbazaar/vpqr 6.0.0 lib/util.js):
# "VP1-" + a multibase prefix + the CBOR-LD bytes: "B" base32 (RFC 4648 §6, upper case, no
# padding), which 2.x writes and reads, or "R" base45 (RFC 9285), which 6.x writes by default.
# Both alphabets are in the QR alphanumeric set.

_BASE32 = re.compile(r"[A-Z2-7]*")


def _b32decode(text: str) -> bytes:
    if _BASE32.fullmatch(text) is None or len(text) % 8 in (1, 3, 6):
        raise CborLdError("the CBOR-LD QR text is not base32 (RFC 4648, upper case, no padding)")
    return base64.b32decode(text + "=" * (-len(text) % 8))


def decode_vpqr_text(text: str, *, work: CborLdWork | None = None) -> dict[str, Any]:
    """The JSON-LD document of a ``VP1-`` / ``VC1-`` QR text (see :func:`decode_cborld`)."""
    stripped = text.strip()
    if stripped[:4].upper() not in VPQR_PREFIXES:
        raise CborLdError("not a CBOR-LD QR code (it does not start with VP1- or VC1-)")
    if len(stripped) > 2 * MAX_CBORLD_BYTES:
        raise CborLdError(f"the CBOR-LD QR text is longer than {MAX_CBORLD_BYTES // 1024} KB of CBOR-LD")
    base, body = stripped[4:5], stripped[5:]
    if base == "B":
        data = _b32decode(body)
    elif base == "R":
        try:
            data = b45decode(body)
        except Base45Error as exc:
            raise CborLdError(f"the CBOR-LD QR text is not base45: {exc}") from None
    else:
        raise CborLdError(f"the CBOR-LD QR text uses multibase {base!r}; vpqr writes B (base32) or R (base45)")
    return decode_cborld(data, work=work)


def encode_vpqr_text(doc: Mapping[str, Any], *, prefix: str | None = None, base: str = "B",
                     format: str = FORMAT_LEGACY) -> str:
    """The ``VP1-`` text (``VC1-`` for a credential) of a document, base32 legacy-format CBOR-LD
    by default: what the DCC Learner Credential Wallet (vpqr 2.x) writes and reads."""
    if prefix is None:
        types = doc.get("type") if isinstance(doc, Mapping) else None
        prefix = "VP1-" if "VerifiablePresentation" in _as_list(types) else "VC1-"
    if prefix not in VPQR_PREFIXES:
        raise ValueError(f"a CBOR-LD QR text starts with {' or '.join(VPQR_PREFIXES)}")
    data = encode_cborld(doc, format=format)
    if base == "B":
        return prefix + "B" + base64.b32encode(data).decode("ascii").rstrip("=")
    if base == "R":
        return prefix + "R" + b45encode(data)
    raise ValueError("the multibase of a CBOR-LD QR text is B (base32) or R (base45)")


def looks_like_vpqr_text(text: str) -> bool:
    return text.strip()[:4].upper() in VPQR_PREFIXES

