"""Sentence choice and refusal as two fitted logistic models over a few general features.

The features (`features.py`) say how close a sentence or the retrieved evidence is to the
question: embedding similarity, the share of the question's terms it holds, whether it
gives the names, numbers and kind of figure the question asks for. The weights are data,
`assistant/data/judge.json`, fitted offline on every evaluation set pooled
(`evals/fit_judge.py`, which prints its cross-validation figures): a `sentence` model
scoring each candidate sentence (the chance it quotes a gold span), and a `refusal` model
giving the chance that the question is one the sources do not answer.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any

import numpy as np

JUDGE_FILE = Path(__file__).resolve().parent.parent / "data" / "judge.json"
REFUSE_AT = 0.5  # refuse when the refusal model gives this chance or more
NEVER = 1.01  # a `refuse_at` that never refuses (tests of structure with a fake embedder)


@dataclass(frozen=True)
class Logistic:
    """A logistic model over named features, standardised by the training mean and scale."""

    names: tuple[str, ...]
    weights: np.ndarray
    bias: float
    mean: np.ndarray
    scale: np.ndarray

    def logit(self, x: np.ndarray, among: Sequence[str] | None = None) -> np.ndarray:
        """The log-odds of each row of x: columns in the order of `names`, or of `among`
        (every feature computed, of which the model reads its own, and the products its
        names "a*b" ask for)."""
        x = np.atleast_2d(np.asarray(x, dtype=np.float64))
        if among is not None:
            x = columns(x, among, self.names)
        z = (x - self.mean) / self.scale
        return np.asarray(z @ self.weights + self.bias, dtype=np.float64)

    def prob(self, x: np.ndarray, among: Sequence[str] | None = None) -> np.ndarray:
        """The probability of each row of x (see `logit`)."""
        return np.asarray(1.0 / (1.0 + np.exp(-self.logit(x, among))), dtype=np.float64)

    def to_json(self) -> dict[str, Any]:
        """The model as JSON data."""
        return {
            "features": list(self.names),
            "weights": [round(float(w), 6) for w in self.weights],
            "bias": round(float(self.bias), 6),
            "mean": [round(float(m), 6) for m in self.mean],
            "scale": [round(float(s), 6) for s in self.scale],
        }

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> Logistic:
        """A model saved by `to_json`."""
        return cls(
            tuple(data["features"]),
            np.asarray(data["weights"], dtype=np.float64),
            float(data["bias"]),
            np.asarray(data["mean"], dtype=np.float64),
            np.asarray(data["scale"], dtype=np.float64),
        )


def columns(x: np.ndarray, among: Sequence[str], names: Sequence[str]) -> np.ndarray:
    """The columns `names` of x (whose columns are `among`): a name "a*b" is the product of
    the columns a and b (an interaction: a's weight differs with b)."""
    x = np.atleast_2d(np.asarray(x, dtype=np.float64))
    index = {n: i for i, n in enumerate(among)}
    out = np.ones((len(x), len(names)))
    for k, name in enumerate(names):
        for part in name.split("*"):
            out[:, k] *= x[:, index[part]]
    return out


def fit_logistic(
    x: np.ndarray,
    y: np.ndarray,
    names: Sequence[str],
    *,
    l2: float | None = None,
    balanced: bool = False,
    steps: int = 300,
) -> Logistic:
    """Logistic regression by Newton's method: mean log-loss plus `l2`/2 times the squared
    weights (not the bias), on standardised features; `l2` defaults to 1 / the number of
    rows (scikit-learn's default C = 1); `balanced` weighs each class by the inverse of its
    frequency (the textbook "balanced" weights)."""
    x = np.asarray(x, dtype=np.float64)
    y = np.asarray(y, dtype=np.float64)
    mean = x.mean(axis=0)
    scale = x.std(axis=0)
    scale[scale < 1e-9] = 1.0
    z = np.hstack([(x - mean) / scale, np.ones((len(x), 1))])
    sample = np.ones(len(y))
    if balanced and 0 < y.sum() < len(y):
        positive = y.sum() / len(y)
        sample = np.where(y > 0.5, 0.5 / positive, 0.5 / (1 - positive))
    sample /= sample.sum()
    penalty = np.full(z.shape[1], 1.0 / len(x) if l2 is None else l2)
    penalty[-1] = 0.0
    w = np.zeros(z.shape[1])
    for _ in range(steps):
        p = 1.0 / (1.0 + np.exp(-(z @ w)))
        grad = z.T @ (sample * (p - y)) + penalty * w
        hess = (z * (sample * p * (1 - p))[:, None]).T @ z + np.diag(penalty + 1e-9)
        step = np.linalg.solve(hess, grad)
        w -= step
        if np.abs(step).max() < 1e-8:
            break
    return Logistic(tuple(names), w[:-1], float(w[-1]), mean, scale)


@dataclass(frozen=True)
class Judge:
    """The two fitted models, and how they were fitted."""

    sentence: Logistic
    refusal: Logistic
    fitted: dict[str, Any]


@lru_cache(maxsize=4)
def load_judge(path: Path = JUDGE_FILE) -> Judge:
    """The models saved as data (read once)."""
    data = json.loads(path.read_text(encoding="utf-8"))
    return Judge(
        Logistic.from_json(data["sentence"]),
        Logistic.from_json(data["refusal"]),
        dict(data.get("fitted", {})),
    )


def fit_ranking(
    groups: Sequence[tuple[np.ndarray, np.ndarray]],
    names: Sequence[str],
    *,
    l2: float | None = None,
    steps: int = 100,
) -> Logistic:
    """A conditional logit (softmax over each question's candidates), by Newton's method:
    the chance of the right candidates among their question's, so that only how candidates
    of one question compare matters. `groups` are (features, labels) per question (groups
    without a positive label are skipped); `l2` defaults to 1 / the number of groups. The
    bias is left at zero: it does not change a question's ranking."""
    kept = [(np.asarray(x, dtype=np.float64), np.asarray(y, dtype=np.float64))
            for x, y in groups if np.asarray(y).sum() > 0 and len(y) > 1]  # fmt: skip
    every = np.vstack([x for x, _ in kept])
    mean = every.mean(axis=0)
    scale = every.std(axis=0)
    scale[scale < 1e-9] = 1.0
    zs = [((x - mean) / scale, y / y.sum()) for x, y in kept]
    lam = 1.0 / len(zs) if l2 is None else l2
    w = np.zeros(every.shape[1])
    for _ in range(steps):
        grad = lam * w
        hess = lam * np.eye(len(w))
        for z, target in zs:
            s = z @ w
            p = np.exp(s - s.max())
            p /= p.sum()
            mu = p @ z
            grad += (mu - target @ z) / len(zs)
            hess += ((z * p[:, None]).T @ z - np.outer(mu, mu)) / len(zs)
        step = np.linalg.solve(hess, grad)
        w -= step
        if np.abs(step).max() < 1e-8:
            break
    return Logistic(tuple(names), w, 0.0, mean, scale)
