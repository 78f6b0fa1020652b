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

from ._core import Case, CheckResult, as_number, compare, number_problem, run_cases

_HUGE_HINT = (
    "logit 为 ±1000 时 np.exp 会上溢（exp(1000) = inf）或下溢成 0：先减去每一行的最大值，"
    "对数概率用 log-sum-exp：log ŷ_k = (o_k - m) - log Σ_k' exp(o_k' - m)。"
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


_ROW_MAX_HINT = (
    "每一行要减去它自己的最大值（o.max(axis=1, keepdims=True)），不是整个批量的最大值 o.max()："
    "两行的尺度相差很大时（如 [[1000, 0], [0, -1]]），减去全局最大值会让第二行全部下溢成 0，得到 0/0。"
)

# rows far apart: one row's max says nothing about another's (batch-max subtraction gives 0/0)
_FAR_ROWS = np.array([[1000.0, 0.0], [0.0, -1.0]])


def _scaled_rows(seed: int, n: int, k: int) -> tuple[np.ndarray, np.ndarray]:
    """Random logits whose rows live at very different offsets and scales (0.1 to 200).

    Rounded to multiples of 1/256, so they are exact in float32 too: a right answer
    computed in float32 (``torch.Tensor(o)``) loses no digits to its input.
    """
    rng = np.random.default_rng(seed)
    offsets = rng.choice([-900.0, -300.0, 0.0, 300.0, 900.0], size=(n, 1))
    scales = rng.choice([0.1, 1.0, 10.0, 200.0], size=(n, 1))
    logits = np.round((offsets + scales * rng.normal(size=(n, k))) * 256) / 256
    return logits, rng.integers(0, k, size=n)


def check_softmax(fn: Callable, strict: bool = False) -> CheckResult:
    """Chapter 4 exercise: fn(logits) -> softmax of each row of an (n x k) array, stable for huge logits."""
    big = np.array([[1000.0, 0.0, -1000.0]])
    tiny = np.array([[-1000.0, -1001.0, -1002.0]])
    two_rows = np.array([[1.0, 2.0, 3.0], [1.0, 1.0, 5.0]])
    random_logits, _ = _batch(0, 5, 4)
    ties = np.array([[5.0, 5.0, 1.0], [-2.0, 7.0, 7.0]])
    square, _ = _batch(3, 4, 4)
    scaled, _ = _scaled_rows(10, 40, 5)
    cases = [
        Case("一行 logit [1, 2, 3]", args=(np.array([[1.0, 2.0, 3.0]]),),
             expected=torch.softmax(_t([[1.0, 2.0, 3.0]]), dim=1).numpy(),
             hint="softmax(o)_k = exp(o_k) / Σ_k' exp(o_k')，每一行的和是 1。"),
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
        Case("两行尺度相差很大：[[1000, 0], [0, -1]]", args=(_FAR_ROWS.copy(),),
             expected=torch.softmax(_t(_FAR_ROWS), dim=1).numpy(), hint=_ROW_MAX_HINT),
        Case("并列最大的 logit [[5, 5, 1], [-2, 7, 7]]", args=(ties,),
             expected=torch.softmax(_t(ties), dim=1).numpy(),
             hint="最大值并列时也只减去最大值本身；概率要对整行归一化。"),
        Case("4 × 4 的随机 logit（方阵：axis 写错也不会报错）", args=(square,),
             expected=torch.softmax(_t(square), dim=1).numpy(),
             hint="o.max(axis=1) 要加 keepdims=True，否则 (n,) 会沿错误的方向广播。"),
        Case("40 行随机 logit，每行的位置和尺度都不同", args=(scaled,),
             expected=torch.softmax(_t(scaled), dim=1).numpy(), hint=_ROW_MAX_HINT),
    ]
    return run_cases(_float_errors_raise(fn), cases, strict=strict)


def _scalar_close(want: float) -> Callable[[object], str | None]:
    """A Case.check: the result must be one number (not one loss per sample) close to ``want``."""

    def check(result) -> str | None:
        got = as_number(result)
        if got is None:
            return number_problem(result) + "。要的是整个批量的平均损失（one number: the mean loss）"
        return compare(got, want)

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
    scaled, scaled_labels = _scaled_rows(11, 40, 5)
    square, square_labels = _batch(4, 4, 4)
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
        Case("两行尺度相差很大：[[1000, 0], [0, -1]]，真实类别 1 和 0", args=(_FAR_ROWS.copy(), np.array([1, 0])),
             check=expected(_FAR_ROWS, [1, 0]), hint=_ROW_MAX_HINT),
        Case("4 × 4 的随机 logit（方阵：axis 写错也不会报错）", args=(square, square_labels),
             check=expected(square, square_labels),
             hint="沿类别这一维（axis=1，keepdims=True）求最大值和 log-sum-exp。"),
        Case("40 行随机 logit，每行的位置和尺度都不同", args=(scaled, scaled_labels),
             check=expected(scaled, scaled_labels), hint=_ROW_MAX_HINT),
    ]
    return run_cases(_float_errors_raise(fn), cases, strict=strict)


def check_one_hot(fn: Callable, strict: bool = False) -> CheckResult:
    """Chapter 4 exercise: fn(labels, num_classes) -> (n x num_classes) one-hot matrix of 0.0 and 1.0 (int or float)."""
    random_labels = np.random.default_rng(5).integers(0, 7, size=60)
    cases = [
        Case("猫、狗、鸡 = [0, 2, 1]，3 个类别", args=(np.array([0, 2, 1]), 3),
             expected=np.array([[1.0, 0, 0], [0, 0, 1], [0, 1, 0]]),
             hint="第 i 行只有第 labels[i] 列是 1，其余是 0；np.eye(num_classes)[labels] 一行就够。"),
        Case("标签 [3, 3]，但一共有 5 个类别", args=(np.array([3, 3]), 5),
             expected=np.array([[0.0, 0, 0, 1, 0], [0, 0, 0, 1, 0]]),
             hint="列数是 num_classes，不是 labels.max() + 1。"),
        Case("10 个数字 0..9", args=(np.arange(10), 10), expected=np.eye(10)),
        Case("打乱的 60 个标签，7 个类别", args=(random_labels, 7), expected=np.eye(7)[random_labels],
             hint="行对应样本，列对应类别：形状是 (n, num_classes)，不要转置。"),
        Case("只有一个类别：标签全是 0", args=(np.zeros(4, dtype=int), 1), expected=np.ones((4, 1))),
        Case("没有样本：空的标签数组，3 个类别", args=(np.array([], dtype=int), 3), expected=np.zeros((0, 3)),
             hint="n = 0 时返回形状 (0, num_classes) 的矩阵；不要用 labels.max()。"),
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
    scaled, scaled_labels = _scaled_rows(12, 40, 5)
    cases = [
        Case("一个样本 [2, 1, 0.1]，真实类别 1", args=(one, np.array([1])), expected=autograd_grad(one, [1]),
             hint="∂l/∂o = softmax(o) - y，y 是独热标签。"),
        Case("5 个样本的平均损失", args=(batch_logits, batch_labels),
             expected=autograd_grad(batch_logits, batch_labels),
             hint="损失是批量的平均值，所以梯度要除以样本数 n：(softmax(O) - Y) / n。"),
        Case("巨大的 logit ±1000", args=(big, np.array([0, 2])), expected=autograd_grad(big, [0, 2]),
             hint=_HUGE_HINT),
        Case("两行尺度相差很大：[[1000, 0], [0, -1]]", args=(_FAR_ROWS.copy(), np.array([1, 0])),
             expected=autograd_grad(_FAR_ROWS, [1, 0]), hint=_ROW_MAX_HINT),
        Case("40 行随机 logit，每行的位置和尺度都不同", args=(scaled, scaled_labels),
             expected=autograd_grad(scaled, scaled_labels), hint=_ROW_MAX_HINT),
    ]
    return run_cases(_float_errors_raise(fn), cases, strict=strict)
