"""The authorization code flow in the system browser (OID4VCI 1.0 §5, RFC 8252 native apps).

The wallet makes a PKCE verifier and its S256 challenge (RFC 7636 §4.1-4.2), listens on a loopback
port for the redirect (RFC 8252 §7.3: ``http://127.0.0.1:<port>/callback``, any free port, and only
for this one answer), opens the issuer's authorization page in the learner's browser, and takes
the code from the redirect once its ``state`` is the one sent (RFC 6749 §10.12, CSRF).
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
import threading
from collections.abc import Callable
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, HTTPServer
from typing import Any
from urllib.parse import parse_qs, urlsplit

from credentials import b64url_encode
from wallet.import_input import ImportRefused, sentence

SIGN_IN_TIMEOUT_SECONDS = 300.0
CALLBACK_PATH = "/callback"
_DONE_PAGE = (b"<!doctype html><meta charset='utf-8'><title>Satchel</title>"
              b"<p style='font-family:sans-serif'>You can close this tab and go back to Satchel.</p>")


@dataclass(frozen=True)
class Pkce:
    verifier: str
    challenge: str


def new_pkce() -> Pkce:
    """RFC 7636 §4.1: 32 random bytes, base64url (43 characters); §4.2 S256 challenge."""
    verifier = secrets.token_urlsafe(32)
    return Pkce(verifier, b64url_encode(hashlib.sha256(verifier.encode("ascii")).digest()))


@dataclass(frozen=True)
class Callback:
    """What the browser brought back to the listener: the query of the redirect."""

    params: dict[str, str]


class _Listener(HTTPServer):
    def __init__(self) -> None:
        super().__init__(("127.0.0.1", 0), _CallbackHandler)
        self.answered = threading.Event()
        self.callback: Callback | None = None


class _CallbackHandler(BaseHTTPRequestHandler):
    server: _Listener

    def log_message(self, format: str, *args: Any) -> None:  # noqa: A002 - stdlib signature
        pass

    def do_GET(self) -> None:  # noqa: N802
        parts = urlsplit(self.path)
        if parts.path != CALLBACK_PATH or self.server.answered.is_set():
            self.send_response(404)
            self.send_header("Content-Length", "0")
            self.end_headers()
            return
        self.server.callback = Callback({k: v[0] for k, v in parse_qs(parts.query).items()})
        self.send_response(200)
        self.send_header("Content-Type", "text/html; charset=utf-8")
        self.send_header("Content-Length", str(len(_DONE_PAGE)))
        self.end_headers()
        self.wfile.write(_DONE_PAGE)
        self.server.answered.set()


class LoopbackRedirect:
    """One redirect URI on 127.0.0.1, good for one answer; use it as a context manager."""

    def __init__(self) -> None:
        self._server = _Listener()
        self._thread = threading.Thread(target=self._server.serve_forever, name="oid4vci-callback", daemon=True)

    @property
    def uri(self) -> str:
        return f"http://127.0.0.1:{self._server.server_address[1]}{CALLBACK_PATH}"

    def __enter__(self) -> LoopbackRedirect:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._server.shutdown()
        self._server.server_close()
        self._thread.join(timeout=5)

    def wait(self, timeout: float) -> Callback:
        if not self._server.answered.wait(timeout) or self._server.callback is None:
            raise ImportRefused("The sign-in with the issuer did not come back to Satchel in time; try again.")
        return self._server.callback


def code_from_callback(callback: Callback, expected_state: str) -> str:
    """RFC 6749 §4.1.2: the code, once ``state`` matches; an error answer is said in one sentence."""
    state = callback.params.get("state", "")
    if not hmac.compare_digest(state.encode(), expected_state.encode()):
        raise ImportRefused("The sign-in answer did not carry the request's state, so Satchel ignored it "
                            "(it may not come from your sign-in).")
    if "error" in callback.params:
        detail = callback.params.get("error_description") or callback.params["error"]
        raise ImportRefused(sentence(f"The issuer did not authorize the credential: {detail}"))
    code = callback.params.get("code")
    if not code:
        raise ImportRefused("The sign-in answer carried no authorization code.")
    return code


BrowserOpener = Callable[[str], object]


def default_browser(url: str) -> object:
    import webbrowser

    if not webbrowser.open(url):
        raise ImportRefused(f"Satchel could not open a browser; open this address to sign in: {url}")
    return True
