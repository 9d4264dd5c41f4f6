"""CSV: one line per data row, `column : value ; column : value`."""

from __future__ import annotations

import csv
import io
from pathlib import Path

from assistant.errors import LoadError
from assistant.loaders.text import check_not_binary, decode_text, one_line
from assistant.types import LoadedText

_DELIMITERS = ",;\t"
_SNIFF_SAMPLE = 64 * 1024


def _first_line(text: str) -> str:
    for line in text.splitlines():
        if line.strip():
            return line
    return ""


def sniff_delimiter(text: str) -> str:
    """Guess the delimiter among `,` `;` and tab (csv.Sniffer, checked against the header)."""
    sample = text[:_SNIFF_SAMPLE]
    if len(text) > _SNIFF_SAMPLE and "\n" in sample:
        sample = sample[: sample.rindex("\n")]
    header = _first_line(sample)
    try:
        delimiter = csv.Sniffer().sniff(sample, delimiters=_DELIMITERS).delimiter
    except csv.Error:
        delimiter = ""
    if delimiter and delimiter in header:
        return delimiter
    # Sniffer failed or chose a character absent from the header: take the most frequent one.
    counts = {candidate: header.count(candidate) for candidate in _DELIMITERS}
    best = max(counts, key=lambda candidate: counts[candidate])
    return best if counts[best] else ","


def _cell(value: str) -> str:
    return " ".join(value.split())


def load_csv(data: bytes, path: Path) -> LoadedText:
    """Load a CSV: one `col : val ; ...` line per data row; header in meta["csv_columns"]."""
    text = decode_text(data)
    check_not_binary(text)
    delimiter = sniff_delimiter(text)
    try:
        rows = [
            [_cell(value) for value in row]
            for row in csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
        ]
    except csv.Error as exc:
        raise LoadError(f"malformed CSV: {one_line(exc)}") from exc
    rows = [row for row in rows if any(row)]
    if not rows:
        raise LoadError("no extractable text")
    header = [name or f"column {index}" for index, name in enumerate(rows[0], start=1)]
    lines: list[str] = []
    for row in rows[1:]:
        pairs = []
        for index, value in enumerate(row):
            if value:
                name = header[index] if index < len(header) else f"column {index + 1}"
                pairs.append(f"{name} : {value}")
        lines.append(" ; ".join(pairs))
    if not lines:
        raise LoadError("no data rows")
    title = " ".join(path.stem.replace("_", " ").replace("-", " ").split()) or None
    return LoadedText(
        text="\n".join(lines), fmt="csv", title=title, meta={"csv_columns": " | ".join(header)}
    )
