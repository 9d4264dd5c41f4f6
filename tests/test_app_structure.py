"""The Corpus tab's structure view in Chromium, against the real app (a server on loopback,
the fake embedder, a real Chroma store): the facilitator sees the scenarios and parts
detected in a scenario text, with document text escaped, renames a scenario and maps a
label to a part; a participant's session gets nothing."""

from __future__ import annotations

import json
import subprocess
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.test_app_browser import (
    TIMEOUT_MS,
    choose,
    log_in,
    open_tab,
    shot,
)
from tests.ui_harness import PYTHON, ROOT, App, app_env

pytest.importorskip("playwright.sync_api")
from playwright.sync_api import Browser, expect  # noqa: E402

pytest_plugins = ["tests.ui_fixtures"]  # the one session browser
FAKE = {"ASSISTANT_EMBEDDING_MODEL": "fake"}
TEXT = (
    "Scénario 1 : Repli\nLes villages se vident.\n\nRevers :\nL'isolement des aînés.\n\n"
    "Scénario 2 : Ouverture <img src=x onerror=alert(1)>\nLes bourgs accueillent.\n\n"
    "Revers :\nLa saturation des écoles.\n"
)


def _cli(home: Path, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [PYTHON, "-m", "assistant", *args],
        cwd=ROOT,
        env=app_env(home, **FAKE),
        capture_output=True,
        text=True,
        timeout=300,
    )


@pytest.fixture(scope="module")
def app(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[App, Path]]:
    root = tmp_path_factory.mktemp("structure-app")
    doc = root / "prospective.txt"
    doc.write_text(TEXT, encoding="utf-8")
    done = _cli(root / "store", "ingest", str(doc), "--kind", "scenario")
    assert done.returncode == 0, done.stderr
    with App(home=root / "store", log_dir=root, env=FAKE) as running:
        yield running, root / "store"


def test_the_facilitator_sees_the_structure_and_corrects_it(
    browser: Browser, app: tuple[App, Path]
) -> None:
    running, home = app
    context = browser.new_context(locale="fr-FR", viewport={"width": 1280, "height": 900})
    context.set_default_timeout(TIMEOUT_MS)
    page = context.new_page()
    page.goto(running.url)
    page.wait_for_selector("#question textarea")
    log_in(page, "fr")
    open_tab(page, "Corpus")
    view = page.locator("#structure")
    titles = view.locator("tr.scenario td.title")
    expect(titles).to_have_count(2)
    assert titles.all_inner_texts() == ["Repli", "Ouverture <img src=x onerror=alert(1)>"]
    assert view.locator("img").count() == 0  # the title's markup is text
    first = view.locator("tr.scenario").first
    assert first.locator("td.number").inner_text() == "1"
    assert "Les villages se vident" in first.locator("td.first").inner_text()
    assert first.locator("td.parts").inner_text() == "Récit (42), Revers (31)"

    choose(page, "#structure-doc", "prospective.txt")
    choose(page, "#structure-scenario", "2. Ouverture")
    page.fill("#structure-title textarea", "Ouverture des bourgs")
    page.click("#structure-rename")
    expect(page.locator("#structure-note")).to_contain_text("Corrigé")
    expect(titles.nth(1)).to_have_text("Ouverture des bourgs")

    page.fill("#structure-label textarea", "Revers")
    choose(page, "#structure-part", "Limites")
    page.click("#structure-map")
    expect(first.locator("td.parts")).to_have_text("Récit (42), Limites (31)")
    expect(view.locator("ol.corrections li")).to_have_count(2)
    shot(page, "laptop-fr-structure.png", "#structure-section")

    page.fill("#structure-label textarea", "Inconnu")
    page.click("#structure-map")
    expect(page.locator("#structure-note .error")).to_contain_text(
        "no line of a scenario starts with 'Inconnu'"
    )
    context.close()

    # what the store now holds, as the command line sees it
    shown = _cli(home, "structure", "show", "--json")
    (text,) = json.loads(shown.stdout)["scenario_texts"]
    assert [s["title"] for s in text["scenarios"]] == ["Repli", "Ouverture des bourgs"]
    assert [p["section"] for p in text["scenarios"][0]["parts"]] == ["narrative", "limits"]


def test_a_participant_session_cannot_correct(app: tuple[App, Path]) -> None:
    from assistant.config import Settings
    from assistant.ui.services import Forbidden
    from assistant.wiring import make_services

    _running, home = app
    services: Any = make_services(
        Settings(home=home, embedding_model="fake", facilitator_password="x"), announce=print
    )
    with pytest.raises(Forbidden):
        services.structure("")
    with pytest.raises(Forbidden):
        services.correct("", lambda e: e.rename("prospective", "1", "X"))
