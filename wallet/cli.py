"""``satchel-wallet``: the learner's wallet from a terminal, for testers and power users.

    satchel-wallet init [--label NAME]                 a new wallet with one holder profile
    satchel-wallet import FILE|FOLDER|URL... [--text TEXT|-] [--qr IMAGE] [--offer LINK]
    satchel-wallet list [--search WORDS] [--limit N] [--json]
    satchel-wallet show ID [--json]                     a unique prefix of the id is enough
    satchel-wallet verify [ID...] [--json]              re-verify (all by default)
    satchel-wallet export ID --out FILE                 the bytes exactly as imported
    satchel-wallet share ID... --qr OUT.png | --link [--verifier URL] [--expires 7d] [--relay]
    satchel-wallet shares | unshare SHARE_ID            history; withdraw (relay links are deleted)
    satchel-wallet answer 'openid4vp://?…' [--withhold Q:CLAIM] [--yes]   answer an OpenID4VP request
    satchel-wallet backup FILE | restore FILE
    satchel-wallet profiles [list | add LABEL] [--json]
    satchel-wallet app                                  the desktop app, when installed

The settings (``wallet.settings``) are read once here: the passphrase comes from
``$SATCHEL_PASSPHRASE`` or a prompt; the data directory from ``--home``, else ``$SATCHEL_HOME``
(else the user data directory). The commands that use the network (import, verify, share,
unshare) take ``--offline`` (verify from the document cache only; also ``SATCHEL_OFFLINE=1``) and
``--allow-loopback`` (fetch from an issuer stub on 127.0.0.1, development; also
``SATCHEL_ALLOW_LOOPBACK=1``). On a terminal verdicts are coloured (not with ``NO_COLOR`` set).
Errors print one sentence on stderr and exit non-zero; never a traceback (``SATCHEL_DEBUG=1``
shows it). ``verify`` exits 0 when every badge it checked is valid, 4 when some badge is not
(invalid, or could not be checked), 3 when some could not be re-verified at all.
"""

from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Mapping, Sequence
from dataclasses import replace
from pathlib import Path
from typing import NoReturn

from wallet import cli_commands as commands
from wallet import paths
from wallet.cli_answer import add_answer_parser
from wallet.cli_output import style_for
from wallet.cli_support import EXIT_ERROR, PROG, CliError
from wallet.settings import HOME_ENV, WalletSettings

__all__ = ["build_parser", "main", "settings_for"]


# -- parser and entry point ---------------------------------------------------------------------


def build_parser() -> argparse.ArgumentParser:
    common = argparse.ArgumentParser(add_help=False)
    common.add_argument("--home", help=f"the data directory (default: ${HOME_ENV} or the user data dir)")
    common.add_argument("--json", action="store_true", help="machine-readable output")
    common.add_argument("-q", "--quiet", action="store_true", help="no progress lines")
    network = argparse.ArgumentParser(add_help=False)  # only for the commands that go online
    network.add_argument("--offline", action="store_true", help="fetch nothing; verify from the document cache")
    network.add_argument("--allow-loopback", action="store_true",
                         help="development: allow fetching from http://127.0.0.1 (the issuer stub)")
    documents = argparse.ArgumentParser(add_help=False)  # for the commands that verify
    documents.add_argument("--documents", metavar="WEB_JSON",
                           help="answer these URLs from local files (a web.json map, as satchel-issuer sample writes)")
    verifying = [common, network, documents]

    parser = argparse.ArgumentParser(prog=PROG, description="Satchel: your badges, encrypted on your own device.")
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    p = sub.add_parser("init", parents=[common], help="create a wallet with one holder profile")
    p.add_argument("--label", default=paths.DEFAULT_PROFILE_LABEL, help="the first profile's label")
    p.set_defaults(run=commands.cmd_init)

    p = sub.add_parser("import", parents=verifying, help="import files, folders, URLs, text, QR photos or offers")
    p.add_argument("sources", nargs="*", help="files, folders (recursive), http(s) URLs or offer links")
    p.add_argument("--text", help="pasted text: JSON, a JWT, a URL or an offer link ('-' reads stdin)")
    p.add_argument("--qr", action="append", metavar="IMAGE", help="a photo or screenshot of a QR code")
    p.add_argument("--offer", action="append", metavar="LINK", help="an openid-credential-offer:// link")
    p.add_argument("--profile", help="the profile an offer is redeemed for (default: the default profile)")
    p.add_argument("--tx-code", metavar="CODE", help="the transaction code the issuer gave you for an offer "
                   "(asked for when needed, on a terminal)")
    p.set_defaults(run=commands.cmd_import)

    p = sub.add_parser("collect", parents=verifying, help="collect credentials an issuer said would come later")
    p.add_argument("--now", action="store_true", help="ask every issuer now, not only those due")
    p.set_defaults(run=commands.cmd_collect)

    p = sub.add_parser("list", parents=[common], help="list credentials, newest first")
    p.add_argument("--search", help="words to find in names, issuers, skills and tags")
    p.add_argument("--sort", choices=("added", "name", "issuer", "issued"), default="added")
    p.add_argument("--limit", type=int, default=None, help="at most this many")
    p.set_defaults(run=commands.cmd_list)

    p = sub.add_parser("show", parents=[common], help="one credential: summary and verification checks")
    p.add_argument("id", help="the credential id, or a unique prefix of it")
    p.set_defaults(run=commands.cmd_show)

    p = sub.add_parser("verify", parents=verifying, help="verify again (all credentials by default)")
    p.add_argument("ids", nargs="*", help="credential ids or unique prefixes")
    p.set_defaults(run=commands.cmd_verify)

    p = sub.add_parser("export", parents=[common], help="write a credential's original bytes to a file")
    p.add_argument("id")
    p.add_argument("--out", required=True, help="the file to write")
    p.add_argument("--force", action="store_true", help="replace the file if it exists")
    p.set_defaults(run=commands.cmd_export)

    p = sub.add_parser("backup", parents=[common], help="write an encrypted backup of the whole wallet")
    p.add_argument("file")
    p.add_argument("--force", action="store_true", help="replace the file if it exists")
    p.set_defaults(run=commands.cmd_backup)

    p = sub.add_parser("restore", parents=[common], help="restore a backup into a new wallet here")
    p.add_argument("file")
    p.set_defaults(run=commands.cmd_restore)

    p = sub.add_parser("profiles", parents=[common], help="holder identities: list, add LABEL, default ID")
    p.add_argument("action", nargs="?", choices=("list", "add", "default"), default="list")
    p.add_argument("label", nargs="?", help="the new profile's label (add) or a profile id (default)")
    p.set_defaults(run=commands.cmd_profiles)

    p = sub.add_parser("share", parents=verifying, help="present credentials as a QR code or a link")
    p.add_argument("ids", nargs="+", help="credential ids or unique prefixes")
    p.add_argument("--qr", metavar="OUT.png", help="write a QR code picture (an animated PNG when the badges "
                   "need more than one code; with --verifier, one code holding a relay link instead)")
    p.add_argument("--link", action="store_true", help="print a link to the verifier's page")
    p.add_argument("--verifier", metavar="URL", help="the verifier's address (default: $SATCHEL_VERIFIER_URL)")
    p.add_argument("--expires", metavar="WHEN", help="7d, 12h, 30m or an ISO 8601 time (links: 7d by default)")
    p.add_argument("--recipient", default="someone", help="who it is for, as the share history shows it")
    p.add_argument("--relay", action="store_true", help="store the link's presentation, encrypted, on the "
                   "verifier's relay so it can be withdrawn later")
    p.add_argument("--force", action="store_true", help="replace the QR file if it exists")
    p.set_defaults(run=commands.cmd_share)

    add_answer_parser(sub, verifying)

    p = sub.add_parser("shares", parents=[common], help="the share history")
    p.set_defaults(run=commands.cmd_shares)

    p = sub.add_parser("unshare", parents=[common, network], help="withdraw a share (relay links are deleted)")
    p.add_argument("share_id", help="a share id or a unique prefix (see: shares)")
    p.set_defaults(run=commands.cmd_unshare)

    p = sub.add_parser("app", help="open the Satchel wallet app (its own options follow)", add_help=False)
    p.add_argument("app_args", nargs=argparse.REMAINDER, help="passed to the app, e.g. --web --port N")
    p.set_defaults(run=commands.cmd_app)
    return parser


def fail(message: str, code: int) -> NoReturn:
    message = " ".join(message.split())
    print(f"{PROG}: {message}", file=sys.stderr)
    raise SystemExit(code)


def settings_for(args: argparse.Namespace, environ: Mapping[str, str] | None = None) -> WalletSettings:
    """The settings from the environment, with this command's ``--home``, ``--offline`` and
    ``--allow-loopback`` applied (a flag can turn on what the environment left off, never the reverse)."""
    settings = WalletSettings.from_environ(environ)
    home = getattr(args, "home", None)
    settings = settings.with_home(Path(home) if home else None)
    return replace(settings, offline=settings.offline or bool(getattr(args, "offline", False)),
                   allow_loopback=settings.allow_loopback or bool(getattr(args, "allow_loopback", False)))


def main(argv: Sequence[str] | None = None) -> int:
    from wallet.store import StoreError

    arguments = list(sys.argv[1:] if argv is None else argv)
    if arguments[:1] == ["app"]:  # everything after "app" is the app's own (argparse would eat --help)
        args = argparse.Namespace(run=commands.cmd_app, app_args=arguments[1:])
    else:
        args = build_parser().parse_args(arguments)
    environ = os.environ  # read here only: the settings, and NO_COLOR for the terminal's colours
    settings = settings_for(args, environ)
    run: commands.Command = args.run
    try:
        return run(args, settings, style_for(sys.stdout, environ))
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
        if settings.debug:
            raise
        fail(f"unexpected error ({type(exc).__name__}: {exc}); set SATCHEL_DEBUG=1 for details", 70)


if __name__ == "__main__":
    sys.exit(main())
