"""An Open Badge as an SD-JWT VC (RFC 9901, draft-ietf-oauth-sd-jwt-vc), issued over OpenID4VCI.

The issuer signs with its did:web P-256 key (ES256, ``kid`` a DID URL, §3.5 of the SD-JWT VC draft:
a DID ``iss``); the holder key the wallet proved goes in ``cnf.jwk`` (RFC 7800). What a learner may
choose to hide is concealed: the achievement's description and criteria, their own name.
"""

from __future__ import annotations

import time
import uuid
from typing import TYPE_CHECKING, Any

from credentials import Concealed, issue_sd_jwt

from .keys import P256_FRAGMENT
from .state import IssuedRecord

if TYPE_CHECKING:
    from .issuer import Issuer

SD_JWT_VC_FORM = "dc+sd-jwt"
SD_JWT_VCT = "https://satchel.example/vct/open-badge"
VALIDITY_SECONDS = 365 * 24 * 3600


def issue_sd_jwt_vc(issuer: Issuer, slug: str, holder_jwk: dict[str, Any]) -> str:
    achievement = issuer.achievement(slug)
    now = int(time.time())
    uid = f"urn:uuid:{uuid.uuid4()}"
    claims: dict[str, Any] = {
        "iss": issuer.did, "vct": SD_JWT_VCT, "jti": uid, "iat": now, "nbf": now, "exp": now + VALIDITY_SECONDS,
        "cnf": {"jwk": holder_jwk},
        "issuer": {"id": issuer.did, "name": issuer.profile()["name"]},
        "achievement": {"name": achievement.name, "achievementType": achievement.achievement_type,
                        "image": f"{issuer.base_url}/images/{slug}.png",
                        "description": Concealed(achievement.description),
                        "criteria": Concealed(achievement.criteria)},
    }
    header = {"alg": "ES256", "typ": "dc+sd-jwt", "kid": issuer.keys.method(P256_FRAGMENT)}
    issued = issue_sd_jwt(claims, issuer.keys.p256_key, header)
    issuer.state.record_credential(IssuedRecord(uid, SD_JWT_VC_FORM, slug, None, None,
                                                time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(now)), issued,
                                                False, False))
    return issued
