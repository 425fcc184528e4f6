"""The static document loader: bundled contexts, verified against their pinned sha256."""

from __future__ import annotations

import copy
import hashlib
import json
from functools import cache
from importlib import resources
from typing import Any

from .._errors import UnknownContextError


@cache
def _index() -> dict[str, dict[str, Any]]:
    raw = resources.files(__package__).joinpath("contexts/index.json").read_bytes()
    index: dict[str, dict[str, Any]] = json.loads(raw)
    return index


BUNDLED_CONTEXTS: frozenset[str] = frozenset(_index())


@cache
def _load(url: str) -> Any:
    entry = _index().get(url)
    if entry is None:
        raise UnknownContextError(url)
    raw = resources.files(__package__).joinpath("contexts", entry["file"]).read_bytes()
    if hashlib.sha256(raw).hexdigest() != entry["sha256"]:
        raise RuntimeError(f"bundled context {url} does not match its pinned sha256")
    return json.loads(raw)


def load_context(url: str) -> Any:
    """The bundled document for a context URL; :class:`UnknownContextError` if not bundled."""
    return _load(url)


def pyld_document_loader(url: str, options: Any = None) -> dict[str, Any]:
    """A pyld document loader that answers from the bundle and never touches the network.

    The document is a private copy (pyld rewrites relative scoped-context URLs in place), and
    it is tagged ``static`` so that pyld's context resolver caches the resolved context.
    """
    return {"contextUrl": None, "documentUrl": url, "document": copy.deepcopy(_load(url)),
            "tag": "static"}
