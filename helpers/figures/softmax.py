"""Chapter 4 (Softmax 回归): drawings and the interactive softmax / cross-entropy explorer.

    draw_toy_images        4.1  2x2 grey toy images with their pixel values
    draw_network           4.2  softmax regression as a one-layer network
    draw_neg_log_curve     4.4  the loss -log p of the true class's probability
    softmax_explorer       4.4  interactive: logits and temperature -> probabilities and loss
    draw_weight_templates  4.9  each class's weights (a column of W) as an 8x8 image

The chapter's digit images, training curves and confusion matrix are drawn by
``helpers.figures.common``, which later chapters share.
"""

from __future__ import annotations

from typing import Sequence

import matplotlib.pyplot as plt
import numpy as np
from matplotlib.figure import Figure
from matplotlib.patches import FancyBboxPatch

from ..interactive import Control, InteractiveFigure
from ..plotting import PALETTE
from ..softmax import softmax
from ..validation import (
    as_class_labels,
    as_float_matrix,
    check_increasing,
    check_positive_int,
    check_positive_number,
)
from .common import image_grid

TOY_CLASSES: tuple[str, ...] = ("猫", "鸡", "狗")
TOY_COLORS: tuple[str, ...] = (PALETTE[0], PALETTE[1], PALETTE[2])


# -- the 2x2 toy images and the network ---------------------------------------------------------
def draw_toy_images(X: np.ndarray, labels: Sequence[int], class_names: Sequence[str] = TOY_CLASSES) -> Figure:
    """Chapter 4: each row of X (n x 4) as a 2x2 grey image with its pixel values x1..x4."""
    X = as_float_matrix(X, "X")
    if X.shape[1] != 4:
        raise ValueError(f"每张图必须有 4 个像素 (each image must have 4 pixels), got {X.shape[1]}")
    labels = as_class_labels(labels, "labels", length=X.shape[0])
    fig, axes = plt.subplots(1, X.shape[0], figsize=(1.7 * X.shape[0], 2.0))
    axes = np.atleast_1d(axes)
    for i, (ax, x) in enumerate(zip(axes, X)):
        ax.imshow(x.reshape(2, 2), cmap="gray", vmin=0, vmax=1)
        for k, (r, c) in enumerate([(0, 0), (0, 1), (1, 0), (1, 1)]):
            ax.text(c, r, f"$x_{k + 1}$={x[k]:.1f}", ha="center", va="center", fontsize=11,
                    color="black" if x[k] > 0.5 else "white")
        ax.set_title(f"图像 {i + 1}：{class_names[int(labels[i])]}")
        ax.set_xticks([])
        ax.set_yticks([])
        ax.grid(False)
    return fig


def draw_network(n_inputs: int = 4, n_outputs: int = 3,
                 output_names: Sequence[str] = TOY_CLASSES) -> Figure:
    """Chapter 4: softmax regression as a one-layer, fully connected network, then softmax."""
    n_inputs, n_outputs = check_positive_int(n_inputs, "n_inputs"), check_positive_int(n_outputs, "n_outputs")
    if len(output_names) < n_outputs:
        raise ValueError(
            f"output_names 只有 {len(output_names)} 个，少于 {n_outputs} 个输出 "
            f"(only {len(output_names)} output_names for {n_outputs} outputs)"
        )
    x_in, x_out, box_x, box_w, x_prob = 0.0, 2.4, 3.1, 0.65, 4.45
    fig, ax = plt.subplots(figsize=(6.8, 4.4))
    ax.set_xlim(-0.45, 5.75)
    ax.set_ylim(-1.15, n_inputs - 0.55)
    ax.set_aspect("equal")  # circles stay round
    ax.axis("off")
    y_in = np.arange(n_inputs)[::-1].astype(float)
    y_out = np.linspace(y_in.max(), y_in.min(), n_outputs + 2)[1:-1]
    for yi in y_in:
        for yo in y_out:
            ax.plot([x_in, x_out], [yi, yo], color="#999999", lw=1, zorder=1)
    # One edge is labelled: every line carries one weight W_jk (input j, output k; W is d x q).
    ax.plot([x_in, x_out], [y_in[0], y_out[0]], color=TOY_COLORS[0], lw=2, zorder=1)
    ax.text(1.2, (y_in[0] + y_out[0]) / 2 + 0.12, "$W_{1,0}$", ha="center", va="bottom", fontsize=12,
            color=TOY_COLORS[0])
    for k, yi in enumerate(y_in):
        ax.add_patch(plt.Circle((x_in, yi), 0.24, color=PALETTE[5], zorder=2))
        ax.text(x_in, yi, f"$x_{k + 1}$", ha="center", va="center", fontsize=13, zorder=3)
    box = FancyBboxPatch((box_x, y_out.min() - 0.45), box_w, y_out.max() - y_out.min() + 0.9,
                         boxstyle="round,pad=0.05", fc="#F2F2F2", ec="#555555", zorder=1)
    ax.add_patch(box)
    ax.text(box_x + box_w / 2, (y_out.min() + y_out.max()) / 2, "soft-\nmax", ha="center",
            va="center", fontsize=12)
    for j, yo in enumerate(y_out):
        ax.add_patch(plt.Circle((x_out, yo), 0.24, color=TOY_COLORS[j % 3], alpha=0.85, zorder=2))
        ax.text(x_out, yo, f"$o_{j}$", ha="center", va="center", fontsize=13, zorder=3)
        ax.annotate("", xy=(box_x - 0.02, yo), xytext=(x_out + 0.26, yo),
                    arrowprops=dict(arrowstyle="->", lw=1.2))
        ax.annotate("", xy=(x_prob - 0.05, yo), xytext=(box_x + box_w + 0.08, yo),
                    arrowprops=dict(arrowstyle="->", lw=1.2))
        ax.text(x_prob, yo, rf"$\hat y_{j}$ = P({output_names[j]})", va="center", fontsize=12)
    ax.text(x_in, -0.8, "输入层\n（4 个像素）", ha="center", va="center", fontsize=11)
    ax.text(x_out, -0.8, "输出层（全连接）\n" + r"$\mathbf{o} = \mathbf{W}^\top\mathbf{x} + \mathbf{b}$",
            ha="center", va="center", fontsize=11)
    ax.text(x_prob + 0.55, -0.8, "概率\n（和为 1）", ha="center", va="center", fontsize=11)
    return fig


def draw_neg_log_curve(marks: Sequence[float] = (1.0, 0.5, 0.1)) -> Figure:
    """Chapter 4: the loss -log p of the true class's probability p, with a few points marked."""
    p = np.linspace(0.005, 1, 400)
    fig, ax = plt.subplots(figsize=(5.6, 3.4))
    ax.plot(p, -np.log(p), color=PALETTE[0])
    for m in marks:
        m = check_positive_number(m, "marks")
        if m > 1:
            raise ValueError(f"marks 是概率，不能大于 1 (marks are probabilities: at most 1), got {m!r}")
        loss = 0.0 - float(np.log(m))  # -log(1) would print as -0.00
        ax.plot([m], [loss], "o", color=PALETTE[3])
        ax.annotate(f"p={m:g}，损失={loss:.2f}", (m, loss), textcoords="offset points",
                    xytext=(6, 8) if m < 0.8 else (-95, 10), fontsize=10)
    ax.set_xlabel(r"模型给真实类别的概率 $\hat y_y$")
    ax.set_ylabel(r"交叉熵损失 $-\log \hat y_y$")
    ax.set_title("真实类别的概率越接近 1，损失越小")
    ax.set_xlim(0, 1.05)
    ax.set_ylim(0, 5.5)
    return fig


# -- the interactive explorer ---------------------------------------------------------------------
def _explorer_base(limit: float, class_names: Sequence[str]) -> Figure:
    fig, (ax_o, ax_p) = plt.subplots(1, 2, figsize=(6.6, 3.5), gridspec_kw={"width_ratios": [1, 1.25]})
    x = np.arange(len(class_names))
    for ax in (ax_o, ax_p):
        ax.set_xticks(x, class_names)
        ax.set_xlim(-0.6, len(class_names) - 0.4)
        ax.grid(axis="x", visible=False)
    ax_o.axhline(0, color="black", lw=0.8)
    ax_o.set_ylim(-limit, limit)
    ax_o.set_title("softmax 的输入 $o_k/T$（黑线：$o_k$）")
    ax_p.set_ylim(0, 1.4)
    ax_p.set_yticks([0, 0.25, 0.5, 0.75, 1.0])
    ax_p.axhline(1.0, color="#BBBBBB", lw=0.8)
    ax_p.set_title(r"概率 $\hat y_k$；最上一行：$-\log\hat y_k$")
    return fig


def _bar(canvas, x: float, y0: float, y1: float, color: str, half: float = 0.3) -> None:
    canvas.polygon([x - half, x + half, x + half, x - half], [y0, y0, y1, y1], color=color,
                   fill=color, width=1.0, fill_opacity=0.85)


def softmax_explorer(logit_values: Sequence[int] = (-2, -1, 0, 1, 2),
                     temperatures: Sequence[float] = (0.25, 0.5, 1.0, 2.0, 4.0),
                     class_names: Sequence[str] = TOY_CLASSES) -> InteractiveFigure:
    """Chapter 4: three logits and a temperature -> softmax probabilities; the loss of a chosen true class.

    Layers are split by what they depend on, to keep the page small: the left
    panel (o_k / T) is one overlay per class that depends on (o_k, T) only; the
    probabilities depend on all logits and T; the true class only moves a
    highlight, so it does not multiply the number of frames.
    """
    if len(class_names) != 3:
        raise ValueError(f"需要恰好 3 个类别名 (exactly 3 class names are needed), got {len(class_names)}")
    logit_values = check_increasing(logit_values, "logit_values")
    temperatures = [check_positive_number(t, "temperature") for t in check_increasing(temperatures, "temperatures")]
    # The left axes show o/T up to twice the largest logit; beyond that (small T) a bar is cut
    # at the edge and its label says the true value, so T = 1 bars are not squashed flat.
    limit = 2.3 * max(abs(v) for v in logit_values)
    names = ["o_cat", "o_chicken", "o_dog"]
    defaults = [min(logit_values, key=lambda v: abs(v - d)) for d in (1, 0, -1)]
    t_default = min(temperatures, key=lambda t: abs(t - 1.0))
    controls = [
        Control(n, f"{c} 的 logit", logit_values, default=d) for n, c, d in zip(names, class_names, defaults)
    ] + [
        Control("temperature", "温度 T", temperatures, default=t_default),
        Control("true_class", "真实类别", [(c, i) for i, c in enumerate(class_names)], kind="toggle"),
    ]
    fig = InteractiveFigure(controls, title="logit 和温度怎样变成概率？损失由什么决定？")
    base = fig.image(lambda: _explorer_base(limit, class_names))

    def draw_scaled_logit(canvas, j: int, logit: int, temperature: float) -> None:
        v = float(logit)
        s = v / temperature
        shown = float(np.clip(s, -0.93 * limit, 0.93 * limit))
        canvas.use_axes(0)
        if s != 0:
            _bar(canvas, j, 0, s, TOY_COLORS[j])
        canvas.line([j - 0.38, j + 0.38], [v, v], color="black", width=2.5)
        label = f"{s:+.3g}" if s else "0"
        if s != shown:  # the bar is cut at the edge: write its value inside, with an arrow
            canvas.text(j, shown, label + ("↑" if s > 0 else "↓"), font_size=14,
                        dy=19 if s > 0 else -7, bold=True)
        else:  # beyond whichever is further out, the bar or the black line
            at = max(s, v) if s >= 0 else min(s, v)
            canvas.text(j, at, label, font_size=14, dy=-7 if s >= 0 else 19, bold=True)

    # One overlay per class, each depending on its own logit and T only: fewer frames.
    fig.overlay(base, lambda canvas, o_cat, temperature: draw_scaled_logit(canvas, 0, o_cat, temperature))
    fig.overlay(base, lambda canvas, o_chicken, temperature: draw_scaled_logit(canvas, 1, o_chicken, temperature))
    fig.overlay(base, lambda canvas, o_dog, temperature: draw_scaled_logit(canvas, 2, o_dog, temperature))

    def draw_probabilities(canvas, o_cat: int, o_chicken: int, o_dog: int, temperature: float) -> None:
        p = softmax(np.array([o_cat, o_chicken, o_dog], float), temperature)
        canvas.use_axes(1)
        for j, pj in enumerate(p):
            if pj > 0.002:
                _bar(canvas, j, 0, pj, TOY_COLORS[j])
            canvas.text(j, pj, f"{pj:.3f}", font_size=14, dy=-6)
            canvas.text(j, 1.27, f"{-np.log(pj):.3f}", font_size=14, dy=5, bold=True)

    fig.overlay(base, draw_probabilities)

    def draw_truth(canvas, true_class: int) -> None:
        canvas.use_axes(1)
        j = true_class
        # The one-hot target y: probability 1 on the true class, drawn as a dashed outline.
        canvas.polygon([j - 0.36, j + 0.36, j + 0.36, j - 0.36], [0, 0, 1, 1], color="black",
                       width=1.6, dash="5,3")
        canvas.polygon([j - 0.46, j + 0.46, j + 0.46, j - 0.46], [1.17, 1.17, 1.38, 1.38],
                       color=PALETTE[3], width=2.4)

    fig.overlay(base, draw_truth)

    def panel(true_class: int) -> str:
        y = ["0"] * len(class_names)
        y[true_class] = "1"
        name = class_names[true_class]
        return (
            "<div style='font-size:14px;line-height:1.7;max-width:250px'>"
            f"真实类别：<b>{name}</b><br>独热标签 <b>y</b> = ({', '.join(y)})<br>"
            f"交叉熵损失 l = −log ŷ<sub>{name}</sub>，<br>就是右图<b style='color:{PALETTE[3]}'>红框</b>里的数。"
            f"<br><span style='color:#555'>虚线框是目标概率 1：ŷ<sub>{name}</sub> 越接近它，"
            "损失越小；其他类别的概率只通过分母影响损失。</span></div>"
        )

    fig.html(panel)
    return fig


# -- digits: what the model learned -----------------------------------------------
def draw_weight_templates(W: np.ndarray) -> Figure:
    """Chapter 4: each column of W (64 x q: d = 8x8 pixels, one column per class) as an 8x8 image."""
    W = as_float_matrix(W, "W")
    if W.shape[0] != 64:
        raise ValueError(
            f"W 必须有 64 行（d = 8×8 个像素，一行对应一个输入）(W must have 64 rows, one per input pixel: "
            f"W is d x q), got shape {W.shape}"
        )
    fig, axes = image_grid(W.shape[1], 5, size=1.3)
    limit = float(np.abs(W).max())
    for k, ax in enumerate(axes[: W.shape[1]]):
        image = ax.imshow(W[:, k].reshape(8, 8), cmap="RdBu_r", vmin=-limit, vmax=limit)
        ax.set_title(f"数字 {k} 的权重", fontsize=10)
    fig.colorbar(image, ax=list(axes), shrink=0.8, label="权重（红：支持，蓝：反对）")
    return fig
