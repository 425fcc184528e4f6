"""IETF SD-JWT (RFC 9901, Selective Disclosure for JSON Web Tokens): the mechanics, no policy.

* §4 the compact serialization ``<Issuer-signed JWT>~<Disclosure 1>~…~<Disclosure N>~[<KB-JWT>]``;
* §4.2 Disclosures: base64url JSON arrays ``[salt, name, value]`` (object properties) and
  ``[salt, value]`` (array elements); §4.2.3 their digests; §4.1.1 ``_sd_alg``;
* §7.1 processing: digests in ``_sd`` and ``{"...": digest}`` array entries replaced by what their
  Disclosures say, recursively; decoys dropped; every Disclosure referenced exactly once;
* §4.3 / §4.3.1 the Key Binding JWT and its ``sd_hash``;
* issuing and presenting (§4.2.4, §7.2), for the wallet and for tests.

Which keys may sign, and what a verifier requires, is decided in ``credentials._checks.sd_jwt``.
Work on hostile input is bounded: at most :data:`MAX_DISCLOSURES` Disclosures, nesting at most
:data:`MAX_DEPTH` deep, and at most :data:`MAX_NODES` JSON values visited while processing.
"""

from __future__ import annotations

import hashlib
import json
import re
import secrets
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any

from .._encoding import b64url_decode, b64url_encode
from .._errors import MalformedError, TooComplexError, UnsupportedProofError
from .jws import CompactJws, PrivateKey, parse_compact_jws, sign_jws

__all__ = [
    "Concealed", "Disclosure", "DisclosureMismatchError", "MAX_DISCLOSURES", "SdJwt", "digest_of",
    "issue_sd_jwt", "looks_like_sd_jwt", "parse_sd_jwt", "present_sd_jwt", "process_disclosures", "sd_hash_of",
]

MAX_DISCLOSURES = 1_000  # a credential with more claims than this is no credential a person holds
MAX_DEPTH = 32  # nesting of objects and arrays, through Disclosures included
MAX_NODES = 200_000  # JSON values visited while processing one SD-JWT
MAX_SD_JWT_CHARS = 5 * 1024 * 1024

# RFC 9901 §4.1.1: "_sd_alg" names a hash from the IANA "Named Information Hash Algorithm"
# registry; sha-256 when absent. Only these are accepted (§9.4: collision and preimage resistant).
_HASHES: dict[str, Callable[[bytes], Any]] = {
    "sha-256": hashlib.sha256, "sha-384": hashlib.sha384, "sha-512": hashlib.sha512,
    "sha3-256": hashlib.sha3_256, "sha3-384": hashlib.sha3_384, "sha3-512": hashlib.sha3_512,
}
_PART = r"[A-Za-z0-9_-]+"
_SD_JWT_RE = re.compile(rf"^{_PART}\.{_PART}\.{_PART}~(?:{_PART}~)*(?:{_PART}\.{_PART}\.{_PART})?$")
# Names RFC 9901 §7.1 step 3.3.2.2 forbids as disclosed claim names.
_RESERVED_NAMES = frozenset({"_sd", "..."})


class DisclosureMismatchError(MalformedError):
    """A Disclosure the issuer's JWT does not reference (RFC 9901 §7.1 step 5): it was changed or
    added after signing, so the verifier reports the signature as not covering it."""


@dataclass(frozen=True)
class Disclosure:
    """One Disclosure as presented: its exact base64url text (what is hashed), salt, claim name
    (None for an array element, §4.2.2) and value."""

    encoded: str
    salt: str
    name: str | None
    value: Any


@dataclass(frozen=True)
class SdJwt:
    """A parsed SD-JWT or SD-JWT+KB (RFC 9901 §4). ``presented`` is the SD-JWT without the KB-JWT,
    exactly the text ``sd_hash`` covers (§4.3.1)."""

    issuer_jwt: CompactJws
    payload: dict[str, Any]
    disclosures: tuple[Disclosure, ...]
    presented: str
    kb_jwt: CompactJws | None = None
    kb_payload: dict[str, Any] = field(default_factory=dict)

    @property
    def typ(self) -> str:
        typ = self.issuer_jwt.header.get("typ")
        return typ if isinstance(typ, str) else ""

    @property
    def hash_name(self) -> str:
        """§4.1.1: the ``_sd_alg`` of the payload (top level only), ``sha-256`` by default."""
        alg = self.payload.get("_sd_alg", "sha-256")
        if not isinstance(alg, str):
            raise MalformedError("_sd_alg is not a string")
        return alg


def looks_like_sd_jwt(text: str) -> bool:
    """The compact form of §4 (the ABNF there): a JWT, ``~``, Disclosures each followed by ``~``, and
    perhaps a KB-JWT."""
    return len(text) <= MAX_SD_JWT_CHARS and _SD_JWT_RE.match(text) is not None


def _json_object(raw: bytes, what: str) -> dict[str, Any]:
    value = _loads(raw, what)
    if not isinstance(value, dict):
        raise MalformedError(f"{what} is not a JSON object")
    return value


def _loads(raw: bytes, what: str) -> Any:
    try:
        return json.loads(raw.decode("utf-8"))
    except UnicodeDecodeError:
        raise MalformedError(f"{what} is not UTF-8") from None
    except RecursionError:
        raise TooComplexError(f"{what} is nested too deeply") from None
    except ValueError:
        raise MalformedError(f"{what} is not JSON") from None


def parse_disclosure(encoded: str) -> Disclosure:
    """§4.2.1 / §4.2.2: a base64url JSON array of a string salt, a string claim name (object
    properties only) and any JSON value."""
    contents = _loads(b64url_decode(encoded), "a disclosure")
    if not isinstance(contents, list) or len(contents) not in (2, 3):
        raise MalformedError("a disclosure is not a JSON array of two or three elements")
    if not isinstance(contents[0], str):
        raise MalformedError("a disclosure's salt is not a string")
    if len(contents) == 2:
        return Disclosure(encoded, contents[0], None, contents[1])
    if not isinstance(contents[1], str):
        raise MalformedError("a disclosure's claim name is not a string")
    return Disclosure(encoded, contents[0], contents[1], contents[2])


def parse_sd_jwt(text: str) -> SdJwt:
    """Split and read a compact SD-JWT or SD-JWT+KB (§4); raises MalformedError with the reason."""
    text = text.strip()
    if not looks_like_sd_jwt(text):
        raise MalformedError("not an SD-JWT (RFC 9901 §4: <JWT>~<Disclosure>~…~[<KB-JWT>])")
    parts = text.split("~")
    if len(parts) - 2 > MAX_DISCLOSURES:
        raise TooComplexError(f"the SD-JWT has more than {MAX_DISCLOSURES} disclosures")
    issuer_jwt = parse_compact_jws(parts[0])
    payload = _json_object(issuer_jwt.payload, "the SD-JWT payload")
    disclosures = tuple(parse_disclosure(d) for d in parts[1:-1])
    last = parts[-1]
    if not last:  # §4: without a KB-JWT the last element is empty
        return SdJwt(issuer_jwt, payload, disclosures, text)
    kb_jwt = parse_compact_jws(last)
    presented = text[: len(text) - len(last)]
    return SdJwt(issuer_jwt, payload, disclosures, presented, kb_jwt, _json_object(kb_jwt.payload, "the KB-JWT"))


def _hash_function(name: str) -> Callable[[bytes], Any]:
    found = _HASHES.get(name)
    if found is None:
        raise UnsupportedProofError(f"the SD-JWT hashes its disclosures with {name!r}, which Satchel does not accept")
    return found


def digest_of(encoded: str, hash_name: str = "sha-256") -> str:
    """§4.2.3: base64url of the hash over the US-ASCII bytes of the Disclosure as written."""
    return b64url_encode(_hash_function(hash_name)(encoded.encode("ascii")).digest())


def sd_hash_of(presented: str, hash_name: str = "sha-256") -> str:
    """§4.3.1: the KB-JWT's ``sd_hash``, over the Issuer-signed JWT and Disclosures, each ``~``-ended."""
    return b64url_encode(_hash_function(hash_name)(presented.encode("ascii")).digest())


# -- processing (§7.1 step 3) -------------------------------------------------------------------------


class _Processor:
    """One pass over the payload: replaces digests by their Disclosures, once each, in bounded work."""

    def __init__(self, disclosures: Iterable[Disclosure], hash_name: str) -> None:
        self.by_digest: dict[str, Disclosure] = {}
        for d in disclosures:
            digest = digest_of(d.encoded, hash_name)
            if digest in self.by_digest:  # §4: a Holder MUST NOT send a Disclosure more than once
                raise MalformedError("the same disclosure is presented twice")
            self.by_digest[digest] = d
        self.seen: set[str] = set()
        self.used: set[str] = set()
        self.nodes = 0

    def _visit(self, depth: int) -> None:
        self.nodes += 1
        if self.nodes > MAX_NODES:
            raise TooComplexError(f"the SD-JWT has more than {MAX_NODES} values to process")
        if depth > MAX_DEPTH:
            raise TooComplexError(f"the SD-JWT is nested more than {MAX_DEPTH} levels deep")

    def _digest(self, digest: Any) -> Disclosure | None:
        if not isinstance(digest, str):
            raise MalformedError("an embedded digest is not a string")
        if digest in self.seen:  # §7.1 step 4
            raise MalformedError("a digest appears more than once in the SD-JWT")
        self.seen.add(digest)
        found = self.by_digest.get(digest)  # §7.1 step 3.3.1: no Disclosure -> a decoy or withheld
        if found is not None:
            self.used.add(digest)
        return found

    def value(self, node: Any, depth: int) -> Any:
        self._visit(depth)
        if isinstance(node, dict):
            return self._object(node, depth)
        if isinstance(node, list):
            return self._array(node, depth)
        return node

    def _object(self, node: dict[str, Any], depth: int) -> dict[str, Any]:
        out = {k: self.value(v, depth + 1) for k, v in node.items() if k != "_sd"}
        digests = node.get("_sd", [])
        if not isinstance(digests, list):
            raise MalformedError("an _sd claim is not an array of digests")
        for digest in digests:
            found = self._digest(digest)
            if found is None:
                continue
            if found.name is None:  # §7.1 step 3.3.2.1
                raise MalformedError("an object property's disclosure has no claim name")
            if found.name in _RESERVED_NAMES:  # §7.1 step 3.3.2.2
                raise MalformedError(f"a disclosure names the reserved claim {found.name!r}")
            if found.name in out:  # §7.1 step 3.3.2.3
                raise MalformedError(f"the claim {found.name!r} is both disclosed and in the clear")
            out[found.name] = self.value(found.value, depth + 1)
        return out

    def _array(self, node: list[Any], depth: int) -> list[Any]:
        out: list[Any] = []
        for item in node:
            if isinstance(item, dict) and len(item) == 1 and "..." in item:
                found = self._digest(item["..."])
                if found is None:
                    continue  # §7.1 step 3.4: an element not disclosed is removed
                if found.name is not None:  # §7.1 step 3.3.3.1
                    raise MalformedError("an array element's disclosure has a claim name")
                out.append(self.value(found.value, depth + 1))
            else:
                out.append(self.value(item, depth + 1))
        return out


def process_disclosures(sd_jwt: SdJwt) -> dict[str, Any]:
    """The Processed SD-JWT Payload (§7.1 step 3): what the presented Disclosures disclose, with
    ``_sd``, decoys and ``_sd_alg`` removed. Raises DisclosureMismatchError for a Disclosure the
    issuer never signed (step 5), MalformedError for any other rule broken, TooComplexError past
    the work bounds, UnsupportedProofError for an unknown ``_sd_alg``."""
    processor = _Processor(sd_jwt.disclosures, sd_jwt.hash_name)
    processed = processor.value(sd_jwt.payload, 0)
    unused = [d for digest, d in processor.by_digest.items() if digest not in processor.used]
    if unused:
        named = unused[0].name or "an array element"
        raise DisclosureMismatchError(f"the disclosure of {named!r} is not one the issuer signed")
    assert isinstance(processed, dict)
    processed.pop("_sd_alg", None)
    return processed


# -- issuing and presenting ---------------------------------------------------------------------------


@dataclass(frozen=True)
class Concealed:
    """In a payload given to :func:`issue_sd_jwt`: a claim value or array element the issuer makes
    selectively disclosable (§4.2.4). It may itself hold Concealed values (recursive, §4.2.6)."""

    value: Any


def _salt() -> str:
    return b64url_encode(secrets.token_bytes(16))  # §9.3: 128 bits of entropy


class _Issuer:
    def __init__(self, hash_name: str) -> None:
        self.hash_name = hash_name
        self.disclosures: list[str] = []

    def _disclose(self, contents: list[Any]) -> str:
        # JSON text as §4.2.1 writes it: the exact bytes are hashed, so they are kept as written.
        encoded = b64url_encode(json.dumps(contents, ensure_ascii=False).encode("utf-8"))
        self.disclosures.append(encoded)
        return digest_of(encoded, self.hash_name)

    def conceal(self, node: Any) -> Any:
        if isinstance(node, dict):
            out: dict[str, Any] = {}
            digests: list[str] = []
            for k, v in node.items():
                if isinstance(v, Concealed):
                    digests.append(self._disclose([_salt(), k, self.conceal(v.value)]))
                else:
                    out[k] = self.conceal(v)
            if digests:
                out["_sd"] = sorted(digests)  # §4.2.4.1: sorted, so the order tells nothing
            return out
        if isinstance(node, list):
            return [{"...": self._disclose([_salt(), self.conceal(v.value)])} if isinstance(v, Concealed)
                    else self.conceal(v) for v in node]
        if isinstance(node, Concealed):
            raise ValueError("a Concealed value must be a claim or an array element")
        return node


def issue_sd_jwt(claims: dict[str, Any], key: PrivateKey, header: dict[str, Any], *,
                 hash_name: str = "sha-256", decoys: int = 0) -> str:
    """Sign ``claims`` (with :class:`Concealed` parts) as an SD-JWT carrying every Disclosure.
    ``decoys`` digests that match no Disclosure are added to the top-level ``_sd`` (§4.2.5)."""
    issuer = _Issuer(hash_name)
    payload = issuer.conceal(claims)
    if decoys:
        fake = [b64url_encode(_hash_function(hash_name)(secrets.token_bytes(32)).digest()) for _ in range(decoys)]
        payload["_sd"] = sorted([*payload.get("_sd", []), *fake])
    payload["_sd_alg"] = hash_name
    jwt = sign_jws(header, json.dumps(payload, ensure_ascii=False).encode("utf-8"), key)
    return "~".join([jwt, *issuer.disclosures]) + "~"


def present_sd_jwt(issued: str, keep: Callable[[Disclosure], bool], *, holder_key: PrivateKey | None = None,
                   alg: str = "ES256", nonce: str | None = None, aud: str | None = None,
                   iat: int | None = None) -> str:
    """§7.2: the SD-JWT with only the Disclosures ``keep`` selects and, with a ``holder_key``, a
    Key Binding JWT (§4.3) over them for ``nonce`` and ``aud`` at ``iat``."""
    sd_jwt = parse_sd_jwt(issued)
    if sd_jwt.kb_jwt is not None:
        raise MalformedError("an SD-JWT+KB cannot be presented again (RFC 9901 §7.2)")
    kept = [d.encoded for d in sd_jwt.disclosures if keep(d)]
    head = sd_jwt.presented.split("~", 1)[0]
    presented = "~".join([head, *kept]) + "~"
    if holder_key is None:
        return presented
    if nonce is None or aud is None or iat is None:
        raise ValueError("a key binding JWT needs a nonce, an audience and a time (RFC 9901 §4.3)")
    claims = {"iat": iat, "aud": aud, "nonce": nonce, "sd_hash": sd_hash_of(presented, sd_jwt.hash_name)}
    kb = sign_jws({"alg": alg, "typ": "kb+jwt"}, json.dumps(claims).encode("utf-8"), holder_key)
    return presented + kb
