"""The real CLI on a real store: a folder walk does not follow symbolic links; a file
named on the command line is still read through its link."""

from __future__ import annotations

import json
import os
from pathlib import Path

from .test_cli import run


def _folder(tmp_path: Path) -> tuple[Path, Path]:
    outside = tmp_path / "outside"
    outside.mkdir()
    secret = outside / "secret.md"
    secret.write_text("# Secret\n\nLe mot de passe est zeppelin-cramoisi.\n", encoding="utf-8")
    (outside / "more").mkdir()
    (outside / "more" / "other.md").write_text("# Autre\n\nLe dirigeable.\n", encoding="utf-8")
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    (corpus / "note.md").write_text("# Note\n\nLe marché a lieu le jeudi.\n", encoding="utf-8")
    os.symlink(secret, corpus / "passwd.md")
    os.symlink(outside / "more", corpus / "linked")
    os.symlink(tmp_path / "nowhere.md", corpus / "dangling.md")
    return corpus, secret


def test_a_folder_walk_skips_and_reports_symbolic_links(tmp_path: Path) -> None:
    corpus, _ = _folder(tmp_path)
    report = json.loads(run(tmp_path, "ingest", str(corpus), "--json").stdout)
    assert report["ingested"] == 1
    failed = {Path(f["path"]).name: f["error"] for f in report["failed"]}
    assert set(failed) == {"passwd.md", "linked", "dangling.md"}
    assert all("symbolic link" in error for error in failed.values())
    docs = json.loads(run(tmp_path, "sources", "--json").stdout)["documents"]
    assert [Path(d["source"]).name for d in docs] == ["note.md"]
    found = json.loads(run(tmp_path, "search", "mot de passe zeppelin", "--json").stdout)
    assert all("zeppelin" not in p["text"] for p in found["passages"])


def test_a_symbolic_link_named_explicitly_is_followed(tmp_path: Path) -> None:
    corpus, _ = _folder(tmp_path)
    report = json.loads(run(tmp_path, "ingest", str(corpus / "passwd.md"), "--json").stdout)
    assert report["ingested"] == 1 and report["failed"] == []
