"""Token-aware chunking: exact spans, no chunk across a section, offline tiktoken."""

from __future__ import annotations

from pathlib import Path

import tiktoken

from assistant.chunking import ENCODING, chunk_segments, make_splitter, prepare_tiktoken
from assistant.loaders import load_file
from assistant.structure import segment
from assistant.types import Segment

from .conftest import CORPUS


def test_tiktoken_works_offline_from_the_packaged_files(tmp_path: Path) -> None:
    prepare_tiktoken(tmp_path / "tk")
    assert len(list((tmp_path / "tk").iterdir())) == 1
    enc = tiktoken.get_encoding(ENCODING)
    assert enc.decode(enc.encode("Accès aux services publics à Saint-Étienne")) == (
        "Accès aux services publics à Saint-Étienne"
    )
    prepare_tiktoken(tmp_path / "tk")  # idempotent


def test_chunks_are_exact_spans_within_their_segment(tmp_path: Path) -> None:
    prepare_tiktoken(tmp_path / "tk")
    split = make_splitter(60, 10)
    enc = tiktoken.get_encoding(ENCODING)
    for path, kind in [
        (CORPUS / "scenarios" / "scenarios-exploratoires.md", "scenario"),
        (CORPUS / "diagnostics" / "diagnostic-territorial.md", "diagnostic"),
    ]:
        loaded = load_file(path)
        segments = segment(loaded, kind)
        chunks = chunk_segments(loaded.text, segments, split, "doc", "v" * 16)
        assert len(chunks) > len(segments) / 2
        for c in chunks:
            assert loaded.text[c.start : c.end] == c.text
            assert len(enc.encode(c.text)) <= 60
            owner = [s for s in segments if s.start <= c.start and c.end <= s.end]
            assert len(owner) == 1 and owner[0].section == c.section
        assert len({c.chunk_id for c in chunks}) == len(chunks)


def test_chunk_ids_are_stable_and_versioned(tmp_path: Path) -> None:
    prepare_tiktoken(tmp_path / "tk")
    split = make_splitter(30, 0)
    text = "Un. " * 100
    segs = [Segment(0, len(text) - 1, "s")]
    a = chunk_segments(text, segs, split, "d", "1111111111aa")
    b = chunk_segments(text, segs, split, "d", "1111111111aa")
    c = chunk_segments(text, segs, split, "d", "2222222222aa")
    assert [x.chunk_id for x in a] == [x.chunk_id for x in b]
    assert not {x.chunk_id for x in a} & {x.chunk_id for x in c}
