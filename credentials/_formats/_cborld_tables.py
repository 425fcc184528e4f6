"""The fixed tables of CBOR-LD 1.0 (W3C draft https://w3c.github.io/cbor-ld/).

Every number here is on the wire: a table changed by one entry reads every code written with
the old one wrongly, so these are frozen. They follow the spec and the reference implementation
(github:digitalbazaar/cborld 8.1.0, lib/tables.js), which is what the Digital Credentials
Consortium's wallet and the W3C VC Barcodes codes are written with.
"""

from __future__ import annotations

from types import MappingProxyType
from typing import Final

# CBOR tags (§"CBOR Tags for CBOR-LD"; IANA CBOR tag 51997 = 0xcb1d): the 1.0 tag wraps
# [registryEntryId, payload]; the pre-1.0 range 0x0600-0x06ff carried the registry entry as a
# varint starting in the tag; the pre-1.0 singletons 0x0500 / 0x0501 mean "uncompressed" /
# "compressed with the legacy tables" (what @digitalcredentials/vpqr 2.x, and so the DCC
# Learner Credential Wallet, writes).
TAG_CBORLD_1_0: Final = 0xCB1D
TAG_LEGACY_RANGE_FIRST: Final = 0x0600
TAG_LEGACY_RANGE_LAST: Final = 0x06FF
TAG_LEGACY_UNCOMPRESSED: Final = 0x0500
TAG_LEGACY_COMPRESSED: Final = 0x0501

# Registry entry 0 is "no semantic compression", 1 the default compression with empty type
# tables (§"CBOR-LD Registry"). Other entries name type tables a processor must already
# hold; Satchel holds none of them, so reading one is refused with its number.
REGISTRY_UNCOMPRESSED: Final = 0
REGISTRY_DEFAULT: Final = 1

# JSON-LD keywords have fixed ids, even numbers, the odd neighbour meaning "the value is an
# array" (the draft's term codec map). Terms from contexts get ids from 100 up, two at a time.
KEYWORD_IDS: Final = MappingProxyType({
    "@context": 0, "@type": 2, "@id": 4, "@value": 6, "@direction": 8, "@graph": 10, "@included": 12,
    "@index": 14, "@json": 16, "@language": 18, "@list": 20, "@nest": 22, "@reverse": 24, "@base": 26,
    "@container": 28, "@default": 30, "@embed": 32, "@explicit": 34, "@none": 36, "@omitDefault": 38,
    "@prefix": 40, "@preserve": 42, "@protected": 44, "@requireAll": 46, "@set": 48, "@version": 50,
    "@vocab": 52, "@propagate": 54,
})
FIRST_TERM_ID: Final = 100

# The legacy registry of well-known strings (context URLs), the "context registry codes" of the
# pre-1.0 spec's §"Term Codec Registry" (https://digitalbazaar.github.io/cbor-ld-spec/): used for
# @context values, @id/@type values and untyped strings in the legacy-singleton format (0x0501).
LEGACY_STRING_IDS: Final = MappingProxyType({
    "https://www.w3.org/ns/activitystreams": 16,
    "https://www.w3.org/2018/credentials/v1": 17,
    "https://www.w3.org/ns/did/v1": 18,
    "https://w3id.org/security/suites/ed25519-2018/v1": 19,
    "https://w3id.org/security/suites/ed25519-2020/v1": 20,
    "https://w3id.org/cit/v1": 21,
    "https://w3id.org/age/v1": 22,
    "https://w3id.org/security/suites/x25519-2020/v1": 23,
    "https://w3id.org/veres-one/v1": 24,
    "https://w3id.org/webkms/v1": 25,
    "https://w3id.org/zcap/v1": 26,
    "https://w3id.org/security/suites/hmac-2019/v1": 27,
    "https://w3id.org/security/suites/aes-2019/v1": 28,
    "https://w3id.org/vaccination/v1": 29,
    "https://w3id.org/vc-revocation-list-2020/v1": 30,
    "https://w3id.org/dcc/v1": 31,
    "https://w3id.org/vc/status-list/v1": 32,
    "https://www.w3.org/ns/credentials/v2": 33,
    "https://w3id.org/security/data-integrity/v1": 48,
    "https://w3id.org/security/multikey/v1": 49,
    "https://purl.imsglobal.org/spec/ob/v3p0/context.json": 50,
    "https://w3id.org/security/data-integrity/v2": 51,
})

# Legacy typed table for the cryptosuite of a Data Integrity proof.
CRYPTOSUITE_TYPE: Final = "https://w3id.org/security#cryptosuiteString"
LEGACY_CRYPTOSUITE_IDS: Final = MappingProxyType({
    "ecdsa-rdfc-2019": 1, "ecdsa-sd-2023": 2, "eddsa-rdfc-2022": 3, "ecdsa-xi-2023": 4,
})

# URL codecs: an encoded URL is an array whose first element names its scheme.
SCHEME_HTTP: Final = 1
SCHEME_HTTPS: Final = 2
SCHEME_UUID_URN: Final = 3
SCHEME_DATA: Final = 4
SCHEME_DID_V1_NYM: Final = 1024
SCHEME_DID_KEY: Final = 1025
SCHEME_PREFIXES: Final = MappingProxyType({
    SCHEME_HTTP: "http://", SCHEME_HTTPS: "https://", SCHEME_UUID_URN: "urn:uuid:", SCHEME_DATA: "data:",
    SCHEME_DID_V1_NYM: "did:v1:nym:", SCHEME_DID_KEY: "did:key:",
})

# The type-table names: "context" for @context values, "url" for @id / @type / @vocab-typed
# values, "none" for untyped values, else the JSON-LD @type of the term (an absolute IRI).
MULTIBASE_TYPE: Final = "https://w3id.org/security#multibase"
XSD_DATE: Final = "http://www.w3.org/2001/XMLSchema#date"
XSD_DATETIME: Final = "http://www.w3.org/2001/XMLSchema#dateTime"

# Which tables write their ids as CBOR byte strings rather than integers, so a table id never
# collides with a plain integer or a term id: "url" joined that set in 1.0.
LEGACY_BYTES_TABLES: Final = frozenset({"none", XSD_DATE, XSD_DATETIME})
BYTES_TABLES: Final = LEGACY_BYTES_TABLES | {"url"}


def legacy_type_tables() -> dict[str, MappingProxyType[str, int]]:
    """The legacy-singleton format's type tables (one shared string table)."""
    return {"context": LEGACY_STRING_IDS, "url": LEGACY_STRING_IDS, "none": LEGACY_STRING_IDS,
            CRYPTOSUITE_TYPE: LEGACY_CRYPTOSUITE_IDS}


def default_type_tables() -> dict[str, MappingProxyType[str, int]]:
    """Registry entry 1: the core tables, all empty."""
    empty: MappingProxyType[str, int] = MappingProxyType({})
    return {"context": empty, "url": empty, "none": empty}
