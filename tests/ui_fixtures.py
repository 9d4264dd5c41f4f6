"""Fixtures for the app tests (loaded with `pytest_plugins = ["tests.ui_fixtures"]`, so the
session-scoped app below is started once for both test_app_api.py and test_app_browser.py).

The app is the real one, over the bundled corpus plus one diagnostic carrying markup
(the XSS check), with the real embedding model; skipped with the reason when that model
is not prepared.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.ui_harness import XSS_DOC, XSS_FILE, App, model_ready, prepare_store


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
