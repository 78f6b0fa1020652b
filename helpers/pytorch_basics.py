"""Chapter 8 (PyTorch 基础): broadcasting shapes, parameter counts, timing and autograd examples.

    broadcast_shape          8.2  the result shape of an elementwise operation, or a bilingual error
    broadcast_rule_rows      8.2  the rule applied axis by axis (rows of the chapter's shape table)
    parameters_by_layer      8.4  (name, shape, count) of each parameter tensor
                                  (the totals: helpers.comparison.count_parameters, linear_numbers)
    best_time                8.1  the shortest of a few timed calls (a fair loop-vs-vectorised ratio)
    FUNCTIONS                8.3  the functions of the autograd explorer, each with its derivative
    value_and_grad           8.3  f(x) and df/dx at one point by autograd
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from numbers import Integral
from typing import Any, Callable

import numpy as np
import torch
from torch import nn

from .mlp import activation_derivative
from .timing import call_times
from .validation import check_choice, check_finite_number, check_module


# -- broadcasting -------------------------------------------------------------------------------------
def _as_shape(shape: Any, name: str) -> tuple[int, ...]:
    """``shape`` (a tuple, list or torch.Size of non-negative integers) as a tuple of ints."""
    if isinstance(shape, (str, bytes)) or not isinstance(shape, (tuple, list, torch.Size)):
        raise ValueError(f"{name} 必须是由非负整数组成的形状，例如 (3, 1) ({name} must be a shape: a tuple "
                         f"of non-negative integers such as (3, 1)), got {shape!r}")
    dims = []
    for size in shape:
        if isinstance(size, bool) or not isinstance(size, (Integral, np.integer)) or size < 0:
            raise ValueError(f"{name} 的每一维必须是非负整数 (every size in {name} must be a non-negative "
                             f"integer), got {shape!r}")
        dims.append(int(size))
    return tuple(dims)


def broadcast_rule_rows(shape_a: Any, shape_b: Any) -> list[tuple[int, str, str, str]]:
    """Chapter 8: the broadcasting rule axis by axis, aligned on the right.

    One row per axis of the result, the leftmost first: (axis counted from the right, 1 = the
    last; size in a, size in b, the result's size or "✗"). A missing axis is shown as "—" (it
    counts as size 1).
    """
    a, b = _as_shape(shape_a, "shape_a"), _as_shape(shape_b, "shape_b")
    n = max(len(a), len(b))
    rows = []
    for axis in range(n, 0, -1):
        size_a = a[-axis] if axis <= len(a) else None
        size_b = b[-axis] if axis <= len(b) else None
        da, db = 1 if size_a is None else size_a, 1 if size_b is None else size_b
        if da == db or db == 1:
            result = str(da)
        elif da == 1:
            result = str(db)
        else:
            result = "✗"
        rows.append((axis, "—" if size_a is None else str(size_a), "—" if size_b is None else str(size_b),
                     result))
    return rows


def broadcast_shape(shape_a: Any, shape_b: Any) -> tuple[int, ...]:
    """Chapter 8: the shape of ``a + b`` for tensors of these shapes (NumPy's and PyTorch's rule).

    Align the shapes on the right, pad the shorter one with 1s on the left; on every axis
    the sizes must be equal or one of them 1 (which is stretched). A ValueError in Chinese
    and English names the first axis where neither holds.
    """
    rows = broadcast_rule_rows(shape_a, shape_b)
    for axis, size_a, size_b, result in rows:
        if result == "✗":
            raise ValueError(
                f"形状 {tuple(shape_a)} 和 {tuple(shape_b)} 不能广播：从右数第 {axis} 维是 {size_a} 对 {size_b}，"
                f"既不相等也没有一个是 1 (shapes {tuple(shape_a)} and {tuple(shape_b)} do not broadcast: "
                f"axis {axis} from the right has sizes {size_a} and {size_b}, neither equal nor 1)"
            )
    return tuple(int(result) for _, _, _, result in rows)


# -- parameters ---------------------------------------------------------------------------------------
def parameters_by_layer(model: nn.Module) -> list[tuple[str, tuple[int, ...], int]]:
    """Chapter 8: (name, shape, number of entries) of each parameter tensor of ``model``."""
    return [(name, tuple(p.shape), p.numel()) for name, p in check_module(model).named_parameters()]


# -- timing -------------------------------------------------------------------------------------------
def best_time(fn: Callable[[], Any], repeats: int = 5) -> float:
    """Chapter 8: the shortest wall time (s) of ``repeats`` calls of ``fn()``.

    The minimum, not the mean: other programs on a shared machine only ever add time,
    so the fastest run is the best estimate of what the code itself costs.
    """
    return float(call_times(fn, repeats).min())


# -- the autograd explorer's functions ---------------------------------------------------------------
@dataclass(frozen=True)
class ExampleFunction:
    """One function of the autograd explorer: torch code, its derivative by hand, both as formulas."""

    label: str
    formula: str              # f(x) as the figure writes it (matplotlib mathtext)
    derivative_formula: str   # f'(x), the same way
    torch_fn: Callable[[torch.Tensor], torch.Tensor]
    derivative: Callable[[float], float]
    ylim: tuple[float, float]


def _chapter_5_derivative(activation: str) -> Callable[[float], float]:
    """The derivative of an activation by its formula, as chapter 5 writes it
    (``helpers.mlp.activation_derivative``; ReLU's at 0 taken to be 0, as in PyTorch)."""
    return lambda x: float(activation_derivative(activation, x))


#: The functions of the autograd explorer (chapter 8), by key.
FUNCTIONS: dict[str, ExampleFunction] = {
    "square": ExampleFunction("x²", r"$x^2$", r"$2x$", lambda x: x ** 2, lambda x: 2 * x, (-1.0, 10.0)),
    "cubic": ExampleFunction("x³ − 2x", r"$x^3 - 2x$", r"$3x^2 - 2$", lambda x: x ** 3 - 2 * x,
                             lambda x: 3 * x ** 2 - 2, (-12.0, 22.0)),
    "sin": ExampleFunction("sin x", r"$\sin x$", r"$\cos x$", torch.sin, math.cos, (-1.6, 1.6)),
    "exp": ExampleFunction("eˣ", r"$e^x$", r"$e^x$", torch.exp, math.exp, (-1.0, 21.0)),
    "relu": ExampleFunction("ReLU", r"$\max(0, x)$", r"$1\ (x>0),\ 0\ (x<0)$", torch.relu,
                            _chapter_5_derivative("relu"), (-0.6, 3.4)),
    "sigmoid": ExampleFunction("sigmoid", r"$1/(1+e^{-x})$", r"$\mathrm{sigmoid}(x)(1-\mathrm{sigmoid}(x))$",
                               torch.sigmoid, _chapter_5_derivative("sigmoid"), (-0.25, 1.25)),
}


def value_and_grad(name: str, x: Any) -> tuple[float, float]:
    """Chapter 8: f(x) and f'(x) for ``FUNCTIONS[name]`` at ``x``, the derivative by autograd."""
    name = check_choice(name, "name", tuple(FUNCTIONS))
    point = torch.tensor(check_finite_number(x, "x"), dtype=torch.float64, requires_grad=True)
    y = FUNCTIONS[name].torch_fn(point)
    y.backward()
    return float(y.detach()), float(point.grad)


def analytic_derivative(name: str, x: Any) -> float:
    """Chapter 8: f'(x) for ``FUNCTIONS[name]`` from its formula (ReLU: 0 at x = 0, as PyTorch)."""
    name = check_choice(name, "name", tuple(FUNCTIONS))
    return float(FUNCTIONS[name].derivative(check_finite_number(x, "x")))


def grid(start: float, stop: float, step: float) -> list[float]:
    """Chapter 8: start, start + step, …, stop rounded to 2 decimals (the explorer's slider values)."""
    if not (math.isfinite(start) and math.isfinite(stop) and math.isfinite(step)) or step <= 0 or stop < start:
        raise ValueError(f"需要 start ≤ stop 且 step > 0 (need start <= stop and step > 0), "
                         f"got {start}, {stop}, {step}")
    n = int(round((stop - start) / step))
    return [round(start + i * step, 2) for i in range(n + 1)]

