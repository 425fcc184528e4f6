"""The app's work without the screens: verify what was given, keep history, run the request flow.

One :class:`VerifierEngine` per app process (all browser tabs share it). Verification uses the
engine in :mod:`credentials` with a fetcher made per verification: local documents
(``--documents``), then the on-disk cache in the data directory, then the network, unless
offline mode is on, when only the cache and local documents answer and the status check says
"status as of <when the copy was fetched>".

The request flow (:class:`RequestFlow`) uses the verifier service's exchange API: a configured
service (``--service URL``), or one started inside this process on 127.0.0.1 with its challenge
store (:mod:`verifier.store`) in the data directory.
"""

from __future__ import annotations

import json
import threading
from dataclasses import dataclass, replace
from datetime import datetime
from typing import TYPE_CHECKING, Any

import httpx

from credentials import (
    CheckId,
    DiskCache,
    Fetcher,
    LocalDocuments,
    MalformedError,
    TrustList,
    VerificationReport,
    describe_http_error,
    embed_badge_class,
    enveloped_jwt,
    make_client,
    verify,
    warning,
)
from verifier.history import Entry, History, fingerprint_of

from .intake import Given, IntakeError, jwt_claims, read_fragment, read_image, read_text
from .settings import AppSettings

if TYPE_CHECKING:
    from scan import CameraChoice

__all__ = ["CacheAge", "Given", "IntakeError", "RequestFlow", "VerifierEngine", "answer_record"]


@dataclass(frozen=True)
class CacheAge:
    documents: int
    oldest: datetime | None
    newest: datetime | None


class VerifierEngine:
    def __init__(self, settings: AppSettings, history: History | None = None) -> None:
        self.settings = settings
        settings.home.mkdir(parents=True, exist_ok=True)
        self.history = history or History.open(settings.home)
        self.cache_dir = settings.home / "cache" / "documents"
        self.documents = LocalDocuments.from_file(settings.documents) if settings.documents else None
        self.trust = TrustList.load(settings.trust) if settings.trust else None
        self.offline = settings.offline
        self._client: httpx.Client | None = None
        self._lock = threading.Lock()
        self._request_service: Any = None

    # -- network ----------------------------------------------------------------------------------
    def _http(self) -> httpx.Client:
        with self._lock:
            if self._client is None:
                from credentials import GuardedTransport

                self._client = make_client(GuardedTransport(allow_loopback=self.settings.allow_loopback))
            return self._client

    def fetcher(self, offline: bool | None = None) -> Fetcher:
        """A fresh fetcher per verification (a status list must not be remembered across them).
        ``offline`` (a tab's switch) overrides the start-up setting."""
        off = self.offline if offline is None else offline
        return Fetcher(None if off else self._http(), documents=self.documents,
                       cache=DiskCache(self.cache_dir))

    def fetch_relay(self, url: str) -> bytes:
        if self.offline:
            raise OSError("offline mode is on; a relay link needs the network")
        service = self.request_base_url(start=False)
        client = service_client() if service and url.startswith(service + "/") else self._http()
        try:
            resp = client.get(url)
        except httpx.HTTPError as exc:
            raise OSError(f"the relay did not answer: {describe_http_error(exc)}") from None
        finally:
            if client is not self._client:
                client.close()
        if resp.status_code == 410:
            raise OSError("the holder has stopped sharing it, or the link has expired")
        if resp.status_code != 200:
            raise OSError(f"the relay answered HTTP {resp.status_code}")
        return resp.content

    def find_cameras(self, max_index: int = 4) -> list[CameraChoice]:
        """The cameras that open, then the settings' extra source (``SATCHEL_CAMERA_SOURCE``), if any.
        Probing takes a moment per device: call it off the UI thread. Raises ImportError without OpenCV."""
        import scan

        return scan.find_cameras(max_index, extra=scan.camera_choice(self.settings.camera_source))

    def cache_age(self) -> CacheAge:
        """How many issuer documents are kept for offline use, and how old they are."""
        times: list[datetime] = []
        for f in self.cache_dir.glob("*.json") if self.cache_dir.is_dir() else []:
            try:
                times.append(datetime.fromisoformat(json.loads(f.read_text(encoding="utf-8"))["fetched_at"]))
            except (OSError, ValueError, KeyError, TypeError):
                continue
        return CacheAge(len(times), min(times) if times else None, max(times) if times else None)

    # -- verification -----------------------------------------------------------------------------
    def read_text(self, text: str) -> Given:
        return read_text(text, fetch_relay=self.fetch_relay)

    def read_image(self, data: bytes) -> Given:
        return read_image(data, fetch_relay=self.fetch_relay)

    def check(self, given: Given, *, challenge: str | None = None, domain: str | None = None,
              offline: bool | None = None) -> VerificationReport:
        fetcher = self.fetcher(offline)
        report = verify(given.data, fetcher=fetcher, challenge=challenge, domain=domain, trust=self.trust)
        if report.format.startswith("ob2") and report.credential is not None:
            # what the screen, history and reports read: the BadgeClass and issuer the check just
            # fetched (the fetcher answers from memory), not their URLs
            report = replace(report, credential=embed_badge_class(report.credential, fetcher))
        if challenge is None and report.format.startswith("vp"):
            report = replace(report, checks=(*report.checks, warning(
                CheckId.REQUEST_CHALLENGE, "no-challenge",
                "It was not made for a request of yours (no challenge), so it could be a copy of an earlier "
                "presentation. Use Ask to be sure it is live.")))
        return report

    def verify_given(self, given: Given, source: str, *, offline: bool | None = None, fingerprint: str = "") -> Entry:
        """Verify and record; ``fingerprint`` names what was submitted (shown with its result)."""
        return self.history.add(self.check(given, offline=offline), source, fingerprint=fingerprint)

    def verify_text(self, text: str, source: str, *, offline: bool | None = None) -> Entry:
        """Read and verify pasted or scanned text; raises :class:`IntakeError` for unreadable input."""
        return self.verify_given(self.read_text(text), source, offline=offline, fingerprint=fingerprint_of(text))

    def verify_fragment(self, fragment: str, *, offline: bool | None = None) -> Entry:
        """Verify the share link the web app was opened with (its fragment; see
        :func:`~verifier.app.intake.share_fragment`). Raises :class:`IntakeError` for a bad link."""
        given = read_fragment(fragment, relay_base=self.settings.service_url, fetch_relay=self.fetch_relay)
        return self.verify_given(given, "link", offline=offline, fingerprint=fingerprint_of(fragment))

    def verify_image(self, data: bytes, source: str = "image", *, offline: bool | None = None) -> Entry:
        return self.verify_given(self.read_image(data), source, offline=offline, fingerprint=fingerprint_of(data))

    # -- request flow -----------------------------------------------------------------------------
    def request_base_url(self, *, start: bool = True) -> str | None:
        if self.settings.service_url:
            return self.settings.service_url.rstrip("/")
        with self._lock:
            if self._request_service is None and start:
                self._request_service = _LocalService(self.settings)
            return self._request_service.base_url if self._request_service else None

    def new_request(self, ttl: float = 600.0, *, openid4vp: bool = False) -> RequestFlow:
        """A request on the service: our VC-API exchange, or an OpenID4VP 1.0 request any wallet reads."""
        base = self.request_base_url()
        assert base is not None
        return RequestFlow.create_openid4vp(base, ttl) if openid4vp else RequestFlow.create(base, ttl)

    def record_answer(self, answer: dict[str, Any], presented: Any) -> Entry:
        given = json.dumps(presented, sort_keys=True) if presented is not None else ""
        return self.history.add(answer_record(answer, presented), "request",
                                fingerprint=fingerprint_of(given) if given else "")

    def close(self) -> None:
        with self._lock:
            if self._client is not None:
                self._client.close()
                self._client = None
            if self._request_service is not None:
                self._request_service.close()
                self._request_service = None
        self.history.close()


def _client_name(request: dict[str, Any]) -> str:
    """The verifier's name as a request carries it (OpenID4VP 1.0 §5.1 client_metadata, RFC 7591 client_name)."""
    metadata = request.get("client_metadata")
    name = metadata.get("client_name") if isinstance(metadata, dict) else None
    return name if isinstance(name, str) else ""


class _LocalService:
    """`satchel-verifier serve` inside this process, on 127.0.0.1, for the request flow."""

    def __init__(self, settings: AppSettings) -> None:
        from verifier.service import ServiceConfig, VerifierServer, VerifierService

        config = ServiceConfig(data_dir=settings.home / "service", port=0, offline=settings.offline,
                               documents=settings.documents, name=settings.organisation)
        self.service = VerifierService(config)
        self.server = VerifierServer(("127.0.0.1", 0), self.service)
        self.base_url = self.service.base_url
        self._thread = threading.Thread(target=self.server.serve_forever, kwargs={"poll_interval": 0.25},
                                        name="request-service", daemon=True)
        self._thread.start()

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()
        self.service.close()


def answer_record(answer: dict[str, Any], presented: Any) -> dict[str, Any]:
    """The service's answer with the presented documents attached, as :func:`record_of` makes them."""
    rec = {k: v for k, v in answer.items() if k not in ("verified", "errors", "verifiablePresentation")}
    vp = presented
    if isinstance(presented, dict) and isinstance(presented.get("jwt"), str):
        vp = jwt_claims(presented["jwt"]).get("vp", {})
    if isinstance(vp, dict):
        rec["document"] = vp
        items = vp.get("verifiableCredential", [])
        items = items if isinstance(items, list) else [items]
        docs: list[Any] = []
        for item in items:
            if isinstance(item, str):
                item = jwt_claims(item).get("vc", {})
            elif isinstance(item, dict) and item.get("type") == "EnvelopedVerifiableCredential":
                try:
                    jwt = enveloped_jwt(item)
                except MalformedError:
                    jwt = None
                item = jwt_claims(jwt).get("vc", {}) if jwt else {}
            docs.append(item)
        creds = rec.get("credentials", [])
        if isinstance(creds, list):
            rec["credentials"] = [{**c, "document": d} if isinstance(c, dict) and isinstance(d, dict) else c
                                  for c, d in zip(creds, docs, strict=False)]
    return rec


def service_client() -> httpx.Client:
    """A client for the verifier's own service: the operator's configured address (loopback or the
    LAN included), so not the SSRF-guarded client used for what credentials name."""
    return make_client(httpx.HTTPTransport(retries=1))


@dataclass
class RequestFlow:
    """One request: its QR URL, and polling for the wallet's answer."""

    base_url: str
    exchange_id: str
    url: str
    poll_token: str
    challenge: str
    domain: str
    expires: str
    asker: str = ""  # the name wallets are shown as asking (client_metadata.client_name); "" when none is set

    @staticmethod
    def _made(base_url: str, path: str, ttl: float) -> dict[str, Any]:
        with service_client() as client:
            resp = client.post(f"{base_url}{path}", json={"ttl": ttl})
        if resp.status_code != 201:
            raise OSError(f"the verifier service refused a new request (HTTP {resp.status_code})")
        made: dict[str, Any] = resp.json()
        return made

    @classmethod
    def create(cls, base_url: str, ttl: float = 600.0) -> RequestFlow:
        body = cls._made(base_url, "/exchanges", ttl)
        req = body["verifiablePresentationRequest"]
        return cls(base_url, body["exchangeId"], body["url"], body["pollToken"], req["challenge"], req["domain"],
                   body["expires"], _client_name(req))

    @classmethod
    def create_openid4vp(cls, base_url: str, ttl: float = 600.0) -> RequestFlow:
        """An OpenID4VP 1.0 request (DCQL, signed by the service's did:key, encrypted answer): the
        ``openid4vp://`` link, polled like an exchange (its nonce is the challenge, client_id the domain)."""
        body = cls._made(base_url, "/openid4vp/requests", ttl)
        req = body["authorizationRequest"]
        return cls(base_url, body["exchangeId"], body["url"], body["pollToken"], req["nonce"], body["clientId"],
                   body["expires"], _client_name(req))

    def poll(self) -> tuple[str, dict[str, Any] | None]:
        """``(state, result)``: state is pending / verifying / complete / expired."""
        with service_client() as client:
            resp = client.get(f"{self.base_url}/exchanges/{self.exchange_id}",
                              headers={"Authorization": f"Bearer {self.poll_token}"})
        if resp.status_code != 200:
            return "gone", None
        body = resp.json()
        return str(body.get("state", "pending")), body.get("result")
