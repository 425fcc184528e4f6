"""``satchel-wallet``: the learner's wallet from a terminal, for testers and power users.

    satchel-wallet init [--label NAME]                 a new wallet with one holder profile
    satchel-wallet import FILE|FOLDER|URL... [--text TEXT|-] [--qr IMAGE] [--offer LINK]
    satchel-wallet list [--search WORDS] [--limit N] [--json]
    satchel-wallet show ID [--json]                     a unique prefix of the id is enough
    satchel-wallet verify [ID...] [--json]              re-verify (all by default)
    satchel-wallet export ID --out FILE                 the bytes exactly as imported
    satchel-wallet share ID... --qr OUT.png | --link [--verifier URL] [--expires 7d] [--relay]
    satchel-wallet shares | unshare SHARE_ID            history; withdraw (relay links are deleted)
    satchel-wallet backup FILE | restore FILE
    satchel-wallet profiles [list | add LABEL] [--json]
    satchel-wallet app                                  the desktop app, when installed

The passphrase comes from ``$SATCHEL_PASSPHRASE`` or a prompt; the data directory from
``$SATCHEL_HOME`` (else the user data directory). ``--offline`` verifies from the document cache
only; ``--allow-loopback`` lets the wallet fetch from a issuer stub on 127.0.0.1 (development).
Errors print one sentence on stderr and exit non-zero; never a traceback (``SATCHEL_DEBUG=1``
shows it). ``verify`` exits 0 when every badge it checked is valid, 4 when some badge is not
(invalid, or could not be checked), 3 when some could not be re-verified at all.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Any, NoReturn

from wallet import paths

if TYPE_CHECKING:
    import httpx

    from credentials import Fetcher
    from wallet.importer import ImportOutcome, ImportService
    from wallet.store import CredentialSummary, Store

PROG = "satchel-wallet"
EXIT_ERROR = 1
EXIT_USAGE = 2
EXIT_SOME_FAILED = 3
EXIT_NOT_ALL_VALID = 4


class CliError(Exception):
    """Ends the command with this one sentence on stderr."""

    def __init__(self, message: str, code: int = EXIT_ERROR) -> None:
        super().__init__(message)
        self.code = code


# -- passphrase, paths, network -----------------------------------------------------------------


def read_passphrase(*, confirm: bool = False, prompt: str = "Wallet passphrase: ") -> str:
    from_env = os.environ.get(paths.PASSPHRASE_ENV)
    if from_env:
        return from_env
    if not sys.stdin.isatty():
        raise CliError(f"no passphrase: set {paths.PASSPHRASE_ENV} or run {PROG} in a terminal")
    import getpass

    first = getpass.getpass(prompt)
    if confirm and getpass.getpass("Repeat it: ") != first:
        raise CliError("the two passphrases differ; nothing was created")
    return first


def home_dir(args: argparse.Namespace) -> Path:
    return Path(args.home).expanduser() if getattr(args, "home", None) else paths.data_dir()


@contextmanager
def opened_store(args: argparse.Namespace) -> Iterator[Store]:
    from wallet.store import Store

    path = paths.wallet_path(home_dir(args))
    if not path.exists():
        raise CliError(f"there is no wallet at {path}; create one with '{PROG} init'")
    store = Store.open(path, read_passphrase())
    try:
        yield store
    finally:
        store.close()


@contextmanager
def import_service(args: argparse.Namespace, store: Store) -> Iterator[ImportService]:
    """The import service with the network the flags allow: none (--offline), loopback (dev), or guarded."""
    from credentials import Fetcher, make_client
    from wallet.importer import ImportService
    from wallet.store.sealed_cache import SealedDiskCache, remove_plaintext_entries

    # Sealed with the wallet's key: which issuers and status lists it fetched tells which badges it holds.
    folder = paths.document_cache_dir(home_dir(args))
    remove_plaintext_entries(folder)
    cache = SealedDiskCache(folder, store.cache_key())
    client: httpx.Client | None = None
    if not args.offline:
        if args.allow_loopback:
            from credentials import GuardedTransport

            client = make_client(GuardedTransport(allow_loopback=True))
        else:
            client = make_client()

    documents = None
    if args.documents:
        from credentials import LocalDocuments

        documents = LocalDocuments.from_file(args.documents)

    def new_fetcher() -> Fetcher:
        return Fetcher(client, cache=cache, documents=documents)

    service = ImportService(store, new_fetcher, client=client)
    try:
        yield service
    finally:
        service.close()
        if client is not None:
            client.close()


# -- output helpers ---------------------------------------------------------------------------


def print_json(value: Any) -> None:
    print(json.dumps(value, indent=2, ensure_ascii=False))


def summary_json(summary: CredentialSummary) -> dict[str, Any]:
    d = summary.display
    return {
        "id": summary.id, "name": d.name, "issuer": d.issuer, "verdict": summary.verdict, "issued": d.issued,
        "kind": d.kind, "skills": list(d.skills), "tags": list(summary.tags), "mediaType": summary.media_type,
        "addedAt": summary.added_at.isoformat(),
        "verifiedAt": summary.verified_at.isoformat() if summary.verified_at else None,
        "sources": [{"kind": s.kind, "detail": s.detail, "at": s.at.isoformat() if s.at else None}
                    for s in summary.sources],
    }


def summary_line(summary: CredentialSummary) -> str:
    verdict = summary.verdict or "unchecked"
    issuer = f" — {summary.display.issuer}" if summary.display.issuer else ""
    return f"{summary.id[:12]}  {verdict:<12}  {summary.display.name or '(no name)'}{issuer}"


def outcome_line(outcome: ImportOutcome) -> str:
    if outcome.error:
        return f"{outcome.source}: not imported: {outcome.error}"
    problems = f" ({', '.join(outcome.problems)})" if outcome.problems else ""
    merged = ", already in the wallet (merged)" if outcome.merged else ""
    return f"{outcome.source}: {outcome.name or '(no name)'}: {outcome.verdict}{problems}{merged}"


def resolve_id(store: Store, given: str) -> str:
    """The full id for ``given``: an exact id or a unique prefix of one."""
    ids = store.credential_ids()
    if given in ids:
        return given
    matches = [i for i in ids if i.startswith(given.lower())]
    if len(matches) == 1:
        return matches[0]
    if not matches:
        raise CliError(f"no credential with an id starting {given!r}; see '{PROG} list'")
    raise CliError(f"{given!r} matches {len(matches)} credentials; give more of the id")


# -- commands ---------------------------------------------------------------------------------


def cmd_init(args: argparse.Namespace) -> int:
    from wallet.store import Store

    path = paths.wallet_path(home_dir(args))
    if path.exists():
        raise CliError(f"a wallet already exists at {path}; it was left as it is")
    passphrase = read_passphrase(confirm=True, prompt="New wallet passphrase: ")
    with Store.create(path, passphrase) as store:
        profile = store.create_profile(args.label)
    if args.json:
        print_json({"wallet": str(path), "profile": {"id": profile.id, "label": profile.label, "did": profile.did}})
    else:
        print(f"Created a wallet at {path}")
        print(f"Holder profile {profile.label!r}: {profile.did}")
    return 0


def cmd_import(args: argparse.Namespace) -> int:
    from wallet.importer import ImportRefused, failed_outcome, is_offer_link, read_bounded

    if not (args.sources or args.text or args.qr or args.offer):
        raise CliError("nothing to import: give files, folders or URLs, or --text, --qr or --offer", EXIT_USAGE)
    singles: list[ImportOutcome] = []  # URLs, text, QR photos, offers: reported on stdout
    batch: list[ImportOutcome] = []  # files and folders: reported as progress on stderr
    with opened_store(args) as store, import_service(args, store) as service:
        files: list[Path] = []
        for source in args.sources:
            if source.startswith(("http://", "https://")):
                singles.append(service.import_url(source))
            elif is_offer_link(source):
                singles.append(service.redeem_offer(source, args.profile))
            else:
                files.append(Path(source))
        if files:
            batch = service.import_paths(files, progress=_progress_printer(args))
        if args.text is not None:
            singles.append(service.import_text(sys.stdin.read() if args.text == "-" else args.text))
        for image in args.qr or ():
            try:
                singles.append(service.import_qr_image(read_bounded(Path(image))))
            except ImportRefused as exc:
                singles.append(failed_outcome(Path(image).name, str(exc)))
        for link in args.offer or ():
            singles.append(service.redeem_offer(link, args.profile))
    outcomes = singles + batch
    if args.json:
        print_json([o.to_json() for o in outcomes])
    else:
        for outcome in singles:
            print(outcome_line(outcome))
        failed = sum(1 for o in outcomes if o.error)
        stored = [o for o in outcomes if o.error is None]
        merged = sum(1 for o in stored if o.merged)
        verdicts = _count(o.verdict or "" for o in stored)
        detail = ", ".join(f"{n} {v}" for v, n in sorted(verdicts.items()))
        print(f"Imported {len(stored) - merged} new, {merged} already there (merged), {failed} not imported"
              + (f"; {detail}" if detail else "") + ".")
    return EXIT_SOME_FAILED if failed_any(outcomes) else 0


def failed_any(outcomes: Sequence[ImportOutcome]) -> bool:
    return any(o.error for o in outcomes)


def _progress_printer(args: argparse.Namespace) -> Callable[[int, int, ImportOutcome], None]:
    def report(done: int, total: int, last: ImportOutcome) -> None:
        if not args.quiet:
            print(f"[{done}/{total}] {outcome_line(last)}", file=sys.stderr, flush=True)

    return report


def _count(values: Any) -> dict[str, int]:
    counts: dict[str, int] = {}
    for v in values:
        counts[v] = counts.get(v, 0) + 1
    return counts


def cmd_list(args: argparse.Namespace) -> int:
    with opened_store(args) as store:
        page = store.search(args.search or "", sort=args.sort, limit=args.limit)
    if args.json:
        print_json([summary_json(s) for s in page.items])
        return 0
    for summary in page.items:
        print(summary_line(summary))
    shown = len(page.items)
    print(f"{shown} of {page.total} credential{'s' if page.total != 1 else ''}"
          + (f" matching {args.search!r}" if args.search else "") + ".", file=sys.stderr)
    return 0


def cmd_show(args: argparse.Namespace) -> int:
    with opened_store(args) as store:
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
        f"  kind      {d.kind or '-'}  ({s.media_type})",
    ]
    if d.skills:
        lines.append(f"  skills    {', '.join(d.skills)}")
    if s.tags:
        lines.append(f"  tags      {', '.join(s.tags)}")
    for source in s.sources:
        when = source.at.strftime("%Y-%m-%d %H:%M") if source.at else ""
        lines.append(f"  from      {source.kind} {source.detail or ''} {when}".rstrip())
    verified = s.verified_at.strftime("%Y-%m-%d %H:%M UTC") if s.verified_at else "never"
    lines.append(f"  verdict   {s.verdict or 'unchecked'} (verified {verified})")
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
    print("\n".join(lines))
    return 0


def cmd_verify(args: argparse.Namespace) -> int:
    with opened_store(args) as store, import_service(args, store) as service:
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
            status = outcome.error or f"{outcome.verdict}{problems}"
            print(f"{(outcome.id or outcome.source)[:12]}  {outcome.name or '(no name)'}: {status}")
        print(f"Re-verified {total} credential{'s' if total != 1 else ''}.", file=sys.stderr)
    if any(o.error for o in outcomes):
        return EXIT_SOME_FAILED
    return EXIT_NOT_ALL_VALID if any(o.verdict != "valid" for o in outcomes) else 0


def cmd_export(args: argparse.Namespace) -> int:
    out = Path(args.out)
    if out.exists() and not args.force:
        raise CliError(f"{out} already exists; use --force to replace it")
    with opened_store(args) as store:
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


def cmd_backup(args: argparse.Namespace) -> int:
    out = Path(args.file)
    if out.exists() and not args.force:
        raise CliError(f"{out} already exists; use --force to replace it")
    if out.is_dir():
        raise CliError(f"{out} is a folder; give a file name for the backup")
    with opened_store(args) as store:
        count = store.count_credentials()
        # The backup is sealed with the wallet's passphrase: one secret to remember.
        store.backup(out, read_passphrase())
    print(f"Backed up {count} credential{'s' if count != 1 else ''} to {out}", file=sys.stderr)
    return 0


def cmd_restore(args: argparse.Namespace) -> int:
    from wallet.store import restore_backup

    source = Path(args.file)
    if not source.is_file():
        raise CliError(f"there is no backup file at {source}")
    path = paths.wallet_path(home_dir(args))
    if path.exists():
        raise CliError(f"a wallet already exists at {path}; restore into an empty SATCHEL_HOME")
    with restore_backup(source, read_passphrase(prompt="Backup passphrase: "), path) as store:
        count = store.count_credentials()
    print(f"Restored {count} credential{'s' if count != 1 else ''} into {path}", file=sys.stderr)
    return 0


def cmd_profiles(args: argparse.Namespace) -> int:
    with opened_store(args) as store:
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
            store.set_default_profile(_resolve_profile(store, args.label))
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


def _resolve_profile(store: Store, given: str) -> str:
    matches = [p.id for p in store.list_profiles() if p.id.startswith(given) or p.label == given]
    if len(matches) != 1:
        raise CliError(f"{given!r} names {'no' if not matches else 'more than one'} profile")
    return matches[0]


def _parse_expires(text: str) -> Any:
    """``7d``, ``12h``, ``30m`` from now, or an ISO 8601 time."""
    import re
    from datetime import UTC, datetime, timedelta

    m = re.fullmatch(r"\s*(\d+)\s*([dhm])\s*", text)
    if m:
        unit = {"d": "days", "h": "hours", "m": "minutes"}[m.group(2)]
        return datetime.now(UTC) + timedelta(**{unit: int(m.group(1))})
    try:
        when = datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError:
        raise CliError(f"--expires {text!r} is neither a duration like 7d / 12h nor an ISO 8601 time") from None
    return when if when.tzinfo else when.replace(tzinfo=UTC)


@contextmanager
def relay_client(args: argparse.Namespace) -> Iterator[httpx.Client | None]:
    if args.offline:
        yield None
        return
    from credentials import make_client

    if args.allow_loopback:
        from credentials import GuardedTransport

        client = make_client(GuardedTransport(allow_loopback=True))
    else:
        client = make_client()
    try:
        yield client
    finally:
        client.close()


def cmd_share(args: argparse.Namespace) -> int:
    """Present credentials as a QR code (PNG) or a link, signed by the holder, and record it."""
    from wallet.share import ShareError, share_link, share_qr
    from wallet.share.qrcodec import QrTooLarge

    if bool(args.qr) == bool(args.link):
        raise CliError("say how to share: --qr OUT.png or --link")
    verifier = args.verifier or os.environ.get("SATCHEL_VERIFIER_URL")
    with opened_store(args) as store, relay_client(args) as client:
        ids = [resolve_id(store, given) for given in args.ids]
        try:
            if args.qr:
                out = Path(args.qr)
                if out.exists() and not args.force:
                    raise CliError(f"{out} already exists; use --force to replace it")
                shared = share_qr(store, ids, recipient=args.recipient,
                                  expires=_parse_expires(args.expires) if args.expires else None,
                                  verifier_base_url=verifier, relay_client=client)
                out.write_bytes(shared.qr.png)
                result: dict[str, Any] = {"share": shared.share_id, "qr": str(out), "kind": shared.kind,
                                          "version": shared.qr.version, "expires": shared.expires.isoformat()}
                if shared.link:  # too large for one code: the code holds a link to the verifier
                    result["link"] = shared.link.url
            else:
                if not verifier:
                    raise CliError("a link needs the verifier's address: --verifier URL (or SATCHEL_VERIFIER_URL)")
                if client is None and args.relay:
                    raise CliError("a relay link needs the network; drop --offline")
                link = share_link(store, ids, verifier_base_url=verifier, relay_client=client,  # type: ignore[arg-type]
                                  expires=_parse_expires(args.expires or "7d"), recipient=args.recipient,
                                  relay=True if args.relay else None)
                result = {"share": link.share_id, "link": link.url, "kind": link.kind,
                          "expires": link.expires.isoformat()}
        except QrTooLarge as exc:
            raise CliError(f"{exc} (give --verifier URL to put a link in the code instead)") from None
        except ShareError as exc:
            raise CliError(str(exc)) from None
    if args.json:
        print_json(result)
    else:
        if "qr" in result:
            holds = "a link to the verifier" if "link" in result else "the presentation itself"
            print(f"QR code written to {result['qr']} (version {result['version']}, holding {holds}).")
        else:
            print(result["link"])
        print(f"Share {result['share'][:12]}, valid until {_when(result['expires'])}.", file=sys.stderr)
    return 0


def _when(iso: str | None) -> str:
    """An ISO 8601 time as people read it (the engine's wording: 02 Dec 2026 21:30 UTC)."""
    if not iso:
        return "no end"
    from datetime import datetime

    from credentials import human

    return human(datetime.fromisoformat(iso))


def cmd_shares(args: argparse.Namespace) -> int:
    with opened_store(args) as store:
        entries = store.list_shares()
    rows = [{"id": e.id, "credential": e.credential_id, "name": e.credential_name, "recipient": e.recipient,
             "shared": e.shared_at.isoformat(), "expires": e.expires_at.isoformat() if e.expires_at else None,
             "unshared": e.unshared_at.isoformat() if e.unshared_at else None} for e in entries]
    if args.json:
        print_json(rows)
    else:
        for r in rows:
            state = f"unshared {_when(r['unshared'])}" if r["unshared"] else f"until {_when(r['expires'])}"
            print(f"{r['id'][:12]}  {_when(r['shared'])}  {r['name']} → {r['recipient']}  ({state})")
    return 0


def cmd_unshare(args: argparse.Namespace) -> int:
    from wallet.share import ShareError, unshare

    with opened_store(args) as store, relay_client(args) as client:
        share_id = next((e.id for e in store.list_shares() if e.id.startswith(args.share_id)), None)
        if share_id is None:
            raise CliError(f"no share starts with {args.share_id!r} (see: satchel-wallet shares)")
        try:
            result = unshare(store, share_id, client)  # type: ignore[arg-type]
        except ShareError as exc:
            raise CliError(str(exc)) from None
    print("Withdrawn from the relay." if result.recalled
          else "Marked as unshared; a QR code or an inline link already given cannot be called back.")
    return 0


def cmd_app(args: argparse.Namespace) -> int:
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


# -- parser and entry point ---------------------------------------------------------------------


def build_parser() -> argparse.ArgumentParser:
    common = argparse.ArgumentParser(add_help=False)
    common.add_argument("--home", help=f"the data directory (default: ${paths.HOME_ENV} or the user data dir)")
    common.add_argument("--offline", action="store_true", help="fetch nothing; verify from the document cache")
    common.add_argument("--allow-loopback", action="store_true",
                        help="development: allow fetching from http://127.0.0.1 (the issuer stub)")
    common.add_argument("--documents", metavar="WEB_JSON",
                        help="answer these URLs from local files (a web.json map, as satchel-issuer sample writes)")
    common.add_argument("--json", action="store_true", help="machine-readable output")
    common.add_argument("-q", "--quiet", action="store_true", help="no progress lines")

    parser = argparse.ArgumentParser(prog=PROG, description="Satchel: your badges, encrypted on your own device.")
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    p = sub.add_parser("init", parents=[common], help="create a wallet with one holder profile")
    p.add_argument("--label", default=paths.DEFAULT_PROFILE_LABEL, help="the first profile's label")
    p.set_defaults(run=cmd_init)

    p = sub.add_parser("import", parents=[common], help="import files, folders, URLs, text, QR photos or offers")
    p.add_argument("sources", nargs="*", help="files, folders (recursive), http(s) URLs or offer links")
    p.add_argument("--text", help="pasted text: JSON, a JWT, a URL or an offer link ('-' reads stdin)")
    p.add_argument("--qr", action="append", metavar="IMAGE", help="a photo or screenshot of a QR code")
    p.add_argument("--offer", action="append", metavar="LINK", help="an openid-credential-offer:// link")
    p.add_argument("--profile", help="the profile an offer is redeemed for (default: the default profile)")
    p.set_defaults(run=cmd_import)

    p = sub.add_parser("list", parents=[common], help="list credentials, newest first")
    p.add_argument("--search", help="words to find in names, issuers, skills and tags")
    p.add_argument("--sort", choices=("added", "name", "issuer", "issued"), default="added")
    p.add_argument("--limit", type=int, default=None, help="at most this many")
    p.set_defaults(run=cmd_list)

    p = sub.add_parser("show", parents=[common], help="one credential: summary and verification checks")
    p.add_argument("id", help="the credential id, or a unique prefix of it")
    p.set_defaults(run=cmd_show)

    p = sub.add_parser("verify", parents=[common], help="verify again (all credentials by default)")
    p.add_argument("ids", nargs="*", help="credential ids or unique prefixes")
    p.set_defaults(run=cmd_verify)

    p = sub.add_parser("export", parents=[common], help="write a credential's original bytes to a file")
    p.add_argument("id")
    p.add_argument("--out", required=True, help="the file to write")
    p.add_argument("--force", action="store_true", help="replace the file if it exists")
    p.set_defaults(run=cmd_export)

    p = sub.add_parser("backup", parents=[common], help="write an encrypted backup of the whole wallet")
    p.add_argument("file")
    p.add_argument("--force", action="store_true", help="replace the file if it exists")
    p.set_defaults(run=cmd_backup)

    p = sub.add_parser("restore", parents=[common], help="restore a backup into a new wallet here")
    p.add_argument("file")
    p.set_defaults(run=cmd_restore)

    p = sub.add_parser("profiles", parents=[common], help="holder identities: list, add LABEL, default ID")
    p.add_argument("action", nargs="?", choices=("list", "add", "default"), default="list")
    p.add_argument("label", nargs="?", help="the new profile's label (add) or a profile id (default)")
    p.set_defaults(run=cmd_profiles)

    p = sub.add_parser("share", parents=[common], help="present credentials as a QR code or a link")
    p.add_argument("ids", nargs="+", help="credential ids or unique prefixes")
    p.add_argument("--qr", metavar="OUT.png", help="write a QR code picture")
    p.add_argument("--link", action="store_true", help="print a link to the verifier's page")
    p.add_argument("--verifier", metavar="URL", help="the verifier's address (default: $SATCHEL_VERIFIER_URL)")
    p.add_argument("--expires", metavar="WHEN", help="7d, 12h, 30m or an ISO 8601 time (links: 7d by default)")
    p.add_argument("--recipient", default="someone", help="who it is for, as the share history shows it")
    p.add_argument("--relay", action="store_true", help="store the link's presentation, encrypted, on the "
                   "verifier's relay so it can be withdrawn later")
    p.add_argument("--force", action="store_true", help="replace the QR file if it exists")
    p.set_defaults(run=cmd_share)

    p = sub.add_parser("shares", parents=[common], help="the share history")
    p.set_defaults(run=cmd_shares)

    p = sub.add_parser("unshare", parents=[common], help="withdraw a share (relay links are deleted)")
    p.add_argument("share_id", help="a share id or a unique prefix (see: shares)")
    p.set_defaults(run=cmd_unshare)

    p = sub.add_parser("app", help="open the Satchel wallet app (its own options follow)", add_help=False)
    p.add_argument("app_args", nargs=argparse.REMAINDER, help="passed to the app, e.g. --web --port N")
    p.set_defaults(run=cmd_app)
    return parser


def fail(message: str, code: int) -> NoReturn:
    message = " ".join(message.split())
    print(f"{PROG}: {message}", file=sys.stderr)
    raise SystemExit(code)


def main(argv: Sequence[str] | None = None) -> int:
    from wallet.store import StoreError

    arguments = list(sys.argv[1:] if argv is None else argv)
    if arguments[:1] == ["app"]:  # everything after "app" is the app's own (argparse would eat --help)
        args = argparse.Namespace(run=cmd_app, app_args=arguments[1:])
    else:
        args = build_parser().parse_args(arguments)
    run: Callable[[argparse.Namespace], int] = args.run
    try:
        return run(args)
    except CliError as exc:
        fail(str(exc), exc.code)
    except StoreError as exc:
        fail(str(exc), EXIT_ERROR)
    except KeyboardInterrupt:
        fail("interrupted; nothing half-done was kept", 130)
    except BrokenPipeError:
        return 0
    except OSError as exc:
        where = f" ({exc.filename})" if getattr(exc, "filename", None) else ""
        fail(f"{exc.strerror or type(exc).__name__}{where}", EXIT_ERROR)
    except Exception as exc:
        if os.environ.get("SATCHEL_DEBUG"):
            raise
        fail(f"unexpected error ({type(exc).__name__}: {exc}); set SATCHEL_DEBUG=1 for details", 70)


if __name__ == "__main__":
    sys.exit(main())
