"""Pathways: what the badges held add up to, on the pathways their issuers publish
(``..pathways.find_pathways``).

A pathway document is fetched here, when the learner opens Pathways, never while a badge is being
verified; only through the app's one client (``network.new_fetcher()``: offline mode, the SSRF
guard, the sealed cache), and only from a URL on the badge issuer's own origin
(``credentials.pathway_document_urls``). If it cannot be had, the screen says so and shows the
parts the badges themselves name.
"""

from __future__ import annotations

import asyncio
from collections.abc import Mapping
from typing import Any
from urllib.parse import urlsplit

from credentials import Fetcher, FetchError, FetchRefusedError, MalformedError, Pathway, parse_pathway_document
from wallet.store import StoreError

from ..pathways import HeldBadge, ShownPathway, document_urls, find_pathways
from .core import WalletCore

MAX_DOCUMENTS = 12  # pathway documents fetched per visit: a wallet full of badges naming hosts is not a crawler


class Pathways(WalletCore):
    async def load_pathways(self) -> None:
        self.touch()
        pathways = self.state.pathways
        pathways.loading, pathways.error = True, ""
        try:
            found = await asyncio.to_thread(self._find_pathways)
        except StoreError as exc:
            pathways.loading, pathways.error = False, f"Your pathways could not be worked out: {exc}"
            return
        pathways.pathways = found
        pathways.loading = False

    def _find_pathways(self) -> list[ShownPathway]:
        held = [HeldBadge(record.id, record.credential, counts=_counts(record.report))
                for record in self.store.iter_credentials()]
        documents, unreachable = self._fetch_documents(document_urls(held)[:MAX_DOCUMENTS])
        return find_pathways(held, documents, unreachable)

    def _fetch_documents(self, urls: list[str]) -> tuple[dict[str, Pathway], dict[str, str]]:
        if not urls:
            return {}, {}
        return fetch_pathway_documents(self.network.new_fetcher(), urls)


def fetch_pathway_documents(fetcher: Fetcher, urls: list[str]) -> tuple[dict[str, Pathway], dict[str, str]]:
    """URL -> the pathway its document defines, and URL -> why it could not be had (in plain words)."""
    documents: dict[str, Pathway] = {}
    unreachable: dict[str, str] = {}
    for url in urls:
        host = urlsplit(url).netloc
        try:
            documents[url] = parse_pathway_document(fetcher.get_bytes(url), url=url)
        except FetchRefusedError:
            unreachable[url] = (f"Satchel is offline, so the issuer's full pathway ({host}) is not shown: "
                                "only the parts your badges name.")
        except FetchError as exc:
            unreachable[url] = (f"The issuer ({host}) could not be reached ({exc.reason}), so its full pathway "
                                "is not shown: only the parts your badges name. Try again later.")
        except MalformedError as exc:
            unreachable[url] = f"The issuer's pathway ({host}) could not be read: {exc}."
    return documents, unreachable


def _counts(report: Mapping[str, Any] | None) -> bool:
    """A badge earns its part unless its last check found a problem (revoked, tampered, expired)."""
    return not isinstance(report, Mapping) or report.get("verdict") != "invalid"
