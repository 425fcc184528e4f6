"""The stub's loopback HTTP server (stdlib ThreadingHTTPServer).

GET  /.well-known/did.json, /status/{revocation,suspension}, /ob2/..., /achievements/..., /images/...
GET  /.well-known/openid-credential-issuer, /.well-known/oauth-authorization-server
GET  /api/credentials[/<id>], /api/deferred, /api/notifications/<id>, /catalogue
GET  /offers/<code>[.png|.html], /authorize (the sign-in page)
POST /api/issue, /api/credentials/<id>/{revoke,suspend,reinstate}, /api/offers, /api/deferred/<id>/approve
POST /authorize, /token (form-encoded), /nonce, /credential, /deferred_credential, /notification (OpenID4VCI)

Errors are JSON ``{"error", "error_description"}`` (RFC 6749 §5.2 style) and change nothing.
Caching (RFC 9111): mutable documents (status lists, hosted assertions, revocation list) are
``no-cache`` with a strong ETag so clients revalidate; conditional GETs get 304.
"""

from __future__ import annotations

import base64
import json
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, unquote, urlsplit

from . import oid4vci, oid4vci_authorize
from .forms import json_bytes
from .issuer import FORMS, Issuer, Served, now_utc
from .oid4vci_book import OfferBook
from .state import IssuedRecord, StateError

MAX_BODY_BYTES = 64 * 1024
_MUTABLE_PREFIXES = ("/status/", "/ob2/assertions/", "/ob2/revocations", "/refresh/")


def record_json(record: IssuedRecord) -> dict[str, Any]:
    return {"id": record.id, "form": record.form, "achievement": record.achievement, "subject": record.subject,
            "statusListIndex": record.status_index, "issued": record.issued_at, "revoked": record.revoked,
            "suspended": record.suspended}


def artifact_json(record: IssuedRecord, content: bytes, media_type: str, extension: str) -> dict[str, Any]:
    out = {**record_json(record), "mediaType": media_type}
    if extension == "json":
        out["credential"] = json.loads(content)
    elif extension in ("jwt", "jws", "svg"):
        out["credential"] = content.decode("utf-8")
    else:
        out["contentBase64"] = base64.b64encode(content).decode("ascii")
    return out


class IssuerServer(ThreadingHTTPServer):
    daemon_threads = True

    def __init__(self, address: tuple[str, int], issuer_factory: Any) -> None:
        super().__init__(address, IssuerHandler)
        host, port = str(self.server_address[0]), int(self.server_address[1])
        self.base_url = f"http://{host}:{port}"
        self.issuer: Issuer = issuer_factory(self.base_url)
        self.write_lock = threading.Lock()
        self.offers = OfferBook(self.issuer.state)


class IssuerHandler(BaseHTTPRequestHandler):
    server: IssuerServer
    protocol_version = "HTTP/1.1"
    server_version = "SatchelIssuerStub/0.1"

    def log_message(self, format: str, *args: Any) -> None:  # noqa: A002 - stdlib signature
        pass

    # -- plumbing -----------------------------------------------------------------------------
    def _send(self, status: int, body: bytes, media_type: str, headers: dict[str, str] | None = None) -> None:
        self.send_response(status)
        self.send_header("Content-Type", media_type)
        self.send_header("Content-Length", str(len(body)))
        for name, value in (headers or {}).items():
            self.send_header(name, value)
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(body)

    def _json(self, status: int, doc: Any, headers: dict[str, str] | None = None) -> None:
        self._send(status, json_bytes(doc), "application/json", {"Cache-Control": "no-store", **(headers or {})})

    def _error(self, err: StateError) -> None:
        # A refused request's body may be unread: end the connection rather than parse it as the next request.
        self.close_connection = True
        self._json(err.status, {"error": err.code, "error_description": err.message}, {"Connection": "close"})

    def _body(self, *allowed_types: str) -> bytes:
        ctype = (self.headers.get("Content-Type") or "").split(";")[0].strip().lower()
        if ctype not in allowed_types:
            raise StateError(415, "unsupported_media_type",
                             f"send {' or '.join(allowed_types)}, not {ctype or 'nothing'}")
        length = self.headers.get("Content-Length")
        if length is None or not length.isdigit():
            raise StateError(411, "length_required", "a Content-Length header is required")
        if int(length) > MAX_BODY_BYTES:
            raise StateError(413, "body_too_large", f"the body is over {MAX_BODY_BYTES} bytes")
        return self.rfile.read(int(length))

    def _json_body(self) -> dict[str, Any]:
        raw = self._body("application/json")
        try:
            doc = json.loads(raw or b"{}")
        except (ValueError, RecursionError):
            raise StateError(400, "invalid_json", "the body is not JSON") from None
        if not isinstance(doc, dict):
            raise StateError(400, "invalid_request", "the body must be a JSON object")
        return doc

    def _bearer(self) -> str:
        auth = self.headers.get("Authorization") or ""
        if not auth.startswith("Bearer "):
            raise StateError(401, "invalid_token", "an Authorization: Bearer access token is required")
        return auth.removeprefix("Bearer ").strip()

    # -- GET ----------------------------------------------------------------------------------
    def do_HEAD(self) -> None:  # noqa: N802
        self.do_GET()

    def do_GET(self) -> None:  # noqa: N802
        path = unquote(urlsplit(self.path).path)
        issuer = self.server.issuer
        try:
            if path == "/.well-known/openid-credential-issuer":
                return self._json(200, oid4vci.issuer_metadata(issuer.base_url, self._logo_url()))
            if path == "/.well-known/oauth-authorization-server":
                return self._json(200, oid4vci.authorization_server_metadata(issuer.base_url))
            if path in ("/", "/catalogue"):
                return self._json(200, self._index())
            if path == "/api/credentials":
                return self._json(200, [record_json(r) for r in issuer.state.credentials()])
            if path.startswith("/api/credentials/"):
                return self._json(200, record_json(issuer.find(path.removeprefix("/api/credentials/"))))
            if path.startswith("/offers/"):
                return self._serve_offer(path.removeprefix("/offers/"))
            if path in ("/authorize", "/api/deferred") or path.startswith("/api/notifications/"):
                return self._get_oid4vci(path)
            served = issuer.document(path)
            if served is None:
                raise StateError(404, "not_found", f"nothing is served at {path}")
            self._serve_document(path, served)
        except StateError as err:
            self._error(err)

    def _index(self) -> dict[str, Any]:
        issuer = self.server.issuer
        return {"issuer": issuer.did, "baseUrl": issuer.base_url, "forms": list(FORMS),
                "achievements": {slug: a.name for slug, a in sorted(issuer.catalogue.items())},
                "didDocument": f"{issuer.base_url}/.well-known/did.json",
                "statusLists": [issuer.status_list_url(p) for p in ("revocation", "suspension")]}

    def _serve_document(self, path: str, served: Served) -> None:
        mutable = path.startswith(_MUTABLE_PREFIXES)
        headers = {"ETag": served.etag,
                   "Cache-Control": "no-cache" if mutable else "public, max-age=300"}
        if served.last_modified:
            from datetime import datetime
            from email.utils import format_datetime

            when = datetime.fromisoformat(served.last_modified.replace("Z", "+00:00"))
            headers["Last-Modified"] = format_datetime(when, usegmt=True)
        match = self.headers.get("If-None-Match")
        if match and served.etag in [m.strip() for m in match.split(",")]:
            self.send_response(304)
            for name, value in headers.items():
                self.send_header(name, value)
            self.send_header("Content-Length", "0")
            self.end_headers()
            return
        self._send(200, served.body, served.media_type, headers)

    def _logo_url(self) -> str | None:
        slugs = sorted(self.server.issuer.catalogue)
        return f"{self.server.issuer.base_url}/images/{slugs[0]}.png" if slugs else None

    def _serve_offer(self, name: str) -> None:
        """§4.1.3: the offer by reference (its JSON), or its QR code."""
        code, _, ext = name.partition(".")
        terms = self.server.offers.offer(code)
        if terms is None or ext not in ("", "png", "html"):
            raise StateError(404, "not_found", "no such offer")
        if terms.used or time.time() >= terms.expires_at:
            raise StateError(410, "offer_gone", "this offer was used or has expired")
        offer = oid4vci.offer_for(self.server.issuer.base_url, terms)
        if ext == "png":
            return self._send(200, offer.qr_png(), "image/png", {"Cache-Control": "no-store"})
        if ext == "html":
            name = self.server.issuer.achievement(terms.achievement).name
            return self._send(200, oid4vci.offer_page(offer, name), "text/html; charset=utf-8",
                              {"Cache-Control": "no-store"})
        self._json(200, offer.credential_offer)

    def _get_oid4vci(self, path: str) -> None:
        if path == "/authorize":
            return self._authorize_page()
        if path == "/api/deferred":
            return self._json(200, [oid4vci.deferred_json(self.server.offers, t)
                                    for t in self.server.offers.deferred_ids()])
        event = self.server.offers.notification(path.removeprefix("/api/notifications/"))
        if event is None:
            raise StateError(404, "not_found", "no such notification_id")
        self._json(200, {"event": event or None})

    def _authorize_page(self) -> None:
        query = {k: v[0] for k, v in parse_qs(urlsplit(self.path).query).items()}
        with self.server.write_lock:
            request, offer = oid4vci_authorize.start_authorization(self.server.offers, query, int(time.time()))
        name = self.server.issuer.achievement(offer.achievement).name
        self._send(200, oid4vci_authorize.consent_page(request, offer, name), "text/html; charset=utf-8",
                   {"Cache-Control": "no-store"})

    # -- POST ---------------------------------------------------------------------------------
    def do_POST(self) -> None:  # noqa: N802
        path = unquote(urlsplit(self.path).path)
        try:
            with self.server.write_lock:
                self._post(path)
        except StateError as err:
            self._error(err)

    def _post(self, path: str) -> None:
        issuer = self.server.issuer
        if path == "/api/issue":
            return self._issue(self._json_body())
        if path.startswith("/api/credentials/"):
            cred_id, _, action = path.removeprefix("/api/credentials/").rpartition("/")
            if action not in ("revoke", "suspend", "reinstate") or not cred_id:
                raise StateError(404, "not_found", f"no endpoint {path}")
            if self.headers.get("Content-Length", "0") != "0":
                self._json_body()  # no body, or a JSON one (ignored); anything else is refused
            return self._json(200, record_json(issuer.change_status(cred_id, action)))
        if path == "/api/offers":
            return self._make_offer(self._json_body())
        if path.startswith("/api/deferred/") and path.endswith("/approve"):
            transaction = self.server.offers.approve(path.removeprefix("/api/deferred/").removesuffix("/approve"))
            return self._json(200, {"transaction_id": transaction.transaction_id, "approved": True})
        self._post_oid4vci(path)

    def _make_offer(self, body: dict[str, Any]) -> None:
        issuer = self.server.issuer
        slug = str(body.get("achievement", ""))
        issuer.achievement(slug)
        offer = oid4vci.make_offer(self.server.offers, issuer.base_url, slug, oid4vci.parse_offer_options(body))
        self._json(201, {"pre-authorized_code": offer.code, "credential_offer": offer.credential_offer,
                         "credential_offer_uri": offer.uri, "offer_by_reference": offer.uri_by_reference,
                         "tx_code": offer.tx_code, "qr": f"{issuer.base_url}/offers/{offer.code}.png",
                         "page": f"{issuer.base_url}/offers/{offer.code}.html"})

    def _post_oid4vci(self, path: str) -> None:
        book, now = self.server.offers, int(time.time())
        if path == "/authorize":
            location = oid4vci_authorize.finish_authorization(book, self._form(), now)
            self.send_response(303)
            self.send_header("Location", location)
            self.send_header("Content-Length", "0")
            self.send_header("Cache-Control", "no-store")
            return self.end_headers()
        if path == "/token":
            return self._json(200, oid4vci.exchange_code(book, self._form(), now))
        if path == "/nonce":
            return self._json(200, oid4vci.new_nonce(book, now))
        if path == "/credential":
            token = oid4vci.valid_token(book, self._bearer(), now)
            status, answer = oid4vci.credential_response(book, self.server.issuer, token, self._json_body(),
                                                         now_utc())
            return self._json(status, answer)
        if path == "/deferred_credential":
            oid4vci.valid_token(book, self._bearer(), now)
            return self._json(*oid4vci.deferred_response(book, self.server.issuer, self._json_body(), now))
        if path == "/notification":
            return self._notification(now)
        raise StateError(404, "not_found", f"no endpoint {path}")

    def _form(self) -> dict[str, str]:
        raw = self._body("application/x-www-form-urlencoded")
        return {k: v[0] for k, v in parse_qs(raw.decode("utf-8", "replace")).items()}

    def _notification(self, now: int) -> None:
        """§11: the wallet says it kept (or deleted) what it received; the stub only acknowledges."""
        oid4vci.valid_token(self.server.offers, self._bearer(), now)
        body = self._json_body()
        if body.get("event") not in ("credential_accepted", "credential_failure", "credential_deleted") \
                or not isinstance(body.get("notification_id"), str):
            raise StateError(400, "invalid_notification_request", "event or notification_id is missing or unknown")
        self.server.offers.record_notification(body["notification_id"], body["event"])
        self.send_response(204)
        self.send_header("Content-Length", "0")
        self.end_headers()

    def _issue(self, body: dict[str, Any]) -> None:
        issuer = self.server.issuer
        slug, form = body.get("achievement"), body.get("form", "ob3-v2-eddsa-rdfc-2022")
        recipient = body.get("recipient")
        if not isinstance(slug, str) or not isinstance(form, str):
            raise StateError(400, "invalid_request", "achievement and form must be strings")
        if recipient is not None and not isinstance(recipient, str):
            raise StateError(400, "invalid_request", "recipient must be a DID or URL string")
        record, artifact = issuer.issue(slug, form, recipient, valid_from=_time_field(body, "validFrom"),
                                        valid_until=_time_field(body, "validUntil"))
        self._json(201, artifact_json(record, artifact.content, artifact.media_type, artifact.extension),
                   {"Location": f"{issuer.base_url}/api/credentials/{record.id}"})


def _time_field(body: dict[str, Any], name: str) -> Any:
    """An optional XSD dateTime in a request body (``validFrom`` / ``validUntil``)."""
    value = body.get(name)
    if value is None:
        return None
    from datetime import UTC, datetime

    try:
        return datetime.fromisoformat(str(value).replace("Z", "+00:00")).astimezone(UTC)
    except ValueError:
        raise StateError(400, "invalid_request", f"{name} is not a date-time") from None


def make_server(issuer_factory: Any, host: str = "127.0.0.1", port: int = 0) -> IssuerServer:
    return IssuerServer((host, port), issuer_factory)
