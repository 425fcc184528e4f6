"""``satchel-issuer``: init, issue (to a file, or as an OpenID4VCI offer link + QR), revoke /
suspend / reinstate, serve, sample, catalogue."""

from __future__ import annotations

import argparse
import json
import sys
from datetime import UTC, datetime
from pathlib import Path

from .catalogue import DEFAULT_CATALOGUE, CatalogueError, load_catalogue
from .issuer import DEFAULT_BASE_URL, FORMS, Issuer
from .state import State, StateError

DEFAULT_STATE = Path(".satchel-issuer")


def _issuer(args: argparse.Namespace, base_url: str | None = None) -> Issuer:
    return Issuer(State.in_dir(args.state), base_url, load_catalogue(args.catalogue))


def cmd_init(args: argparse.Namespace) -> int:
    issuer = _issuer(args, f"http://{args.host}:{args.port}")
    print(json.dumps({"state": str(args.state), "baseUrl": issuer.base_url, "did": issuer.did,
                      "didKey": issuer.keys.did_key}, indent=2))
    return 0


def _parse_time(value: str | None) -> datetime | None:
    return None if value is None else datetime.fromisoformat(value.replace("Z", "+00:00")).astimezone(UTC)


def cmd_issue(args: argparse.Namespace) -> int:
    issuer = _issuer(args)
    if args.offer:
        return _make_offer(args, issuer)
    record, artifact = issuer.issue(args.achievement, args.form, args.recipient,
                                    valid_from=_parse_time(args.valid_from), valid_until=_parse_time(args.valid_until))
    out = Path(args.out or f"{FORMS[args.form].stem}-{record.id.rsplit(':', 1)[-1].rsplit('/', 1)[-1]}"
               f".{artifact.extension}")
    out.write_bytes(artifact.content)
    named = None if args.form in NO_SUBJECT_DID_FORMS else record.subject
    print(json.dumps({"id": record.id, "form": record.form, "file": str(out), "recipient": named}))
    note = _recipient_note(args, record.subject)
    if note:
        print(note, file=sys.stderr)
    return 0


# Forms whose credentialSubject is not the learner's DID: OB 2.0 names the learner by a hashed
# email (OB 2.0 §IdentityObject), an endorsement's subject is the thing endorsed (OB 3.0 §8.4).
NO_SUBJECT_DID_FORMS = frozenset(name for name in FORMS if name.startswith("ob2")) | {"ob3-endorsement"}


def _state_option(args: argparse.Namespace) -> str:
    return "" if args.state == DEFAULT_STATE else f" --state {args.state}"


def _recipient_note(args: argparse.Namespace, subject: str | None) -> str:
    """Issued without --recipient: the badge names the stub's demo learner, whom no wallet holds, so
    every share of it is refused (the verifier's holder-mismatch). Say so, and how to issue to a wallet."""
    if args.form.startswith("ob2"):
        return ("note: an Open Badges 2.0 badge names its learner by a hashed email address (learner@example.org), "
                "not a DID; a wallet keeps it but cannot present it as the holder's own.")
    if args.recipient is not None or args.form in NO_SUBJECT_DID_FORMS:
        return ""
    state = _state_option(args)
    return (f"note: no --recipient was given, so this badge was issued to the stub's demo learner ({subject}), "
            "not to a wallet. A wallet imports it as genuine, but a verifier refuses it whenever that wallet "
            "shares it (holder-mismatch: it names someone else).\n"
            "To issue to a wallet instead:\n"
            f"  satchel-issuer{state} issue {args.achievement} --recipient DID    "
            "(the wallet's DID: satchel-wallet profiles)\n"
            f"  or, with satchel-issuer{state} serve running: satchel-issuer{state} issue {args.achievement} --offer"
            "    (the wallet redeems the offer link for its own DID)")


def _make_offer(args: argparse.Namespace, issuer: Issuer) -> int:
    """OID4VCI 1.0 §4.1: the offer link (by value, or --by-reference); its tx_code, if any, is printed
    apart, for the issuer to give the learner another way (§4.1.1: never in the link itself)."""
    from . import oid4vci
    from .oid4vci_book import OfferBook

    issuer.achievement(args.achievement)
    options = oid4vci.OfferOptions(configuration_id=oid4vci.CONFIGURATIONS[OFFER_FORMATS.index(args.format)],
                                   grant="authorization_code" if args.sign_in else "pre-authorized_code",
                                   tx_code=args.tx_code, deferred=args.deferred)
    offer = oid4vci.make_offer(OfferBook(issuer.state), issuer.base_url, args.achievement, options)
    print(offer.uri_by_reference if args.by_reference else offer.uri)
    if args.out:
        Path(args.out).write_bytes(offer.qr_png())
        print(f"QR code written to {args.out}", file=sys.stderr)
    if offer.tx_code:
        print(f"transaction code for the learner (give it to them apart from the link): {offer.tx_code}",
              file=sys.stderr)
    print(f"the offer's page (its QR code and any transaction code): {issuer.base_url}/offers/{offer.code}.html",
          file=sys.stderr)
    if args.deferred:
        print(f"deferred: once the wallet has asked, {issuer.base_url}/api/deferred lists it; deliver it with  "
              f"curl -X POST {issuer.base_url}/api/deferred/TRANSACTION_ID/approve", file=sys.stderr)
    print(_offer_note(args, issuer.base_url), file=sys.stderr)
    return 0


OFFER_FORMATS = ("ldp_vc", "jwt_vc_json", "dc+sd-jwt")  # in the order of oid4vci.CONFIGURATIONS


def _offer_note(args: argparse.Namespace, base_url: str) -> str:
    """OID4VCI 1.0 pre-authorized code flow: the wallet redeems the link at the running stub, which
    issues the badge to the DID of the wallet's key proof (§8.2)."""
    return (f"Give this link to the wallet while satchel-issuer{_state_option(args)} serve answers at {base_url}; "
            "it is redeemed once, and the badge is issued to the wallet's own DID:\n"
            "  satchel-wallet import --allow-loopback --offer LINK    (or the app: Import, Redeem an issuer offer)")


def cmd_status(args: argparse.Namespace) -> int:
    record = _issuer(args).change_status(args.credential_id, args.command)
    print(json.dumps({"id": record.id, "revoked": record.revoked, "suspended": record.suspended}))
    return 0


def cmd_serve(args: argparse.Namespace) -> int:
    from .server import make_server

    state = State.in_dir(args.state)
    catalogue = load_catalogue(args.catalogue)
    stored = state.get_meta("base_url")
    port = args.port if args.port is not None else int(stored.rsplit(":", 1)[1]) if stored else 8765

    def factory(base_url: str) -> Issuer:
        if stored and stored != base_url:
            print(f"note: the issuer's did:web changes from {stored} to {base_url}; credentials issued "
                  "before will not resolve their key here", file=sys.stderr)
        return Issuer(state, base_url, catalogue)

    server = make_server(factory, args.host, port)
    print(f"Satchel issuer stub listening on {server.base_url} as {server.issuer.did}", flush=True)
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        pass
    finally:
        server.server_close()
        state.close()
    return 0


def cmd_sample(args: argparse.Namespace) -> int:
    from .sample import write_sample

    files = write_sample(Path(args.out), args.base_url, load_catalogue(args.catalogue))
    print(f"wrote {len(files)} credentials and web.json to {args.out}")
    return 0


def cmd_catalogue(args: argparse.Namespace) -> int:
    for slug, ach in sorted(load_catalogue(args.catalogue).items()):
        print(f"{slug}\t{ach.name}" + (f"\t(stacks {', '.join(ach.stacks)})" if ach.stacks else ""))
    return 0


def build_parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="satchel-issuer", description="Satchel's issuer stub (loopback only).")
    p.add_argument("--state", type=Path, default=DEFAULT_STATE,
                   help="state directory (SQLite + keys; default: %(default)s)")
    p.add_argument("--catalogue", type=Path, default=DEFAULT_CATALOGUE,
                   help="achievement descriptions, a JSON file (default: the bundled catalogue)")
    sub = p.add_subparsers(dest="command", required=True)
    init = sub.add_parser("init", help="create keys and identities")
    init.add_argument("--host", default="127.0.0.1",
                      help="host of the issuer's base URL and did:web (default: %(default)s)")
    init.add_argument("--port", type=int, default=8765,
                      help="port of the issuer's base URL and did:web (default: %(default)s)")
    init.set_defaults(func=cmd_init)
    issue = sub.add_parser(
        "issue", help="issue a credential to a file, or as an offer (--offer)",
        formatter_class=argparse.RawDescriptionHelpFormatter,
        description="Issue a credential to a file, or make an OpenID4VCI offer link a wallet redeems.",
        epilog="To issue a badge a wallet can share, name the wallet's DID (--recipient; `satchel-wallet profiles` "
               "shows it)\nor make an offer (--offer, with `satchel-issuer serve` running): the wallet redeems it "
               "for its own DID.\nWithout either, the badge goes to the stub's demo learner, and a verifier refuses "
               "it when a wallet\nshares it (holder-mismatch).")
    issue.add_argument("achievement", help="the achievement's slug in the catalogue (see: catalogue)")
    issue.add_argument("--form", choices=list(FORMS), default="ob3-v2-eddsa-rdfc-2022",
                       help="the credential's form: format, securing and status method (default: %(default)s)")
    issue.add_argument("--recipient", metavar="DID",
                       help="the learner's DID, e.g. the wallet's (satchel-wallet profiles); default: the stub's demo "
                            "learner, whom no wallet holds")
    issue.add_argument("--valid-from", help="start of the validity period, ISO 8601 (default: now)")
    issue.add_argument("--valid-until", help="end of the validity period, ISO 8601 (default: none)")
    issue.add_argument("--offer", action="store_true", help="print an OpenID4VCI offer link; --out writes its QR")
    issue.add_argument("--format", choices=OFFER_FORMATS, default="ldp_vc",
                       help="with --offer: the credential format offered (default: %(default)s)")
    issue.add_argument("--tx-code", choices=("numeric", "text"),
                       help="with --offer: the wallet must also enter a transaction code, printed here")
    issue.add_argument("--sign-in", action="store_true",
                       help="with --offer: an authorization code offer; the learner signs in in their browser")
    issue.add_argument("--deferred", action="store_true",
                       help="with --offer: the credential is delivered later, once approved (deferred issuance)")
    issue.add_argument("--by-reference", action="store_true",
                       help="with --offer: print a credential_offer_uri link instead of the offer by value")
    issue.add_argument("--out", help="file to write (default: named after the form and the id, in the "
                       "current folder); with --offer, the QR code's PNG")
    issue.set_defaults(func=cmd_issue)
    for action in ("revoke", "suspend", "reinstate"):
        sp = sub.add_parser(action, help=f"{action} an issued credential")
        sp.add_argument("credential_id", help="the issued credential's id (urn:uuid:..., or its last part)")
        sp.set_defaults(func=cmd_status)
    serve = sub.add_parser("serve", help="serve did:web, status lists, OB 2.0 documents, issuing and offers")
    serve.add_argument("--host", default="127.0.0.1", help="address to listen on (default: %(default)s)")
    serve.add_argument("--port", type=int, help="0 picks a free port (default: the port given to init)")
    serve.set_defaults(func=cmd_serve)
    sample = sub.add_parser("sample", help="write a conformance sample of every form + web.json")
    sample.add_argument("--out", required=True, help="folder to write the sample credentials and web.json into")
    sample.add_argument("--base-url", default=DEFAULT_BASE_URL,
                        help="the issuer base URL the sample names (default: %(default)s)")
    sample.set_defaults(func=cmd_sample)
    cat = sub.add_parser("catalogue", help="list the achievements")
    cat.set_defaults(func=cmd_catalogue)
    return p


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    try:
        return int(args.func(args))
    except (StateError, CatalogueError) as exc:
        print(f"satchel-issuer: {exc}", file=sys.stderr)
        return 2
    except OSError as exc:  # --out into a folder that is not there, a port in use: one line, no traceback
        where = f" ({exc.filename})" if getattr(exc, "filename", None) else ""
        print(f"satchel-issuer: {exc.strerror or exc}{where}", file=sys.stderr)
        return 2


if __name__ == "__main__":
    sys.exit(main())
