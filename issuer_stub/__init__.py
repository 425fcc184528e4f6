"""Satchel issuer stub: the issuing side of the credential lifecycle, for tests and demos.

It issues Open Badges 3.0 credentials (VCDM 2.0 + eddsa-rdfc-2022, VCDM 1.1 +
Ed25519Signature2020, VC-JWT, baked PNG / SVG), OB 2.0 hosted and signed assertions, keeps
Bitstring Status Lists, serves all of it over loopback HTTP and delivers credentials to a wallet
with OpenID for Verifiable Credential Issuance (pre-authorized code flow).
"""
