"""Every evaluation set in one run, each against its own corpus, printed side by side.

A manifest (`evals/sets.json`) names the sets: a JSONL suite, the folder of documents it
is asked about and, optionally, a file labelling each question with a style (one column
per style) and the ids of the questions of the CI subset. Each documents folder gets its
own store under `<store>/eval/stores/`, ingested once and then kept in step (unchanged
files are skipped), so the sets' figures never mix corpora.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable, Sequence
from dataclasses import dataclass, fields
from pathlib import Path
from typing import Any

from .config import Settings
from .errors import AssistantError
from .eval_metrics import MODES, summarise
from .evaluation import Report, evaluate, load_suite
from .retrieval import Retriever
from .structure import slugify


@dataclass(frozen=True)
class EvalSet:
    """One question set and the documents it is asked about."""

    name: str
    suite: Path
    docs: Path
    styles: dict[str, str]
    ci_ids: frozenset[str]


def load_manifest(path: Path) -> list[EvalSet]:
    """The sets a manifest names, paths resolved from the manifest's folder."""
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
        items = data["sets"]
        out: list[EvalSet] = []
        for item in items:
            styles: dict[str, str] = {}
            if item.get("styles"):
                styles = json.loads((path.parent / item["styles"]).read_text(encoding="utf-8"))
            out.append(
                EvalSet(
                    name=str(item["name"]),
                    suite=(path.parent / item["suite"]).resolve(),
                    docs=(path.parent / item["docs"]).resolve(),
                    styles={str(k): str(v) for k, v in styles.items()},
                    ci_ids=frozenset(str(i) for i in item.get("ci", [])),
                )
            )
    except OSError as exc:
        raise AssistantError(f"cannot read the manifest {path}: {exc.strerror}") from exc
    except (ValueError, KeyError, TypeError) as exc:
        raise AssistantError(f"{path}: not a valid set manifest ({exc})") from exc
    if not out:
        raise AssistantError(f"{path}: no set named")
    return out


def apply_options(settings: Settings, options: dict[str, str]) -> tuple[Settings, dict[str, Any]]:
    """Split `KEY=VALUE` options into settings overrides and retriever attributes."""
    retriever_fields = {f.name: f for f in fields(Retriever)}
    update: dict[str, Any] = {}
    attrs: dict[str, Any] = {}
    for key, raw in options.items():
        if key in Settings.model_fields:
            update[key] = raw
        elif key in retriever_fields and key not in ("store", "embedder", "lexical"):
            default: Any = retriever_fields[key].default
            if isinstance(default, bool):
                attrs[key] = raw.strip().lower() in ("1", "true", "yes", "on")
            else:
                try:
                    attrs[key] = type(default)(raw)
                except ValueError as exc:
                    raise AssistantError(
                        f"option {key}: '{raw}' is not a {type(default).__name__}"
                    ) from exc
        else:
            raise AssistantError(f"unknown option '{key}' (a setting or a Retriever field)")
    merged = Settings(**(settings.model_dump() | update)) if update else settings
    return merged, attrs


def run_sets(
    settings: Settings,
    sets: Sequence[EvalSet],
    *,
    subset: str | None = None,
    top_k: int = 5,
    options: dict[str, str] | None = None,
    answers: bool = True,
    announce: Callable[[str], None] = lambda _: None,
) -> dict[str, Report]:
    """Ingest each set's documents into its own store, then run each set on its store."""
    variants = [("", options or {})]
    return run_variants(
        settings, sets, variants, subset=subset, top_k=top_k, answers=answers, announce=announce
    )[""]


def run_variants(
    settings: Settings,
    sets: Sequence[EvalSet],
    variants: Sequence[tuple[str, dict[str, str]]],
    *,
    subset: str | None = None,
    top_k: int = 5,
    answers: bool = True,
    announce: Callable[[str], None] = lambda _: None,
) -> dict[str, dict[str, Report]]:
    """Each variant's reports; variants of one chunking share their stores and query vectors."""
    from . import wiring

    chosen = [s for s in sets if subset != "ci" or _has_ci(s)]  # CI: sets with CI questions
    by_settings: dict[str, list[tuple[str, Settings, dict[str, Any]]]] = {}
    for name, options in variants:
        local, attrs = apply_options(settings, options)
        by_settings.setdefault(local.model_dump_json(), []).append((name, local, attrs))
    out: dict[str, dict[str, Report]] = {name: {} for name, _ in variants}
    for group in by_settings.values():
        base = group[0][1]
        embedder = wiring.make_embedder(base)
        by_docs: dict[Path, list[EvalSet]] = {}
        for item in chosen:
            by_docs.setdefault(item.docs, []).append(item)
        for docs, items in by_docs.items():
            retriever = _ingested(base, docs, embedder, announce)
            defaults = {f.name: getattr(retriever, f.name) for f in fields(Retriever)}
            retriever.query_cache = 1 << 16  # every variant re-uses the questions' vectors
            for name, local, attrs in group:
                for key, value in (defaults | attrs).items():
                    if key not in ("store", "embedder", "lexical", "query_cache"):
                        setattr(retriever, key, value)
                task = wiring.make_ask_task(local, retriever)
                for item in items:
                    suite = load_suite(
                        item.suite, retriever.store, subset=subset, ci_ids=item.ci_ids
                    )
                    out[name][item.name] = evaluate(
                        retriever, task, suite, top_k=top_k, answers=answers
                    )
                    announce(f"{name or 'run'} {item.name}: {len(suite)} questions")
    return {name: {s.name: out[name][s.name] for s in chosen} for name, _ in variants}


def _ingested(
    settings: Settings, docs: Path, embedder: Any, announce: Callable[[str], None]
) -> Retriever:
    """A retriever over the store of one documents folder, brought in step with it."""
    from . import wiring

    if not docs.is_dir():
        raise AssistantError(f"the documents folder {docs} does not exist")
    digest = hashlib.sha1(str(docs).encode()).hexdigest()[:8]
    # An int8 vector depends on its batchmates (activations are scaled per model call), and
    # the batch size is not part of the index name: a variant of another batch size gets a
    # store of its own, embedded again, so that ablating it measures that noise.
    default_batch = Settings.model_fields["embed_batch_size"].default
    batch = f"-b{settings.embed_batch_size}" if settings.embed_batch_size != default_batch else ""
    home = settings.home / "eval" / "stores" / f"{slugify(docs.name, 24)}-{digest}{batch}"
    local = Settings(**(settings.model_dump() | {"home": home, "chroma_url": None}))
    store = wiring.make_store(local, embedder)
    ingest = wiring.make_ingestor(local, store, embedder).run([docs], prune=True)
    if ingest.failed:
        failed = "; ".join(f"{f.path}: {f.error}" for f in ingest.failed)
        raise AssistantError(f"cannot ingest {docs}: {failed}")
    retriever = wiring.make_retriever(local, store, embedder)
    embedded = retriever.refresh()
    announce(
        f"{docs.name}: {len(ingest.ingested)} ingested, {len(ingest.skipped)} unchanged, "
        f"sentences of {embedded} chunk(s) embedded"
    )
    return retriever


def _has_ci(item: EvalSet) -> bool:
    try:
        lines = item.suite.read_text(encoding="utf-8").splitlines()
    except OSError as exc:
        raise AssistantError(f"cannot read the suite {item.suite}: {exc.strerror}") from exc
    try:
        return bool(item.ci_ids) or any(json.loads(ln).get("ci") for ln in lines if ln.strip())
    except json.JSONDecodeError as exc:
        raise AssistantError(f"{item.suite}: not JSON ({exc.msg})") from exc


def columns(sets: Sequence[EvalSet], reports: dict[str, Report]) -> dict[str, dict[str, Any]]:
    """Metrics per set, then per style of the sets that label their questions."""
    out: dict[str, dict[str, Any]] = {}
    for item in sets:
        if item.name not in reports:
            continue
        report = reports[item.name]
        out[item.name] = report.metrics
        for style in dict.fromkeys(item.styles.values()):
            chosen = [q for q in report.questions if item.styles.get(q["id"]) == style]
            if chosen:
                out[f"{item.name}:{style}"] = summarise(chosen)
    return out


_NAMES = {"hybrid": "hybrid", "dense": "dense", "lexical": "BM25", "sentence": "sentences"}


def side_by_side(cols: dict[str, dict[str, Any]]) -> str:
    """A Markdown table: one column per set, one row per metric."""
    names = list(cols)
    rows = ["| metric | " + " | ".join(names) + " |", "|---" * (len(names) + 1) + "|"]

    def row(label: str, value: Callable[[dict[str, Any]], str]) -> None:
        rows.append(f"| {label} | " + " | ".join(value(cols[n]) for n in names) + " |")

    row("questions (answerable)", lambda m: f"{m['questions']} ({m['answerable']})")
    for mode in MODES:
        for metric in ("recall@1", "recall@5", "mrr"):
            label = f"{_NAMES[mode]} {metric.replace('mrr', 'MRR')}"
            row(label, lambda m, a=mode, b=metric: f"{m['retrieval'][a][b]:.3f}")  # type: ignore[misc]
    row("exact-quote rate", lambda m: f"{m['exact_quote_rate']:.3f}")
    row("gold passage cited", lambda m: f"{m['gold_passage_cited_rate']:.3f}")
    row("gold span quoted", lambda m: f"{m['gold_cited_rate']:.3f}")
    row("answerable answered", lambda m: f"{m['answered_rate']:.3f}")
    row("refusal recall", lambda m: f"{m['refusal_recall']:.3f}")
    row("refusal precision", lambda m: f"{m['refusal_precision']:.3f}")
    row("latency p50 (ms)", lambda m: f"{m['latency_ms_p50']:.0f}")
    return "\n".join(rows)
