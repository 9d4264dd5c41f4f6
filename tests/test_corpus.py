"""The bundled corpus: the seed's words kept as they are, every format represented."""

from __future__ import annotations

import re

import pytest

from .conftest import CORPUS, SEED

MARKUP = {"#", "##", "###", "-", ">", "•", ":", "---"}


def _words(text: str) -> list[str]:
    return [w for w in text.split() if w not in MARKUP]


def _body(path: str) -> str:
    text = (CORPUS / path).read_text(encoding="utf-8")
    return re.sub(r"\A---\n.*?\n---\n", "", text, flags=re.DOTALL)


@pytest.mark.skipif(not SEED.exists(), reason="shared seed not beside the repo")
def test_seed_words_are_unchanged_in_the_bundled_markdown() -> None:
    seed = SEED.read_text(encoding="utf-8")
    converted = _body("method/methode-scenarios.md") + _body("scenarios/scenarios-exploratoires.md")
    assert _words(converted) == _words(seed)


def test_every_format_is_in_the_example_diagnostic() -> None:
    names = {p.suffix for p in (CORPUS / "diagnostics").iterdir()}
    assert {".md", ".csv", ".pdf", ".docx"} <= names
    text = (CORPUS / "diagnostics" / "diagnostic-territorial.md").read_text(encoding="utf-8")
    assert "fictif" in text[:600]
