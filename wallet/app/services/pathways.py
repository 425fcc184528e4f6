"""Pathways: what the badges held add up to (``..pathways.find_pathways``)."""

from __future__ import annotations

import asyncio

from wallet.store import StoreError

from ..badge_facts import badge_facts
from ..pathways import HeldBadge, Pathway, find_pathways
from .core import WalletCore


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

    def _find_pathways(self) -> list[Pathway]:
        held = [
            HeldBadge(record.id, badge_facts(record.credential, record.report), record.credential)
            for record in self.store.iter_credentials()
        ]
        return find_pathways(held)
