"""Share links: the format lives in the engine (:mod:`credentials.share_links`), the one
copy the wallet, the verifier page and ``satchel-verify`` all use; re-exported here for the
verifier's modules."""

from credentials import (
    MAX_INLINE_LINK,
    SHARE_PATH,
    LinkError,
    RelayRef,
    UnshareSecret,
    b64url_decode,
    b64url_encode,
    decode_link,
    decrypt_from_relay,
    encode_inline_link,
    encrypt_for_relay,
    is_share_link,
    new_unshare_secret,
    relay_fetch_url,
    relay_link,
    unshare_hash,
)
from credentials import (
    SHARE_KEY_BYTES as KEY_BYTES,
)
from credentials import (
    SHARE_NONCE_BYTES as NONCE_BYTES,
)

__all__ = [
    "KEY_BYTES", "MAX_INLINE_LINK", "NONCE_BYTES", "SHARE_PATH", "LinkError", "RelayRef", "UnshareSecret",
    "b64url_decode", "b64url_encode", "decode_link", "decrypt_from_relay", "encode_inline_link",
    "encrypt_for_relay", "is_share_link", "new_unshare_secret", "relay_fetch_url", "relay_link", "unshare_hash",
]
