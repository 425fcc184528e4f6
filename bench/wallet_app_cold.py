"""Cold start of the wallet app with 1,000 badges, in web mode, in headless Chromium.

    .venv/bin/python bench/wallet_app_cold.py [--count 1000] [--runs 3]

A wallet is filled with ``--count`` real credentials signed by the issuer stub and imported
through the import service (each verified). Then, per run: start ``python -m wallet.app --web``
as a new process, open it in Debian's Chromium, type the passphrase, and stop the clock when the
list says "N badges" (issue 7 target: under 3 s from process start). The passphrase is typed as
one input event (then 0.3 s for it to reach the app); the figures split where the time goes, and the target
is judged on the machine's share: process start to list visible, minus the typing.

Each run starts a new Chromium with an empty profile: the browser has never seen the app, so it
downloads and compiles Flet's whole web client (the worst case). ``--returning`` instead keeps one
profile that opened the app once before the runs (a learner's own browser: its HTTP and code caches
warm); the app process is still started cold every run.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.append(str(ROOT / "bench"))  # after the project: bench/wallet.py must not shadow `wallet`

from wallet_bench_data import fill_wallet  # noqa: E402

from tests.ui.ui_driver import CHROMIUM, CHROMIUM_FLAGS, DESKTOP, keep_loopback_only, running_app  # noqa: E402


def one_run(home: Path, count: int, passphrase: str, profile: Path | None = None) -> dict[str, float]:
    from playwright.sync_api import sync_playwright

    with sync_playwright() as pw:
        if profile is None:
            browser = pw.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_FLAGS)
        else:
            browser = pw.chromium.launch_persistent_context(str(profile), executable_path=str(CHROMIUM),
                                                            args=CHROMIUM_FLAGS, viewport=DESKTOP)
        try:
            start = time.perf_counter()
            with running_app(home) as app:
                listening = time.perf_counter()
                if profile is None:
                    page = browser.new_context(viewport=DESKTOP).new_page()
                else:
                    page = browser.new_page()
                keep_loopback_only(page)
                page.goto(app.url)
                page.wait_for_selector("flt-semantics-placeholder", state="attached", timeout=60_000)
                page.locator("flt-semantics-placeholder").evaluate("e => e.click()")
                box = page.get_by_role("textbox", name="Passphrase").first
                box.wait_for(timeout=60_000)
                drawn = time.perf_counter()
                wanted = f"{count} badges"
                shows = ("t => [...document.querySelectorAll('flt-semantics-host [aria-label], flt-semantics')]"
                         ".some(e => (e.getAttribute('aria-label') || '').includes(t)"
                         " || (e.textContent || '').includes(t))")
                submitted = drawn
                for _attempt in range(5):
                    box.click()
                    page.keyboard.insert_text(passphrase)  # one input event: no key is dropped
                    time.sleep(0.3)  # let the field's value reach the app before the click
                    page.mouse.move(2, 2)
                    page.get_by_role("button", name="Unlock").first.click()
                    submitted = time.perf_counter()
                    while time.perf_counter() - submitted < 20:
                        if page.evaluate(shows, wanted):
                            break
                        if page.evaluate(shows, "Enter your passphrase"):
                            break  # the click beat the typed text to the app: type again
                        page.mouse.move(2, 2)
                        page.mouse.move(1, 1)
                        time.sleep(0.02)
                    if page.evaluate(shows, wanted):
                        break
                else:
                    page.screenshot(path="/tmp/cold-fail.png")
                    raise TimeoutError(f"{wanted!r} not shown; app log:\n{app.log()[-2000:]}")
                listed = time.perf_counter()
        finally:
            browser.close()
    return {"listening": listening - start, "unlock screen": drawn - start, "listed": listed - start,
            "typing": submitted - drawn, "unlock to list": listed - submitted}


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--count", type=int, default=1000)
    ap.add_argument("--runs", type=int, default=3)
    ap.add_argument("--returning", action="store_true",
                    help="one browser profile that has opened the app before (caches warm)")
    args = ap.parse_args()
    with tempfile.TemporaryDirectory(prefix="satchel-cold-") as tmp:
        home = Path(tmp) / "home"
        passphrase = fill_wallet(home, args.count)
        profile = Path(tmp) / "browser-profile" if args.returning else None
        if profile is not None:
            one_run(home, args.count, passphrase, profile)  # the visit that fills the caches; not counted
        runs = [one_run(home, args.count, passphrase, profile) for _ in range(args.runs)]
    browser = "a browser that opened the app before" if args.returning else "a new browser profile each run"
    print(f"wallet app cold start, {args.count} badges, web mode, headless Chromium ({browser}), {args.runs} runs")
    for key in runs[0]:
        values = [r[key] for r in runs]
        print(f"  {key:<18} median {statistics.median(values):.2f} s, worst {max(values):.2f} s")
    machine_time = statistics.median(r["listed"] - r["typing"] for r in runs)
    print(f"  process start to list visible, typing excluded: median {machine_time:.2f} s "
          f"(target < 3 s: {'met' if machine_time < 3 else 'MISSED'})")


if __name__ == "__main__":
    main()
