"""``satchel-wallet answer LINK``: answer a verifier's OpenID4VP 1.0 request from the terminal.

It reads the request (``openid4vp://…``, fetched and its signature checked), prints who asks and
exactly which claims of which badge would be sent, then sends them when told to (``--yes``, or a
"y" typed at the prompt). ``--withhold QUERY:CLAIM`` leaves out an optional claim (as the consent
screen's checkbox does); ``--trust-certificate SHA256`` confirms an X.509 verifier whose
certificate the learner knows.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

from wallet.cli_output import Style, print_json
from wallet.cli_support import CliError, http_client, opened_store
from wallet.settings import WalletSettings

if TYPE_CHECKING:
    from wallet.share import OpenId4VpPreview

__all__ = ["add_answer_parser", "cmd_answer"]


def add_answer_parser(sub: Any, parents: Sequence[argparse.ArgumentParser]) -> None:
    p = sub.add_parser("answer", parents=list(parents),
                       help="answer a verifier's OpenID4VP request (openid4vp://…): show what goes, then send")
    p.add_argument("link", help="the request link (openid4vp://?client_id=…&request_uri=…)")
    p.add_argument("--yes", action="store_true", help="send without asking")
    p.add_argument("--withhold", action="append", default=[], metavar="QUERY:CLAIM",
                   help="leave out an optional claim, e.g. badge:family_name (repeatable)")
    p.add_argument("--trust-certificate", action="append", default=[], metavar="SHA256",
                   help="the SHA-256 fingerprint of a verifier certificate you trust (repeatable)")
    p.set_defaults(run=cmd_answer)


def _withheld(preview: OpenId4VpPreview, asked: list[str]) -> dict[str, set[int]]:
    out: dict[str, set[int]] = {}
    for item in asked:
        query_id, _, label = item.partition(":")
        choice = next((c for c in preview.choices if c.query_id == query_id), None)
        line = next((c for c in choice.claims if c.label == label), None) if choice else None
        if line is None:
            raise CliError(f"--withhold {item}: the request asks for no claim {label!r} in {query_id!r}")
        if not line.optional:
            raise CliError(f"--withhold {item}: the verifier requires {label}; it cannot be left out")
        out.setdefault(query_id, set()).add(line.index)
    return out


def _consent_lines(preview: OpenId4VpPreview) -> list[str]:
    who = preview.request.verifier
    sure = "confirmed" if who.confirmed else "NOT confirmed"
    lines = [f"{who.shown_name} asks for your badges ({sure}: {who.how})",
             f"  the answer goes to {who.address}"]
    for choice in preview.choices:
        if choice.credential_id is None:
            lines.append(f"- {choice.query_id}: nothing in your wallet answers it")
            continue
        lines.append(f"- “{choice.name}” from {choice.issuer} ({choice.format})")
        if choice.whole:
            lines.append("    sent whole: the verifier sees everything in it")
        for claim in choice.claims:
            mark = "optional, --withhold " + f"{choice.query_id}:{claim.label}" if claim.optional else "asked"
            lines.append(f"    {claim.label}: {claim.value}  ({mark})")
        if choice.always and not choice.whole:
            lines.append("    always included: " + ", ".join(choice.always))
    lines += [f"! {w}" for w in preview.warnings]
    return lines


def _confirmed(args: argparse.Namespace) -> bool:
    if args.yes:
        return True
    if not sys.stdin.isatty():
        return False
    return input("Send this? [y/N] ").strip().lower() in ("y", "yes")


def cmd_answer(args: argparse.Namespace, settings: WalletSettings, style: Style) -> int:
    from wallet.share import ShareError, answer_openid4vp, preview_openid4vp, read_openid4vp_request

    with opened_store(settings) as store, http_client(settings) as client:
        if client is None:
            raise CliError("answering a request needs the network; drop --offline")
        try:
            request = read_openid4vp_request(args.link, client=client, trusted_certificates=args.trust_certificate)
            preview = preview_openid4vp(store, request)
            withheld = _withheld(preview, args.withhold)
            if withheld:
                preview = preview_openid4vp(store, request, withheld=withheld)
            if not args.json:
                print("\n".join(_consent_lines(preview)), file=sys.stderr)
            if not preview.satisfied:
                raise CliError("your wallet cannot answer this request as it stands; nothing was sent")
            if not _confirmed(args):
                print("Nothing was sent (give --yes to send).", file=sys.stderr)
                return 1
            answer = answer_openid4vp(store, request, client=client, withheld=withheld)
        except ShareError as exc:
            raise CliError(str(exc)) from None
    accepted = answer.status == 200
    if args.json:
        print_json({"accepted": accepted, "status": answer.status, "share": answer.share_id,
                    "verifier": request.verifier.shown_name, "redirect_uri": answer.redirect_uri,
                    "sent": {c.query_id: [x.label for x in c.claims] for c in preview.choices}})
    elif accepted:
        print(f"Sent to {request.verifier.shown_name}; they accepted it (share {answer.share_id[:12]}).")
    else:
        reason = (answer.body or {}).get("error_description") or (answer.body or {}).get("error") or ""
        print(f"Sent to {request.verifier.shown_name}, who did not accept it (HTTP {answer.status}) {reason}".strip())
    if answer.redirect_uri and not args.json:
        print(f"They ask you to continue in your browser at {answer.redirect_uri}")
    return 0 if accepted else 1
