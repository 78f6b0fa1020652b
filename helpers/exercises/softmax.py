"""Chapter 4 exercises: softmax and cross-entropy by hand in NumPy (手撕交叉熵), one-hot, the gradient.

The expected values come from PyTorch (``torch.softmax``,
``torch.nn.functional.cross_entropy`` and autograd) in float64. The reader's
function runs with NumPy's floating-point errors turned into exceptions, so an
``exp`` that overflows or a ``log(0)`` is reported at the line where it happens
instead of slipping through as ``nan`` or ``inf``.
"""

from __future__ import annotations

import functools
from typing import Callable

import numpy as np
import torch
import torch.nn.functional as F

from ..validation import to_numpy
from ._core import Case, CheckResult, compare, run_cases

_HUGE_HINT = (
    "logit 为 ±1000 时 np.exp 会上溢（exp(1000) = inf）或下溢成 0：先减去每一行的最大值，"
    "对数概率用 log-sum-exp：log ŷ_j = (o_j - m) - log Σ_k exp(o_k - m)。"
)


def _float_errors_raise(fn: Callable) -> Callable:
    """Run ``fn`` with overflow, 0/0 and log(0) raising FloatingPointError (underflow to 0 is fine)."""

    @functools.wraps(fn)
    def wrapped(*args, **kwargs):
        with np.errstate(over="raise", invalid="raise", divide="raise", under="ignore"):
            return fn(*args, **kwargs)

    return wrapped


def _t(a: np.ndarray) -> torch.Tensor:
    return torch.as_tensor(np.asarray(a), dtype=torch.float64)


def _labels(a) -> torch.Tensor:
    return torch.as_tensor(np.asarray(a), dtype=torch.int64)


def _batch(seed: int, n: int, k: int, scale: float = 3.0) -> tuple[np.ndarray, np.ndarray]:
    rng = np.random.default_rng(seed)
    return rng.normal(0, scale, size=(n, k)), rng.integers(0, k, size=n)


def check_softmax(fn: Callable, strict: bool = False) -> CheckResult:
    """Chapter 4 exercise: fn(logits) -> softmax of each row of an (n x k) array, stable for huge logits."""
    big = np.array([[1000.0, 0.0, -1000.0]])
    tiny = np.array([[-1000.0, -1001.0, -1002.0]])
    two_rows = np.array([[1.0, 2.0, 3.0], [1.0, 1.0, 5.0]])
    random_logits, _ = _batch(0, 5, 4)
    cases = [
        Case("一行 logit [1, 2, 3]", args=(np.array([[1.0, 2.0, 3.0]]),),
             expected=torch.softmax(_t([[1.0, 2.0, 3.0]]), dim=1).numpy(),
             hint="softmax(o)_j = exp(o_j) / Σ_k exp(o_k)，每一行的和是 1。"),
        Case("两行 logit：每一行单独归一化", args=(two_rows,),
             expected=torch.softmax(_t(two_rows), dim=1).numpy(),
             hint="求和要沿着类别这一维（axis=1，keepdims=True），不能把整个矩阵加在一起。"),
        Case("5 个样本、4 个类别的随机 logit", args=(random_logits,),
             expected=torch.softmax(_t(random_logits), dim=1).numpy()),
        Case("三个相等的 logit：均匀分布", args=(np.zeros((1, 3)),), expected=np.full((1, 3), 1 / 3)),
        Case("巨大的 logit [1000, 0, -1000]", args=(big,), expected=torch.softmax(_t(big), dim=1).numpy(),
             hint=_HUGE_HINT),
        Case("很负的 logit [-1000, -1001, -1002]", args=(tiny,),
             expected=torch.softmax(_t(tiny), dim=1).numpy(), hint=_HUGE_HINT),
    ]
    return run_cases(_float_errors_raise(fn), cases, strict=strict)


def _scalar_close(want: float) -> Callable[[object], str | None]:
    """A Case.check: the result must be one number (not one loss per sample) close to ``want``."""

    def check(result) -> str | None:
        try:
            got = to_numpy(result)
        except Exception:  # noqa: BLE001 - anything unconvertible is simply wrong
            return f"应该返回一个数，得到 {type(result).__name__}"
        if got.ndim != 0:
            return f"应该返回一个数（整个批量的平均损失），得到形状为 {got.shape} 的数组"
        return compare(float(got), want)

    return check


def check_cross_entropy(fn: Callable, strict: bool = False) -> CheckResult:
    """Chapter 4 exercise (手撕交叉熵): fn(logits, labels) -> mean cross-entropy, as F.cross_entropy."""

    def expected(logits, labels) -> Callable[[object], str | None]:
        return _scalar_close(float(F.cross_entropy(_t(logits), _labels(labels))))

    one = np.array([[2.0, 1.0, 0.1]])
    batch_logits, batch_labels = _batch(1, 6, 4)
    big = np.array([[1000.0, 0.0, -1000.0], [1000.0, 0.0, -1000.0]])
    big_labels = np.array([0, 2])
    equal = np.full((2, 3), -1000.0)
    cases = [
        Case("一个样本 [2, 1, 0.1]，真实类别 0", args=(one, np.array([0])), check=expected(one, [0]),
             hint="交叉熵 = -log softmax(o)[y]：别忘了取对数和负号。"),
        Case("一个样本 [2, 1, 0.1]，真实类别 2", args=(one, np.array([2])), check=expected(one, [2]),
             hint="取的是真实类别那一列的对数概率：log_probs[np.arange(n), labels]。"),
        Case("6 个样本、4 个类别：对批量求平均", args=(batch_logits, batch_labels),
             check=expected(batch_logits, batch_labels),
             hint="F.cross_entropy 默认返回批量的平均值（reduction='mean'），不是总和；返回一个数。"),
        Case("巨大的 logit ±1000，真实类别 0 和 2", args=(big, big_labels), check=expected(big, big_labels),
             hint=_HUGE_HINT),
        Case("全部 logit 都是 -1000：损失 = log 3", args=(equal, np.array([0, 1])),
             check=expected(equal, [0, 1]), hint=_HUGE_HINT),
    ]
    return run_cases(_float_errors_raise(fn), cases, strict=strict)


def check_one_hot(fn: Callable, strict: bool = False) -> CheckResult:
    """Chapter 4 exercise: fn(labels, num_classes) -> (n x num_classes) one-hot matrix of 0.0 and 1.0."""
    cases = [
        Case("猫、狗、鸡 = [0, 2, 1]，3 个类别", args=(np.array([0, 2, 1]), 3),
             expected=np.array([[1.0, 0, 0], [0, 0, 1], [0, 1, 0]]),
             hint="第 i 行只有第 labels[i] 列是 1，其余是 0；np.eye(num_classes)[labels] 一行就够。"),
        Case("标签 [3, 3]，但一共有 5 个类别", args=(np.array([3, 3]), 5),
             expected=np.array([[0.0, 0, 0, 1, 0], [0, 0, 0, 1, 0]]),
             hint="列数是 num_classes，不是 labels.max() + 1。"),
        Case("10 个数字 0..9", args=(np.arange(10), 10), expected=np.eye(10)),
    ]
    return run_cases(fn, cases, strict=strict)


def check_cross_entropy_grad(fn: Callable, strict: bool = False) -> CheckResult:
    """Chapter 4 exercise: fn(logits, labels) -> dL/dO of the mean cross-entropy, as autograd gives it."""

    def autograd_grad(logits, labels) -> np.ndarray:
        o = _t(logits).requires_grad_(True)
        F.cross_entropy(o, _labels(labels)).backward()
        return o.grad.numpy()

    one = np.array([[2.0, 1.0, 0.1]])
    batch_logits, batch_labels = _batch(2, 5, 3)
    big = np.array([[1000.0, 0.0, -1000.0], [0.0, 1000.0, -1000.0]])
    cases = [
        Case("一个样本 [2, 1, 0.1]，真实类别 1", args=(one, np.array([1])), expected=autograd_grad(one, [1]),
             hint="∂l/∂o = softmax(o) - y，y 是 one-hot 标签。"),
        Case("5 个样本的平均损失", args=(batch_logits, batch_labels),
             expected=autograd_grad(batch_logits, batch_labels),
             hint="损失是批量的平均值，所以梯度要除以样本数 n：(softmax(O) - Y) / n。"),
        Case("巨大的 logit ±1000", args=(big, np.array([0, 2])), expected=autograd_grad(big, [0, 2]),
             hint=_HUGE_HINT),
    ]
    return run_cases(_float_errors_raise(fn), cases, strict=strict)
