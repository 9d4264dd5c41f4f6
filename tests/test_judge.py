"""The judge: logistic models fitted offline, saved as data, read by the extractive writer."""

from __future__ import annotations

import json

import numpy as np

from assistant.tasks.features import JUDGED, SENTENCE
from assistant.tasks.judge import JUDGE_FILE, Logistic, fit_logistic, load_judge


def test_fit_logistic_separates_what_a_feature_separates() -> None:
    rng = np.random.default_rng(0)
    x = rng.normal(size=(400, 3))
    y = (x[:, 0] - 0.5 * x[:, 2] > 0).astype(float)
    model = fit_logistic(x, y, ["a", "b", "c"])
    assert model.weights[0] > 2 and model.weights[2] < -1 and abs(model.weights[1]) < 0.5
    assert ((model.prob(x) >= 0.5) == (y > 0.5)).mean() > 0.95


def test_balanced_weights_lift_the_rare_class() -> None:
    rng = np.random.default_rng(1)
    x = rng.normal(size=(500, 1))
    y = (x[:, 0] + rng.normal(scale=1.5, size=500) > 2.0).astype(float)  # about 10 % positive
    plain = fit_logistic(x, y, ["a"])
    balanced = fit_logistic(x, y, ["a"], balanced=True)
    assert (balanced.prob(x) >= 0.5).sum() > (plain.prob(x) >= 0.5).sum()


def test_a_model_reads_its_own_columns_among_all_features() -> None:
    model = Logistic(("b",), np.asarray([2.0]), 0.5, np.asarray([1.0]), np.asarray([2.0]))
    again = Logistic.from_json(json.loads(json.dumps(model.to_json())))
    rows = np.asarray([[9.0, 3.0], [0.0, 1.0]])
    expected = np.asarray([(3 - 1) / 2 * 2 + 0.5, 0.5])
    assert np.allclose(again.logit(rows, ["a", "b"]), expected)
    assert np.allclose(again.logit(rows[:, 1:]), expected)


def test_the_shipped_weights_match_the_features_and_say_how_they_were_fitted() -> None:
    judge = load_judge()
    assert set(judge.sentence.names) <= set(SENTENCE)
    assert set(judge.refusal.names) <= set(JUDGED)
    data = json.loads(JUDGE_FILE.read_text(encoding="utf-8"))
    fitted = data["fitted"]
    assert fitted["by"] == "evals/fit_judge.py"
    assert {"leave one set out", "pooled 5-fold"} <= set(fitted["cv"])
    assert {"suite", "real-dev"} <= set(fitted["data"])
    # the more the evidence misses what the question names, the likelier a refusal
    weights = dict(zip(judge.refusal.names, judge.refusal.weights, strict=True))
    assert weights.get("names_unknown", 1.0) > 0 and weights.get("numbers_absent", 1.0) > 0
    sentence = dict(zip(judge.sentence.names, judge.sentence.weights, strict=True))
    assert sentence.get("sim", 1.0) > 0
