"""Share links, written by the wallet in the format the verifier's page reads (documented in
``credentials/_formats/share_links.py``; built with the engine's share-link pieces: relay_link, encrypt_for_relay…)::

    inline:  <base>/s#vp=<base64url(zlib(UTF-8 JSON))>         (or #vc= for one credential)
    relay:   <base>/s#r=<relay id>&k=<base64url(32-byte key)>

The fragment is never sent to a server (RFC 3986 §3.5), so the verifier's host learns nothing
from the link itself. base64url is RFC 4648 §5 without padding; zlib is RFC 1950.

A presentation too long for an inline link (> :data:`MAX_INLINE_LINK` characters) is encrypted
here with AES-256-GCM (NIST SP 800-38D: a fresh random 256-bit key per share, 96-bit random
nonce, no AAD) and stored as ``nonce || ciphertext+tag`` on the verifier's relay
(``POST /relay``); only the wallet and the link hold the key. The relay is told
``unshareHash = base64url(SHA-256(secret))`` of a random 256-bit secret that only the wallet keeps
(in the share history's sealed ``details``); ``DELETE /relay/<id>`` with ``Bearer <secret>``
withdraws it.

An inline link carries the presentation itself, so it cannot be recalled: it stops working when
its proof's ``expires`` passes (VC Data Integrity §2.1) *for verifiers that check it*. Ask for
``relay=True`` when the learner may want to unshare.
"""

from __future__ import annotations

import uuid
import zlib
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any, Literal
from urllib.parse import urlsplit

import httpx

from credentials import (
    MAX_INLINE_LINK,
    SHARE_PATH,
    b64url_encode,
    describe_http_error,
    encrypt_for_relay,
    new_unshare_secret,
    relay_link,
)
from wallet.store import ShareEntry, Store

from .errors import RelayError, UnshareError
from .presentation import present
from .qrcodec import compact_json

__all__ = ["MAX_INLINE_LINK", "ShareLink", "UnshareResult", "inline_link", "make_link", "record_shares",
           "share_link", "unshare"]


@dataclass(frozen=True)
class ShareLink:
    url: str
    share_id: str  # the first share-history entry (one per credential; they share a group)
    expires: datetime
    kind: Literal["inline", "relay"] = "relay"
    relay_id: str | None = None

    @property
    def revocable(self) -> bool:
        return self.kind == "relay"


@dataclass(frozen=True)
class UnshareResult:
    entries: tuple[ShareEntry, ...]  # the history entries now marked unshared
    recalled: bool  # True when the relay deleted the presentation; False for an inline link


def inline_link(base_url: str, doc: Mapping[str, Any], kind: Literal["vp", "vc"] = "vp") -> str:
    """``<base>/s#vp=…`` however long: the caller compares it with MAX_INLINE_LINK to choose the relay
    (``credentials.encode_inline_link`` refuses a link past it instead of saying how long it is)."""
    return f"{base_url.rstrip('/')}{SHARE_PATH}#{kind}={b64url_encode(zlib.compress(compact_json(doc), 9))}"


def _relay_error(resp: httpx.Response, what: str) -> RelayError:
    try:
        message = str(resp.json().get("message") or resp.text)
    except ValueError:
        message = resp.text[:200]
    return RelayError(f"The share relay refused to {what} (HTTP {resp.status_code}): {message}", resp.status_code)


def _post_to_relay(client: httpx.Client, base_url: str, blob: bytes, unshare_hash: str,
                   expires: datetime) -> str:
    body = {"ciphertext": b64url_encode(blob), "unshareHash": unshare_hash,
            "expires": expires.astimezone(UTC).isoformat(timespec="seconds").replace("+00:00", "Z")}
    try:
        resp = client.post(base_url.rstrip("/") + "/relay", json=body)
    except httpx.HTTPError as exc:
        raise RelayError(f"The share relay at {base_url} could not be reached: {describe_http_error(exc)}.") from None
    if resp.status_code != 201:
        raise _relay_error(resp, "store the link")
    relay_id = resp.json().get("id")
    if not isinstance(relay_id, str) or not relay_id:
        raise RelayError("The share relay answered without an id.")
    return relay_id


def record_shares(store: Store, credential_ids: Iterable[str], recipient: str, *, expires: datetime | None,
                  details: Mapping[str, Any]) -> list[ShareEntry]:
    """One history entry per credential, tied together by ``details["group"]``."""
    ids = list(dict.fromkeys(credential_ids))
    group = str(uuid.uuid4())
    common = {**details, "group": group, "credential_ids": ids}
    return [store.record_share(cid, recipient, expires_at=expires, details=common) for cid in ids]


def share_link(store: Store, credential_ids: Iterable[str], *, verifier_base_url: str,
               relay_client: httpx.Client | None, expires: datetime, recipient: str, profile_id: str | None = None,
               challenge: str | None = None, domain: str | None = None, relay: bool | None = None) -> ShareLink:
    """A link to the verifier's page showing a signed presentation of the credentials.

    Inline (``#vp=``) when it fits :data:`MAX_INLINE_LINK` and ``relay`` is not True; otherwise
    encrypted onto the relay (``#r=&k=``); ``relay=False`` refuses the relay. The proof's
    ``domain`` defaults to the verifier's host and its ``expires`` is the link's. Every
    credential's share is recorded in the history (``details["channel"] == "link"``).
    Raises RelayError, NoProfileError, NotPresentableError, ValueError.
    """
    return make_link(store, credential_ids, verifier_base_url=verifier_base_url, relay_client=relay_client,
                     expires=expires, recipient=recipient, profile_id=profile_id, challenge=challenge,
                     domain=domain, relay=relay, channel="link")


def make_link(store: Store, credential_ids: Iterable[str], *, verifier_base_url: str,
              relay_client: httpx.Client | None, expires: datetime, recipient: str, profile_id: str | None,
              challenge: str | None, domain: str | None, relay: bool | None, channel: str) -> ShareLink:
    if expires.tzinfo is None:
        raise ValueError("expires needs a time zone")
    if expires <= datetime.now(UTC):
        raise ValueError("expires is in the past")
    ids = list(dict.fromkeys(credential_ids))
    domain = domain if domain is not None else (urlsplit(verifier_base_url).hostname or None)
    vp = present(store, ids, profile_id=profile_id, challenge=challenge, domain=domain, expires=expires)
    assert isinstance(vp, dict)
    details: dict[str, Any] = {"channel": channel, "verifier": verifier_base_url.rstrip("/"), "domain": domain}
    url = inline_link(verifier_base_url, vp)
    if relay is not True and len(url) <= MAX_INLINE_LINK:
        entries = record_shares(store, ids, recipient, expires=expires, details={**details, "kind": "inline"})
        return ShareLink(url, entries[0].id, expires, "inline")
    if relay is False:
        raise ValueError(f"the inline link would be {len(url)} characters; it has to go through the relay")
    if relay_client is None:
        raise RelayError(f"This presentation is too long for a link on its own ({len(url)} characters), so it "
                         "goes through the share relay, and the wallet is offline. Share it as a QR code instead.")
    blob, key = encrypt_for_relay(vp)
    unshare_secret = new_unshare_secret()  # 256 random bits; the relay only ever sees its hash
    relay_id = _post_to_relay(relay_client, verifier_base_url, blob, unshare_secret.hash, expires)
    entries = record_shares(store, ids, recipient, expires=expires, details={
        **details, "kind": "relay", "relay_id": relay_id, "unshare_secret": unshare_secret.secret})
    return ShareLink(relay_link(verifier_base_url, relay_id, key), entries[0].id, expires, "relay", relay_id)


def _group(store: Store, share_id: str) -> list[ShareEntry]:
    shares = store.list_shares()
    found = next((e for e in shares if e.id == share_id), None)
    if found is None:
        raise UnshareError(f"No share {share_id} in this wallet's history.")
    group = found.details.get("group")
    return [e for e in shares if group is not None and e.details.get("group") == group] or [found]


def unshare(store: Store, share_id: str, relay_client: httpx.Client | None) -> UnshareResult:
    """Withdraw a share: delete a relay link's presentation (authenticated by the secret only this
    wallet holds) and mark every entry of that share in the history. An inline link or a QR code
    cannot be recalled: the history is marked and ``recalled`` is False."""
    entries = _group(store, share_id)
    first = entries[0]
    recalled = False
    if first.details.get("kind") == "relay":
        url = f"{first.details['verifier']}/relay/{first.details['relay_id']}"
        if relay_client is None:
            raise RelayError("Withdrawing a relay link needs the network, and the wallet is offline; "
                             "nothing was changed.")
        try:
            resp = relay_client.delete(url, headers={"Authorization": f"Bearer {first.details['unshare_secret']}"})
        except httpx.HTTPError as exc:
            raise RelayError(f"The share relay could not be reached to unshare: {describe_http_error(exc)}; "
                             "nothing was changed, try again.") from None
        if resp.status_code not in (204, 404):  # 404: already purged after it expired
            raise _relay_error(resp, "unshare")
        recalled = resp.status_code == 204
    marked = tuple(store.mark_unshared(e.id) for e in entries)
    return UnshareResult(marked, recalled)
