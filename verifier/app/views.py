"""The screens: Scan, Ask, Result, History, inside a shell with navigation and the offline switch.
Phone layout (bottom navigation, one column) below :data:`WIDE_FROM` logical pixels; desktop layout
(navigation rail, label/value columns) above."""

from __future__ import annotations

from typing import Any

import flet as ft

from credentials import describe_problem
from verifier.history import SOURCE_WORDS as SOURCES
from verifier.history import CredentialFacts, Entry

from .actions import Actions
from .look import (
    BACKGROUND,
    BRAND,
    BRAND_SOFT,
    CHECKS,
    INK,
    LINE,
    MUTED,
    SURFACE,
    VERDICTS,
    card,
    chip,
    fact,
    frame,
    note,
    primary,
    secondary,
    spinner,
    title,
)
from .state import ASK, HISTORY, RESULT, SCAN, TABS, UiState

WIDE_FROM = 760
NAV = [(SCAN, "Scan", ft.Icons.QR_CODE_SCANNER_OUTLINED, ft.Icons.QR_CODE_SCANNER),
       (ASK, "Ask", ft.Icons.SEND_TO_MOBILE_OUTLINED, ft.Icons.SEND_TO_MOBILE),
       (HISTORY, "History", ft.Icons.HISTORY_OUTLINED, ft.Icons.HISTORY)]


def _when(iso: str) -> str:
    from datetime import datetime

    try:
        when = datetime.fromisoformat(iso.replace("Z", "+00:00")).astimezone()
    except ValueError:
        return iso
    return when.strftime("%d %b %Y, %H:%M").lstrip("0")


# -- Scan ---------------------------------------------------------------------------------------------
@ft.component
def CameraCard(state: UiState, actions: Actions) -> ft.Control:
    """Live camera: find the computer's cameras, choose one, scan; the picture while it reads;
    Stop at any time. In web mode too: the app serves 127.0.0.1 only, so its computer is the
    browser's."""
    wide = state.wide
    controls: list[ft.Control] = [
        ft.Text("Point a camera of this computer at the candidate's QR code. It is read as soon as it is "
                "sharp enough; nothing is recorded.", color=MUTED),
    ]
    if state.camera_on:  # which camera, in full contrast (a disabled radio list would be greyed out)
        chosen = next((c.label for c in state.camera_devices if c.key == state.camera_device), "")
        controls.append(ft.Row([ft.Icon(ft.Icons.VIDEOCAM, color=BRAND, size=18),
                                ft.Text(f"Scanning with {chosen}", color=INK, expand=True)], spacing=8))
    elif state.camera_devices:
        # radio buttons, not a dropdown: a few cameras at most, all in view, each a labelled control
        # for a screen reader (Flet's web dropdown gives its menu items no labels)
        controls.append(ft.Semantics(label="Camera", container=True, content=ft.RadioGroup(
            value=state.camera_device,
            on_change=lambda e: setattr(state, "camera_device", e.control.value or state.camera_device),
            content=ft.Row([ft.Radio(value=c.key, label=c.label) for c in state.camera_devices],
                           wrap=True, spacing=16, run_spacing=4))))
    if not state.camera_on:  # what went wrong comes before what to do about it
        controls.append(note(state.camera_error, error=True))
    buttons: list[ft.Control] = []
    if state.camera_on:
        buttons.append(primary("Stop camera", actions.stop_camera, ft.Icons.STOP_CIRCLE))
    elif state.camera_devices:
        buttons.append(primary("Start camera", actions.start_camera, ft.Icons.VIDEOCAM))
    elif not state.camera_searched:
        buttons.append(primary("Find cameras", actions.find_cameras, ft.Icons.SEARCH,
                               disabled=state.camera_searching))
    if state.camera_searched and not state.camera_on:
        # short, so it sits beside "Start camera" on a phone
        buttons.append(secondary("Look again", actions.find_cameras, ft.Icons.REFRESH))
    controls.append(ft.Row(buttons, wrap=True, spacing=10, run_spacing=10))
    controls.append(spinner("Looking for cameras…" if state.camera_searching else ""))
    if state.camera_on:
        # the picture at its own shape (no black bars): as wide as the card on a phone, 330 high on
        # a desktop; a placeholder of the same height until the first frame comes
        picture: ft.Control = (
            ft.Image(src=state.camera_preview, height=330 if wide else None, fit=ft.BoxFit.CONTAIN,
                     gapless_playback=True, border_radius=12, semantics_label="What the camera sees")
            if state.camera_preview else
            ft.Container(spinner("Starting the camera…"), height=330 if wide else 180, padding=16,
                         alignment=ft.Alignment.CENTER_LEFT))
        controls.append(picture)
        controls.append(note(state.camera_note))
        controls.append(note(state.camera_error, error=True))
    else:
        controls.append(note(state.camera_note))
    return card(*controls, title_text="Live camera", icon=ft.Icons.VIDEOCAM)


@ft.component
def ScanView(state: UiState, actions: Actions) -> ft.Control:
    wide = state.wide
    parts: list[ft.Control] = [
        title("Check a credential"),
        ft.Text("Scan the candidate's QR code, open a photo of it, or paste what they sent you.", color=MUTED),
    ]
    parts.append(CameraCard(state, actions))
    field = ft.TextField(
        label="Link, JSON or JWT", expand=True, value=state.pasted, multiline=True, min_lines=3, max_lines=8,
        hint_text="https://…/s#vp=…   or   {\"@context\": …}   or   eyJ…",
        on_change=lambda e: setattr(state, "pasted", e.control.value or ""), border_radius=12,
        text_style=ft.TextStyle(font_family="monospace", size=13))
    parts.append(card(
        ft.Text("A share link from the candidate's wallet, a credential's JSON, or a JWT.", color=MUTED),
        ft.Row([field]),
        ft.Row([primary("Check", actions.check_pasted, ft.Icons.FACT_CHECK, disabled=not state.pasted.strip()),
                secondary("Clear", lambda _e: setattr(state, "pasted", ""), ft.Icons.CLEAR)], spacing=10),
        title_text="Paste a link or credential", icon=ft.Icons.CONTENT_PASTE))
    parts.append(card(
        ft.Text("A photo or screenshot of the QR code on the candidate's phone.", color=MUTED),
        ft.Row([secondary("Open a QR image", actions.pick_image, ft.Icons.IMAGE)]),
        title_text="Open an image", icon=ft.Icons.IMAGE_OUTLINED))
    parts.append(spinner(state.busy))
    parts.append(note(state.message, error=True))
    return frame(*parts, wide=wide)


# -- Ask ----------------------------------------------------------------------------------------------
@ft.component
def AskView(state: UiState, actions: Actions) -> ft.Control:
    parts: list[ft.Control] = [
        title("Ask for a credential"),
        ft.Text("Show this code to the candidate. Their wallet answers it with a presentation made just for "
                "this request, so it cannot be a copy.", color=MUTED),
    ]
    if state.request_qr and state.request_state == "waiting":
        qr = ft.Container(ft.Image(src=state.request_qr, width=280, height=280, semantics_label="Request QR code"),
                          bgcolor=SURFACE, padding=10, border_radius=16, border=ft.Border.all(1, LINE))
        parts.append(card(
            ft.Row([qr], alignment=ft.MainAxisAlignment.CENTER),
            spinner("Waiting for the candidate's wallet…"),
            ft.Text("Request address", color=MUTED, size=13, weight=ft.FontWeight.W_600),
            ft.Text(state.request_url, size=12, color=INK, font_family="monospace"),
            ft.Text(f"Expires {_when(state.request_expires)}.", color=MUTED, size=13),
            ft.Row([secondary("Cancel request", actions.cancel_request, ft.Icons.CLOSE),
                    secondary("New request", actions.start_request, ft.Icons.REFRESH)], spacing=10, wrap=True),
        ))
    else:
        if state.request_state == "expired":
            parts.append(note("That request expired before an answer came. Make a new one."))
        parts.append(card(
            ft.Text("A fresh challenge is made for every request and can be answered once.", color=MUTED),
            ft.Row([primary("New request", actions.start_request, ft.Icons.QR_CODE_2)]),
            title_text="Request QR code", icon=ft.Icons.QR_CODE_2))
    parts.append(note(state.message, error=True))
    return frame(*parts, wide=state.wide)


# -- Result -------------------------------------------------------------------------------------------
def _check_row(check: dict[str, str], key: str, state: UiState) -> ft.Control:
    look = CHECKS.get(check["status"], CHECKS["skipped"])
    return ft.ExpansionTile(
        leading=ft.Icon(look.icon, color=look.ink),
        title=ft.Text(check["message"], color=INK, size=14),
        subtitle=ft.Text(look.word, color=look.ink, size=12, weight=ft.FontWeight.W_600),
        controls=[ft.Container(ft.Column([
            ft.Text(f"Check: {check['id']}", color=MUTED, size=13),
            ft.Text(f"Result: {look.word}", color=MUTED, size=13),
            ft.Text(check["message"], color=INK, size=13),
        ], spacing=4), padding=ft.Padding.only(left=56 if state.wide else 44, right=16, bottom=12))],
        expanded_cross_axis_alignment=ft.CrossAxisAlignment.START, shape=ft.RoundedRectangleBorder(radius=10),
        collapsed_shape=ft.RoundedRectangleBorder(radius=10), min_tile_height=44, dense=True,
        # a phone's narrow card: less side padding, so a check's sentence gets the room
        tile_padding=None if state.wide else ft.Padding.symmetric(horizontal=4),
        key=key,
    )


def _credential_card(cred: CredentialFacts, n: int, many: bool, state: UiState) -> ft.Control:
    wide = state.wide
    look = VERDICTS.get(cred.verdict, VERDICTS["unverifiable"])
    issuer_chip = (chip("Known issuer", "#1B5E20", "#E4F4E6", ft.Icons.VERIFIED_USER) if cred.issuer_known
                   else chip("Self-asserted name", "#7A4A00", "#FFF2D9", ft.Icons.WARNING_AMBER))
    head: list[ft.Control] = [
        ft.Row([ft.Semantics(header=True, content=ft.Text(cred.achievement, size=20, weight=ft.FontWeight.W_700,
                                                          color=INK)),
                chip(look.word, look.ink, look.fill, look.icon) if many else ft.Container(visible=False)],
               wrap=True, spacing=10),
        ft.Text(" · ".join(x for x in (cred.kind, cred.achievement_type) if x), color=MUTED, size=13),
    ]
    facts: list[ft.Control] = [
        fact("Issued by", cred.issuer, wide),
        ft.Row([ft.Container(width=170), issuer_chip], spacing=10) if wide else issuer_chip,
        fact("Issued to", cred.subject, wide),
        fact("What it certifies", cred.description, wide),
        fact("Competencies", cred.competencies, wide),
        fact("Credits", cred.credits, wide),
        fact("Results", cred.results, wide),
        fact("Evidence", cred.evidence, wide),
        fact("Issued", cred.issued, wide),
        fact("Valid until", cred.valid_until or "No end date", wide),
        fact("Status as of", cred.status_as_of or "It has no status list", wide),
    ]
    checks = [_check_row(c, f"c{n}-{i}", state) for i, c in enumerate(cred.checks)]
    return card(*head, ft.Divider(color=LINE), *facts, ft.Divider(color=LINE),
                ft.Semantics(header=True, content=ft.Text("Every check", size=15, weight=ft.FontWeight.W_700,
                                                          color=INK)),
                ft.Column(checks, spacing=2))


def _verdict_banner(entry: Entry, wide: bool) -> ft.Control:
    look = VERDICTS.get(entry.verdict, VERDICTS["unverifiable"])
    facts = entry.facts
    explain = look.explain
    if facts.is_presentation and len(facts.credentials) > 1:
        explain += f" {len(facts.credentials)} credentials were presented."
    return ft.Semantics(live_region=True, label=f"Result: {look.word}", content=ft.Container(
        content=ft.Row([
            ft.Icon(look.icon, color=look.ink, size=64 if wide else 48),
            ft.Column([
                ft.Text(look.word, size=40 if wide else 32, weight=ft.FontWeight.W_800, color=look.ink),
                ft.Text(explain, color=look.ink, size=15),
                ft.Text(f"{SOURCES.get(entry.source, entry.source)} · checked {_when(entry.verified_at)}",
                        color=look.ink, size=13),
            ], spacing=4, expand=True),
        ], spacing=18, vertical_alignment=ft.CrossAxisAlignment.CENTER),
        bgcolor=look.fill, border_radius=20, padding=ft.Padding.symmetric(horizontal=24, vertical=22),
        border=ft.Border.all(2, look.ink)))


@ft.component
def ResultView(state: UiState, actions: Actions) -> ft.Control:
    entry = state.result
    if entry is None:
        return frame(title("No result"), note("That verification was deleted."), wide=state.wide)
    facts = entry.facts
    parts: list[ft.Control] = [
        ft.Row([secondary("Back", lambda _e: actions.back(), ft.Icons.ARROW_BACK),
                secondary("Export PDF", actions.export_pdf, ft.Icons.PICTURE_AS_PDF)], spacing=10, wrap=True),
        _verdict_banner(entry, state.wide),
    ]
    if facts.problems or facts.warnings:
        # the notes in plain words: the warning checks' own sentences (tokens only if none says it)
        said = [c["message"] for c in (*facts.presentation_checks, *(c for cr in facts.credentials for c in cr.checks))
                if c["status"] == "warning" and c["message"]]
        notes = list(dict.fromkeys(said)) or [describe_problem(w) for w in facts.warnings]
        words = [describe_problem(p) for p in facts.problems] + (notes if facts.warnings else [])
        parts.append(note(" ".join(words), error=bool(facts.problems)))
    if facts.is_presentation:
        rows = [_check_row(c, f"p-{i}", state) for i, c in enumerate(facts.presentation_checks)]
        parts.append(card(
            fact("Presented by", facts.holder or "not stated", state.wide),
            fact("Credentials", f"{len(facts.credentials)} in this presentation", state.wide),
            ft.Column(rows, spacing=2), title_text="The presentation", icon=ft.Icons.FOLDER_SHARED))
    many = len(facts.credentials) > 1
    for n, cred in enumerate(facts.credentials):
        parts.append(_credential_card(cred, n, many, state))
    for n, cred in enumerate(facts.endorsements):
        parts.append(card(fact("Endorsed by", cred.issuer, state.wide),
                          ft.Column([_check_row(c, f"e{n}-{i}", state) for i, c in enumerate(cred.checks)]),
                          title_text="Endorsement", icon=ft.Icons.THUMB_UP))
    parts.append(note(state.message))
    parts.append(ft.Row([primary("Check another", lambda _e: actions.go(SCAN), ft.Icons.QR_CODE_SCANNER)]))
    return frame(*parts, wide=state.wide)


# -- History ------------------------------------------------------------------------------------------
def _history_row(entry: Entry, actions: Actions, wide: bool) -> ft.Control:
    look = VERDICTS.get(entry.verdict, VERDICTS["unverifiable"])
    who = entry.issuer + ("" if entry.issuer_known else " (self-asserted)")
    return ft.Container(
        content=ft.Row([
            ft.Icon(look.icon, color=look.ink, size=28),
            ft.Column([
                ft.Text(entry.achievement, weight=ft.FontWeight.W_700, color=INK, size=15,
                        max_lines=2, overflow=ft.TextOverflow.ELLIPSIS),
                ft.Text(f"{look.word} · {who}", color=MUTED, size=13, max_lines=2,
                        overflow=ft.TextOverflow.ELLIPSIS),
                ft.Text(f"{SOURCES.get(entry.source, entry.source)} · {_when(entry.verified_at)}", color=MUTED,
                        size=12),
            ], spacing=2, expand=True),
            ft.TextButton("Open", on_click=lambda _e: actions.open_entry(entry.id),
                          tooltip=f"Open the result for {entry.achievement}") if wide else
            # a phone: the whole row opens it; an arrow (not a word) leaves the text its room
            ft.IconButton(ft.Icons.CHEVRON_RIGHT, tooltip=f"Open the result for {entry.achievement}",
                          icon_color=BRAND, on_click=lambda _e: actions.open_entry(entry.id)),
            ft.IconButton(ft.Icons.DELETE_OUTLINE, tooltip=f"Delete {entry.achievement}", icon_color=MUTED,
                          on_click=lambda _e: actions.delete_entry(entry.id)),
        ], spacing=12 if wide else 6),
        bgcolor=SURFACE, border_radius=14, padding=ft.Padding.symmetric(horizontal=14 if wide else 10, vertical=10),
        border=ft.Border.all(1, LINE), on_click=lambda _e: actions.open_entry(entry.id),
    )


@ft.component
def HistoryView(state: UiState, actions: Actions) -> ft.Control:
    _ = state.history_version  # re-read when it changes
    entries = actions.engine.history.list()
    parts: list[ft.Control] = [
        ft.Row([title("History"), secondary("Export CSV", actions.export_csv, ft.Icons.TABLE_VIEW)],
               alignment=ft.MainAxisAlignment.SPACE_BETWEEN),
        ft.Text("Verifications made on this device. Only you can see them; delete any you no longer need.",
                color=MUTED),
        note(state.message),
    ]
    if not entries:
        parts.append(card(ft.Text("Nothing checked yet. Results appear here after each check.", color=MUTED)))
    parts.extend(_history_row(e, actions, state.wide) for e in entries)
    return frame(*parts, wide=state.wide)


# -- Shell --------------------------------------------------------------------------------------------
def _offline_bar(state: UiState, actions: Actions) -> ft.Control:
    if not state.offline:
        return ft.Container(visible=False)
    return ft.Container(
        content=ft.Row([ft.Icon(ft.Icons.CLOUD_OFF, color="#7A4A00", size=18),
                        ft.Text("Offline mode. " + actions.cache_words(), color="#7A4A00", size=13, expand=True)],
                       spacing=8),
        bgcolor="#FFF2D9", padding=ft.Padding.symmetric(horizontal=16, vertical=8))


@ft.component
def VerifierApp(state: UiState, actions: Actions) -> ft.Control:
    screen = state.screen
    tab = screen if screen in TABS else state.came_from if state.came_from in TABS else SCAN
    index = [t for t, *_ in NAV].index(tab)
    body: ft.Control
    if screen == ASK:
        body = AskView(state, actions)
    elif screen == RESULT:
        body = ResultView(state, actions)
    elif screen == HISTORY:
        body = HistoryView(state, actions)
    else:
        body = ScanView(state, actions)

    def pick(e: Any) -> None:
        actions.go(NAV[int(e.control.selected_index)][0])

    brand = ft.Row([
        ft.Container(ft.Icon(ft.Icons.VERIFIED_USER, color=SURFACE, size=20), bgcolor=BRAND, border_radius=10,
                     padding=6),
        ft.Column([ft.Text("Satchel Verifier", size=18, weight=ft.FontWeight.W_800, color=INK),
                   ft.Text("Check badges and credentials", size=11, color=MUTED)] if state.wide else
                  [ft.Text("Satchel Verifier", size=17, weight=ft.FontWeight.W_800, color=INK)], spacing=0),
    ], spacing=10)
    switch = ft.Switch(label="Offline mode", value=state.offline, active_color=BRAND,
                       on_change=lambda e: actions.set_offline(bool(e.control.value)))
    top = ft.Container(content=ft.Row([brand, switch], alignment=ft.MainAxisAlignment.SPACE_BETWEEN),
                       bgcolor=SURFACE, padding=ft.Padding.symmetric(horizontal=16, vertical=10),
                       border=ft.Border.only(bottom=ft.BorderSide(1, LINE)))
    content = ft.Container(ft.Column([_offline_bar(state, actions), ft.Container(body, expand=True)], spacing=0,
                                     expand=True), expand=True, bgcolor=BACKGROUND)
    shell: ft.Control
    if state.wide:
        rail = ft.NavigationRail(
            selected_index=index, on_change=pick, label_type=ft.NavigationRailLabelType.ALL, min_width=92,
            bgcolor=SURFACE, indicator_color=BRAND_SOFT,
            destinations=[ft.NavigationRailDestination(icon=i, selected_icon=s, label=label)
                          for _t, label, i, s in NAV])
        shell = ft.Column([top, ft.Row([rail, ft.VerticalDivider(width=1, color=LINE), content], expand=True,
                                       spacing=0)], expand=True, spacing=0)
        return ft.Stack([shell, flash_layer(state)], expand=True, fit=ft.StackFit.EXPAND)
    bar = ft.NavigationBar(
        selected_index=index, on_change=pick, bgcolor=SURFACE, indicator_color=BRAND_SOFT,
        label_behavior=ft.NavigationBarLabelBehavior.ALWAYS_SHOW,
        destinations=[ft.NavigationBarDestination(icon=i, selected_icon=s, label=label) for _t, label, i, s in NAV])
    shell = ft.Column([top, content, bar], expand=True, spacing=0)
    return ft.Stack([shell, flash_layer(state)], expand=True, fit=ft.StackFit.EXPAND)


def flash_layer(state: UiState) -> ft.Control:
    """The colour pulse after a check (driven by ``Actions._pulse``): the verdict's colour over the
    whole screen, up in 90 ms, held a quarter second, gone in 700 ms; it never takes a click or a
    screen reader's focus. Always in the tree (hidden when idle), so the screens under it keep
    their state."""
    look = VERDICTS.get(state.flash, VERDICTS["unverifiable"])
    return ft.Container(
        bgcolor=look.ink, opacity=0.38 if state.flash_on else 0.0, visible=bool(state.flash),
        animate_opacity=ft.Animation(90 if state.flash_on else 700, ft.AnimationCurve.EASE_OUT),
        ignore_interactions=True, expand=True, left=0, top=0, right=0, bottom=0, key="flash")
