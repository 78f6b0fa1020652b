"""Tests of chapter 1 (引言): helpers/intro.py, helpers/figures/intro.py, helpers/exercises/intro.py."""

from __future__ import annotations

import math

import numpy as np
import pytest
import torch
from sklearn.cluster import KMeans

from helpers.exercises.intro import (
    check_binary_metrics,
    check_split_indices,
    check_standardize_with_train,
)
from helpers.figures.intro import (
    draw_cat_dog,
    draw_clustering,
    draw_regression_fit,
    draw_workflow,
    kmeans_explorer,
    leakage_explorer,
)
from helpers.intro import (
    breast_cancer_feature_names_zh,
    dataset_table,
    kmeans_history,
    median_call_seconds,
    noise_selection_experiment,
)

pytestmark = pytest.mark.usefixtures("book_style")


# -- helpers/intro.py ---------------------------------------------------------------------------

def test_dataset_table_shows_the_chosen_rows_and_groups_the_headers():
    X = np.array([[5.1, 3.5], [7.0, 3.2], [6.3, 3.3]])
    y = np.array([0, 1, 2])
    out = dataset_table(X, y, ["长", "宽"], ["甲", "乙", "丙"], rows=[0, 2], caption="说明").data
    assert 'colspan="2"' in out and "特征" in out and "标签" in out
    assert "5.1" in out and "6.3" in out and "7.0" not in out
    assert "甲" in out and "丙" in out and "乙" not in out
    assert "说明" in out
    # labels of every usual type pick the same names
    for labels in ([0, 1, 2], y.astype(np.int32), y.astype(np.uint8), torch.tensor([0, 1, 2])):
        assert "丙" in dataset_table(X, labels, ["长", "宽"], ["甲", "乙", "丙"], rows=[2]).data
    # without target names the raw target is shown
    assert ">2<" in dataset_table(X, y, ["长", "宽"], rows=[2]).data


@pytest.mark.parametrize("kwargs", [
    dict(X=np.ones((3, 2)), y=np.ones(3), feature_names=["a"]),                 # names vs columns
    dict(X=np.ones((3, 2)), y=np.ones(4), feature_names=["a", "b"]),            # y length
    dict(X=np.ones((3, 2)), y=np.ones(3), feature_names=["a", "b"], rows=[3]),  # row out of range
    dict(X=np.ones((3, 2)), y=np.ones(3), feature_names=["a", "b"], rows=[]),   # no rows
    dict(X=np.ones((3, 2)), y=np.ones(3), feature_names=["a", "b"], decimals=-1),
    dict(X=np.array([[1.0, np.nan]]), y=np.ones(1), feature_names=["a", "b"]),  # NaN
    dict(X=np.ones(3), y=np.ones(3), feature_names=["a"]),                      # 1-D X
    dict(X=np.ones((3, 2)), y=[0, -1, 1], feature_names=["a", "b"], target_names=["甲", "乙"]),
    dict(X=np.ones((3, 2)), y=[0, 1.5, 1], feature_names=["a", "b"], target_names=["甲", "乙"]),
    dict(X=np.ones((3, 2)), y=[0, 2, 1], feature_names=["a", "b"], target_names=["甲", "乙"]),
    dict(X=np.ones((3, 2)), y=[0, None, 1], feature_names=["a", "b"]),
    dict(X=np.ones((3, 2)), y=["甲", "乙", "甲"], feature_names=["a", "b"]),
    dict(X=np.ones((3, 2)), y=np.ones(3), feature_names=["a", "b"], rows=[1.5]),
    dict(X=np.ones((3, 2)), y=np.ones(3), feature_names=None),
    dict(X=np.ones((3, 2)), y=[0, 1, 1], feature_names=["a", "b"], target_names="甲乙"),
])
def test_dataset_table_rejects_bad_input(kwargs, raises_bilingual):
    raises_bilingual(dataset_table, **kwargs)


def test_breast_cancer_names_in_chinese(raises_bilingual):
    names = breast_cancer_feature_names_zh(["mean radius", "area error", "worst concave points"])
    assert names == ["半径（均值）", "面积（标准误）", "凹点数（最差值）"]
    from sklearn.datasets import load_breast_cancer

    all_names = breast_cancer_feature_names_zh(load_breast_cancer().feature_names)
    assert len(set(all_names)) == 30
    raises_bilingual(breast_cancer_feature_names_zh, ["mean colour"])
    raises_bilingual(breast_cancer_feature_names_zh, None)
    raises_bilingual(breast_cancer_feature_names_zh, "mean radius")   # a string, not a list of names


def test_kmeans_history_matches_sklearn_and_never_increases_inertia(iris):
    X = iris.data[:, 2:]
    init = X[[0, 60, 120]]
    steps = kmeans_history(X, init)
    assert steps[0]["kind"] == "init" and steps[0]["labels"] is None
    assert [s["kind"] for s in steps[1:]] == ["assign", "update"] * ((len(steps) - 1) // 2)
    inertias = [s["inertia"] for s in steps[1:]]
    assert all(b <= a + 1e-9 for a, b in zip(inertias, inertias[1:]))
    reference = KMeans(n_clusters=3, init=init, n_init=1, algorithm="lloyd").fit(X)
    np.testing.assert_array_equal(steps[-1]["labels"], reference.labels_)
    np.testing.assert_allclose(steps[-1]["centers"], reference.cluster_centers_)
    np.testing.assert_allclose(steps[-1]["inertia"], reference.inertia_)


def test_kmeans_history_rejects_bad_input(raises_bilingual, rng):
    X = rng.normal(size=(10, 2))
    raises_bilingual(kmeans_history, X, np.zeros((2, 3)))          # dimension mismatch
    raises_bilingual(kmeans_history, X, np.zeros((11, 2)))         # more clusters than samples
    raises_bilingual(kmeans_history, X, X[:2], max_iter=0)
    raises_bilingual(kmeans_history, np.zeros((0, 2)), X[:2])      # empty data


def test_noise_selection_experiment_shows_the_leak():
    out = noise_selection_experiment([1, 50], [0.3], n_samples=60, n_features=300, n_repeats=8, seed=1)
    assert set(out) == {("before", 0.3), ("after", 0.3)}
    assert out[("before", 0.3)].shape == (8, 2)
    assert np.all((out[("before", 0.3)] >= 0) & (out[("before", 0.3)] <= 1))
    # selecting on all data (leak) looks far better than chance; selecting on training data does not
    assert out[("before", 0.3)][:, 1].mean() > 0.75
    assert abs(out[("after", 0.3)][:, 1].mean() - 0.5) < 0.15
    again = noise_selection_experiment([1, 50], [0.3], n_samples=60, n_features=300, n_repeats=8, seed=1)
    np.testing.assert_array_equal(out[("after", 0.3)], again[("after", 0.3)])


@pytest.mark.parametrize("kwargs", [
    dict(ks=[0], test_ratios=[0.2]),
    dict(ks=[5000], test_ratios=[0.2]),
    dict(ks=[], test_ratios=[0.2]),
    dict(ks=[1], test_ratios=[0.0]),
    dict(ks=[1], test_ratios=[1.0]),
    dict(ks=[1], test_ratios=[]),
    dict(ks=[1], test_ratios=[0.2], n_samples=4),
    dict(ks=[1], test_ratios=[0.2], n_repeats=0),
    dict(ks=[1], test_ratios=[0.2], seed=-1),
    dict(ks=[1], test_ratios=None),
    dict(ks=1, test_ratios=[0.2]),
    dict(ks=[1.5], test_ratios=[0.2]),
])
def test_noise_selection_experiment_rejects_bad_input(kwargs, raises_bilingual):
    raises_bilingual(noise_selection_experiment, **kwargs)


def test_median_call_seconds(raises_bilingual):
    calls = []
    t = median_call_seconds(lambda: calls.append(1), repeats=5)
    assert t >= 0 and len(calls) == 6  # one warm-up call
    raises_bilingual(median_call_seconds, "not a function")
    raises_bilingual(median_call_seconds, lambda: None, repeats=0)


# -- helpers/figures/intro.py -----------------------------------------------------------------------

def test_static_figures_draw(two_blobs):
    X, y = two_blobs
    centroids = np.stack([X[y == c].mean(axis=0) for c in (0, 1)])
    assert draw_cat_dog(X, y, centroids, [1.0, 1.0], 0).axes
    assert draw_regression_fit(X[:, 0], X[:, 1], X[:3, 0], X[:3, 1], 1.0, 0.0, "x", "y", "标题").axes
    assert len(draw_clustering(X, y, centroids, y, ["甲", "乙"], "x", "y").axes) == 3
    assert draw_workflow().axes


def test_figures_reject_bad_input(raises_bilingual):
    raises_bilingual(draw_workflow, ["只有一条"])


def test_kmeans_explorer_every_control_changes_the_picture(raises_bilingual, iris):
    X = iris.data[:, 2:]
    histories = {k: kmeans_history(X, X[:: 150 // k][:k], max_iter=2) for k in (2, 3)}
    fig = kmeans_explorer(X, histories, "x", "y", default_k=3)
    base, panel = fig.layers
    overlay = base.overlays[0]
    n_steps = max(len(h) for h in histories.values())
    assert fig.frame_count() == 1 + 2 * n_steps + 2 * n_steps
    assert fig.frame(overlay, k=3, step=0) != fig.frame(overlay, k=3, step=1)   # the step control
    assert fig.frame(overlay, k=2, step=1) != fig.frame(overlay, k=3, step=1)   # the K control
    assert fig.frame(panel, k=3, step=0) != fig.frame(panel, k=3, step=1)
    assert "第 1 步" in fig.frame(overlay, k=3, step=1) and "J = " in fig.frame(panel, k=3, step=1)
    raises_bilingual(kmeans_explorer, X, {}, "x", "y")


def test_leakage_explorer_every_control_changes_what_is_shown(raises_bilingual):
    ks, ratios = [1, 20], [0.2, 0.5]
    results = noise_selection_experiment(ks, ratios, n_samples=40, n_features=100, n_repeats=4)
    fig = leakage_explorer(results, ks, ratios, n_samples=40, n_features=100)
    image, panel = fig.layers
    overlay = image.overlays[0]
    assert fig.frame_count() == 4 + 8 + 8
    frame = fig.frame
    assert frame(image, timing="before", ratio=0.2) != frame(image, timing="after", ratio=0.2)  # timing
    assert frame(image, timing="before", ratio=0.2) != frame(image, timing="before", ratio=0.5)  # ratio
    assert frame(overlay, k=1) != frame(overlay, k=20)                                          # k
    assert frame(panel, k=1) != frame(panel, k=20)
    assert "假象" in frame(panel, timing="before", k=20) and "真实水平" in frame(panel, timing="after", k=20)
    incomplete = {key: value for key, value in results.items() if key[0] == "before"}
    raises_bilingual(leakage_explorer, incomplete, ks, ratios, 40, 100)


# -- helpers/exercises/intro.py: binary metrics -------------------------------------------------------

def metrics_right(y_true, y_pred, positive):
    t, p = y_true == positive, y_pred == positive
    tp = np.sum(t & p)
    return (float(np.mean(y_true == y_pred)),
            float(tp / p.sum()) if p.sum() else 0.0,
            float(tp / t.sum()) if t.sum() else 0.0)


def metrics_swapped(y_true, y_pred, positive):
    a, p, r = metrics_right(y_true, y_pred, positive)
    return a, r, p


def metrics_positive_is_one(y_true, y_pred, positive):
    return metrics_right(y_true, y_pred, 1)


def metrics_integer_division(y_true, y_pred, positive):
    t, p = y_true == positive, y_pred == positive
    tp = int(np.sum(t & p))
    return (int(np.sum(y_true == y_pred)) // len(y_true),
            tp // int(p.sum()) if p.sum() else 0, tp // int(t.sum()) if t.sum() else 0)


def metrics_no_zero_guard(y_true, y_pred, positive):
    t, p = y_true == positive, y_pred == positive
    tp = np.sum(t & p)
    with np.errstate(invalid="ignore", divide="ignore"):
        return float(np.mean(y_true == y_pred)), float(tp / p.sum()), float(tp / t.sum())


def metrics_assume_01(y_true, y_pred, positive):
    tp = np.sum(y_true * y_pred)
    return float(np.mean(y_true == y_pred)), float(tp / np.sum(y_pred)), float(tp / np.sum(y_true))


def not_implemented(*args):
    raise NotImplementedError


def test_check_binary_metrics_accepts_a_right_answer():
    assert check_binary_metrics(metrics_right)
    assert check_binary_metrics(metrics_right, strict=True)


@pytest.mark.parametrize("wrong, words", [
    (metrics_swapped, "对调"),
    (metrics_positive_is_one, "正类弄错"),
    (metrics_integer_division, "整除"),
    (metrics_no_zero_guard, "nan"),
    (metrics_assume_01, ""),
    (not_implemented, "还没有实现"),
])
def test_check_binary_metrics_rejects_typical_mistakes(wrong, words):
    result = check_binary_metrics(wrong)
    assert not result
    assert words in result.message
    with pytest.raises(AssertionError):
        check_binary_metrics(wrong, strict=True)


# -- exercise 2: split -------------------------------------------------------------------------------

def split_right(n, test_ratio, seed):
    if not 0 < test_ratio < 1:
        raise ValueError("test_ratio 必须在 (0, 1) 之间")
    order = np.random.default_rng(seed).permutation(n)
    n_test = math.ceil(n * test_ratio)
    return order[n_test:], order[:n_test]


def split_with_replacement(n, test_ratio, seed):
    if not 0 < test_ratio < 1:
        raise ValueError
    rng = np.random.default_rng(seed)
    n_test = math.ceil(n * test_ratio)
    test = rng.choice(n, n_test)  # with replacement: duplicates
    return np.setdiff1d(np.arange(n), test), test


def split_overlapping(n, test_ratio, seed):
    if not 0 < test_ratio < 1:
        raise ValueError
    order = np.random.default_rng(seed).permutation(n)
    n_test = math.ceil(n * test_ratio)
    return order, order[:n_test]  # the test samples are also trained on


def split_not_shuffled(n, test_ratio, seed):
    if not 0 < test_ratio < 1:
        raise ValueError
    n_test = math.ceil(n * test_ratio)
    return np.arange(n - n_test), np.arange(n - n_test, n)


def split_floor(n, test_ratio, seed):
    if not 0 < test_ratio < 1:
        raise ValueError
    order = np.random.default_rng(seed).permutation(n)
    n_test = int(n * test_ratio)
    return order[n_test:], order[:n_test]


def split_ignores_seed(n, test_ratio, seed):
    if not 0 < test_ratio < 1:
        raise ValueError
    order = np.random.default_rng().permutation(n)
    n_test = math.ceil(n * test_ratio)
    return order[n_test:], order[:n_test]


def split_fixed_seed(n, test_ratio, seed):
    return split_right(n, test_ratio, 0)


def split_no_check(n, test_ratio, seed):
    order = np.random.default_rng(seed).permutation(n)
    n_test = math.ceil(n * test_ratio)
    return order[n_test:], order[:n_test]


def test_check_split_indices_accepts_a_right_answer():
    assert check_split_indices(split_right, strict=True)


@pytest.mark.parametrize("wrong, words", [
    (split_with_replacement, "有放回"),
    (split_overlapping, "重叠"),
    (split_not_shuffled, "没有打乱"),
    (split_floor, "ceil"),
    (split_ignores_seed, "同一个 seed"),
    (split_fixed_seed, "seed 没有用上"),
    (split_no_check, "ValueError"),
    (not_implemented, "还没有实现"),
])
def test_check_split_indices_rejects_typical_mistakes(wrong, words):
    result = check_split_indices(wrong)
    assert not result
    assert words in result.message
    with pytest.raises(AssertionError):
        check_split_indices(wrong, strict=True)


# -- exercise 3: standardise ---------------------------------------------------------------------------

def std_right(X_train, X_test):
    mu, sigma = X_train.mean(axis=0), X_train.std(axis=0)
    sigma = np.where(sigma == 0, 1.0, sigma)
    return (X_train - mu) / sigma, (X_test - mu) / sigma


def std_test_own_stats(X_train, X_test):
    return std_right(X_train, X_train)[0], std_right(X_test, X_test)[0]


def std_combined(X_train, X_test):
    both = np.vstack([X_train, X_test])
    mu, sigma = both.mean(axis=0), both.std(axis=0)
    sigma = np.where(sigma == 0, 1.0, sigma)
    return (X_train - mu) / sigma, (X_test - mu) / sigma


def std_ddof1(X_train, X_test):
    mu, sigma = X_train.mean(axis=0), X_train.std(axis=0, ddof=1)
    sigma = np.where(sigma == 0, 1.0, sigma)
    return (X_train - mu) / sigma, (X_test - mu) / sigma


def std_in_place(X_train, X_test):
    mu, sigma = X_train.mean(axis=0), X_train.std(axis=0)
    sigma = np.where(sigma == 0, 1.0, sigma)
    X_test -= mu
    X_test /= sigma
    X_train -= mu
    X_train /= sigma
    return X_train, X_test


def std_no_zero_guard(X_train, X_test):
    mu, sigma = X_train.mean(axis=0), X_train.std(axis=0)
    with np.errstate(invalid="ignore", divide="ignore"):
        return (X_train - mu) / sigma, (X_test - mu) / sigma


def std_only_centred(X_train, X_test):
    mu = X_train.mean(axis=0)
    return X_train - mu, X_test - mu


def test_check_standardize_accepts_a_right_answer():
    assert check_standardize_with_train(std_right, strict=True)


@pytest.mark.parametrize("wrong, words", [
    (std_test_own_stats, "它自己的"),
    (std_combined, "一起算"),
    (std_ddof1, "ddof"),
    (std_in_place, "改动了传入的参数 X_train"),
    (std_no_zero_guard, "标准差为 0"),
    (std_only_centred, "数值不对"),
    (not_implemented, "还没有实现"),
])
def test_check_standardize_rejects_typical_mistakes(wrong, words):
    result = check_standardize_with_train(wrong)
    assert not result
    assert words in result.message
    with pytest.raises(AssertionError):
        check_standardize_with_train(wrong, strict=True)


# -- near-misses that agree with the right answer on easy cases (issue 7, item 8) ----------------------

def metrics_as_strings(y_true, y_pred, positive):
    return tuple(str(v) for v in metrics_right(y_true, y_pred, positive))


def metrics_extra_element(y_true, y_pred, positive):
    return (*metrics_right(y_true, y_pred, positive), 0.0)


def metrics_recall_guard_missing(y_true, y_pred, positive):
    a, p, r = metrics_right(y_true, y_pred, positive)
    t = y_true == positive
    return a, p, (r if t.sum() else float("nan"))


def metrics_none(y_true, y_pred, positive):
    metrics_right(y_true, y_pred, positive)


@pytest.mark.parametrize("wrong", [metrics_as_strings, metrics_extra_element, metrics_recall_guard_missing,
                                   metrics_none])
def test_check_binary_metrics_rejects_near_misses(wrong):
    assert not check_binary_metrics(wrong)


@pytest.mark.parametrize("right", [
    metrics_right,
    lambda t, p, pos: list(metrics_right(t, p, pos)),
    lambda t, p, pos: np.array(metrics_right(t, p, pos)),
    lambda t, p, pos: tuple(np.float32(v) for v in metrics_right(t, p, pos)),
    lambda t, p, pos: tuple(torch.tensor(v) for v in metrics_right(t, p, pos)),
])
def test_check_binary_metrics_accepts_right_answers_of_every_type(right):
    assert check_binary_metrics(right, strict=True)


def split_random_offset(n, test_ratio, seed):
    if not 0 < test_ratio < 1:
        raise ValueError
    n_test = math.ceil(n * test_ratio)
    start = np.random.default_rng(seed).integers(0, n - n_test + 1)  # a block, not a shuffle
    test = np.arange(start, start + n_test)
    return np.setdiff1d(np.arange(n), test), test


def split_wraparound(n, test_ratio, seed):
    if not 0 < test_ratio < 1:
        raise ValueError
    n_test = math.ceil(n * test_ratio)
    order = np.roll(np.arange(n), -int(np.random.default_rng(seed).integers(n)))
    return order[n_test:], order[:n_test]


def split_every_kth(n, test_ratio, seed):
    if not 0 < test_ratio < 1:
        raise ValueError
    n_test = math.ceil(n * test_ratio)
    test = np.linspace(0, n - 1, n_test).astype(int) if n < 50 else np.arange(0, n, n // n_test)[:n_test]
    return np.setdiff1d(np.arange(n), test), test


def split_round(n, test_ratio, seed):
    if not 0 < test_ratio < 1:
        raise ValueError
    order = np.random.default_rng(seed).permutation(n)
    n_test = round(n * test_ratio)
    return order[n_test:], order[:n_test]


def split_shuffles_each_half(n, test_ratio, seed):
    if not 0 < test_ratio < 1:
        raise ValueError
    rng = np.random.default_rng(seed)
    order = np.concatenate([rng.permutation(n // 2), n // 2 + rng.permutation(n - n // 2)])
    n_test = math.ceil(n * test_ratio)
    return order[n_test:], order[:n_test]  # the test set comes from the first half only


def split_checks_only_the_endpoints(n, test_ratio, seed):
    if test_ratio in (0, 1):
        raise ValueError("test_ratio")
    return split_no_check(n, test_ratio, seed)


@pytest.mark.parametrize("wrong", [split_random_offset, split_wraparound, split_every_kth, split_round,
                                   split_checks_only_the_endpoints, split_shuffles_each_half])
def test_check_split_indices_rejects_near_misses(wrong):
    assert not check_split_indices(wrong)


def split_torch(n, test_ratio, seed):
    if not 0 < test_ratio < 1:
        raise ValueError("test_ratio")
    order = torch.randperm(n, generator=torch.Generator().manual_seed(seed))
    n_test = math.ceil(n * test_ratio)
    return order[n_test:], order[:n_test]


def split_choice_sorted(n, test_ratio, seed):
    if not 0 < test_ratio < 1:
        raise ValueError("test_ratio")
    test = np.sort(np.random.default_rng(seed).choice(n, math.ceil(n * test_ratio), replace=False))
    return [int(i) for i in np.setdiff1d(np.arange(n), test)], [int(i) for i in test]


@pytest.mark.parametrize("right", [split_right, split_torch, split_choice_sorted])
def test_check_split_indices_accepts_right_answers_of_every_style(right):
    assert check_split_indices(right, strict=True)


def std_epsilon(X_train, X_test):
    mu, sigma = X_train.mean(axis=0), X_train.std(axis=0) + 1e-8
    return (X_train - mu) / sigma, (X_test - mu) / sigma


def std_whole_matrix(X_train, X_test):
    mu, sigma = X_train.mean(), X_train.std()
    return (X_train - mu) / sigma, (X_test - mu) / sigma


def std_test_mean(X_train, X_test):
    mu, sigma = X_train.mean(axis=0), X_train.std(axis=0)
    sigma = np.where(sigma == 0, 1.0, sigma)
    return (X_train - mu) / sigma, (X_test - X_test.mean(axis=0)) / sigma


@pytest.mark.parametrize("wrong", [std_epsilon, std_whole_matrix, std_test_mean])
def test_check_standardize_rejects_near_misses(wrong):
    assert not check_standardize_with_train(wrong)


def std_torch(X_train, X_test):
    train, test = torch.tensor(X_train), torch.tensor(X_test)
    mu, sigma = train.mean(dim=0), train.std(dim=0, unbiased=False)
    sigma = torch.where(sigma == 0, torch.ones_like(sigma), sigma)
    return (train - mu) / sigma, (test - mu) / sigma


def std_copies_first(X_train, X_test):
    X_train, X_test = X_train.copy(), X_test.copy()
    mu, sigma = X_train.mean(axis=0), X_train.std(axis=0)
    sigma[sigma == 0] = 1.0
    X_train -= mu
    X_train /= sigma
    X_test -= mu
    X_test /= sigma
    return [X_train, X_test]


def std_float32(X_train, X_test):
    train, test = torch.Tensor(X_train), torch.Tensor(X_test)  # float32
    mu, sigma = train.mean(dim=0), train.std(dim=0, unbiased=False)
    sigma = torch.where(sigma == 0, torch.ones_like(sigma), sigma)
    return (train - mu) / sigma, (test - mu) / sigma


@pytest.mark.parametrize("right", [std_right, std_torch, std_copies_first, std_float32])
def test_check_standardize_accepts_right_answers_of_every_style(right):
    assert check_standardize_with_train(right, strict=True)
