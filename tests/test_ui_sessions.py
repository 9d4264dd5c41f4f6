"""A new session's state costs no block configs, and is still Gradio's session state."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import gradio as gr
import pytest
from gradio import blocks as gr_blocks
from gradio import route_utils, state_holder
from gradio.state_holder import SessionState

from assistant.config import Settings
from assistant.ui import sessions
from assistant.ui.sessions import LeanSessionState

from .ui_harness import free_port


@pytest.fixture(scope="module")
def page(tmp_path_factory: pytest.TempPathFactory) -> gr.Blocks:
    """The app's own page (every tab, 127 blocks), over the fake embedder."""
    from assistant import wiring
    from assistant.ui.app import build

    home = tmp_path_factory.mktemp("sessions") / "store"
    services = wiring.make_services(Settings(home=home, embedding_model="fake"))
    return build(services)


@pytest.fixture
def counted(monkeypatch: pytest.MonkeyPatch) -> Iterator[list[int]]:
    """The ids of the blocks whose config Gradio computes."""
    seen: list[int] = []
    real = gr_blocks.BlocksConfig.config_for_block

    def counting(_id: int, *args: Any, **kwargs: Any) -> dict[str, Any]:
        seen.append(_id)
        return dict(real(_id, *args, **kwargs))

    monkeypatch.setattr(gr_blocks.BlocksConfig, "config_for_block", staticmethod(counting))
    yield seen


def test_a_new_session_computes_no_block_config(page: gr.Blocks, counted: list[int]) -> None:
    SessionState(page)
    assert len(counted) >= 100  # Gradio's own: every block of the page, for each session
    counted.clear()
    LeanSessionState(page)
    assert counted == []


def test_the_lean_state_is_gradios_state(page: gr.Blocks) -> None:
    ours, theirs = LeanSessionState(page), SessionState(page)
    assert set(vars(ours)) - {"page_blocks"} == set(vars(theirs))  # nothing of Gradio's lost
    state = next(k for k, b in page.blocks.items() if isinstance(b, gr.State))
    textbox = next(k for k, b in page.blocks.items() if isinstance(b, gr.Textbox))
    for session in (ours, theirs):  # the same changes in each: a state, a value, a block
        session[state] = "fr"
        session._update_value_in_config(textbox, "bonjour")
    assert ours[state] == theirs[state] == "fr"
    assert list(ours.components) == list(theirs.components)  # what a deep link saves
    assert list(ours.components) == list(theirs.components)  # read twice: the same


def test_install_reaches_every_place_gradio_makes_sessions(
    monkeypatch: pytest.MonkeyPatch, page: gr.Blocks
) -> None:
    for module in (state_holder, route_utils, gr_blocks):
        monkeypatch.setattr(module, "SessionState", SessionState)
    sessions.install()
    holder = state_holder.StateHolder()
    holder.set_blocks(page)
    assert isinstance(holder["a-phone"], LeanSessionState)
    assert route_utils.SessionState is gr_blocks.SessionState is LeanSessionState


def test_the_app_serves_lean_sessions(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    """The app launched (in this process, on loopback): a call with a new session."""
    import httpx

    from assistant import wiring
    from assistant.ui.app import launch

    for module in (state_holder, route_utils, gr_blocks):
        monkeypatch.setattr(module, "SessionState", SessionState)
    services = wiring.make_services(Settings(home=tmp_path / "store", embedding_model="fake"))
    demo = launch(services, "127.0.0.1", free_port(), block=False)
    try:
        config = httpx.get(demo.local_url + "config", timeout=30).json()
        (ask,) = [d for d in config["dependencies"] if d.get("api_name") == "search"]
        body = {"data": ["accueil", None, 1], "fn_index": ask["id"], "session_hash": "phone1"}
        joined = httpx.post(demo.local_url + "gradio_api/queue/join", json=body, timeout=30)
        assert joined.status_code == 200, joined.text
        assert isinstance(demo.state_holder["phone1"], LeanSessionState)
    finally:
        demo.close()
