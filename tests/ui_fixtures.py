"""Fixtures for the app tests (loaded with `pytest_plugins = ["tests.ui_fixtures"]`, so the
session-scoped app below is started once for both test_app_api.py and test_app_browser.py).

The app is the real one, over the bundled corpus plus one diagnostic carrying markup
(the XSS check), with the real embedding model; skipped with the reason when that model
is not prepared.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.ui_harness import (
    GUARD_SETTINGS,
    XSS_DOC,
    XSS_FILE,
    App,
    fault_env,
    model_ready,
    prepare_store,
)

try:
    from playwright.sync_api import sync_playwright
except ImportError:  # reported by the `browser` fixture
    sync_playwright = None

CHROMIUM = Path(os.environ.get("ASSISTANT_CHROMIUM", "/usr/bin/chromium"))  # Debian's
CHROMIUM_ARGS = [
    "--no-sandbox", "--disable-gpu", "--disable-background-networking",
    "--disable-component-update", "--disable-sync", "--no-first-run",
]  # fmt: skip


@pytest.fixture(scope="session")
def browser() -> Iterator[Any]:
    """Headless Chromium, one for the whole run (two Playwright instances cannot share a
    process): checked before the app starts, as tests list it first."""
    problem = None
    if sync_playwright is None:
        problem = "playwright is not installed (pip install -e '.[test]')"
    elif not CHROMIUM.exists():
        problem = f"{CHROMIUM} is missing (apt-get install -y chromium)"
    if problem:
        if os.environ.get("ASSISTANT_REQUIRE_BROWSER") == "1":
            pytest.fail(f"browser tests required (ASSISTANT_REQUIRE_BROWSER=1): {problem}")
        pytest.skip(problem)
    with sync_playwright() as p:  # type: ignore[misc]
        chromium = p.chromium.launch(
            executable_path=str(CHROMIUM), args=CHROMIUM_ARGS, headless=True
        )
        yield chromium
        chromium.close()


@pytest.fixture(scope="session")
def ui_store(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    """(store folder, corpus copy): the bundled corpus and the XSS diagnostic, ingested."""
    ready, why = model_ready()
    if not ready:
        pytest.skip(why)
    root = tmp_path_factory.mktemp("ui")
    return prepare_store(root, {XSS_FILE: XSS_DOC})


@pytest.fixture(scope="session")
def ui_app(ui_store: tuple[Path, Path], tmp_path_factory: pytest.TempPathFactory) -> Iterator[App]:
    """The running app (one process for the session; tests may restart it on the same store)."""
    home, _ = ui_store
    app = App(home=home, log_dir=tmp_path_factory.mktemp("ui-logs"))
    app.start()
    try:
        yield app
    finally:
        app.stop()


@pytest.fixture(scope="session")
def guarded_app(
    ui_store: tuple[Path, Path], tmp_path_factory: pytest.TempPathFactory
) -> Iterator[App]:
    """A second real app on the same store, with small bounds (GUARD_SETTINGS), its own
    Gradio temporary folder (`app.env["GRADIO_TEMP_DIR"]`) and an answerer that raises an
    unexpected error on questions containing FAULT_MARK."""
    home, _ = ui_store
    root = tmp_path_factory.mktemp("guarded")
    env = {**GUARD_SETTINGS, **fault_env(root / "site"), "GRADIO_TEMP_DIR": str(root / "gradio")}
    app = App(home=home, log_dir=root, env=env)
    app.start()
    try:
        yield app
    finally:
        app.stop()
