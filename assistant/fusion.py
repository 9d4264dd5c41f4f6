"""Fusing rankings: reciprocal rank, convex combination of scores, MMR, scenario balance."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np


def rrf(
    rankings: list[list[str]],
    weights: Sequence[float],
    boost: dict[str, float] | None = None,
    k: int = 60,
) -> dict[str, float]:
    """Weighted reciprocal rank fusion plus boosts: id -> fused score, best first."""
    scores: dict[str, float] = dict(boost or {})
    for ranking, weight in zip(rankings, weights, strict=True):
        for rank, cid in enumerate(ranking, start=1):
            scores[cid] = scores.get(cid, 0.0) + weight / (k + rank)
    return dict(sorted(scores.items(), key=lambda kv: -kv[1]))


def convex(
    rankings: list[list[str]],
    scores: list[list[float]],
    weights: Sequence[float],
    boost: dict[str, float] | None = None,
) -> dict[str, float]:
    """Convex combination: each ranking's scores min-max normalised to [0, 1] (absent: 0),
    weighted and summed, plus boosts: id -> fused score, best first."""
    fused: dict[str, float] = dict(boost or {})
    for ranking, values, weight in zip(rankings, scores, weights, strict=True):
        if not values:
            continue
        low, high = min(values), max(values)
        for cid, value in zip(ranking, values, strict=True):
            norm = (value - low) / (high - low) if high > low else 1.0
            fused[cid] = fused.get(cid, 0.0) + weight * norm
    return dict(sorted(fused.items(), key=lambda kv: -kv[1]))


def mmr(relevance: np.ndarray, matrix: np.ndarray, lam: float, k: int) -> list[int]:
    """Maximal marginal relevance: indices, each relevant and unlike those before it.

    Each row's penalty (its highest similarity to a chosen row) is updated as rows are
    chosen, instead of recomputed from the chosen set at every step: the same choices."""
    rel = relevance / relevance.max()
    n = len(rel)
    pairwise = matrix @ matrix.T
    penalty = np.full(n, -np.inf, dtype=pairwise.dtype)
    free = np.ones(n, dtype=bool)
    chosen: list[int] = []
    while len(chosen) < min(k, n):
        scores = rel if not chosen else lam * rel - (1 - lam) * penalty
        best = int(np.argmax(np.where(free, scores, -np.inf)))
        chosen.append(best)
        free[best] = False
        np.maximum(penalty, pairwise[:, best], out=penalty)
    return chosen + [i for i in range(n) if free[i]]


def balance(order: list[int], groups: list[str]) -> list[int]:
    """Round-robin over groups (scenarios), each group keeping its own order."""
    queues: dict[str, list[int]] = {}
    for i, g in zip(order, groups, strict=True):
        queues.setdefault(g, []).append(i)
    out: list[int] = []
    while any(queues.values()):
        for queue in queues.values():
            if queue:
                out.append(queue.pop(0))
    return out
