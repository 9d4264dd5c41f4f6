"""The app's named API (`/ask`, `/search`, `/compare`) called with gradio_client against the
REAL app (subprocess, real embedding model, bundled corpus), and the participants' lack of
access to facilitator actions, over the API, over raw HTTP and in the services.
"""

from __future__ import annotations

import json
import re
import uuid
from pathlib import Path
from typing import Any

import httpx
import pytest
from gradio_client import Client
from gradio_client.exceptions import AppError

from assistant.config import Settings
from assistant.ui.services import FACILITATOR, Forbidden, Services, safe_name
from assistant.wiring import make_services
from tests.ui_harness import XSS_QUESTION, App, quote, run_cli

pytest_plugins = ["tests.ui_fixtures"]

ANSWER_KEYS = {"question", "language", "answerable", "answer", "sentences", "citations", "passages"}
CITATION_KEYS = {"n", "doc_id", "source", "section", "start", "end", "quote", "label"}
URGENCES = "Quel est le temps d'accès aux urgences en haute vallée ?"
FRANCE_SERVICES = "Combien de France Services ?"  # cites the PDF survey and the Word file
S1 = "s1-le-numerique-l-avenir-des-services"
PARTICIPANT_ENDPOINTS = {"/ask", "/search", "/compare"}
FACILITATOR_WORDS = ("upload", "ingest", "remove", "delete", "export", "import", "login",
                     "password", "wall", "document", "corpus", "draft", "box")  # fmt: skip


@pytest.fixture
def client(ui_app: App) -> Client:
    """A gradio_client on the running app (a new one per test: the app may have restarted)."""
    return Client(ui_app.url, verbose=False)


def _canonical(home: Path, citation: dict[str, Any], cache: dict[str, str]) -> str:
    """The text at the citation's span: the .md file itself (its text is stored unchanged),
    else what `assistant quote` prints."""
    source = Path(citation["source"])
    if source.suffix == ".md":
        if citation["doc_id"] not in cache:
            cache[citation["doc_id"]] = source.read_text(encoding="utf-8")
        return cache[citation["doc_id"]][citation["start"] : citation["end"]]
    return quote(home, citation["doc_id"], citation["start"], citation["end"])


# -- /ask ----------------------------------------------------------------------------------
def test_ask_returns_the_cli_json_with_valid_citations(client: Client) -> None:
    answer = client.predict(URGENCES, None, api_name="/ask")
    assert set(answer) >= ANSWER_KEYS
    assert answer["question"] == URGENCES and answer["language"] == "fr"
    assert answer["answerable"] is True and "58 minutes" in answer["answer"]
    numbers = {c["n"] for c in answer["citations"]}
    assert numbers and answer["sentences"] and answer["passages"]
    for citation in answer["citations"]:
        assert set(citation) >= CITATION_KEYS
        assert 0 <= citation["start"] < citation["end"]
        assert citation["label"] in {"constat", "hypothèse", "méthode"}
    for sentence in answer["sentences"]:
        assert sentence["citations"] and set(sentence["citations"]) <= numbers
        assert sentence["verdict"] in {"supported", "weak", "unsupported"}


def test_ask_is_exactly_what_the_command_line_prints(client: Client, ui_app: App) -> None:
    over_http = client.predict(FRANCE_SERVICES, api_name="/ask")
    done = run_cli(ui_app.home, "ask", FRANCE_SERVICES, "--json")
    assert done.returncode == 0, done.stderr[-2000:]
    assert over_http == json.loads(done.stdout)


@pytest.mark.parametrize("question", [URGENCES, FRANCE_SERVICES, XSS_QUESTION])
def test_every_quote_is_the_canonical_text_span(client: Client, ui_app: App, question: str) -> None:
    answer = client.predict(question, None, api_name="/ask")
    assert answer["answerable"] and answer["citations"]
    cache: dict[str, str] = {}
    checked: set[tuple[str, int, int]] = set()
    for citation in answer["citations"]:
        span = (citation["doc_id"], citation["start"], citation["end"])
        if span in checked:
            continue
        checked.add(span)
        assert citation["quote"] == _canonical(ui_app.home, citation, cache), citation
    if question == FRANCE_SERVICES:  # the non-Markdown sources went through `assistant quote`
        assert {Path(c["source"]).suffix for c in answer["citations"]} - {".md"}


def test_ask_limited_to_a_scenario_cites_only_that_scenario(client: Client) -> None:
    answer = client.predict(
        "Quelles sont les limites du scénario tout numérique ?", [S1], api_name="/ask"
    )
    assert answer["answerable"] and answer["citations"]
    assert {c["scenario"]["id"] for c in answer["citations"] if c["scenario"]} == {S1}
    assert all(p["scenario"] and p["scenario"]["id"] == S1 for p in answer["passages"])


def test_a_question_the_sources_do_not_answer_is_refused(client: Client) -> None:
    answer = client.predict("Quel est le prix du ticket de métro à Tokyo ?", api_name="/ask")
    assert set(answer) >= ANSWER_KEYS
    assert answer["answerable"] is False
    assert answer["sentences"] == [] and answer["citations"] == []
    assert "ne répondent pas" in answer["answer"]


@pytest.mark.parametrize(
    ("question", "scenarios"), [("   ", None), ("x" * 1001, None), (URGENCES, ["s9-inexistant"])]
)
def test_bad_requests_are_errors(client: Client, question: str, scenarios: Any) -> None:
    with pytest.raises(AppError):
        client.predict(question, scenarios, api_name="/ask")


def test_api_errors_say_what_is_wrong(client: Client) -> None:
    with pytest.raises(AppError, match="s9-inexistant"):
        client.predict(URGENCES, ["s9-inexistant"], api_name="/ask")


# -- /search and /compare -----------------------------------------------------------------
def test_search_returns_the_cli_json(client: Client) -> None:
    result = client.predict("bus France Services", None, 3, api_name="/search")
    assert set(result) == {"query", "passages"} and result["query"] == "bus France Services"
    passages = result["passages"]
    assert 1 <= len(passages) <= 3
    assert [p["rank"] for p in passages] == list(range(1, len(passages) + 1))
    assert any("France Services" in p["text"] for p in passages)
    for p in passages:
        assert {"doc_id", "source", "start", "end", "text", "score", "section"} <= set(p)
        if p["source"].endswith(".md"):
            text = Path(p["source"]).read_text(encoding="utf-8")
            assert text[p["start"] : p["end"]] == p["text"]
    limited = client.predict("limites", [S1], 5, api_name="/search")["passages"]
    assert limited and all(p["scenario"]["id"] == S1 for p in limited)


def test_compare_returns_the_matrix(client: Client, ui_app: App) -> None:
    result = client.predict(None, None, api_name="/compare")
    assert {"scenarios", "aspects", "cells", "tensions", "citations"} <= set(result)
    assert [s["number"] for s in result["scenarios"]] == [1, 2, 3, 4]
    assert result["aspects"] == ["narrative", "levers", "interest", "limits"]
    assert len(result["cells"]) == 16
    numbers = {c["n"] for c in result["citations"]}
    covered = [c for c in result["cells"] if c["status"] == "covered"]
    assert covered and all(c["sentences"] for c in covered)
    for cell in covered:
        assert cell["aspect"] in result["aspects"]
        for sentence in cell["sentences"]:
            assert sentence["citations"] and set(sentence["citations"]) <= numbers
    cache: dict[str, str] = {}
    for citation in result["citations"]:
        if citation["source"].endswith(".md"):
            assert citation["quote"] == _canonical(ui_app.home, citation, cache)

    limited = client.predict([S1], ["santé"], api_name="/compare")
    assert [s["id"] for s in limited["scenarios"]] == [S1] and limited["aspects"] == ["santé"]
    assert [c["scenario"]["id"] for c in limited["cells"]] == [S1]


# -- participants cannot reach facilitator actions ----------------------------------------
def test_the_api_exposes_only_the_participant_endpoints(client: Client) -> None:
    api = client.view_api(return_format="dict", print_info=False)
    assert isinstance(api, dict)
    names = set(api["named_endpoints"]) | {str(k) for k in api["unnamed_endpoints"]}
    assert names == PARTICIPANT_ENDPOINTS
    assert not [n for n in names if any(w in n.lower() for w in FACILITATOR_WORDS)]


def _config(url: str) -> dict[str, Any]:
    return httpx.get(url + "config", timeout=10).json()  # type: ignore[no-any-return]


def _component(config: dict[str, Any], elem_id: str) -> dict[str, Any]:
    return next(c for c in config["components"] if c["props"].get("elem_id") == elem_id)


def _raw_call(
    url: str, config: dict[str, Any], dep: dict[str, Any], data: list[Any], session: str = ""
) -> Any:
    """Call an event handler the way the page does (queue/join + SSE), in a new session
    unless one is given."""
    session = session or uuid.uuid4().hex[:11]
    base = url.rstrip("/") + config.get("api_prefix", "/gradio_api")
    trigger = dep["targets"][0][0] if dep["targets"] else None
    body = {"data": data, "fn_index": dep["id"], "session_hash": session, "event_data": None,
            "trigger_id": trigger}  # fmt: skip
    with httpx.Client(timeout=60) as http:
        http.post(f"{base}/queue/join", json=body).raise_for_status()
        with http.stream("GET", f"{base}/queue/data", params={"session_hash": session}) as s:
            for line in s.iter_lines():
                if line.startswith("data:"):
                    message = json.loads(line[5:])
                    if message.get("msg") == "process_completed":
                        return message["output"]
    raise AssertionError("no process_completed message")


def _forged(config: dict[str, Any], dep: dict[str, Any], by_type: dict[str, Any]) -> list[Any]:
    """Inputs for a handler: every State claims the facilitator role (the server must ignore
    what the client says a State holds)."""
    types = {c["id"]: c["type"] for c in config["components"]}
    default = {"state": FACILITATOR}
    return [by_type.get(types[i], default.get(types[i])) for i in dep["inputs"]]


def test_facilitator_handlers_ignore_a_forged_role_over_raw_http(ui_app: App) -> None:
    config = _config(ui_app.url)
    wall = _component(config, "wall")["id"]
    for dep in [d for d in config["dependencies"] if d["outputs"] == [wall]]:
        output = _raw_call(ui_app.url, config, dep, _forged(config, dep, {}))
        assert output["data"] == [""], output  # no question leaks

    # an upload through the page's own ingest handler, with a forged role: refused
    upload = _component(config, "upload")["id"]
    (ingest,) = [d for d in config["dependencies"] if upload in d["inputs"]]
    secret = f"Le zeppelin {uuid.uuid4().hex[:8]} survole Pradelles-Basses."
    sent = httpx.post(
        ui_app.url.rstrip("/") + config.get("api_prefix", "/gradio_api") + "/upload",
        files=[("files", ("intrus.md", f"# Intrus\n\n{secret}\n".encode()))],
        timeout=30,
    )
    sent.raise_for_status()
    meta = {"_type": "gradio.FileData"}
    files = [{"path": sent.json()[0], "orig_name": "intrus.md", "meta": meta}]
    output = _raw_call(ui_app.url, config, ingest, _forged(config, ingest, {"file": files}))
    assert "facilitat" in json.dumps(output["data"][0]), output
    assert not (ui_app.home / "uploads" / "intrus.md").exists()
    found = Client(ui_app.url, verbose=False).predict(secret, None, 5, api_name="/search")
    assert all("zeppelin" not in p["text"] for p in found["passages"])

    # removing a document with a forged role: refused, the document is still there
    pick = _component(config, "remove-pick")["id"]
    (remove,) = [d for d in config["dependencies"] if pick in d["inputs"]]
    before = Client(ui_app.url, verbose=False).predict(URGENCES, None, 1, api_name="/search")
    doc_id = before["passages"][0]["doc_id"]
    _raw_call(ui_app.url, config, remove, _forged(config, remove, {"dropdown": doc_id}))
    after = Client(ui_app.url, verbose=False).predict(URGENCES, None, 1, api_name="/search")
    assert after["passages"][0]["doc_id"] == doc_id


def test_participants_cannot_download_the_facilitator_exports(ui_app: App) -> None:
    config = _config(ui_app.url)
    password = _component(config, "password")["id"]
    (login,) = [d for d in config["dependencies"] if password in d["inputs"]]
    download = _component(config, "workshop-download")["id"]
    (export,) = [d for d in config["dependencies"] if download in d["outputs"]]
    facilitator = uuid.uuid4().hex[:11]  # one session: log in, then export the workshop
    data = [ui_app.password if i == password else None for i in login["inputs"]]
    assert "wall" in json.dumps(_raw_call(ui_app.url, config, login, data, facilitator))
    output = _raw_call(ui_app.url, config, export, [None] * len(export["inputs"]), facilitator)
    assert output["data"][1]["value"]["orig_name"] == "atelier.json"
    assert not (ui_app.home / "exports").exists()  # written to a private temporary folder
    base = ui_app.url.rstrip("/") + config.get("api_prefix", "/gradio_api")
    for stored in ("workshop.json", "journal.db", "facilitator-password", "evaluator-password"):
        fetched = httpx.get(f"{base}/file={ui_app.home / stored}", timeout=10)  # no session
        assert fetched.status_code in (403, 404), (stored, fetched.text[:200])


# -- the services refuse without the facilitator role (no app needed) ---------------------
@pytest.fixture
def services(tmp_path: Path) -> Services:
    settings = Settings(home=tmp_path / "store", embedding_model="fake", facilitator_password="pw")
    return make_services(settings, announce=lambda _m: None)


@pytest.mark.parametrize("role", ["", "participant", "Facilitator", "facilitator "])
def test_services_refuse_facilitator_actions_without_the_role(
    services: Services, tmp_path: Path, role: str
) -> None:
    note = tmp_path / "note.md"
    note.write_text("# Note\n\nTexte.\n", encoding="utf-8")
    with pytest.raises(Forbidden):
        services.upload(role, [str(note)])
    with pytest.raises(Forbidden):
        services.remove(role, "anything")
    with pytest.raises(Forbidden):
        services.export_workshop(role)
    assert not services.upload_dir.exists() or not any(services.upload_dir.iterdir())
    assert services.login("wrong") == "" and services.login("pw") == FACILITATOR


HOSTILE_NAMES = [
    "../../etc/passwd", "..\\x.md", ".hidden.md", "..", "...", "", "/etc/shadow.md",
    "C:\\Windows\\system32\\x.md", "a/../../b.md", "note avec espaces.md", "élégie à Noël.md",
    "nul\x00byte.md", " ../ .md", "x" * 300 + ".md", "%2e%2e%2fetc.md", "~/.bashrc",
]  # fmt: skip


@pytest.mark.parametrize("name", HOSTILE_NAMES)
def test_safe_name_never_leaves_the_folder(tmp_path: Path, name: str) -> None:
    folder = (tmp_path / "uploads").resolve()
    safe = safe_name(name)
    assert safe and safe not in {".", ".."} and not safe.startswith(".")
    assert "/" not in safe and "\\" not in safe and "\x00" not in safe
    assert len(safe) <= 120
    assert (folder / safe).resolve().parent == folder


def test_safe_name_keeps_readable_names() -> None:
    assert safe_name("note avec espaces.md") == "note avec espaces.md"
    assert safe_name("élégie à Noël.md") == "élégie à Noël.md"
    assert safe_name("../../etc/passwd") == "passwd"
    # a name changed by sanitising keeps a hash of the original, so that names that
    # sanitise alike ("budget;2024.md", "budget_2024.md") stay distinct files
    assert re.fullmatch(r"x-[0-9a-f]{8}\.md", safe_name("..\\x.md"))
    assert re.fullmatch(r"hidden-[0-9a-f]{8}\.md", safe_name(".hidden.md"))
    assert safe_name("budget;2024.md") != safe_name("budget_2024.md") == "budget_2024.md"


def test_an_upload_with_a_hostile_name_lands_in_the_upload_folder(
    services: Services, tmp_path: Path
) -> None:
    incoming = tmp_path / "incoming"
    incoming.mkdir()
    hostile = incoming / "..\\..\\.évasion.md"  # backslashes are ordinary characters here
    hostile.write_text("# Évasion\n\nLe zeppelin survole la vallée.\n", encoding="utf-8")
    report = services.upload(FACILITATOR, [str(hostile)])
    assert len(report["ingested"]) == 1 and not report["failed"]
    stored = list(services.upload_dir.iterdir())
    assert [p.name for p in stored] == [safe_name(hostile.name)]
    assert re.fullmatch(r"évasion-[0-9a-f]{8}\.md", stored[0].name)
    assert all(p.resolve().parent == services.upload_dir for p in stored)
    assert not (tmp_path / "évasion.md").exists() and not (tmp_path / ".évasion.md").exists()
