"""``satchel-issuer sample --out DIR``: one file per issued form, plus revoked / suspended /
expired variants and a ``web.json`` mapping every URL they need to files in DIR, so that
``satchel-verify --offline --documents DIR/web.json`` checks them with no server."""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

from .catalogue import Achievement
from .issuer import DEFAULT_BASE_URL, FORMS, Issuer, default_validity_for_expired
from .state import State

SAMPLE_ACHIEVEMENT = "donning-doffing-ppe"
# Forms whose sample is of another achievement: the CLR bundles the stacked pathway.
SAMPLE_ACHIEVEMENT_OF = {"clr-v2-eddsa-rdfc-2022": "psw-foundations"}
# Which forms get which variants (status variants need a form that names a status list).
REVOKABLE = ("ob3-v2-eddsa-rdfc-2022", "ob3-v2-1edtech-revocation-list", "ob3-v1-ed25519signature2020",
             "ob3-v1-statuslist2021",
             "ob3-vc-jwt", "ob3-vc-jose",
             "ob2-hosted", "ob2-signed")
SUSPENDABLE = ("ob3-v2-eddsa-rdfc-2022", "ob3-v1-ed25519signature2020", "ob3-vc-jwt")
EXPIRABLE = ("ob3-v2-eddsa-rdfc-2022", "ob3-v1-ed25519signature2020", "ob3-vc-jwt", "ob3-vc-jose",
             "ob2-hosted", "ob2-signed")


@dataclass(frozen=True)
class SampleFile:
    name: str
    form: str
    variant: str  # "", "revoked", "suspended", "expired"


def _file_name(form: str, variant: str, slug: str | None = None) -> str:
    f = FORMS[form]
    stem = f.stem + (f"-{slug}" if slug else "")
    return f"{stem}{'-' + variant if variant else ''}.{f.extension}"


def write_sample(out: Path, base_url: str = DEFAULT_BASE_URL,
                 catalogue: dict[str, Achievement] | None = None) -> list[SampleFile]:
    out.mkdir(parents=True, exist_ok=True)
    issuer = Issuer(State(":memory:"), base_url, catalogue)
    written: list[SampleFile] = []

    def emit(form: str, variant: str = "", slug: str = SAMPLE_ACHIEVEMENT, name_slug: str | None = None) -> str:
        kwargs = {}
        if variant == "expired":
            start, end = default_validity_for_expired(issuer.clock())
            kwargs = {"valid_from": start, "valid_until": end}
        record, artifact = issuer.issue(slug, form, **kwargs)  # type: ignore[arg-type]
        name = _file_name(form, variant, name_slug)
        (out / name).write_bytes(artifact.content)
        written.append(SampleFile(name, form, variant))
        return record.id

    for form in FORMS:
        emit(form, slug=SAMPLE_ACHIEVEMENT_OF.get(form, SAMPLE_ACHIEVEMENT))
    # The stacked certificate, so testers see the "related" micro-credentials.
    emit("ob3-v2-eddsa-rdfc-2022", name_slug="psw-foundations", slug="psw-foundations")
    for form in REVOKABLE:
        issuer.change_status(emit(form, "revoked"), "revoke")
    for form in SUSPENDABLE:
        issuer.change_status(emit(form, "suspended"), "suspend")
    for form in EXPIRABLE:
        emit(form, "expired")
    write_documents(issuer, out)
    return written


def write_documents(issuer: Issuer, out: Path) -> None:
    """Every document the issuer hosts, under DIR/documents, and DIR/web.json mapping their URLs to them."""
    web: dict[str, str] = {}
    docs = out / "documents"
    for path in issuer.hosted_paths():
        served = issuer.document(path)
        if served is None:
            continue
        local = Path("documents") / (path.strip("/").replace("/", "_").replace(".well-known_", "well-known_")
                                     or "index")
        if not local.suffix:
            local = local.with_suffix(".json")
        (out / local).parent.mkdir(parents=True, exist_ok=True)
        (out / local).write_bytes(served.body)
        web[issuer.base_url + path] = str(local)
    docs.mkdir(exist_ok=True)
    (out / "web.json").write_text(json.dumps(web, indent=1, sort_keys=True) + "\n", encoding="utf-8")
