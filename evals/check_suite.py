"""Check the evaluation suite `evals/suite.jsonl` against the bundled corpus.

Verifies, for every line of the suite:

- the JSON fields and their types (id, question, lang, answerable, gold, type, ci, and the
  optional scenario and history);
- that ids are unique and that answerable questions have gold passages, unanswerable ones none;
- that every gold quote is 5-25 words long and occurs exactly once in the canonical text of its
  file (the text the assistant extracts with `assistant.loaders.load_file`), the file being
  found under `corpus/` by its basename; the quote must sit in the document body, after any
  front matter;
- that the optional `alternatives` of a gold entry (other passages, possibly in other files,
  that give the same fact equally well: a CSV row repeating a figure of the diagnostic, a
  synthesis sentence restating an earlier one...) follow the same rules, with 3-30 words; no
  quote may appear twice in one question, and under a `scenario` filter the alternatives must
  come from that scenario too;
- that a question (and its history) is paraphrased: it shares no run of PARAPHRASE_RUN words
  with the corpus;
- that a `scenario` filter, when set, matches the scenario the gold quotes come from;

then the counts the suite promises (total, languages, unanswerable and near-miss questions,
scenario questions over all four scenarios and their parts, diagnostic facts per source format,
method, two-passage and follow-up questions, and the CI subset). Prints a summary; exits 1 on
any problem.

With --heldout, checks a held-out set (such as `evals/heldout.jsonl`, never used for tuning)
instead: ids look like h001 and the promised counts are skipped; every per-question check
still applies.

Usage: python evals/check_suite.py [SUITE] [--corpus DIR] [--heldout]
"""

from __future__ import annotations

import argparse
import json
import re
import sys
import unicodedata
from collections import Counter
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from assistant.loaders import SUPPORTED_EXTENSIONS, load_file

ROOT = Path(__file__).resolve().parent.parent
DEFAULT_SUITE = ROOT / "evals" / "suite.jsonl"
DEFAULT_CORPUS = ROOT / "corpus"

TYPES = ("fact", "scenario", "method", "two-passage", "followup", "near-miss", "off-topic")
UNANSWERABLE_TYPES = ("near-miss", "off-topic")
LANGS = ("fr", "en")
REQUIRED = {"id", "question", "lang", "answerable", "gold", "type", "ci"}
OPTIONAL = {"scenario", "history"}
GOLD_KEYS = {"file", "quote"}
GOLD_OPTIONAL = {"alternatives"}
ID_RE = re.compile(r"^q\d{3}$")
HELDOUT_ID_RE = re.compile(r"^h\d{3}$")
WORD_RE = re.compile(r"\w", re.UNICODE)
TOKEN_RE = re.compile(r"\w+(?:['’]\w+)*", re.UNICODE)
SCENARIO_HEADING_RE = re.compile(r"^##\s+(?:Scénario\s+)?(\d+)\)?[\s:]", re.MULTILINE)
PART_HEADING_RE = re.compile(r"^###\s+(.+?)\s*$", re.MULTILINE)
PART_NAMES = {
    "leviers": "leviers",
    "actions possibles": "leviers",
    "intérêt": "intérêt",
    "limites": "limites",
}
SCENARIO_PARTS = ("narrative", "leviers", "intérêt", "limites")

MIN_TOTAL = 72
FR_SHARE = (0.58, 0.75)
MIN_UNANSWERABLE = 16
MIN_NEAR_MISS = 8
MIN_SCENARIO = 10
MIN_FACT = 8
MIN_FACT_PER_FORMAT = {".md": 2, ".csv": 2, ".pdf": 2, ".docx": 2}
MIN_METHOD = 4
MIN_TWO_PASSAGE = 6
MIN_FOLLOWUP = 4
QUOTE_WORDS = (5, 25)
ALTERNATIVE_WORDS = (3, 30)
MAX_BYTES = 50_000_000
PARAPHRASE_RUN = 6
CI_TOTAL = 16
CI_ANSWERABLE = {"fr": 8, "en": 3}
CI_UNANSWERABLE = 5
CI_NEAR_MISS = 2


@dataclass(frozen=True)
class Document:
    """One corpus file: its canonical text and where its body starts."""

    path: Path
    text: str
    body_start: int


def load_corpus(corpus: Path) -> tuple[dict[str, Document], list[str]]:
    """Canonical texts of the ingestible corpus files, by basename, and the problems met."""
    documents: dict[str, Document] = {}
    problems: list[str] = []
    for path in sorted(corpus.rglob("*")):
        relative = path.relative_to(corpus)
        if not path.is_file() or any(part.startswith((".", "_")) for part in relative.parts):
            continue
        if path.name.startswith("~$") or path.name.lower() in ("readme.md", "readme.txt"):
            continue
        if path.suffix.lower() not in SUPPORTED_EXTENSIONS:
            continue
        if path.name in documents:
            problems.append(f"corpus: two files named {path.name} (gold files are basenames)")
            continue
        loaded = load_file(path, max_bytes=MAX_BYTES)
        documents[path.name] = Document(path, loaded.text, loaded.body_start)
    return documents, problems


def word_count(quote: str) -> int:
    """Words of a quote: whitespace-separated tokens with at least one letter or digit."""
    return sum(1 for token in quote.split() if WORD_RE.search(token))


def normalise_tokens(text: str) -> list[str]:
    """Lower-case word tokens, apostrophes unified and accents kept, for the paraphrase check."""
    text = unicodedata.normalize("NFC", text).lower().replace("’", "'")
    return TOKEN_RE.findall(text)


def runs(tokens: list[str], size: int) -> set[tuple[str, ...]]:
    """All runs of `size` consecutive tokens."""
    return {tuple(tokens[i : i + size]) for i in range(len(tokens) - size + 1)}


def scenario_address(text: str, position: int) -> tuple[int, str] | None:
    """(scenario number, part) of a position in a scenario text, or None outside scenarios."""
    headings = [m for m in SCENARIO_HEADING_RE.finditer(text) if m.start() <= position]
    if not headings:
        return None
    heading = headings[-1]
    part = "narrative"
    for match in PART_HEADING_RE.finditer(text, heading.end(), position):
        part = PART_NAMES.get(match.group(1).strip().lower(), match.group(1).strip().lower())
    return int(heading.group(1)), part


def is_passage(value: Any) -> bool:
    """Whether a value is a {'file': str, 'quote': str} passage with non-empty strings."""
    return (
        isinstance(value, dict)
        and set(value) == GOLD_KEYS
        and all(isinstance(value[key], str) and value[key] for key in GOLD_KEYS)
    )


def check_fields(item: dict[str, Any], where: str, id_re: re.Pattern[str] = ID_RE) -> list[str]:
    """Problems with the fields of one suite entry (names, types, allowed values); ids must
    match `id_re`."""
    problems: list[str] = []
    missing = REQUIRED - item.keys()
    unknown = item.keys() - REQUIRED - OPTIONAL
    if missing:
        problems.append(f"{where}: missing fields {sorted(missing)}")
    if unknown:
        problems.append(f"{where}: unknown fields {sorted(unknown)}")
    if missing:
        return problems
    if not isinstance(item["id"], str) or not id_re.match(item["id"]):
        example = "h001" if id_re is HELDOUT_ID_RE else "q001"
        problems.append(f"{where}: id must look like {example}")
    if not isinstance(item["question"], str) or not item["question"].strip():
        problems.append(f"{where}: question must be a non-empty string")
    if item["lang"] not in LANGS:
        problems.append(f"{where}: lang must be one of {LANGS}")
    if not isinstance(item["answerable"], bool):
        problems.append(f"{where}: answerable must be true or false")
    if not isinstance(item["ci"], bool):
        problems.append(f"{where}: ci must be true or false")
    if item["type"] not in TYPES:
        problems.append(f"{where}: type must be one of {TYPES}")
    if not isinstance(item["gold"], list):
        problems.append(f"{where}: gold must be a list")
    else:
        for gold in item["gold"]:
            if (
                not isinstance(gold, dict)
                or not GOLD_KEYS <= gold.keys() <= GOLD_KEYS | GOLD_OPTIONAL
                or not is_passage({key: gold[key] for key in GOLD_KEYS})
            ):
                problems.append(
                    f"{where}: each gold entry must be "
                    "{'file': str, 'quote': str} with optional 'alternatives'"
                )
                continue
            alternatives = gold.get("alternatives", [])
            if (
                not isinstance(alternatives, list)
                or ("alternatives" in gold and not alternatives)
                or not all(is_passage(alternative) for alternative in alternatives)
            ):
                problems.append(
                    f"{where}: alternatives must be a non-empty list of "
                    "{'file': str, 'quote': str}"
                )
    if "scenario" in item and (
        isinstance(item["scenario"], bool)
        or not isinstance(item["scenario"], int)
        or not 1 <= item["scenario"] <= 4
    ):
        problems.append(f"{where}: scenario must be an integer from 1 to 4")
    if item["type"] == "followup":
        history = item.get("history")
        if (
            not isinstance(history, list)
            or not history
            or not all(isinstance(h, str) and h.strip() for h in history)
        ):
            problems.append(f"{where}: a followup needs a non-empty history of questions")
    elif "history" in item:
        problems.append(f"{where}: history is only for followup questions")
    return problems


def check_semantics(item: dict[str, Any], where: str) -> list[str]:
    """Problems with how type, answerability and gold fit together."""
    problems: list[str] = []
    unanswerable_type = item["type"] in UNANSWERABLE_TYPES
    if item["answerable"] == unanswerable_type:
        problems.append(
            f"{where}: type {item['type']} does not fit answerable={item['answerable']}"
        )
    if item["answerable"] and not item["gold"]:
        problems.append(f"{where}: an answerable question needs gold passages")
    if not item["answerable"] and item["gold"]:
        problems.append(f"{where}: an unanswerable question must have an empty gold list")
    if item["type"] == "two-passage" and len(item["gold"]) < 2:
        problems.append(f"{where}: a two-passage question needs at least two gold entries")
    if not item["answerable"] and "scenario" in item and item["type"] == "off-topic":
        problems.append(f"{where}: an off-topic question should not set a scenario filter")
    return problems


def check_quote(
    name: str,
    quote: str,
    where: str,
    documents: dict[str, Document],
    words_range: tuple[int, int],
) -> tuple[list[str], tuple[int, str] | None]:
    """Problems with one quoted passage, and its (scenario, part) address if in a scenario."""
    problems: list[str] = []
    if "/" in name or "\\" in name:
        return [f"{where}: file must be a basename, got {name!r}"], None
    document = documents.get(name)
    if document is None:
        return [f"{where}: file {name!r} not found under the corpus"], None
    words = word_count(quote)
    if not words_range[0] <= words <= words_range[1]:
        problems.append(f"{where}: quote has {words} words (want {words_range}): {quote!r}")
    if quote != quote.strip():
        problems.append(f"{where}: quote has leading or trailing whitespace: {quote!r}")
    found = document.text.count(quote)
    if found != 1:
        problems.append(f"{where}: quote found {found} times in {name}: {quote!r}")
        return problems, None
    position = document.text.index(quote)
    if position < document.body_start:
        problems.append(f"{where}: quote lies in the front matter of {name}: {quote!r}")
    return problems, scenario_address(document.text, position)


def check_gold(
    item: dict[str, Any], where: str, documents: dict[str, Document]
) -> tuple[list[str], list[tuple[str, int, str]]]:
    """Problems with the gold quotes and their alternatives, and the (file, scenario, part)
    addresses of each gold quote (alternatives excluded)."""
    problems: list[str] = []
    addresses: list[tuple[str, int, str]] = []
    alternative_numbers: set[int | None] = set()
    seen: set[tuple[str, str]] = set()
    for gold in item["gold"]:
        passages = [(gold, "gold", QUOTE_WORDS)] + [
            (alternative, "alternative", ALTERNATIVE_WORDS)
            for alternative in gold.get("alternatives", [])
        ]
        for passage, kind, words_range in passages:
            name, quote = passage["file"], passage["quote"]
            if (name, quote) in seen:
                problems.append(f"{where}: duplicate {kind} quote in {name}: {quote!r}")
            seen.add((name, quote))
            quote_problems, address = check_quote(
                name, quote, f"{where} {kind}", documents, words_range
            )
            problems += quote_problems
            if kind == "gold":
                if address is not None:
                    addresses.append((name, address[0], address[1]))
            elif not quote_problems:
                alternative_numbers.add(None if address is None else address[0])
    if "scenario" in item:
        numbers = {number for _, number, _ in addresses}
        if numbers != {item["scenario"]} or len(addresses) != len(item["gold"]):
            problems.append(
                f"{where}: scenario filter {item['scenario']} but gold comes from "
                f"scenarios {sorted(numbers) or 'none'}"
            )
        if alternative_numbers - {item["scenario"]}:
            problems.append(
                f"{where}: scenario filter {item['scenario']} but an alternative lies outside it"
            )
    return problems, addresses


def check_paraphrase(
    item: dict[str, Any], where: str, corpus_runs: set[tuple[str, ...]]
) -> list[str]:
    """Problems when a question or its history copies PARAPHRASE_RUN words of the corpus."""
    problems: list[str] = []
    for text in [item["question"], *item.get("history", [])]:
        copied = runs(normalise_tokens(text), PARAPHRASE_RUN) & corpus_runs
        if copied:
            sample = " ".join(sorted(copied)[0])
            problems.append(f"{where}: question copies the corpus ({sample!r}): {text!r}")
    return problems


def check_counts(items: list[dict[str, Any]], scenario_cover: set[tuple[int, str]]) -> list[str]:
    """Problems with the totals the suite promises."""
    problems: list[str] = []
    types = Counter(item["type"] for item in items)
    langs = Counter(item["lang"] for item in items)

    def at_least(label: str, value: int, minimum: int) -> None:
        if value < minimum:
            problems.append(f"counts: {label} is {value}, want at least {minimum}")

    at_least("total", len(items), MIN_TOTAL)
    share = langs["fr"] / len(items) if items else 0.0
    if not FR_SHARE[0] <= share <= FR_SHARE[1]:
        problems.append(f"counts: French share is {share:.2f}, want {FR_SHARE[0]}-{FR_SHARE[1]}")
    at_least("unanswerable", sum(1 for item in items if not item["answerable"]), MIN_UNANSWERABLE)
    at_least("near-miss", types["near-miss"], MIN_NEAR_MISS)
    at_least("off-topic", types["off-topic"], 1)
    at_least("scenario", types["scenario"], MIN_SCENARIO)
    at_least("fact", types["fact"], MIN_FACT)
    at_least("method", types["method"], MIN_METHOD)
    at_least("two-passage", types["two-passage"], MIN_TWO_PASSAGE)
    at_least("followup", types["followup"], MIN_FOLLOWUP)
    for number in range(1, 5):
        for part in SCENARIO_PARTS:
            if (number, part) not in scenario_cover:
                problems.append(f"counts: no scenario question on scenario {number}, {part}")
    formats: Counter[str] = Counter()
    for item in items:
        if item["type"] == "fact":
            formats.update({Path(gold["file"]).suffix.lower() for gold in item["gold"]})
    for suffix, minimum in MIN_FACT_PER_FORMAT.items():
        at_least(f"fact questions on {suffix} sources", formats[suffix], minimum)
    ci = [item for item in items if item["ci"]]
    if len(ci) != CI_TOTAL:
        problems.append(f"counts: {len(ci)} CI questions, want exactly {CI_TOTAL}")
    for lang, wanted in CI_ANSWERABLE.items():
        got = sum(1 for item in ci if item["answerable"] and item["lang"] == lang)
        if got != wanted:
            problems.append(f"counts: {got} answerable {lang} CI questions, want {wanted}")
    unanswerable_ci = [item for item in ci if not item["answerable"]]
    if len(unanswerable_ci) != CI_UNANSWERABLE:
        problems.append(
            f"counts: {len(unanswerable_ci)} unanswerable CI questions, want {CI_UNANSWERABLE}"
        )
    near_miss_ci = sum(1 for item in unanswerable_ci if item["type"] == "near-miss")
    if near_miss_ci < CI_NEAR_MISS:
        problems.append(f"counts: {near_miss_ci} near-miss CI questions, want {CI_NEAR_MISS}+")
    return problems


def read_suite(path: Path) -> tuple[list[dict[str, Any]], list[str]]:
    """The suite entries, one JSON object a line, and the problems met reading them."""
    items: list[dict[str, Any]] = []
    problems: list[str] = []
    try:
        raw = path.read_bytes()
    except OSError as exc:
        return [], [f"{path}: cannot read ({exc.strerror})"]
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError:
        return [], [f"{path}: not UTF-8"]
    for number, line in enumerate(text.splitlines(), start=1):
        if not line.strip():
            problems.append(f"line {number}: blank line")
            continue
        try:
            item = json.loads(line)
        except json.JSONDecodeError as exc:
            problems.append(f"line {number}: invalid JSON ({exc.msg})")
            continue
        if not isinstance(item, dict):
            problems.append(f"line {number}: not a JSON object")
            continue
        if "\\u" in line:
            problems.append(f"line {number}: escaped non-ASCII (write with ensure_ascii=False)")
        items.append(item)
    return items, problems


def summary(items: list[dict[str, Any]]) -> str:
    """Counts by type, language and answerability, and of the CI subset."""
    lines = [f"{len(items)} questions"]
    by_type = Counter(item["type"] for item in items)
    lines.append("by type: " + ", ".join(f"{t} {by_type[t]}" for t in TYPES))
    by_lang = Counter(item["lang"] for item in items)
    lines.append("by lang: " + ", ".join(f"{lang} {by_lang[lang]}" for lang in LANGS))
    answerable = sum(1 for item in items if item["answerable"])
    lines.append(f"answerable {answerable}, unanswerable {len(items) - answerable}")
    cross = Counter((item["lang"], item["answerable"]) for item in items)
    lines.append(
        "lang x answerable: "
        + ", ".join(
            f"{lang}/{'ans' if a else 'unans'} {cross[(lang, a)]}"
            for lang in LANGS
            for a in (True, False)
        )
    )
    ci = [item for item in items if item["ci"]]
    ci_types = Counter(item["type"] for item in ci)
    lines.append(
        f"CI subset: {len(ci)} (" + ", ".join(f"{t} {n}" for t, n in sorted(ci_types.items())) + ")"
    )
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    """Check the suite; print problems and a summary; return the exit status."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("suite", nargs="?", type=Path, default=DEFAULT_SUITE)
    parser.add_argument("--corpus", type=Path, default=DEFAULT_CORPUS)
    parser.add_argument(
        "--heldout",
        action="store_true",
        help="a held-out set: ids like h001, no promised counts",
    )
    args = parser.parse_args(argv)
    id_re = HELDOUT_ID_RE if args.heldout else ID_RE

    documents, problems = load_corpus(args.corpus)
    items, read_problems = read_suite(args.suite)
    problems += read_problems
    corpus_runs: set[tuple[str, ...]] = set()
    for document in documents.values():
        corpus_runs |= runs(normalise_tokens(document.text), PARAPHRASE_RUN)

    valid: list[dict[str, Any]] = []
    ids: Counter[str] = Counter()
    scenario_cover: set[tuple[int, str]] = set()
    for index, item in enumerate(items, start=1):
        where = f"{item.get('id', '?')} (entry {index})"
        field_problems = check_fields(item, where, id_re)
        problems += field_problems
        if field_problems:
            continue
        ids[item["id"]] += 1
        problems += check_semantics(item, where)
        gold_problems, addresses = check_gold(item, where, documents)
        problems += gold_problems
        problems += check_paraphrase(item, where, corpus_runs)
        if item["type"] == "scenario":
            if not addresses:
                problems.append(f"{where}: a scenario question's gold must come from a scenario")
            scenario_cover |= {(number, part) for _, number, part in addresses}
        valid.append(item)
    for identifier, count in sorted(ids.items()):
        if count > 1:
            problems.append(f"id {identifier} used {count} times")
    if len(valid) == len(items) and not args.heldout:
        problems += check_counts(valid, scenario_cover)

    print(f"suite: {args.suite}")
    print(f"corpus: {len(documents)} files ({', '.join(sorted(documents))})")
    print(summary(valid))
    if problems:
        print(f"\n{len(problems)} problem(s):", file=sys.stderr)
        for problem in problems:
            print(f"  - {problem}", file=sys.stderr)
        return 1
    print("\nOK: every check passed")
    return 0


if __name__ == "__main__":
    sys.exit(main())
