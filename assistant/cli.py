"""The `assistant` command: parse, wire, call, print. No logic of its own."""

from __future__ import annotations

import argparse
import logging
import signal
import sys
import time
from collections.abc import Sequence
from pathlib import Path

from pydantic import ValidationError

from . import __version__
from .cli_common import Handler, emit, interrupt
from .config import Settings, get_settings
from .errors import AssistantError
from .types import KINDS


def _cmd_ingest(args: argparse.Namespace, settings: Settings) -> int:
    from . import wiring
    from .progress import TerminalProgress

    embedder = wiring.make_embedder(settings)
    store = wiring.make_store(settings, embedder)
    ingestor = wiring.make_ingestor(settings, store, embedder)
    if sys.stderr.isatty():
        ingestor.callbacks = TerminalProgress()
    report = ingestor.run([Path(p) for p in args.paths], kind=args.kind, prune=args.prune)
    started = time.perf_counter()  # then every new chunk's sentences (`sentence_index.py`)
    sentence_chunks = wiring.make_retriever(settings, store, embedder).refresh()
    sentence_seconds = time.perf_counter() - started
    payload = {
        "ingested": len(report.ingested),
        "skipped": len(report.skipped),
        "failed": [{"path": f.path, "error": f.error} for f in report.failed],
        "warnings": [{"path": w.path, "warning": w.warning} for w in report.warnings],
        "pruned": len(report.pruned),
        "chunks": report.chunks,
        "seconds": report.seconds,
        "sentence_chunks": sentence_chunks,
        "sentence_seconds": round(sentence_seconds, 3),
    }

    def human() -> str:
        lines = [
            f"ingested {len(report.ingested)} file(s), {report.chunks} chunk(s); "
            f"skipped {len(report.skipped)} unchanged; {len(report.failed)} failed; "
            f"pruned {len(report.pruned)}; {report.seconds:.1f} s; "
            f"sentences of {sentence_chunks} chunk(s) embedded in {sentence_seconds:.1f} s"
        ]
        lines += [f"  failed: {f.path}: {f.error}" for f in report.failed]
        lines += [f"  warning: {w.path}: {w.warning}" for w in report.warnings]
        return "\n".join(lines)

    emit(args, payload, human)
    nothing_done = not report.ingested and not report.skipped and not report.pruned
    return 1 if report.failed and nothing_done else 0


def _cmd_sources(args: argparse.Namespace, settings: Settings) -> int:
    from . import wiring
    from .render import record_json

    embedder = wiring.make_embedder(settings)
    store = wiring.make_store(settings, embedder)
    if args.structure:
        from .indexed import SECTION_LABELS
        from .structure_report import structure_json, structure_text, structures

        found = structures(store)
        emit(args, structure_json(found), lambda: structure_text(found, SECTION_LABELS))
        return 0
    records = store.records()

    def human() -> str:
        if not records:
            return "no documents stored (run `assistant ingest PATH`)"
        out = []
        for r in records:
            out.append(f"{r.doc_id}  [{r.kind}]  {r.title}  ({r.chunks} chunks)  {r.source}")
            out += [f"    scenario {s.number}: {s.title}" for s in r.scenarios]
        return "\n".join(out)

    emit(args, {"documents": [record_json(r) for r in records]}, human)
    return 0


def _cmd_quote(args: argparse.Namespace, settings: Settings) -> int:
    from . import wiring
    from .errors import NotFound

    store = wiring.make_store(settings, wiring.make_embedder(settings))
    text = store.get_text(args.doc_id)
    if text is None:
        raise NotFound(f"no document '{args.doc_id}' in the store (see `assistant sources`)")
    if not 0 <= args.start <= args.end <= len(text):
        raise NotFound(f"span [{args.start}, {args.end}) is outside the text (0..{len(text)})")
    quote = text[args.start : args.end]
    payload = {"doc_id": args.doc_id, "start": args.start, "end": args.end, "text": quote}
    emit(args, payload, lambda: quote)
    return 0


def _cmd_serve(args: argparse.Namespace, settings: Settings) -> int:
    from . import wiring
    from .config import DEFAULT_MODEL
    from .warmup import warm_up

    try:
        from .ui.app import launch
    except ImportError as exc:  # gradio is the `app` extra
        raise AssistantError(
            f"the web app needs gradio ({exc.name} is missing): pip install -e '.[app]'"
        ) from exc
    # many small concurrent queries: fewer threads each
    settings = settings.model_copy(update={"embed_threads": args.threads})
    model = settings.embedding_model
    if model != "fake" and (model != DEFAULT_MODEL or settings.embedding_backend == "torch"):
        import torch

        torch.set_num_threads(args.threads)
    # the server log: failed logins, refused uploads, tracebacks of unexpected errors
    logging.basicConfig(format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    logging.getLogger("assistant").setLevel(logging.INFO)
    services = wiring.make_services(settings, announce=lambda m: print(m, flush=True))
    services.asker.ask("Combien de France Services ?")  # load the model before the first user
    warm_up(services.asker.extractive, settings.serve_warm_seconds, lambda m: print(m, flush=True))
    print(f"Serving on http://{args.host}:{args.port} (Ctrl-C to stop)", flush=True)
    # A service manager stops us with SIGTERM: close as on Ctrl-C (the exit handlers then
    # remove the downloads' temporary folder).
    signal.signal(signal.SIGTERM, interrupt)
    launch(services, args.host, args.port)
    return 0


def _parser() -> argparse.ArgumentParser:
    common = argparse.ArgumentParser(add_help=False)
    common.add_argument(
        "--store",
        metavar="DIR",
        default=argparse.SUPPRESS,
        help="store folder (default: $ASSISTANT_HOME, else ./.assistant)",
    )
    common.add_argument(
        "--chroma-url",
        metavar="URL",
        default=argparse.SUPPRESS,
        help="use a Chroma server instead of the store folder (or $ASSISTANT_CHROMA_URL)",
    )
    common.add_argument(
        "--json", action="store_true", default=argparse.SUPPRESS, help="print one JSON object"
    )
    parser = argparse.ArgumentParser(
        prog="assistant",
        parents=[common],
        description="Grounded assistant for scenario workshops: ingest texts, search with "
        "exact citations.",
    )
    parser.add_argument("--version", action="version", version=f"%(prog)s {__version__}")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND", required=True)
    from . import cli_eval, cli_models, cli_query, cli_structure, cli_workshop

    def add(name: str, handler: Handler, help_: str) -> argparse.ArgumentParser:
        p = sub.add_parser(name, parents=[common], help=help_, description=help_)
        p.set_defaults(handler=handler)
        return p

    p = add(
        "ingest",
        _cmd_ingest,
        "ingest files or folders; unchanged files are skipped, symbolic links inside a folder "
        "are not followed, files over the ASSISTANT_MAX_* limits are refused",
    )
    p.add_argument("paths", nargs="+", metavar="PATH")
    p.add_argument(
        "--kind",
        choices=KINDS,
        help="kind when neither front matter nor folder say (without it: scenario when "
        "the text's headings number two scenarios or more, else diagnostic)",
    )
    p.add_argument("--prune", action="store_true", help="remove documents whose files are gone")

    p = add("sources", _cmd_sources, "list the documents in the store")
    p.add_argument(
        "--structure",
        action="store_true",
        help="per scenario text, the scenarios detected (number, title, first words) and "
        "their parts with sizes (to correct them: `assistant structure`)",
    )

    cli_query.register(add)  # search, ask

    p = add("quote", _cmd_quote, "print a span of a document's canonical text")
    p.add_argument("doc_id", metavar="DOC_ID")
    p.add_argument("start", type=int, metavar="START")
    p.add_argument("end", type=int, metavar="END")

    p = add("serve", _cmd_serve, "the web app: participants, facilitators, evaluators, corpus")
    p.add_argument(
        "--host", default="127.0.0.1", help="address to listen on (default: %(default)s)"
    )
    p.add_argument("--port", type=int, default=7860, help="port (default: %(default)s)")
    p.add_argument(
        "--threads",
        type=int,
        default=1,
        help="embedding threads per model call (default: %(default)s; questions arriving "
        "together share one call, see ASSISTANT_QUERY_BATCH_MS)",
    )

    cli_eval.register(add)  # eval
    cli_workshop.register(add, common)  # compare, draft, box
    cli_structure.register(add, common)  # structure show|rename|merge|split|map|mark|undo

    cli_models.register(add)  # models prepare, llm serve
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point of the `assistant` console script."""
    from .wiring import offline_environment

    offline_environment()
    args = _parser().parse_args(argv)
    args.json = getattr(args, "json", False)
    args.quick_exit = argv is None  # the command itself, not a test calling main([...])
    try:
        settings = get_settings(
            home=getattr(args, "store", None), chroma_url=getattr(args, "chroma_url", None)
        )
        code: int = args.handler(args, settings)
        return code
    except AssistantError as exc:
        print(f"assistant: error: {exc}", file=sys.stderr)
        return 1
    except ValidationError as exc:  # a bad ASSISTANT_* environment variable
        first = exc.errors()[0]
        print(f"assistant: error: setting {first['loc'][0]}: {first['msg']}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        print("assistant: interrupted", file=sys.stderr)
        return 130
    except BrokenPipeError:
        return 0
