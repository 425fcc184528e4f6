"""Issuer trust: is the issuer one the verifier knows?

A trust list is JSON in the shape of the Digital Credentials Consortium's issuer registry
(``{"meta": {...}, "registry": {"did:...": {"name", "url", "location"}}}``); a list of
``{"id", "name", ...}`` entries is accepted too. An issuer not on it is a warning
(``untrusted-issuer``), and its name is shown as what it is: self-asserted.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ._report import CheckId, CheckResult, passed, skipped, warning


@dataclass(frozen=True)
class TrustedIssuer:
    id: str
    name: str
    url: str | None = None
    location: str | None = None


@dataclass(frozen=True)
class TrustList:
    name: str
    issuers: tuple[TrustedIssuer, ...]

    def find(self, issuer_id: str) -> TrustedIssuer | None:
        return next((i for i in self.issuers if i.id == issuer_id), None)

    @classmethod
    def from_json(cls, doc: Any, name: str = "your trust list") -> TrustList:
        if not isinstance(doc, dict):
            raise ValueError("a trust list is a JSON object")
        found = doc.get("meta")
        meta: dict[str, Any] = found if isinstance(found, dict) else {}
        title = str(meta.get("name") or doc.get("name") or name)
        registry = doc.get("registry", doc.get("issuers", []))
        entries: list[TrustedIssuer] = []
        items = registry.items() if isinstance(registry, dict) else \
            ((e.get("id"), e) for e in registry if isinstance(e, dict)) if isinstance(registry, list) else []
        for ident, entry in items:
            if isinstance(ident, str) and isinstance(entry, dict):
                entries.append(TrustedIssuer(ident, str(entry.get("name", ident)),
                                             entry.get("url") if isinstance(entry.get("url"), str) else None,
                                             entry.get("location") if isinstance(entry.get("location"), str) else None))
        return cls(title, tuple(entries))

    @classmethod
    def load(cls, path: str | Path) -> TrustList:
        return cls.from_json(json.loads(Path(path).read_text(encoding="utf-8")), name=Path(path).name)


def self_asserted_name(doc: dict[str, Any]) -> str | None:
    issuer = doc.get("issuer")
    name = issuer.get("name") if isinstance(issuer, dict) else None
    return name if isinstance(name, str) and name.strip() else None


def check_issuer_trust(issuer_id: str, doc: dict[str, Any], trust: TrustList | None) -> CheckResult:
    claimed = self_asserted_name(doc)
    said = f'calls itself "{claimed}" (self-asserted)' if claimed else "gives no name"
    if trust is None:
        return skipped(CheckId.ISSUER_KNOWN, f"No trust list is set up. The issuer {said}.")
    known = trust.find(issuer_id)
    if known is None:
        return warning(CheckId.ISSUER_KNOWN, "untrusted-issuer",
                       f"The issuer is not in {trust.name}. It {said}; nobody vouches for that name.")
    where = f", {known.location}" if known.location else ""
    return passed(CheckId.ISSUER_KNOWN, f"Issued by {known.name}{where}, as listed in {trust.name}.")
