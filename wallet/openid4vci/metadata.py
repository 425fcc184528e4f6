"""§12.2 Credential Issuer Metadata and the Authorization Server Metadata (RFC 8414) the wallet needs."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit, urlunsplit

from wallet.import_input import ImportRefused, is_http_url

# What the wallet can receive and check (§12.2.4 / Appendix A): the format names of 1.0 and of draft 13.
SUPPORTED_FORMATS = ("ldp_vc", "jwt_vc_json", "jwt_vc", "dc+sd-jwt", "vc+sd-jwt")


@dataclass(frozen=True)
class Display:
    """§12.2.4 ``display``: a name and a logo the offer screen shows (in the first or English locale)."""

    name: str | None
    logo_uri: str | None
    logo_alt: str | None


@dataclass(frozen=True)
class Configuration:
    id: str
    format: str
    raw: Mapping[str, Any]
    display: Display


@dataclass(frozen=True)
class IssuerMetadata:
    credential_issuer: str
    raw: Mapping[str, Any]
    display: Display

    def endpoint(self, name: str, *, required: bool = True) -> str | None:
        value = self.raw.get(name)
        if isinstance(value, str) and is_http_url(value):
            return value
        if required:
            raise ImportRefused(f"The issuer's metadata has no usable {name.replace('_', ' ')}.")
        return None

    @property
    def batch_size(self) -> int:
        batch = self.raw.get("batch_credential_issuance")
        size = batch.get("batch_size") if isinstance(batch, dict) else None
        return size if isinstance(size, int) and not isinstance(size, bool) and size > 1 else 1

    def configuration(self, ids: tuple[str, ...]) -> Configuration:
        """The first offered configuration the issuer describes in a format the wallet reads."""
        supported = self.raw.get("credential_configurations_supported")
        if not isinstance(supported, dict) or not supported:
            raise ImportRefused("The issuer's metadata lists no credential configurations.")
        described = [(i, supported[i]) for i in ids if isinstance(supported.get(i), dict)]
        if not described:
            raise ImportRefused("The issuer's metadata does not describe the credential it offers.")
        for configuration_id, raw in described:
            if raw.get("format") in SUPPORTED_FORMATS:
                metadata = raw.get("credential_metadata")  # 1.0 puts display here; draft 13 at the top
                shown = metadata.get("display") if isinstance(metadata, dict) else raw.get("display")
                return Configuration(configuration_id, str(raw["format"]), raw, display_of(shown))
        formats = ", ".join(sorted({str(raw.get("format")) for _, raw in described}))
        raise ImportRefused(f"The issuer offers the credential as {formats}, which Satchel cannot receive "
                            "(it receives ldp_vc, jwt_vc_json and dc+sd-jwt).")


def parse_issuer_metadata(raw: dict[str, Any], issuer: str) -> IssuerMetadata:
    if raw.get("credential_issuer") != issuer:
        # §12.2.2: the metadata must be about the issuer the offer names, or it is not to be used.
        raise ImportRefused("The issuer's metadata names a different credential issuer than the offer.")
    servers = raw.get("authorization_servers")
    if servers is not None and (not isinstance(servers, list) or not all(isinstance(s, str) for s in servers)):
        raise ImportRefused("The issuer's metadata lists its authorization servers in a form Satchel cannot read.")
    return IssuerMetadata(issuer, raw, display_of(raw.get("display")))


def display_of(entries: Any) -> Display:
    if not isinstance(entries, list):
        return Display(None, None, None)
    usable = [e for e in entries if isinstance(e, dict)]
    english = [e for e in usable if str(e.get("locale", "en")).lower().startswith("en")]
    chosen = (english or usable or [{}])[0]
    logo: dict[str, Any] = chosen["logo"] if isinstance(chosen.get("logo"), dict) else {}
    uri = logo.get("uri") if isinstance(logo.get("uri"), str) and is_http_url(logo["uri"]) else None
    name = chosen.get("name") if isinstance(chosen.get("name"), str) else None
    alt = logo.get("alt_text") if isinstance(logo.get("alt_text"), str) else None
    return Display(name[:200] if name else None, uri, alt[:200] if alt else None)


def well_known(identifier: str, suffix: str) -> str:
    """RFC 8615 / OID4VCI §12.2.2: the well-known segment goes between the host and any path."""
    parts = urlsplit(identifier)
    path = parts.path.rstrip("/")
    return urlunsplit((parts.scheme, parts.netloc, f"/.well-known/{suffix}{path}", "", ""))


def authorization_server(metadata: IssuerMetadata, chosen: str | None) -> str:
    """§12.2.4 ``authorization_servers`` (the offer's choice among them), or the issuer itself."""
    servers = metadata.raw.get("authorization_servers")
    if isinstance(servers, list) and servers:
        server = chosen if chosen in servers else servers[0]
    else:
        server = metadata.credential_issuer
    if not isinstance(server, str) or not is_http_url(server):
        raise ImportRefused("The issuer names an authorization server that is not an http(s) URL.")
    return server
