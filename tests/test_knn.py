"""Chapter 2: helpers.knn, its figures and its exercise checkers."""

import re
from collections import Counter

import matplotlib.pyplot as plt
import numpy as np
import pytest
import torch
from matplotlib.figure import Figure
from sklearn.datasets import load_wine
from sklearn.neighbors import KNeighborsClassifier, KNeighborsRegressor
from sklearn.preprocessing import StandardScaler

from helpers.exercises.knn import check_euclidean_distance, check_knn_regress, check_majority_vote
from helpers.figures.knn import _manhattan_ball, draw_wolf_packs, knn_classifier_explorer, knn_regression_explorer
from helpers.knn import (knn_predict, knn_regress, majority_vote, nearest_neighbors, pairwise_distances,
                         vote_counts, wolf_pack_data)


@pytest.fixture(scope="module")
def wine_scaled():
    X, y = load_wine(return_X_y=True)
    rng = np.random.default_rng(0)
    order = rng.permutation(len(y))
    train, test = order[:120], order[120:]
    scaler = StandardScaler().fit(X[train])
    return scaler.transform(X[train]), y[train], scaler.transform(X[test]), y[test]


@pytest.mark.parametrize("k", range(1, 16))
def test_predictions_equal_scikit_learn_on_wine(wine_scaled, k):
    X_train, y_train, X_test, _ = wine_scaled
    expected = KNeighborsClassifier(n_neighbors=k).fit(X_train, y_train).predict(X_test)
    np.testing.assert_array_equal(knn_predict(X_train, y_train, X_test, k), expected)


def test_manhattan_equals_scikit_learn(wine_scaled):
    X_train, y_train, X_test, _ = wine_scaled
    expected = KNeighborsClassifier(n_neighbors=5, p=1).fit(X_train, y_train).predict(X_test)
    np.testing.assert_array_equal(knn_predict(X_train, y_train, X_test, 5, metric="manhattan"), expected)


def test_regression_equals_scikit_learn_without_distance_ties():
    rng = np.random.default_rng(1)
    X, y = rng.normal(size=(60, 3)), rng.normal(size=60)
    Q = rng.normal(size=(20, 3))
    expected = KNeighborsRegressor(n_neighbors=7).fit(X, y).predict(Q)
    np.testing.assert_allclose(knn_regress(X, y, Q, 7), expected)


def test_distances_are_exact():
    A = np.array([[0.0, 0.0], [1.0, 1.0]])
    B = np.array([[3.0, 4.0]])
    np.testing.assert_allclose(pairwise_distances(A, B).numpy(), [[5.0], [np.sqrt(13)]])
    np.testing.assert_allclose(pairwise_distances(A, B, "manhattan").numpy(), [[7.0], [5.0]])


def test_distance_ties_go_to_the_earlier_training_sample():
    # Source section 4.1.3: points 2 (class 0) and 3 (class 1) are both 0.5 from (2, 2).
    X = np.array([[1.0, 2.0], [1.5, 1.8], [2.0, 1.5], [2.5, 2.0], [3.0, 1.8], [3.5, 1.5],
                  [2.0, 2.8], [1.8, 3.0], [2.2, 3.2]])
    y = np.array([0, 0, 0, 1, 1, 1, 0, 0, 0])
    _, idx = nearest_neighbors(X, np.array([[2.0, 2.0]]), 2)
    assert idx[0].tolist() == [2, 3]
    assert knn_predict(X, y, np.array([[2.0, 2.0]]), 1)[0] == 0
    reordered = np.r_[X[3:4], X[:3], X[4:]]
    y_reordered = np.r_[y[3:4], y[:3], y[4:]]
    assert knn_predict(reordered, y_reordered, np.array([[2.0, 2.0]]), 1)[0] == 1


def test_vote_ties_go_to_the_smallest_label():
    assert majority_vote([[1, 0]]).tolist() == [0]
    assert majority_vote([[2, 2, 1, 1, 0]]).tolist() == [1]
    assert majority_vote([2, 0, 2]).tolist() == [2]
    assert vote_counts([2, 0, 2], 3).tolist() == [1, 0, 2]


def test_wolf_pack_story_changes_with_k():
    X, y, paw = wolf_pack_data()
    assert [knn_predict(X, y, paw[None, :], k)[0] for k in (1, 3, 5)] == [1, 0, 1]


@pytest.mark.parametrize("kwargs, fragment", [
    (dict(k=0), r"k 必须是正整数 \(k must be a positive integer\), got 0"),
    (dict(k=-1), "k 必须是正整数"),
    (dict(k=2.0), "k 必须是正整数"),
    (dict(k=100), r"k 不能大于训练样本数 14 \(k cannot exceed the 14 training samples\)"),
    (dict(X_query=np.zeros((1, 3))), "必须相同"),
    (dict(X_query=np.zeros((0, 2))), "不能为空"),
    (dict(X_query=np.array([[np.nan, 0.0]])), "NaN"),
    (dict(X_train=np.zeros((0, 2))), "不能为空"),
    (dict(y_train=np.zeros(3, dtype=int)), "不一致"),
    (dict(y_train=np.full(14, 0.5)), "非负整数"),
    (dict(metric="cosine"), "metric 必须是"),
])
def test_bad_input_gets_a_bilingual_error(kwargs, fragment):
    X, y, paw = wolf_pack_data()
    args = dict(X_train=X, y_train=y, X_query=paw[None, :], k=3)
    args.update(kwargs)
    with pytest.raises(ValueError, match=fragment):
        knn_predict(**args)


def test_regression_rejects_nan_targets():
    X, y, paw = wolf_pack_data()
    with pytest.raises(ValueError, match="NaN"):
        knn_regress(X, np.where(y == 0, np.nan, 1.0), paw[None, :], 3)



@pytest.mark.parametrize("targets", [np.array([1.0, None] * 7), np.ones(14) * 1j, np.array(["1.0"] * 14)])
def test_regression_rejects_none_complex_and_string_targets(targets, raises_bilingual):
    X, _, paw = wolf_pack_data()
    assert "y_train 必须是数值数组" in raises_bilingual(knn_regress, X, targets, paw[None, :], 3)


@pytest.mark.parametrize("convert", [list, np.asarray, lambda y: y.astype(np.float32), torch.as_tensor])
def test_regression_accepts_every_usual_type(convert):
    X, y, paw = wolf_pack_data()
    assert knn_regress(convert(X), convert(y * 2.0), convert(paw[None, :]), 3).tolist() == pytest.approx([2 / 3])



@pytest.mark.parametrize("fn, args, fragment", [
    (majority_vote, ([],), r"\(查询点数, K\) 的非空数组"),
    (majority_vote, (np.zeros((2, 2, 2), dtype=int),), r"\(queries, K\) array"),
    (majority_vote, ([[0, -1]],), "非负整数"),
    (vote_counts, ([], 3), "非空的一维或二维数组"),
    (vote_counts, ([0, 3], 3), "0 到 2"),
    (vote_counts, ([0, 1], 0), "n_classes"),
])
def test_vote_helpers_reject_bad_input(fn, args, fragment, raises_bilingual):
    assert re.search(fragment, raises_bilingual(fn, *args))


def test_duplicate_points_with_different_labels_make_k1_training_accuracy_below_one(iris):
    # Chapter 2, section 2.10: the sepal features repeat, some across species; the first copy wins.
    X, y = iris.data[:, :2], iris.target
    same_place = (X[:, None, :] == X[None, :, :]).all(axis=-1)
    clash = (same_place & (y[:, None] != y[None, :])).any(axis=1)
    pred = knn_predict(X, y, X, 1)
    assert clash.sum() > 0 and (pred == y).mean() < 1
    assert np.array_equal(pred[~clash], y[~clash])           # every other point is its own neighbour
    first = same_place.argmax(axis=1)                        # the first training sample at the same place
    assert np.array_equal(pred, y[first])


def test_vote_ties_agree_with_scikit_learn_where_no_distance_tie(wine_scaled):
    # Chapter 2's summary: vote ties go to the smallest label, as in scikit-learn.
    X_train, y_train, X_test, _ = wine_scaled
    dist, index = nearest_neighbors(X_train, X_test, 16)
    dist, labels = dist.numpy(), y_train[index.numpy()]
    ties = 0
    for k in (2, 4, 6):
        assert not np.any(dist[:, k - 1] == dist[:, k])
        counts = vote_counts(labels[:, :k], 3)
        ties += int(((counts == counts.max(axis=1, keepdims=True)).sum(axis=1) > 1).sum())
        expected = KNeighborsClassifier(n_neighbors=k).fit(X_train, y_train).predict(X_test)
        np.testing.assert_array_equal(knn_predict(X_train, y_train, X_test, k), expected)
    assert ties > 0

# ---- exercise checkers: accept a right answer, reject the typical wrong ones ----

def test_euclidean_checker():
    assert check_euclidean_distance(lambda a, b: np.sqrt(((a - b) ** 2).sum()))
    assert check_euclidean_distance(lambda a, b: np.linalg.norm(a - b))
    no_sqrt = check_euclidean_distance(lambda a, b: ((a - b) ** 2).sum())
    assert not no_sqrt and "平方根" in no_sqrt.message
    assert not check_euclidean_distance(lambda a, b: np.abs(a - b).sum())          # Manhattan
    assert not check_euclidean_distance(lambda a, b: np.sqrt(((a - b)[:2] ** 2).sum()))  # first two dims only
    assert not check_euclidean_distance(lambda a, b: np.sqrt((a - b).sum() ** 2))


def test_majority_vote_checker():
    assert check_majority_vote(lambda labels: int(np.argmax(np.bincount(labels))))
    most_common = check_majority_vote(lambda labels: Counter(labels.tolist()).most_common(1)[0][0])
    assert not most_common and "平票" in most_common.message
    assert not check_majority_vote(lambda labels: int(np.max(labels)))
    assert not check_majority_vote(lambda labels: int(labels[0]))


def test_knn_regress_checker():
    def right(X, y, x, k):
        return float(y[np.argsort(np.linalg.norm(X - x, axis=1), kind="stable")[:k]].mean())

    assert check_knn_regress(right)
    assert not check_knn_regress(lambda X, y, x, k: float(np.median(y[np.argsort(np.linalg.norm(X - x, axis=1))[:k]])))
    assert not check_knn_regress(lambda X, y, x, k: float(y[np.argsort(-np.linalg.norm(X - x, axis=1))[:k]].mean()))
    assert not check_knn_regress(lambda X, y, x, k: float(y[np.argsort(np.linalg.norm(X - x, axis=1))[:k + 1]].mean()))
    assert not check_knn_regress(lambda X, y, x, k: float(y[np.argsort(np.abs(X[:, 0] - x[0]))[:k]].mean()))


# ---- figures ----

def test_classifier_explorer_frames_and_errors(book_style, iris):
    fig = knn_classifier_explorer(iris.data[:, :2], iris.target, ["a", "b", "c"], ["x", "y"],
                                  xs=[5.0, 6.0], ys=[3.0], k_values=[1, 2, 3])
    # samples once; regions and titles per (K, metric); neighbours per (K, metric, test point)
    assert fig.frame_count() == 1 + 2 * (3 * 2) + 3 * 2 * 2 * 1 + 2
    samples = fig.layers[0]
    regions, titles, neighbours, test_point = samples.overlays
    assert regions.below and "data:image/png;base64," in fig.frame(regions)
    assert fig.frame(regions, k=1) != fig.frame(regions, k=3)
    assert fig.frame(regions, metric="euclidean") != fig.frame(regions, metric="manhattan")
    near = fig.frame(neighbours, k=3, test_x=5.0)
    assert near != fig.frame(neighbours, k=3, test_x=6.0) and "预测：" in near and "票" in near
    assert "3 个邻居的投票" in fig.frame(titles, k=3) and "曼哈顿距离" in fig.frame(titles, metric="manhattan")
    assert fig.frame(test_point, test_x=5.0) != fig.frame(test_point, test_x=6.0)
    assert "<ellipse" in near and "<ellipse" not in fig.frame(neighbours, k=3, metric="manhattan")
    box = fig.widget()
    assert "mlbook-interactive" in box._dom_classes
    shown = [w.value for w in box.children[-1].children[0].children]  # what the live figure shows first
    assert shown[:5] == [fig.frame(layer) for layer in (regions, samples, titles, neighbours, test_point)]
    with pytest.raises(ValueError, match="两个特征"):
        knn_classifier_explorer(iris.data, iris.target, ["a", "b", "c"], ["x", "y"], xs=[5.0], ys=[3.0])
    with pytest.raises(ValueError, match="k 不能大于"):
        knn_classifier_explorer(iris.data[:5, :2], iris.target[:5], ["a"], ["x", "y"], xs=[5.0], ys=[3.0],
                                k_values=[10])
    with pytest.raises(ValueError, match=r"y 的标签必须在 0 到 1 之间 \(y must lie in 0..1"):
        knn_classifier_explorer(iris.data[:, :2], iris.target, ["a", "b"], ["x", "y"], xs=[5.0], ys=[3.0])


def test_regression_explorer_frames_and_errors(book_style, rng):
    x = rng.uniform(0, 10, 40)
    y = np.sin(x) * 50 + 100
    fig = knn_regression_explorer(x[:30], y[:30], x[30:], y[30:], "x", "y", queries=[2.0, 5.0], k_values=[1, 5])
    assert fig.frame_count() == 1 + 2 + 4
    curve, neighbours = fig.layers[0].overlays
    assert "K = 5：训练 MSE" in fig.frame(curve, k=5) and fig.frame(curve, k=1) != fig.frame(curve, k=5)
    assert "均值" in fig.frame(neighbours, query=2.0) and fig.frame(neighbours, query=2.0) != fig.frame(
        neighbours, query=5.0)
    shown = [w.value for w in fig.widget().children[-1].children[0].children]
    assert shown[:3] == [fig.frame(fig.layers[0]), fig.frame(curve), fig.frame(neighbours)]
    with pytest.raises(ValueError, match="不一致"):
        knn_regression_explorer(x[:30], y[:29], x[30:], y[30:], "x", "y", queries=[2.0])


def test_wolf_pack_drawing_returns_its_figure(book_style):
    X, y, paw = wolf_pack_data()
    fig = draw_wolf_packs(X, y, paw, k=3)
    assert isinstance(fig, Figure) and fig.axes[0].get_title().startswith("K = 3")
    panels, axes = plt.subplots(1, 2)
    assert draw_wolf_packs(X, y, paw, ax=axes[1]) is panels


def test_manhattan_ball_is_a_diamond():
    xs, ys = _manhattan_ball((1.0, 2.0), 0.5)
    np.testing.assert_allclose(np.abs(xs - 1.0) + np.abs(ys - 2.0), 0.5)
    assert len(xs) == 5 and (xs[0], ys[0]) == (xs[-1], ys[-1])  # a closed outline, four corners


@pytest.mark.parametrize("y_train", [
    np.repeat([0, 1], 7), np.repeat([0, 1], 7).astype(np.int32), np.repeat([0, 1], 7).tolist(),
    torch.repeat_interleave(torch.tensor([0, 1]), 7),
])
def test_labels_of_every_usual_type_are_accepted(y_train):
    X, _, paw = wolf_pack_data()
    assert knn_predict(X, y_train, paw[None, :], 3).tolist() == [0]


def test_huge_labels_cost_no_memory_in_proportion_to_their_value():
    X, y, paw = wolf_pack_data()
    big = np.where(y == 0, 10**6, 10**12)
    assert knn_predict(X, big, paw[None, :], 3).tolist() == [10**6]
    assert majority_vote([[10**12, 10**12, 10**6, 10**6]]).tolist() == [10**6]


@pytest.mark.parametrize("y_train", [
    np.r_[np.zeros(13, dtype=int), -1], np.zeros(14, dtype=bool), np.array([None] * 14, dtype=object),
    np.array(["a"] * 14), np.zeros(14, dtype=complex), np.full(14, 1.0),
])
def test_labels_that_are_not_nonnegative_integers_are_refused(y_train, raises_bilingual):
    X, _, paw = wolf_pack_data()
    assert "y_train 必须是" in raises_bilingual(knn_predict, X, y_train, paw[None, :], 3)


@pytest.mark.parametrize("args", [([0, 1], 0), ([0, 1], 2.0), ([0, 3], 3), ([-1, 0], 2), ([0.0, 1.0], 2), ([], 2)])
def test_vote_counts_rejects_bad_input(args, raises_bilingual):
    raises_bilingual(vote_counts, *args)


@pytest.mark.parametrize("labels", [[-1, 0], [0.5, 1.0], [True, False], [[]]])
def test_majority_vote_rejects_bad_labels(labels, raises_bilingual):
    raises_bilingual(majority_vote, labels)


# ---- exercise checkers: near-misses that agree with the right answer on easy cases ----

def _dist_in_place(a, b):
    a -= b  # overwrites the reader's array
    return np.sqrt((a ** 2).sum())


@pytest.mark.parametrize("wrong", [
    lambda a, b: abs(np.linalg.norm(a) - np.linalg.norm(b)),        # difference of lengths
    lambda a, b: np.sqrt(((a - b)[:3] ** 2).sum()),                  # first three dims only
    lambda a, b: np.sqrt(((a - b) ** 2).sum(keepdims=True)),         # a 1-element array, not a number
    lambda a, b: str(np.linalg.norm(a - b)),                         # a numeric string
    lambda a, b: np.max(np.abs(a - b)),                              # Chebyshev distance
    _dist_in_place,
])
def test_euclidean_checker_rejects_near_misses(wrong):
    assert not check_euclidean_distance(wrong)


@pytest.mark.parametrize("right", [
    lambda a, b: np.sqrt(((a - b) ** 2).sum()), lambda a, b: float(np.linalg.norm(a - b)),
    lambda a, b: np.array(np.linalg.norm(a - b)), lambda a, b: sum((x - y) ** 2 for x, y in zip(a, b)) ** 0.5,
    lambda a, b: __import__("torch").dist(__import__("torch").tensor(a), __import__("torch").tensor(b)),
])
def test_euclidean_checker_accepts_right_answers_of_every_type(right):
    assert check_euclidean_distance(right, strict=True)


def _vote_last_seen(labels):
    counts = Counter(labels.tolist())
    best = max(counts.values())
    return [label for label in labels.tolist() if counts[label] == best][-1]


def _vote_sorts_in_place(labels):
    labels.sort()
    return int(np.argmax(np.bincount(labels)))


@pytest.mark.parametrize("wrong", [
    lambda labels: Counter(labels.tolist()).most_common(1)[0][0],    # first seen wins a tie
    _vote_last_seen,                                                 # last seen wins a tie
    lambda labels: int(len(np.bincount(labels)) - 1 - np.argmax(np.bincount(labels)[::-1])),  # largest wins
    lambda labels: np.bincount(labels),                              # the counts, not the label
    _vote_sorts_in_place,
])
def test_majority_vote_checker_rejects_near_misses(wrong):
    assert not check_majority_vote(wrong)


@pytest.mark.parametrize("right", [
    lambda labels: int(np.argmax(np.bincount(labels))), lambda labels: np.argmax(np.bincount(labels)),
    lambda labels: min(set(labels.tolist()), key=lambda v: (-labels.tolist().count(v), v)),
    lambda labels: float(np.unique(labels, return_counts=True)[0][np.argmax(np.unique(labels, return_counts=True)[1])]),
])
def test_majority_vote_checker_accepts_right_answers_of_every_type(right):
    assert check_majority_vote(right, strict=True)


def _knn_right(X, y, x, k):
    return y[np.argsort(np.linalg.norm(X - x, axis=1), kind="stable")[:k]].mean()


@pytest.mark.parametrize("wrong", [
    lambda X, y, x, k: float(np.average(y[np.argsort(np.linalg.norm(X - x, axis=1))[:k]],
                                        weights=1 / (1e-9 + np.sort(np.linalg.norm(X - x, axis=1))[:k]))),
    lambda X, y, x, k: float(y[np.argsort(np.linalg.norm(X - x, axis=1))[1:k + 1]].mean()),  # skips the nearest
    lambda X, y, x, k: float(y[np.argsort(np.abs(X - x).sum(axis=1))[:k]].mean()),            # Manhattan
    lambda X, y, x, k: float(y[:k].mean()),                                                   # no distances
])
def test_knn_regress_checker_rejects_near_misses(wrong):
    assert not check_knn_regress(wrong)


@pytest.mark.parametrize("right", [
    _knn_right, lambda X, y, x, k: float(_knn_right(X, y, x, k)),
    lambda X, y, x, k: y[np.argpartition(((X - x) ** 2).sum(axis=1), k - 1)[:k]].mean(),
])
def test_knn_regress_checker_accepts_right_answers(right):
    assert check_knn_regress(right, strict=True)
