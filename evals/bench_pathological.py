"""Time and memory of ingesting pathological files with the real CLI.

Generates each file of issue 10 item 6 (a DOCX of 2 million empty paragraphs, a 2 MB PDF
whose text is one line, 9 MB of one word without spaces, a 49 MB Markdown file) plus
neighbours (9 MB on one line with spaces, 16 MB of HTML; a DOCX of 20 000 short
paragraphs and 1.5 million characters of Markdown prose, both legitimate; a tiny note,
the CLI's own start-up cost), then runs `python -m assistant ingest FILE --json --store
<fresh>` once per file in a subprocess and prints, per file: the outcome (ingested /
refused and why), the wall-clock seconds and the child's peak RSS (`ru_maxrss` from
`os.wait4`). A run longer than `--timeout` seconds is killed and shown as such.

The embedder is `fake` by default (the hashing embedder: it measures the structural cost
of loading, structure detection and chunking, not the model's); `--model
multilingual-e5-small` uses the real one. Run from the project root:

    .venv/bin/python evals/bench_pathological.py
    .venv/bin/python evals/bench_pathological.py --only one-word.txt --timeout 600
"""

from __future__ import annotations

import argparse
import json
import os
import random
import signal
import subprocess
import sys
import tempfile
import threading
import time
import zipfile
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent

_CONTENT_TYPES = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
    '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
    '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.'
    'relationships+xml"/><Default Extension="xml" ContentType="application/xml"/>'
    '<Override PartName="/word/document.xml" ContentType="application/vnd.openxmlformats-'
    'officedocument.wordprocessingml.document.main+xml"/></Types>'
)
_RELS = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
    '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
    '<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/'
    'relationships/officeDocument" Target="word/document.xml"/></Relationships>'
)
_W = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"


def write_docx(path: Path, paragraphs: list[str]) -> None:
    """A minimal DOCX whose body is these paragraphs ('' is an empty `<w:p/>`)."""
    body = "".join(f"<w:p><w:r><w:t>{p}</w:t></w:r></w:p>" if p else "<w:p/>" for p in paragraphs)
    xml = (
        f'<?xml version="1.0" encoding="UTF-8"?><w:document xmlns:w="{_W}">'
        f"<w:body>{body}</w:body></w:document>"
    )
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as z:
        z.writestr("[Content_Types].xml", _CONTENT_TYPES)
        z.writestr("_rels/.rels", _RELS)
        z.writestr("word/document.xml", xml)


def write_pdf(path: Path, line: str) -> None:
    """A one-page PDF whose only text is `line` (one `Tj`), written by hand."""
    escaped = line.replace("\\", "\\\\").replace("(", "\\(").replace(")", "\\)")
    stream = f"BT /F1 10 Tf 20 400 Td ({escaped}) Tj ET".encode("latin-1")
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] "
        b"/Resources << /Font << /F1 5 0 R >> >> /Contents 4 0 R >>",
        b"<< /Length %d >>\nstream\n" % len(stream) + stream + b"\nendstream",
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
    ]
    out = bytearray(b"%PDF-1.4\n")
    offsets = []
    for number, body in enumerate(objects, start=1):
        offsets.append(len(out))
        out += b"%d 0 obj\n" % number + body + b"\nendobj\n"
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    out += b"".join(b"%010d 00000 n \n" % o for o in offsets)
    out += b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (
        len(objects) + 1,
        xref,
    )
    path.write_bytes(bytes(out))


_WORDS = [
    "le",
    "territoire",
    "accueil",
    "service",
    "public",
    "mobilité",
    "santé",
    "médecin",
    "commune",
    "habitants",
    "bus",
    "numérique",
    "mairie",
    "école",
    "emploi",
    "logement",
    "vallée",
    "marché",
    "jeudi",
    "association",
    "bénévoles",
]


def prose(rng: random.Random, size: int) -> str:
    """French-looking Markdown of about `size` characters: headings, paragraphs."""
    parts: list[str] = []
    total = 0
    section = 0
    while total < size:
        section += 1
        block = [f"## Section {section}\n"]
        for _ in range(6):
            sentence = " ".join(rng.choice(_WORDS) for _ in range(18)).capitalize() + "."
            block.append(" ".join([sentence] * 3) + "\n")
        text = "\n".join(block) + "\n"
        parts.append(text)
        total += len(text)
    return "# Rapport\n\n" + "".join(parts)


def make_files(folder: Path) -> dict[str, Callable[[], Path]]:
    """Name -> a function writing that pathological file into `folder`."""
    rng = random.Random(10)

    def docx_2m() -> Path:
        path = folder / "two-million-paragraphs.docx"
        write_docx(path, ["Texte."] + [""] * 2_000_000)
        return path

    def big_html() -> Path:
        path = folder / "big.html"
        para = "<p>Le territoire accueille un service public de mobilité pour ses habitants.</p>\n"
        path.write_text(f"<html><body>{para * 200_000}</body></html>", encoding="utf-8")
        return path

    def tiny() -> Path:
        path = folder / "tiny.md"
        path.write_text("# Note\n\nLe marché a lieu le jeudi.\n", encoding="utf-8")
        return path

    def largest_md() -> Path:
        path = folder / "largest-accepted.md"
        path.write_text(prose(rng, 1_500_000), encoding="utf-8")
        return path

    def docx_ok() -> Path:
        path = folder / "twenty-thousand-paragraphs.docx"
        write_docx(path, [f"Paragraphe {i} sur le service public." for i in range(20_000)])
        return path

    def pdf_line() -> Path:
        path = folder / "one-line.pdf"
        write_pdf(path, " ".join(rng.choice(_WORDS) for _ in range(260_000))[:2_000_000])
        return path

    def one_word() -> Path:
        path = folder / "one-word.txt"
        path.write_text("abcdefghij" * 900_000, encoding="utf-8")
        return path

    def long_line() -> Path:
        path = folder / "one-line-with-spaces.txt"
        path.write_text(" ".join(rng.choice(_WORDS) for _ in range(1_200_000))[:9_000_000])
        return path

    def big_md() -> Path:
        path = folder / "big.md"
        path.write_text(prose(rng, 46_500_000), encoding="utf-8")  # about 49 MB
        return path

    return {
        "tiny.md": tiny,
        "two-million-paragraphs.docx": docx_2m,
        "one-line.pdf": pdf_line,
        "one-word.txt": one_word,
        "one-line-with-spaces.txt": long_line,
        "big.md": big_md,
        "big.html": big_html,
        "twenty-thousand-paragraphs.docx": docx_ok,
        "largest-accepted.md": largest_md,
    }


def run_one(path: Path, store: Path, model: str, timeout: float) -> dict[str, object]:
    """Ingest one file with the real CLI; seconds, peak RSS (MB) and the outcome."""
    env = dict(os.environ, ASSISTANT_EMBEDDING_MODEL=model, HF_HUB_OFFLINE="1")
    env["PYTHONPATH"] = str(ROOT) + os.pathsep + env.get("PYTHONPATH", "")
    command = [sys.executable, "-m", "assistant", "ingest", str(path), "--json"]
    started = time.perf_counter()
    proc = subprocess.Popen(
        [*command, "--store", str(store)],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        env=env,
        start_new_session=True,
    )
    killed = threading.Event()

    def kill() -> None:
        killed.set()
        os.killpg(proc.pid, signal.SIGKILL)

    timer = threading.Timer(timeout, kill)
    timer.start()
    out_chunks: list[bytes] = []
    reader = threading.Thread(target=lambda: out_chunks.append(proc.stdout.read()))  # type: ignore[union-attr]
    reader.start()
    err = proc.stderr.read()  # type: ignore[union-attr]
    _, status, usage = os.wait4(proc.pid, 0)
    proc.returncode = os.waitstatus_to_exitcode(status)
    timer.cancel()
    reader.join()
    seconds = time.perf_counter() - started
    outcome: str
    if killed.is_set():
        outcome = f"killed after {timeout:g} s"
    else:
        try:
            report = json.loads(b"".join(out_chunks).decode())
            if report["ingested"]:
                outcome = f"ingested, {report['chunks']} chunks"
            else:
                outcome = "refused: " + "; ".join(f["error"] for f in report["failed"])
        except (ValueError, KeyError):
            outcome = "crashed: " + err.decode(errors="replace").strip().splitlines()[-1:][0]
    return {
        "file": path.name,
        "size_mb": round(path.stat().st_size / 1e6, 2),
        "seconds": round(seconds, 1),
        "peak_rss_mb": round(usage.ru_maxrss / 1024),
        "outcome": outcome,
        "load_avg_1min": round(os.getloadavg()[0], 1),  # other jobs slow a shared machine
    }


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--model", default="fake", help="embedding model (default: fake)")
    parser.add_argument("--timeout", type=float, default=240.0, help="kill a run after N s")
    parser.add_argument("--only", action="append", default=[], help="file name(s) to run")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="bench-patho-") as tmp:
        folder = Path(tmp)
        rows = []
        for name, make in make_files(folder).items():
            if args.only and name not in args.only:
                continue
            path = make()
            row = run_one(path, folder / f"store-{name}", args.model, args.timeout)
            rows.append(row)
            print(
                f"{row['file']:34} {row['size_mb']:>7} MB {row['seconds']:>7} s "
                f"{row['peak_rss_mb']:>6} MB RSS  load {row['load_avg_1min']:>4}  {row['outcome']}",
                flush=True,
            )
            path.unlink()
        print(json.dumps({"model": args.model, "rows": rows}, ensure_ascii=False))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
