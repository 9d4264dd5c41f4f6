"""The evaluation sets stay valid against their documents (`evals/check_suite.py` for the
bundled corpus; the real-text sets checked here directly)."""

from __future__ import annotations

import json
import subprocess
import sys
from dataclasses import replace
from pathlib import Path

import pytest

from assistant.eval_sets import EvalSet, load_manifest

ROOT = Path(__file__).resolve().parent.parent


@pytest.mark.parametrize(
    ("name", "flags"),
    [("suite", []), ("heldout", ["--heldout"]), ("blind", ["--heldout"]), ("fresh", ["--heldout"])],
)
def test_every_evaluation_set_passes_its_checks(name: str, flags: list[str]) -> None:
    done = subprocess.run(
        [sys.executable, "evals/check_suite.py", f"evals/{name}.jsonl", *flags],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 0, done.stdout[-2000:] + done.stderr[-2000:]
    assert "OK: every check passed" in done.stdout


def test_a_broken_gold_quote_is_caught(tmp_path: Path) -> None:
    line = (ROOT / "evals" / "heldout.jsonl").read_text("utf-8").splitlines()[0]
    broken = tmp_path / "broken.jsonl"
    broken.write_text(line.replace('"quote": "', '"quote": "XYZ ', 1) + "\n", "utf-8")
    done = subprocess.run(
        [sys.executable, "evals/check_suite.py", str(broken), "--heldout"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 1


def _real_set_problems(item: EvalSet) -> list[str]:
    """What is wrong with a set asked about its own folder of real documents (real-dev,
    real-scen): ids, answerable-gold agreement, styles, and every gold quote and alternative
    occurring verbatim in the canonical text of its file."""
    from assistant.loaders import load_file

    texts = {p.name: load_file(p).text for p in item.docs.glob("*.md")}
    problems: list[str] = []
    ids: list[str] = []
    for line in item.suite.read_text(encoding="utf-8").splitlines():
        q = json.loads(line)
        ids.append(q["id"])
        if bool(q["gold"]) != q["answerable"]:
            problems.append(f"{q['id']}: answerable={q['answerable']} with {len(q['gold'])} gold")
        if item.styles.get(q["id"]) not in ("close", "para", "en"):
            problems.append(f"{q['id']}: no style")
        elif (item.styles[q["id"]] == "en") != (q["lang"] == "en"):
            problems.append(f"{q['id']}: style {item.styles[q['id']]} but lang {q['lang']}")
        for gold in q["gold"]:
            for g in [gold, *gold.get("alternatives", [])]:
                if g["quote"] not in texts.get(g["file"], ""):
                    problems.append(f"{q['id']}: quote not in {g['file']}: {g['quote'][:40]}")
    if len(set(ids)) != len(ids):
        problems.append("duplicate ids")
    if set(item.styles) != set(ids):
        problems.append("styles.json does not label exactly the suite's ids")
    return problems


REAL_SETS = [s for s in load_manifest(ROOT / "evals" / "sets.json") if s.docs.name == "docs"]


@pytest.mark.parametrize("item", REAL_SETS, ids=[s.name for s in REAL_SETS])
def test_every_real_text_set_quotes_its_documents_verbatim(item: EvalSet) -> None:
    assert _real_set_problems(item) == []


def test_a_real_text_set_with_a_broken_quote_or_style_is_caught(tmp_path: Path) -> None:
    real = next(s for s in REAL_SETS if s.name == "real-scen")
    lines = real.suite.read_text(encoding="utf-8").splitlines()
    first = json.loads(lines[0])
    first["gold"][0]["quote"] = "XYZ " + first["gold"][0]["quote"]
    suite = tmp_path / "suite.jsonl"
    suite.write_text("\n".join([json.dumps(first), *lines[1:]]) + "\n", encoding="utf-8")
    styles = dict(real.styles, s002="fancy")
    broken = replace(real, suite=suite, styles=styles)
    problems = _real_set_problems(broken)
    assert any(p.startswith("s001: quote not in") for p in problems)
    assert "s002: no style" in problems


def _cli(tmp_path: Path, *args: str, ok: bool = True) -> subprocess.CompletedProcess[str]:
    from .conftest import cli_env

    done = subprocess.run(
        [sys.executable, "-m", "assistant", *args],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        env=cli_env(tmp_path),
        timeout=300,
    )
    assert "Traceback" not in done.stderr
    assert (done.returncode == 0) == ok, done.stderr
    return done


def _two_sets(tmp_path: Path) -> Path:
    """A manifest of two sets, each asked about its own folder of documents."""
    for name, text in (
        ("one", "Le bus passe à 8 h à Valmont."),
        ("two", "La fibre arrive en 2026."),
    ):
        (tmp_path / name / "docs").mkdir(parents=True)
        (tmp_path / name / "docs" / f"{name}.md").write_text(f"# {name}\n\n{text}\n", "utf-8")
    one = {"id": "a1", "question": "Quand passe le bus ?", "lang": "fr", "answerable": True}
    one["gold"] = [{"file": "one.md", "quote": "Le bus passe à 8 h à Valmont."}]
    two = [
        {"id": "b1", "question": "Quand arrive la fibre ?", "answerable": True, "lang": "fr"},
        {"id": "b2", "question": "Quel est le prix du pain ?", "answerable": False, "lang": "fr"},
    ]
    two[0]["gold"] = [{"file": "two.md", "quote": "La fibre arrive en 2026."}]
    (tmp_path / "one" / "suite.jsonl").write_text(json.dumps(one) + "\n", "utf-8")
    (tmp_path / "two" / "suite.jsonl").write_text(
        "".join(json.dumps(q) + "\n" for q in two), "utf-8"
    )
    (tmp_path / "two" / "styles.json").write_text('{"b1": "close", "b2": "para"}', "utf-8")
    manifest = tmp_path / "sets.json"
    sets = [
        {"name": "one", "suite": "one/suite.jsonl", "docs": "one/docs"},
        {"name": "two", "suite": "two/suite.jsonl", "docs": "two/docs"},
    ]
    sets[1] |= {"styles": "two/styles.json", "ci": ["b1"]}
    manifest.write_text(json.dumps({"sets": sets}), "utf-8")
    return manifest


def test_eval_sets_runs_every_set_on_its_own_store_side_by_side(tmp_path: Path) -> None:

    manifest = _two_sets(tmp_path)
    out = tmp_path / "report.json"
    done = _cli(tmp_path, "eval", "--sets", str(manifest), "--out", str(out), "--json")
    columns = json.loads(done.stdout)["columns"]
    # a gold quote is looked up in its own set's store: mixed stores would fail to load
    assert list(columns) == ["one", "two", "two:close", "two:para"]
    assert [columns[n]["questions"] for n in columns] == [1, 2, 1, 1]
    assert columns["two:para"]["answerable"] == 0
    saved = json.loads(out.read_text("utf-8"))
    assert set(saved["questions"]) == {"one", "two"}
    table = _cli(tmp_path, "eval", "--sets", str(manifest), "--out", str(out)).stdout
    assert "| metric | one | two | two:close | two:para |" in table
    for row in (
        "| hybrid recall@5 |",
        "| BM25 MRR |",
        "| gold passage cited |",
        "| refusal recall |",
    ):
        assert row in table
    # the CI run keeps the sets with CI questions, and of those only the CI questions
    ci = json.loads(
        _cli(tmp_path, "eval", "--sets", str(manifest), "--subset", "ci", "--json").stdout
    )
    assert list(ci["columns"]) == ["two", "two:close"] and ci["columns"]["two"]["questions"] == 1


def test_eval_sets_options_are_checked(tmp_path: Path) -> None:
    manifest = _two_sets(tmp_path)
    done = _cli(tmp_path, "eval", "--sets", str(manifest), "--option", "rrf=60", ok=False)
    assert "unknown option 'rrf'" in done.stderr
    done = _cli(tmp_path, "eval", "--sets", str(manifest), "--option", "rrf_k=x", ok=False)
    assert "option rrf_k: 'x' is not a int" in done.stderr
    done = _cli(tmp_path, "eval", "--sets", str(tmp_path / "nope.json"), ok=False)
    assert "cannot read the manifest" in done.stderr


class _BatchCountingEmbedder:
    """The fake embedder, recording the size of every passage batch it is given."""

    def __init__(self) -> None:
        from assistant.embeddings import HashEmbedder

        self.inner = HashEmbedder()
        self.name = self.inner.name
        self.batches: list[int] = []

    def embed(self, texts: list[str], *, query: bool) -> list[list[float]]:
        if not query:
            self.batches.append(len(texts))
        return self.inner.embed(texts, query=query)


def test_a_variant_with_another_batch_size_is_embedded_again_in_its_own_store(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # an int8 vector depends on its batchmates (activations scaled per call): the variant
    # measures that noise only if its chunks are embedded again, at its own batch size
    from assistant import wiring
    from assistant.config import Settings
    from assistant.eval_sets import load_manifest, run_variants

    from .conftest import FAKE_CHUNK_OVERLAP, FAKE_CHUNK_TOKENS

    embedders: list[_BatchCountingEmbedder] = []

    def make(settings: Settings) -> _BatchCountingEmbedder:
        embedders.append(_BatchCountingEmbedder())
        return embedders[-1]

    monkeypatch.setattr(wiring, "make_embedder", make)
    (tmp_path / "two" / "docs").mkdir(parents=True)
    text = "# Deux\n\n" + "".join(f"Le bus {i} passe à {i} h à Valmont.\n\n" for i in range(40))
    (tmp_path / "two" / "docs" / "two.md").write_text(text, "utf-8")
    question = {"id": "b1", "question": "Quand passe le bus ?", "answerable": True, "lang": "fr"}
    question["gold"] = [{"file": "two.md", "quote": "Le bus 3 passe à 3 h à Valmont."}]
    (tmp_path / "two" / "suite.jsonl").write_text(json.dumps(question) + "\n", "utf-8")
    manifest = tmp_path / "sets.json"
    manifest.write_text(
        json.dumps({"sets": [{"name": "two", "suite": "two/suite.jsonl", "docs": "two/docs"}]})
    )
    settings = Settings(
        home=tmp_path / "store",
        embedding_model="fake",
        chunk_tokens=FAKE_CHUNK_TOKENS,
        chunk_overlap=FAKE_CHUNK_OVERLAP,
    )
    variants = [("default", {}), ("b2", {"embed_batch_size": "2"}), ("again", {})]
    runs = run_variants(settings, load_manifest(manifest), variants, answers=False)
    assert set(runs) == {"default", "b2", "again"}
    default, other = embedders  # "again" shares the default's settings, so its embedder
    chunks = sum(default.batches)
    assert chunks > 2 and sum(other.batches) == chunks  # every chunk embedded again
    stores = sorted(p.name for p in (tmp_path / "store" / "eval" / "stores").iterdir())
    assert len(stores) == 2 and stores[0] + "-b2" == stores[1], stores


@pytest.mark.slow
@pytest.mark.skipif(
    not (Path.home() / ".local/share/scenario-assistant/models/multilingual-e5-small").exists(),
    reason="run `assistant models prepare` first",
)
def test_real_model_on_the_real_dev_ci_slice(tmp_path: Path) -> None:
    """Real public text nobody here wrote: a fixed slice (every 6th question) of real-dev."""
    from assistant.config import Settings
    from assistant.e5_model import is_prepared
    from assistant.eval_sets import run_sets

    settings = Settings(home=tmp_path / "store", embedding_model="multilingual-e5-small")
    if not is_prepared(settings.models_dir / "multilingual-e5-small"):
        pytest.skip("run `assistant models prepare` first")
    sets = [s for s in load_manifest(ROOT / "evals" / "sets.json") if s.name == "real-dev"]
    metrics = run_sets(settings, sets, subset="ci")["real-dev"].metrics
    assert metrics["questions"] == 15 and metrics["answerable"] == 12
    assert metrics["exact_quote_rate"] == 1.0
    recall = {mode: figures["recall@5"] for mode, figures in metrics["retrieval"].items()}
    mrr = {mode: figures["mrr"] for mode, figures in metrics["retrieval"].items()}
    # Measured 2026-12-01 with the shipped defaults: hybrid recall@5 0.917 / MRR 0.875, dense
    # 1.000 / 0.861, BM25 0.833 / 0.725. With the fitted judge (issue 14, item 4): gold
    # passage cited 0.750 and answered 0.833 on this slice (0.833 / 0.917 with the hand rules:
    # r001 is now refused), while on the whole of real-dev they rose (0.771 -> 0.829, 0.871 ->
    # 0.929). One question is 0.083 here: the guards sit a question below the figures.
    assert recall["hybrid"] >= 0.83 and mrr["hybrid"] >= 0.78
    assert recall["hybrid"] > recall["lexical"] and mrr["hybrid"] > mrr["lexical"]
    assert metrics["gold_passage_cited_rate"] >= 0.66
    assert metrics["answered_rate"] >= 0.75
