"""Chapter 2 exercises: checkers for Euclidean distance, majority vote and KNN regression."""

from __future__ import annotations

from typing import Callable

import numpy as np

from ..knn import knn_regress
from ._core import Case, CheckResult, run_cases


def check_euclidean_distance(fn: Callable, strict: bool = False) -> CheckResult:
    """Chapter 2 exercise: fn(a, b) returns the Euclidean distance of two 1-D NumPy arrays."""
    rng = np.random.default_rng(2)
    a5, b5 = rng.normal(size=5), rng.normal(size=5)
    random_pairs = [(dim, rng.normal(0, scale, dim), rng.normal(0, scale, dim))
                    for dim, scale in ((2, 1000.0), (17, 0.01), (64, 3.0))]
    cases = [
        Case("平面上的 (0, 0) 和 (3, 4)", (np.array([0.0, 0.0]), np.array([3.0, 4.0])), expected=5.0,
             hint="欧氏距离要开平方根：d = sqrt(Σ(a_j − b_j)²)。只求平方和得到的是 25。"),
        Case("同一个点到自己", (np.array([1.5, -2.0]), np.array([1.5, -2.0])), expected=0.0),
        Case("坐标有负数：(−1, −1) 和 (2, 3)", (np.array([-1.0, -1.0]), np.array([2.0, 3.0])), expected=5.0,
             hint="差要先平方再相加，负的差平方后也是正的。"),
        Case("三维空间中的 (1, 2, 2) 和 (0, 0, 0)", (np.array([1.0, 2.0, 2.0]), np.zeros(3)), expected=3.0,
             hint="对所有维度求和，而不是只用前两维。"),
        Case("五维随机向量", (a5, b5), expected=float(np.linalg.norm(a5 - b5)),
             hint="曼哈顿距离 Σ|a_j − b_j| 是另一种距离；这里要的是欧氏距离。"),
        Case("十维向量，只有最后一维不同", (np.zeros(10), np.eye(10)[9] * 7.0), expected=7.0,
             hint="对所有维度求和。"),
        Case("一维：(−3) 和 (4)", (np.array([-3.0]), np.array([4.0])), expected=7.0),
        *[Case(f"{dim} 维随机向量（第 {i + 1} 组）", (a, b), expected=float(np.linalg.norm(a - b)))
          for i, (dim, a, b) in enumerate(random_pairs)],
    ]
    return run_cases(fn, cases, name=getattr(fn, "__name__", None), strict=strict)


def _majority(labels: np.ndarray) -> int:
    """The most common label; the smallest among tied ones (the book's rule)."""
    values, counts = np.unique(labels, return_counts=True)
    return int(values[np.argmax(counts)])


def check_majority_vote(fn: Callable, strict: bool = False) -> CheckResult:
    """Chapter 2 exercise: fn(labels) returns the most common label; a tie goes to the smallest label."""
    rng = np.random.default_rng(6)
    random_votes = []
    for size, classes in ((9, 4), (12, 3), (40, 6), (25, 50)):
        labels = rng.integers(0, classes, size)
        random_votes.append((labels, "可能平票"))
    # forced ties between a large and a small label, the large one seen first and last
    tie = rng.permutation(np.repeat([4, 11, 30], [3, 3, 2]))
    random_votes.append((np.concatenate([[30, 11], tie, [11, 4, 4, 30]]), "30 最先出现"))
    cases = [
        Case("[1, 1, 0]", (np.array([1, 1, 0]),), expected=1),
        Case("只有一个邻居 [2]", (np.array([2]),), expected=2),
        Case("[2, 0, 2, 1, 2]", (np.array([2, 0, 2, 1, 2]),), expected=2),
        Case("平票 [1, 0]：应取较小的标签 0", (np.array([1, 0]),), expected=0,
             hint="平票时取标签最小的类别。collections.Counter.most_common 会按先出现的顺序取，"
                  "这里会得到 1，不符合本书的规则。"),
        Case("平票 [2, 2, 1, 1, 0]：应取 1", (np.array([2, 2, 1, 1, 0]),), expected=1,
             hint="2 和 1 各两票，平票取较小的 1。"),
        Case("标签不连续 [5, 3, 5, 3, 3]", (np.array([5, 3, 5, 3, 3]),), expected=3),
        Case("平票 [0, 3, 0, 3]：应取 0", (np.array([0, 3, 0, 3]),), expected=0,
             hint="平票时取标签最小的类别，不是最后出现的那个。"),
        Case("平票 [7, 2, 7, 2]：应取 2", (np.array([7, 2, 7, 2]),), expected=2,
             hint="平票时取标签最小的类别，不是最先出现的那个，也不是最大的那个。"),
        *[Case(f"随机的 {len(labels)} 个标签（第 {i + 1} 组，{note}）", (labels,), expected=_majority(labels),
               hint="先数每个标签的票数，再在票数最多的标签里取最小的。")
          for i, (labels, note) in enumerate(random_votes)],
    ]
    return run_cases(fn, cases, name=getattr(fn, "__name__", None), strict=strict)


def _knn_reference(X: np.ndarray, y: np.ndarray, x: np.ndarray, k: int) -> float:
    """Mean label of the k nearest training points (Euclidean; random data has no distance ties)."""
    nearest = np.argsort(np.sqrt(((X - x) ** 2).sum(axis=1)), kind="stable")[:k]
    return float(y[nearest].mean())


def check_knn_regress(fn: Callable, strict: bool = False) -> CheckResult:
    """Chapter 2 exercise: fn(X_train (n, d), y_train (n,), x (d,), k) -> mean label of x's k nearest neighbours."""
    X_line = np.array([[0.0], [1.0], [2.0], [3.0], [10.0]])
    y_line = np.array([0.0, 10.0, 20.0, 30.0, 100.0])
    rng = np.random.default_rng(3)
    X_rand = rng.normal(size=(30, 3))
    y_rand = rng.normal(size=30)
    x_rand = rng.normal(size=3)
    random_sets = []
    for n, d, k in ((20, 2, 3), (60, 5, 7), (200, 8, 15)):
        scales = rng.choice([0.1, 1.0, 10.0], size=d)
        X = rng.normal(size=(n, d)) * scales
        random_sets.append((n, d, k, X, rng.normal(size=n) * 5, rng.normal(size=d) * scales))
    cases = [
        Case("一维，x = 0.9，k = 1", (X_line, y_line, np.array([0.9]), 1), expected=10.0,
             hint="k = 1 时预测值就是最近那个样本的标签。"),
        Case("一维，x = 1.2，k = 2", (X_line, y_line, np.array([1.2]), 2), expected=15.0,
             hint="最近的两个样本是 x = 1 和 x = 2，标签的平均是 15。要按距离从小到大取前 k 个。"),
        Case("一维，x = 1.6，k = 3", (X_line, y_line, np.array([1.6]), 3), expected=20.0,
             hint="取平均值（mean），不是中位数或总和。"),
        Case("一维，x = 9，k = 1（离群点）", (X_line, y_line, np.array([9.0]), 1), expected=100.0),
        Case("三维随机数据，k = 5", (X_rand, y_rand, x_rand, 5),
             expected=float(knn_regress(X_rand, y_rand, x_rand[None, :], 5)[0]),
             hint="距离要在所有特征上计算。"),
        Case("x 正好是一个训练样本，k = 1", (X_rand, y_rand, X_rand[7].copy(), 1), expected=float(y_rand[7]),
             hint="距离为 0 的样本就是最近邻，不要把它排除。"),
        Case("k 等于样本数：全体标签的平均", (X_line, y_line, np.array([4.0]), 5), expected=float(y_line.mean())),
        *[Case(f"随机数据（{n} 个样本、{d} 个特征、k = {k}，各特征尺度不同）", (X, y, x, k),
               expected=_knn_reference(X, y, x, k), hint="按欧氏距离取最近的 k 个，再对它们的标签求平均。")
          for n, d, k, X, y, x in random_sets],
    ]
    return run_cases(fn, cases, name=getattr(fn, "__name__", None), strict=strict)
