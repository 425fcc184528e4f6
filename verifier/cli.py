"""``satchel-verifier``: ``serve`` runs the HTTP service; ``app`` opens the Flet app (:mod:`verifier.app`).

Exit codes: 0 clean stop, 2 usage or start-up error (bad --documents, port in use).
"""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path


def _default_data_dir() -> Path:
    import platformdirs

    return platformdirs.user_data_path("satchel") / "verifier"


def _parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="satchel-verifier", description="Satchel's verifier for Open Badges and "
                                "Verifiable Credentials.")
    sub = p.add_subparsers(dest="command", required=True, metavar="COMMAND")
    s = sub.add_parser("serve", help="run the HTTP verify service, request flow, share relay and link page")
    s.add_argument("--host", default="127.0.0.1", help="address to bind (default 127.0.0.1, loopback only)")
    s.add_argument("--port", type=int, default=8400, help="port (default 8400; 0 picks a free one)")
    s.add_argument("--offline", action="store_true", help="never touch the network")
    s.add_argument("--documents", metavar="MAP", help="JSON map of URL -> local file answering fetches")
    s.add_argument("--data", metavar="DIR", type=Path, help="where the challenge and relay database lives")
    s.add_argument("--public-url", metavar="URL", help="the base URL wallets and browsers use (behind a proxy)")
    s.add_argument("--domain", help="the domain presentations are asked to sign for (default: public host)")
    s.add_argument("--name", metavar="ORGANISATION", default=os.environ.get("SATCHEL_VERIFIER_NAME"),
                   help="who is asking, as a learner's wallet shows it (default: $SATCHEL_VERIFIER_NAME)")
    s.add_argument("--request-timeout", metavar="S", type=float, default=30.0,
                   help="seconds a client may take to send a request or stay idle (default 30)")
    s.add_argument("--verify-timeout", metavar="S", type=float, default=20.0,
                   help="seconds one verification may take, fetches included (default 20)")
    s.add_argument("--workers", metavar="N", type=int, default=1,
                   help="worker processes (default 1); verification is CPU-bound, one per core is right")
    s.add_argument("--database", metavar="URL",
                   help="postgresql://… shared by several instances (default: SQLite in --data)")
    s.add_argument("--allow-loopback", action="store_true",
                   help="development: also fetch from 127.0.0.1 (the local demo issuer)")
    s.add_argument("--openid4vp-cert", metavar="PEM",
                   help="OpenID4VP x509_san_dns: certificate chain naming the public host (default: self-signed)")
    s.add_argument("--openid4vp-key", metavar="PEM", help="the P-256 private key of --openid4vp-cert")
    s.add_argument("--openid4vp-keys", metavar="DIR",
                   help="where the OpenID4VP signing keys live (default: in --data); share it between instances")
    a = sub.add_parser("app", help="open the verifier app (desktop window, or web on 127.0.0.1)")
    a.add_argument("--web", action="store_true", help="serve the app to a browser on 127.0.0.1")
    a.add_argument("--port", type=int, default=None, help="web port (default 8560)")
    a.add_argument("--data", metavar="DIR", type=Path,
                   help="history and cached documents (default $SATCHEL_VERIFIER_HOME or the user data dir)")
    a.add_argument("--offline", action="store_true", help="start in offline mode (cached issuer documents only)")
    a.add_argument("--documents", metavar="MAP", help="JSON map of URL -> local file answering fetches")
    a.add_argument("--trust", metavar="FILE", help="issuer trust list (DCC issuer registry JSON shape)")
    a.add_argument("--service", metavar="URL",
                   help="a running `satchel-verifier serve` for requests (default: one inside the app)")
    a.add_argument("--allow-loopback", action="store_true",
                   help="let checks fetch from issuers on this machine (demos and tests)")
    a.add_argument("--name", metavar="ORGANISATION",
                   help="who is asking, as a candidate's wallet shows it (default: $SATCHEL_VERIFIER_NAME)")
    return p


def _app(args: argparse.Namespace) -> int:
    from .app import AppSettings, run

    # the one place the app's settings are read: the command line, completed from the environment
    settings = AppSettings.from_environ(os.environ, home=args.data, documents=args.documents, trust=args.trust,
                                        service_url=args.service, offline=args.offline,
                                        allow_loopback=args.allow_loopback, web=args.web, port=args.port,
                                        organisation=args.name)
    try:
        run(settings)
    except (OSError, ValueError) as exc:
        print(f"satchel-verifier: cannot start the app: {exc}", file=sys.stderr)
        return 2
    return 0


def _serve(args: argparse.Namespace) -> int:
    from .api import ServiceConfig
    from .asgi import serve

    if bool(args.openid4vp_cert) != bool(args.openid4vp_key):
        print("satchel-verifier: --openid4vp-cert and --openid4vp-key go together", file=sys.stderr)
        return 2
    if args.openid4vp_cert:
        from .openid4vp import OpenId4VpError, load_configured_certificate

        try:
            load_configured_certificate(args.openid4vp_cert, args.openid4vp_key)
        except OpenId4VpError as exc:
            print(f"satchel-verifier: {exc.message}", file=sys.stderr)
            return 2
    if args.workers < 1 or args.workers > 64:
        print("satchel-verifier: --workers takes 1 to 64", file=sys.stderr)
        return 2
    config = ServiceConfig(data_dir=args.data or _default_data_dir(), host=args.host, port=args.port,
                           offline=args.offline, documents=args.documents, public_url=args.public_url,
                           domain=args.domain, io_timeout=args.request_timeout,
                           verify_timeout=args.verify_timeout, workers=args.workers, database=args.database,
                           allow_loopback=args.allow_loopback, name=args.name or None,
                           vp_cert=args.openid4vp_cert, vp_key=args.openid4vp_key, vp_keys=args.openid4vp_keys)
    try:
        serve(config)
    except (OSError, ValueError) as exc:
        print(f"satchel-verifier: cannot start: {exc}", file=sys.stderr)
        return 2
    except Exception as exc:  # the database refused us, say (psycopg's errors): one line, no traceback
        print(f"satchel-verifier: cannot start: {type(exc).__name__}: {str(exc).splitlines()[0] if str(exc) else ''}",
              file=sys.stderr)
        return 2
    return 0


def main(argv: list[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    if args.command == "serve":
        return _serve(args)
    if args.command == "app":
        return _app(args)
    return 2  # pragma: no cover - argparse rejects unknown commands


if __name__ == "__main__":
    sys.exit(main())
