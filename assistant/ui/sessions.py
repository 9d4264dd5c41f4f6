"""A new session's state, without the configs nobody reads.

Gradio 6 builds a `SessionState` for each new session (a phone's first question, an API
call with no session) and, in it, the config of every block of the page (`config_values`:
127 blocks here, each with `inspect.signature` calls): about 9 ms of CPU on a quiet core,
as much as the answer itself in a burst of new phones (py-spy on the server). Only
Gradio's deep links read those configs (`/gradio_api/deep_link`, for `gr.DeepLinkButton`,
which this app does not use). `LeanSessionState` is Gradio's class with them computed
when first read: the same state, the same deep links.

`install()` puts it where Gradio makes sessions (`state_holder`, `route_utils`, `blocks`);
`tests/test_ui_sessions.py` checks that it still matches Gradio's own class.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from copy import copy
from typing import Any

from gradio import blocks as gr_blocks
from gradio import route_utils, state_holder
from gradio.state_holder import SessionState

_MODULES = (state_holder, route_utils, gr_blocks)


class LeanSessionState(SessionState):
    """Gradio's SessionState, each block's config computed when the deep link reads it."""

    def __init__(self, blocks: Any) -> None:
        # SessionState.__init__ without its dict of every block's config (see the module)
        self.blocks_config = copy(blocks.default_config)
        self.page_blocks = blocks.blocks
        self.config_values: dict[int, Any] = {}
        self.state_data: dict[int, Any] = {}
        self._state_ttl: dict[int, Any] = {}
        self.is_closed = False
        self.STATE_TTL_WHEN_CLOSED = 1 if os.getenv("GRADIO_IS_E2E_TEST", None) else 3600

    @property
    def components(self) -> Iterator[dict[str, Any]]:
        """Every block's config (the ones changed in this session as changed), in the
        page's order, as Gradio's own class yields them."""
        made = self.config_values
        ordered = {}
        for key, block in self.blocks_config.blocks.items():
            if key in made:
                ordered[key] = made[key]
            elif key in self.page_blocks:
                ordered[key] = self.blocks_config.config_for_block(key, [], block)
        ordered.update((k, v) for k, v in made.items() if k not in ordered)
        self.config_values = ordered
        for config in ordered.values():
            if config:
                yield config


def install() -> None:
    """Make Gradio build new sessions as `LeanSessionState`."""
    for module in _MODULES:
        module.SessionState = LeanSessionState  # type: ignore[attr-defined]
