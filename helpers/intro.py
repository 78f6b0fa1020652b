"""Chapter 1 (引言): small computations the chapter reuses, with input checks.

    dataset_table                 a data set shown as a table: samples, features, target
    breast_cancer_feature_names_zh  Chinese names of the breast-cancer features
    kmeans_history                every assignment / update step of K-means (for the figure)
    noise_selection_experiment    data leakage: feature selection before vs after the split
    median_call_seconds           median wall time of one call (online vs batch serving)
"""

from __future__ import annotations

from typing import Any, Callable, Sequence

import numpy as np
from IPython.display import HTML

from .tables import ColumnGroup, html_table
from .timing import call_times
from .validation import (
    as_class_labels,
    as_float_matrix,
    as_list,
    as_vector,
    check_fraction,
    check_nonnegative_int,
    check_positive_int,
    check_seed,
)


# -- 1.1 a data set as a table -------------------------------------------------------

def dataset_table(
    X: Any,
    y: Any,
    feature_names: Sequence[str],
    target_names: Sequence[str] | None = None,
    rows: Sequence[int] | None = None,
    decimals: int = 1,
    feature_header: str = "特征（features）",
    target_header: str = "标签（label）",
    caption: str | None = None,
) -> HTML:
    """Chapter 1: some samples as a table: sample number, the features grouped under one header, target last.

    ``rows`` picks the samples shown (default: the first 5); ``target_names[y]`` is shown
    when given, else the raw target value.
    """
    X = as_float_matrix(X, "X")
    if target_names is None:
        y = as_vector(y, "y", length=X.shape[0])
    else:  # y indexes target_names: a label -1 or 1.5 must not pick a name silently
        target_names = as_list(target_names, "target_names")
        y = as_class_labels(y, "y", length=X.shape[0], n_classes=len(target_names))
    feature_names = [str(name) for name in as_list(feature_names, "feature_names")]
    if len(feature_names) != X.shape[1]:
        raise ValueError(
            f"特征名有 {len(feature_names)} 个，X 却有 {X.shape[1]} 列 "
            f"({len(feature_names)} feature names for {X.shape[1]} columns of X)"
        )
    decimals = check_nonnegative_int(decimals, "decimals")
    rows = list(range(min(5, X.shape[0]))) if rows is None else [check_nonnegative_int(r, "rows") for r in rows]
    if not rows:
        raise ValueError("rows 不能为空 (rows must not be empty)")
    bad = [r for r in rows if not 0 <= r < X.shape[0]]
    if bad:
        raise ValueError(f"样本编号超出范围 0..{X.shape[0] - 1} (row index out of range): {bad}")

    def target_text(value: Any) -> str:
        if target_names is None:
            return f"{value:g}" if isinstance(value, (float, np.floating)) else str(value)
        return str(target_names[value])

    header = ["样本编号", *feature_names, target_header]
    cells = [[r, *(f"{X[r, j]:.{decimals}f}" for j in range(X.shape[1])), target_text(y[r])] for r in rows]
    groups = [ColumnGroup(None, 1), ColumnGroup(feature_header, X.shape[1], "#E8F1F8"),
              ColumnGroup(None, 1, "#FCEFD6")]
    return html_table(header, cells, groups=groups, caption=caption)


# -- 1.3 the breast-cancer data set in Chinese -----------------------------------------

_MEASURES_ZH = {
    "radius": "半径", "texture": "纹理", "perimeter": "周长", "area": "面积",
    "smoothness": "平滑度", "compactness": "紧凑度", "concavity": "凹度",
    "concave points": "凹点数", "symmetry": "对称性", "fractal dimension": "分形维数",
}


def breast_cancer_feature_names_zh(names: Sequence[str]) -> list[str]:
    """Chapter 1: Chinese names for scikit-learn's breast-cancer features ('mean radius' -> '半径（均值）')."""
    out = []
    for name in as_list(names, "names"):
        name = str(name)
        if name.startswith("mean "):
            measure, kind = name[5:], "均值"
        elif name.startswith("worst "):
            measure, kind = name[6:], "最差值"
        elif name.endswith(" error"):
            measure, kind = name[:-6], "标准误"
        else:
            measure, kind = name, ""
        if measure not in _MEASURES_ZH:
            raise ValueError(f"不认识的乳腺癌特征名 (unknown breast-cancer feature name): {name!r}")
        out.append(f"{_MEASURES_ZH[measure]}（{kind}）" if kind else _MEASURES_ZH[measure])
    return out


# -- 1.2 K-means, step by step ---------------------------------------------------------

def kmeans_history(X: Any, initial_centers: Any, max_iter: int = 20) -> list[dict[str, Any]]:
    """Chapter 1: the states of K-means (Lloyd) from ``initial_centers`` until nothing changes.

    Returns a list of steps; each is a dict with ``kind`` ('init', 'assign' or 'update'),
    ``centers`` (k x d), ``labels`` (n, or None before the first assignment) and ``inertia``
    (sum of squared distances to the assigned centre, None before the first assignment).
    The list alternates assign/update and stops when an assignment no longer changes.
    """
    X = as_float_matrix(X, "X")
    centers = as_float_matrix(initial_centers, "initial_centers").copy()
    if centers.shape[1] != X.shape[1]:
        raise ValueError(
            f"中心有 {centers.shape[1]} 维，数据有 {X.shape[1]} 维 "
            f"(centres have {centers.shape[1]} dimensions, data has {X.shape[1]})"
        )
    if centers.shape[0] > X.shape[0]:
        raise ValueError(
            f"簇数 {centers.shape[0]} 不能超过样本数 {X.shape[0]} "
            f"(number of clusters {centers.shape[0]} exceeds the {X.shape[0]} samples)"
        )
    max_iter = check_positive_int(max_iter, "max_iter")
    steps: list[dict[str, Any]] = [{"kind": "init", "centers": centers.copy(), "labels": None, "inertia": None}]
    labels = None
    for _ in range(max_iter):
        sq_dist = ((X[:, None, :] - centers[None, :, :]) ** 2).sum(axis=2)
        new_labels = sq_dist.argmin(axis=1)
        inertia = float(sq_dist[np.arange(len(X)), new_labels].sum())
        if labels is not None and np.array_equal(new_labels, labels):
            break
        labels = new_labels
        steps.append({"kind": "assign", "centers": centers.copy(), "labels": labels.copy(), "inertia": inertia})
        for j in range(len(centers)):
            if np.any(labels == j):  # an empty cluster keeps its centre
                centers[j] = X[labels == j].mean(axis=0)
        sq_dist = ((X - centers[labels]) ** 2).sum(axis=1)
        steps.append({"kind": "update", "centers": centers.copy(), "labels": labels.copy(),
                      "inertia": float(sq_dist.sum())})
    return steps


# -- 1.4 data leakage ------------------------------------------------------------------

def noise_selection_experiment(
    ks: Sequence[int],
    test_ratios: Sequence[float],
    n_samples: int = 100,
    n_features: int = 1000,
    n_repeats: int = 30,
    seed: int = 0,
) -> dict[tuple[str, float], np.ndarray]:
    """Chapter 1: test accuracy on pure noise when the k best features are chosen before / after the split.

    For each repeat: features are standard normal noise, labels are a random half/half
    split, so no model can beat 50% on new data. The features are ranked by the F score
    (``sklearn.feature_selection.f_classif``) computed either on *all* samples ('before',
    the leak) or on the training samples only ('after'); a nearest-centroid classifier
    trained on the top k is scored on the test samples.

    Returns ``{(timing, ratio): accuracies}`` with timing 'before' or 'after' and
    accuracies of shape (n_repeats, len(ks)).
    """
    from sklearn.feature_selection import f_classif

    n_samples = check_positive_int(n_samples, "n_samples")
    n_features = check_positive_int(n_features, "n_features")
    n_repeats = check_positive_int(n_repeats, "n_repeats")
    if n_samples < 8:
        raise ValueError(f"n_samples 至少为 8 (n_samples must be at least 8), got {n_samples}")
    ks = [check_positive_int(k, "k") for k in as_list(ks, "ks")]
    if not ks:
        raise ValueError("ks 不能为空 (ks must not be empty)")
    if max(ks) > n_features:
        raise ValueError(
            f"k 不能大于特征数 {n_features} (k cannot exceed the {n_features} features), got {max(ks)}"
        )
    test_ratios = [check_fraction(r, "test_ratio") for r in as_list(test_ratios, "test_ratios")]
    if not test_ratios:
        raise ValueError("test_ratios 不能为空 (test_ratios must not be empty)")

    results = {(timing, r): np.empty((n_repeats, len(ks))) for timing in ("before", "after") for r in test_ratios}
    rng = np.random.default_rng(check_seed(seed))
    for rep in range(n_repeats):
        X = rng.normal(size=(n_samples, n_features))
        y = rng.permutation(np.arange(n_samples) % 2)
        order = rng.permutation(n_samples)
        ranking_all = np.argsort(-f_classif(X, y)[0], kind="stable")
        for r in test_ratios:
            n_test = int(np.ceil(n_samples * r))
            test, train = order[:n_test], order[n_test:]
            if len(np.unique(y[train])) < 2:
                raise ValueError(f"test_ratio={r} 太大，训练集只剩一个类别 (too large: one class left in training)")
            X_train, y_train, X_test, y_test = X[train], y[train], X[test], y[test]
            ranking_train = np.argsort(-f_classif(X_train, y_train)[0], kind="stable")
            for timing, ranking in (("before", ranking_all), ("after", ranking_train)):
                for i, k in enumerate(ks):
                    cols = ranking[:k]
                    # nearest centroid, as sklearn.neighbors.NearestCentroid (shown equal in section 1.1)
                    centroids = np.stack([X_train[y_train == c][:, cols].mean(axis=0) for c in (0, 1)])
                    sq_dist = ((X_test[:, None, cols] - centroids[None, :, :]) ** 2).sum(axis=2)
                    results[(timing, r)][rep, i] = np.mean(sq_dist.argmin(axis=1) == y_test)
    return results


# -- 1.3 step 6: serving -----------------------------------------------------------------

def median_call_seconds(fn: Callable[[], Any], repeats: int = 50) -> float:
    """Chapter 1: the median wall-clock time of ``fn()`` over ``repeats`` calls (after one warm-up call)."""
    return float(np.median(call_times(fn, repeats, warmup=1)))
