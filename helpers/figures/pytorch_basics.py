"""Chapter 8 (PyTorch 基础): interactive figures.

    autograd_explorer     8.3  a function and a point x -> the curve, f(x), the autograd gradient, the tangent
    broadcast_explorer    8.2  two shapes -> the stretched operands and the result's shape (or why none)
"""

from __future__ import annotations

from typing import Any, Sequence

import matplotlib.pyplot as plt
import numpy as np
import torch
from matplotlib.figure import Figure

from ..interactive import Control, InteractiveFigure
from ..plotting import PALETTE
from ..pytorch_basics import FUNCTIONS, analytic_derivative, broadcast_rule_rows, grid, value_and_grad
from ..validation import as_list

BLUE, ORANGE, GREEN, RED = PALETTE[0], PALETTE[1], PALETTE[2], PALETTE[3]
#: x from −2.5 to 3 in steps of 0.25: the source's x = 3 is on the slider.
X_VALUES: list[float] = grid(-2.5, 3.0, 0.25)
X_LIMITS = (-2.75, 3.25)


# -- autograd: value, gradient and tangent --------------------------------------------------------
def draw_function(name: str) -> Figure:
    """Chapter 8: the curve of ``FUNCTIONS[name]`` on the explorer's fixed axes."""
    spec = FUNCTIONS[name]
    xs = torch.linspace(*X_LIMITS, 301, dtype=torch.float64)
    fig, ax = plt.subplots(figsize=(6.4, 3.9), layout="none")
    fig.subplots_adjust(left=0.1, right=0.98, bottom=0.13, top=0.9)
    ax.plot(xs.numpy(), spec.torch_fn(xs).numpy(), color=BLUE, lw=2)
    ax.axhline(0, color="#888888", lw=0.8)
    ax.axvline(0, color="#888888", lw=0.8)
    ax.set_xlim(*X_LIMITS)
    ax.set_ylim(*spec.ylim)
    ax.set_xlabel("x")
    ax.set_ylabel("f(x)")
    ax.set_title(f"f(x) = {spec.formula}，解析导数 f′(x) = {spec.derivative_formula}", fontsize=11)
    return fig


def _draw_point_and_tangent(canvas: Any, function: str, x: float) -> None:
    value, slope = value_and_grad(function, x)
    by_hand = analytic_derivative(function, x)
    ts = np.array([x - 1.5, x + 1.5])
    canvas.line(ts, value + slope * (ts - x), color=ORANGE, width=2.5)
    canvas.points([x], [value], color=RED, radius=6)
    canvas.note(0.02, 0.93, f"x = {x:.2f}　f(x) = {value:.3f}", font_size=13)
    canvas.note(0.02, 0.84, f"自动求导：f′(x) = {slope:.3f}（切线的斜率）", color=ORANGE, font_size=13)
    agree = "✓ 一致" if abs(slope - by_hand) <= 1e-9 * max(1.0, abs(by_hand)) else "✗ 不一致"
    canvas.note(0.02, 0.75, f"解析导数：{by_hand:.3f}　{agree}", color=GREEN, font_size=13)
    if function == "relu" and x == 0:
        canvas.note(0.02, 0.66, "ReLU 在 0 处没有导数，PyTorch 约定取 0", color=RED, font_size=13)


def autograd_explorer(default_function: str = "square", default_x: float = 3.0) -> InteractiveFigure:
    """Chapter 8: pick a function and x -> the curve, the point, f(x), the autograd slope and the tangent."""
    if default_function not in FUNCTIONS:
        raise ValueError(f"default_function 必须是 {tuple(FUNCTIONS)} 之一 (default_function must be one of "
                         f"{tuple(FUNCTIONS)}), got {default_function!r}")
    if not any(abs(default_x - v) < 1e-12 for v in X_VALUES):
        raise ValueError(f"default_x 必须是滑块上的值 {X_VALUES[0]}…{X_VALUES[-1]}（步长 0.25） "
                         f"(default_x must be a slider value), got {default_x!r}")
    fig = InteractiveFigure([
        Control("function", "函数", [(spec.label, key) for key, spec in FUNCTIONS.items()],
                default=default_function, kind="toggle"),
        Control("x", "x", X_VALUES, default=float(default_x)),
    ], title="自动求导算出的导数，就是切线的斜率")
    base = fig.image(lambda function: draw_function(function))
    fig.overlay(base, _draw_point_and_tangent)
    return fig


# -- broadcasting --------------------------------------------------------------------------------------
#: The shapes the broadcasting explorer offers (each at most 3 x 4, drawn as a grid).
BROADCAST_SHAPES: list[tuple[int, ...]] = [(3, 4), (3, 1), (1, 4), (4,), (3,), (1,)]
_CELL = 0.8          # side of a drawn cell, in data units
_PANEL_X = (0.3, 6.0, 11.7)   # left edge of the a, b and result panels


def _as_2d(shape: tuple[int, ...]) -> tuple[int, int]:
    """A shape of at most two axes, padded with 1s on the left (what broadcasting does)."""
    padded = (1,) * (2 - len(shape)) + tuple(shape)
    return padded[0], padded[1]


def _example_values(shape: tuple[int, ...], scale: int) -> np.ndarray:
    rows, cols = _as_2d(shape)
    return (np.arange(rows * cols).reshape(rows, cols) + 1) * scale


def _draw_grid(canvas: Any, left: float, values: np.ndarray, shape_out: tuple[int, int], color: str,
               label: str) -> None:
    """The entries of ``values`` in strong colour, their stretched copies (up to ``shape_out``) pale."""
    rows, cols = shape_out
    top = 4.1
    for i in range(rows):
        for j in range(cols):
            own = i < values.shape[0] and j < values.shape[1]
            value = values[min(i, values.shape[0] - 1), min(j, values.shape[1] - 1)]
            x0, y1 = left + j * _CELL, top - i * _CELL
            canvas.rect(x0, y1 - _CELL, x0 + _CELL, y1, color="#555555" if own else "#BBBBBB", fill=color,
                        fill_opacity=0.55 if own else 0.15, width=1.2 if own else 0.8)
            canvas.text(x0 + _CELL / 2, y1 - _CELL / 2, str(int(value)), font_size=12,
                        color="black" if own else "#888888", dy=4)
    canvas.text(left + 1.6, 1.2, label, font_size=12)


def _draw_broadcast(canvas: Any, shape_a: tuple[int, ...], shape_b: tuple[int, ...]) -> None:
    a, b = _example_values(shape_a, 1), _example_values(shape_b, 10)
    rows = broadcast_rule_rows(shape_a, shape_b)
    failed = [r for r in rows if r[3] == "✗"]
    canvas.text(5.35, 2.5, "+", font_size=22)
    canvas.text(11.05, 2.5, "=", font_size=22)
    if failed:
        _draw_grid(canvas, _PANEL_X[0], a, a.shape, BLUE, f"a：{shape_a}")
        _draw_grid(canvas, _PANEL_X[1], b, b.shape, ORANGE, f"b：{shape_b}")
        axis, size_a, size_b, _ = failed[-1]
        canvas.text(_PANEL_X[2] + 1.6, 3.0, "✗ 不能广播", color=RED, font_size=16)
        canvas.text(_PANEL_X[2] + 1.6, 2.2, f"从右数第 {axis} 维：{size_a} 对 {size_b}", color=RED, font_size=12)
        canvas.text(_PANEL_X[2] + 1.6, 1.6, "既不相等，也没有一个是 1", color=RED, font_size=12)
        return
    out = tuple(int(r[3]) for r in rows)
    out_2d = _as_2d(out)
    _draw_grid(canvas, _PANEL_X[0], a, out_2d, BLUE, f"a：{shape_a}")
    _draw_grid(canvas, _PANEL_X[1], b, out_2d, ORANGE, f"b：{shape_b}")
    total = np.broadcast_to(a, out_2d) + np.broadcast_to(b, out_2d)
    _draw_grid(canvas, _PANEL_X[2], total, out_2d, GREEN, f"a + b：{out}")


def _blank_broadcast_axes() -> Figure:
    fig, ax = plt.subplots(figsize=(8.6, 2.05), layout="none")
    fig.subplots_adjust(0, 0, 1, 1)
    ax.set_xlim(0, 15.3)
    ax.set_ylim(0.85, 4.3)
    ax.axis("off")
    return fig


def broadcast_explorer(shapes: Sequence[Any] | None = None) -> InteractiveFigure:
    """Chapter 8: pick the shapes of a and b -> both stretched to the result's shape, or why they do not fit."""
    shapes = BROADCAST_SHAPES if shapes is None else [tuple(s) for s in as_list(shapes, "shapes")]
    for shape in shapes:
        if len(shape) > 2 or any(not 1 <= s <= 4 for s in shape):
            raise ValueError(f"每个形状最多两维、每维 1 到 4 (every shape has at most 2 axes of size 1 to 4), "
                             f"got {shape}")
    options = [(str(s), s) for s in shapes]
    fig = InteractiveFigure([
        Control("shape_a", "a 的形状", options, default=shapes[0], kind="dropdown"),
        Control("shape_b", "b 的形状", options, default=shapes[min(2, len(shapes) - 1)], kind="dropdown"),
    ], title="广播：从右边对齐，长度为 1 的维被复制（浅色的格子）")
    base = fig.image(_blank_broadcast_axes)
    fig.overlay(base, _draw_broadcast)
    return fig
