"""Chapter 3 (线性回归): the single-neuron drawing and the two interactive figures.

* ``draw_single_neuron``: linear regression as a network with one neuron;
* ``manual_fit_explorer``: w and b sliders, residuals, the loss surface and a loss readout;
* ``learning_rate_explorer``: learning rate (log scale), batch size and epochs -> loss curve
  and fitted line, with divergence reported in words;
"""

from __future__ import annotations

from typing import Any, Sequence

import matplotlib.pyplot as plt
import numpy as np
from matplotlib.figure import Figure

from ..interactive import Control, InteractiveFigure
from ..linear_regression import (
    as_features,
    as_targets,
    half_mse,
    least_squares,
    loss_grid,
    sgd_training_runs,
)
from ..plotting import PALETTE
# The explorers below call the shared check by its former local name.
from ..validation import check_increasing
from ..validation import check_positive_int

BLUE, ORANGE, GREEN, RED, PURPLE, SKY = PALETTE[:6]


def draw_single_neuron(num_inputs_shown: int = 3) -> Figure:
    """Chapter 3: inputs x1 … xd, one output neuron o1, arrows labelled with the weights."""
    num_inputs_shown = check_positive_int(num_inputs_shown, "num_inputs_shown")
    if num_inputs_shown > 6:
        raise ValueError(
            f"num_inputs_shown 不能超过 6 (num_inputs_shown cannot exceed 6), got {num_inputs_shown}"
        )
    labels = [str(i + 1) for i in range(num_inputs_shown - 1)] + ["d"]
    rows = num_inputs_shown + (1 if num_inputs_shown > 1 else 0)  # one row for the dots
    ys = np.linspace(rows - 1, 0, rows) - (rows - 1) / 2
    input_ys = list(ys[:-2]) + [ys[-1]] if num_inputs_shown > 1 else list(ys)
    fig, ax = plt.subplots(figsize=(5.4, 5.2))
    top = ys.max() + 0.75
    ax.set_xlim(-1.0, 5.2)
    ax.set_ylim(ys.min() - 1.6, top + 0.9)
    ax.set_aspect("equal")
    ax.axis("off")
    out = (3.0, 0.0)
    radius = 0.38
    for label, y in zip(labels, input_ys):
        ax.add_patch(plt.Circle((0, y), radius, facecolor="#CDE9F8", edgecolor=BLUE, lw=1.5))
        ax.text(0, y, f"$x_{{{label}}}$", ha="center", va="center", fontsize=14)
        direction = np.array([out[0], out[1] - y])
        unit = direction / np.linalg.norm(direction)
        start = np.array([0, y]) + unit * radius
        end = np.array(out) - unit * (radius + 0.05)
        ax.annotate("", xy=end, xytext=start,
                    arrowprops=dict(arrowstyle="-|>", color="#444444", lw=1.3, mutation_scale=14))
        # The weight sits just above its arrow, a third of the way along.
        normal = np.array([-unit[1], unit[0]])
        where = start + 0.33 * (end - start) + 0.22 * normal
        ax.text(where[0], where[1], f"$w_{{{label}}}$", ha="center", va="center", fontsize=13, color=ORANGE)
    if num_inputs_shown > 1:
        ax.text(0, ys[-2], "⋮", ha="center", va="center", fontsize=20)
    ax.add_patch(plt.Circle(out, radius, facecolor="#F7DDA6", edgecolor=ORANGE, lw=1.8))
    ax.text(*out, "$o_1$", ha="center", va="center", fontsize=14)
    ax.annotate("", xy=(out[0] + 1.3, 0), xytext=(out[0] + radius, 0),
                arrowprops=dict(arrowstyle="-|>", color="#444444", lw=1.3, mutation_scale=14))
    ax.text(out[0] + 1.4, 0, r"$\hat{y}$", ha="left", va="center", fontsize=15)
    ax.text(out[0], -radius - 0.15, "偏置 $b$", ha="center", va="top", fontsize=11, color=ORANGE)
    ax.text(0, top, "输入层（d 个输入）", ha="center", va="bottom", fontsize=11)
    ax.text(out[0], top, "输出层（1 个神经元）", ha="center", va="bottom", fontsize=11)
    ax.text(2.1, ys.min() - 1.0, r"$o_1 = w_1x_1 + w_2x_2 + \cdots + w_dx_d + b$", ha="center", va="center",
            fontsize=13)
    return fig


def manual_fit_explorer(x: Any, y: Any, ws: Sequence[float], bs: Sequence[float],
                        default: tuple[float, float] | None = None) -> InteractiveFigure:
    """Chapter 3: 'fit the line by hand' with w and b sliders: residuals, loss contour, loss readout."""
    x = as_features(x, "x")
    if x.shape[1] != 1:
        raise ValueError(f"x 必须只有一个特征 (x must have a single feature), got shape {x.shape}")
    x = x[:, 0]
    y = as_targets(y, len(x))
    ws, bs = check_increasing(ws, "ws"), check_increasing(bs, "bs")
    (w_star,), b_star = least_squares(x, y)
    best = half_mse(x, y, [w_star], b_star)
    grid_best = float(loss_grid(x, y, ws, bs).min())  # the optimum is rarely on the sliders' grid
    default = default or (ws[len(ws) // 4], bs[len(bs) // 4])

    x_pad = 0.1 * (x.max() - x.min())
    x_line = np.array([x.min() - x_pad, x.max() + x_pad])
    y_pad = 0.35 * (y.max() - y.min())
    y_lim = (min(0.0, y.min() - y_pad), y.max() + y_pad)
    w_step, b_step = ws[1] - ws[0], bs[1] - bs[0]
    w_lim = (ws[0] - w_step, ws[-1] + w_step)
    b_lim = (bs[0] - b_step, bs[-1] + b_step)

    fig = InteractiveFigure([
        Control("w", "斜率 w", ws, default=default[0]),
        Control("b", "截距 b", bs, default=default[1]),
    ], title="手动拟合：能把损失调到多小？")

    def background() -> Figure:
        figure, (ax_data, ax_loss) = plt.subplots(1, 2, figsize=(8, 3.6))
        ax_data.scatter(x, y, s=22, color=BLUE, zorder=3, label="样本")
        ax_data.set_xlim(*x_line)
        ax_data.set_ylim(*y_lim)
        ax_data.set_xlabel("面积（百平方米）")
        ax_data.set_ylabel("房价（百万元）")
        ax_data.set_title("数据、你的直线（黑）与残差（红）")
        grid_w = np.linspace(*w_lim, 161)
        grid_b = np.linspace(*b_lim, 161)
        surface = loss_grid(x, y, grid_w, grid_b)
        levels = best * np.geomspace(1.05, surface.max() / best, 14)
        contours = ax_loss.contour(grid_w, grid_b, surface, levels=levels, cmap="viridis", linewidths=1)
        ax_loss.clabel(contours, contours.levels[::3], fmt="%.2g", fontsize=8)
        ax_loss.plot([w_star], [b_star], marker="*", ms=14, color=GREEN, ls="none", label="最优 (w*, b*)")
        ax_loss.set_xlim(*w_lim)
        ax_loss.set_ylim(*b_lim)
        ax_loss.set_xlabel("斜率 w")
        ax_loss.set_ylabel("截距 b")
        ax_loss.set_title("损失 L(w, b) 的等高线")
        ax_loss.legend(loc="upper right", fontsize=9)
        return figure

    base = fig.image(background)

    def marks(canvas, w: float, b: float) -> None:
        # The readout is SVG text in the figure (not an html panel): one light frame per (w, b).
        fitted = w * x + b
        loss = half_mse(x, y, [w], b)
        ratio = loss / best
        if ratio < 1.05:
            verdict, color = "✓ 几乎就是最优直线", GREEN
        elif loss <= grid_best * (1 + 1e-9):
            verdict, color = "✓ 滑块能到的最低点了", GREEN
        elif ratio < 2:
            verdict, color = "很接近了，再微调", ORANGE
        else:
            verdict, color = "还差得远：看红色残差", RED
        canvas.use_axes(0)
        canvas.segments(x, y, x, fitted, color=RED, width=1.6)
        canvas.line(x_line, w * x_line + b, color="#000000", width=2.2)
        canvas.note(0, 1, f"ŷ = {w:g}·x + {b:g}", dx=6, dy=20, font_size=15)
        canvas.use_axes(1)
        canvas.points([w], [b], color=RED, radius=6, shape="o")
        canvas.note(0, 1, f"L(w, b) = {loss:.4f}", dx=6, dy=20, font_size=15, bold=True)
        canvas.note(0, 1, f"是最小值的 {ratio:.2f} 倍", dx=6, dy=40, font_size=14)
        canvas.note(0, 1, verdict, dx=6, dy=60, font_size=14, color=color, bold=True)

    fig.overlay(base, marks)
    return fig


def _status(runs, index: int, epochs: int, best: float) -> tuple[str, str]:
    """A one-line verdict on run ``index`` after ``epochs`` epochs, and its colour."""
    last_step = epochs * runs.steps_per_epoch
    diverged_at = int(runs.diverged_at[index])
    if 0 <= diverged_at <= last_step:
        return "学习率过大：损失发散", RED
    loss = runs.losses[index, last_step]
    if loss > runs.losses[index, 0]:
        return "学习率过大：损失在增大，即将发散", RED
    if loss < 1.1 * best:
        return "已接近最优（解析解）", GREEN
    if runs.losses[index, :last_step + 1].min() < 1.1 * best:
        return "在最优附近来回抖动：小批量的梯度有噪声", ORANGE
    return "还没到最优：学习率太小，或轮数太少", ORANGE


def learning_rate_explorer(x: Any, y: Any, learning_rates: Sequence[float], batch_sizes: Sequence[int],
                           epoch_options: Sequence[int], default_lr: float | None = None,
                           seed: int = 0) -> InteractiveFigure:
    """Chapter 3: learning rate (log scale), batch size and epochs -> loss curve and fitted line."""
    x = as_features(x, "x")
    if x.shape[1] != 1:
        raise ValueError(f"x 必须只有一个特征 (x must have a single feature), got shape {x.shape}")
    x = x[:, 0]
    y = as_targets(y, len(x))
    rates = check_increasing(learning_rates, "learning_rates")
    batch_sizes = [check_positive_int(b, "batch_size") for b in batch_sizes]
    epoch_options = [check_positive_int(e, "epochs") for e in epoch_options]
    check_increasing(batch_sizes, "batch_sizes")
    check_increasing(epoch_options, "epoch_options")
    max_epochs = epoch_options[-1]
    runs = {bs: sgd_training_runs(x[:, None], y, rates, bs, max_epochs, seed=seed) for bs in batch_sizes}
    (w_star,), b_star = least_squares(x, y)
    best = half_mse(x, y, [w_star], b_star)
    start = half_mse(x, y, [0.0], 0.0)
    loss_lim = (best / 2, start * 50)

    x_pad = 0.1 * (x.max() - x.min())
    x_line = np.array([x.min() - x_pad, x.max() + x_pad])
    y_pad = 0.35 * (y.max() - y.min())
    y_lim = (min(0.0, y.min() - y_pad), y.max() + y_pad)

    batch_labels = [(f"{bs}（全批量）" if bs == len(x) else str(bs), bs) for bs in batch_sizes]
    fig = InteractiveFigure([
        Control("lr", "学习率 η（对数刻度）", rates, default=default_lr if default_lr is not None else rates[len(rates) // 2]),
        Control("batch_size", "批量大小", batch_labels, default=batch_sizes[min(1, len(batch_sizes) - 1)],
                kind="toggle"),
        Control("epochs", "训练轮数", epoch_options, default=epoch_options[len(epoch_options) // 2]),
    ], title="学习率、批量大小和轮数如何影响训练？")

    def background(epochs: int) -> Figure:
        figure, (ax_loss, ax_fit) = plt.subplots(1, 2, figsize=(8, 3.6))
        ax_loss.set_yscale("log")
        ax_loss.set_xlim(0, epochs)
        ax_loss.set_ylim(*loss_lim)
        # The reference lines are labelled where they end, so no legend hides the curve.
        ax_loss.axhline(best, color=GREEN, ls="--", lw=1.2)
        ax_loss.text(epochs, best * 1.15, f"最小损失 {best:.3f}（解析解）", color=GREEN, ha="right", va="bottom",
                     fontsize=9)
        ax_loss.axhline(start, color="#888888", ls=":", lw=1.2)
        ax_loss.text(epochs, start * 1.15, f"初始损失 {start:.2f}（w = b = 0）", color="#555555", ha="right",
                     va="bottom", fontsize=9)
        ax_loss.set_xlabel("训练轮数（epoch）")
        ax_loss.set_ylabel("全部样本上的损失 L（对数刻度）")
        ax_loss.set_title("损失曲线")
        ax_fit.scatter(x, y, s=22, color=BLUE, zorder=3)
        ax_fit.plot(x_line, w_star * x_line + b_star, color=GREEN, ls="--", lw=1.5, label="解析解的直线")
        ax_fit.plot([], [], color=ORANGE, lw=2.5, label="SGD 训练得到的直线")
        ax_fit.set_xlim(*x_line)
        ax_fit.set_ylim(*y_lim)
        ax_fit.set_xlabel("面积（百平方米）")
        ax_fit.set_ylabel("房价（百万元）")
        ax_fit.set_title(f"训练 {epochs} 轮后的直线")
        ax_fit.legend(loc="upper left", fontsize=9)
        return figure

    base = fig.image(background)

    def marks(canvas, lr_index: int, batch_size: int, epochs: int) -> None:
        run = runs[batch_size]
        i = lr_index
        last_step = epochs * run.steps_per_epoch
        diverged_at = int(run.diverged_at[i])
        end = last_step if not 0 <= diverged_at <= last_step else diverged_at - 1
        steps = np.unique(np.linspace(0, end, min(end + 1, 300)).round().astype(int))
        curve_x = list(steps / run.steps_per_epoch)
        curve_y = list(np.clip(run.losses[i, steps], loss_lim[0], None))
        message, color = _status(run, i, epochs, best)
        canvas.use_axes(0)
        if end < last_step:  # diverged: the curve leaves the plot upwards
            curve_x.append(diverged_at / run.steps_per_epoch)
            curve_y.append(loss_lim[1] * 10)
        canvas.line(curve_x, curve_y, color=ORANGE, width=2)
        canvas.note(0, 1, message, color=color, font_size=15, bold=True, dx=6, dy=20)
        canvas.use_axes(1)
        if end < last_step:
            canvas.note(0.5, 0.5, "参数已发散，画不出直线", anchor="middle", color=RED,
                        font_size=15, bold=True)
        else:
            w, b = run.weights[i, epochs, 0], run.biases[i, epochs]
            canvas.line(x_line, w * x_line + b, color=ORANGE, width=2.5)

    fig.overlay(base, marks)

    def readout(lr_index: int, batch_size: int, epochs: int) -> str:
        run = runs[batch_size]
        i = lr_index
        message, color = _status(run, i, epochs, best)
        last_step = epochs * run.steps_per_epoch
        diverged_at = int(run.diverged_at[i])
        lines = [f"<b style='color:{color}'>{message}</b>",
                 f"每轮 {run.steps_per_epoch} 步，共 {last_step} 步参数更新"]
        if 0 <= diverged_at <= last_step:
            lines.append(f"第 {diverged_at} 步时损失已超过初始值的 1 万倍（或溢出），训练停止。")
        else:
            loss = run.losses[i, last_step]
            w, b = run.weights[i, epochs, 0], run.biases[i, epochs]
            lines += [f"损失 L = <b>{loss:.4f}</b>（最小 {best:.4f}）",
                      f"w = {w:.3f}（w* = {w_star:.3f}）", f"b = {b:.3f}（b* = {b_star:.3f}）"]
        if batch_size == 1:
            lines.append("<span style='color:#555'>批量为 1：每步只看一个样本，曲线抖得厉害。</span>")
        elif batch_size == len(x):
            lines.append("<span style='color:#555'>全批量：每轮只走一步，曲线平滑但走得慢。</span>")
        return "<div style='font-size:14px;line-height:1.7'>" + "<br>".join(lines) + "</div>"

    fig.html(readout)
    return fig
