"""The real thing for drafts: the packaged chat model behind llama.cpp's server (the
`served` fixture of test_llm_real.py: skipped when the model or the `llm` extra is
missing, unless ASSISTANT_REQUIRE_LLM=1), the real embedding model, the bundled corpus.

One section, one generation (it takes tens of seconds on 2 busy cores)."""

from __future__ import annotations

import pytest

from assistant.citations import SupportChecker
from assistant.tasks.box import build_box
from assistant.tasks.draft import draft
from assistant.tasks.draft_llm import rewriter_for
from assistant.wiring import make_ask_task, make_embedder, make_retriever
from assistant.workshop import set_mark

from .test_llm_real import Served, served  # noqa: F401  (the module-scoped real server)
from .workshop_helpers import assert_exact

pytestmark = pytest.mark.slow


def test_a_real_model_drafts_a_section_in_prose_every_citation_exact(
    served: Served,  # noqa: F811
) -> None:
    settings = served.settings
    embedder = make_embedder(settings)
    task = make_ask_task(settings, make_retriever(settings, served.store, embedder))
    assert task.generated is not None and isinstance(task.checker, SupportChecker)
    box = build_box(task.retriever, task.extractive)
    box = set_mark(set_mark(box, "Accueil", "2", "keep"), "Information", "3", "adapt")
    rewriter = rewriter_for(task.generated, timeout=1500.0)  # a bound against a hang only
    assert rewriter is not None
    result = draft(
        task.retriever, task.extractive, task.checker, box, ["Leviers"], rewriter=rewriter
    )
    (section,) = result.sections
    assert section.writer == task.generated.model.name, result.notes  # the model's paragraph
    assert section.sentences and result.writer == section.writer
    by_n = {c.n: c for c in result.citations}
    kept = [c for cell in box.cells if cell.mark in ("keep", "adapt") for c in cell.citations]
    for s in section.sentences:
        assert s.citations and s.verdict in ("supported", "weak"), s  # unsupported: removed
        for n in s.citations:  # a sub-span of a quote the section was given
            c = by_n[n]
            assert any(
                k.chunk_id == c.chunk_id and k.start <= c.start < c.end <= k.end for k in kept
            )
    assert_exact(served.store, result.citations)
