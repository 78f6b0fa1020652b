"""Chapter 1 (引言) exercises: classification metrics, a leak-free split, standardising with train statistics."""

from __future__ import annotations

import math
from typing import Any, Callable

import numpy as np

from ..validation import to_numpy
from ._core import Case, CheckResult, as_number, call_limited, run_cases


# -- exercise 1: accuracy, precision, recall ------------------------------------------------

def _metrics(y_true: np.ndarray, y_pred: np.ndarray, positive: Any) -> tuple[float, float, float]:
    tp = np.sum((y_pred == positive) & (y_true == positive))
    fp = np.sum((y_pred == positive) & (y_true != positive))
    fn = np.sum((y_pred != positive) & (y_true == positive))
    accuracy = float(np.mean(y_true == y_pred))
    precision = float(tp / (tp + fp)) if tp + fp > 0 else 0.0
    recall = float(tp / (tp + fn)) if tp + fn > 0 else 0.0
    return accuracy, precision, recall


def _as_triple(result: Any) -> np.ndarray | None:
    """Three real numbers (a tuple, list, array or tensor of them), or None; strings are not numbers."""
    if isinstance(result, (str, bytes, dict)) or result is None:
        return None
    try:
        values = [as_number(v) for v in result]
    except TypeError:
        return None
    if len(values) != 3 or any(v is None for v in values):
        return None
    return np.asarray(values, dtype=float)


def _metrics_check(y_true: np.ndarray, y_pred: np.ndarray, positive: Any) -> Callable[[Any], str | None]:
    want = np.array(_metrics(y_true, y_pred, positive))
    labels = list(np.unique(np.concatenate([y_true, y_pred])))
    others = [label for label in labels if label != positive]

    def check(result: Any) -> str | None:
        got = _as_triple(result)
        if got is None:
            return f"应返回三个数 (准确率, 精确率, 召回率)，得到 {result!r}（expected three numbers）"
        if np.allclose(got, want, atol=1e-9):
            return None
        if np.any(np.isnan(got)):
            return f"结果里有 nan：{got}。分母为 0 时按约定返回 0.0"
        if np.allclose(got, want[[0, 2, 1]], atol=1e-9):
            return ("精确率和召回率对调了。精确率 = TP/(TP+FP)，分母是“预测为正类”的个数；"
                    "召回率 = TP/(TP+FN)，分母是“真实为正类”的个数")
        for other in others:
            if np.allclose(got, _metrics(y_true, y_pred, other), atol=1e-9):
                return f"正类弄错了：这次的正类是 positive={positive!r}，你的结果是把 {other!r} 当成了正类"
        if np.any(want % 1 != 0) and np.allclose(got, np.floor(want)):
            return f"期望 {np.round(want, 4)}，得到 {got}：是不是用了整除 //？比例要用 / 计算"
        return f"期望 (准确率, 精确率, 召回率) = {np.round(want, 4)}，得到 {np.round(got, 4)}"

    return check


def check_binary_metrics(fn: Callable, strict: bool = False) -> CheckResult:
    """Chapter 1 exercise: fn(y_true, y_pred, positive) -> (accuracy, precision, recall); 0.0 when a denominator is 0."""
    a_true = np.array([1, 1, 1, 0, 0, 0, 0, 1])
    a_pred = np.array([1, 0, 1, 1, 0, 0, 0, 0])
    words_true = np.array(["恶性", "良性", "恶性", "良性", "良性", "恶性", "良性", "良性", "恶性", "良性"])
    words_pred = np.array(["恶性", "恶性", "良性", "良性", "良性", "恶性", "恶性", "良性", "恶性", "良性"])
    b_true = np.array([2, 1, 2, 2, 1, 1, 2, 1, 1])
    b_pred = np.array([2, 2, 1, 2, 1, 1, 1, 1, 2])
    never_true = np.array([1, 0, 1, 0, 0])
    never_pred = np.zeros(5, dtype=int)
    no_positive_true = np.array([0, 0, 0, 0])
    no_positive_pred = np.array([0, 1, 0, 1])
    nothing_true = np.array(["良性", "良性", "良性"])
    rng = np.random.default_rng(7)
    r_true = rng.integers(0, 2, 200)
    r_pred = np.where(rng.random(200) < 0.8, r_true, 1 - r_true)
    m_true = rng.integers(0, 4, 300)  # four classes, the positive one chosen at random
    m_pred = np.where(rng.random(300) < 0.6, m_true, rng.integers(0, 4, 300))
    m_positive = int(rng.integers(0, 4))
    cases = [
        Case("8 个 0/1 标签，正类为 1", args=(a_true, a_pred, 1), check=_metrics_check(a_true, a_pred, 1),
             hint="先数出 TP、FP、FN，再按公式相除"),
        Case("同样的数据，正类改为 0", args=(a_true, a_pred, 0), check=_metrics_check(a_true, a_pred, 0),
             hint="正类由参数 positive 决定，不一定是 1"),
        Case("中文标签，正类为“恶性”", args=(words_true, words_pred, "恶性"),
             check=_metrics_check(words_true, words_pred, "恶性"),
             hint="用 y == positive 得到布尔数组，不要假设标签是 0 和 1"),
        Case("标签为 1 和 2，正类为 2", args=(b_true, b_pred, 2), check=_metrics_check(b_true, b_pred, 2),
             hint="不能用 sum(y_pred) 数正类：标签不一定是 0/1"),
        Case("模型从不预测正类（精确率的分母为 0）", args=(never_true, never_pred, 1),
             check=_metrics_check(never_true, never_pred, 1), hint="分母为 0 时按约定返回 0.0"),
        Case("测试集里没有正类（召回率的分母为 0）", args=(no_positive_true, no_positive_pred, 1),
             check=_metrics_check(no_positive_true, no_positive_pred, 1), hint="分母为 0 时按约定返回 0.0"),
        Case("真实和预测都没有正类（两个分母都为 0）", args=(nothing_true, nothing_true.copy(), "恶性"),
             check=_metrics_check(nothing_true, nothing_true, "恶性"), hint="分母为 0 时按约定返回 0.0"),
        Case("200 个随机标签，正类为 1", args=(r_true, r_pred, 1), check=_metrics_check(r_true, r_pred, 1)),
        Case(f"300 个随机标签、4 个类别，正类为 {m_positive}", args=(m_true, m_pred, m_positive),
             check=_metrics_check(m_true, m_pred, m_positive),
             hint="多类别时，“不是正类”的所有类别都算负类"),
    ]
    return run_cases(fn, cases, name=getattr(fn, "__name__", None), strict=strict)


# -- exercise 2: a split without leakage ----------------------------------------------------

def _split_check(fn: Callable, n: int, test_ratio: float, seed: int) -> Callable[[Any], str | None]:
    n_test = math.ceil(n * test_ratio)

    def check(result: Any) -> str | None:
        if not isinstance(result, (tuple, list)) or len(result) != 2:
            return f"应返回 (train_idx, test_idx) 两个数组，得到 {type(result).__name__}"
        train, test = (np.asarray(to_numpy(part)).ravel() for part in result)
        if not (np.issubdtype(train.dtype, np.integer) and np.issubdtype(test.dtype, np.integer)):
            return f"下标必须是整数数组，得到 {train.dtype} 和 {test.dtype}"
        if len(np.unique(test)) < len(test) or len(np.unique(train)) < len(train):
            return ("有重复的样本编号：是不是用了有放回抽样 rng.choice(n, size)？"
                    "用 rng.permutation(n) 打乱后切开，或加 replace=False")
        overlap = np.intersect1d(train, test)
        if overlap.size:
            return (f"训练集和测试集有 {overlap.size} 个样本重叠（如 {overlap[:3].tolist()}）：同一个样本既用来训练"
                    "又用来测试，测试成绩就不再可信——这就是数据泄露")
        if len(test) != n_test:
            return f"测试集应有 ceil({n} × {test_ratio}) = {n_test} 个样本，得到 {len(test)} 个"
        if len(train) + len(test) != n or not np.array_equal(np.union1d(train, test), np.arange(n)):
            return f"训练集和测试集合起来应正好是 0..{n - 1} 每个编号各一次"
        if n >= 50:
            block = np.sort(test)
            gaps = np.diff(block)
            if np.count_nonzero(gaps != 1) <= 1:  # one block, or one that wraps around from n - 1 to 0
                return ("测试集是连续的一段（从 "
                        f"{block[0]} 到 {block[-1]}，可能首尾相接）：没有打乱。数据常按类别排好序，不打乱测试集就可能只有一个类别。"
                        "先用 rng.permutation(n) 打乱全部编号，再切开")
            if np.all(gaps == gaps[0]):
                return f"测试集是每隔 {gaps[0]} 个取一个：这不是随机划分。先用 rng.permutation(n) 打乱全部编号，再切开"
            # the shortest circular window holding every test index; a random test set spreads over all n
            window = n - int(max(gaps.max(), block[0] + n - block[-1])) + 1
            if window <= n // 2:
                return (f"测试集只来自一小段编号（最小的 {window} 个连续编号里，不到全部的一半）：只打乱了一部分数据。"
                        "数据常按类别排好序，这样测试集可能缺少某些类别。对全部 n 个编号一起打乱：rng.permutation(n)")
        try:
            again = call_limited(fn, (n, test_ratio, seed))
            others = [call_limited(fn, (n, test_ratio, seed + step)) for step in (1, 2)]
        except Exception as exc:  # noqa: BLE001 - report any error of the reader's code
            return f"再次调用时出错：{type(exc).__name__}: {exc}"
        if not isinstance(again, (tuple, list)) or len(again) != 2 \
                or not np.array_equal(np.asarray(to_numpy(again[1])).ravel(), test):
            return "同一个 seed 两次调用得到了不同的划分：用 np.random.default_rng(seed) 固定随机数"
        if n >= 50:
            tests = [np.sort(np.asarray(to_numpy(other[1])).ravel()) for other in others]
            if any(np.array_equal(t, np.sort(test)) for t in tests):
                return "换了 seed 划分却没有变：seed 没有用上"
            starts = {int(t.min()) for t in tests + [np.sort(test)]}
            if all(np.all(np.diff(t) == 1) for t in tests):
                return f"不同 seed 下测试集都是连续的一段（起点 {sorted(starts)}）：只是换了起点，没有打乱"
        return None

    return check


def check_split_indices(fn: Callable, strict: bool = False) -> CheckResult:
    """Chapter 1 exercise: fn(n, test_ratio, seed) -> (train_idx, test_idx), shuffled, disjoint, ceil(n * ratio) test samples."""
    cases = [
        Case("10 个样本，测试集 30%", args=(10, 0.3, 0), check=_split_check(fn, 10, 0.3, 0)),
        Case("10 个样本，测试集 25%（要向上取整）", args=(10, 0.25, 0), check=_split_check(fn, 10, 0.25, 0),
             hint="测试集大小 = math.ceil(n * test_ratio)，与 sklearn 的 train_test_split 相同"),
        Case("150 个样本，测试集 20%", args=(150, 0.2, 0), check=_split_check(fn, 150, 0.2, 0),
             hint="先用 rng.permutation(n) 打乱编号，再切成两段"),
        Case("569 个样本，测试集 25%，seed=3", args=(569, 0.25, 3), check=_split_check(fn, 569, 0.25, 3)),
        Case("7 个样本，测试集 30%（2.1 向上取整为 3）", args=(7, 0.3, 5), check=_split_check(fn, 7, 0.3, 5),
             hint="测试集大小 = math.ceil(n * test_ratio)，不是 round 或 int"),
        Case("1000 个样本，测试集 10%，seed=12345", args=(1000, 0.1, 12345),
             check=_split_check(fn, 1000, 0.1, 12345)),
        Case("test_ratio = 0 不合法", args=(10, 0.0, 0), raises=ValueError,
             hint="test_ratio 必须在 0 和 1 之间（不含端点），否则抛出 ValueError"),
        Case("test_ratio = 1 不合法", args=(10, 1.0, 0), raises=ValueError,
             hint="test_ratio 必须在 0 和 1 之间（不含端点），否则抛出 ValueError"),
        Case("test_ratio = -0.2 不合法", args=(10, -0.2, 0), raises=ValueError,
             hint="不只是 0 和 1：test_ratio 不在 (0, 1) 之间都要抛出 ValueError，如 if not 0 < test_ratio < 1"),
        Case("test_ratio = 1.5 不合法", args=(10, 1.5, 0), raises=ValueError,
             hint="不只是 0 和 1：test_ratio 不在 (0, 1) 之间都要抛出 ValueError，如 if not 0 < test_ratio < 1"),
    ]
    return run_cases(fn, cases, name=getattr(fn, "__name__", None), strict=strict)


# -- exercise 3: standardise with the training statistics -----------------------------------

def _standardized(X_train: np.ndarray, X_test: np.ndarray, ddof: int = 0,
                  stats_from: str = "train") -> tuple[np.ndarray, np.ndarray]:
    def scale(X: np.ndarray, ref: np.ndarray) -> np.ndarray:
        std = ref.std(axis=0, ddof=ddof)
        return (X - ref.mean(axis=0)) / np.where(std == 0, 1.0, std)

    if stats_from == "train":
        return scale(X_train, X_train), scale(X_test, X_train)
    if stats_from == "own":
        return scale(X_train, X_train), scale(X_test, X_test)
    both = np.vstack([X_train, X_test])
    return scale(X_train, both), scale(X_test, both)


def _standardize_check(X_train: np.ndarray, X_test: np.ndarray) -> Callable[[Any], str | None]:
    train_copy, test_copy = X_train.copy(), X_test.copy()
    want_train, want_test = _standardized(train_copy, test_copy)

    def close(got: tuple[np.ndarray, np.ndarray], want: tuple[np.ndarray, np.ndarray]) -> bool:
        # atol 1e-5: a right answer in float32 (torch.Tensor) is accepted; every near-miss is off by far more
        return all(g.shape == w.shape and np.allclose(g, w, rtol=1e-5, atol=1e-5) for g, w in zip(got, want))

    def check(result: Any) -> str | None:
        if not isinstance(result, (tuple, list)) or len(result) != 2:
            return f"应返回 (X_train_std, X_test_std) 两个数组，得到 {type(result).__name__}"
        try:
            got = tuple(to_numpy(part) for part in result)
        except Exception:  # noqa: BLE001 - anything unconvertible is simply wrong
            return "应返回两个数组或张量（two arrays or tensors）"
        if any(part.dtype.kind not in "iuf" for part in got):
            return f"应返回数值数组，得到 dtype 为 {[str(part.dtype) for part in got]} 的数组（expected numbers）"
        got = tuple(part.astype(float) for part in got)
        if got[0].shape != X_train.shape or got[1].shape != X_test.shape:
            return f"形状不对：期望 {X_train.shape} 和 {X_test.shape}，得到 {got[0].shape} 和 {got[1].shape}"
        if not all(np.all(np.isfinite(g)) for g in got):
            return ("结果里有 nan 或 inf：训练集上某一列是常数，标准差为 0。"
                    "按约定（与 StandardScaler 相同）把这样的标准差当作 1，只减均值")
        if close(got, (want_train, want_test)):
            return None
        if close(got, _standardized(train_copy, test_copy, stats_from="own")):
            return ("测试集用了它自己的均值和标准差：测试集必须用训练集的均值和标准差变换，"
                    "就像模型上线后面对的新数据一样")
        if close(got, _standardized(train_copy, test_copy, stats_from="both")):
            return "均值和标准差是在训练集 + 测试集上一起算的：这会把测试集的信息漏进训练，只能用训练集"
        if close(got, _standardized(train_copy, test_copy, ddof=1)):
            return "用了样本标准差（ddof=1）：按约定与 StandardScaler 相同，用总体标准差 np.std(..., axis=0)（ddof=0）"
        want = np.concatenate([want_train.ravel(), want_test.ravel()])
        have = np.concatenate([got[0].ravel(), got[1].ravel()])
        worst = int(np.argmax(np.abs(have - want)))
        return f"数值不对：第 {worst} 个元素（先训练集后测试集）期望 {want[worst]:.6g}，得到 {have[worst]:.6g}"

    return check


def check_standardize_with_train(fn: Callable, strict: bool = False) -> CheckResult:
    """Chapter 1 exercise: fn(X_train, X_test) -> both standardised with the training mean and (ddof=0) std."""
    rng = np.random.default_rng(1)
    a_train = np.array([[1.0, 10.0], [2.0, 20.0], [3.0, 60.0], [6.0, 30.0]])
    a_test = np.array([[4.0, 50.0], [0.0, 0.0]])
    b_train = rng.normal([5.0, -2.0, 100.0], [1.0, 3.0, 20.0], size=(12, 3))
    b_test = rng.normal([7.0, 0.0, 80.0], [2.0, 1.0, 5.0], size=(5, 3))
    c_train = np.array([[1.0, 5.0], [2.0, 5.0], [4.0, 5.0]])
    c_test = np.array([[3.0, 5.0], [0.0, 6.0]])
    d_train = rng.normal(0.0, 1.0, size=(40, 4)) * [1e-3, 1.0, 1e3, 1.0] + [0.0, 50.0, -7.0, 0.0]
    d_test = rng.normal(3.0, 2.0, size=(15, 4)) * [1e-3, 1.0, 1e3, 1.0]
    d_train[:, 3] = 2.5  # a constant column among columns of very different scales
    e_train, e_test = np.array([[1.0, 2.0, 3.0]]), np.array([[0.0, 2.0, 4.0], [1.0, 1.0, 1.0]])
    cases = [
        Case("4 个训练样本、2 个测试样本、2 个特征", args=(a_train, a_test), check=_standardize_check(a_train, a_test),
             hint="z = (x - 训练集均值) / 训练集标准差；训练集和测试集用同一组均值和标准差"),
        Case("12 个训练样本、5 个测试样本、3 个特征", args=(b_train, b_test), check=_standardize_check(b_train, b_test),
             hint="按列（axis=0）求均值和标准差"),
        Case("训练集的第 2 列是常数（标准差为 0）", args=(c_train, c_test), check=_standardize_check(c_train, c_test),
             hint="std 为 0 的列把 std 换成 1：np.where(std == 0, 1.0, std)"),
        Case("40 个训练样本、4 列尺度相差很大（其中一列是常数），测试集分布不同", args=(d_train, d_test),
             check=_standardize_check(d_train, d_test),
             hint="按列（axis=0）求统计量；测试集只用训练集的均值和标准差"),
        Case("训练集只有一个样本（每列的标准差都是 0）", args=(e_train, e_test),
             check=_standardize_check(e_train, e_test)),
    ]
    return run_cases(fn, cases, name=getattr(fn, "__name__", None), strict=strict)
