"""Chapter 7 (神经网络的优化): drawings and the two interactive figures.

* ``draw_gd_variants``: batch GD, SGD and minibatch SGD by steps, epochs and seconds;
* ``draw_computational_graph``: the tiny network's graph with every value and gradient;
* ``backprop_explorer``: a step slider that walks through backprop node by node;
* ``loss_surface_explorer``: four optimizers on a 2-D loss surface (contours + loss curves);
* ``draw_lr_schedules``: the learning rate η_t of a few schedules;
* ``draw_gradient_norms``: the gradient norm of each layer of deep networks (log scale).
"""

from __future__ import annotations

from typing import Any, Sequence

import matplotlib.pyplot as plt
import numpy as np
from matplotlib.figure import Figure

from ..glue import sci
from ..interactive import Control, InteractiveFigure
from ..optim import OPTIMIZER_LABELS, OPTIMIZERS, SURFACES, TINY_NET, TinyNet, tiny_backprop, trajectory
from ..plotting import PALETTE
from ..validation import check_increasing, check_positive_int

BLUE, ORANGE, GREEN, RED, PURPLE, SKY = PALETTE[:6]
GREY = "#777777"
#: One colour per optimizer, the same in every figure of the chapter.
OPTIMIZER_COLORS: dict[str, str] = {"sgd": BLUE, "momentum": ORANGE, "rmsprop": GREEN, "adam": PURPLE}


# -- gradient descent, three ways -----------------------------------------------------------------
def draw_gd_variants(histories: dict[str, dict[str, Sequence[float]]], best: float) -> Figure:
    """Chapter 7: loss − best against steps, epochs and seconds; ``histories[label]`` holds 'step', 'epoch', 'seconds', 'loss'.

    A history with few points (batch gradient descent) is drawn with markers, so that it
    shows where it lies under the others.
    """
    if not histories:
        raise ValueError("histories 不能为空 (histories must not be empty)")
    fig, axes = plt.subplots(1, 3, figsize=(10, 3.6), sharey=True)
    for (label, h), color in zip(histories.items(), (BLUE, ORANGE, GREEN, PURPLE)):
        gap = np.maximum(np.asarray(h["loss"], float) - best, 1e-12)
        style = dict(color=color, lw=1.6, marker="o" if len(gap) < 30 else None, ms=4)
        axes[0].plot(np.asarray(h["step"]) + 1, gap, label=label, **style)
        axes[1].plot(h["epoch"], gap, **style)
        seconds = np.asarray(h["seconds"], float)
        axes[2].plot(seconds[1:], gap[1:], **style)   # log scale: from the first step on
    for ax in (axes[0], axes[2]):
        ax.set_xscale("log")
    axes[0].set_yscale("log")
    axes[0].set_xlabel("参数更新的步数 + 1（对数刻度）")
    axes[0].set_ylabel("L − L*（对数刻度）")
    axes[1].set_xlabel("轮数（epoch）")
    axes[2].set_xlabel("实测的更新用时（秒，对数刻度）")
    axes[0].set_title("按步数")
    axes[1].set_title("按轮数")
    axes[2].set_title("按时间")
    fig.legend(loc="outside lower center", ncol=len(histories), fontsize=9.5, frameon=False)
    return fig


# -- the tiny network's computational graph -------------------------------------------------------
#: Where each node of the tiny network is drawn (data coordinates of the graph's axes).
GRAPH_POS: dict[str, tuple[float, float]] = {
    "x₁": (0.0, 1.0), "x₂": (0.0, -1.0), "z₁": (2.0, 1.0), "z₂": (2.0, -1.0),
    "h₁": (4.0, 1.0), "h₂": (4.0, -1.0), "ŷ": (6.0, 0.0), "L": (8.0, 0.0),
}
GRAPH_EDGES: list[tuple[str, str]] = [
    ("x₁", "z₁"), ("x₂", "z₁"), ("x₁", "z₂"), ("x₂", "z₂"), ("z₁", "h₁"), ("z₂", "h₂"),
    ("h₁", "ŷ"), ("h₂", "ŷ"), ("ŷ", "L"),
]
NODE_RADIUS = 0.42
GRAPH_XLIM, GRAPH_YLIM = (-0.8, 8.8), (-2.3, 2.3)


def _edge_label(net: TinyNet, a: str, b: str) -> str:
    i, j = "₁₂".find(a[-1]), "₁₂".find(b[-1])
    if a[0] == "x":
        return f"W{a[-1]}{b[-1]} = {net.W1[i][j]:g}"
    if a[0] == "h":
        return f"w{a[-1]} = {net.w2[i]:g}"
    if a[0] == "z":
        return "sigmoid"
    return f"y = {net.y:g}"


def _graph_axes(net: TinyNet, figsize: tuple[float, float] = (8.6, 3.6)) -> tuple[Figure, Any]:
    """The graph's nodes, edges and edge labels (no values): the base of both graph figures."""
    fig, ax = plt.subplots(figsize=figsize)
    ax.set_xlim(*GRAPH_XLIM)
    ax.set_ylim(*GRAPH_YLIM)
    ax.set_aspect("equal")
    ax.axis("off")
    for a, b in GRAPH_EDGES:
        (x0, y0), (x1, y1) = GRAPH_POS[a], GRAPH_POS[b]
        ax.annotate("", xy=(x1, y1), xytext=(x0, y0),
                    arrowprops=dict(arrowstyle="-|>", color=GREY, lw=1.2,
                                    shrinkA=30, shrinkB=30))
        if a[0] == "x" and a[-1] != b[-1]:  # the crossing edges: label beside the x node, off the lines
            up = y0 > y1
            ax.text(x0 + 0.62, y0 + (-0.45 if up else 0.45), _edge_label(net, a, b), ha="left",
                    va="bottom" if up else "top", fontsize=8.5, color="#444444")
            continue
        mx, my = (x0 + x1) / 2, (y0 + y1) / 2
        below = a == "x₂"   # under its edge, out of the way of the crossing edge's label
        ax.text(mx, my + (-0.16 if below else 0.16), _edge_label(net, a, b), ha="center",
                va="top" if below else "bottom", fontsize=8.5, color="#444444")
    for name, (x, y) in GRAPH_POS.items():
        ax.add_patch(plt.Circle((x, y), NODE_RADIUS, facecolor="#F4F4F4", edgecolor="#333333", lw=1.3, zorder=3))
        ax.text(x, y, name, ha="center", va="center", fontsize=13, zorder=4)
    ax.text(2.0, -2.2, f"偏置 b⁽¹⁾ = ({net.b1[0]:g}, {net.b1[1]:g})，b⁽²⁾ = {net.b2:g}",
            ha="center", fontsize=9, color="#444444")
    return fig, ax


def draw_computational_graph(net: TinyNet = TINY_NET) -> Figure:
    """Chapter 7: the tiny network's computational graph, forward values (blue) above, ∂L/∂node (orange) below."""
    record = tiny_backprop(net)
    fig, ax = _graph_axes(net)
    grads = {s.node: s.grad for s in record.steps}
    grads["L"] = 1.0
    for name, (x, y) in GRAPH_POS.items():
        ax.text(x, y + 0.5, f"{record.values[name]:.4f}", ha="center", va="bottom", color=BLUE, fontsize=10)
        if name in grads:
            ax.text(x, y - 0.5, f"{grads[name]:.4f}", ha="center", va="top", color=ORANGE, fontsize=10)
    ax.text(-0.8, 2.25, "蓝：前向传播算出的值", color=BLUE, fontsize=10, va="top")
    ax.text(-0.8, 1.95, "橙：反向传播算出的 ∂L/∂(该节点)", color=ORANGE, fontsize=10, va="top")
    return fig


def _backprop_frames(net: TinyNet, lr: float) -> list[dict[str, Any]]:
    """The explorer's steps: what is highlighted, which values are known, and the words for each."""
    record = tiny_backprop(net)
    v = record.values
    p = net.params()
    frames: list[dict[str, Any]] = [dict(
        label="0 输入", node=["x₁", "x₂"], edges=[], known=["x₁", "x₂"], grads=[],
        text=(f"<b>第 1 步 前向传播</b>：从输入 x = ({v['x₁']:g}, {v['x₂']:g}) 出发，"
              "按箭头的方向逐个节点往后算。"))]
    forward = [
        ("z₁", [("x₁", "z₁"), ("x₂", "z₁")],
         f"z₁ = x₁W₁₁ + x₂W₂₁ + b₁ = {v['x₁']:g}×{p['W1'][0, 0]:g} + {v['x₂']:g}×{p['W1'][1, 0]:g} "
         f"+ {p['b1'][0]:g} = <b>{v['z₁']:.4f}</b>"),
        ("z₂", [("x₁", "z₂"), ("x₂", "z₂")],
         f"z₂ = x₁W₁₂ + x₂W₂₂ + b₂ = {v['x₁']:g}×{p['W1'][0, 1]:g} + {v['x₂']:g}×{p['W1'][1, 1]:g} "
         f"+ ({p['b1'][1]:g}) = <b>{v['z₂']:.4f}</b>"),
        ("h₁", [("z₁", "h₁")], f"h₁ = sigmoid(z₁) = 1/(1 + e<sup>−{v['z₁']:.4f}</sup>) = <b>{v['h₁']:.4f}</b>"),
        ("h₂", [("z₂", "h₂")], f"h₂ = sigmoid(z₂) = 1/(1 + e<sup>{-v['z₂']:.4f}</sup>) = <b>{v['h₂']:.4f}</b>"),
        ("ŷ", [("h₁", "ŷ"), ("h₂", "ŷ")],
         f"ŷ = h₁w₁ + h₂w₂ + b = {v['h₁']:.4f}×{p['w2'][0]:g} + {v['h₂']:.4f}×({p['w2'][1]:g}) + {p['b2']:g}"
         f" = <b>{v['ŷ']:.4f}</b>"),
        ("L", [("ŷ", "L")],
         f"<b>第 2 步 计算损失</b>：L = (ŷ − y)²/2 = ({v['ŷ']:.4f} − {net.y:g})²/2 = <b>{v['L']:.5f}</b>"),
    ]
    known = ["x₁", "x₂"]
    for node, edges, text in forward:
        known = known + [node]
        frames.append(dict(label=f"{len(frames)} 前向 {node}", node=[node], edges=edges, known=known,
                           grads=[], text=text))
    grads = ["L"]
    for step in record.steps:
        grads = grads + [step.node]
        explain = (f"∂L/∂{step.node} = ∂L/∂{step.parent} × ∂{step.parent}/∂{step.node} = "
                   f"{step.upstream:.4f} × {step.local:.4f} = <b>{step.grad:.4f}</b>")
        local = f"局部梯度 ∂{step.parent}/∂{step.node} = {step.local_formula} = {step.local:.4f}"
        head = "<b>第 3 步 反向传播</b>：" if step.node == "ŷ" else ""
        frames.append(dict(label=f"{len(frames)} 反向 {step.node}", node=[step.node],
                           edges=[(step.node, step.parent)], known=known, grads=grads,
                           text=f"{head}{local}<br>链式法则：{explain}"))
    g = record.grads
    frames.append(dict(
        label=f"{len(frames)} 参数的梯度", node=["z₁", "z₂", "ŷ"], edges=[], known=known, grads=grads,
        text=("每个参数的梯度 = 它所连的节点的梯度 × 它乘的那个输入：<br>"
              f"∂L/∂W₁₁ = ∂L/∂z₁ × x₁ = {g['W1'][0, 0]:.4f}，∂L/∂W₂₁ = ∂L/∂z₁ × x₂ = {g['W1'][1, 0]:.4f}，<br>"
              f"∂L/∂W₁₂ = ∂L/∂z₂ × x₁ = {g['W1'][0, 1]:.4f}，∂L/∂W₂₂ = ∂L/∂z₂ × x₂ = {g['W1'][1, 1]:.4f}，<br>"
              f"∂L/∂w₁ = ∂L/∂ŷ × h₁ = {g['w2'][0]:.4f}，∂L/∂w₂ = ∂L/∂ŷ × h₂ = {g['w2'][1]:.4f}，<br>"
              f"偏置的梯度就是节点的梯度：∂L/∂b⁽¹⁾ = ({g['b1'][0]:.4f}, {g['b1'][1]:.4f})，"
              f"∂L/∂b⁽²⁾ = {float(g['b2']):.4f}。")))
    updated = TinyNet(net.x, net.y, tuple(map(tuple, p["W1"] - lr * g["W1"])),
                      tuple(p["b1"] - lr * g["b1"]), tuple(p["w2"] - lr * g["w2"]),
                      float(p["b2"] - lr * g["b2"]))
    new_loss = tiny_backprop(updated).values["L"]
    frames.append(dict(
        label=f"{len(frames)} 参数更新", node=["L"], edges=[], known=known, grads=grads,
        text=(f"<b>第 4 步 参数更新</b>：每个参数减去 η × 它的梯度（η = {lr:g}），"
              f"例如 w₁ ← {p['w2'][0]:g} − {lr:g} × ({g['w2'][0]:.4f}) = {updated.w2[0]:.4f}。<br>"
              f"用新参数再前向传播一次，损失从 {v['L']:.5f} 降到 <b>{new_loss:.5f}</b>。")))
    return frames


def backprop_explorer(net: TinyNet = TINY_NET, lr: float = 0.5) -> InteractiveFigure:
    """Chapter 7: a step slider through the four steps of backprop on the tiny network, node by node."""
    frames = _backprop_frames(net, lr)
    record = tiny_backprop(net)
    grads_of = {s.node: s.grad for s in record.steps}
    grads_of["L"] = 1.0
    fig = InteractiveFigure([Control("step", "步骤", [(f["label"], i) for i, f in enumerate(frames)], default=0)],
                            title="反向传播，一个节点一个节点地走")
    base = fig.image(lambda: _graph_axes(net)[0])

    def marks(canvas, step: int) -> None:
        frame = frames[step]
        backward = bool(frame["grads"])
        color = ORANGE if backward else BLUE
        for a, b in frame["edges"]:
            (x0, y0), (x1, y1) = GRAPH_POS[a], GRAPH_POS[b]
            length = np.hypot(x1 - x0, y1 - y0)
            ux, uy = (x1 - x0) / length * NODE_RADIUS * 1.2, (y1 - y0) / length * NODE_RADIUS * 1.2
            canvas.line([x0 + ux, x1 - ux], [y0 + uy, y1 - uy], color=color, width=5, opacity=0.7)
        for name in frame["known"]:
            x, y = GRAPH_POS[name]
            canvas.text(x, y + 0.5, f"{record.values[name]:.4f}", color=BLUE, font_size=13, dy=-4)
        for name in frame["grads"]:
            x, y = GRAPH_POS[name]
            canvas.text(x, y - 0.5, f"{grads_of[name]:.4f}", color=ORANGE, font_size=13, dy=14)
        for name in frame["node"]:
            x, y = GRAPH_POS[name]
            canvas.ellipse(x, y, NODE_RADIUS * 1.12, NODE_RADIUS * 1.12, color=color, width=4)
        canvas.note(0, 1, "蓝：前向传播算出的值", color=BLUE, font_size=13, dy=14)
        canvas.note(0, 1, "橙：反向传播算出的 ∂L/∂(该节点)", color=ORANGE, font_size=13, dy=32)

    fig.overlay(base, marks)
    fig.html(lambda step: f"<div style='font-size:15px;line-height:1.8;max-width:820px'>{frames[step]['text']}</div>")
    fig.frames_text = [f["text"] for f in frames]   # the tests read the words of every step
    return fig


# -- the loss-surface explorer --------------------------------------------------------------------
LOSS_FLOOR, LOSS_CEIL = 1e-8, 1e3


def _thin(xs: np.ndarray, ys: np.ndarray, x_span: float, y_span: float,
          min_step: float = 0.004) -> tuple[np.ndarray, np.ndarray]:
    """Drop the points closer than ``min_step`` (a fraction of the axes) to the last kept one: a lighter page."""
    keep = [0]
    for i in range(1, len(xs)):
        dx, dy = (xs[i] - xs[keep[-1]]) / x_span, (ys[i] - ys[keep[-1]]) / y_span
        if dx * dx + dy * dy >= min_step ** 2 or i == len(xs) - 1:
            keep.append(i)
    return xs[keep], ys[keep]


def _surface_background(key: str, steps: int) -> Figure:
    surface = SURFACES[key]
    fig, (ax, ax_loss) = plt.subplots(1, 2, figsize=(9.4, 3.9), gridspec_kw=dict(width_ratios=[1.25, 1]))
    gx = np.linspace(*surface.xlim, 161)
    gy = np.linspace(*surface.ylim, 141)
    W = np.stack(np.meshgrid(gx, gy), axis=-1)
    gap = surface.gap(W)
    levels = np.geomspace(max(gap[gap > 0].min(), 1e-3), gap.max(), 16)
    ax.contourf(gx, gy, gap, levels=np.r_[0, levels], cmap="Blues_r", alpha=0.55)
    ax.contour(gx, gy, gap, levels=levels, colors="#5B7FA3", linewidths=0.6)
    for m in surface.minima:
        ax.plot(*m, marker="*", ms=13, color="#222222", ls="none")
    for point in surface.saddles:
        ax.plot(*point, marker="X", ms=10, color=RED, ls="none")
        ax.annotate("鞍点", point, xytext=(8, -14), textcoords="offset points", color=RED, fontsize=10)
    ax.set_xlim(*surface.xlim)
    ax.set_ylim(*surface.ylim)
    ax.set_xlabel("w₁")
    ax.set_ylabel("w₂")
    ax.set_title(f"{surface.label}：{surface.formula}", fontsize=11)
    ax.grid(False)
    ax_loss.set_yscale("log")
    ax_loss.set_xlim(0, steps)
    ax_loss.set_ylim(LOSS_FLOOR, LOSS_CEIL)
    ax_loss.set_xlabel("步数 t")
    ax_loss.set_ylabel("f − f_min（对数刻度）")
    ax_loss.set_title("损失曲线", fontsize=11)
    for name in OPTIMIZERS:
        ax_loss.plot([], [], color=OPTIMIZER_COLORS[name], lw=2.2, label=OPTIMIZER_LABELS[name])
    ax_loss.legend(loc="lower left", fontsize=9, ncol=2)
    return fig


def loss_surface_explorer(learning_rates: Sequence[float], step_options: Sequence[int],
                          default_lr: float | None = None) -> InteractiveFigure:
    """Chapter 7: surface, learning rate (log scale), start and steps -> four optimizers' paths and loss curves."""
    rates = check_increasing(learning_rates, "learning_rates")
    step_options = [check_positive_int(s, "steps") for s in step_options]
    check_increasing(step_options, "step_options")
    max_steps = step_options[-1]
    default_lr = rates[len(rates) // 2] if default_lr is None else default_lr
    fig = InteractiveFigure([
        Control("surface", "损失曲面", [(s.label, k) for k, s in SURFACES.items()], kind="toggle"),
        Control("lr", "学习率 η（对数刻度）", rates, default=default_lr),
        Control("start", "起点", [("起点 1", 0), ("起点 2", 1), ("起点 3", 2)], kind="toggle"),
        Control("steps", "步数", step_options, default=step_options[-1], kind="toggle"),
    ], title="四种优化器在同一个曲面上：谁先到谷底？", png_colors=255)
    cache: dict[tuple, dict[str, Any]] = {}

    def runs(surface: str, lr: float, start: int) -> dict[str, Any]:
        key = (surface, lr, start)
        if key not in cache:
            point = SURFACES[surface].starts[start][1]
            cache[key] = {name: trajectory(surface, name, lr, point, max_steps) for name in OPTIMIZERS}
        return cache[key]

    # The loss axes end at the chosen number of steps: one background per (surface, steps).
    base = fig.image(lambda surface, steps: _surface_background(surface, steps))

    def marks(canvas, surface: str, lr: float, start: int, steps: int) -> None:
        s = SURFACES[surface]
        paths = runs(surface, lr, start)
        canvas.use_axes(0)
        x0, y0 = s.starts[start][1]
        for name in OPTIMIZERS:
            tr = paths[name]
            pts = tr.points[: steps + 1]
            px, py = _thin(pts[:, 0], pts[:, 1], s.xlim[1] - s.xlim[0], s.ylim[1] - s.ylim[0])
            canvas.line(px, py, color=OPTIMIZER_COLORS[name], width=2.2, opacity=0.9)
            if tr.diverged_at is None or tr.diverged_at > steps:
                canvas.points([pts[-1, 0]], [pts[-1, 1]], color=OPTIMIZER_COLORS[name], radius=4)
        canvas.points([x0], [y0], color="#000000", fill="#FFFFFF", radius=5, shape="s")
        canvas.note(0, 1, f"起点 ({x0:g}, {y0:g})，η = {lr:g}", font_size=13, dx=6, dy=18)
        canvas.use_axes(1)
        lines = []
        for name in OPTIMIZERS:
            tr = paths[name]
            gaps = np.clip(tr.gaps[: steps + 1], LOSS_FLOOR, LOSS_CEIL * 10)
            t = np.arange(len(gaps))
            diverged = tr.diverged_at is not None and tr.diverged_at <= steps
            if diverged:  # the curve leaves the plot upwards where the run diverged
                t, gaps = np.r_[t, tr.diverged_at], np.r_[gaps, LOSS_CEIL * 100]
            t, log_gaps = _thin(t, np.log10(gaps), steps, np.log10(LOSS_CEIL / LOSS_FLOOR))
            canvas.line(t, 10.0 ** log_gaps, color=OPTIMIZER_COLORS[name], width=2)
            if diverged:
                lines.append((name, f"{OPTIMIZER_LABELS[name]}：发散（第 {tr.diverged_at} 步）", RED))
            else:
                gap = float(tr.gaps[min(steps, len(tr.gaps) - 1)])
                lines.append((name, f"{OPTIMIZER_LABELS[name]}：f − f_min = {sci(gap, 1) if gap > 0 else 0}",
                              OPTIMIZER_COLORS[name]))
        for i, (_, text, color) in enumerate(lines):
            canvas.note(1, 1, text, color=color, font_size=12.5, anchor="end", dx=-4, dy=16 + 17 * i)

    fig.overlay(base, marks)
    fig.runs = runs   # the chapter asserts on the very runs the figure shows
    return fig


# -- learning-rate schedules and gradient norms ----------------------------------------------------
def draw_lr_schedules(schedules: dict[str, Sequence[float]]) -> Figure:
    """Chapter 7: η_t against the epoch t for each named schedule."""
    if not schedules:
        raise ValueError("schedules 不能为空 (schedules must not be empty)")
    fig, ax = plt.subplots(figsize=(6.4, 3.2))
    for (label, rates), color in zip(schedules.items(), (BLUE, ORANGE, GREEN, PURPLE)):
        ax.step(np.arange(len(rates)), rates, where="post", color=color, lw=2, label=label)
    ax.set_xlabel(r"轮数 $t$")
    ax.set_ylabel(r"学习率 $\eta_t$")
    ax.set_title("学习率调度")
    ax.legend(fontsize=9)
    return fig


def draw_gradient_norms(norms: dict[str, Sequence[float]]) -> Figure:
    """Chapter 7: ‖∂L/∂W⁽ˡ⁾‖ against the layer l (log scale), one line per network."""
    if not norms:
        raise ValueError("norms 不能为空 (norms must not be empty)")
    fig, ax = plt.subplots(figsize=(6.4, 3.6))
    for (label, values), color, marker in zip(norms.items(), (BLUE, ORANGE, RED), "os^"):
        values = np.asarray(values, float)
        ax.semilogy(np.arange(1, len(values) + 1), values, marker=marker, color=color, lw=1.8, label=label)
    ax.set_xlabel(r"第 $l$ 层（1 是最靠近输入的层）")
    ax.set_ylabel(r"$\Vert\partial L/\partial \mathbf{W}^{(l)}\Vert$（对数刻度）")
    ax.set_title("10 层网络每一层权重的梯度范数")
    ax.set_xticks(np.arange(1, len(next(iter(norms.values()))) + 1))
    ax.legend(fontsize=9)
    return fig

