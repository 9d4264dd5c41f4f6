"""Plain text and Markdown: decode the bytes, keep the text unchanged, read any front matter."""

from __future__ import annotations

import re
from pathlib import Path

from assistant.errors import LoadError
from assistant.types import LoadedText

_UTF8_BOM = b"\xef\xbb\xbf"
_UTF16_BOMS = (b"\xff\xfe", b"\xfe\xff")
# Control characters that never appear in real text (tab, newlines, form feed are fine).
_CONTROL = re.compile(r"[\x00-\x08\x0e-\x1f\x7f-\x9f]")
_CP1252_HIGH = {
    code: bytes([code]).decode("cp1252")
    for code in range(0x80, 0xA0)
    if code not in (0x81, 0x8D, 0x8F, 0x90, 0x9D)
}
_CONTROL_SAMPLE = 100_000
_CONTROL_MAX_RATIO = 0.05
_FRONT_MATTER_MAX_LINES = 200
_KEY_VALUE = re.compile(r"^([A-Za-z0-9_][\w .-]*?)\s*:(?:\s+(.*?))?\s*$")
_HEADING = re.compile(r"^ {0,3}#[ \t]+(.+?)\s*$")
_FENCE = re.compile(r"^ {0,3}(```|~~~)")


def one_line(exc: BaseException) -> str:
    """A one-line, bounded description of a library exception."""
    text = " ".join(str(exc).split()) or type(exc).__name__
    return text if len(text) <= 160 else text[:157] + "..."


def decode_text(data: bytes) -> str:
    """Decode bytes: UTF-8 (BOM stripped), UTF-16 with BOM, else cp1252 (gaps as latin-1)."""
    if data.startswith(_UTF8_BOM):
        try:
            return data[len(_UTF8_BOM) :].decode("utf-8")
        except UnicodeDecodeError:
            data = data[len(_UTF8_BOM) :]
    elif data.startswith(_UTF16_BOMS):
        try:
            return data.decode("utf-16")
        except UnicodeDecodeError as exc:
            raise LoadError("binary file, not text") from exc
    if b"\x00" in data:
        raise LoadError("binary file, not text")
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        pass
    # cp1252; its 5 undefined bytes (0x81 0x8D 0x8F 0x90 0x9D) decoded as latin-1, like
    # browsers do. charset-normalizer was tried here and garbles short French latin-1 texts.
    return data.decode("latin-1").translate(_CP1252_HIGH)


def check_not_binary(text: str) -> None:
    """Raise LoadError if the decoded text holds NULs or too many control characters."""
    if "\x00" in text:
        raise LoadError("binary file, not text")
    sample = text[:_CONTROL_SAMPLE]
    if sample and len(_CONTROL.findall(sample)) > _CONTROL_MAX_RATIO * len(sample):
        raise LoadError("binary file, not text")


def _unquote(value: str) -> str:
    if len(value) >= 2 and value[0] == value[-1] and value[0] in "\"'":
        return value[1:-1]
    return value


def parse_front_matter(text: str) -> tuple[dict[str, str], int]:
    """Return (meta, body_start) for a leading `---` ... `---` block of `key: value` lines."""
    first_end = text.find("\n")
    if first_end == -1 or text[:first_end].rstrip() != "---":
        return {}, 0
    meta: dict[str, str] = {}
    pos = first_end + 1
    for _ in range(_FRONT_MATTER_MAX_LINES):
        if pos >= len(text):
            break
        newline = text.find("\n", pos)
        end = len(text) if newline == -1 else newline + 1
        line = text[pos:end].rstrip("\r\n")
        pos = end
        if line.rstrip() == "---":
            return meta, end
        if not line.strip() or line.lstrip().startswith("#"):
            continue
        if line[0] in " \t" or line.startswith("- "):
            continue  # continuation of a YAML list or block value: not a simple key
        match = _KEY_VALUE.match(line)
        if match is None:
            return {}, 0  # not front matter (e.g. a horizontal rule followed by prose)
        value = _unquote((match.group(2) or "").strip()).strip()
        if value:
            meta[match.group(1).strip().lower()] = value
    return {}, 0


def first_heading(text: str) -> str | None:
    """Return the text of the first level-1 ATX heading (`# Title`) outside code fences."""
    in_fence = False
    for line in text.splitlines():
        if _FENCE.match(line):
            in_fence = not in_fence
            continue
        if in_fence:
            continue
        match = _HEADING.match(line)
        if match:
            title = re.sub(r"(^|\s+)#+$", "", match.group(1)).strip()
            if title:
                return title
    return None


def load_text(data: bytes, path: Path) -> LoadedText:
    """Load a .txt/.md file: decoded content unchanged, front matter in `meta`."""
    text = decode_text(data)
    check_not_binary(text)
    meta, body_start = parse_front_matter(text)
    title = meta.get("title") or first_heading(text[body_start:])
    fmt = "md" if path.suffix.lower() in (".md", ".markdown") else "txt"
    return LoadedText(text=text, fmt=fmt, title=title, meta=meta, body_start=body_start)
