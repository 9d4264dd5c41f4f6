"""Which files an ingest reads and what it calls them: the files named or found below the
folders named (hidden files, READMEs and the corrections file left out; a folder walk
never follows a symbolic link), a document's kind (front matter, folder, `--kind`, or
its own headings), its stable id and the source it is shown as. Nothing here reads a
file's text beyond what `resolve_kind` is given.
"""

from __future__ import annotations

import hashlib
import os
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

from .corrections import FILE_NAME as CORRECTIONS_FILE
from .errors import LoadError
from .structure import names_scenarios, slugify
from .types import KINDS, LoadedText

KIND_FOLDERS = {"scenarios": "scenario", "diagnostics": "diagnostic", "method": "method"}
SYMLINK_SKIPPED = "symbolic link, not followed in a folder walk (name the file itself)"


@dataclass(frozen=True)
class FailedFile:
    """A file that could not be ingested, with a one-line reason."""

    path: str
    error: str


def discover(paths: Iterable[Path]) -> tuple[list[Path], list[FailedFile]]:
    """Files named or found below the folders named; hidden files and READMEs are left out.

    A folder walk never follows a symbolic link (to a file or a folder, inside the folder
    or out of it): each is reported as failed, so that a link cannot pull a file from
    elsewhere into the corpus. A link named on the command line is followed.
    """
    files: list[Path] = []
    missing: list[FailedFile] = []
    for path in paths:
        if path.is_dir():
            for root, dirs, names in os.walk(path):
                dirs[:] = sorted(d for d in dirs if not d.startswith((".", "_")))
                for name in [d for d in dirs if (Path(root) / d).is_symlink()]:
                    dirs.remove(name)
                    missing.append(FailedFile(display_source(Path(root) / name), SYMLINK_SKIPPED))
                for name in sorted(names):
                    if name.startswith((".", "~$")) or name.lower() in (
                        "readme.md",
                        "readme.txt",
                        CORRECTIONS_FILE,  # the facilitator's corrections are never a document
                    ):
                        continue
                    found = Path(root) / name
                    if found.is_symlink():
                        missing.append(FailedFile(display_source(found), SYMLINK_SKIPPED))
                        continue
                    files.append(found)
        elif path.name.lower() == CORRECTIONS_FILE:
            missing.append(
                FailedFile(str(path), "the facilitator's structure corrections, not a document")
            )
        elif path.exists() or path.is_symlink():
            files.append(path)
        else:
            missing.append(FailedFile(str(path), "no such file or directory"))
    return list(dict.fromkeys(files)), missing


def resolve_kind(
    front_matter: str | None,
    path: Path,
    cli_kind: str | None,
    loaded: LoadedText | None = None,
) -> str:
    """Front matter `kind:`, else the folder, else `--kind`, else `scenario` when the
    text's own headings number two scenarios or more (`structure.names_scenarios`), else
    `diagnostic`."""
    if front_matter:
        kind = front_matter.strip().lower()
        if kind not in KINDS:
            raise LoadError(
                f"unknown kind '{front_matter}' in front matter (use {', '.join(KINDS)})"
            )
        return kind
    for parent in path.parents:
        if parent.name in KIND_FOLDERS:
            return KIND_FOLDERS[parent.name]
    if cli_kind:
        return cli_kind
    return "scenario" if loaded is not None and names_scenarios(loaded) else "diagnostic"


def doc_id_for(path: Path) -> str:
    """A stable, readable id for the document at this absolute path."""
    digest = hashlib.sha1(str(path).encode()).hexdigest()[:8]
    return f"{slugify(path.stem, 32)}-{digest}"


def display_source(path: Path) -> str:
    """The path relative to the working folder when below it, else absolute."""
    try:
        return str(path.relative_to(Path.cwd()))
    except ValueError:
        return str(path)
