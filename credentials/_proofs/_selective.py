"""Selective disclosure functions shared by SD cryptosuites (W3C vc-di-ecdsa 1.0 §3.4).

A document is turned into canonical N-Quads whose blank nodes carry labels chosen by a label map
function (an HMAC of the canonical label for ecdsa-sd-2023, §3.4.4; a given label map for a
verifier, §3.4.3), and the statements are grouped by the parts of the document that JSON
pointers (RFC 6901) select (§3.4.10-§3.4.17).
"""

from __future__ import annotations

import copy
import hashlib
import hmac
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from .._encoding import b64url_encode
from .._errors import MalformedError
from .._jsonld._rdfc import Quad
from .._jsonld._skolem import canonical_id_map, deskolemized_quads, rdf_quads, skolemize_compact

# canonical id map (input blank node -> "_:c14nN") -> label map (input blank node -> new label)
LabelMapFactory = Callable[[Mapping[str, str]], dict[str, str]]

# A hostile pointer list is refused before any work is done with it.
MAX_POINTERS = 1000
MAX_POINTER_DEPTH = 64


def parse_pointer(pointer: str) -> list[str]:
    """RFC 6901 §3-§4: the reference tokens of a JSON pointer, unescaped (``~1`` -> ``/`` first,
    then ``~0`` -> ``~``); §3.4.10 jsonPointerToPaths. The empty pointer (the whole document)
    selects nothing in particular here, so it is refused."""
    if not isinstance(pointer, str) or not pointer.startswith("/"):
        raise MalformedError(f"{pointer!r} is not a JSON pointer to a part of the credential (RFC 6901: "
                             "it starts with '/')")
    tokens = pointer.split("/")[1:]
    if len(tokens) > MAX_POINTER_DEPTH:
        raise MalformedError(f"the JSON pointer {pointer[:60]!r}… is deeper than any credential")
    out = []
    for token in tokens:
        rest = token.replace("~0", "").replace("~1", "")
        if "~" in rest:
            raise MalformedError(f"the JSON pointer {pointer!r} has a '~' that is not ~0 or ~1 (RFC 6901 §3)")
        out.append(token.replace("~1", "/").replace("~0", "~"))
    return out


def check_pointers(pointers: Sequence[str]) -> list[list[str]]:
    if isinstance(pointers, str) or len(pointers) > MAX_POINTERS:
        raise MalformedError(f"a list of at most {MAX_POINTERS} JSON pointers is expected")
    return [parse_pointer(p) for p in pointers]


# -- selectJsonLd (§3.4.11-§3.4.13) ----------------------------------------------------------------


class _Hole:
    """An array slot not (yet) selected: arrays are made dense once every pointer is done."""


_HOLE = _Hole()


def _initial_selection(source: Any) -> dict[str, Any]:
    """§3.4.11 createInitialSelection: a non-blank ``id`` and every ``type`` on the way are kept."""
    selection: dict[str, Any] = {}
    if isinstance(source, dict):
        ident = source.get("id")
        if isinstance(ident, str) and not ident.startswith("_:"):
            selection["id"] = ident
        if "type" in source:
            selection["type"] = copy.deepcopy(source["type"])
    return selection


def _step(container: Any, token: str, pointer: str) -> Any:
    """The value a reference token names in ``container`` (RFC 6901 §4)."""
    if isinstance(container, dict) and token in container:
        return container[token]
    if isinstance(container, list) and token.isdigit() and (token == "0" or not token.startswith("0")):
        index = int(token)
        if index < len(container):
            return container[index]
    raise MalformedError(f"the JSON pointer {pointer} names nothing in the credential")


def _selected(parent: Any, token: str) -> Any:
    if isinstance(parent, dict):
        return parent.get(token)
    index = int(token)
    return parent[index] if index < len(parent) and parent[index] is not _HOLE else None


def _put(parent: Any, token: str, value: Any) -> None:
    if isinstance(parent, dict):
        parent[token] = value
        return
    index = int(token)
    parent.extend([_HOLE] * (index + 1 - len(parent)))
    parent[index] = value


def _select_paths(tokens: list[str], pointer: str, document: dict[str, Any], selection: dict[str, Any],
                  arrays: list[list[Any]]) -> None:
    """§3.4.12 selectPaths: copy what ``tokens`` lead to into ``selection``, with the ids and types
    of every object on the way."""
    value: Any = document
    selected_parent: Any = selection
    selected_value: Any = selection
    for token in tokens:
        selected_parent = selected_value
        value = _step(value, token, pointer)
        selected_value = _selected(selected_parent, token)
        if selected_value is None:
            if isinstance(value, list):
                selected_value = []
                arrays.append(selected_value)
            else:
                selected_value = _initial_selection(value)
            _put(selected_parent, token, selected_value)
    if isinstance(value, list):
        selected_value = copy.deepcopy(value)
    elif isinstance(value, dict):
        selected_value = {**selected_value, **copy.deepcopy(value)}
    else:
        selected_value = value
    _put(selected_parent, tokens[-1], selected_value)


def select_json_ld(pointers: Sequence[str], document: Mapping[str, Any]) -> dict[str, Any] | None:
    """§3.4.13 selectJsonLd: the part of a compact JSON-LD document the pointers select (None
    when there are none)."""
    parsed = check_pointers(pointers)
    if not parsed:
        return None
    doc = dict(document)
    selection: dict[str, Any] = {"@context": copy.deepcopy(doc.get("@context"))}
    selection.update(_initial_selection(doc))
    arrays: list[list[Any]] = []
    for pointer, tokens in zip(pointers, parsed, strict=True):
        _select_paths(tokens, pointer, doc, selection, arrays)
    for array in arrays:
        array[:] = [item for item in array if item is not _HOLE]
    return selection


# -- label maps and canonical N-Quads (§3.4.1-§3.4.4, §3.4.14) ---------------------------------


def nquad(q: Quad) -> str:
    s, p, o, g = q
    return f"{s} {p} {o} {g} .\n" if g else f"{s} {p} {o} .\n"


def relabel(quads: list[Quad], label_map: Mapping[str, str]) -> list[str]:
    """§3.4.14 relabelBlankNodes, term by term: each blank node -> ``_:`` + its new label."""

    def term(t: str) -> str:
        if not t or t[0] != "_":
            return t
        new = label_map.get(t[2:])
        if new is None:
            raise MalformedError(f"the label map has no label for blank node {t}")
        return "_:" + new

    return [nquad((term(s), p, term(o), term(g))) for s, p, o, g in quads]


def hmac_label_map_factory(key: bytes, hash_name: str = "sha256") -> LabelMapFactory:
    """§3.4.4 createHmacIdLabelMapFunction: ``c14nN`` -> ``u`` + base64url(HMAC(key, "c14nN"))."""

    def factory(canonical: Mapping[str, str]) -> dict[str, str]:
        return {inp[2:]: "u" + b64url_encode(hmac.new(key, c14n[2:].encode("utf-8"), hash_name).digest())
                for inp, c14n in canonical.items()}

    return factory


def given_label_map_factory(label_map: Mapping[str, str]) -> LabelMapFactory:
    """§3.4.3 createLabelMapFunction: the canonical label -> the label the map gives it."""

    def factory(canonical: Mapping[str, str]) -> dict[str, str]:
        out = {}
        for inp, c14n in canonical.items():
            new = label_map.get(c14n[2:])
            if new is None:
                raise MalformedError(f"the proof's label map has no label for blank node {c14n}")
            out[inp[2:]] = new
        return out

    return factory


def label_replacement_canonicalize(quads: list[Quad], factory: LabelMapFactory) -> tuple[list[str], dict[str, str]]:
    """§3.4.1 labelReplacementCanonicalizeNQuads: the sorted canonical N-Quads with the labels
    ``factory`` gives, and that label map (input label -> new label, without ``_:``)."""
    label_map = factory(canonical_id_map(quads))
    return sorted(relabel(quads, label_map)), label_map


def canonicalize_document(document: Mapping[str, Any], factory: LabelMapFactory) -> list[str]:
    """§3.4.2 labelReplacementCanonicalizeJsonLd (a verifier's view of the revealed document)."""
    return label_replacement_canonicalize(rdf_quads(document), factory)[0]


# -- canonicalizeAndGroup (§3.4.16) -------------------------------------------------------------


@dataclass(frozen=True)
class Group:
    """The canonical statements one list of pointers selects (by index in the whole list) and the
    rest; ``deskolemized`` is the selection's own RDF, before relabelling."""

    matching: dict[int, str]
    non_matching: dict[int, str]
    deskolemized: list[Quad]


@dataclass(frozen=True)
class Grouped:
    groups: dict[str, Group]
    label_map: dict[str, str]
    nquads: list[str]


def canonicalize_and_group(document: Mapping[str, Any], factory: LabelMapFactory,
                           group_definitions: Mapping[str, Sequence[str]]) -> Grouped:
    """§3.4.16 canonicalizeAndGroup: the document's canonical N-Quads (labels from ``factory``), grouped by what each
    named list of JSON pointers selects of its skolemized compact form."""
    for pointers in group_definitions.values():
        check_pointers(pointers)
    skolemized = skolemize_compact(document)
    nquads, label_map = label_replacement_canonicalize(deskolemized_quads(skolemized.expanded), factory)
    groups: dict[str, Group] = {}
    for name, pointers in group_definitions.items():
        selection = select_json_ld(pointers, skolemized.compact)
        selected_quads = deskolemized_quads(selection) if selection is not None else []
        selected = set(relabel(selected_quads, label_map))
        matching = {i: nq for i, nq in enumerate(nquads) if nq in selected}
        non_matching = {i: nq for i, nq in enumerate(nquads) if nq not in selected}
        groups[name] = Group(matching, non_matching, selected_quads)
    return Grouped(groups, label_map, nquads)


def hash_mandatory(mandatory: Sequence[str], hash_name: str = "sha256") -> bytes:
    """§3.4.17 hashMandatoryNQuads: the hash of the joined mandatory statements."""
    return hashlib.new(hash_name, "".join(mandatory).encode("utf-8")).digest()
