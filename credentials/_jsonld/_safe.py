"""JSON-LD safe mode on top of pyld.

pyld (like the JSON-LD algorithms themselves) silently drops what it cannot map to RDF: a
property that expands to no absolute IRI, a free-floating value, a triple whose subject or
object is a relative IRI. A Data Integrity proof computed over the canonical N-Quads would then
still verify over a document carrying extra, unsigned data. Safe mode (VC Data Integrity 1.0,
jsonld.js ``safe: true``) turns every such loss into an error.

Detection has three parts:

1. :class:`SafeProcessor` hooks pyld's expansion: every property that is dropped
   (``on_property_dropped``) and every element that expands to nothing (free-floating values,
   objects with only ``@id``/``@language``, ``@value: null``) is an error.
2. Document-relative IRIs are *not* resolved against pyld's made-up default base
   (``http://example.org/base/``) when the document has no ``@base``; they stay relative.
3. :func:`check_expanded` walks the expanded output and rejects anything toRdf would drop
   or mangle: non-absolute ``@id``/``@type``/predicates/datatypes, blank-node predicates,
   ill-formed ``@language``, ``@direction`` (no rdfDirection is used), keywords that carry
   no RDF meaning on a node (``@language`` on a node object), IRIs that are not valid in
   N-Quads.
"""

from __future__ import annotations

import copy
import math
import re
from collections.abc import Callable
from typing import Any

from cachetools import LRUCache
from frozendict import frozendict
from pyld import jsonld
from pyld.context_resolver import ContextResolver

from .._errors import SafeModeError, UnknownContextError
from ._loader import load_context

# An IRI usable in N-Quads: a scheme, a colon, and no character IRIREF forbids.
_ABS_IRI = re.compile(r'^[A-Za-z][A-Za-z0-9+.\-]*:[^\x00-\x20<>"{}|^`\\]*\Z')
_BNODE = re.compile(r'^_:[^\x00-\x20<>"{}|^`\\]+\Z')
_BCP47 = re.compile(r'^[a-zA-Z]{1,8}(-[a-zA-Z0-9]{1,8})*\Z')
_ABS_BASE = re.compile(r'^[A-Za-z][A-Za-z0-9+.\-]*:')


def is_abs_iri(v: object) -> bool:
    return isinstance(v, str) and _ABS_IRI.match(v) is not None


def is_bnode(v: object) -> bool:
    return isinstance(v, str) and _BNODE.match(v) is not None


class _SafeContextResolver(ContextResolver):  # type: ignore[misc]
    """Context resolver with a private cache: contexts only ever come from our loader.

    pyld's module-level resolved-context cache is keyed by URL alone and shared by every
    pyld user in the process; a context cached there by some other loader must never be
    served to us.
    """

    def _resolve_remote_context(self, active_ctx: Any, url: Any, base: Any, cycles: Any) -> Any:
        if not isinstance(url, str) or _ABS_BASE.match(url) is None:
            # a relative context URL cannot be one of the bundled contexts
            raise UnknownContextError(str(url))
        return super()._resolve_remote_context(active_ctx, url, base, cycles)


_RESOLVED_CACHE: LRUCache[str, Any] = LRUCache(maxsize=256)
_RESOLVED_CACHE_REFERENCE: LRUCache[str, Any] = LRUCache(maxsize=256)


def new_context_resolver(loader: Callable[..., Any], reference: bool = False) -> Any:
    """A context resolver with a private shared cache (one for the fast path, one for the reference)."""
    return _SafeContextResolver(_RESOLVED_CACHE_REFERENCE if reference else _RESOLVED_CACHE, loader)


_PROCESSED: LRUCache[tuple[Any, ...], tuple[Any, Any, Any]] = LRUCache(maxsize=1024)


def _context_key(local_ctx: Any) -> tuple[Any, ...] | None:
    """A memo key for a local context: by value for URLs, by identity for objects."""
    if isinstance(local_ctx, str):
        return ("v", local_ctx)
    if isinstance(local_ctx, list) and all(isinstance(c, str) for c in local_ctx):
        return ("v", tuple(local_ctx))
    if isinstance(local_ctx, (dict, list, frozendict)):
        return ("i", id(local_ctx))
    return None


def _merge_import(ctx: dict[str, Any]) -> dict[str, Any]:
    """JSON-LD 1.1 ``@import``: the imported context object, overridden by the local entries.

    pyld 3.3.0 implements @import by updating the *cached* imported context document in place
    (``import_ctx.update(ctx)``), so one document could change a bundled context for every
    later document in the process; it can also mistake a processed active context for the
    imported one. We therefore merge a private copy here and pyld never sees @import.
    """
    url = ctx["@import"]
    if not isinstance(url, str):
        raise SafeModeError("@import must be a string")
    if _ABS_BASE.match(url) is None:
        raise UnknownContextError(url)
    doc = load_context(url)
    imported = doc.get("@context") if isinstance(doc, dict) else None
    if not isinstance(imported, dict):
        raise SafeModeError(f"@import {url} does not reference a single context object")
    if "@import" in imported:
        raise SafeModeError(f"@import {url}: an imported context must not itself use @import")
    merged: dict[str, Any] = copy.deepcopy(imported)
    merged.update((k, v) for k, v in ctx.items() if k != "@import")
    return merged


def _inline_imports(local_ctx: Any) -> Any:
    if isinstance(local_ctx, dict) and "@import" in local_ctx:
        return _merge_import(local_ctx)
    if isinstance(local_ctx, list) and any(isinstance(c, dict) and "@import" in c for c in local_ctx):
        return [_merge_import(c) if isinstance(c, dict) and "@import" in c else c for c in local_ctx]
    return local_ctx


class SafeProcessor(jsonld.JsonLdProcessor):  # type: ignore[misc]
    """A pyld processor that raises :class:`SafeModeError` instead of dropping data."""

    def __init__(self) -> None:
        super().__init__(on_property_dropped=self._property_dropped)

    @staticmethod
    def _property_dropped(expanded: Any) -> None:
        if expanded is None:
            raise SafeModeError("a property does not expand to an IRI (undefined term or reserved keyword)")
        raise SafeModeError(f"the property {expanded!r} does not expand to an absolute IRI")

    def _expand(self, active_ctx: Any, active_property: Any, element: Any, options: Any,
                inside_list: bool = False, inside_index: bool = False,
                type_scoped_ctx: Any = None) -> Any:
        rval = super()._expand(active_ctx, active_property, element, options,
                               inside_list=inside_list, inside_index=inside_index,
                               type_scoped_ctx=type_scoped_ctx)
        if rval is None and element is not None and not isinstance(element, list):
            if isinstance(element, dict):
                raise SafeModeError(
                    "an object would be dropped by JSON-LD expansion (free-floating node or value, "
                    "object with only @id or @language, or @value null)")
            raise SafeModeError(f"the free-floating value {element!r} would be dropped")
        return rval

    def _process_context(self, active_ctx: Any, local_ctx: Any, options: Any,
                         override_protected: bool = False, propagate: bool = True,
                         validate_scoped: bool = True, cycles: Any = None) -> Any:
        return super()._process_context(active_ctx, _inline_imports(local_ctx), options,
                                        override_protected, propagate, validate_scoped, cycles)

    def _expand_iri(self, active_ctx: Any, value: Any, base: Any = None, vocab: bool = False,
                    local_ctx: Any = None, defined: Any = None) -> Any:
        # pyld resolves document-relative IRIs against http://example.org/base/ when no base is
        # known. We have no document base: keep them relative (check_expanded rejects them),
        # unless the context sets an absolute @base.
        if base == "":
            ctx_base = active_ctx.get("@base")
            if not (isinstance(ctx_base, str) and _ABS_BASE.match(ctx_base)):
                base = None
        return super()._expand_iri(active_ctx, value, base=base, vocab=vocab,
                                   local_ctx=local_ctx, defined=defined)


class FastProcessor(SafeProcessor):
    """SafeProcessor that also memoizes context processing across calls."""

    def _process_context(self, active_ctx: Any, local_ctx: Any, options: Any,
                         override_protected: bool = False, propagate: bool = True,
                         validate_scoped: bool = True, cycles: Any = None) -> Any:
        # pyld caches processed contexts per (context, active context uuid), but every
        # non-propagating (type-scoped) context gets a fresh clone with a fresh uuid, so the
        # cache never hits for them. Active contexts are frozen once built and never mutated,
        # so memoize on their identity (the memo keeps them alive: ids cannot be reused).
        lkey = _context_key(local_ctx)
        if lkey is None or not isinstance(active_ctx, frozendict):
            return super()._process_context(active_ctx, local_ctx, options, override_protected,
                                            propagate, validate_scoped, cycles)
        mkey = (id(active_ctx), lkey, override_protected, propagate, validate_scoped)
        hit = _PROCESSED.get(mkey)
        if hit is not None and hit[0] is active_ctx and (lkey[0] == "v" or hit[1] is local_ctx):
            return hit[2]
        rval = super()._process_context(active_ctx, local_ctx, options, override_protected,
                                        propagate, validate_scoped, cycles)
        if isinstance(rval, frozendict):
            _PROCESSED[mkey] = (active_ctx, local_ctx, rval)
        return rval


def _fail(msg: str) -> None:
    raise SafeModeError(msg)


def _check_value(obj: dict[str, Any]) -> None:
    for key in obj:
        if key not in ("@value", "@type", "@language", "@direction"):
            _fail(f"{key!r} in a value object is not part of the RDF and would be dropped")
    dt = obj.get("@type")
    if dt is not None and dt != "@json" and not is_abs_iri(dt):
        _fail(f"the datatype {dt!r} is not an absolute IRI")
    if "@language" in obj:
        lang = obj["@language"]
        if not isinstance(lang, str) or _BCP47.match(lang) is None:
            _fail(f"the language tag {lang!r} is not well-formed (BCP47)")
    if "@direction" in obj:
        _fail("@direction cannot be represented in the canonical RDF (no rdfDirection)")
    if dt != "@json":
        v = obj["@value"]
        if not isinstance(v, (str, bool, int, float)):
            _fail("a @value must be a string, number or boolean")
        if isinstance(v, float) and not math.isfinite(v):
            _fail("a number must be finite (NaN and Infinity are not JSON)")


def _check_item(item: Any) -> None:
    if not isinstance(item, dict):
        _fail(f"unexpected {type(item).__name__} in expanded JSON-LD")
    if "@value" in item:
        _check_value(item)
    elif "@list" in item:
        for key in item:
            if key != "@list":
                _fail(f"{key!r} in a list object is not part of the RDF and would be dropped")
        lst = item["@list"]
        if not isinstance(lst, list):
            _fail("@list must be an array")
        for sub in lst:
            _check_item(sub)
    else:
        check_node(item)


def _check_id(_key: str, value: Any) -> None:
    if not (is_abs_iri(value) or is_bnode(value)):
        _fail(f"the @id {value!r} is not an absolute IRI (relative IRI reference)")


def _check_types(_key: str, value: Any) -> None:
    for t in value if isinstance(value, list) else [value]:
        if not (is_abs_iri(t) or is_bnode(t)):
            _fail(f"the type {t!r} does not expand to an absolute IRI")


def _check_contained(key: str, value: Any) -> None:
    """``@graph`` / ``@included``: node objects only."""
    for sub in value if isinstance(value, list) else [value]:
        if not isinstance(sub, dict) or "@value" in sub or "@list" in sub:
            _fail(f"{key} must contain node objects")
        check_node(sub)


def _check_reverse(_key: str, value: Any) -> None:
    if not isinstance(value, dict):
        _fail("@reverse must be an object")
    for prop, items in value.items():
        if not is_abs_iri(prop):
            _fail(f"the reverse property {prop!r} is not an absolute IRI")
        for sub in items if isinstance(items, list) else [items]:
            if not isinstance(sub, dict) or "@value" in sub or "@list" in sub:
                _fail("a reverse property value must be a node object")
            check_node(sub)


def _unknown_node_keyword(key: str, _value: Any) -> None:
    _fail(f"{key!r} on a node object carries no RDF and would be dropped")


# Keywords that may appear on an expanded node object without being data that gets lost,
# each with the check of its value.
# (@index is not among them: index-map keys and @index values are not part of the RDF, so they
# would be unsigned data; no bundled context uses index maps.)
_NODE_KEYWORD_CHECKS: dict[str, Callable[[str, Any], None]] = {
    "@id": _check_id,
    "@type": _check_types,
    "@graph": _check_contained,
    "@included": _check_contained,
    "@reverse": _check_reverse,
}


def check_node(node: dict[str, Any]) -> None:
    """Reject anything in an expanded node object that toRdf would drop or mangle."""
    keyword_checks = _NODE_KEYWORD_CHECKS
    for key, value in node.items():
        if key.startswith("@"):
            keyword_checks.get(key, _unknown_node_keyword)(key, value)
            continue
        if not is_abs_iri(key):
            if key.startswith("_:"):
                _fail(f"the property {key!r} is a blank node (not allowed in RDF)")
            _fail(f"the property {key!r} does not expand to an absolute IRI")
        for item in value if isinstance(value, list) else [value]:
            _check_item(item)


def check_expanded(expanded: Any) -> None:
    if not isinstance(expanded, list):
        _fail("expanded JSON-LD must be an array")
    for node in expanded:
        if not isinstance(node, dict) or "@value" in node or "@list" in node:
            _fail("a top-level value would be dropped")
        check_node(node)
