"""`models prepare --llm` and `llm serve`: the packaged chat model assembled from its
parts (here small stand-in parts on sys.path), its hash checked, clear errors."""

from __future__ import annotations

import hashlib
from pathlib import Path

import pytest

from assistant import local_llm
from assistant.cli import main
from assistant.errors import ModelNotReady


def _parts(root: Path, count: int, prefix: str = "fakepart") -> bytes:
    """`count` importable part packages under root; their joined bytes."""
    whole = b""
    for number in range(1, count + 1):
        package = root / f"{prefix}{number}"
        (package / "data").mkdir(parents=True)
        (package / "__init__.py").write_text("", encoding="utf-8")
        data = f"GGUF part {number} ".encode() * (1000 + number)
        (package / "data" / f"part{number:02d}.bin").write_bytes(data)
        whole += data
    return whole


@pytest.fixture
def parts(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> bytes:
    whole = _parts(tmp_path / "site", 3)
    monkeypatch.syspath_prepend(str(tmp_path / "site"))
    monkeypatch.setattr(local_llm, "PART_PACKAGE", "fakepart{}")
    monkeypatch.setattr(local_llm, "PARTS", 3)
    monkeypatch.setattr(local_llm, "LLM_SIZE", len(whole))
    monkeypatch.setattr(local_llm, "LLM_SHA256", hashlib.sha256(whole).hexdigest())
    return whole


def test_the_parts_are_joined_in_order_and_checked_once(parts: bytes, tmp_path: Path) -> None:
    gguf = tmp_path / "models" / local_llm.LLM_FILENAME
    assert not local_llm.is_prepared(gguf)
    assert local_llm.prepare_llm(gguf) == gguf
    assert gguf.read_bytes() == parts and local_llm.is_prepared(gguf)
    assert sorted(p.name for p in gguf.parent.iterdir()) == [gguf.name, gguf.name + ".ok.json"]
    before = gguf.stat().st_mtime_ns
    (tmp_path / "site" / "fakepart2" / "data" / "part02.bin").unlink()
    assert local_llm.prepare_llm(gguf) == gguf  # idempotent: already there, not re-read
    assert gguf.stat().st_mtime_ns == before
    with pytest.raises(ModelNotReady, match="part 2 of 3"):
        local_llm.prepare_llm(gguf, force=True)


def test_a_wrong_hash_leaves_no_model_that_looks_ready(
    parts: bytes, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(local_llm, "LLM_SHA256", "0" * 64)
    gguf = tmp_path / "models" / local_llm.LLM_FILENAME
    with pytest.raises(ModelNotReady, match="SHA-256"):
        local_llm.prepare_llm(gguf)
    assert list(gguf.parent.iterdir()) == []
    gguf.write_bytes(parts)  # the right bytes, but never checked: not ready
    assert not local_llm.is_prepared(gguf)


def test_models_prepare_llm_without_the_parts_is_a_clear_error(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setattr(local_llm, "PART_PACKAGE", "no_such_part_package{}")
    monkeypatch.setenv("ASSISTANT_DATA_DIR", str(tmp_path / "data"))
    assert main(["models", "prepare", "--llm"]) == 1
    err = capsys.readouterr().err
    assert "part 1 of 22 is not installed" in err and "--no-deps" in err
    assert "Traceback" not in err and not (tmp_path / "data").exists()


def test_llm_serve_names_what_is_missing(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("ASSISTANT_DATA_DIR", str(tmp_path / "data"))
    monkeypatch.setattr(local_llm, "server_available", lambda: False)
    assert main(["llm", "serve", "--port", "8999"]) == 1
    assert "llama-cpp-python[server]" in capsys.readouterr().err
    monkeypatch.setattr(local_llm, "server_available", lambda: True)
    assert main(["llm", "serve", "--port", "8999"]) == 1
    assert "assistant models prepare --llm" in capsys.readouterr().err


def test_the_server_command_is_loopback_with_two_threads(
    parts: bytes, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(local_llm, "server_available", lambda: True)
    gguf = local_llm.prepare_llm(tmp_path / local_llm.LLM_FILENAME)
    command = local_llm.server_command(gguf, port=8123)
    options = dict(zip(command[3::2], command[4::2], strict=True))
    assert command[1:3] == ["-m", "llama_cpp.server"]
    assert options["--host"] == "127.0.0.1" and options["--port"] == "8123"
    assert options["--n_threads"] == "2" and options["--model"] == str(gguf)


_STOPPED_BY_SIGTERM = """
import sys
from assistant import cli_models, local_llm
sleeper = [sys.executable, "-c", "import os, time; print(os.getpid(), flush=True); time.sleep(120)"]
local_llm.server_command = lambda *args, **kwargs: sleeper
cli_models.wait_ready = lambda *args, **kwargs: __import__("time").sleep(120)
from assistant.cli import main
sys.exit(main(["llm", "serve", "--port", "8998"]))
"""


def test_llm_serve_stopped_by_sigterm_stops_its_model_server(tmp_path: Path) -> None:
    """A service manager stops `llm serve` with SIGTERM: the model server it started
    (here a stand-in child process) must stop with it, not be left running."""
    import os
    import signal
    import subprocess
    import sys
    import time

    env = {**os.environ, "ASSISTANT_HOME": str(tmp_path)}
    serve = subprocess.Popen(
        [sys.executable, "-c", _STOPPED_BY_SIGTERM],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env=env,
    )
    assert serve.stdout is not None
    child = 0
    for line in serve.stdout:
        if line.strip().isdigit():  # the stand-in server's pid
            child = int(line)
            break
    assert child
    serve.send_signal(signal.SIGTERM)
    assert serve.wait(30) == 130  # stopped, as on Ctrl-C
    assert "model server stopped" in serve.stderr.read()  # type: ignore[union-attr]
    for _ in range(50):
        stat = Path(f"/proc/{child}/stat")
        if not stat.exists() or stat.read_text().split(") ")[1].startswith("Z"):
            return  # gone, or a zombie waiting for init to reap it
        time.sleep(0.1)
    os.kill(child, signal.SIGKILL)
    pytest.fail("the model server outlived `llm serve`")
