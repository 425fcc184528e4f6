"""Fast JSON-LD -> RDF -> RDFC-1.0 for already expanded, safe-mode-checked documents.

``to_quads`` turns expanded JSON-LD into quads of serialized N-Quads terms, with exactly the
semantics of pyld 3.3.0's ``to_rdf`` (node map + graph to RDF): the same literal forms, the same
de-duplication of values per subject and property, lists as rdf:first/rest chains.

``canonical_nquads`` implements RDFC-1.0 (= URDNA2015) whole: first-degree hashes, and the
N-degree algorithm for blank nodes that look alike, under a work budget (a poison graph is
refused in bounded time, not computed for minutes) and with the hash the suite names. Quads are
kept as pyld produces them, duplicates included, so the output matches pyld byte for byte.
"""

from __future__ import annotations

import hashlib
import itertools
import re
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from typing import Any

from c14n.Canonicalize import canonicalize as _jcs  # pyld's own JCS, for rdf:JSON literals

from .._errors import SafeModeError, TooComplexError

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
            self._claim_index(graph, subject)
        keyword_props = self._KEYWORD_PROPS
        for prop, values in node.items():
            if prop in keyword_props:
                handler = keyword_props[prop]
                if handler is not None:
                    handler(self, graph, subject, values)
                continue
            pred = "<" + prop + ">"
            for item in values:
                obj, key = self.object(item, graph)
                self.add(graph, subject, pred, obj, key)
        return subject

    def _claim_index(self, graph: str, subject: str) -> None:
        # pyld raises on any second @index for the same node (conflicting indexes)
        if (graph, subject) in self._indexed:
            raise SafeModeError("a node has more than one @index")
        self._indexed.add((graph, subject))

    def _types(self, graph: str, subject: str, values: list[str]) -> None:
        for t in values:
            obj = self.bnode(t) if t.startswith("_:") else "<" + t + ">"
            self.add(graph, subject, RDF_TYPE, obj, ("t", obj))

    def _named_graph(self, graph: str, subject: str, values: list[dict[str, Any]]) -> None:
        for sub in values:
            self.node(sub, subject)  # the node names the graph its @graph holds

    def _included(self, graph: str, subject: str, values: list[dict[str, Any]]) -> None:
        for sub in values:
            self.node(sub, graph)

    def _reverse(self, graph: str, subject: str, values: dict[str, list[dict[str, Any]]]) -> None:
        for rprop, items in values.items():
            pred = "<" + rprop + ">"
            for sub in items:
                other = self.node(sub, graph)
                self.add(graph, other, pred, subject, ("n", subject))

    # What a keyword property of a node object adds (None: nothing, it was read already);
    # every other property is an IRI whose values are objects.
    _KEYWORD_PROPS: dict[str, Callable[[_Builder, str, str, Any], None] | None] = {
        "@id": None,
        "@index": None,
        "@type": _types,
        "@graph": _named_graph,
        "@included": _included,
        "@reverse": _reverse,
    }

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


class Budget:
    """A bound on the work of RDFC-1.0 §4.8 (Hash N-Degree Quads), which is exponential in the
    number of blank nodes that look alike: RDFC-1.0 §4.4 / §7 ("poison graphs") asks
    implementations to limit it. ``rounds`` counts N-degree calls plus permutations tried."""

    __slots__ = ("expanded", "limit", "rounds")

    def __init__(self, limit: int) -> None:
        self.limit = limit
        self.rounds = 0
        self.expanded: dict[bytes, list[Any]] = {}  # safe-mode expansions within this verification

    def spend(self) -> None:
        self.rounds += 1
        if self.rounds > self.limit:
            raise TooComplexError(
                f"its blank nodes are too alike to put in canonical order within Satchel's work limit "
                f"({self.limit} rounds; RDFC-1.0 §4.4 poison graph), so its signature cannot be checked")


# Genuine credentials need a handful of rounds (a few look-alike blank nodes at most; a
# 6-clique of identical blank nodes takes 41,000). 300,000 rounds are about 0.7 s of work on
# this project's 2-core machine (bench/hostile.py), shared by everything one verification
# canonicalizes (every proof of a set, nested credentials, status lists).
DEFAULT_ROUNDS = 300_000
_CURRENT: ContextVar[Budget | None] = ContextVar("rdfc_budget", default=None)


def current_budget() -> Budget | None:
    """The budget of the verification under way, if any."""
    return _CURRENT.get()


@contextmanager
def work_budget(rounds: int = DEFAULT_ROUNDS) -> Iterator[Budget]:
    """One budget for every canonicalization inside the ``with`` block (one verification)."""
    outer = _CURRENT.get()
    if outer is not None:  # a nested verification shares the budget of the one around it
        yield outer
        return
    budget = Budget(rounds)
    token = _CURRENT.set(budget)
    try:
        yield budget
    finally:
        _CURRENT.reset(token)


class _Issuer:
    """RDFC-1.0 §4.5 Issue Identifier: a prefix, a counter and the order of issue."""

    __slots__ = ("issued", "prefix")

    def __init__(self, prefix: str, issued: dict[str, str] | None = None) -> None:
        self.prefix = prefix
        self.issued: dict[str, str] = dict(issued) if issued else {}

    def issue(self, bnode: str) -> str:
        got = self.issued.get(bnode)
        if got is None:
            got = self.issued[bnode] = f"{self.prefix}{len(self.issued)}"
        return got

    def copy(self) -> _Issuer:
        return _Issuer(self.prefix, self.issued)


class _Canonicalizer:
    def __init__(self, quads: list[Quad], hash_name: str, budget: Budget) -> None:
        self.quads = quads
        self.hash_name = hash_name
        self.budget = budget
        self.mentions: dict[str, list[Quad]] = {}
        for q in quads:
            s, _p, o, g = q
            if s[0] == "_":
                self.mentions.setdefault(s, []).append(q)
            if o[0] == "_":
                self.mentions.setdefault(o, []).append(q)
            if g and g[0] == "_":
                self.mentions.setdefault(g, []).append(q)
        self.first: dict[str, str] = {}
        self.canonical = _Issuer("_:c14n")

    def digest(self, data: str) -> str:
        return hashlib.new(self.hash_name, data.encode("utf-8")).hexdigest()

    def first_degree(self, bnode: str) -> str:
        """RDFC-1.0 §4.6 Hash First Degree Quads."""
        got = self.first.get(bnode)
        if got is not None:
            return got
        lines = []
        for s, p, o, g in self.mentions[bnode]:
            if s[0] == "_":
                s = "_:a" if s == bnode else "_:z"
            if o[0] == "_":
                o = "_:a" if o == bnode else "_:z"
            if g and g[0] == "_":
                g = "_:a" if g == bnode else "_:z"
            lines.append(f"{s} {p} {o} {g} .\n" if g else f"{s} {p} {o} .\n")
        lines.sort()
        got = self.first[bnode] = self.digest("".join(lines))
        return got

    def related(self, related: str, predicate: str, issuer: _Issuer, position: str) -> str:
        """RDFC-1.0 §4.7 Hash Related Blank Node."""
        ident = (self.canonical.issued.get(related) or issuer.issued.get(related)
                 or self.first_degree(related))
        return self.digest(position + (predicate if position != "g" else "") + ident)

    def n_degree(self, bnode: str, issuer: _Issuer) -> tuple[str, _Issuer]:
        """RDFC-1.0 §4.8 Hash N-Degree Quads, every call and permutation charged to the budget."""
        self.budget.spend()
        by_hash: dict[str, list[str]] = {}
        for s, p, o, g in self.mentions[bnode]:
            for term, position in ((s, "s"), (o, "o"), (g, "g")):
                if term and term[0] == "_" and term != bnode:
                    by_hash.setdefault(self.related(term, p, issuer, position), []).append(term)
        data = []
        for related_hash, nodes in sorted(by_hash.items()):
            data.append(related_hash)
            chosen_path = ""
            chosen_issuer: _Issuer | None = None
            for permutation in itertools.permutations(nodes):
                self.budget.spend()
                candidate = self._path(permutation, issuer, chosen_path)
                if candidate is not None and (not chosen_path or candidate[0] < chosen_path):
                    chosen_path, chosen_issuer = candidate
            data.append(chosen_path)
            assert chosen_issuer is not None
            issuer = chosen_issuer
        return self.digest("".join(data)), issuer

    def _path(self, permutation: tuple[str, ...], issuer: _Issuer,
              chosen: str) -> tuple[str, _Issuer] | None:
        """§4.8.3 step 5.4: the path of one permutation, or None once it cannot win."""
        copy = issuer.copy()
        path = ""
        recursion: list[str] = []
        for related in permutation:
            ident = self.canonical.issued.get(related)
            if ident is None:
                if related not in copy.issued:
                    recursion.append(related)
                ident = copy.issue(related)
            path += ident
            if chosen and len(path) >= len(chosen) and path > chosen:
                return None
        for related in recursion:
            result_hash, copy = self.n_degree(related, copy)
            path += copy.issue(related) + "<" + result_hash + ">"
            if chosen and len(path) >= len(chosen) and path > chosen:
                return None
        return path, copy

    def run(self) -> str:
        """RDFC-1.0 §4.4.3."""
        for nodes in self._issue_unique():
            self._issue_shared(nodes)
        return self._relabelled_nquads()

    def _issue_unique(self) -> list[list[str]]:
        """§4.4.3 steps 3-4: canonical ids for blank nodes with a unique first-degree hash, in
        hash order; the groups that share a hash, in hash order, are returned for step 5."""
        by_hash: dict[str, list[str]] = {}
        for bnode in self.mentions:
            by_hash.setdefault(self.first_degree(bnode), []).append(bnode)
        shared: list[list[str]] = []
        for _h, nodes in sorted(by_hash.items()):
            if len(nodes) == 1:
                self.canonical.issue(nodes[0])
            else:
                shared.append(nodes)
        return shared

    def _issue_shared(self, nodes: list[str]) -> None:
        """§4.4.3 step 5: canonical ids for one group of look-alike blank nodes, by N-degree hash."""
        results = []
        for bnode in nodes:
            if bnode in self.canonical.issued:
                continue
            temporary = _Issuer("_:b")
            temporary.issue(bnode)
            results.append(self.n_degree(bnode, temporary))
        for _hash, issuer in sorted(results, key=lambda r: r[0]):
            for existing in issuer.issued:  # dicts keep the order of issue
                self.canonical.issue(existing)

    def _relabelled_nquads(self) -> str:
        """§4.4.3 step 6: every quad with its canonical blank node ids, sorted and joined."""
        canon = self.canonical.issued
        out = []
        for s, p, o, g in self.quads:
            if s[0] == "_":
                s = canon[s]
            if o[0] == "_":
                o = canon[o]
            if g and g[0] == "_":
                g = canon[g]
            out.append(f"{s} {p} {o} {g} .\n" if g else f"{s} {p} {o} .\n")
        out.sort()
        return "".join(out)


def canonical_nquads(quads: list[Quad], hash_name: str = "sha256", budget: Budget | None = None) -> str:
    """RDFC-1.0 canonical N-Quads of ``quads``, with the hash algorithm the suite asks for
    (vc-di-ecdsa §3: SHA-384 with P-384 keys) and a bounded amount of work."""
    if not any(s[0] == "_" or o[0] == "_" or (g and g[0] == "_") for s, _p, o, g in quads):
        return "".join(sorted(_serialize(q) for q in quads))
    return _Canonicalizer(quads, hash_name, budget or _CURRENT.get() or Budget(DEFAULT_ROUNDS)).run()
