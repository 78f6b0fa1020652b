"""Chapter 5 (多层感知机): drawings and interactive figures.

    draw_region_grid                5.1  decision regions of several models on several data sets
    draw_mlp_network                5.2  an MLP with one hidden layer: input, hidden and output layers
    draw_activations                5.4  ReLU, sigmoid and tanh with their derivatives
    universal_approximation_explorer 5.6  hidden units -> the ReLU pieces and their sum fitting a curve
    draw_depth_vs_width             5.7  a sawtooth: a deep narrow network versus one wide layer
    playground_explorer             5.8  the playground: data set, h, depth, σ, η, epochs -> boundary, losses
"""

from __future__ import annotations

from typing import Any, Callable, Sequence

import matplotlib.pyplot as plt
import numpy as np
from matplotlib.figure import Figure

from ..interactive import Control, InteractiveFigure, static_mode
from ..mlp import (
    DATASET_NAMES,
    PlaygroundRun,
    PlaygroundRuns,
    ReluFit,
    activate,
    activation_derivative,
    relu_interpolant,
)
from ..plotting import MARKERS, PALETTE, REGION_PALETTE
from ..validation import as_class_labels, as_float_matrix, as_list, check_positive_int

BLUE, ORANGE, GREEN, RED = PALETTE[0], PALETTE[1], PALETTE[2], PALETTE[3]
#: Names of the activations as the figures write them.
ACTIVATION_LABELS: dict[str, str] = {"relu": "ReLU", "sigmoid": "sigmoid", "tanh": "tanh", "none": "无（线性）"}


# -- decision regions --------------------------------------------------------------------------
def draw_region_grid(panels: Sequence[Sequence[tuple[Callable[[np.ndarray], np.ndarray], Any, Any, str]]],
                     row_labels: Sequence[str], limit: float = 2.6, resolution: int = 120) -> Figure:
    """Chapter 5: a grid of decision-region plots, one row per model kind, one column per data set.

    ``panels[r][c]`` is (predict, X, y, title): ``predict`` maps an (m x 2) array to class
    labels 0 / 1; (X, y) are the points drawn on top (two classes).
    """
    panels = [as_list(row, "panels row") for row in as_list(panels, "panels")]
    row_labels = as_list(row_labels, "row_labels")
    if not panels or not panels[0] or len({len(row) for row in panels}) != 1 or len(row_labels) != len(panels):
        raise ValueError("panels 必须是等长的行，每行一个行标题 (panels must be rows of equal length, one label "
                         "per row)")
    resolution = check_positive_int(resolution, "resolution")
    n_rows, n_cols = len(panels), len(panels[0])
    width, height = 2.75 * n_cols + 0.3, 2.75 * n_rows + 0.1
    # Fixed margins (in inches) instead of constrained layout: as good here, and twice as fast to draw.
    fig, axes = plt.subplots(n_rows, n_cols, figsize=(width, height), squeeze=False, layout="none")
    fig.subplots_adjust(left=0.35 / width, right=1 - 0.05 / height, bottom=0.05 / height, top=1 - 0.35 / height,
                        wspace=0.06, hspace=0.35 / 2.75)
    ticks = np.linspace(-limit, limit, resolution)
    gx, gy = np.meshgrid(ticks, ticks)
    points = np.column_stack([gx.ravel(), gy.ravel()])
    from matplotlib.colors import ListedColormap

    for r, row in enumerate(panels):
        for c, (predict, X, y, title) in enumerate(row):
            X = as_float_matrix(X, "X")
            y = as_class_labels(y, "y", length=len(X), n_classes=2)
            ax = axes[r, c]
            regions = np.asarray(predict(points)).reshape(gx.shape)
            ax.pcolormesh(gx, gy, regions, cmap=ListedColormap(REGION_PALETTE[:2]), vmin=-0.5, vmax=1.5,
                          shading="auto")
            for label in (0, 1):
                ax.scatter(*X[y == label].T, s=9, color=PALETTE[label], marker=MARKERS[label],
                           edgecolor="white", linewidth=0.3)
            ax.set_xlim(-limit, limit)
            ax.set_ylim(-limit, limit)
            ax.set_aspect("equal")
            ax.set_xticks([])
            ax.set_yticks([])
            ax.grid(False)
            ax.set_title(title, fontsize=10.5)
        axes[r, 0].set_ylabel(row_labels[r])
    return fig


# -- the network -------------------------------------------------------------------------------------
def draw_mlp_network(n_inputs: int = 2, n_hidden: int = 4, n_outputs: int = 2) -> Figure:
    """Chapter 5: an MLP with one hidden layer, every layer fully connected to the next."""
    sizes = [check_positive_int(n, name) for n, name in ((n_inputs, "n_inputs"), (n_hidden, "n_hidden"),
                                                         (n_outputs, "n_outputs"))]
    if max(sizes) > 8:
        raise ValueError(f"每层最多画 8 个单元 (at most 8 units a layer), got {sizes}")
    xs = [0.0, 2.2, 4.4]
    colors = [PALETTE[5], "#F7DDA6", "#A6DCCB"]
    symbols = ["x", "h", "o"]
    fig, ax = plt.subplots(figsize=(6.4, 3.9), layout="none")
    fig.subplots_adjust(0, 0, 1, 1)
    top = max(sizes) - 1
    ax.set_xlim(-0.8, 5.6)
    ax.set_ylim(-1.45, top + 0.9)
    ax.set_aspect("equal")
    ax.axis("off")
    ys = [top / 2 - (np.arange(n) - (n - 1) / 2) for n in sizes]  # each layer centred, one unit apart
    for i in range(2):
        for a in ys[i]:
            for b in ys[i + 1]:
                ax.plot([xs[i], xs[i + 1]], [a, b], color="#AAAAAA", lw=0.9, zorder=1)
    for layer, (x, y_layer, color, symbol) in enumerate(zip(xs, ys, colors, symbols)):
        for k, y in enumerate(y_layer):
            ax.add_patch(plt.Circle((x, y), 0.27, facecolor=color, edgecolor="#555555", lw=1.0, zorder=2))
            ax.text(x, y, f"${symbol}_{{{k + 1}}}$", ha="center", va="center", fontsize=12, zorder=3)
    ax.text(1.1, top + 0.45, r"$\mathbf{W}^{(1)}, \mathbf{b}^{(1)}$", ha="center", fontsize=12, color="#444444")
    ax.text(3.3, top + 0.45, r"$\mathbf{W}^{(2)}, \mathbf{b}^{(2)}$", ha="center", fontsize=12, color="#444444")
    labels = [f"输入层\n（d = {sizes[0]}）", f"隐藏层\n（h = {sizes[1]}，σ）", f"输出层\n（q = {sizes[2]}）"]
    for x, label in zip(xs, labels):
        ax.text(x, -0.95, label, ha="center", va="center", fontsize=10.5)
    return fig


# -- activation functions -----------------------------------------------------------------------
def draw_activations(z_range: tuple[float, float] = (-5.0, 5.0)) -> Figure:
    """Chapter 5: ReLU, sigmoid and tanh (top) and their derivatives (bottom), by their formulas."""
    lo, hi = (float(v) for v in z_range)
    if not lo < hi:
        raise ValueError(f"z_range 必须从小到大 (z_range must increase), got {z_range}")
    z = np.linspace(lo, hi, 401)
    fig, axes = plt.subplots(2, 3, figsize=(8.4, 4.6), sharex=True, layout="none")
    fig.subplots_adjust(left=0.08, right=0.99, bottom=0.1, top=0.93, wspace=0.22, hspace=0.32)
    formulas = {"relu": (r"$\max(0, z)$", r"$1$（$z>0$），$0$（$z<0$）"),
                "sigmoid": (r"$1/(1+e^{-z})$", r"$\mathrm{sigmoid}(z)\,(1-\mathrm{sigmoid}(z))$"),
                "tanh": (r"$\tanh z$", r"$1-\tanh^2 z$")}
    for col, name in enumerate(("relu", "sigmoid", "tanh")):
        value = activate(name, z).numpy()
        slope = activation_derivative(name, z).numpy()
        top, bottom = axes[0, col], axes[1, col]
        top.plot(z, value, color=BLUE, lw=2)
        bottom.plot(z, slope, color=ORANGE, lw=2)
        top.set_title(f"{ACTIVATION_LABELS[name]}：{formulas[name][0]}", fontsize=11)
        bottom.set_title(f"导数：{formulas[name][1]}", fontsize=10)
        for ax in (top, bottom):
            ax.axhline(0, color="#888888", lw=0.8)
            ax.axvline(0, color="#888888", lw=0.8)
        bottom.set_ylim(-0.1, 1.15)
        bottom.set_xlabel("$z$")
    axes[0, 0].set_ylabel(r"$\sigma(z)$")
    axes[1, 0].set_ylabel(r"$\sigma'(z)$")
    return fig


# -- universal approximation ---------------------------------------------------------------------
def universal_approximation_explorer(f: Callable[[np.ndarray], Any], lo: float, hi: float,
                                     hidden_options: Sequence[int], target_label: str) -> InteractiveFigure:
    """Chapter 5: a slider over the number of hidden units h; the broken line of h ReLU units through f.

    Left: the target curve, the network's output and its kinks. Right: the units added one
    at a time (each partial sum is the network with the first units only): every unit bends
    the line once more, at its kink.
    """
    hs = sorted({check_positive_int(h, "hidden_options") for h in as_list(hidden_options, "hidden_options")})
    if not hs:
        raise ValueError("hidden_options 不能为空 (hidden_options must not be empty)")
    fits = {h: relu_interpolant(f, lo, hi, h) for h in hs}
    xs = np.linspace(float(lo), float(hi), 401)
    ys = np.asarray(f(xs), dtype=float)
    errors = {h: float(np.abs(fits[h](xs) - ys).max()) for h in hs}
    pad = 0.3 * (ys.max() - ys.min())
    y_lim = (ys.min() - pad, ys.max() + pad)
    fig = InteractiveFigure([Control("h", "隐藏单元数 h", hs, default=hs[min(3, len(hs) - 1)])],
                            title="h 个 ReLU 单元能把曲线拟合到多好？")

    def background() -> Figure:
        figure, (ax_fit, ax_sum) = plt.subplots(1, 2, figsize=(8.4, 3.4), layout="none")
        figure.subplots_adjust(left=0.06, right=0.99, bottom=0.14, top=0.91, wspace=0.15)
        ax_fit.plot(xs, ys, color="#999999", lw=5, alpha=0.55, label=target_label)
        ax_fit.plot([], [], color=ORANGE, lw=2, label="网络的输出")
        ax_fit.plot([], [], color=RED, lw=2, label="折点：某个单元从这里开始起作用")
        ax_sum.plot(xs, ys, color="#999999", lw=5, alpha=0.4)
        for ax in (ax_fit, ax_sum):
            ax.set_xlim(float(lo), float(hi))
            ax.set_ylim(*y_lim)
            ax.set_xlabel("$x$")
        ax_fit.set_title("目标曲线与网络的输出")
        ax_fit.legend(loc="upper left", fontsize=8.5)
        ax_sum.set_title("逐个加上隐藏单元：每加一个，折线多拐一次弯", fontsize=11)
        return figure

    base = fig.image(background)

    def marks(canvas, h: int) -> None:
        fit = fits[h]
        nodes = np.r_[fit.kinks, float(hi)]
        canvas.use_axes(1)
        for j in range(1, h + 1):
            # The first j units: the broken line up to the j-th kink, then straight on.
            partial = ReluFit(fit.W1[:, :j], fit.b1[:j], fit.W2[:j], fit.b2)
            px = np.r_[nodes[:j], float(hi)]
            last = j == h
            canvas.line(px, partial(px), color=ORANGE if last else PALETTE[(j % 5) + 2 if j % 5 != 1 else 0],
                        width=2.4 if last else 1.0, opacity=1.0 if last else 0.7)
        canvas.use_axes(0)
        canvas.line(nodes, fit(nodes), color=ORANGE, width=2.4)
        inner = fit.kinks[1:]  # the first unit starts at the left edge
        if len(inner):
            bottom = y_lim[0] + 0.06 * (y_lim[1] - y_lim[0])
            canvas.segments(inner, np.full(len(inner), y_lim[0]), inner, np.full(len(inner), bottom),
                            color=RED, width=2)
        canvas.note(0.98, 0.08, f"h = {h}：最大误差 {errors[h]:.3f}", anchor="end", font_size=14)

    fig.overlay(base, marks)
    fig.errors = errors  # the notebook prints the same numbers
    return fig


# -- depth versus width ---------------------------------------------------------------------------
def draw_depth_vs_width(x: Any, target: Any, deep: Any, shallow: dict[int, Any], depth: int) -> Figure:
    """Chapter 5: a sawtooth, the deep narrow network's output, and wide one-layer fits of it."""
    x = np.asarray(x, float).reshape(-1)
    target, deep = np.asarray(target, float).reshape(-1), np.asarray(deep, float).reshape(-1)
    if not (len(x) == len(target) == len(deep)) or not shallow:
        raise ValueError("x、target、deep 必须等长，shallow 不能为空 (x, target, deep must match; shallow non-empty)")
    fig, axes = plt.subplots(1, 1 + len(shallow), figsize=(2.9 * (1 + len(shallow)), 2.7), sharey=True,
                             layout="none")
    fig.subplots_adjust(left=0.07, right=0.99, bottom=0.17, top=0.82, wspace=0.08)
    axes = np.atleast_1d(axes)
    axes[0].plot(x, target, color="#999999", lw=5, alpha=0.55)
    axes[0].plot(x, deep, color=GREEN, lw=1.6)
    axes[0].set_title(f"深而窄：{depth} 层 × 2 个单元\n最大误差 {np.abs(deep - target).max():.2f}", fontsize=10.5)
    for ax, (units, y_fit) in zip(axes[1:], sorted(shallow.items())):
        y_fit = np.asarray(y_fit, float).reshape(-1)
        ax.plot(x, target, color="#999999", lw=5, alpha=0.55)
        ax.plot(x, y_fit, color=ORANGE, lw=1.6)
        ax.set_title(f"浅而宽：1 层 × {units} 个单元\n最大误差 {np.abs(y_fit - target).max():.2f}", fontsize=10.5)
    for ax in axes:
        ax.set_xlabel("$x$")
        ax.set_ylim(-0.15, 1.2)
    return fig


# -- the playground -------------------------------------------------------------------------------
#: Shades of the two classes by the model's probability of class 1: <0.25, <0.5, <0.75, >=0.75; then grey.
PLAYGROUND_SHADES: tuple[str, ...] = ("#9CC3E0", "#D5E6F2", "#FAE7C3", "#F3C57A", "#E3E3E3")


def playground_status(run: PlaygroundRun, epoch: int, activation: str) -> tuple[str, str]:
    """Chapter 5: what happened to one playground model after ``epoch`` epochs, in words, and a colour."""
    if 0 <= run.diverged_at <= epoch:
        return "学习率过大：训练发散", RED
    if epoch == 0:
        return "训练前：随机的初始边界", "#555555"
    loss, start, acc = run.train_loss[epoch], run.train_loss[0], run.train_acc[epoch]
    if loss > 1.2 * start:
        return "学习率过大：损失不降反升", RED
    if activation == "none":
        return "没有激活函数：边界只能是直线", ORANGE
    if acc >= 0.97:
        return "学会了：训练集几乎全对", GREEN
    if acc < 0.6:
        return "几乎没学到：和瞎猜差不多", ORANGE
    if loss > 0.9 * start:
        return "几乎没学到：损失几乎没降", ORANGE
    return "学到了一部分，还有不少分错", ORANGE


def playground_explorer(runs: PlaygroundRuns | None = None, default: dict[str, Any] | None = None) -> InteractiveFigure:
    """Chapter 5: the neural-network playground (in the spirit of TensorFlow Playground), real torch models.

    Controls: data set, hidden units per layer, number of hidden layers, activation,
    learning rate (log scale) and epochs. Every combination is a real MLP trained with
    minibatch SGD (``helpers.mlp.PlaygroundRuns``): in a kernel the models of one frame are
    trained when it is first shown; for the static book every combination of a depth is
    trained in one batch. The decision regions are a coarse raster under the data; the
    train / test loss curves and the accuracies are vector marks.
    """
    if runs is None:
        runs = PlaygroundRuns(group="depth" if static_mode() else "model")
    if not isinstance(runs, PlaygroundRuns):
        raise ValueError(f"runs 必须是 PlaygroundRuns (runs must be a PlaygroundRuns), got {type(runs).__name__}")
    default = dict(default or {})
    defaults = {"kind": "circles" if "circles" in runs.kinds else runs.kinds[0],
                "hidden": runs.hidden[min(1, len(runs.hidden) - 1)], "depth": runs.depths[0],
                "activation": runs.activations[0], "lr": runs.learning_rates[min(2, len(runs.learning_rates) - 1)],
                "epochs": runs.snapshots[-1]}
    unknown = set(default) - set(defaults)
    if unknown:
        raise ValueError(f"未知的默认值 (unknown defaults): {sorted(unknown)}")
    defaults.update(default)
    fig = InteractiveFigure([
        Control("kind", "数据集", [(DATASET_NAMES[k], k) for k in runs.kinds], default=defaults["kind"],
                kind="toggle"),
        Control("hidden", "每层的隐藏单元数 h", runs.hidden, default=defaults["hidden"], kind="toggle"),
        Control("depth", "隐藏层数", runs.depths, default=defaults["depth"], kind="toggle"),
        Control("activation", "激活函数 σ", [(ACTIVATION_LABELS[a], a) for a in runs.activations],
                default=defaults["activation"], kind="toggle"),
        Control("lr", "学习率 η（对数刻度）", runs.learning_rates, default=defaults["lr"]),
        Control("epochs", "训练轮数", runs.snapshots, default=defaults["epochs"]),
    ], title="神经网络游乐场：什么样的网络能分开这两类点？")
    limit = runs.limit
    ACC_DX = 62  # the accuracies are written this far (px) after their label
    epochs_max = runs.epochs
    loss_lim = (1e-3, 30.0)

    def background(kind: str) -> Figure:
        data = runs.data[kind]
        figure = plt.figure(figsize=(8.6, 4.3), layout="none")  # fixed margins: quicker, and stable
        grid = figure.add_gridspec(2, 2, width_ratios=[1, 1.15], height_ratios=[1, 0.2], left=0.08, right=0.985,
                                   bottom=0.02, top=0.93, wspace=0.3, hspace=0.3)
        ax_data = figure.add_subplot(grid[0, 0])
        ax_loss = figure.add_subplot(grid[0, 1])
        ax_text = figure.add_subplot(grid[1, :])
        figure.patch.set_alpha(0)  # the regions, drawn below, show through
        for ax in (ax_data, ax_loss, ax_text):
            ax.set_facecolor("none")
        for label in (0, 1):
            ax_data.scatter(*data.X_train[data.y_train == label].T, s=16, color=PALETTE[label],
                            marker=MARKERS[label], edgecolor="white", linewidth=0.5, zorder=3,
                            label=f"类别 {label}")
        ax_data.set_xlim(-limit, limit)
        ax_data.set_ylim(-limit, limit)
        ax_data.set_aspect("equal")
        ax_data.grid(False)
        ax_data.set_xlabel("特征 $x_1$（标准化后）")
        ax_data.set_ylabel("特征 $x_2$（标准化后）")
        ax_data.set_title(f"{DATASET_NAMES[kind]}：{len(data.y_train)} 个训练样本", fontsize=11)
        ax_loss.set_yscale("log")
        ax_loss.set_xlim(0, epochs_max)
        ax_loss.set_ylim(*loss_lim)
        ax_loss.axhline(np.log(2), color="#888888", ls=":", lw=1)
        ax_loss.text(epochs_max, np.log(2) * 1.12, "log 2：瞎猜的损失", ha="right", va="bottom", fontsize=8.5,
                     color="#555555")
        ax_loss.plot([], [], color=BLUE, lw=2, label="训练集")
        ax_loss.plot([], [], color=ORANGE, lw=2, ls="--", label="测试集")
        ax_loss.legend(loc="lower left", fontsize=9)
        ax_loss.set_xlabel("轮（epoch）")
        ax_loss.set_ylabel("平均交叉熵损失（对数刻度）")
        ax_loss.set_title("损失曲线（竖线：当前轮数）", fontsize=11)
        ax_text.axis("off")
        ax_text.text(0.0, 0.05, "准确率：", fontsize=11, transform=ax_text.transAxes)
        return figure

    base = fig.image(background)

    def regions(canvas, kind: str, hidden: int, depth: int, activation: str, lr: float, epochs: int) -> None:
        run = runs.get(kind, hidden, depth, activation, lr)
        message, color = playground_status(run, epochs, activation)
        canvas.use_axes(0)
        if 0 <= run.diverged_at <= epochs:
            canvas.raster(np.full((2, 2), 4), runs.extent, PLAYGROUND_SHADES)  # grey: no model left
            numbers = "—（模型已发散）"
        else:
            p = runs.probabilities(run, epochs)
            canvas.raster(np.digitize(p, [0.25, 0.5, 0.75]), runs.extent, PLAYGROUND_SHADES)
            numbers = f"训练集 {run.train_acc[epochs]:.3f}，测试集 {run.test_acc[epochs]:.3f}"
        # One short line of numbers: its words are drawn once, in the picture above it.
        canvas.use_axes(2)
        canvas.note(0.0, 0.05, numbers, dx=ACC_DX, font_size=14)
        canvas.use_axes(2)
        canvas.note(0.0, 0.62, message, color=color, font_size=15)

    fig.overlay(base, regions, below=True)

    def curves(canvas, kind: str, hidden: int, depth: int, activation: str, lr: float) -> None:
        run = runs.get(kind, hidden, depth, activation, lr)
        canvas.use_axes(1)
        # Log-spaced epochs: the early, fast part of the curve keeps its detail with few points.
        epochs = np.unique(np.r_[0, np.geomspace(1, epochs_max, 28).round().astype(int)])
        for values, color, dash in ((run.train_loss, BLUE, None), (run.test_loss, ORANGE, "5 3")):
            shown = epochs[np.isfinite(values[epochs])]
            xs, ys = list(shown), list(np.clip(values[shown], *loss_lim))
            if run.diverged_at >= 0:  # the curve leaves the plot upwards where training diverged
                xs.append(run.diverged_at)
                ys.append(loss_lim[1] * 10)
            if len(xs) > 1:
                canvas.line(xs, ys, color=color, width=2, dash=dash)
        if run.diverged_at >= 0:
            canvas.text(run.diverged_at, loss_lim[1] * 0.45, "✗ 发散", color=RED, font_size=14, anchor="start",
                        dx=6)

    fig.overlay(base, curves)

    def marker(canvas, epochs: int) -> None:
        canvas.use_axes(1)
        canvas.line([epochs, epochs], list(loss_lim), color="#555555", width=1.2, dash="3 3")

    fig.overlay(base, marker)
    fig.runs = runs  # the notebook reads the numbers the figure shows from here
    return fig


