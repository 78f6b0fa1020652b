"""Chapter 5 exercises: ReLU and its derivative, an MLP's forward pass, two linear layers made one.

The expected values come from PyTorch (``torch.relu`` and its autograd slope) and from
``helpers.mlp`` (checked against ``nn.Sequential`` in tests/test_mlp.py), in float64.
"""

from __future__ import annotations

from typing import Any, Callable

import numpy as np
import torch

from ..mlp import collapse_linear, mlp_forward
from ..validation import to_numpy
from ._core import Case, CheckResult, as_number, compare, run_cases


def _relu_slope(z: Any) -> np.ndarray:
    """dReLU/dz as autograd gives it (0 at z = 0)."""
    t = torch.as_tensor(np.asarray(z, dtype=np.float64)).requires_grad_(True)
    torch.relu(t).sum().backward()
    return t.grad.numpy()


def _as_numbers(result: Any) -> np.ndarray:
    """A result as a float array: booleans (a mask such as z > 0) count as 0 and 1."""
    array = to_numpy(result)
    return array.astype(np.float64) if array.dtype == bool else array


def _same_values(want: Any) -> Callable[[Any], str | None]:
    """A Case.check: the result has the shape and the values of ``want`` (a number if ``want`` is 0-d)."""
    want = np.asarray(want, dtype=np.float64)

    def check(result: Any) -> str | None:
        try:
            got = _as_numbers(result)
        except Exception:  # noqa: BLE001 - anything unconvertible is simply wrong
            return f"期望一个数组，得到 {type(result).__name__}"
        if want.ndim == 0:
            # One number in, one number out (a mask such as z > 0 of one number counts as 0 or 1).
            return compare(float(got) if got.ndim == 0 and got.dtype.kind in "iuf" else result, float(want))
        return compare(got, want)

    return check


_ZERO_HINT = "ReLU 在 z = 0 处不可导；本书和 PyTorch 一样取 0，即导数是 (z > 0)，不是 (z >= 0)。"


def check_relu(fn: Callable, strict: bool = False) -> CheckResult:
    """Chapter 5 exercise: fn(z) -> max(0, z) element by element, for an array (any shape) or one number."""
    rng = np.random.default_rng(50)
    mixed = np.array([-2.0, -0.5, 0.0, 0.5, 3.0])
    matrix = rng.normal(0, 2, size=(3, 4))
    cases = [
        Case("z = [-2, -0.5, 0, 0.5, 3]", args=(mixed,), check=_same_values(np.maximum(mixed, 0)),
             hint="ReLU(z) = max(0, z)：负数变 0，正数不变。np.maximum(z, 0) 逐元素取较大者。"),
        Case("全是负数：结果全是 0", args=(-np.arange(1.0, 6.0),), check=_same_values(np.zeros(5)),
             hint="负数要变成 0，不是取绝对值，也不是乘一个小斜率（那是 Leaky ReLU）。"),
        Case("大的正数原样保留：z = [10, 1000, 1e6]", args=(np.array([10.0, 1000.0, 1e6]),),
             check=_same_values([10.0, 1000.0, 1e6]), hint="ReLU 在正半轴是 y = z，没有上限（不要截断到 1）。"),
        Case("3 × 4 的矩阵：形状不变", args=(matrix,), check=_same_values(np.maximum(matrix, 0)),
             hint="逐元素计算，结果形状与 z 相同：np.max(z, 0) 是沿第 0 维求最大值，不是 ReLU；要用 np.maximum。"),
        Case("整数数组 [-3, 2]", args=(np.array([-3, 2]),), check=_same_values([0.0, 2.0])),
        Case("一个数 z = -2.5", args=(np.float64(-2.5),), check=_same_values(0.0),
             hint="一个数也要能算：np.maximum(z, 0) 对数和数组都适用。"),
        Case("一个数 z = 1.5", args=(np.float64(1.5),), check=_same_values(1.5)),
    ]
    return run_cases(fn, cases, strict=strict)


def check_relu_grad(fn: Callable, strict: bool = False) -> CheckResult:
    """Chapter 5 exercise: fn(z) -> dReLU/dz element by element (1 where z > 0, else 0), as autograd gives it."""
    rng = np.random.default_rng(51)
    mixed = np.array([-2.0, -0.5, 0.0, 0.5, 3.0])
    matrix = rng.normal(0, 2, size=(4, 3))
    matrix[1, 2] = 0.0
    cases = [
        Case("z = [-2, -0.5, 0, 0.5, 3]", args=(mixed,), check=_same_values(_relu_slope(mixed)),
             hint="z > 0 处斜率是 1，z < 0 处是 0。" + _ZERO_HINT),
        Case("z = 0 处取 0（与 PyTorch 相同）", args=(np.zeros(3),), check=_same_values(np.zeros(3)), hint=_ZERO_HINT),
        Case("大的正数：斜率仍是 1，不是 z", args=(np.array([10.0, 1000.0]),), check=_same_values([1.0, 1.0]),
             hint="导数是斜率，不是 ReLU 本身的值。"),
        Case("4 × 3 的矩阵（含一个 0）：形状不变", args=(matrix,), check=_same_values(_relu_slope(matrix)),
             hint="逐元素计算，结果形状与 z 相同。"),
        Case("一个数 z = -1.0", args=(np.float64(-1.0),), check=_same_values(0.0)),
        Case("一个数 z = 2.0", args=(np.float64(2.0),), check=_same_values(1.0)),
    ]
    return run_cases(fn, cases, strict=strict)


def _layers(rng: np.random.Generator, d: int, h: int, q: int, scale: float = 1.0) -> tuple[np.ndarray, ...]:
    return (rng.normal(0, scale, (d, h)), rng.normal(0, scale, h), rng.normal(0, scale, (h, q)),
            rng.normal(0, scale, q))


def _forward(X, W1, b1, W2, b2) -> np.ndarray:
    return mlp_forward(X, [W1, W2], [b1, b2], "relu").numpy()


def check_mlp_forward(fn: Callable, strict: bool = False) -> CheckResult:
    """Chapter 5 exercise: fn(X, W1, b1, W2, b2) -> O = ReLU(X W1 + b1) W2 + b2 (rows of W = inputs)."""
    rng = np.random.default_rng(52)
    X_hand = np.array([[1.0, -1.0], [0.5, 2.0]])
    hand = (np.array([[1.0, -1.0, 0.5], [2.0, 1.0, -1.0]]), np.array([0.0, 1.0, 0.0]),
            np.array([[1.0], [-1.0], [2.0]]), np.array([0.5]))
    X_rand = rng.normal(size=(5, 3))
    rand = _layers(rng, 3, 4, 2)
    # Many negative pre-activations and outputs: ReLU matters inside, must not act on O.
    X_neg = rng.normal(size=(6, 2))
    neg = (rng.normal(size=(2, 5)), rng.normal(-1.0, 0.5, 5), rng.normal(size=(5, 3)), np.array([-3.0, -2.0, -4.0]))
    X_sq = rng.normal(size=(4, 4))
    square = _layers(rng, 4, 4, 4)
    X_one = rng.normal(size=(1, 3))
    one = _layers(rng, 3, 6, 1)
    cases = [
        Case("手算的例子：2 个样本，d = 2，h = 3，q = 1", args=(X_hand, *hand), check=_same_values(_forward(X_hand, *hand)),
             hint="先算隐藏层 H = ReLU(X @ W1 + b1)，再算输出 O = H @ W2 + b2。"),
        Case("随机的 5 个样本：d = 3，h = 4，q = 2", args=(X_rand, *rand), check=_same_values(_forward(X_rand, *rand)),
             hint="W1 的形状是 (d, h)：行对应输入，所以是 X @ W1，不是 X @ W1.T。"),
        Case("很多隐藏单元的输入是负数：ReLU 要起作用", args=(X_neg, *neg), check=_same_values(_forward(X_neg, *neg)),
             hint="隐藏层要过 ReLU（np.maximum(…, 0)）；输出层 O 不过激活函数，可以是负数。"),
        Case("d = h = q = 4（方阵：转置写错也不会报错）", args=(X_sq, *square),
             check=_same_values(_forward(X_sq, *square)), hint="X @ W1 + b1，不是 X @ W1.T + b1；偏置要加上。"),
        Case("一个样本、一个输出", args=(X_one, *one), check=_same_values(_forward(X_one, *one)),
             hint="结果的形状是 (n, q)，这里是 (1, 1)。"),
    ]
    return run_cases(fn, cases, strict=strict)


def _pair_close(want_W: np.ndarray, want_b: np.ndarray) -> Callable[[Any], str | None]:
    """A Case.check: the result is a pair (W, b) equal to (want_W, want_b)."""

    def check(result: Any) -> str | None:
        if not isinstance(result, (tuple, list)) or len(result) != 2:
            return f"应返回两个值 (W, b)，得到 {type(result).__name__}（return the pair W, b）"
        problem = compare(result[0], want_W)
        if problem:
            return f"W 不对：{problem}"
        problem = compare(result[1], want_b)
        return f"b 不对：{problem}" if problem else None

    return check


def check_collapse(fn: Callable, strict: bool = False) -> CheckResult:
    """Chapter 5 exercise: fn(W1, b1, W2, b2) -> (W, b) with X W + b = (X W1 + b1) W2 + b2 for every X."""
    rng = np.random.default_rng(53)
    cases = []
    for description, d, h, q in (("d = 2，h = 3，q = 1", 2, 3, 1), ("d = 4，h = 6，q = 3", 4, 6, 3),
                                 ("d = h = q = 3（方阵：乘的顺序写反也不会报错）", 3, 3, 3)):
        W1, b1, W2, b2 = _layers(rng, d, h, q)
        W, b = collapse_linear([W1, W2], [b1, b2])
        cases.append(Case(description, args=(W1, b1, W2, b2), check=_pair_close(W.numpy(), b.numpy()),
                          hint="(X W1 + b1) W2 + b2 = X (W1 W2) + (b1 W2 + b2)：b1 也要乘上 W2。"))
    return run_cases(fn, cases, strict=strict)
