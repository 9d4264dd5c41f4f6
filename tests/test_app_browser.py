"""The app in a real browser (Playwright driving Debian's headless Chromium) against the REAL
app: phone (390x844) and laptop (1280x800), French and English browsers.

Chromium is /usr/bin/chromium, or $ASSISTANT_CHROMIUM (Playwright's own browser download does
not work here). When it is missing the tests skip, unless ASSISTANT_REQUIRE_BROWSER=1 (set by
scripts/test.sh, as in CI): then they fail.
Screenshots of each main state go to tests/screenshots/ (the README shows them).
"""

from __future__ import annotations

import contextlib
import csv
import json
import re
import zipfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.ui_harness import FAULT_MARK, PASSWORD, XSS_QUESTION, App

with contextlib.suppress(ImportError):  # reported by the `browser` fixture (ui_fixtures.py)
    from playwright.sync_api import Browser, Page, expect

pytest_plugins = ["tests.ui_fixtures"]

SCREENSHOTS = Path(__file__).resolve().parent / "screenshots"
VIEWPORTS = {"phone": (390, 844), "laptop": (1280, 800)}
LOCALES = {"fr": "fr-FR", "en": "en-US"}
TABS = {
    "fr": ["Questions", "Animation", "Évaluation", "Corpus"],
    "en": ["Questions", "Facilitation", "Evaluation", "Corpus"],
}
QUESTIONS = {
    "fr": "Quel est le temps d'accès aux urgences en haute vallée ?",
    "en": "How long does it take to reach an emergency department from the upper valley?",
}
TIMEOUT_MS = 30_000
MIN_TAP = 44  # px
BOX_THEME = "Santé"
BOX_SCENARIO = "1. Le numérique"


@pytest.fixture
def open_page(browser: Browser, ui_app: App) -> Iterator[Any]:
    """open_page(device, lang, path="") -> a page on the app, in a fresh browser context."""
    contexts = []

    def opener(device: str, lang: str, path: str = "") -> Page:
        width, height = VIEWPORTS[device]
        context = browser.new_context(
            locale=LOCALES[lang],
            viewport={"width": width, "height": height},
            device_scale_factor=1,
            is_mobile=device == "phone",
            has_touch=device == "phone",
        )
        contexts.append(context)
        context.set_default_timeout(TIMEOUT_MS)
        page = context.new_page()
        page.goto(ui_app.url + path)
        page.wait_for_selector("#question textarea")
        return page

    yield opener
    for context in contexts:
        context.close()


# -- helpers --------------------------------------------------------------------------------
def shot(page: Page, name: str, focus: str | None = None) -> None:
    """Save a screenshot of the viewport (with `focus` scrolled into view) for the README."""
    SCREENSHOTS.mkdir(exist_ok=True)
    if focus:
        page.locator(focus).first.scroll_into_view_if_needed()
    page.screenshot(path=str(SCREENSHOTS / name))


def tab_labels(page: Page) -> list[str]:
    """The tab labels, those folded into the "more tabs" menu on a phone included."""
    shown = page.get_by_role("tab").all_text_contents()
    folded = page.locator(".overflow-dropdown button").all_text_contents()
    return [t.strip() for t in shown + folded if t.strip()]


def open_tab(page: Page, label: str) -> None:
    """Open a tab by its label (through the "more tabs" menu when it is folded away)."""
    tab = page.get_by_role("tab", name=label, exact=True)
    if tab.count() and tab.is_visible():
        tab.click()
        return
    page.locator(".overflow-menu > button").click()
    page.locator(".overflow-dropdown button", has_text=re.compile(f"^{label}$")).click()


def ask(page: Page, question: str) -> None:
    """Ask in the chat and wait for the answer (or the refusal) of this question."""
    bots = page.locator("#transcript .bubble.bot")
    before = bots.count()
    page.fill("#question textarea", question)
    page.click("#send")
    expect(bots).to_have_count(before + 1)
    expect(bots.last.locator(".pending")).to_have_count(0)  # the answer has replaced the wait


def no_horizontal_scroll(page: Page) -> bool:
    return bool(page.evaluate("document.documentElement.scrollWidth <= window.innerWidth"))


def small_tap_targets(page: Page) -> list[str]:
    """Visible buttons and citation chips less than 44 px high."""
    small = []
    for element in page.locator("button:visible, details.cite > summary:visible").all():
        box = element.bounding_box()
        if box and box["height"] < MIN_TAP:
            label = (element.inner_text() or element.get_attribute("aria-label") or "?").strip()
            small.append(f"{label[:40]!r}: {box['height']:.0f}px")
    return small


def log_in(page: Page, lang: str, password: str = PASSWORD) -> None:
    open_tab(page, TABS[lang][1])
    page.fill("#password input", password)
    page.click("#login")
    if password == PASSWORD:  # the panel has reopened the latest saved draft, if any
        expect(page.locator("#draft [data-draft]")).to_be_attached(timeout=60_000)


def write_draft(page: Page, shown: str = "#download-md") -> None:
    """Draft (Rédiger) and wait for the new draft, not the reopened one."""
    page.click("#draft-write")
    expect(page.locator("#draft [data-draft]")).to_have_count(0, timeout=60_000)
    expect(page.locator(shown)).to_be_visible(timeout=60_000)


def pick_for_evaluation(page: Page, lang: str, question: str) -> None:
    """In the evaluation tab, choose the journal entry of this question."""
    open_tab(page, TABS[lang][2])
    page.click("#evaluate-refresh")
    page.click("#evaluate-pick input")
    option = page.locator("#evaluate-pick [role=option]", has_text=question[:40]).first
    option.click()


# -- participants ---------------------------------------------------------------------------
@pytest.mark.parametrize("lang", ["fr", "en"])
@pytest.mark.parametrize("device", ["phone", "laptop"])
def test_ask_and_open_a_citation(open_page: Any, device: str, lang: str) -> None:
    page = open_page(device, lang)
    assert tab_labels(page) == TABS[lang]
    ask(page, QUESTIONS[lang])
    chips = page.locator("#transcript details.cite > summary")
    expect(chips.first).to_be_visible()
    chips.first.click()
    card = page.locator("#transcript details.cite[open] .card").first
    expect(card.locator(".quote")).to_be_visible()
    assert "58" in card.locator(".quote").inner_text()
    expect(card.locator(".label")).to_be_visible()  # constat / hypothèse
    assert no_horizontal_scroll(page)
    assert small_tap_targets(page) == []
    shot(page, f"{device}-{lang}-answer.png", "#transcript details.cite[open]")


def test_a_refusal_is_plain(open_page: Any) -> None:
    page = open_page("phone", "fr")
    ask(page, "Quel est le prix du ticket de métro à Tokyo ?")
    refusal = page.locator("#transcript .refusal")
    expect(refusal).to_be_visible()
    assert page.locator("#transcript details.cite").count() == 0
    assert no_horizontal_scroll(page)
    shot(page, "phone-fr-refusal.png", "#transcript .refusal")


def test_the_language_switch_turns_a_french_browser_english(open_page: Any) -> None:
    page = open_page("phone", "fr", "?lang=en")
    expect(page.locator("#send")).to_have_text("Send", timeout=3_000)
    assert tab_labels(page) == TABS["en"]


def test_server_rendered_text_follows_an_english_browser(open_page: Any) -> None:
    page = open_page("laptop", "en")
    expect(page.locator("#transcript")).to_contain_text("Ask a question", timeout=3_000)


# -- facilitators and evaluators -----------------------------------------------------------
@pytest.mark.parametrize(("device", "lang"), [("phone", "fr"), ("laptop", "en")])
def test_the_facilitator_wall_lists_the_questions(open_page: Any, device: str, lang: str) -> None:
    page = open_page(device, lang)
    question = f"Combien de médecins généralistes en 2024 ? ({device}-{lang})"
    ask(page, question)
    log_in(page, lang, "not-the-password")
    expect(page.locator("#login-status")).to_contain_text(re.compile("incorrect|Wrong"))
    expect(page.locator("#facilitator-panel")).to_be_hidden()
    log_in(page, lang)
    expect(page.locator("#facilitator-panel")).to_be_visible()
    wall = page.locator("#wall")
    expect(wall).to_contain_text(question)
    expect(wall.locator(".theme .count").first).to_be_visible()
    assert no_horizontal_scroll(page)
    assert small_tap_targets(page) == []
    shot(page, f"{device}-{lang}-facilitator.png", "#wall")
    page.click("#box-show")
    expect(page.locator("#box table")).to_be_visible()
    assert no_horizontal_scroll(page)  # the wide box scrolls inside its own frame
    assert small_tap_targets(page) == []


@pytest.mark.parametrize("device", ["laptop", "phone"])
def test_the_evaluator_sees_the_passage_highlighted(
    open_page: Any, device: str, tmp_path: Path
) -> None:
    page = open_page(device, "fr")
    question = f"Combien de France Services ? ({device})"
    ask(page, question)
    pick_for_evaluation(page, "fr", question)
    mark = page.locator("#evaluation .context mark").first
    expect(mark).to_be_visible()
    quote = page.locator("#evaluation .evidence .card .quote").first.inner_text()
    assert mark.inner_text().strip() == quote.strip()
    expect(page.locator("#evaluation .check .verdict").first).to_be_visible()
    assert no_horizontal_scroll(page)
    shot(page, f"{device}-fr-evaluation.png", "#evaluation .context mark")

    with page.expect_download() as download:
        page.click("#audit-csv")
    saved = tmp_path / "audit.csv"
    download.value.save_as(saved)
    rows = list(csv.DictReader(saved.read_text(encoding="utf-8").splitlines()))
    assert rows and {"sentence", "verdict", "quote", "doc_id", "start", "end"} <= set(rows[0])
    assert quote.strip() in {r["quote"].strip() for r in rows}


def choose(page: Page, dropdown: str, option: str) -> None:
    """Pick an option of a Gradio dropdown (by its elem_id) by its visible label."""
    page.click(f"{dropdown} input")
    page.locator(f"{dropdown} [role=option]", has_text=option).first.click()


def mark_cell(page: Page, theme: str, scenario: str, mark: str) -> None:
    """In the morphological box, mark one cell keep / adapt / drop; wait until it shows."""
    page.click("#box-show")
    expect(page.locator("#box table")).to_be_visible()
    choose(page, "#box-theme", theme)
    choose(page, "#box-scenario", scenario)
    page.locator("#box-mark").get_by_text(re.compile(rf"/ {mark}$")).click()
    page.click("#box-apply")
    expect(page.locator(f"#box td.mark-{mark}").first).to_be_visible()


def test_the_facilitator_keeps_a_box_cell_drafts_and_downloads_word(
    open_page: Any, tmp_path: Path
) -> None:
    page = open_page("laptop", "fr")
    log_in(page, "fr")
    mark_cell(page, BOX_THEME, BOX_SCENARIO, "keep")
    shot(page, "laptop-fr-box.png", "#box td.mark-keep")

    write_draft(page, "#download-docx")
    expect(page.locator("#draft details.cite").first).to_be_attached()
    shot(page, "laptop-fr-draft.png", "#draft")
    with page.expect_download() as download:
        page.click("#download-docx")
    saved = tmp_path / "draft.docx"
    download.value.save_as(saved)
    assert download.value.suggested_filename.endswith(".docx")
    with zipfile.ZipFile(saved) as docx:
        body = docx.read("word/document.xml").decode("utf-8")
    assert "Vision" in body


def test_an_edited_draft_sentence_is_unverified_until_checked(open_page: Any) -> None:
    """Animation tab: edit a sentence of a drafted section; it shows "non vérifiée" (and
    nothing else of the section changes) until "Vérifier" checks it again."""
    page = open_page("laptop", "fr")
    log_in(page, "fr")
    page.click("#box-show")  # built from the store when this test runs first: slow
    expect(page.locator("#box table")).to_be_visible(timeout=120_000)
    mark_cell(page, BOX_THEME, BOX_SCENARIO, "keep")
    write_draft(page)
    box = page.locator("#draft-edit-text textarea")
    expect(box).not_to_have_value("")
    first = box.input_value().splitlines()[0]
    number = re.findall(r"\[(\d+)\]", first)[0]
    view = page.locator("#draft")
    assert view.locator(".verdict-unverified").count() == 0
    edited = f"Les <b>licornes</b> soignent les habitants de la vallée [{number}]"
    box.fill("\n".join([edited, *box.input_value().splitlines()[1:]]))
    page.click("#draft-edit-apply")
    unverified = view.locator(".sentence.verdict-unverified")
    expect(unverified).to_have_count(1)
    expect(unverified).to_contain_text("Les <b>licornes</b> soignent")  # escaped, as text
    expect(unverified).to_contain_text("non vérifiée")
    assert view.locator("b", has_text="licornes").count() == 0
    shot(page, "laptop-fr-draft-edited.png", "#draft .verdict-unverified")

    page.click("#draft-verify")
    expect(unverified).to_have_count(0)
    checked = view.locator(".sentence", has_text="soignent les habitants")
    expect(checked).to_have_count(1)
    assert re.search(r"verdict-(weak|unsupported)", checked.get_attribute("class") or "")
    expect(checked).to_contain_text("⚠")  # shown flagged, never as supported


def test_a_saved_draft_reopens_after_a_page_reload_to_edit_further(open_page: Any) -> None:
    """The edit is saved in the journal; after a reload (a new session) and a login, the
    draft is on screen again, its edited sentence still "non vérifiée" until checked."""
    page = open_page("laptop", "fr")
    log_in(page, "fr")
    page.click("#box-show")
    expect(page.locator("#box table")).to_be_visible(timeout=120_000)
    mark_cell(page, BOX_THEME, BOX_SCENARIO, "keep")
    write_draft(page)
    box = page.locator("#draft-edit-text textarea")
    expect(box).not_to_have_value("")
    lines = box.input_value().splitlines()
    number = re.findall(r"\[(\d+)\]", lines[0])[0]
    edited = f"Le groupe ajoute une navette entre les hameaux [{number}]"
    box.fill("\n".join([edited, *lines[1:]]))
    page.click("#draft-edit-apply")
    view = page.locator("#draft")
    expect(view.locator(".sentence.verdict-unverified")).to_have_count(1)

    page.reload()
    page.wait_for_selector("#question textarea")  # loaded again, as `open_page` waits
    expect(page.locator("#draft-edit-text textarea")).to_be_hidden()  # a new session
    log_in(page, "fr")
    expect(view.locator("[data-draft=saved]")).to_be_attached()
    unverified = view.locator(".sentence.verdict-unverified")
    expect(unverified).to_have_count(1)
    expect(unverified).to_contain_text("navette entre les hameaux")
    expect(unverified).to_contain_text("non vérifiée")
    box = page.locator("#draft-edit-text textarea")
    expect(box).to_have_value(re.compile("^Le groupe ajoute une navette"))
    assert box.input_value().splitlines()[1:] == lines[1:]  # the rest as it was
    shot(page, "laptop-fr-draft-reopened.png", "#draft .verdict-unverified")

    box.fill(box.input_value().replace("hameaux", "hameaux et le bourg"))  # edit further
    page.click("#draft-edit-apply")
    expect(unverified).to_contain_text("hameaux et le bourg")
    page.click("#draft-verify")
    expect(unverified).to_have_count(0)
    checked = view.locator(".sentence", has_text="hameaux et le bourg")
    expect(checked).to_have_count(1)


def test_the_workshop_import_says_what_it_did(open_page: Any, tmp_path: Path) -> None:
    page = open_page("laptop", "fr")
    ask(page, "Combien de France Services ? (export puis import)")
    log_in(page, "fr")
    expect(page.locator("#facilitator-panel")).to_be_visible()
    exports = page.locator("#workshop-section").get_by_role("button", name=re.compile("^Exports"))
    exports.click()  # open the Exports accordion
    page.click("#workshop-export")
    with page.expect_download() as download:
        page.click("#workshop-download")
    saved = tmp_path / "atelier.json"
    download.value.save_as(saved)
    count = len(json.loads(saved.read_text(encoding="utf-8"))["questions"])
    page.set_input_files("#workshop-import input[type=file]", str(saved))
    status = page.locator("#import-status")
    expect(status).to_contain_text(f"{count} question")  # before: a bare "Error" toast
    assert page.locator(".toast-body.error").count() == 0
    shot(page, "laptop-fr-import.png", "#import-status")

    broken = tmp_path / "casse.json"
    broken.write_text('{"format": "scenario-assistant-workshop/1", "questions": [{}]}', "utf-8")
    page.set_input_files("#workshop-import input[type=file]", str(broken))
    expect(status).to_contain_text("Rien n'a été importé")  # and why


def test_an_unexpected_error_ends_in_a_short_message(browser: Browser, guarded_app: App) -> None:
    context = browser.new_context(locale="fr-FR", viewport={"width": 390, "height": 844})
    context.set_default_timeout(TIMEOUT_MS)
    page = context.new_page()
    page.goto(guarded_app.url)
    page.wait_for_selector("#question textarea")
    bots = page.locator("#transcript .bubble.bot")
    page.fill("#question textarea", f"Combien de France Services ? {FAULT_MARK}")
    page.click("#send")
    expect(bots.last.locator(".failure")).to_be_visible(timeout=15_000)  # before: stuck on "…"
    expect(bots.last.locator(".pending")).to_have_count(0)
    assert len(bots.last.inner_text()) < 200 and "Traceback" not in bots.last.inner_text()
    shot(page, "phone-fr-failure.png", "#transcript .failure")
    ask(page, "Combien de France Services ?")  # the chat still works
    expect(bots.last.locator("details.cite").first).to_be_attached()
    log = guarded_app.log_path.read_text(encoding="utf-8", errors="replace")
    assert "Traceback" in log and "RuntimeError: injected fault" in log
    context.close()


# -- security --------------------------------------------------------------------------------
def test_markup_from_documents_and_questions_stays_inert(open_page: Any) -> None:
    page = open_page("phone", "fr")
    dialogs: list[str] = []
    page.on("dialog", lambda d: (dialogs.append(d.message), d.dismiss()))
    ask(page, XSS_QUESTION)
    page.locator("#transcript details.cite > summary").first.click()
    quote = page.locator("#transcript details.cite[open] .card .quote").first
    expect(quote).to_be_visible()
    text = quote.inner_text()
    assert "<script>window.__xss=1</script>" in text
    assert '<img src=x onerror="window.__xss=2">' in text
    assert "&lt;script" in quote.inner_html()
    transcript = page.locator("#transcript")
    assert transcript.locator("script, img[src='x'], img[onerror]").count() == 0
    shot(page, "phone-fr-xss.png", "#transcript details.cite[open]")

    # a participant's question with markup: shown as text in the chat and on the wall
    hostile = '<img src=x onerror="window.__xss=3"> marché nocturne de Saint-Ours ?'
    ask(page, hostile)
    expect(transcript.locator(".bubble.user").last).to_have_text(hostile)
    log_in(page, "fr")
    expect(page.locator("#wall")).to_contain_text(hostile)
    pick_for_evaluation(page, "fr", XSS_QUESTION)
    expect(page.locator("#evaluation .context mark").first).to_contain_text("<script>")
    assert page.locator("#wall img, #evaluation img, #evaluation script").count() == 0
    assert page.evaluate("typeof window.__xss") == "undefined"
    assert dialogs == []


# -- persistence (last: it restarts the shared app) -----------------------------------------
def test_the_workshop_survives_a_restart(open_page: Any, ui_app: App) -> None:
    page = open_page("laptop", "fr")
    question = "Combien de médecins généralistes en 2024 ? (avant redémarrage)"
    ask(page, question)
    log_in(page, "fr")
    mark_cell(page, "Mobilité", "3. Sans information", "adapt")
    write_draft(page, "#download-docx")
    page.context.close()
    ui_app.restart()

    page = open_page("laptop", "fr")
    log_in(page, "fr")
    expect(page.locator("#wall")).to_contain_text(question)
    page.click("#box-show")
    expect(page.locator("#box td.mark-adapt").first).to_be_visible()
    shot(page, "laptop-fr-after-restart.png", "#wall")
    pick_for_evaluation(page, "fr", question)  # the evaluator's list still has the answer
    expect(page.locator("#evaluation .context mark").first).to_be_visible()
    page.click("#evaluate-refresh")
    page.click("#evaluate-pick input")  # ... and the draft
    expect(page.locator("#evaluate-pick [role=option]").first).to_have_text(re.compile("Brouillon"))
