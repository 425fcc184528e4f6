"""Read what was signed: a JSON-LD document must spell its meaning in its contexts' own terms.

An RDFC-based proof (eddsa-rdfc-2022, ecdsa-rdfc-2019, Ed25519Signature2020/2018) signs the
canonical RDF, not the JSON. JSON-LD lets one meaning take many spellings: a full IRI as a key
(``https://www.w3.org/2018/credentials#credentialStatus``), a compact IRI (``cred:…``), a term
an inline ``@context`` defines (``{"st": "…#credentialStatus"}``), ``@type`` for ``type``, two
keys that merge into one property. Each leaves the signed RDF as it was, while every check that
reads JSON keys by name (dates, status, holder, presentations' credentials, what the apps show)
would find nothing, or something else, to read.

So, once, before anything reads a credential: expand it (safe mode, bundled contexts only) and
compact the result against the document's own bundled context URLs. That compacted document is
the signed meaning in canonical spelling. The document must be that, key for key and value for
value; otherwise it is refused as ``malformed``, naming the key. After this gate the JSON the
engine reads *is* the signed meaning, so no check needs a patch of its own.

Two liberties keep genuine credentials readable:

- data under an IRI for which the bundled contexts have no term (an issuer's extension defined
  by an inline context) may keep the issuer's spelling: the engine reads only bundled terms;
- a ``type`` value may be any bundled term for the same IRI (the Open Badges contexts map the
  class and the property to one IRI: ``Image``/``image``, ``Criteria``/``criteria``), or a term
  an inline context defines for an IRI the bundled contexts do not name.
"""

from __future__ import annotations

import copy
from collections.abc import Callable
from functools import cache
from typing import Any

from .._errors import MalformedError, UnknownContextError
from ._canon import _expand_checked, _options, guarded
from ._loader import _index, load_context
from ._safe import FastProcessor

_TYPE_KEYS = frozenset({"type", "@type"})
# Where the engine verifies a credential of its own (VCDM 2.0 §4.13, CLR 2.0 ClrSubject, OB 3.0
# endorsements): each is read through its own verification, so through this gate, in turn.
_NESTED_CREDENTIALS = frozenset({"verifiableCredential", "endorsement"})


def _url_contexts(doc: dict[str, Any]) -> list[str]:
    ctx = doc.get("@context")
    return [c for c in (ctx if isinstance(ctx, list) else [ctx]) if isinstance(c, str)]


def _is_term(key: str) -> bool:
    return ":" not in key and not key.startswith("@")


def _where(path: str) -> str:
    return path if path else "the top level"


def compact_signed(doc: dict[str, Any]) -> dict[str, Any]:
    """The signed meaning of ``doc``: its safe-mode expansion compacted against its bundled
    context URLs (inline context objects left out: they are spellings, not meaning)."""

    def run() -> dict[str, Any]:
        expanded = copy.deepcopy(_expand_checked(doc))  # pyld's compaction may reuse its input
        options = {**_options(), "skipExpansion": True, "compactArrays": True}
        out = FastProcessor().compact(expanded, {"@context": _url_contexts(doc)}, options)
        return dict(out)

    return guarded("compaction", run)


def check_signed_spelling(doc: dict[str, Any]) -> None:
    """Raise :class:`MalformedError` unless ``doc`` spells exactly its signed meaning.

    Raises :class:`SafeModeError` when the document is not JSON-LD that safe mode accepts (its
    meaning cannot be read at all); an unknown context is left to the check that reports it.
    """
    if _plainly_spelled(doc):
        # Every key a bare term of the document's own bundled contexts: the compaction could
        # only write the same spelling back (see _plainly_spelled); what is left is safe mode.
        guarded("expansion", lambda: _expand_checked(doc))
        return
    try:
        model = compact_signed(doc)
    except UnknownContextError:
        return
    vocabulary = frozenset().union(*(_iris_of(url) for url in _url_contexts(doc)))
    _compare(doc, model, "", in_type=False, vocabulary=vocabulary)


def _plainly_spelled(doc: dict[str, Any]) -> bool:
    """A cheap sufficient test that ``doc`` is already in its contexts' spelling, so the
    compaction (the costly part of the gate) can be skipped. True only if: the top-level
    ``@context`` is bundled URLs only; there is no other ``@context`` except at the top of
    nested credentials (gated on their own); every key is a bare term (no IRI, compact IRI or
    keyword spelling) and none is one of two bundled terms for one property (``expires`` /
    ``expiration``); every ``type`` value is a bare term; and no string is a compact IRI of a
    bundled prefix (``sec:…``). Anything else takes the full comparison."""
    ctx = doc.get("@context")
    urls = ctx if isinstance(ctx, list) else [ctx]
    if not urls or not all(isinstance(c, str) for c in urls):
        return False
    return _plain_node(doc, top=True)


def _plain_node(node: Any, top: bool = False) -> bool:
    if isinstance(node, list):
        return all(_plain_node(item) for item in node)
    if isinstance(node, str):
        # not a compact IRI of a bundled prefix (``sec:…``; ``https://…`` is no compact IRI)
        prefix, sep, rest = node.partition(":")
        return not (sep and prefix in _prefixes() and not rest.startswith("//"))
    if not isinstance(node, dict):
        return True
    aliases = _PROPERTY_ALIASES()
    for key, value in node.items():
        if key == "@context" and top:
            continue
        # not a bare term (an IRI, a compact IRI, a keyword, @context below the top), or one
        # of two bundled terms for one property
        if not _is_term(key) or key in aliases:
            return False
        if not _PLAIN_VALUE_CHECKS.get(key, _plain_node)(value):
            return False
    return True


def _plain_types(value: Any) -> bool:
    return all(isinstance(t, str) and _is_term(t) for t in (value if isinstance(value, list) else [value]))


def _plain_nested(value: Any) -> bool:
    """Nested credentials, each with its own top-level ``@context`` allowed."""
    items = value if isinstance(value, list) else [value]
    return all(_plain_node(item, top=isinstance(item, dict) and "@context" in item) for item in items)


# Keys whose values are read differently from plain data: type names, nested credentials.
_PLAIN_VALUE_CHECKS: dict[str, Callable[[Any], bool]] = {
    **dict.fromkeys(_TYPE_KEYS, _plain_types),
    **dict.fromkeys(_NESTED_CREDENTIALS, _plain_nested),
}


@cache
def _PROPERTY_ALIASES() -> frozenset[str]:  # noqa: N802 (a constant, computed once)
    """Bundled terms that share their IRI with another property-style term."""
    return frozenset(t for t, al in _aliases().items()
                     if t[:1].islower() and any(a != t and a[:1].islower() for a in al))


def _compare(doc: Any, model: Any, path: str, *, in_type: bool, vocabulary: frozenset[str]) -> None:
    if isinstance(doc, dict) and isinstance(model, dict):
        _compare_objects(doc, model, path, vocabulary)
        return
    for here, a, b in _paired(doc, model, path, "value(s)"):
        if isinstance(a, dict) and isinstance(b, str) and set(a) - {"@context"} in ({"id"}, {"@id"}):
            # compaction writes a node reference ({"id": X}) as X where the term is @id-typed
            if a.get("id", a.get("@id")) != b:
                raise MalformedError(f"at {_where(here)} the JSON names {a.get('id', a.get('@id'))!r} "
                                     f"where its signed meaning names {b!r}")
        elif isinstance(a, dict) and isinstance(b, dict) or isinstance(a, list) and isinstance(b, list):
            _compare(a, b, here, in_type=in_type, vocabulary=vocabulary)
        elif isinstance(a, (dict, list)) or isinstance(b, (dict, list)):
            raise MalformedError(f"at {_where(here)} the JSON's value has another shape than its signed "
                                 "meaning: another key spells the same property")
        elif not _same_value(a, b, in_type):
            raise MalformedError(f"at {_where(here)} the value {a!r} is written for {b!r}: "
                                 "Satchel reads only the spelling the credential's contexts define")


def _compare_objects(doc: dict[str, Any], model: dict[str, Any], path: str, vocabulary: frozenset[str]) -> None:
    unmatched = [k for k in doc if k != "@context" and k not in model]
    pairs: list[tuple[str, str]] = []
    for key in model:
        if key == "@context":
            continue
        iri = _expand_compact(key)
        if key in doc:
            if not _is_term(key) and not key.startswith("@") and iri in vocabulary:
                raise MalformedError(f"at {_where(path)} the key {key!r} is written as an IRI where the "
                                     "credential's contexts have a term for it")
            pairs.append((key, key))
            continue
        alias = next((k for k in unmatched if _bundled_alias(k, key, iri)), None)
        if alias is not None:
            unmatched.remove(alias)
            pairs.append((alias, key))
            continue
        spelled = ", ".join(repr(k) for k in unmatched) or "another key"
        if _is_term(key):
            raise MalformedError(f"at {_where(path)} {spelled} spells the property {key!r} another way; "
                                 "Satchel reads a credential only in the terms of its contexts")
        if iri in vocabulary:
            # The contexts have a term for this IRI, but not for a value of this form (say
            # credentials in a presentation that are not graphs): not what the engine reads.
            raise MalformedError(f"at {_where(path)} {spelled} uses the property {iri} "
                                 "in a form its contexts do not define")
        # Otherwise an IRI the document's contexts have no term for: the engine never reads it.
    for key, model_key in pairs:
        here = f"{path}.{key}" if path else key
        if key in _NESTED_CREDENTIALS:
            _compare_nested(doc[key], model[model_key], here, vocabulary)
        else:
            _compare(doc[key], model[model_key], here, in_type=key in _TYPE_KEYS, vocabulary=vocabulary)


def _bundled_alias(key: str, model_key: str, iri: str) -> bool:
    """Whether ``key`` is a bundled term for what the compaction wrote as ``model_key``.

    Two cases only: the Open Badges contexts' class/property pairs, one IRI for both
    (``achievement``/``Achievement``, ``creator``/``Profile`` in OB 3.0.0), where the compaction
    may choose the class and the document rightly spells the property; and a term of a bundled
    scoped context pyld's compaction does not apply (CLR 2.0 ``ClrSubject.achievement``), which
    it then writes as the IRI.
    """
    if not _is_term(key):
        return False
    if _is_term(model_key):
        return key[:1].islower() and model_key[:1].isupper() and model_key in _aliases().get(key, ())
    return iri in _term_iris().get(key, ())


def _compare_nested(doc: Any, model: Any, path: str, vocabulary: frozenset[str]) -> None:
    """Credentials inside a presentation, a CLR or an endorsement list, each with its own
    ``@context``: counted here, compared when the engine verifies each on its own (in its
    own contexts' terms, which this document's contexts need not have)."""
    for here, a, b in _paired(doc, model, path, "credential(s)"):
        if not (isinstance(a, dict) and "@context" in a):
            _compare(a, b, here, in_type=False, vocabulary=vocabulary)


def _paired(doc: Any, model: Any, path: str, what: str) -> list[tuple[str, Any, Any]]:
    """The values of one property in the JSON and in its signed meaning, position by position
    (a single value and a list of one are the same JSON-LD)."""
    got = doc if isinstance(doc, list) else [doc]
    want = model if isinstance(model, list) else [model]
    if len(got) != len(want):
        raise MalformedError(f"at {_where(path)} the JSON holds {len(got)} {what} where its signed meaning "
                             f"holds {len(want)}: another key spells the same property")
    return [(f"{path}[{n}]" if len(got) > 1 else path, a, b) for n, (a, b) in enumerate(zip(got, want, strict=True))]


def _same_value(a: Any, b: Any, in_type: bool) -> bool:
    if a == b and type(a) is type(b):
        return True
    if isinstance(a, (int, float)) and isinstance(b, (int, float)) and not isinstance(a, bool) \
            and not isinstance(b, bool):
        return a == b
    if not (isinstance(a, str) and isinstance(b, str)):
        return False
    if in_type:
        if _is_term(a) and not _is_term(b):
            return True  # a type an inline context names, for an IRI no bundled term has
        if _is_term(a) and _is_term(b) and b in _aliases().get(a, ()):
            return True
    return a == _expand_compact(b)


def _expand_compact(value: str) -> str:
    prefix, _, rest = value.partition(":")
    expansion = _prefixes().get(prefix)
    return expansion + rest if expansion is not None and not rest.startswith("//") else value


@cache
def _terms_of(url: str) -> dict[str, frozenset[str]]:
    """term -> the IRIs it names in the bundled context ``url`` (scoped contexts included)."""
    found: dict[str, set[str]] = {}
    doc = load_context(url)
    _walk(doc.get("@context") if isinstance(doc, dict) else None, {}, found)
    return {k: frozenset(v) for k, v in found.items()}


@cache
def _iris_of(url: str) -> frozenset[str]:
    """Every IRI a term of the bundled context ``url`` names."""
    return frozenset().union(*_terms_of(url).values())


@cache
def _term_iris() -> dict[str, frozenset[str]]:
    """term -> the IRIs it names, over every bundled context."""
    found: dict[str, set[str]] = {}
    for url in _index():
        for term, iris in _terms_of(url).items():
            found.setdefault(term, set()).update(iris)
    return {k: frozenset(v) for k, v in found.items()}


@cache
def _aliases() -> dict[str, frozenset[str]]:
    by_iri: dict[str, set[str]] = {}
    for term, iris in _term_iris().items():
        for iri in iris:
            by_iri.setdefault(iri, set()).add(term)
    out: dict[str, set[str]] = {}
    for terms in by_iri.values():
        for t in terms:
            out.setdefault(t, set()).update(terms)
    return {k: frozenset(v) for k, v in out.items()}


@cache
def _prefixes() -> dict[str, str]:
    """Prefix terms of the bundled contexts (``sec`` -> ``https://w3id.org/security#``)."""
    out: dict[str, str] = {}
    for url in _index():
        doc = load_context(url)
        _collect_prefixes(doc.get("@context") if isinstance(doc, dict) else None, out)
    return out


def _collect_prefixes(ctx: Any, out: dict[str, str]) -> None:
    for c in ctx if isinstance(ctx, list) else [ctx]:
        if not isinstance(c, dict):
            continue
        for k, v in c.items():
            if isinstance(v, str) and v.endswith(("/", "#")) and _is_term(k):
                out.setdefault(k, v)
            elif isinstance(v, dict):
                _collect_prefixes(v.get("@context"), out)


def _walk(ctx: Any, prefixes: dict[str, str], found: dict[str, set[str]]) -> None:
    for c in ctx if isinstance(ctx, list) else [ctx]:
        if not isinstance(c, dict):
            continue
        local = dict(prefixes)
        local.update({k: v for k, v in c.items() if isinstance(v, str) and v.endswith(("/", "#"))})
        vocab = c.get("@vocab") if isinstance(c.get("@vocab"), str) else local.get("@vocab")
        if vocab:
            local["@vocab"] = vocab
        raw: dict[str, str] = {}
        for term, value in c.items():
            ident = value if isinstance(value, str) else value.get("@id") if isinstance(value, dict) else None
            if not term.startswith("@"):
                raw[term] = ident if isinstance(ident, str) else term
        for term, ident in raw.items():
            # JSON-LD 1.1 §4.2.2: an @id may itself be a term of the context (one step suffices here)
            target = raw.get(ident, ident) if ident != term else ident
            iri = _resolve(target, local)
            if iri is not None:
                found.setdefault(term, set()).add(iri)
            value = c[term]
            if isinstance(value, dict):
                _walk(value.get("@context"), local, found)


def _resolve(ident: str, prefixes: dict[str, str]) -> str | None:
    if ident.startswith("@"):
        return None
    if ":" in ident:
        prefix, _, rest = ident.partition(":")
        if prefix in prefixes and not rest.startswith("//"):
            return prefixes[prefix] + rest
        return ident
    vocab = prefixes.get("@vocab")
    return vocab + ident if vocab else None
