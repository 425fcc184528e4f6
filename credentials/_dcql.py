"""DCQL, the Digital Credentials Query Language of OpenID4VP 1.0 (§6), and its claims path pointers (§7).

Pure: no network, no clock. :func:`parse_dcql_query` reads a query (the ``dcql_query`` request
parameter, §5.1) into frozen dataclasses, refusing malformed input with a sentence and bounded work
(caps on every count and on path length). :func:`match_dcql` says, for each Credential Query, which
of the holder's credentials satisfy it and which claims each would disclose (§6.4.1), and whether
the Credential Set Queries can be met (§6.4.2). The wallet uses it to answer a request; a verifier
uses it to check that what it received answers what it asked.

Formats read (Appendix B): ``dc+sd-jwt`` (B.3, ``meta.vct_values``), ``ldp_vc`` and ``jwt_vc_json``
(B.1, ``meta.type_values``). Queries for any other format are parsed and never match.
``trusted_authorities`` (§6.1.1) is parsed and not evaluated: Satchel's wallet holds no trust lists
for AKI / ETSI / federation and the verifier checks the issuer itself.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from ._errors import MalformedError, SatchelError, TooComplexError
from ._formats.sd_jwt import SdJwt, digest_of, parse_sd_jwt, process_disclosures

__all__ = [
    "CandidateMatch", "ClaimMatch", "ClaimPath", "ClaimsQuery", "ConcretePath", "CredentialQuery",
    "CredentialQueryMatch", "CredentialSetQuery", "DcqlCandidate", "DcqlMatch", "DcqlQuery",
    "TrustedAuthority", "json_pointer_of", "match_dcql", "parse_dcql_query", "select_claims_path",
    "sd_jwt_candidate", "sd_jwt_disclosures_for", "w3c_candidate",
]

PathComponent = str | int | None
ClaimPath = tuple[PathComponent, ...]  # as asked: a key, an index, or null = every element (§7)
ConcretePath = tuple[str | int, ...]  # one claim in one credential: keys and indexes only
ClaimValue = str | int | bool

FORMATS_MATCHED = frozenset({"dc+sd-jwt", "ldp_vc", "jwt_vc_json"})

# Caps: far above any honest request (the spec's own examples ask for a handful of each), low
# enough that parsing and matching a hostile query is bounded work.
MAX_CREDENTIAL_QUERIES = 64
MAX_CLAIMS = 128  # per Credential Query
MAX_CLAIM_SETS = 64  # per Credential Query
MAX_CREDENTIAL_SETS = 64
MAX_OPTIONS = 64  # per Credential Set Query, and ids per option / claim set
MAX_PATH = 32  # components of one claims path pointer
MAX_VALUES = 64  # per Claims Query, and per vct_values / type_values
MAX_STRING = 2048
MAX_MATCH_WORK = 500_000  # JSON values selected while matching all candidates

_ID = re.compile(r"^[A-Za-z0-9_-]+$")  # §6.1 / §6.3: alphanumeric, underscore or hyphen


# -- the query ---------------------------------------------------------------------------------------


@dataclass(frozen=True)
class ClaimsQuery:
    """§6.3: one claim asked for, by its path; ``values``, when given, are the only acceptable ones."""

    path: ClaimPath
    id: str | None = None
    values: tuple[ClaimValue, ...] | None = None


@dataclass(frozen=True)
class TrustedAuthority:
    """§6.1.1: a trust framework the verifier expects the issuer to belong to (parsed, not evaluated)."""

    type: str
    values: tuple[str, ...]


@dataclass(frozen=True)
class CredentialQuery:
    """§6.1: a request for a presentation of one credential."""

    id: str
    format: str
    multiple: bool = False
    vct_values: tuple[str, ...] | None = None  # B.3.5 (dc+sd-jwt): acceptable ``vct``
    type_values: tuple[tuple[str, ...], ...] | None = None  # B.1.1 (W3C VCs): each a set of types all held
    claims: tuple[ClaimsQuery, ...] | None = None
    claim_sets: tuple[tuple[str, ...], ...] | None = None  # ids into ``claims``, the verifier's preference first
    require_cryptographic_holder_binding: bool = True
    trusted_authorities: tuple[TrustedAuthority, ...] | None = None


@dataclass(frozen=True)
class CredentialSetQuery:
    """§6.2: alternatives (each a list of Credential Query ids), of which one is to be met."""

    options: tuple[tuple[str, ...], ...]
    required: bool = True


@dataclass(frozen=True)
class DcqlQuery:
    credentials: tuple[CredentialQuery, ...]
    credential_sets: tuple[CredentialSetQuery, ...] | None = None

    def credential(self, query_id: str) -> CredentialQuery:
        for query in self.credentials:
            if query.id == query_id:
                return query
        raise KeyError(query_id)


# -- parsing -----------------------------------------------------------------------------------------


def _array(value: Any, what: str, cap: int, *, empty: bool = False) -> list[Any]:
    if not isinstance(value, list) or (not value and not empty):
        raise MalformedError(f"{what} is not a non-empty array")
    if len(value) > cap:
        raise TooComplexError(f"{what} has {len(value)} entries, more than the {cap} Satchel reads")
    return value


def _string(value: Any, what: str) -> str:
    if not isinstance(value, str) or not value:
        raise MalformedError(f"{what} is not a non-empty string")
    if len(value) > MAX_STRING:
        raise TooComplexError(f"{what} is longer than {MAX_STRING} characters")
    return value


def _identifier(value: Any, what: str) -> str:
    text = _string(value, what)
    if not _ID.match(text):
        raise MalformedError(f"{what} {text!r} has characters other than letters, digits, _ and -")
    return text


def _bool(obj: Mapping[str, Any], key: str, default: bool, what: str) -> bool:
    value = obj.get(key, default)
    if not isinstance(value, bool):
        raise MalformedError(f"{what}'s {key} is not true or false")
    return value


def _strings(value: Any, what: str, cap: int = MAX_VALUES) -> tuple[str, ...]:
    return tuple(_string(v, f"an entry of {what}") for v in _array(value, what, cap))


def parse_claims_path(value: Any, what: str = "a claims path") -> ClaimPath:
    """§7: a non-empty array of strings, non-negative integers and nulls."""
    out: list[PathComponent] = []
    for component in _array(value, what, MAX_PATH):
        if component is None or isinstance(component, str):
            out.append(component)
        elif isinstance(component, int) and not isinstance(component, bool) and component >= 0:
            out.append(component)
        else:
            raise MalformedError(f"{what} has {component!r}, which is not a key, an index or null")
    return tuple(out)


def _claim_values(value: Any, what: str) -> tuple[ClaimValue, ...]:
    out: list[ClaimValue] = []
    for v in _array(value, what, MAX_VALUES):
        if not isinstance(v, str | int | bool):  # §6.3: strings, integers or booleans
            raise MalformedError(f"{what} has a value that is not a string, an integer or a boolean")
        if isinstance(v, str) and len(v) > MAX_STRING:
            raise TooComplexError(f"{what} has a value longer than {MAX_STRING} characters")
        out.append(v)
    return tuple(out)


def _parse_claims_query(obj: Any, what: str) -> ClaimsQuery:
    if not isinstance(obj, dict):
        raise MalformedError(f"{what} is not an object")
    claim_id = _identifier(obj["id"], f"{what}'s id") if "id" in obj else None
    values = _claim_values(obj["values"], f"{what}'s values") if "values" in obj else None
    if "path" not in obj:
        raise MalformedError(f"{what} has no path")
    return ClaimsQuery(path=parse_claims_path(obj["path"], f"{what}'s path"), id=claim_id, values=values)


def _parse_meta(obj: dict[str, Any], what: str) -> tuple[tuple[str, ...] | None, tuple[tuple[str, ...], ...] | None]:
    meta = obj.get("meta", {})  # §6.1: REQUIRED in 1.0; an absent one is read as "no constraint"
    if not isinstance(meta, dict):
        raise MalformedError(f"{what}'s meta is not an object")
    vct = _strings(meta["vct_values"], f"{what}'s vct_values") if "vct_values" in meta else None
    types = None
    if "type_values" in meta:
        types = tuple(_strings(t, f"an entry of {what}'s type_values")
                      for t in _array(meta["type_values"], f"{what}'s type_values", MAX_VALUES))
    return vct, types


def _parse_claim_sets(obj: dict[str, Any], claims: tuple[ClaimsQuery, ...] | None,
                      what: str) -> tuple[tuple[str, ...], ...] | None:
    if "claim_sets" not in obj:
        return None
    if claims is None:  # §6.1: claim_sets MUST NOT be present when claims is absent
        raise MalformedError(f"{what} has claim_sets but no claims")
    known = {c.id for c in claims if c.id is not None}
    sets: list[tuple[str, ...]] = []
    for i, entry in enumerate(_array(obj["claim_sets"], f"{what}'s claim_sets", MAX_CLAIM_SETS)):
        ids = tuple(_identifier(x, f"a claim id in {what}'s claim set {i + 1}")
                    for x in _array(entry, f"{what}'s claim set {i + 1}", MAX_OPTIONS))
        unknown = [x for x in ids if x not in known]
        if unknown:
            raise MalformedError(f"{what}'s claim set {i + 1} names {unknown[0]!r}, which no claim has as id")
        sets.append(ids)
    return tuple(sets)


def _parse_claims(obj: dict[str, Any], what: str) -> tuple[ClaimsQuery, ...] | None:
    if "claims" not in obj:
        return None
    claims = tuple(_parse_claims_query(c, f"claim {i + 1} of {what}")
                   for i, c in enumerate(_array(obj["claims"], f"{what}'s claims", MAX_CLAIMS)))
    ids = [c.id for c in claims if c.id is not None]
    if len(ids) != len(set(ids)):  # §6.3: the same id MUST NOT be present more than once
        raise MalformedError(f"{what} has two claims with the same id")
    if "claim_sets" in obj and len(ids) != len(claims):  # §6.3: id REQUIRED when claim_sets is present
        raise MalformedError(f"{what} has claim_sets, so every claim needs an id")
    return claims


def _parse_trusted_authorities(obj: dict[str, Any], what: str) -> tuple[TrustedAuthority, ...] | None:
    if "trusted_authorities" not in obj:
        return None
    out = []
    for i, entry in enumerate(_array(obj["trusted_authorities"], f"{what}'s trusted_authorities", MAX_VALUES)):
        label = f"trusted authority {i + 1} of {what}"
        if not isinstance(entry, dict):
            raise MalformedError(f"{label} is not an object")
        out.append(TrustedAuthority(type=_string(entry.get("type"), f"{label}'s type"),
                                    values=_strings(entry.get("values"), f"{label}'s values")))
    return tuple(out)


def _parse_credential_query(obj: Any, position: int) -> CredentialQuery:
    what = f"credential query {position}"
    if not isinstance(obj, dict):
        raise MalformedError(f"{what} is not an object")
    query_id = _identifier(obj.get("id"), f"{what}'s id")
    what = f"credential query {query_id!r}"
    vct, types = _parse_meta(obj, what)
    claims = _parse_claims(obj, what)
    return CredentialQuery(
        id=query_id, format=_string(obj.get("format"), f"{what}'s format"),
        multiple=_bool(obj, "multiple", False, what), vct_values=vct, type_values=types, claims=claims,
        claim_sets=_parse_claim_sets(obj, claims, what),
        require_cryptographic_holder_binding=_bool(obj, "require_cryptographic_holder_binding", True, what),
        trusted_authorities=_parse_trusted_authorities(obj, what))


def _parse_credential_set(obj: Any, position: int, known: set[str]) -> CredentialSetQuery:
    what = f"credential set {position}"
    if not isinstance(obj, dict):
        raise MalformedError(f"{what} is not an object")
    options: list[tuple[str, ...]] = []
    for i, option in enumerate(_array(obj.get("options"), f"{what}'s options", MAX_OPTIONS)):
        ids = tuple(_identifier(x, f"an id in option {i + 1} of {what}")
                    for x in _array(option, f"option {i + 1} of {what}", MAX_OPTIONS))
        unknown = [x for x in ids if x not in known]
        if unknown:  # §6.2: options name Credential Queries of this request
            raise MalformedError(f"option {i + 1} of {what} names {unknown[0]!r}, which no credential query has")
        options.append(ids)
    return CredentialSetQuery(options=tuple(options), required=_bool(obj, "required", True, what))


def parse_dcql_query(obj: Any) -> DcqlQuery:
    """Read a DCQL query (§6, the parsed JSON object). Raises MalformedError with a sentence naming
    the faulty part; TooComplexError (a MalformedError) past the caps."""
    if not isinstance(obj, dict):
        raise MalformedError("the DCQL query is not a JSON object")
    if "credentials" not in obj:
        raise MalformedError("the DCQL query asks for no credentials")
    entries = _array(obj["credentials"], "the DCQL query's credentials", MAX_CREDENTIAL_QUERIES)
    credentials = tuple(_parse_credential_query(c, i + 1) for i, c in enumerate(entries))
    ids = [c.id for c in credentials]
    if len(ids) != len(set(ids)):  # §6.1: the same id MUST NOT be present more than once
        raise MalformedError("the DCQL query has two credential queries with the same id")
    sets = None
    if "credential_sets" in obj:
        raw = _array(obj["credential_sets"], "the DCQL query's credential_sets", MAX_CREDENTIAL_SETS)
        sets = tuple(_parse_credential_set(s, i + 1, set(ids)) for i, s in enumerate(raw))
    return DcqlQuery(credentials=credentials, credential_sets=sets)


# -- claims path pointers (§7) -----------------------------------------------------------------------


class _Budget:
    def __init__(self, limit: int) -> None:
        self.limit = limit
        self.work = 0

    def spend(self, n: int) -> None:
        self.work += n
        if self.work > self.limit:
            error = TooComplexError(f"matching the DCQL query took more than {self.limit} steps")
            error.work = self.work
            raise error


def _step(selected: list[tuple[ConcretePath, Any]], component: PathComponent,
          budget: _Budget) -> list[tuple[ConcretePath, Any]] | None:
    out: list[tuple[ConcretePath, Any]] = []
    for path, node in selected:
        if isinstance(component, str):
            if not isinstance(node, Mapping):
                return None  # §7.2: a key on something that is not an object aborts
            if component in node:
                out.append(((*path, component), node[component]))
        else:
            if not isinstance(node, list):
                return None  # §7.2: an index or null on something that is not an array aborts
            if component is None:
                out.extend(((*path, i), v) for i, v in enumerate(node))
            elif component < len(node):
                out.append(((*path, component), node[component]))
        budget.spend(1 + len(out))
    return out


def _select(claims: Mapping[str, Any], pointer: ClaimPath, budget: _Budget) -> list[tuple[ConcretePath, Any]]:
    selected: list[tuple[ConcretePath, Any]] | None = [((), claims)]
    for component in pointer:
        assert selected is not None
        selected = _step(selected, component, budget)
        if not selected:
            return []  # §7.2 step 3: nothing selected (or an abort): the claim is not there
    return selected or []


def select_claims_path(claims: Mapping[str, Any], pointer: ClaimPath) -> tuple[tuple[ConcretePath, Any], ...]:
    """§7.2 processing of a claims path pointer over a credential's claims: each selected claim with
    its concrete path; empty when the pointer selects nothing (which §7.2 calls an error)."""
    return tuple(_select(claims, pointer, _Budget(MAX_MATCH_WORK)))


def json_pointer_of(path: ConcretePath) -> str:
    """RFC 6901 JSON pointer of a concrete claim path (ecdsa-sd-2023 selects claims by pointer)."""
    return "".join("/" + str(part).replace("~", "~0").replace("/", "~1") for part in path)


# -- the holder's credentials and what matches -------------------------------------------------------


@dataclass(frozen=True)
class DcqlCandidate:
    """One credential the holder could present. ``claims`` is the credential as JSON (a W3C VC's
    JSON; an SD-JWT VC's processed payload with every Disclosure applied). ``disclosable`` lists
    the claims the holder may withhold (SD-JWT Disclosures, ecdsa-sd-2023 non-mandatory claims);
    None means the credential is sent whole. ``types`` are a W3C VC's types as the holder knows
    them (terms and IRIs, B.1.1); by default its ``type`` as written."""

    key: str
    format: str
    claims: Mapping[str, Any]
    disclosable: frozenset[ConcretePath] | None = None
    types: frozenset[str] | None = None


@dataclass(frozen=True)
class ClaimMatch:
    """One Claims Query met by one credential: the claims it selects there (§7.2, filtered by
    ``values``, §6.4.1). ``optional``: some other acceptable claim set leaves it out and the holder
    can withhold it."""

    index: int  # position in the Credential Query's ``claims``
    id: str | None
    path: ClaimPath
    selected: tuple[ConcretePath, ...]
    optional: bool = False


@dataclass(frozen=True)
class CandidateMatch:
    """A credential that satisfies a Credential Query, with every claim set it can satisfy in the
    verifier's order of preference (§6.4.1); one empty set when no claims were asked for."""

    key: str
    claim_sets: tuple[tuple[ClaimMatch, ...], ...]

    @property
    def claims(self) -> tuple[ClaimMatch, ...]:
        """The preferred claim set: the first one this credential satisfies."""
        return self.claim_sets[0]

    def choose(self, withheld: Iterable[int] = ()) -> tuple[ClaimMatch, ...] | None:
        """The first satisfiable claim set that leaves out every claim (by index) in ``withheld``;
        None when the holder's choice leaves the query unanswered."""
        left_out = set(withheld)
        for claim_set in self.claim_sets:
            if not any(c.index in left_out for c in claim_set):
                return claim_set
        return None

    def disclosed(self, withheld: Iterable[int] = ()) -> tuple[ConcretePath, ...]:
        """The concrete claim paths sent for the chosen claim set (empty when none fits)."""
        chosen = self.choose(withheld) or ()
        return tuple(dict.fromkeys(p for c in chosen for p in c.selected))


@dataclass(frozen=True)
class CredentialQueryMatch:
    query_id: str
    candidates: tuple[CandidateMatch, ...]

    @property
    def satisfied(self) -> bool:
        return bool(self.candidates)


@dataclass(frozen=True)
class DcqlMatch:
    """What the holder's credentials can answer. ``answer``: the Credential Query ids to present
    (§6.4.2: all of them without credential_sets; otherwise the first satisfiable option of each
    set, required or optional). ``satisfied``: every required part can be met."""

    credentials: tuple[CredentialQueryMatch, ...]
    answer: tuple[str, ...]
    satisfied: bool
    work: int = 0

    def for_query(self, query_id: str) -> CredentialQueryMatch:
        for match in self.credentials:
            if match.query_id == query_id:
                return match
        raise KeyError(query_id)


def _value_matches(value: Any, wanted: tuple[ClaimValue, ...]) -> bool:
    # §6.4.1: type and value both match exactly (so true is not 1)
    return any(type(value) is type(w) and value == w for w in wanted)


def _types_of(candidate: DcqlCandidate) -> frozenset[str]:
    if candidate.types is not None:
        return candidate.types
    written = candidate.claims.get("type")
    if isinstance(written, str):
        return frozenset({written})
    return frozenset(t for t in written if isinstance(t, str)) if isinstance(written, list) else frozenset()


def _meta_matches(query: CredentialQuery, candidate: DcqlCandidate) -> bool:
    if candidate.format != query.format or query.format not in FORMATS_MATCHED:
        return False
    if query.format == "dc+sd-jwt":
        return query.vct_values is None or candidate.claims.get("vct") in query.vct_values
    if query.type_values is None:
        return True
    held = _types_of(candidate)
    return any(set(wanted) <= held for wanted in query.type_values)  # B.1.1: all types of one entry held


def _claim_match(index: int, claim: ClaimsQuery, candidate: DcqlCandidate, budget: _Budget) -> ClaimMatch | None:
    selected = _select(candidate.claims, claim.path, budget)
    if claim.values is not None:
        selected = [(p, v) for p, v in selected if _value_matches(v, claim.values)]
    if not selected:
        return None
    return ClaimMatch(index=index, id=claim.id, path=claim.path, selected=tuple(p for p, _ in selected))


def _withholdable(selected: tuple[ConcretePath, ...], disclosable: frozenset[ConcretePath] | None) -> bool:
    if disclosable is None:
        return False
    return all(any(p[:n] in disclosable for n in range(1, len(p) + 1)) for p in selected)


def _match_candidate(query: CredentialQuery, candidate: DcqlCandidate, budget: _Budget) -> CandidateMatch | None:
    if not _meta_matches(query, candidate):
        return None
    if query.claims is None:  # §6.4.1: no claims asked for, only what is always disclosed
        return CandidateMatch(key=candidate.key, claim_sets=((),))
    found = {i: _claim_match(i, c, candidate, budget) for i, c in enumerate(query.claims)}
    by_id = {c.id: i for i, c in enumerate(query.claims) if c.id is not None}
    wanted = [[by_id[x] for x in s] for s in query.claim_sets] if query.claim_sets else [list(found)]
    usable = [s for s in wanted if all(found[i] is not None for i in s)]
    if not usable:
        return None
    everywhere = set.intersection(*(set(s) for s in usable))
    sets = []
    for s in usable:
        matches = [found[i] for i in dict.fromkeys(s)]
        sets.append(tuple(ClaimMatch(index=m.index, id=m.id, path=m.path, selected=m.selected,
                                     optional=m.index not in everywhere
                                     and _withholdable(m.selected, candidate.disclosable))
                          for m in matches if m is not None))
    return CandidateMatch(key=candidate.key, claim_sets=tuple(sets))


def _answer(query: DcqlQuery, met: set[str]) -> tuple[tuple[str, ...], bool]:
    if query.credential_sets is None:  # §6.4.2: every Credential Query is asked for
        return tuple(c.id for c in query.credentials), all(c.id in met for c in query.credentials)
    answer: list[str] = []
    satisfied = True
    for credential_set in query.credential_sets:
        option = next((o for o in credential_set.options if all(x in met for x in o)), None)
        if option is None:
            satisfied = satisfied and not credential_set.required
            continue
        answer.extend(x for x in option if x not in answer)
    return tuple(answer), satisfied


def match_dcql(query: DcqlQuery, candidates: Sequence[DcqlCandidate]) -> DcqlMatch:
    """Match the holder's credentials against a DCQL query (§6.4). Bounded: at most
    :data:`MAX_MATCH_WORK` JSON values selected in all (TooComplexError past it)."""
    budget = _Budget(MAX_MATCH_WORK)
    results = []
    for credential_query in query.credentials:
        budget.spend(len(candidates))
        found = (_match_candidate(credential_query, c, budget) for c in candidates)
        results.append(CredentialQueryMatch(credential_query.id, tuple(m for m in found if m is not None)))
    answer, satisfied = _answer(query, {r.query_id for r in results if r.satisfied})
    return DcqlMatch(credentials=tuple(results), answer=answer, satisfied=satisfied, work=budget.work)


# -- SD-JWT VC candidates (B.3) ----------------------------------------------------------------------


class _DisclosurePaths:
    """Each Disclosure's claim path in the processed payload (RFC 9901 §7.1), encoded -> path."""

    def __init__(self, sd_jwt: SdJwt) -> None:
        self.by_digest = {digest_of(d.encoded, sd_jwt.hash_name): d for d in sd_jwt.disclosures}
        self.paths: dict[str, ConcretePath] = {}
        self.walk(sd_jwt.payload, ())

    def walk(self, node: Any, path: ConcretePath) -> None:
        if isinstance(node, dict):
            self._object(node, path)
        elif isinstance(node, list):
            self._array(node, path)

    def _object(self, node: dict[str, Any], path: ConcretePath) -> None:
        for key, value in node.items():
            if key != "_sd":
                self.walk(value, (*path, key))
        for digest in node.get("_sd", []):
            found = self.by_digest.get(digest)
            if found is not None and found.name is not None:
                self.paths[found.encoded] = (*path, found.name)
                self.walk(found.value, (*path, found.name))

    def _array(self, node: list[Any], path: ConcretePath) -> None:
        index = 0
        for item in node:
            if isinstance(item, dict) and len(item) == 1 and "..." in item:
                found = self.by_digest.get(item["..."])
                if found is None:
                    continue  # a decoy or withheld element takes no index in the processed array
                self.paths[found.encoded] = (*path, index)
                self.walk(found.value, (*path, index))
            else:
                self.walk(item, (*path, index))
            index += 1


def sd_jwt_candidate(key: str, issued: str) -> DcqlCandidate:
    """A ``dc+sd-jwt`` candidate from an issued SD-JWT (all its Disclosures): the processed claims
    and the paths of its selectively disclosable claims. Raises MalformedError on a bad SD-JWT."""
    sd_jwt = parse_sd_jwt(issued)
    claims = process_disclosures(sd_jwt)  # validates every Disclosure, with the format's bounds
    return DcqlCandidate(key=key, format="dc+sd-jwt", claims=claims,
                         disclosable=frozenset(_DisclosurePaths(sd_jwt).paths.values()))


def sd_jwt_disclosures_for(issued: str, paths: Iterable[ConcretePath]) -> frozenset[str]:
    """The Disclosures (encoded) to present so that the claims at ``paths`` are disclosed: those on
    the way to each claim (an enclosing object or element that is itself disclosable) and those
    inside it (asking for an object asks for all of it). Nothing else is sent."""
    wanted = list(paths)
    keep = set()
    for encoded, where in _DisclosurePaths(parse_sd_jwt(issued)).paths.items():
        if any(where == p[:len(where)] or p == where[:len(p)] for p in wanted):
            keep.add(encoded)
    return frozenset(keep)


# -- W3C VC candidates (B.1) -------------------------------------------------------------------------

MAX_CLAIM_PATHS = 10_000  # claims of one credential listed as disclosable


def _expanded_types(credential: Mapping[str, Any]) -> frozenset[str]:
    """The top node's types as IRIs after its @context (JSON-LD expansion, bundled contexts only)."""
    from ._jsonld._canon import expand_safe

    try:
        expanded = expand_safe({k: v for k, v in credential.items() if k != "proof"})
    except SatchelError:
        return frozenset()  # a credential whose JSON-LD cannot be expanded matches by its written types only
    types = expanded[0].get("@type", []) if len(expanded) == 1 and isinstance(expanded[0], dict) else []
    return frozenset(t for t in types if isinstance(t, str))


def _claim_paths(node: Any, path: ConcretePath, out: set[ConcretePath]) -> None:
    if len(out) > MAX_CLAIM_PATHS:
        raise TooComplexError(f"the credential has more than {MAX_CLAIM_PATHS} claims")
    items: Iterable[tuple[str | int, Any]] = (
        node.items() if isinstance(node, dict) else enumerate(node) if isinstance(node, list) else ())
    for key, value in items:
        if path or key not in ("@context", "proof"):
            out.add((*path, key))
            _claim_paths(value, (*path, key), out)


def _pointer_path(pointer: str) -> ConcretePath:
    """RFC 6901 §4: a JSON pointer's reference tokens (array indexes as ints)."""
    parts = [p.replace("~1", "/").replace("~0", "~") for p in pointer.split("/")[1:]]
    return tuple(int(p) if p.isdigit() else p for p in parts)


def w3c_candidate(key: str, fmt: str, credential: Mapping[str, Any]) -> DcqlCandidate:
    """An ``ldp_vc`` or ``jwt_vc_json`` candidate from a W3C credential's JSON (a VC-JWT's ``vc``
    claim, or its VCDM 2.0 payload). ``types`` holds the written types and their expanded IRIs
    (B.1.1 asks for fully expanded types). One with an ecdsa-sd-2023 base proof lists as
    disclosable every claim not under one of its mandatory pointers (vc-di-ecdsa 1.0 §3.6.6)."""
    # imported when used: JSON-LD is heavy, and SD-JWT candidates (and their users) need none of it
    from ._proofs.ecdsa_sd_2023 import _sd_proof_of, has_sd_base_proof, parse_base_proof_value

    written = credential.get("type")
    terms = [written] if isinstance(written, str) else [t for t in written if isinstance(t, str)] \
        if isinstance(written, list) else []
    disclosable = None
    if fmt == "ldp_vc" and has_sd_base_proof(credential):
        mandatory = [_pointer_path(p) for p in parse_base_proof_value(_sd_proof_of(credential)["proofValue"])
                     .mandatory_pointers]
        every: set[ConcretePath] = set()
        _claim_paths(credential, (), every)
        # withholdable: not inside a mandatory claim, and not holding one
        disclosable = frozenset(p for p in every if not any(p[:len(m)] == m or m[:len(p)] == p for m in mandatory))
    return DcqlCandidate(key=key, format=fmt, claims=credential, disclosable=disclosable,
                         types=frozenset(terms) | _expanded_types(credential))
