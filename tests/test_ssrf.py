"""No server-side request forgery through a URL a badge names (issue 4, "Network safety").

The transport under test is the engine's own :class:`GuardedTransport`; beneath it, where its
parent class (httpx.HTTPTransport) would open a connection, :class:`Wire` records the attempt
instead and answers only the routes a test gives it (a public host's redirect). Name lookups go
to a fake ``getaddrinfo`` (test hostnames map to chosen addresses; literals are parsed with
AI_NUMERICHOST, so no lookup leaves the machine) and ``socket`` connects are refused and
recorded, so a hole shows up as a recorded attempt, never as a real connection.
"""

from __future__ import annotations

import socket
from collections.abc import Callable, Iterator
from typing import Any

import httpx
import pytest

from credentials._net import Fetcher, GuardedTransport, make_client
from credentials._report import Status, VerificationReport
from credentials._verify import verify

PUBLIC = "151.101.1.69"  # a globally routable address: only ever "reached" through Wire's routes
HOSTS: dict[str, list[str]] = {
    "badges.public.test": [PUBLIC],
    "other.public.test": [PUBLIC],
    "internal.public.test": ["10.0.0.1"],
    "metadata.public.test": ["169.254.169.254"],
    "loop6.public.test": ["::1"],
    "mixed.public.test": [PUBLIC, "10.0.0.1"],  # one bad address is enough to refuse
    "localhost": ["127.0.0.1", "::1"],
}
PRIVATE_MARKERS = ("10.", "169.254.", "127.", "::1", "::ffff:", "fe80:", "fd00:", "0.0.0.0", "100.64.", "2002:")


class FakeDns:
    """``socket.getaddrinfo`` for tests: HOSTS, then numeric literals only; ``script`` gives a
    name a sequence of answers (DNS rebinding: public for the check, private for the connect)."""

    def __init__(self) -> None:
        self.real = socket.getaddrinfo
        self.lookups: list[str] = []
        self.script: dict[str, list[list[str] | None]] = {}

    def __call__(self, host: Any, port: Any, family: int = 0, type: int = 0, proto: int = 0,  # noqa: A002
                 flags: int = 0) -> list[Any]:
        name = host.decode() if isinstance(host, bytes) else str(host)
        self.lookups.append(name)
        if name in self.script and self.script[name]:
            answer = self.script[name].pop(0) if len(self.script[name]) > 1 else self.script[name][0]
            if answer is None:
                raise socket.gaierror(socket.EAI_AGAIN, "temporary failure (test)")
            return self._infos(answer, port)
        if name in HOSTS:
            return self._infos(HOSTS[name], port)
        try:
            return self.real(name, port, family, type, proto, flags | socket.AI_NUMERICHOST)
        except socket.gaierror:
            raise socket.gaierror(socket.EAI_NONAME, f"{name}: no such test host") from None

    @staticmethod
    def _infos(addresses: list[str], port: Any) -> list[Any]:
        out = []
        for a in addresses:
            fam = socket.AF_INET6 if ":" in a else socket.AF_INET
            addr = (a, int(port or 0), 0, 0) if fam == socket.AF_INET6 else (a, int(port or 0))
            out.append((fam, socket.SOCK_STREAM, socket.IPPROTO_TCP, "", addr))
        return out


class Wire(httpx.HTTPTransport):
    """Stands where httpx.HTTPTransport would connect: records the attempt, with the addresses a
    connection would have gone to (looked up again, as httpcore does), and answers from routes."""

    attempts: list[tuple[str, list[str]]]
    routes: dict[str, Callable[[httpx.Request], httpx.Response]]

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        host = request.url.host  # where the connection goes: the guard pins it to the checked address
        try:
            addresses = [info[4][0] for info in socket.getaddrinfo(host, request.url.port or 443)]
        except OSError:
            addresses = []
        name = request.extensions.get("sni_hostname", host)  # the name the request was made for
        url = str(request.url.copy_with(host=name))
        self.attempts.append((url, addresses))
        route = self.routes.get(url)
        if route is None:
            return httpx.Response(599, request=request)  # never a real connection
        return route(request)


class RecordingGuard(GuardedTransport, Wire):
    """GuardedTransport whose parent send path (``super().handle_request``) is :class:`Wire`."""

    def __init__(self, allow_loopback: bool = False) -> None:
        super().__init__(allow_loopback=allow_loopback)
        self.attempts = []
        self.routes = {}

    def redirect(self, url: str, to: str, status: int = 302) -> None:
        self.routes[url] = lambda req: httpx.Response(status, headers={"location": to}, request=req)

    def private_attempts(self) -> list[tuple[str, list[str]]]:
        return [(u, a) for u, a in self.attempts
                if not a or any(x.startswith(PRIVATE_MARKERS) for x in a)]


@pytest.fixture
def dns(monkeypatch: pytest.MonkeyPatch) -> Iterator[FakeDns]:
    fake = FakeDns()
    connects: list[Any] = []

    def refuse_connect(*args: Any, **kwargs: Any) -> Any:
        connects.append(args)
        raise OSError("test: no real connection may be made")

    monkeypatch.setattr(socket, "getaddrinfo", fake)
    monkeypatch.setattr(socket, "create_connection", refuse_connect)
    monkeypatch.setattr(socket.socket, "connect", lambda self, *a: refuse_connect(*a))
    yield fake
    assert connects == [], f"real connection attempts: {connects}"


def run(data: Any, guard: RecordingGuard) -> VerificationReport:
    with make_client(guard) as client:
        return verify(data, fetcher=Fetcher(client))


def assert_refused(report: VerificationReport, guard: RecordingGuard, why: str) -> str:
    assert report.problems == ("unreachable",), report.to_json()
    check = next(c for c in report.checks if c.problem == "unreachable")
    assert check.status == Status.COULD_NOT_CHECK
    assert why in check.message, check.message
    assert guard.private_attempts() == [], guard.attempts
    return check.message


PRIVATE = "private or local addresses are never fetched"
HTTPS_ONLY = "only https URLs are fetched"

REFUSED_HTTPS = [
    "https://10.0.0.1/badges/1",
    "https://169.254.169.254/latest/meta-data/iam/security-credentials/",
    "https://127.0.0.1/badge",
    "https://[::1]/badge",
    "https://localhost/badge",
    "https://internal.public.test/badge",       # a name that resolves to a private address
    "https://metadata.public.test/latest/",     # ... to the cloud metadata address
    "https://loop6.public.test/badge",          # ... to IPv6 loopback
    "https://mixed.public.test/badge",          # one public and one private address
    "https://[::ffff:10.0.0.1]/badge",          # IPv4-mapped IPv6
    "https://[::ffff:169.254.169.254]/latest/",
    "https://[fe80::1]/badge",
    "https://[fd00::1]/badge",
    "https://0.0.0.0/badge",
    "https://2130706433/badge",                 # 127.0.0.1 as one decimal number
    "https://0x7f000001/badge",                 # ... as hex
    "https://badges.public.test@169.254.169.254/latest/",  # userinfo: the host is the metadata address
    "https://192.168.1.1/badge",
    "https://172.16.0.1/badge",
]


@pytest.mark.parametrize("url", REFUSED_HTTPS)
def test_private_addresses_are_refused_without_a_connection(dns: FakeDns, url: str) -> None:
    guard = RecordingGuard()
    assert_refused(run(url, guard), guard, PRIVATE)
    assert guard.attempts == []


@pytest.mark.parametrize("url", ["http://169.254.169.254/latest/meta-data/", "http://10.0.0.1/badge",
                                 "http://127.0.0.1:8765/ob2/assertions/x", "http://badges.public.test/badge"])
def test_plain_http_is_refused_without_a_connection(dns: FakeDns, url: str) -> None:
    guard = RecordingGuard()
    assert_refused(run(url, guard), guard, HTTPS_ONLY)
    assert guard.attempts == [] and dns.lookups == []  # refused before any lookup


@pytest.mark.parametrize("url", ["https://10.0.0.1/badge", "https://169.254.169.254/latest/",
                                 "http://10.0.0.1/badge", "https://internal.public.test/badge"])
def test_allowing_loopback_allows_nothing_else(dns: FakeDns, url: str) -> None:
    guard = RecordingGuard(allow_loopback=True)
    report = run(url, guard)
    assert report.problems == ("unreachable",)
    assert guard.attempts == []


def test_userinfo_naming_a_private_address_does_not_redirect_the_request(dns: FakeDns) -> None:
    """``https://169.254.169.254@badges.public.test/`` goes to badges.public.test (the part
    before @ is a user name): allowed, and only the public host is asked."""
    guard = RecordingGuard()
    run("https://169.254.169.254@badges.public.test/badge", guard)
    assert [u for u, _ in guard.attempts] == ["https://169.254.169.254@badges.public.test/badge"]
    assert guard.private_attempts() == []


def test_a_hosted_badge_whose_id_is_private_is_refused(dns: FakeDns) -> None:
    """An OB 2.0 assertion pasted as JSON: its id (the hosted copy) is fetched — unless private."""
    guard = RecordingGuard()
    assertion = {"@context": "https://w3id.org/openbadges/v2", "type": "Assertion",
                 "id": "https://169.254.169.254/latest/meta-data/", "badge": "https://badges.public.test/b",
                 "recipient": {"type": "email", "hashed": False, "identity": "a@example.org"},
                 "verification": {"type": "hosted"}, "issuedOn": "2026-01-01T00:00:00Z"}
    report = run(assertion, guard)
    assert report.problems == ("unreachable",)
    check = report.check("ob2.hosted")
    assert check is not None and check.status == Status.COULD_NOT_CHECK and PRIVATE in check.message
    assert guard.attempts == []


@pytest.mark.parametrize("target", ["https://169.254.169.254/latest/meta-data/", "https://10.0.0.1/admin",
                                    "http://10.0.0.1/admin", "https://internal.public.test/x",
                                    "https://[::1]/x", "https://2130706433/x", "https://[::ffff:10.0.0.1]/x",
                                    "https://localhost/x"])
def test_a_redirect_chain_into_private_space_is_refused(dns: FakeDns, target: str) -> None:
    """A public URL that redirects (twice) towards a private address: every hop comes back
    through the guard; the public hops are asked, the private one never is."""
    guard = RecordingGuard()
    first, second = "https://badges.public.test/a/1", "https://other.public.test/b/2"
    guard.redirect(first, second, 301)
    guard.redirect(second, target, 302)
    report = run(first, guard)
    why = HTTPS_ONLY if target.startswith("http:") else PRIVATE
    message = assert_refused(report, guard, why)
    assert target.split("//", 1)[1].split("/", 1)[0].strip("[]") in message  # names the refused hop
    assert [u for u, _ in guard.attempts] == [first, second]


def test_a_hosted_badge_redirecting_into_private_space_is_refused(dns: FakeDns) -> None:
    guard = RecordingGuard()
    aid = "https://badges.public.test/assertions/1"
    guard.redirect(aid, "https://169.254.169.254/latest/meta-data/", 307)
    assertion = {"@context": "https://w3id.org/openbadges/v2", "type": "Assertion", "id": aid,
                 "badge": "https://badges.public.test/b", "verification": {"type": "hosted"},
                 "recipient": {"type": "email", "hashed": False, "identity": "a@example.org"},
                 "issuedOn": "2026-01-01T00:00:00Z"}
    report = run(assertion, guard)
    assert report.problems == ("unreachable",)
    check = report.check("ob2.hosted")
    assert check is not None and PRIVATE in check.message
    assert [u for u, _ in guard.attempts] == [aid]


def test_a_redirect_loop_stops(dns: FakeDns) -> None:
    guard = RecordingGuard()
    a, b = "https://badges.public.test/a", "https://other.public.test/b"
    guard.redirect(a, b)
    guard.redirect(b, a)
    report = run(a, guard)
    assert report.problems == ("unreachable",)
    assert len(guard.attempts) <= 4  # MAX_REDIRECTS + 1
    assert guard.private_attempts() == []


# -- holes that once were open: each test states what the guard does ------------


def test_dns_rebinding_between_check_and_connect(dns: FakeDns) -> None:
    dns.script["rebind.public.test"] = [[PUBLIC], ["169.254.169.254"]]
    guard = RecordingGuard()
    run("https://rebind.public.test/badge", guard)
    assert guard.private_attempts() == [], guard.attempts


def test_a_failed_lookup_at_check_time_is_not_a_pass(dns: FakeDns) -> None:
    dns.script["flaky.public.test"] = [None, ["10.0.0.1"]]
    guard = RecordingGuard()
    run("https://flaky.public.test/badge", guard)
    assert guard.attempts == [], guard.attempts


@pytest.mark.parametrize("url", ["https://100.64.0.1/badge", "https://[2002:a00:1::]/badge"])
def test_addresses_that_are_not_global_are_refused(dns: FakeDns, url: str) -> None:
    guard = RecordingGuard()
    run(url, guard)
    assert guard.attempts == [], guard.attempts


def test_a_relative_redirect_is_resolved_against_the_name_not_the_pinned_address(dns: FakeDns) -> None:
    guard = RecordingGuard()
    guard.redirect("https://badges.public.test/a", "/b")
    guard.routes["https://badges.public.test/b"] = lambda req: httpx.Response(200, json={"ok": 1}, request=req)
    with make_client(guard) as client:
        response = client.get("https://badges.public.test/a")
    assert response.status_code == 200
    assert str(response.request.url) == "https://badges.public.test/b"
    assert [u for u, _ in guard.attempts] == ["https://badges.public.test/a", "https://badges.public.test/b"]


@pytest.mark.parametrize("url", ["https://127.0.0.1/badge", "http://127.0.0.1:8765/ob2/assertions/x",
                                 "https://localhost/badge"])
def test_a_refused_loopback_url_names_this_computer_and_the_flag(dns: FakeDns, url: str) -> None:
    guard = RecordingGuard()
    report = run(url, guard)
    assert guard.attempts == []
    message = " ".join(c.message for c in report.checks if c.problem)
    assert "this computer" in message and "--allow-loopback" in message
    assert "RefusedError" not in message and "ConnectError" not in message
