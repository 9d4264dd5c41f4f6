"""`assistant search` and `assistant ask`: passages, or a cited answer, for one question
or a batch of them."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import Any

from .cli_common import Add, emit, exit_now
from .config import Settings
from .errors import AssistantError
from .types import KINDS


def _questions(args: argparse.Namespace) -> list[tuple[str | None, str, str | None]]:
    if args.batch is None:
        if not args.query:
            raise AssistantError("give a question, or --batch FILE")
        return [(None, args.query, None)]
    from .render import read_batch

    return read_batch(Path(args.batch))


def _cmd_search(args: argparse.Namespace, settings: Settings) -> int:
    from . import wiring
    from .limits import check_query
    from .render import passage_json, passages_text

    questions = _questions(args)
    for _, query, _ in questions:  # a query too long fails before any work
        check_query(query, settings.max_query_chars)
    retriever = wiring.open_retriever(settings)
    filters = retriever.filters(args.scenario, args.kind, args.source)
    for qid, query, _ in questions:
        passages = retriever.search_filtered(
            query, filters, top_k=args.top_k, mode=args.mode, balance=args.balance
        )
        payload: dict[str, Any] = {"query": query, "passages": [passage_json(p) for p in passages]}
        if qid is not None:
            payload = {"id": qid, **payload}
        emit(args, payload, lambda q=query, ps=passages: passages_text(q, ps))  # type: ignore[misc]
        sys.stdout.flush()
    exit_now(args)  # from the terminal: the process ends here, the model not freed
    return 0


def _cmd_ask(args: argparse.Namespace, settings: Settings) -> int:
    from . import wiring
    from .render import answer_json, answer_text

    retriever = wiring.open_retriever(settings)
    questions = _questions(args)
    task = wiring.make_ask_task(settings, retriever)
    retriever.filters(args.scenario)  # an unknown scenario fails before any work
    histories: dict[str, list[tuple[str, str]]] = {}
    for qid, question, conversation in questions:
        history = histories.setdefault(conversation, []) if conversation else []
        answer = task.ask(question, history=history, scenarios=args.scenario, top_k=args.top_k)
        history.append((question, answer.answer))
        payload = answer_json(answer)
        if qid is not None:
            payload = {"id": qid, **payload}
        emit(args, payload, lambda a=answer: answer_text(a))  # type: ignore[misc]
        sys.stdout.flush()
    exit_now(args)  # from the terminal: the process ends here, the model not freed
    return 0


def scenario_option(p: argparse.ArgumentParser) -> None:
    p.add_argument(
        "--scenario",
        action="append",
        default=[],
        metavar="S",
        help="number, id or part of a title; repeatable",
    )


def register(add: Add) -> None:
    """The `search` and `ask` sub-commands."""
    p = add("search", _cmd_search, "retrieve passages (no answer), with exact spans")
    p.add_argument(
        "query",
        nargs="?",
        metavar="QUERY",
        help="at most $ASSISTANT_MAX_QUERY_CHARS (2000) characters",
    )
    p.add_argument(
        "--batch", metavar="FILE", help="one query a line (text or JSON with 'question')"
    )
    p.add_argument("--top-k", type=int, default=5, metavar="N")
    scenario_option(p)
    p.add_argument("--kind", choices=KINDS)
    p.add_argument(
        "--source", action="append", default=[], metavar="DOC", help="doc id or part of a path"
    )
    p.add_argument(
        "--mode",
        choices=["hybrid", "dense", "lexical", "sentence"],
        default="hybrid",
        help="retrievers to use (default: hybrid, dense + BM25 fused)",
    )
    p.add_argument(
        "--balance", action="store_true", help="interleave scenarios so none crowds the others"
    )

    p = add("ask", _cmd_ask, "a short answer whose every sentence cites the sources, or a refusal")
    p.add_argument("query", nargs="?", metavar="QUESTION")
    p.add_argument(
        "--batch",
        metavar="FILE",
        help="one question a line (text, or JSON with 'question', 'id', 'conversation')",
    )
    p.add_argument("--top-k", type=int, default=5, metavar="N", help="passages to read")
    scenario_option(p)
