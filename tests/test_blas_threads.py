"""numpy's BLAS runs on one thread in the assistant's processes.

OpenBLAS's worker threads spin for a while after every product they share (a search's
sentence ranking, its similarities): on 2 cores that spinning thread takes the core the
embedding model's second thread needs. Measured on a hybrid search at 1k chunks (README):
half the CPU time of a search goes to it."""

from __future__ import annotations

import os
import subprocess
import sys

import pytest

pytest.importorskip("threadpoolctl")

PROBE = (
    "import assistant, numpy\n"
    "from threadpoolctl import threadpool_info\n"
    "print(sorted({i['num_threads'] for i in threadpool_info() if i['user_api'] == 'blas'}))\n"
)


def _blas_threads(**extra: str) -> str:
    env = {k: v for k, v in os.environ.items() if not k.endswith("_NUM_THREADS")}
    env |= extra
    done = subprocess.run(
        [sys.executable, "-c", PROBE], capture_output=True, text=True, env=env, timeout=120
    )
    assert done.returncode == 0, done.stderr[-2000:]
    return done.stdout.strip()


def test_importing_the_assistant_first_keeps_numpy_blas_on_one_thread() -> None:
    assert _blas_threads() == "[1]"


def test_a_thread_count_the_user_set_is_kept() -> None:
    assert _blas_threads(OPENBLAS_NUM_THREADS="2") == "[2]"
