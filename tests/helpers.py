"""Small builders for tests: real keys, real signatures, documents served in memory; a wallet store
and its importer over the real loopback network (the issuer stub)."""

from __future__ import annotations

import json
import shutil
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

import httpx
import pytest
from cryptography.hazmat.primitives.asymmetric import ec, ed25519

from credentials._did import did_key_from_public_key
from credentials._net import Fetcher, make_client
from credentials._proofs import ProofOptions, add_proof

if TYPE_CHECKING:
    from wallet.importer import ImportService
    from wallet.store import Store

VC2 = "https://www.w3.org/ns/credentials/v2"
VC1 = "https://www.w3.org/2018/credentials/v1"
OB3 = "https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.3.json"
ED2020 = "https://w3id.org/security/suites/ed25519-2020/v1"


@dataclass(frozen=True)
class Signer:
    key: Any
    did: str

    @property
    def vm(self) -> str:
        return f"{self.did}#{self.did.removeprefix('did:key:')}"

    def sign(self, doc: dict, suite: str = "eddsa-rdfc-2022", **options: Any) -> dict:
        opts = ProofOptions(verification_method=options.pop("vm", self.vm), **options)
        return add_proof(doc, suite, self.key, opts)


def ed25519_signer() -> Signer:
    key = ed25519.Ed25519PrivateKey.generate()
    return Signer(key, did_key_from_public_key(key.public_key()))


def p256_signer() -> Signer:
    key = ec.generate_private_key(ec.SECP256R1())
    return Signer(key, did_key_from_public_key(key.public_key()))


def ob3_credential(issuer: str, subject: str = "did:example:learner", **extra: Any) -> dict:
    doc: dict[str, Any] = {
        "@context": [VC2, OB3],
        "id": "urn:uuid:8f5b7a3c-1d2e-4f60-9a7b-0c1d2e3f4a5b",
        "type": ["VerifiableCredential", "OpenBadgeCredential"],
        "issuer": {"id": issuer, "type": ["Profile"], "name": "Northside College"},
        "validFrom": "2025-01-01T00:00:00Z",
        "name": "Wound care basics",
        "credentialSubject": {
            "id": subject,
            "type": ["AchievementSubject"],
            "achievement": {
                "id": "https://example.edu/achievements/wound-care",
                "type": ["Achievement"],
                "name": "Wound care basics",
                "description": "Cleans and dresses simple wounds safely.",
                "criteria": {"narrative": "Passed the practical assessment."},
            },
        },
    }
    doc.update(extra)
    return doc


def memory_fetcher(documents: dict[str, Any]) -> Fetcher:
    """A fetcher whose web is a dict of URL -> JSON (through a real httpx client)."""

    def handler(request: httpx.Request) -> httpx.Response:
        url = str(request.url).split("#", 1)[0]
        if url not in documents:
            return httpx.Response(404)
        body = documents[url]
        return httpx.Response(200, content=body if isinstance(body, bytes) else json.dumps(body).encode())

    return Fetcher(make_client(httpx.MockTransport(handler)))


# -- a wallet ------------------------------------------------------------------------------------

PASSPHRASE = "a long enough passphrase"


def fast_kdf() -> Any:
    """Argon2id at its cheapest: for tests only (a real store's key takes a second to derive)."""
    from wallet.store import Argon2idParams

    return Argon2idParams(memory_kib=1024, iterations=1, lanes=1)


def holder_did(store: Store) -> str:
    """The DID of the store's default profile (the holder its presentations name)."""
    profile = store.default_profile()
    assert profile is not None
    return profile.did


def imported(store: Store, credential: dict[str, Any]) -> str:
    """A credential signed by a did:key issuer, imported and verified offline; its record id."""
    from wallet.importer import ImportService

    outcome = ImportService(store, lambda: Fetcher(None)).import_text(json.dumps(credential))
    assert outcome.id is not None, outcome.error
    return outcome.id


@contextmanager
def live_import_service(store: Store, clock: Callable[[], datetime] | None = None) -> Iterator[ImportService]:
    """The wallet's importer over the real loopback network (the issuer stub), offers included;
    ``clock`` is the importer's verification time (default: now)."""
    from credentials._net import GuardedTransport
    from wallet.importer import ImportService

    client = make_client(GuardedTransport(allow_loopback=True))
    try:
        yield ImportService(store, lambda: Fetcher(client), client=client, clock=clock)
    finally:
        client.close()


# -- interop tests: an independent implementation run with node ------------------------------------

NODE = shutil.which("node")
_REPO = Path(__file__).resolve().parent.parent


def node_package_skips(driver: Path, package: str) -> list[pytest.MarkDecorator]:
    """An interop module's ``pytestmark``: skipped, saying why, without node or without ``package``
    installed in ``driver``'s node_modules (``make interop-deps``)."""
    folder = driver.relative_to(_REPO)
    return [
        pytest.mark.skipif(NODE is None, reason=f"node is not installed (needed to run {package})"),
        pytest.mark.skipif(not (driver / "node_modules" / package).is_dir(),
                           reason=f"{folder}/node_modules is absent: run `make interop-deps` (npm ci --prefix "
                                  f"{folder})"),
    ]
