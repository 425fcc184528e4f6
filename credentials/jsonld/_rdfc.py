"""Fast JSON-LD -> RDF -> RDFC-1.0 for already expanded, safe-mode-checked documents.

``to_quads`` turns expanded JSON-LD into quads of serialized N-Quads terms, with exactly the
semantics of pyld 3.3.0's ``to_rdf`` (node map + graph to RDF): the same literal forms, the same
de-duplication of values per subject and property, lists as rdf:first/rest chains.

``canonical_nquads`` implements RDFC-1.0 (= URDNA2015) for the common case in which every blank
node has a distinct first-degree hash (§4.4.3 step 5: all of them then get their canonical
identifier from the sorted hashes, and step 6 has nothing left to do). It returns ``None`` when
some first-degree hashes collide, or when the quads contain exact duplicates; the caller then
uses the reference implementation.
"""

from __future__ import annotations

import hashlib
import math
import re
from typing import Any

from c14n.Canonicalize import canonicalize as _jcs  # pyld's own JCS, for rdf:JSON literals

from ..errors import SafeModeError

XSD = "http://www.w3.org/2001/XMLSchema#"
XSD_STRING = XSD + "string"
XSD_BOOLEAN = XSD + "boolean"
XSD_INTEGER = XSD + "integer"
XSD_DOUBLE = XSD + "double"
RDF = "http://www.w3.org/1999/02/22-rdf-syntax-ns#"
RDF_TYPE = "<" + RDF + "type>"
RDF_FIRST = "<" + RDF + "first>"
RDF_REST = "<" + RDF + "rest>"
RDF_NIL = "<" + RDF + "nil>"
RDF_LANGSTRING = RDF + "langString"
RDF_JSON = RDF + "JSON"

_DOUBLE = re.compile(r"(\d)0*E\+?(-)?0*(\d)")

# A quad: (subject, predicate, object, graph) as N-Quads terms; graph "" is the default graph.
Quad = tuple[str, str, str, str]


def _canonical_double(value: float) -> str:
    return _DOUBLE.sub(r"\1E\2\3", f"{value:1.15E}")


def _escape(value: str) -> str:
    return (value.replace("\\", "\\\\").replace("\t", "\\t").replace("\n", "\\n")
            .replace("\r", "\\r").replace('"', '\\"'))


def _literal(value: str, datatype: str, language: str | None = None) -> str:
    out = '"' + _escape(value) + '"'
    if datatype == RDF_LANGSTRING:
        if language:
            out += "@" + language
    elif datatype != XSD_STRING:
        out += "^^<" + datatype + ">"
    return out


def _value_literal(item: dict[str, Any]) -> str:
    """The literal for an expanded value object (pyld's _object_to_rdf, without @direction)."""
    value = item["@value"]
    datatype = item.get("@type")
    if datatype == "@json":
        return _literal(_jcs(value).decode("utf-8"), RDF_JSON)
    if isinstance(value, bool):
        return _literal("true" if value else "false", datatype or XSD_BOOLEAN)
    if isinstance(value, float) and not value.is_integer():
        return _literal(_canonical_double(value), datatype or XSD_DOUBLE)
    if datatype == XSD_DOUBLE:
        try:
            as_float = float(value)
        except (ValueError, TypeError):
            return _literal(str(value), XSD_DOUBLE)
        return _literal(_canonical_double(as_float), XSD_DOUBLE)
    if isinstance(value, (int, float)):
        if abs(value) >= 1e21:
            return _literal(_canonical_double(value), datatype or XSD_DOUBLE)
        return _literal(str(int(value)), datatype or XSD_INTEGER)
    if "@language" in item:
        return _literal(value, datatype or RDF_LANGSTRING, item["@language"])
    return _literal(value, datatype or XSD_STRING)


def _value_key(item: dict[str, Any]) -> tuple[Any, ...]:
    """Equality of values as pyld's node map de-duplicates them (JsonLdProcessor.compare_values)."""
    value = item["@value"]
    if isinstance(value, bool):
        v: Any = ("b", value)
    elif isinstance(value, (int, float, str)):
        v = value
    else:  # @json object or array
        v = ("j", _jcs(value))
    return (item.get("@type"), item.get("@language"), item.get("@index"), v)


class _Builder:
    def __init__(self) -> None:
        self.quads: list[Quad] = []
        self._seen: set[tuple[str, str, str, Any]] = set()
        self._labels: dict[str, str] = {}
        self._counter = 0
        self._indexed: set[tuple[str, str]] = set()

    def fresh(self) -> str:
        label = f"_:b{self._counter}"
        self._counter += 1
        return label

    def bnode(self, label: str) -> str:
        got = self._labels.get(label)
        if got is None:
            got = self._labels[label] = self.fresh()
        return got

    def node_term(self, node: dict[str, Any]) -> str:
        id_: str | None = node.get("@id")
        if id_ is None:
            return self.fresh()
        if id_.startswith("_:"):
            return self.bnode(id_)
        return "<" + id_ + ">"

    def add(self, graph: str, subject: str, predicate: str, obj: str, key: Any) -> None:
        """Add a quad unless pyld's node map would treat it as a duplicate value."""
        if key is not None:
            k = (graph, subject, predicate, key)
            if k in self._seen:
                return
            self._seen.add(k)
        self.quads.append((subject, predicate, obj, graph))

    def node(self, node: dict[str, Any], graph: str) -> str:
        subject = self.node_term(node)
        if "@index" in node:
            # pyld raises on any second @index for the same node (conflicting indexes)
            if (graph, subject) in self._indexed:
                raise SafeModeError("a node has more than one @index")
            self._indexed.add((graph, subject))
        for prop, values in node.items():
            if prop == "@id" or prop == "@index":
                continue
            if prop == "@type":
                for t in values:
                    obj = self.bnode(t) if t.startswith("_:") else "<" + t + ">"
                    self.add(graph, subject, RDF_TYPE, obj, ("t", obj))
            elif prop == "@graph":
                name = subject
                for sub in values:
                    self.node(sub, name)
            elif prop == "@included":
                for sub in values:
                    self.node(sub, graph)
            elif prop == "@reverse":
                for rprop, items in values.items():
                    pred = "<" + rprop + ">"
                    for sub in items:
                        other = self.node(sub, graph)
                        self.add(graph, other, pred, subject, ("n", subject))
            else:
                pred = "<" + prop + ">"
                for item in values:
                    obj, key = self.object(item, graph)
                    self.add(graph, subject, pred, obj, key)
        return subject

    def object(self, item: dict[str, Any], graph: str) -> tuple[str, Any]:
        if "@value" in item:
            return _value_literal(item), ("v", _value_key(item))
        if "@list" in item:
            return self.list(item["@list"], graph), None
        term = self.node(item, graph)
        return term, ("n", term)

    def list(self, items: list[Any], graph: str) -> str:
        if not items:
            return RDF_NIL
        # like pyld: convert the items (and any nodes in them) first, then build the chain
        objs = [self.object(item, graph)[0] for item in items]
        head = self.fresh()
        subject = head
        for i, obj in enumerate(objs):
            nxt = self.fresh() if i + 1 < len(objs) else RDF_NIL
            self.quads.append((subject, RDF_FIRST, obj, graph))
            self.quads.append((subject, RDF_REST, nxt, graph))
            subject = nxt
        return head


def to_quads(expanded: list[Any]) -> list[Quad]:
    builder = _Builder()
    for node in expanded:
        builder.node(node, "")
    return builder.quads


def _serialize(q: Quad) -> str:
    s, p, o, g = q
    return f"{s} {p} {o} {g} .\n" if g else f"{s} {p} {o} .\n"


def canonical_nquads(quads: list[Quad]) -> str | None:
    """RDFC-1.0 canonical N-Quads, or None if the full (N-degree) algorithm would be needed."""
    if len(set(quads)) != len(quads):
        return None
    # blank node -> quads mentioning it (once per mention, as pyld does)
    mentions: dict[str, list[Quad]] = {}
    for q in quads:
        s, _p, o, g = q
        if s[0] == "_":
            mentions.setdefault(s, []).append(q)
        if o[0] == "_":
            mentions.setdefault(o, []).append(q)
        if g and g[0] == "_":
            mentions.setdefault(g, []).append(q)
    if not mentions:
        return "".join(sorted(_serialize(q) for q in quads))

    by_hash: dict[str, str] = {}
    for bnode, qs in mentions.items():
        lines = []
        for s, p, o, g in qs:
            if s[0] == "_":
                s = "_:a" if s == bnode else "_:z"
            if o[0] == "_":
                o = "_:a" if o == bnode else "_:z"
            if g and g[0] == "_":
                g = "_:a" if g == bnode else "_:z"
            lines.append(f"{s} {p} {o} {g} .\n" if g else f"{s} {p} {o} .\n")
        lines.sort()
        digest = hashlib.sha256("".join(lines).encode("utf-8")).hexdigest()
        if digest in by_hash:
            return None
        by_hash[digest] = bnode

    canon = {bnode: f"_:c14n{i}" for i, (_h, bnode) in enumerate(sorted(by_hash.items()))}
    out = []
    for s, p, o, g in quads:
        if s[0] == "_":
            s = canon[s]
        if o[0] == "_":
            o = canon[o]
        if g and g[0] == "_":
            g = canon[g]
        out.append(f"{s} {p} {o} {g} .\n" if g else f"{s} {p} {o} .\n")
    out.sort()
    return "".join(out)


def is_finite_number(v: Any) -> bool:
    return not isinstance(v, float) or math.isfinite(v)
