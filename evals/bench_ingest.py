"""Ingest and search benchmark on a generated French corpus of about 1k and 10k chunks.

For each target size the script writes a deterministic (seeded) corpus of French Markdown
and TXT files about public services (diagnostics, method notes and scenario texts with
`### Leviers` / `### Intérêt` / `### Limites` parts) into a temporary folder, ingests it
into a fresh store with `Ingestor.run` and embeds every chunk's sentences (the sentence
index, as `assistant ingest` does; both are the ingest time), then times
`retrieval.search` (query embedding included, model already warm) over varied French
queries, unfiltered and filtered by kind and by scenario. It prints a plain-text table,
then one JSON line with every figure.

Run from the project root:

    .venv/bin/python evals/bench_ingest.py                      # 1000,10000 chunks, e5 model
    .venv/bin/python evals/bench_ingest.py --model fake         # hashing embedder, fast
    .venv/bin/python evals/bench_ingest.py --sizes 1000 --queries 100 --store-dir /tmp/bench

The default model (`multilingual-e5-small`) needs `assistant models prepare` first. Other
settings (quantize, embed_batch_size, chunk_tokens, data_dir...) come from the
`ASSISTANT_*` environment variables as usual. With `--store-dir DIR`, the corpus and
store of each size are kept in `DIR/size-<N>/` (which must not exist yet); otherwise they
live in temporary folders removed at the end. The model is loaded once per invocation,
before the first size. Peak RSS is `ru_maxrss` of this process, so it is cumulative over
the sizes run in one invocation. The 1-minute load average is recorded with each size:
on a shared machine other processes slow the embedding down (see `--torch-threads`).
"""

from __future__ import annotations

import os

# Before anything heavy (chromadb, transformers, sentence-transformers) is imported.
os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")
os.environ.setdefault("ANONYMIZED_TELEMETRY", "False")
os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")

import argparse
import json
import random
import resource
import shutil
import statistics
import sys
import tempfile
import time
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from assistant.config import Settings
    from assistant.embeddings import Embedder, Vectors
    from assistant.retrieval import Retriever
    from assistant.store import ChromaStore

SEED = 20240603
DEFAULT_SIZES = (1000, 10000)
TOP_K = 5

# --------------------------------------------------------------------------------------
# Vocabulary of the generated corpus
# --------------------------------------------------------------------------------------

TERRITORIES = [
    "la Vallée-Haute",
    "le Pays des Trois Rivières",
    "la communauté de communes du Plateau",
    "le canton de Saint-Aubin",
    "le bassin de vie de Montclar",
    "la vallée de l'Orne",
    "le piémont des Coteaux",
    "l'agglomération de Belleville",
]
PLACES = [
    "La mairie",
    "L'espace France Services",
    "Le centre médico-social",
    "La maison de santé pluridisciplinaire",
    "Le conseiller numérique",
    "La communauté de communes",
    "L'agence postale communale",
    "La médiathèque intercommunale",
    "Le centre communal d'action sociale",
    "Le point d'accueil de proximité",
    "La permanence de la Caf",
    "L'antenne de la MSA",
    "L'agence France Travail",
    "Le bus France Services itinérant",
    "Le secrétariat de mairie",
    "La maison de l'enfance",
    "Le tiers-lieu numérique",
    "Le relais petite enfance",
]
VERBS = [
    "propose",
    "organise",
    "facilite",
    "renforce",
    "met en place",
    "assure",
    "coordonne",
    "développe",
    "élargit",
    "accompagne les habitants pour",
    "oriente le public vers",
    "expérimente",
]
OBJECTS = [
    "l'accès aux droits sociaux",
    "les démarches administratives en ligne",
    "un accueil de premier niveau",
    "des permanences de santé",
    "le transport à la demande",
    "des ateliers d'inclusion numérique",
    "l'aide à la mobilité des jeunes",
    "des rendez-vous en visio-communication",
    "la téléconsultation médicale",
    "l'accompagnement des demandeurs d'emploi",
    "la prise de rendez-vous pour les cartes d'identité",
    "la médiation numérique",
    "le covoiturage solidaire",
    "l'information sur les horaires d'ouverture",
    "l'aide au dossier de retraite",
    "le portage de repas à domicile",
    "la garde d'enfants en horaires atypiques",
    "l'accès au haut débit",
]
COMPLEMENTS = [
    "le mardi et le jeudi matin",
    "pour les personnes âgées isolées",
    "dans les communes rurales",
    "avec des horaires élargis le samedi",
    "en lien avec les partenaires locaux",
    "uniquement sur rendez-vous",
    "depuis l'ouverture du nouveau guichet",
    "grâce à un véhicule itinérant",
    "pour les familles monoparentales",
    "en dehors des heures de bureau",
    "avec l'appui des bénévoles",
    "dans chaque chef-lieu de canton",
    "pour les publics éloignés du numérique",
    "en partenariat avec la Poste",
    "à moins de vingt minutes de chaque habitant",
]
SERVICES = [
    "un médecin généraliste",
    "une pharmacie",
    "un espace France Services",
    "une gare",
    "un bureau de poste",
    "une crèche",
    "un guichet de mairie",
    "un point d'accès à internet",
    "une maison de santé",
    "un arrêt de car régulier",
]
OPINIONS = [
    "Les habitants interrogés regrettent {obj} {comp}.",
    "Les élus souhaitent maintenir {obj} {comp}.",
    "Plusieurs associations demandent de mieux faire connaître {obj}.",
    "Les agents d'accueil constatent une forte demande concernant {obj} {comp}.",
    "Le comité de pilotage a retenu {obj} comme priorité du schéma départemental.",
    "Faute de moyens, l'offre concernant {obj} varie fortement selon les communes.",
]
HOURS = [
    "de 8 h 30 à 12 h",
    "de 13 h 30 à 17 h",
    "de 9 h à 12 h et de 14 h à 18 h",
    "le samedi de 9 h à 12 h",
    "deux demi-journées par semaine",
    "tous les jours sauf le mercredi",
]
SECTIONS = [
    "Accueil et orientation",
    "Santé et accès aux soins",
    "Numérique et démarches en ligne",
    "Mobilité et transports",
    "Horaires d'ouverture",
    "Enfance et jeunesse",
    "Emploi et insertion",
    "Personnes âgées et autonomie",
    "Mairies et services de proximité",
    "Le réseau France Services",
    "Logement et énergie",
    "Attentes des habitants",
]
SCENARIO_TITLES = [
    "Le numérique, l'avenir des services",
    "Tout en proximité",
    "La mobilité au service de l'accès",
    "Des services qui se déplacent",
    "La santé d'abord",
    "Mutualiser les lieux d'accueil",
    "L'usager acteur de ses démarches",
    "Sans information, pas de services",
    "Le partenariat et la mise en réseau",
    "La mairie, guichet unique",
    "Des horaires adaptés à la vie active",
    "Les tiers-lieux au cœur du territoire",
]
DOC_TITLES = {
    "diagnostic": "Diagnostic de l'accessibilité des services",
    "method": "Note de méthode pour l'atelier de prospective",
    "scenario": "Scénarios exploratoires pour l'accès aux services",
}
QUESTIONS = [
    "Quels sont les horaires d'ouverture {place_de} ?",
    "Comment améliorer {obj} {comp} ?",
    "Où trouver {service} dans {territory} ?",
    "Quelles sont les limites du scénario sur {theme} ?",
    "Quels leviers pour développer {obj} ?",
    "Quel est l'intérêt {place_de} pour {obj} ?",
    "Combien d'habitants vivent loin {service_de} ?",
    "Que disent les habitants sur {obj} ?",
    "Est-ce que {place_lower} propose {obj} ?",
    "Comment le réseau France Services aide-t-il pour {obj} ?",
]
LEVERS = [
    "Développer",
    "Mutualiser",
    "Créer",
    "Former les agents sur",
    "Financer",
    "Faire connaître",
    "Coordonner",
    "Expérimenter",
]
THEMES = [
    "le numérique",
    "la santé",
    "la mobilité",
    "les mairies",
    "l'accueil de proximité",
    "les horaires",
    "l'emploi",
    "la petite enfance",
]


# --------------------------------------------------------------------------------------
# Corpus generation
# --------------------------------------------------------------------------------------


def _lower_first(text: str) -> str:
    return text[0].lower() + text[1:]


def _de(noun_phrase: str) -> str:
    """French `de` + noun phrase, contracted (`de le` -> `du`, `de une` -> `d'une`)."""
    phrase = _lower_first(noun_phrase)
    for article, contracted in (("le ", "du "), ("les ", "des ")):
        if phrase.startswith(article):
            return contracted + phrase[len(article) :]
    if phrase.startswith(("un ", "une ")):
        return "d'" + phrase
    return "de " + phrase


def _a(noun_phrase: str) -> str:
    """French `à` + noun phrase, contracted (`à le` -> `au`, `à les` -> `aux`)."""
    phrase = _lower_first(noun_phrase)
    for article, contracted in (("le ", "au "), ("les ", "aux ")):
        if phrase.startswith(article):
            return contracted + phrase[len(article) :]
    return "à " + phrase


def _sentence(rng: random.Random) -> str:
    """One realistic sentence about public services."""
    pick = rng.random()
    obj, comp = rng.choice(OBJECTS), rng.choice(COMPLEMENTS)
    if pick < 0.45:
        return f"{rng.choice(PLACES)} {rng.choice(VERBS)} {obj} {comp}."
    if pick < 0.65:
        year, pct, minutes = (
            rng.randint(2015, 2024),
            rng.randint(4, 68),
            rng.choice([10, 15, 20, 30]),
        )
        territory, service = rng.choice(TERRITORIES), rng.choice(SERVICES)
        return (
            f"En {year}, {pct} % des habitants {_de(territory)} résident à plus de {minutes} "
            f"minutes {_de(service)}."
        )
    if pick < 0.8:
        return f"L'accueil est ouvert {rng.choice(HOURS)} {_a(rng.choice(PLACES))}, {comp}."
    return rng.choice(OPINIONS).format(obj=obj, comp=comp)


def _paragraph(rng: random.Random, low: int = 3, high: int = 7) -> str:
    return " ".join(_sentence(rng) for _ in range(rng.randint(low, high)))


def _bullets(rng: random.Random, count: int) -> str:
    items = (
        f"- {rng.choice(LEVERS)} {rng.choice(OBJECTS)} {rng.choice(COMPLEMENTS)}"
        for _ in range(count)
    )
    return "\n".join(items)


def _front_matter(kind: str, title: str) -> str:
    return f"---\nkind: {kind}\ntitle: {title}\n---\n\n"


def diagnostic_text(rng: random.Random, kind: str, number: int) -> str:
    """A diagnostic or method document: `## Section` headings, a few `###` subsections."""
    title = f"{DOC_TITLES[kind]} n° {number} — {rng.choice(TERRITORIES)}"
    parts = [_front_matter(kind, title), f"# {title}\n\n{_paragraph(rng, 2, 4)}\n"]
    for section in rng.sample(SECTIONS, rng.randint(3, 7)):
        parts.append(f"\n## {section}\n\n")
        parts.append("\n\n".join(_paragraph(rng) for _ in range(rng.randint(1, 4))) + "\n")
        if rng.random() < 0.3:
            parts.append(f"\n### Points de vigilance\n\n{_bullets(rng, rng.randint(2, 5))}\n")
    return "".join(parts)


def scenario_text(rng: random.Random, number: int) -> tuple[str, list[str]]:
    """A scenario text (front matter `kind: scenario`) and the titles of its scenarios."""
    title = f"{DOC_TITLES['scenario']} n° {number}"
    titles = rng.sample(SCENARIO_TITLES, rng.randint(3, 6))
    parts = [_front_matter("scenario", title), f"# {title}\n\n{_paragraph(rng, 2, 3)}\n"]
    for index, name in enumerate(titles, start=1):
        parts.append(f'\n## {index}) Scénario "{name}"\n\n')
        parts.append("\n\n".join(_paragraph(rng) for _ in range(rng.randint(1, 3))) + "\n")
        parts.append(f"\n### Leviers\n\n{_bullets(rng, rng.randint(3, 6))}\n")
        parts.append(f"\n### Intérêt\n\n{_paragraph(rng, 1, 3)}\n")
        parts.append(f"\n### Limites\n\n{_paragraph(rng, 2, 5)}\n")
    return "".join(parts), titles


@dataclass
class Corpus:
    """A generated corpus folder and what is known about it before ingest."""

    root: Path
    files: int = 0
    bytes: int = 0
    expected_chunks: int = 0
    scenario_titles: list[str] = field(default_factory=list)


def count_chunks(path: Path, split: Callable[[str], list[str]]) -> int:
    """How many chunks the ingest pipeline will make of this file (same functions)."""
    from assistant.chunking import chunk_segments
    from assistant.ingest_files import resolve_kind
    from assistant.loaders import load_file
    from assistant.structure import segment

    loaded = load_file(path)
    kind = resolve_kind(loaded.meta.get("kind"), path, None)
    return len(chunk_segments(loaded.text, segment(loaded, kind), split, "x", "0" * 16))


def generate_corpus(root: Path, target_chunks: int, split: Callable[[str], list[str]]) -> Corpus:
    """Write files into `root` until they add up to about `target_chunks` chunks."""
    rng = random.Random(f"{SEED}-{target_chunks}")
    corpus = Corpus(root)
    folders = {"diagnostic": "diagnostics", "method": "method", "scenario": "scenarios"}
    for folder in folders.values():
        (root / folder).mkdir(parents=True, exist_ok=True)
    while corpus.expected_chunks < target_chunks:
        corpus.files += 1
        kind = rng.choices(["diagnostic", "scenario", "method"], weights=[6, 3, 1])[0]
        if kind == "scenario":
            text, titles = scenario_text(rng, corpus.files)
            corpus.scenario_titles.extend(t for t in titles if t not in corpus.scenario_titles)
        else:
            text = diagnostic_text(rng, kind, corpus.files)
        suffix = ".txt" if rng.random() < 0.25 else ".md"
        path = root / folders[kind] / f"{kind}-{corpus.files:05d}{suffix}"
        path.write_text(text, encoding="utf-8")
        corpus.bytes += len(text.encode("utf-8"))
        corpus.expected_chunks += count_chunks(path, split)
    return corpus


def make_queries(count: int, seed: int = SEED) -> list[str]:
    """`count` varied French questions, distinct while the templates allow (deterministic)."""
    rng = random.Random(f"{seed}-queries")
    queries: list[str] = []
    seen: set[str] = set()
    while len(queries) < count:
        place = rng.choice(PLACES)
        service = rng.choice(SERVICES)
        query = rng.choice(QUESTIONS).format(
            place_lower=_lower_first(place),
            place_de=_de(place),
            obj=rng.choice(OBJECTS),
            comp=rng.choice(COMPLEMENTS),
            service=service,
            service_de=_de(service),
            territory=rng.choice(TERRITORIES),
            theme=rng.choice(THEMES),
        )
        if query not in seen or len(seen) >= count * 50:
            seen.add(query)
            queries.append(query)
    return queries


# --------------------------------------------------------------------------------------
# Timing helpers
# --------------------------------------------------------------------------------------


def peak_rss_mb() -> float:
    """Peak resident set size of this process so far, in MB (Linux: ru_maxrss is KB)."""
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return round(peak / (1024 * 1024 if sys.platform == "darwin" else 1024), 1)


class Stopwatch:
    """Accumulated seconds per named bucket."""

    def __init__(self) -> None:
        self.seconds: dict[str, float] = {}

    @contextmanager
    def time(self, bucket: str) -> Iterator[None]:
        """Add the time spent in the block to `bucket`."""
        started = time.perf_counter()
        try:
            yield
        finally:
            elapsed = time.perf_counter() - started
            self.seconds[bucket] = self.seconds.get(bucket, 0.0) + elapsed

    def take(self, bucket: str) -> float:
        """Read and reset a bucket."""
        return self.seconds.pop(bucket, 0.0)


class TimedEmbedder:
    """An Embedder that times its inner embedder, passages and queries separately."""

    def __init__(self, inner: Embedder, watch: Stopwatch) -> None:
        self.inner = inner
        self.name = inner.name
        self.watch = watch

    def embed(self, texts: Sequence[str], *, query: bool) -> Vectors:
        """Embed with the inner embedder, adding the time to `embed_query`/`embed_passages`."""
        with self.watch.time("embed_query" if query else "embed_passages"):
            return self.inner.embed(texts, query=query)


# Store methods called by `Ingestor.run` (add_chunks is the chunk upsert) and by `search`.
INGEST_STORE_METHODS = ("add_chunks", "get_record", "count_chunks", "drop_stale_chunks", "activate")
# (`nearest` and `only_active` are what `Retriever` calls since the search pass of issue 12;
# older trees call `query`: the Chroma column sums whichever exist.)
SEARCH_STORE_METHODS = ("records", "query", "nearest", "only_active")
CHROMA_BUCKETS = ("store.query", "store.nearest", "store.only_active")


def time_store_methods(store: ChromaStore, watch: Stopwatch, names: Sequence[str]) -> None:
    """Time the named store methods into `store.<name>` buckets (on this instance only)."""

    def wrap(name: str) -> None:
        method = getattr(store, name)

        def timed(*args: Any, **kwargs: Any) -> Any:
            with watch.time(f"store.{name}"):
                return method(*args, **kwargs)

        setattr(store, name, timed)

    for name in names:
        if hasattr(store, name):
            wrap(name)


def percentile(values: Sequence[float], pct: int) -> float:
    """The pct-th percentile (inclusive method) of at least one value."""
    if len(values) == 1:
        return values[0]
    return statistics.quantiles(values, n=100, method="inclusive")[pct - 1]


# --------------------------------------------------------------------------------------
# One size
# --------------------------------------------------------------------------------------


@dataclass
class SearchStats:
    """Latency of one search variant over all queries."""

    variant: str
    queries: int
    p50_ms: float
    p95_ms: float
    mean_ms: float
    embed_mean_ms: float
    records_mean_ms: float  # store.records(): scenario names resolved for each search
    chroma_query_mean_ms: float  # store.query(): Chroma query + active-version check
    mean_hits: float
    cpu_p50_ms: float = 0.0  # process CPU (every thread) of one search, median


# What the dense query asks Chroma for: today's `store.query` (documents + metadata), and less.
INCLUDES: dict[str, list[str]] = {
    "ids+distances": ["distances"],
    "+metadatas": ["metadatas", "distances"],
    "+documents+metadatas": ["documents", "metadatas", "distances"],
}


def chroma_include_costs(
    store: ChromaStore, embedder: Embedder, queries: Sequence[str], k: int = 30
) -> dict[str, float]:
    """p50 ms of the raw Chroma query (the retriever's pool of k, with its headroom) per
    `include=` choice, unfiltered, over the same query vectors (embedding not counted)."""
    vectors = embedder.embed(list(queries[:50]), query=True)
    want = min(store.count_chunks(), k * 2 + 8)
    costs: dict[str, float] = {}
    for label, include in INCLUDES.items():
        times = []
        for vector in vectors:
            started = time.perf_counter()
            store.chunks.query(query_embeddings=[vector], n_results=want, include=include)
            times.append((time.perf_counter() - started) * 1000)
        costs[label] = round(percentile(times, 50), 2)
    return costs


@dataclass
class SizeResult:
    """Every figure measured for one target size."""

    target_chunks: int
    model: str
    files: int
    corpus_mb: float
    expected_chunks: int
    chunks: int
    failed_files: int
    stored_chunks: int
    ingest_s: float
    chunks_per_s: float
    embed_s: float
    embed_pct: float
    upsert_s: float
    upsert_pct: float
    store_other_s: float
    store_s: dict[str, float]
    load_chunk_other_s: float
    search: list[SearchStats]
    rss_before_mb: float
    peak_rss_mb: float
    load_avg: list[float]  # 1-minute load average before ingest, after ingest, after search
    chroma_include_ms: dict[str, float] = field(default_factory=dict)
    cpu_s: float = 0.0  # process CPU seconds (all threads, user + system) of the ingest
    cpu_ms_per_chunk: float = 0.0
    sentences_s: float = 0.0  # of ingest_s: embedding every chunk's sentences (after the chunks)


def settings_for(home: Path, model: str) -> Settings:
    """Settings for one run: this store folder and model, the rest from the environment."""
    from assistant.config import Settings

    return Settings(home=home, embedding_model=model)


def warm_up(embedder: Embedder, watch: Stopwatch) -> float:
    """Load the model (if any) outside the measured ingest; return the seconds it took."""
    started = time.perf_counter()
    embedder.embed(["passage de chauffe"], query=False)
    embedder.embed(["requête de chauffe"], query=True)
    watch.take("embed_passages")
    watch.take("embed_query")
    return time.perf_counter() - started


def bench_search(
    retriever: Retriever,
    embedder: TimedEmbedder,
    queries: Sequence[str],
    variant: str,
    filters: dict[str, Any],
    mode: str = "dense",
) -> SearchStats:
    """Time retrieval (`Retriever.search`, dense unless said) over every query and filter."""
    watch = embedder.watch
    retriever.search(queries[0], top_k=TOP_K, mode=mode, **filters)  # type: ignore[arg-type]
    for bucket in ("embed_query", "store.records", *CHROMA_BUCKETS):
        watch.take(bucket)
    latencies: list[float] = []
    cpu: list[float] = []
    hits = 0
    for query in queries:
        started, cpu_started = time.perf_counter(), time.process_time()
        hits += len(retriever.search(query, top_k=TOP_K, mode=mode, **filters))  # type: ignore[arg-type]
        latencies.append((time.perf_counter() - started) * 1000)
        cpu.append((time.process_time() - cpu_started) * 1000)
    per_query_ms = {
        bucket: round(watch.take(bucket) * 1000 / len(queries), 2)
        for bucket in ("embed_query", "store.records")
    }
    chroma_s = sum(watch.take(bucket) for bucket in CHROMA_BUCKETS)
    per_query_ms["store.query"] = round(chroma_s * 1000 / len(queries), 2)
    return SearchStats(
        variant=variant,
        queries=len(queries),
        p50_ms=round(percentile(latencies, 50), 2),
        p95_ms=round(percentile(latencies, 95), 2),
        mean_ms=round(statistics.fmean(latencies), 2),
        embed_mean_ms=per_query_ms["embed_query"],
        records_mean_ms=per_query_ms["store.records"],
        chroma_query_mean_ms=per_query_ms["store.query"],
        mean_hits=round(hits / len(queries), 2),
        cpu_p50_ms=round(percentile(cpu, 50), 2),
    )


def search_variants(scenario_titles: Sequence[str]) -> list[tuple[str, dict[str, Any]]]:
    """The search filters to time: none, by kind, by scenario (when the corpus has some)."""
    variants: list[tuple[str, dict[str, Any]]] = [
        ("unfiltered", {}),
        ("kind=diagnostic", {"kind": "diagnostic"}),
        ("kind=scenario", {"kind": "scenario"}),
    ]
    if scenario_titles:
        rng = random.Random(f"{SEED}-filter")
        chosen = rng.sample(list(scenario_titles), min(2, len(scenario_titles)))
        variants.append(
            (f"scenarios={len(chosen)},kind=scenario", {"scenarios": chosen, "kind": "scenario"})
        )
    return variants


def load_embedder(model: str) -> tuple[TimedEmbedder, float]:
    """The embedder named by `model`, loaded and warm, and the seconds loading took."""
    from assistant.wiring import make_embedder

    # make_embedder does not look at the store folder; each size gets its own below.
    embedder = TimedEmbedder(make_embedder(settings_for(Path("unused"), model)), Stopwatch())
    return embedder, warm_up(embedder, embedder.watch)


def run_size(
    target: int, model: str, embedder: TimedEmbedder, queries: Sequence[str], base: Path
) -> SizeResult:
    """Generate, ingest and search one corpus of about `target` chunks under `base`."""
    from assistant.chunking import make_splitter, prepare_tiktoken
    from assistant.wiring import make_ingestor, make_retriever, make_store

    settings = settings_for(base / "store", model)
    prepare_tiktoken(settings.tiktoken_dir)
    split = make_splitter(settings.chunk_tokens, settings.chunk_overlap)
    corpus = generate_corpus(base / "corpus", target, split)

    watch = embedder.watch
    store = make_store(settings, embedder.inner)
    time_store_methods(store, watch, INGEST_STORE_METHODS + SEARCH_STORE_METHODS)
    ingestor = make_ingestor(settings, store, embedder)

    rss_before = peak_rss_mb()
    load_avg = [os.getloadavg()[0]]
    started, cpu_started = time.perf_counter(), time.process_time()
    report = ingestor.run([corpus.root])
    chunks_s = time.perf_counter() - started
    make_retriever(settings, store, embedder).refresh()  # every chunk's sentences, embedded
    ingest_s = time.perf_counter() - started
    cpu_s = time.process_time() - cpu_started  # both steps
    embed_s = watch.take("embed_passages")
    store_s = {name: round(watch.take(f"store.{name}"), 2) for name in INGEST_STORE_METHODS}
    upsert_s = store_s["add_chunks"]
    store_other_s = sum(store_s.values()) - upsert_s
    load_avg.append(os.getloadavg()[0])

    searches = [
        bench_search(make_retriever(settings, store, embedder), embedder, queries, name, filters)
        for name, filters in search_variants(corpus.scenario_titles)
    ]
    include_ms = chroma_include_costs(store, embedder.inner, queries)
    load_avg.append(os.getloadavg()[0])
    return SizeResult(
        target_chunks=target,
        model=embedder.name,
        files=corpus.files,
        corpus_mb=round(corpus.bytes / 1e6, 2),
        expected_chunks=corpus.expected_chunks,
        chunks=report.chunks,
        failed_files=len(report.failed),
        stored_chunks=store.count_chunks(),
        ingest_s=round(ingest_s, 2),
        chunks_per_s=round(report.chunks / ingest_s, 1),
        embed_s=round(embed_s, 2),
        embed_pct=round(100 * embed_s / ingest_s, 1),
        upsert_s=round(upsert_s, 2),
        upsert_pct=round(100 * upsert_s / ingest_s, 1),
        store_other_s=round(store_other_s, 2),
        store_s=store_s,
        load_chunk_other_s=round(ingest_s - embed_s - upsert_s - store_other_s, 2),
        search=searches,
        rss_before_mb=rss_before,
        peak_rss_mb=peak_rss_mb(),
        load_avg=[round(value, 2) for value in load_avg],
        chroma_include_ms=include_ms,
        cpu_s=round(cpu_s, 2),
        cpu_ms_per_chunk=round(1000 * cpu_s / max(1, report.chunks), 1),
        sentences_s=round(ingest_s - chunks_s, 2),
    )


def search_only(
    target: int, model: str, embedder: TimedEmbedder, queries: Sequence[str], base: Path
) -> tuple[int, list[SearchStats]]:
    """Time the search variants, and hybrid search, on a store an earlier `--store-dir`
    run left in `base` (nothing generated, nothing ingested): its chunks, the timings."""
    from assistant.wiring import make_retriever, make_store

    settings = settings_for(base / "store", model)
    store = make_store(settings, embedder.inner)
    if not store.count_chunks():
        raise SystemExit(f"no chunks in {base / 'store'}: build it with --store-dir first")
    time_store_methods(store, embedder.watch, SEARCH_STORE_METHODS)
    retriever = make_retriever(settings, store, embedder)
    titles = [s.title for s in retriever.lexical.scenarios()]
    variants = [(n, f, "dense") for n, f in search_variants(titles)]
    variants += [("hybrid", {}, "hybrid"), ("hybrid,kind=scenario", {"kind": "scenario"}, "hybrid")]
    stats = []
    for name, filters, mode in variants:
        stats.append(bench_search(retriever, embedder, queries, name, filters, mode))
        retriever._vectors.clear()  # each variant embeds its queries afresh
    return store.count_chunks(), stats


def format_search_only(target: int, chunks: int, stats: Sequence[SearchStats]) -> str:
    """The search table of `--search-only`."""
    lines = [
        f"search on the stored {target} ({chunks} chunks), load average "
        f"{os.getloadavg()[0]:.2f} after:",
        f"{'variant':<32} {'n':>4} {'p50 ms':>8} {'p95 ms':>8} {'CPU p50 ms':>11} "
        f"{'embed ms':>9} {'chroma ms':>10}",
    ]
    for s in stats:
        lines.append(
            f"{s.variant:<32} {s.queries:>4} {s.p50_ms:>8.2f} {s.p95_ms:>8.2f} "
            f"{s.cpu_p50_ms:>11.2f} {s.embed_mean_ms:>9.2f} {s.chroma_query_mean_ms:>10.2f}"
        )
    return "\n".join(lines)


@contextmanager
def size_folder(target: int, store_dir: Path | None) -> Iterator[Path]:
    """`store_dir/size-<N>` (kept), or a temporary folder removed afterwards."""
    if store_dir is not None:
        folder = store_dir / f"size-{target}"
        if folder.exists() and any(folder.iterdir()):
            raise SystemExit(f"{folder} already exists and is not empty; pick another --store-dir")
        folder.mkdir(parents=True, exist_ok=True)
        yield folder
        return
    folder = Path(tempfile.mkdtemp(prefix=f"bench-ingest-{target}-"))
    try:
        yield folder
    finally:
        shutil.rmtree(folder, ignore_errors=True)


# --------------------------------------------------------------------------------------
# Output
# --------------------------------------------------------------------------------------


def format_tables(results: Sequence[SizeResult]) -> str:
    """Plain-text tables: ingest figures per size, then search latency per size and filter."""
    lines = [
        f"{'target':>7} {'files':>6} {'chunks':>7} {'ingest s':>9} {'chunks/s':>9} "
        f"{'embed s':>8} {'embed%':>7} {'upsert s':>9} {'upsert%':>8} {'store+ s':>9} "
        f"{'chunk+ s':>9} {'sent. s':>8} {'rss MB':>8} {'cpu ms/chunk':>13}",
    ]
    for r in results:
        lines.append(
            f"{r.target_chunks:>7} {r.files:>6} {r.chunks:>7} {r.ingest_s:>9.2f} "
            f"{r.chunks_per_s:>9.1f} {r.embed_s:>8.2f} {r.embed_pct:>7.1f} {r.upsert_s:>9.2f} "
            f"{r.upsert_pct:>8.1f} {r.store_other_s:>9.2f} {r.load_chunk_other_s:>9.2f} "
            f"{r.sentences_s:>8.2f} {r.peak_rss_mb:>8.1f} {r.cpu_ms_per_chunk:>13.1f}"
        )
    lines.append(
        "(store+ = other store calls during ingest: get_record, count_chunks, "
        "drop_stale_chunks, activate; chunk+ = load, structure, chunking and the rest; "
        "sent. = embedding every chunk's sentences after the chunks (included in ingest s); "
        "cpu = process CPU seconds, every thread, per chunk ingested)"
    )
    lines.append("")
    lines.append(
        f"{'target':>7} {'filter':<28} {'n':>4} {'p50 ms':>8} {'p95 ms':>8} {'mean ms':>8} "
        f"{'embed ms':>9} {'records ms':>11} {'chroma ms':>10} {'hits':>5}"
    )
    for r in results:
        for s in r.search:
            lines.append(
                f"{r.target_chunks:>7} {s.variant:<28} {s.queries:>4} {s.p50_ms:>8.2f} "
                f"{s.p95_ms:>8.2f} {s.mean_ms:>8.2f} {s.embed_mean_ms:>9.2f} "
                f"{s.records_mean_ms:>11.2f} {s.chroma_query_mean_ms:>10.2f} {s.mean_hits:>5.1f}"
            )
    lines.append(
        "(embed/records/chroma = mean ms per search in the query embedding, in "
        "store.records() for scenario names, and in store.query())"
    )
    lines.append("")
    lines.append("raw Chroma query p50 ms by include= (unfiltered, 68 results):")
    for r in results:
        costs = " · ".join(f"{label} {ms:.2f}" for label, ms in r.chroma_include_ms.items())
        lines.append(f"{r.target_chunks:>7} {costs}")
    lines.append("")
    lines.append("| measure | value |")
    lines.append("|---|---|")
    for r in results:
        lines.append(
            f"| ingest, `evals/bench_ingest.py --sizes {r.target_chunks}` | "
            f"{r.chunks_per_s:.0f} chunks/s, embedding {r.embed_pct:.0f} % of it, "
            f"{r.cpu_ms_per_chunk:.0f} ms CPU a chunk |"
        )
        plain = r.search[0]
        lines.append(
            f"| search p50 at {r.target_chunks} chunks | {plain.p50_ms:.0f} ms (query "
            f"embedding {plain.embed_mean_ms:.0f}, Chroma {plain.chroma_query_mean_ms:.0f}) |"
        )
    return "\n".join(lines)


def describe(result: SizeResult) -> str:
    """One progress line about a finished size."""
    store = " ".join(f"{name}={seconds}s" for name, seconds in result.store_s.items())
    return (
        f"[size {result.target_chunks}] model={result.model} files={result.files} "
        f"corpus={result.corpus_mb} MB chunks: expected={result.expected_chunks} "
        f"ingested={result.chunks} stored={result.stored_chunks} failed_files="
        f"{result.failed_files} "
        f"rss_before_ingest={result.rss_before_mb} MB load_avg={result.load_avg} "
        f"(on {os.cpu_count()} CPUs); ingest store calls: {store}"
    )


# --------------------------------------------------------------------------------------
# Command line
# --------------------------------------------------------------------------------------


def torch_threads(model: str, wanted: int | None) -> int | None:
    """Apply `--torch-threads` and return torch's thread count (None for the fake model)."""
    from assistant.config import DEFAULT_MODEL, Settings

    backend = getattr(Settings(), "embedding_backend", "torch")  # older trees: torch only
    if model == "fake" or (model == DEFAULT_MODEL and backend == "onnx"):
        return None
    import torch

    if wanted is not None:
        torch.set_num_threads(wanted)
    return int(torch.get_num_threads())


def parse_sizes(text: str) -> list[int]:
    """`1000,10000` -> [1000, 10000]."""
    try:
        sizes = [int(part) for part in text.split(",") if part.strip()]
    except ValueError as exc:
        raise argparse.ArgumentTypeError(f"invalid sizes '{text}'") from exc
    if not sizes or any(size <= 0 for size in sizes):
        raise argparse.ArgumentTypeError(f"invalid sizes '{text}'")
    return sizes


def parse_args(argv: Sequence[str] | None = None) -> argparse.Namespace:
    """The command-line options."""
    from assistant.config import DEFAULT_MODEL

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument(
        "--sizes",
        type=parse_sizes,
        default=list(DEFAULT_SIZES),
        help="target chunk counts, comma-separated (default: 1000,10000)",
    )
    parser.add_argument(
        "--model",
        default=os.environ.get("ASSISTANT_EMBEDDING_MODEL", DEFAULT_MODEL),
        help=f"embedding model: {DEFAULT_MODEL} (default), fake, or a sentence-transformers path",
    )
    parser.add_argument("--queries", type=int, default=200, help="queries per search variant")
    parser.add_argument(
        "--torch-threads",
        type=int,
        default=None,
        help="torch.set_num_threads(N) before embedding (default: torch's own choice)",
    )
    parser.add_argument(
        "--store-dir", type=Path, default=None, help="keep corpora and stores in DIR/size-<N>/"
    )
    parser.add_argument(
        "--search-only",
        action="store_true",
        help="with --store-dir: time search (dense variants and hybrid) on the stores an "
        "earlier run kept there, nothing ingested",
    )
    args = parser.parse_args(argv)
    if args.search_only and args.store_dir is None:
        parser.error("--search-only needs --store-dir")
    if args.queries < 1:
        parser.error("--queries must be at least 1")
    if args.torch_threads is not None and args.torch_threads < 1:
        parser.error("--torch-threads must be at least 1")
    return args


def main(argv: Sequence[str] | None = None) -> int:
    """Run every size, print the tables, then one JSON line."""
    from assistant.errors import AssistantError

    args = parse_args(argv)
    threads = torch_threads(args.model, args.torch_threads)
    queries = make_queries(args.queries)
    try:
        embedder, model_load_s = load_embedder(args.model)
    except (AssistantError, OSError) as exc:  # model not prepared, or not found offline
        print(f"error: {str(exc).splitlines()[0]}", file=sys.stderr)
        return 1
    rss_model = peak_rss_mb()
    print(
        f"bench_ingest: model={args.model} ({embedder.name}) sizes={args.sizes} "
        f"queries={args.queries} top_k={TOP_K} cpus={os.cpu_count()} torch_threads={threads} "
        f"model_load={model_load_s:.2f}s rss_after_model_load={rss_model} MB",
        flush=True,
    )
    if args.search_only:
        for target in args.sizes:
            base = args.store_dir / f"size-{target}"
            chunks, stats = search_only(target, args.model, embedder, queries, base)
            print(format_search_only(target, chunks, stats), flush=True)
        return 0
    results: list[SizeResult] = []
    for target in args.sizes:
        with size_folder(target, args.store_dir) as base:
            result = run_size(target, args.model, embedder, queries, base)
        print(describe(result), flush=True)
        results.append(result)
    print()
    print(format_tables(results))
    summary = {
        "model": args.model,
        "queries": args.queries,
        "top_k": TOP_K,
        "cpus": os.cpu_count(),
        "torch_threads": threads,
        "model_load_s": round(model_load_s, 2),
        "rss_after_model_load_mb": rss_model,
        "results": [asdict(r) for r in results],
    }
    print(json.dumps(summary, ensure_ascii=False))
    return 0


if __name__ == "__main__":
    sys.exit(main())
