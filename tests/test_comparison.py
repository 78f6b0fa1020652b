"""Tests of helpers.comparison: the running comparison of classifiers on the digits split (chapter 4 on)."""

from __future__ import annotations

import time

import numpy as np
import pytest
import torch
from torch import nn

from helpers.comparison import (
    KINDS,
    ModelReport,
    comparison_table,
    digits_baselines,
    fit_baselines,
    knn_numbers,
    linear_numbers,
    measure_model,
    measure_torch_model,
    nearest_centroid_numbers,
)
from helpers.data import DigitsSplit


@pytest.fixture(scope="module")
def small_split():
    """A tiny, well separated 3-class problem in the shape of a digits split (float32, int64)."""
    rng = np.random.default_rng(0)
    centres = np.array([[0.0, 0.0], [5.0, 0.0], [0.0, 5.0]])
    y = np.repeat([0, 1, 2], 20)
    X = (centres[y] + rng.normal(0, 0.5, (60, 2))).astype(np.float32)
    order = rng.permutation(60)
    X, y = X[order], y[order]
    return DigitsSplit(X[:45], X[45:], y[:45], y[45:])


def test_measure_model_counts_accuracy_and_times_per_sample():
    X = np.zeros((10, 3))
    y = np.array([0, 1] * 5)
    calls = []

    def predict(X_test):
        calls.append(1)
        time.sleep(0.002)
        return np.zeros(len(X_test), dtype=int)

    report = measure_model("全猜 0", "参数化", predict, X, y, n_numbers=4, repeats=3)
    assert report.accuracy == 0.5 and report.n_numbers == 4 and report.kind == "参数化"
    assert len(calls) == 4                      # one untimed run, then three timed ones
    # about 2 ms for the whole set, so about 0.2 ms per sample (a busy machine is slower, never faster)
    assert 1.5e-4 < report.seconds_per_prediction < 5e-3
    assert report.microseconds_per_prediction == pytest.approx(report.seconds_per_prediction * 1e6)


def test_the_median_ignores_one_slow_run():
    durations = iter([0.0, 0.001, 0.001, 0.05, 0.001, 0.001])

    def predict(X_test):
        time.sleep(next(durations))
        return np.zeros(len(X_test), dtype=int)

    report = measure_model("m", "参数化", predict, np.zeros((1, 2)), [0], n_numbers=1, repeats=5)
    assert report.seconds_per_prediction < 0.02


def test_measure_model_takes_a_torch_model_on_tensors():
    torch.manual_seed(0)
    model = nn.Linear(4, 3)
    X = torch.randn(20, 4)
    with torch.no_grad():
        y = model(X).argmax(dim=1)

    def predict(X_test):
        with torch.no_grad():
            return model(X_test).argmax(dim=1)

    report = measure_model("softmax 回归", "参数化", predict, X, y, linear_numbers(4, 3))
    assert report.accuracy == 1.0 and report.n_numbers == 15


def test_numbers_each_model_keeps():
    assert nearest_centroid_numbers(10, 64) == 640
    assert knn_numbers(1347, 64) == 1347 * 65
    assert linear_numbers(64, 10) == 650


def test_fit_baselines_are_scikit_learns_models(small_split):
    centroid, knn = fit_baselines(small_split, k=5)
    assert knn.n_neighbors == 5
    np.testing.assert_allclose(centroid.centroids_[0], small_split.X_train[small_split.y_train == 0].mean(0),
                               rtol=1e-5)


def test_digits_baselines_on_the_books_split(digits):
    start = time.process_time()   # CPU time: a busy machine stretches the wall clock, not this
    reports = digits_baselines(digits)
    assert time.process_time() - start < 5           # well under a second
    centroid, knn = reports
    assert (centroid.name, centroid.kind) == ("最近质心", "参数化")
    assert (knn.name, knn.kind) == ("KNN（K = 3）", "非参数化")
    assert centroid.n_numbers == 10 * 64
    assert knn.n_numbers == len(digits.X_train) * 65
    assert 0.85 < centroid.accuracy < knn.accuracy and knn.accuracy > 0.97


def test_digits_baselines_accept_other_k(small_split):
    reports = digits_baselines(small_split, k=1, repeats=1)
    assert reports[1].name == "KNN（K = 1）" and reports[1].accuracy == 1.0
    assert reports[0].n_numbers == 3 * 2 and reports[1].n_numbers == 45 * 3


def test_comparison_table_lists_every_model():
    reports = [ModelReport("最近质心", "参数化", 0.9, 640, 2e-6),
               ModelReport("KNN（K = 3）", "非参数化", 0.987, 87555, 1.25e-5)]
    html = comparison_table(reports, caption="说明").data
    assert html.count("<tr>") == 3 and "87,555" in html and "12.50" in html and "0.987" in html
    assert "每个样本的预测时间（μs）" in html and "说明</caption>" in html
    assert comparison_table(reports[0]).data.count("<tr>") == 2


# -- bad input ------------------------------------------------------------------------------------
def _predict_zeros(X_test):
    return np.zeros(len(X_test), dtype=int)


@pytest.mark.parametrize("call", [
    lambda: measure_model("m", "参数化", _predict_zeros, np.zeros((0, 3)), np.zeros(0, int), 1),
    lambda: measure_model("m", "参数化", _predict_zeros, np.zeros(3), np.zeros(3, int), 1),
    lambda: measure_model("m", "参数化", lambda X: np.zeros(len(X) - 1, int), np.zeros((3, 2)), [0, 1, 0], 1),
    lambda: measure_model("m", "参数化", lambda X: np.zeros((len(X), 2), int), np.zeros((3, 2)), [0, 1, 0], 1),
    lambda: measure_model("m", "参数化", lambda X: np.full(len(X), 0.5), np.zeros((3, 2)), [0, 1, 0], 1),
    lambda: measure_model("m", "参数化", _predict_zeros, np.zeros((3, 2)), [0, 1], 1),
    lambda: measure_model("m", "参数化", _predict_zeros, np.zeros((3, 2)), [0, 1, 0], 1, repeats=0),
    lambda: measure_model("m", "参数化", _predict_zeros, np.zeros((3, 2)), [0, 1, 0], 1, repeats=-2),
    lambda: measure_model("m", "参数化", _predict_zeros, np.zeros((3, 2)), [0, 1, 0], 0),
    lambda: measure_model("m", "parametric", _predict_zeros, np.zeros((3, 2)), [0, 1, 0], 1),
    lambda: measure_model("m", "参数化", "not a function", np.zeros((3, 2)), [0, 1, 0], 1),
    lambda: measure_model("", "参数化", _predict_zeros, np.zeros((3, 2)), [0, 1, 0], 1),
    lambda: ModelReport("m", "参数化", 1.5, 1, 1e-6),
    lambda: ModelReport("m", "参数化", 0.5, 1, 0.0),
    lambda: ModelReport("m", "参数化", 0.5, 1.5, 1e-6),
    lambda: comparison_table([]),
    lambda: comparison_table(["最近质心"]),
    lambda: digits_baselines((np.zeros((4, 2)), np.zeros((2, 3)), [0, 1, 0, 1], [0, 1])),
    lambda: digits_baselines((np.zeros((4, 2)), np.zeros((2, 2)))),
    lambda: digits_baselines((np.zeros((4, 2)), np.zeros((2, 2)), [0, 1, 0, 1], [0, 1]), k=5),
    lambda: digits_baselines((np.zeros((4, 2)), np.zeros((2, 2)), [0, 1, 0], [0, 1])),
    lambda: digits_baselines((np.zeros((4, 2)), np.full((2, 2), np.nan), [0, 1, 0, 1], [0, 1])),
    lambda: nearest_centroid_numbers(0, 64),
    lambda: knn_numbers(10, 0),
    lambda: linear_numbers(64, -1),
])
def test_bad_input_raises_bilingual_value_error(call, raises_bilingual):
    raises_bilingual(call)


def test_kinds_are_chapter_1s():
    assert KINDS == ("参数化", "非参数化")


def test_measure_torch_model_counts_parameters_and_predicts_the_largest_logit(raises_bilingual):
    torch.manual_seed(0)
    model = nn.Sequential(nn.Linear(4, 8), nn.ReLU(), nn.Linear(8, 3))
    model.train()
    X = torch.randn(30, 4)
    y = model(X).argmax(dim=1).numpy()
    report = measure_torch_model("小网络", model, X, y, repeats=2)
    assert report.accuracy == 1.0 and report.kind == "参数化"
    assert report.n_numbers == 4 * 8 + 8 + 8 * 3 + 3
    assert not model.training                       # measured in evaluation mode
    assert measure_torch_model("小网络", model, X, (y + 1) % 3, repeats=2).accuracy == 0.0
    raises_bilingual(measure_torch_model, "不是网络", lambda X: X, X, y)
