"""The ``satchel-wallet`` commands: each takes the parsed arguments and the settings
(``wallet.settings``, read once by ``wallet.cli.main``) and returns the exit code."""

from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Callable
from datetime import timedelta
from pathlib import Path
from typing import TYPE_CHECKING, Any

from wallet import paths
from wallet.cli_output import (
    Style,
    form_name,
    import_summary,
    outcome_line,
    plural,
    print_json,
    summary_json,
    summary_line,
    when,
)
from wallet.cli_support import (
    EXIT_NOT_ALL_VALID,
    EXIT_SOME_FAILED,
    EXIT_USAGE,
    CliError,
    existing_file_check,
    http_client,
    import_service,
    opened_store,
    parse_expires,
    read_passphrase,
    resolve_id,
    resolve_profile,
)
from wallet.settings import WalletSettings

if TYPE_CHECKING:
    import httpx

    from wallet.holder_binding import HolderBinding
    from wallet.importer import ImportOutcome, ImportService
    from wallet.store import Store

Command = Callable[[argparse.Namespace, WalletSettings, Style], int]


def cmd_init(args: argparse.Namespace, settings: WalletSettings, style: Style) -> int:
    from wallet.store import Store

    path = paths.wallet_path(settings.home)
    if path.exists():
        raise CliError(f"a wallet already exists at {path}; it was left as it is")
    passphrase = read_passphrase(settings, confirm=True, prompt="New wallet passphrase: ")
    with Store.create(path, passphrase) as store:
        profile = store.create_profile(args.label)
    if args.json:
        print_json({"wallet": str(path), "profile": {"id": profile.id, "label": profile.label, "did": profile.did}})
    else:
        print(f"Created a wallet at {path}")
        print(f"Holder profile {profile.label!r}: {profile.did}")
    return 0


# -- import and verify -------------------------------------------------------------------------


def cmd_import(args: argparse.Namespace, settings: WalletSettings, style: Style) -> int:
    if not (args.sources or args.text or args.qr or args.offer):
        raise CliError("nothing to import: give files, folders or URLs, or --text, --qr or --offer", EXIT_USAGE)
    with opened_store(settings) as store, import_service(settings, store, args.documents) as service:
        singles, batch = _run_imports(args, service)
        bindings = _bindings_of(store, singles + batch)
    outcomes = singles + batch
    if args.json:
        print_json([{**o.to_json(), "holder": bindings[o.id].to_json() if o.id in bindings else None}
                    for o in outcomes])
    else:
        for outcome in singles:
            print(outcome_line(outcome, style))
        for line in _not_yours_lines(outcomes, bindings):
            print(line)
        print(import_summary(outcomes))
    return EXIT_SOME_FAILED if any(o.error for o in outcomes) else 0


def _bindings_of(store: Store, outcomes: list[ImportOutcome]) -> dict[str, HolderBinding]:
    """Whose badge each stored import is (wallet.holder_binding), by record id."""
    from wallet.holder_binding import holder_binding

    return {o.id: holder_binding(store, store.get_credential(o.id)) for o in outcomes if o.id}


def _not_yours_lines(outcomes: list[ImportOutcome], bindings: dict[str, HolderBinding]) -> list[str]:
    """Said at import, not first at the employer's: each badge that names someone else, then once
    how to have it issued to this wallet (an OpenID4VCI offer binds it to the holder's DID)."""
    from wallet.holder_binding import offer_advice, short_id

    named = {o.id: o for o in outcomes if o.id}
    by_message: dict[str, list[str]] = {}  # a folder of one issuer's badges names one someone else: said once
    for rid, binding in bindings.items():
        if binding.someone_else:
            said = f"{binding.message} (It names {short_id(binding.subject)}.)" if binding.subject else binding.message
            by_message.setdefault(said, []).append(named[rid].name or named[rid].source)
    if not by_message:
        return []
    lines = [f"Not yours: “{names[0]}”: {message}" if len(names) == 1 else
             f"Not yours: {len(names)} badges ({_counted(names)}), each: {message}"
             for message, names in by_message.items()]
    others = [b for b in bindings.values() if b.someone_else]
    if any(b.own_profile is None for b in others):
        lines.append("  " + offer_advice(collect="`satchel-wallet import --offer LINK` collects it",
                                         identity=others[0].holder))
    return lines


def _counted(names: list[str], shown: int = 3) -> str:
    """“A” ×2, “B”, and 4 more."""
    counts: dict[str, int] = {}
    for name in names:
        counts[name] = counts.get(name, 0) + 1
    parts = [f"“{n}”" + (f" ×{c}" if c > 1 else "") for n, c in list(counts.items())[:shown]]
    rest = len(counts) - shown
    return ", ".join(parts) + (f" and {rest} more" if rest > 0 else "")


def _run_imports(args: argparse.Namespace, service: ImportService) -> tuple[list[ImportOutcome], list[ImportOutcome]]:
    """(URLs, text, QR photos and offers: reported on stdout; files and folders: progress on stderr)."""
    from wallet.importer import ImportRefused, failed_outcome, is_offer_link, read_bounded

    singles: list[ImportOutcome] = []
    files: list[Path] = []
    for source in args.sources:
        if source.startswith(("http://", "https://")):
            singles.append(service.import_url(source))
        elif is_offer_link(source):
            singles.append(_redeem(service, source, args))
        else:
            files.append(Path(source))
    batch = service.import_paths(files, progress=_progress_printer(args.quiet)) if files else []
    if args.text is not None:
        singles.append(service.import_text(sys.stdin.read() if args.text == "-" else args.text))
    for image in args.qr or ():
        try:
            singles.append(service.import_qr_image(read_bounded(Path(image))))
        except ImportRefused as exc:
            singles.append(failed_outcome(Path(image).name, str(exc)))
    for link in args.offer or ():
        singles.append(_redeem(service, link, args))
    return singles, batch


def _redeem(service: ImportService, link: str, args: argparse.Namespace) -> ImportOutcome:
    """An offer; one that needs a transaction code (OID4VCI §4.1.1) asks for it on a terminal."""
    from wallet.importer import ImportRefused

    tx_code = args.tx_code
    if tx_code is None and sys.stdin.isatty():
        try:
            needed = service.preview_offer(link).tx_code
        except ImportRefused:
            needed = None  # redeeming says why, in the outcome
        if needed is not None:
            hint = f" ({needed.description})" if needed.description else ""
            tx_code = input(f"Transaction code from the issuer{hint}: ")
    return service.redeem_offer(link, args.profile, tx_code=tx_code)


def cmd_collect(args: argparse.Namespace, settings: WalletSettings, style: Style) -> int:
    """OID4VCI §9: asks the issuers of pending credentials whether they are ready."""
    with opened_store(settings) as store, import_service(settings, store, args.documents) as service:
        waiting = len(store.pending_issuances())
        outcomes = service.collect_pending(force=args.now)
    if args.json:
        print_json([o.to_json() for o in outcomes])
    elif not outcomes:
        print(f"{waiting} on its way, none due yet (--now asks anyway)." if waiting else "Nothing is on its way.")
    else:
        for outcome in outcomes:
            print(outcome_line(outcome, style))
    return EXIT_SOME_FAILED if any(o.error for o in outcomes) else 0


def _warn_before_sharing(store: Store, ids: list[str], settings: WalletSettings, documents: str | None) -> None:
    """A badge the verifier will refuse (revoked, expired, tampered, someone else's) is said on
    stderr before the code or link is made: the learner may still share it, knowingly. The badges are
    checked again with their issuers first: a command is run deliberately, one fetch each is cheap
    (offline, the last check stands)."""
    from wallet.share.warnings import sharing_warnings

    with import_service(settings, store, documents) as service:
        service.recheck_before_sharing(ids, older_than=timedelta(0))
    for warning in sharing_warnings(store, ids):
        print(f"warning: {warning.message}", file=sys.stderr)


def _progress_printer(quiet: bool) -> Callable[[int, int, ImportOutcome], None]:
    def report(done: int, total: int, last: ImportOutcome) -> None:
        if not quiet:
            print(f"[{done}/{total}] {outcome_line(last)}", file=sys.stderr, flush=True)

    return report


def cmd_verify(args: argparse.Namespace, settings: WalletSettings, style: Style) -> int:
    with opened_store(settings) as store, import_service(settings, store, args.documents) as service:
        ids = [resolve_id(store, i) for i in args.ids] if args.ids else None
        total = len(ids) if ids is not None else store.count_credentials()

        def progress(done: int, count: int) -> None:
            if count > 1 and not args.quiet and not args.json:
                print(f"\rverifying {done}/{count}", end="" if done < count else "\n", file=sys.stderr, flush=True)

        outcomes = service.reverify(ids, progress=progress)
    if args.json:
        print_json([o.to_json() for o in outcomes])
    else:
        for outcome in outcomes:
            problems = f" ({', '.join(outcome.problems)})" if outcome.problems else ""
            status = outcome.error or f"{style.verdict(outcome.verdict)}{problems}"
            print(f"{(outcome.id or outcome.source)[:12]}  {outcome.name or '(no name)'}: {status}")
        print(f"Re-verified {plural(total, 'credential')}.", file=sys.stderr)
    if any(o.error for o in outcomes):
        return EXIT_SOME_FAILED
    return EXIT_NOT_ALL_VALID if any(o.verdict != "valid" for o in outcomes) else 0


# -- reading the wallet ------------------------------------------------------------------------


def cmd_list(args: argparse.Namespace, settings: WalletSettings, style: Style) -> int:
    with opened_store(settings) as store:
        page = store.search(args.search or "", sort=args.sort, limit=args.limit)
    if args.json:
        print_json([summary_json(s) for s in page.items])
        return 0
    for summary in page.items:
        print(summary_line(summary, style))
    shown = len(page.items)
    print(f"{shown} of {plural(page.total, 'credential')}"
          + (f" matching {args.search!r}" if args.search else "") + ".", file=sys.stderr)
    return 0


def cmd_show(args: argparse.Namespace, settings: WalletSettings, style: Style) -> int:
    with opened_store(settings) as store:
        record = store.get_credential(resolve_id(store, args.id))
    report = dict(record.report or {})
    if args.json:
        print_json({**summary_json(record.summary), "report": report, "credential": record.credential})
        return 0
    s, d = record.summary, record.summary.display
    lines = [
        f"{d.name or '(no name)'}",
        f"  id        {s.id}",
        f"  issuer    {d.issuer or '(unknown)'}",
        f"  issued    {d.issued or '(not stated)'}",
        f"  form      {form_name(s) or '-'} ({d.kind or 'no type'}, {s.media_type})",
    ]
    if d.skills:
        lines.append(f"  skills    {', '.join(d.skills)}")
    if s.tags:
        lines.append(f"  tags      {', '.join(s.tags)}")
    for source in s.sources:
        at = source.at.strftime("%Y-%m-%d %H:%M") if source.at else ""
        lines.append(f"  from      {source.kind} {source.detail or ''} {at}".rstrip())
    verified = s.verified_at.strftime("%Y-%m-%d %H:%M UTC") if s.verified_at else "never"
    lines.append(f"  verdict   {style.verdict(s.verdict)} (verified {verified})")
    lines.extend(_report_lines(report))
    print("\n".join(lines))
    return 0


def _report_lines(report: dict[str, Any]) -> list[str]:
    lines = []
    problems = report.get("problems") or []
    if problems:
        lines.append(f"  problems  {', '.join(problems)}")
    warnings = report.get("warnings") or []
    if warnings:
        lines.append(f"  warnings  {', '.join(warnings)}")
    checks = report.get("checks") or []
    if checks:
        lines.append("  checks")
        for check in checks:
            lines.append(f"    {check.get('status', ''):<16}{check.get('id', '')}: {check.get('message', '')}")
    return lines


def cmd_export(args: argparse.Namespace, settings: WalletSettings, style: Style) -> int:
    out = Path(args.out)
    existing_file_check(out, args.force)
    with opened_store(settings) as store:
        record = store.get_credential(resolve_id(store, args.id))
    tmp = out.with_name(f".{out.name}.partial")
    try:
        tmp.write_bytes(record.original)
        os.replace(tmp, out)
    finally:
        tmp.unlink(missing_ok=True)
    print(f"Wrote {record.summary.display.name or record.id} ({len(record.original)} bytes) to {out}",
          file=sys.stderr)
    return 0


# -- backup and profiles -----------------------------------------------------------------------


def cmd_backup(args: argparse.Namespace, settings: WalletSettings, style: Style) -> int:
    out = Path(args.file)
    existing_file_check(out, args.force)
    if out.is_dir():
        raise CliError(f"{out} is a folder; give a file name for the backup")
    with opened_store(settings) as store:
        count = store.count_credentials()
        # The backup is sealed with the wallet's passphrase: one secret to remember.
        store.backup(out, read_passphrase(settings))
    print(f"Backed up {plural(count, 'credential')} to {out}", file=sys.stderr)
    return 0


def cmd_restore(args: argparse.Namespace, settings: WalletSettings, style: Style) -> int:
    from wallet.store import restore_backup

    source = Path(args.file)
    if not source.is_file():
        raise CliError(f"there is no backup file at {source}")
    path = paths.wallet_path(settings.home)
    if path.exists():
        raise CliError(f"a wallet already exists at {path}; restore into an empty SATCHEL_HOME")
    with restore_backup(source, read_passphrase(settings, prompt="Backup passphrase: "), path) as store:
        count, waiting = store.count_credentials(), len(store.pending_issuances())
    on_its_way = f" (and {waiting} on its way from the issuer)" if waiting else ""
    print(f"Restored {plural(count, 'credential')}{on_its_way} into {path}", file=sys.stderr)
    return 0


def cmd_profiles(args: argparse.Namespace, settings: WalletSettings, style: Style) -> int:
    with opened_store(settings) as store:
        if args.action == "add":
            if not args.label:
                raise CliError("give the new profile a label: profiles add LABEL", EXIT_USAGE)
            created = store.create_profile(args.label)
            if not args.json:
                print(f"Added profile {created.label!r}: {created.did}")
                return 0
        elif args.action == "default":
            if not args.label:
                raise CliError("give the id of the profile to make the default: profiles default ID", EXIT_USAGE)
            store.set_default_profile(resolve_profile(store, args.label))
        profiles = store.list_profiles()
        default = store.default_profile()
    default_id = default.id if default else None
    if args.json:
        print_json([{"id": p.id, "label": p.label, "did": p.did, "default": p.id == default_id,
                     "createdAt": p.created_at.isoformat()} for p in profiles])
        return 0
    for p in profiles:
        mark = "*" if p.id == default_id else " "
        print(f"{mark} {p.id[:12]}  {p.label}  {p.did}")
    return 0


# -- sharing -----------------------------------------------------------------------------------


def cmd_share(args: argparse.Namespace, settings: WalletSettings, style: Style) -> int:
    """Present credentials as a QR code (PNG; an animated PNG when they need several codes) or a
    link, signed by the holder, and record it."""
    from wallet.share import ShareError
    from wallet.share.qrcodec import QrTooLarge

    if bool(args.qr) == bool(args.link):
        raise CliError("say how to share: --qr OUT.png or --link")
    verifier = args.verifier or settings.verifier_url or None
    with opened_store(settings) as store, http_client(settings) as client:
        ids = [resolve_id(store, given) for given in args.ids]
        _warn_before_sharing(store, ids, settings, args.documents)
        try:
            if args.qr:  # a link goes in the code only when --verifier asks for one; else a loop of codes
                result = _share_qr(args, store, ids, args.verifier, client)
            else:
                result = _share_link(args, store, ids, verifier, client)
        except QrTooLarge as exc:
            raise CliError(f"{exc} (give --verifier URL to put a link in the code instead)") from None
        except ShareError as exc:
            raise CliError(str(exc)) from None
        result["names"] = [store.get_summary(cid).name for cid in ids]
    if args.json:
        print_json(result)
        return 0
    said, aside = _share_sentences(result, args.recipient)
    for line in said:
        print(line)
    for line in aside:
        print(line, file=sys.stderr)
    return 0


def _share_sentences(result: dict[str, Any], recipient: str) -> tuple[list[str], list[str]]:
    """What to print (stdout: the file written, or the bare link, to pipe on) and what to say
    beside it (stderr: what was shared with whom, until when, how to withdraw it)."""
    kind, share = result["kind"], result["share"][:12]
    said: list[str] = []
    if kind == "animated":
        said.append(f"Wrote {result['qr']}: an animated QR of {result['parts']} codes (version {result['version']}), "
                    f"{result['frame_rate']} per second. Show it on screen; the verifier's camera reads it in a few "
                    "seconds.")
    elif "qr" in result:
        holds = "a link to the verifier" if "link" in result else "the presentation itself"
        said.append(f"QR code written to {result['qr']} (version {result['version']}, holding {holds}).")
        if "link" in result:
            said.append(f"The code opens this link: {result['link']}")
    else:
        said.append(result["link"])
    names = " and ".join(f"“{name}”" for name in result["names"])
    aside = [f"Shared {names} with {recipient}; share {share}, valid until {when(result['expires'])}."]
    if kind in ("relay", "link"):  # a QR code's link is always a relay link
        aside.append(f"You can withdraw it: satchel-wallet unshare {share}")
    elif kind == "inline":
        aside.append("The link carries the badges itself, so it cannot be withdrawn; it stops working when it "
                     "expires.")
    return said, aside


def _share_qr(
    args: argparse.Namespace, store: Store, ids: list[str], verifier: str | None, client: httpx.Client | None,
) -> dict[str, Any]:
    from wallet.share import share_qr
    from wallet.share.qrcodec import encode_animated_png

    out = Path(args.qr)
    existing_file_check(out, args.force)
    shared = share_qr(store, ids, recipient=args.recipient,
                      expires=parse_expires(args.expires) if args.expires else None,
                      verifier_base_url=verifier, relay_client=client if verifier else None)
    result: dict[str, Any] = {"share": shared.share_id, "qr": str(out), "kind": shared.kind,
                              "version": shared.version, "expires": shared.expires.isoformat()}
    if shared.animation is not None:  # too large for one code: a loop of codes, pure parts then fountain parts
        frames = shared.animation.frame_texts()
        out.write_bytes(encode_animated_png(frames, frame_ms=1000 // shared.animation.frame_rate,
                                             level=shared.animation.level))
        result |= {"parts": shared.animation.seq_len, "frames": len(frames),
                   "frame_rate": shared.animation.frame_rate}
    elif shared.qr is not None:
        out.write_bytes(shared.qr.png)
    if shared.link:  # the code holds a relay link to the verifier
        result["link"] = shared.link.url
    return result


def _share_link(
    args: argparse.Namespace, store: Store, ids: list[str], verifier: str | None, client: httpx.Client | None,
) -> dict[str, Any]:
    from wallet.share import share_link

    if not verifier:
        raise CliError("a link needs the verifier's address: --verifier URL (or SATCHEL_VERIFIER_URL)")
    if client is None and args.relay:
        raise CliError("a relay link needs the network; drop --offline")
    link = share_link(store, ids, verifier_base_url=verifier, relay_client=client,
                      expires=parse_expires(args.expires or "7d"), recipient=args.recipient,
                      relay=True if args.relay else None)
    return {"share": link.share_id, "link": link.url, "kind": link.kind, "expires": link.expires.isoformat()}


def cmd_shares(args: argparse.Namespace, settings: WalletSettings, style: Style) -> int:
    with opened_store(settings) as store:
        entries = store.list_shares()
    rows = [{"id": e.id, "credential": e.credential_id, "name": e.credential_name, "recipient": e.recipient,
             "shared": e.shared_at.isoformat(), "expires": e.expires_at.isoformat() if e.expires_at else None,
             "unshared": e.unshared_at.isoformat() if e.unshared_at else None} for e in entries]
    if args.json:
        print_json(rows)
    else:
        for r in rows:
            state = f"unshared {when(r['unshared'])}" if r["unshared"] else f"until {when(r['expires'])}"
            print(f"{str(r['id'])[:12]}  {when(r['shared'])}  {r['name']} → {r['recipient']}  ({state})")
    return 0


def cmd_unshare(args: argparse.Namespace, settings: WalletSettings, style: Style) -> int:
    from wallet.share import ShareError, unshare

    with opened_store(settings) as store, http_client(settings) as client:
        share_id = next((e.id for e in store.list_shares() if e.id.startswith(args.share_id)), None)
        if share_id is None:
            raise CliError(f"no share starts with {args.share_id!r} (see: satchel-wallet shares)")
        try:
            result = unshare(store, share_id, client)
        except ShareError as exc:
            raise CliError(str(exc)) from None
    print("Withdrawn from the relay." if result.recalled
          else "Marked as unshared; a QR code or an inline link already given cannot be called back.")
    return 0


def cmd_app(args: argparse.Namespace, settings: WalletSettings, style: Style) -> int:
    import importlib

    try:
        module = importlib.import_module("wallet.app")
    except ModuleNotFoundError as exc:
        if exc.name in ("wallet.app", "flet"):
            raise CliError("the Satchel wallet app is not installed in this environment") from None
        raise
    entry = getattr(module, "main", None)
    if not callable(entry):
        raise CliError("the Satchel wallet app is not installed in this environment")
    result = entry(list(args.app_args))
    return int(result) if isinstance(result, int) else 0
