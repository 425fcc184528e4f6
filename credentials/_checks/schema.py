"""Data schemas: a credential's ``credentialSchema`` entries (VCDM 2.0 §4.11 / 1.1 §5.4).

Each entry of type ``1EdTechJsonSchemaValidator2019`` (OB 3.0 / CLR 2.0), ``JsonSchema`` (VC JSON
Schema 1.0) or ``JsonSchemaValidator2018`` names a JSON Schema the credential must satisfy. Bundled
schemas (``credentials/_schemas/index.json``, pinned by sha256) are used without any fetch; any
other URL goes through the caller's :class:`~credentials._net.Fetcher`. A schema that cannot be had
is a warning (``schema-unavailable``), never a problem; failing an available schema is
``schema-invalid``.

JSON-LD compaction. OB 3.0 ("Serialization", compacted document form) lets ``proof``,
``credentialSchema``, ``termsOfUse`` and ``type`` hold a single value instead of a one-item list,
while the plain-JSON schemas published under ``/schema/json/`` want lists. A credential that fails
the plain schema only for that reason gets a warning (``schema-compacted``), as 1EdTech's own
validator does (a plain-JSON schema failure that the JSON-LD schema accepts is a warning there).
``COMPACTED_FORM_IS_WARNING = False`` makes it ``schema-invalid`` instead.

Bounds: $ref never leaves the bundled registry (no retrieval at all); schemas are compiled once
and cached; a fetched schema whose regular expressions could backtrack without end is not used;
documents too large or too deep are not checked (warning).
"""

from __future__ import annotations

import copy
import functools
import hashlib
import json
import re
from collections.abc import Iterator, Mapping, Sequence
from datetime import date
from importlib import resources
from itertools import islice
from typing import Any

import jsonschema
import referencing
import referencing.exceptions
from jsonschema import validators
from jsonschema.exceptions import ValidationError, best_match
from jsonschema.protocols import Validator
from referencing.jsonschema import DRAFT201909, specification_with

from .._errors import FetchError, MalformedError
from .._net import Fetcher
from .._report import CheckId, CheckResult, failed, passed, warning
from .dates import parse_datetime

CHECK_ID = CheckId.SCHEMA
SCHEMA_TYPES = frozenset({"1EdTechJsonSchemaValidator2019", "JsonSchema", "JsonSchemaValidator2018"})
COMPACTED_FORM_IS_WARNING = True
# OB 3.0 "Serialization": the properties JSON-LD compaction may turn from a list into one value.
COMPACTABLE = frozenset({"type", "proof", "credentialSchema", "termsOfUse"})

MAX_ENTRIES = 8             # credentialSchema entries looked at
MAX_NODES = 200_000         # JSON values in the credential
MAX_DEPTH = 64              # nesting of the credential
MAX_ERRORS = 200            # errors looked at to pick the one reported
MAX_WRAPS = 64              # compacted values read as lists
MAX_FETCHED_CACHE = 32      # compiled schemas from the network kept
MAX_PATTERN_INPUT = 10_000  # characters a fetched schema's pattern is matched against


class _Unusable(Exception):
    """The schema cannot be used (not JSON Schema, unsafe, unresolvable $ref)."""


# ---------------------------------------------------------------------------------------------
# bundled schemas and the offline registry


@functools.cache
def _bundled() -> Mapping[str, tuple[dict[str, Any], str]]:
    """{url: (schema, display name)} from the package data, sha256-checked."""
    pkg = resources.files("credentials._schemas")
    index = json.loads(pkg.joinpath("index.json").read_bytes())
    out: dict[str, tuple[dict[str, Any], str]] = {}
    for url, meta in index.items():
        raw = pkg.joinpath(meta["file"]).read_bytes()
        if hashlib.sha256(raw).hexdigest() != meta["sha256"]:
            raise RuntimeError(f"bundled schema {meta['file']} does not match its sha256")
        out[url] = (json.loads(raw), str(meta.get("name") or url))
    return out


def _no_retrieval(uri: str) -> referencing.Resource[Any]:
    raise referencing.exceptions.NoSuchResource(uri)


@functools.cache
def _registry() -> referencing.Registry[Any]:
    """Every bundled schema under its URL and its ``$id``; nothing is ever retrieved."""
    pairs: list[tuple[str, referencing.Resource[Any]]] = []
    for url, (schema, _) in _bundled().items():
        resource = specification_with(str(schema.get("$schema", "")), default=DRAFT201909).create_resource(schema)
        pairs.append((url, resource))
        sid = schema.get("$id")
        if isinstance(sid, str) and sid != url:
            pairs.append((sid, resource))
    registry: referencing.Registry[Any] = referencing.Registry(retrieve=_no_retrieval)  # type: ignore[call-arg]
    return registry.with_resources(pairs).crawl()


# ---------------------------------------------------------------------------------------------
# formats: only those that cannot falsely reject a real credential


def _is_date_time(value: object) -> bool:
    if not isinstance(value, str):
        return True
    try:
        parse_datetime(value, "date-time")
    except MalformedError:
        return False
    return True


def _is_date(value: object) -> bool:
    if not isinstance(value, str):
        return True
    if not re.fullmatch(r"\d{4}-\d{2}-\d{2}", value):
        return False
    try:
        date.fromisoformat(value)
    except ValueError:
        return False
    return True


_FORMATS = jsonschema.FormatChecker(formats=())
_FORMATS.checks("date-time")(_is_date_time)
_FORMATS.checks("date")(_is_date)


# ---------------------------------------------------------------------------------------------
# compiling


# A quantified group that itself holds a quantifier ((a+)+, (a|aa)*, (x{1,9})+ ...): the classic
# shape of catastrophic backtracking. Fetched schemas with one are not used.
_QUANT = r"(?:[+*]|\{\d+(?:,\d*)?\})"
_NESTED_QUANTIFIER = re.compile(r"\((?:[^()\\]|\\.)*(?:[+*?]|\{\d+(?:,\d*)?\})(?:[^()\\]|\\.)*\)\s*" + _QUANT)
_ALTERNATION_GROUP = re.compile(r"\((?:[^()\\]|\\.)*\|(?:[^()\\]|\\.)*\)\s*" + _QUANT)


def _walk_patterns(node: Any, depth: int = 0) -> Iterator[str]:
    if depth > MAX_DEPTH:
        raise _Unusable("it is nested too deeply")
    if isinstance(node, dict):
        for key, value in node.items():
            if key == "pattern" and isinstance(value, str):
                yield value
            elif key == "patternProperties" and isinstance(value, dict):
                yield from (k for k in value if isinstance(k, str))
            yield from _walk_patterns(value, depth + 1)
    elif isinstance(node, list):
        for item in node:
            yield from _walk_patterns(item, depth + 1)


def _check_patterns_safe(schema: Any) -> None:
    for pattern in _walk_patterns(schema):
        if len(pattern) > 1000 or _NESTED_QUANTIFIER.search(pattern) or _ALTERNATION_GROUP.search(pattern):
            raise _Unusable(f"its regular expression {pattern[:60]!r} could take unbounded time")
        try:
            re.compile(pattern)
        except re.error:
            raise _Unusable(f"its regular expression {pattern[:60]!r} is not valid") from None


def _bounded_pattern(validator: Validator, pattern: Any, instance: Any, schema: Any) -> Iterator[ValidationError]:
    if validator.is_type(instance, "string") and len(instance) <= MAX_PATTERN_INPUT \
            and not re.search(pattern, instance):
        yield ValidationError(f"{instance!r} does not match {pattern!r}")
    elif validator.is_type(instance, "string") and len(instance) > MAX_PATTERN_INPUT:
        yield ValidationError(f"the text is longer than {MAX_PATTERN_INPUT} characters")


def _compile(schema: Any) -> Validator:
    if not isinstance(schema, dict):
        raise _Unusable("it is not a JSON Schema object")
    try:
        cls = validators.validator_for(schema, default=jsonschema.Draft201909Validator)
    except Exception:
        raise _Unusable("it names a JSON Schema version Satchel does not know") from None
    cls = validators.extend(cls, {"pattern": _bounded_pattern})
    try:
        cls.check_schema(schema)
    except jsonschema.SchemaError as exc:
        raise _Unusable(f"it is not a valid JSON Schema ({exc.message[:120]})") from None
    except RecursionError:
        raise _Unusable("it is nested too deeply") from None
    return cls(schema, registry=_registry(), format_checker=_FORMATS)


@functools.cache
def _bundled_validator(url: str) -> Validator:
    return _compile(_bundled()[url][0])


_fetched: dict[str, Validator | _Unusable] = {}


def _fetched_validator(schema: Any) -> Validator:
    key = hashlib.sha256(json.dumps(schema, sort_keys=True).encode()).hexdigest()
    hit = _fetched.get(key)
    if isinstance(hit, _Unusable):
        raise hit
    if hit is not None:
        return hit
    try:
        _check_patterns_safe(schema)
        compiled: Validator | _Unusable = _compile(schema)
    except _Unusable as exc:
        compiled = exc
    if len(_fetched) >= MAX_FETCHED_CACHE:
        _fetched.pop(next(iter(_fetched)))
    _fetched[key] = compiled
    if isinstance(compiled, _Unusable):
        raise compiled
    return compiled


# ---------------------------------------------------------------------------------------------
# plain words


def _where(path: Sequence[Any]) -> str:
    out = ""
    for part in path:
        out += f"[{part}]" if isinstance(part, int) else (f".{part}" if out else str(part))
    return out or "the credential"


_KIND = {"array": "a list", "object": "an object", "string": "text", "integer": "a whole number",
         "number": "a number", "boolean": "true or false", "null": "null"}


def _kind(expected: Any) -> str:
    if isinstance(expected, list):
        return " or ".join(_KIND.get(str(e), str(e)) for e in expected)
    return _KIND.get(str(expected), str(expected))


def _short(value: Any) -> str:
    text = json.dumps(value, ensure_ascii=False) if not isinstance(value, str) else json.dumps(value)
    return text if len(text) <= 60 else text[:57] + "..."


def plain(error: ValidationError) -> str:
    """One validation error in plain words: where, and what is wrong."""
    where = _where(list(error.absolute_path))
    kw, want = error.validator, error.validator_value
    if kw == "required":
        missing = re.match(r"'([^']*)' is a required property", error.message)
        name = missing.group(1) if missing else "a required property"
        return f"{where} is missing \"{name}\""
    if kw == "type":
        return f"{where} should be {_kind(want)}"
    if kw in ("enum", "const"):
        allowed = want if isinstance(want, list) else [want]
        shown = ", ".join(_short(a) for a in allowed[:5]) + (", ..." if len(allowed) > 5 else "")
        return f"{where} is {_short(error.instance)}, which is not allowed (expected {shown})"
    if kw == "contains":
        item = want.get("enum", want.get("const", want)) if isinstance(want, dict) else want
        return f"{where} should include {_short(item)}"
    if kw == "minItems":
        return f"{where} should have at least {want} item{'s' if want != 1 else ''}"
    if kw == "format":
        return f"{where} is {_short(error.instance)}, which is not a valid {want}"
    if kw == "pattern":
        return f"{where} is {_short(error.instance)}, which is not in the required form"
    if kw in ("oneOf", "anyOf"):
        return f"{where} is not in any of the accepted forms"
    if kw == "additionalProperties":
        return f"{where} has properties the schema does not allow"
    return f"{where}: {error.message[:200]}"


# ---------------------------------------------------------------------------------------------
# JSON-LD compacted values


def _compacted_paths(errors: Sequence[ValidationError]) -> list[tuple[Any, ...]]:
    """Paths where a single value stands for a list the schema wants (a compactable property)."""
    found: list[tuple[Any, ...]] = []
    stack = list(errors)
    while stack and len(found) < MAX_WRAPS:
        err = stack.pop()
        path = tuple(err.absolute_path)
        if err.validator == "type" and err.validator_value == "array" and path \
                and path[-1] in COMPACTABLE and not isinstance(err.instance, list) and path not in found:
            found.append(path)
        stack.extend(err.context or ())
    return found


def _as_lists(doc: Any, paths: Sequence[tuple[Any, ...]]) -> Any:
    out = copy.deepcopy(doc)
    for path in sorted(paths, key=len, reverse=True):
        parent = out
        try:
            for part in path[:-1]:
                parent = parent[part]
            if not isinstance(parent[path[-1]], list):
                parent[path[-1]] = [parent[path[-1]]]
        except (KeyError, IndexError, TypeError):
            continue
    return out


# ---------------------------------------------------------------------------------------------
# the check


def _size_ok(doc: Any) -> bool:
    count = 0
    stack: list[tuple[Any, int]] = [(doc, 0)]
    while stack:
        node, depth = stack.pop()
        count += 1
        if count > MAX_NODES or depth > MAX_DEPTH:
            return False
        if isinstance(node, dict):
            stack.extend((v, depth + 1) for v in node.values())
        elif isinstance(node, list):
            stack.extend((v, depth + 1) for v in node)
    return True


def _errors(validator: Validator, doc: Any) -> list[ValidationError]:
    return list(islice(validator.iter_errors(doc), MAX_ERRORS))


def _as_vcdm2(doc: dict[str, Any]) -> dict[str, Any]:
    """The bundled Open Badges 3.0 schemas are written for VCDM 2.0: they require the 2.0
    context first and ``validFrom``. A VCDM 1.1 credential says the same with the 1.1 context and
    ``issuanceDate`` / ``expirationDate`` (VCDM 1.1 §4.6, §4.7; OB 3.0 was first built on 1.1),
    so its Open Badges data is checked under the 2.0 names."""
    ctx = doc.get("@context")
    if not isinstance(ctx, list) or not ctx or ctx[0] != "https://www.w3.org/2018/credentials/v1":
        return doc
    view = dict(doc)
    view["@context"] = ["https://www.w3.org/ns/credentials/v2", *ctx[1:]]
    for old, new in (("issuanceDate", "validFrom"), ("expirationDate", "validUntil")):
        if old in view and new not in view:
            view[new] = view[old]
    return view


def _one(entry: Any, doc: dict[str, Any], fetcher: Fetcher) -> CheckResult:
    """One ``credentialSchema`` entry: the credential checked against its schema, or why not."""
    if not isinstance(entry, dict) or not isinstance(entry.get("id"), str):
        return warning(CHECK_ID, "schema-unavailable",
                       "A credentialSchema entry has no schema URL, so its schema was not checked.")
    url, kind = entry["id"], entry.get("type")
    if kind not in SCHEMA_TYPES:
        return warning(CHECK_ID, "schema-unsupported",
                       f"The credential names a schema of a kind Satchel does not check ({_short(kind)}); "
                       f"it was not checked against {url}.")
    try:
        return _validate(url, doc, fetcher)
    except _Unusable as exc:
        return warning(CHECK_ID, "schema-unavailable",
                       f"The schema {url} could not be used ({exc}), so the credential was not checked against it.")
    except referencing.exceptions.Unresolvable as exc:
        ref = getattr(exc, "ref", "")
        return warning(CHECK_ID, "schema-unavailable",
                       f"The schema {url} refers to another schema ({ref}) that Satchel does not have, so the "
                       "credential was not checked against it.")
    except RecursionError:
        return warning(CHECK_ID, "schema-unavailable",
                       f"The schema {url} is nested too deeply to use, so the credential was not checked against it.")


def _validate(url: str, doc: dict[str, Any], fetcher: Fetcher) -> CheckResult:
    """The credential against the schema at ``url``: bundled (read as VCDM 2.0), else fetched."""
    bundled = _bundled().get(url)
    if bundled is not None:
        return _judge(_bundled_validator(url), f"{bundled[1]} schema", _as_vcdm2(doc))
    try:
        schema = fetcher.get_json(url)
    except FetchError:
        return warning(CHECK_ID, "schema-unavailable",
                       f"The schema {url} could not be obtained, so the credential was not checked against it.")
    validator = _fetched_validator(schema)
    title = schema.get("title") if isinstance(schema, dict) else None
    name = f"schema {url}" if not isinstance(title, str) else f"schema \u201c{title[:80]}\u201d ({url})"
    return _judge(validator, name, doc)


def _judge(validator: Validator, name: str, doc: Any) -> CheckResult:
    """Passed, a compacted-form warning (see the module's notes), or the error that matters most."""
    errors = _errors(validator, doc)
    if not errors:
        return passed(CHECK_ID, f"It follows the {name}.")
    paths = _compacted_paths(errors)
    if paths and COMPACTED_FORM_IS_WARNING:
        remaining = _errors(validator, _as_lists(doc, paths))
        if not remaining:
            names = ", ".join(sorted({_where(p) for p in paths})[:4])
            return warning(CHECK_ID, "schema-compacted",
                           f"It follows the {name} once JSON-LD compacted single values are read as lists "
                           f"({names}); Open Badges 3.0 allows that compacted form, but the plain JSON schema "
                           "wants lists.")
        errors = remaining  # the compacted values are not what is wrong: report what is
    best = best_match(errors)
    return failed(CHECK_ID, "schema-invalid", f"It does not follow the {name}: {plain(best) if best else '?'}.")


def check_schema(doc: dict[str, Any], fetcher: Fetcher) -> list[CheckResult]:
    """One result per ``credentialSchema`` entry; ``[]`` when the credential names none."""
    declared = doc.get("credentialSchema")
    if declared is None:
        return []
    entries = declared if isinstance(declared, list) else [declared]
    if not entries:
        return []
    if not _size_ok(doc):
        return [warning(CHECK_ID, "schema-unavailable",
                        "The credential is too large or too deeply nested to check against its schema.")]
    out = [_one(entry, doc, fetcher) for entry in entries[:MAX_ENTRIES]]
    if len(entries) > MAX_ENTRIES:
        out.append(warning(CHECK_ID, "schema-unavailable",
                           f"Only the first {MAX_ENTRIES} of {len(entries)} schemas were checked."))
    return out
