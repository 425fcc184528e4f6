from __future__ import annotations

from dataclasses import dataclass
from typing import Any

VERIFICATION_RELATIONSHIPS = ("assertionMethod", "authentication", "capabilityInvocation",
                              "capabilityDelegation", "keyAgreement")


@dataclass(frozen=True)
class VerificationMethod:
    """A public key and who controls it, as its controller document describes it."""

    id: str
    type: str
    controller: str
    public_key: Any  # a cryptography public key object (Ed25519, EC or RSA)
    # verification relationships (assertionMethod, authentication, ...) for which the
    # controller document lists this method (DID Core §5.3).
    relationships: frozenset[str]
