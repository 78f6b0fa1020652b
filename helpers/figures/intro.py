"""Chapter 1 (引言): its drawings and interactive figures.

    draw_cat_dog             1.1  nearest-centroid "model" on generated cat/dog measurements
    draw_regression_fit      1.2  a fitted line through a 1-D regression problem
    draw_clustering          1.2  the data without labels, the clusters found, the true species
    kmeans_explorer          1.2  interactive: K-means step by step, for K = 2, 3, 4
    draw_workflow            1.3  the six steps of a machine-learning project
    leakage_explorer         1.4  interactive: feature selection before / after the split

The chapter's decision regions and confusion matrix are drawn by ``helpers.figures.common``,
which later chapters share.
"""

from __future__ import annotations

from typing import Any, Sequence

import matplotlib.pyplot as plt
import numpy as np
from matplotlib.figure import Figure
from matplotlib.patches import FancyArrowPatch, FancyBboxPatch

from ..interactive import Control, InteractiveFigure
from ..plotting import MARKERS, PALETTE
from ..validation import as_class_labels, as_float_matrix, as_vector

GREY = "#7F7F7F"


def draw_cat_dog(X: Any, y: Any, centroids: Any, new_point: Any, new_label: int,
                 class_names: Sequence[str] = ("猫", "狗")) -> Figure:
    """Chapter 1: the generated cat/dog data, the two class means and the new animal."""
    X, y = as_float_matrix(X, "X"), as_class_labels(y, "y", length=len(X))
    centroids = as_float_matrix(centroids, "centroids")
    fig, ax = plt.subplots(figsize=(6.4, 5.0))
    for c, name in enumerate(class_names):
        ax.scatter(*X[y == c].T, s=28, color=PALETTE[c], marker=MARKERS[c], alpha=0.75, label=f"{name}（训练样本）")
        ax.scatter(*centroids[c], s=260, color=PALETTE[c], marker="X", edgecolor="black", linewidth=1.2,
                   label=f"{name}的平均值（学到的“模型”）")
    # the boundary: points equally far from both means (the perpendicular bisector)
    mid, normal = centroids.mean(axis=0), centroids[1] - centroids[0]
    xs = np.linspace(X[:, 0].min() - 1, X[:, 0].max() + 1, 2)
    ax.plot(xs, mid[1] - normal[0] / normal[1] * (xs - mid[0]), color=GREY, linestyle="--", label="分界线（到两个平均值一样远）")
    new_point = np.asarray(new_point, float)
    ax.scatter(*new_point, s=320, marker="*", color=PALETTE[new_label], edgecolor="black", zorder=5,
               label=f"新来的动物 → 预测为{class_names[new_label]}")
    for c in range(2):
        ax.plot(*np.column_stack([new_point, centroids[c]]), color=PALETTE[c], linewidth=1, linestyle=":")
    ax.set_xlim(X[:, 0].min() - 1, X[:, 0].max() + 1)
    ax.set_ylim(X[:, 1].min() - 1, X[:, 1].max() + 1)
    ax.set_xlabel("体重（kg）")
    ax.set_ylabel("鼻子长度（cm）")
    ax.set_title("从数据中“学到”规律，再用它预测新样本（模拟数据）")
    fig.legend(fontsize=8.5, loc="outside lower center", ncol=2)
    return fig


def draw_regression_fit(x_train: Any, y_train: Any, x_test: Any, y_test: Any, w: float, b: float,
                        xlabel: str, ylabel: str, title: str) -> Figure:
    """Chapter 1: training and test points of a 1-D regression problem and the line y = w x + b."""
    x_train, y_train = as_vector(x_train, "x_train"), as_vector(y_train, "y_train")
    x_test, y_test = as_vector(x_test, "x_test"), as_vector(y_test, "y_test")
    fig, ax = plt.subplots(figsize=(6.4, 4.0))
    ax.scatter(x_train, y_train, s=14, color=PALETTE[0], alpha=0.45, label="训练样本")
    ax.scatter(x_test, y_test, s=22, color=PALETTE[1], marker="s", alpha=0.8, label="测试样本")
    xs = np.linspace(min(x_train.min(), x_test.min()), max(x_train.max(), x_test.max()), 2)
    ax.plot(xs, w * xs + b, color=PALETTE[3], linewidth=2.5, label=f"学到的直线 ŷ = {w:.2f}x {b:+.1f}")
    ax.set_xlabel(xlabel)
    ax.set_ylabel(ylabel)
    ax.set_title(title)
    ax.legend(fontsize=9, loc="upper left")
    return fig


def _scatter_groups(ax: plt.Axes, X: np.ndarray, labels: np.ndarray | None, names: Sequence[str] | None) -> None:
    if labels is None:
        ax.scatter(*X.T, s=16, color=GREY, alpha=0.6)
        return
    for c in range(int(labels.max()) + 1):
        name = names[c] if names is not None else f"簇 {c + 1}"
        ax.scatter(*X[labels == c].T, s=16, color=PALETTE[c], marker=MARKERS[c], alpha=0.7, label=name)


def draw_clustering(X: Any, cluster_labels: Any, centers: Any, species: Any, species_names: Sequence[str],
                    xlabel: str, ylabel: str) -> Figure:
    """Chapter 1: three panels: the data as K-means sees it (no labels), its clusters, the true species."""
    X = as_float_matrix(X, "X")
    cluster_labels = as_class_labels(cluster_labels, "cluster_labels", length=len(X))
    species = as_class_labels(species, "species", length=len(X))
    centers = as_float_matrix(centers, "centers")
    fig, axes = plt.subplots(1, 3, figsize=(7.6, 3.1), sharex=True, sharey=True)
    _scatter_groups(axes[0], X, None, None)
    axes[0].set_title("算法看到的：没有标签", fontsize=10.5)
    _scatter_groups(axes[1], X, cluster_labels, None)
    axes[1].scatter(*centers.T, s=120, marker="X", color="black", label="簇中心")
    axes[1].set_title(f"K-means 找到的 {len(centers)} 个簇", fontsize=10.5)
    _scatter_groups(axes[2], X, species, species_names)
    axes[2].set_title("真实品种（算法从未见过）", fontsize=10.5)
    for ax in axes:
        ax.set_xlabel(xlabel, fontsize=9.5)
    axes[0].set_ylabel(ylabel, fontsize=9.5)
    axes[1].legend(fontsize=7.5, loc="upper left", handletextpad=0.1, borderpad=0.3)
    axes[2].legend(fontsize=7.5, loc="upper left", handletextpad=0.1, borderpad=0.3)
    return fig


def kmeans_explorer(X: Any, histories: dict[int, list[dict[str, Any]]], xlabel: str, ylabel: str,
                    default_k: int = 3) -> InteractiveFigure:
    """Chapter 1: interactive K-means: K and the step -> points coloured by cluster, centres, inertia."""
    X = as_float_matrix(X, "X")
    if not histories:
        raise ValueError("histories 不能为空 (histories must not be empty)")
    n_steps = max(len(h) for h in histories.values())
    lo, hi = X.min(axis=0), X.max(axis=0)
    pad = 0.06 * (hi - lo)
    step_labels = [(f"{s}", s) for s in range(n_steps)]
    fig = InteractiveFigure([
        Control("k", "簇数 K", [(f"K = {k}", k) for k in histories], default=default_k, kind="toggle"),
        Control("step", "步骤", step_labels, default=0),
    ], title="K-means 是怎样一步步找到簇的？（先把每个点分给最近的中心，再把中心移到簇的平均位置）")

    def state(k: int, step: int) -> tuple[dict[str, Any], bool]:
        history = histories[k]
        return history[min(step, len(history) - 1)], step >= len(history) - 1

    def draw_axes() -> plt.Figure:
        # drawn once: the points in light grey; the overlay colours them frame by frame
        f, ax = plt.subplots(figsize=(6.0, 4.0))
        ax.scatter(*X.T, s=18, color=GREY, alpha=0.35)
        ax.set_xlim(lo[0] - pad[0], hi[0] + pad[0])
        ax.set_ylim(lo[1] - pad[1], hi[1] + pad[1])
        ax.set_xlabel(xlabel)
        ax.set_ylabel(ylabel)
        return f

    shapes = ("o", "s", "x", "*")
    words = {"init": "初始：随机挑 K 个点当中心", "assign": "分配：每个点归入最近的中心",
             "update": "更新：中心移到本簇点的平均位置"}

    def marks(canvas: Any, k: int, step: int) -> None:
        s, done = state(k, step)
        if s["labels"] is not None:
            for c in range(k):
                members = X[s["labels"] == c]
                canvas.points(members[:, 0], members[:, 1], color=PALETTE[c], radius=3.5,
                              shape=shapes[c % len(shapes)], width=1.2)
        if s["kind"] == "update":
            before = histories[k][min(step, len(histories[k]) - 1) - 1]["centers"]
            canvas.segments(before[:, 0], before[:, 1], s["centers"][:, 0], s["centers"][:, 1],
                            color="black", width=2)
            canvas.points(before[:, 0], before[:, 1], color="black", fill="none", radius=6, width=1.5)
        for c, center in enumerate(s["centers"]):
            canvas.points([center[0]], [center[1]], color="black", fill=PALETTE[c], radius=14, shape="*")
        title = f"第 {step} 步　{words[s['kind']]}" + ("（已收敛）" if done and step > 0 else "")
        canvas.note(0, 1, title, font_size=15, dx=6, dy=20)

    def panel(k: int, step: int) -> str:
        s, done = state(k, step)
        history = histories[k]
        current = min(step, len(history) - 1)
        cell = "padding:2px 6px;border:1px solid #ddd;text-align:center"
        head, values = [], []
        for i, h in enumerate(history):
            mark = ";background:#FCEFD6;font-weight:bold" if i == current else ""
            head.append(f'<td style="{cell}{mark}">{i}</td>')
            value = "—" if h["inertia"] is None else f"{h['inertia']:.1f}"
            values.append(f'<td style="{cell}{mark}">{value}</td>')
        note = ("分配不再变化，算法停止：后面的步骤都和这一步相同。" if done and step > 0 else
                "簇内平方和 J 每一步都不会增加，而分组的可能只有有限多种：所以 K-means 一定会停下来。")
        j_now = "—" if s["inertia"] is None else f"{s['inertia']:.2f}"
        return (f"<p style='margin:4px 0'><b>K = {k}</b>：{len(history) - 1} 步后收敛。"
                f"当前第 {current} 步，J = {j_now}。</p>"
                "<table style='border-collapse:collapse;font-size:90%'>"
                f"<tr><th style='{cell}'>步骤</th>{''.join(head)}</tr>"
                f"<tr><th style='{cell}'>J</th>{''.join(values)}</tr></table>"
                f"<p style='margin:4px 0'>{note}</p>")

    base = fig.image(draw_axes)
    fig.overlay(base, marks)
    fig.html(panel)
    return fig


def draw_workflow(details: Sequence[str] | None = None) -> Figure:
    """Chapter 1: the six steps of a machine-learning project as boxes and arrows (with a feedback loop)."""
    titles = ["① 用户数据", "② 数据预处理", "③ 特征工程", "④ 机器学习", "⑤ 模型评估", "⑥ 离线 / 在线服务"]
    if details is None:
        details = ["原始样本与记录", "清洗、转换、规范化", "提取或构造关键特征", "从数据中学出模型",
                   "用指标检验泛化能力", "批量处理 / 实时响应"]
    details = [str(d) for d in details]
    if len(details) != 6:
        raise ValueError(f"details 需要 6 条说明 (details needs 6 entries), got {len(details)}")
    fig, ax = plt.subplots(figsize=(7.4, 4.0))
    ax.set_xlim(0, 12)
    ax.set_ylim(-1.0, 6.2)
    ax.axis("off")
    width, height = 3.6, 1.8
    top, bottom = 4.6, 1.4
    centers = [(2.0, top), (6.0, top), (10.0, top), (2.0, bottom), (6.0, bottom), (10.0, bottom)]
    colors = [PALETTE[0], PALETTE[0], PALETTE[2], PALETTE[1], PALETTE[3], PALETTE[4]]
    for (cx, cy), title, detail, color in zip(centers, titles, details, colors):
        ax.add_patch(FancyBboxPatch((cx - width / 2, cy - height / 2), width, height,
                                    boxstyle="round,pad=0.02,rounding_size=0.2", facecolor="white",
                                    edgecolor=color, linewidth=2.0))
        ax.text(cx, cy + 0.45, title, ha="center", va="center", fontsize=13, color=color)
        ax.text(cx, cy - 0.25, detail, ha="center", va="center", fontsize=10.5, color="#333333",
                linespacing=1.3)

    def arrow(start: tuple[float, float], end: tuple[float, float], **style: Any) -> None:
        ax.add_patch(FancyArrowPatch(start, end, arrowstyle="-|>", mutation_scale=15, linewidth=1.6,
                                     color=style.pop("color", "#333333"), **style))

    half = width / 2 + 0.04
    arrow((centers[0][0] + half, top), (centers[1][0] - half, top))
    arrow((centers[1][0] + half, top), (centers[2][0] - half, top))
    # line wrap: from step 3 down and back to the start of the second row
    wrap_y = (top + bottom) / 2
    ax.plot([10.0, 10.0, 2.0, 2.0], [top - height / 2 - 0.04, wrap_y, wrap_y, wrap_y - 0.05],
            color="#333333", linewidth=1.6, solid_joinstyle="round")
    arrow((2.0, wrap_y - 0.06), (2.0, bottom + height / 2 + 0.04))
    arrow((centers[3][0] + half, bottom), (centers[4][0] - half, bottom))
    arrow((centers[4][0] + half, bottom), (centers[5][0] - half, bottom))
    # evaluation not good enough: go back and change the features or the model
    arrow((6.0, bottom - height / 2 - 0.04), (2.0, bottom - height / 2 - 0.04),
          connectionstyle="arc3,rad=-0.25", linestyle="--", color=PALETTE[3])
    ax.text(4.0, -0.85, "评估不满意：回到前面的步骤修改", ha="center", va="bottom", fontsize=10.5,
            color=PALETTE[3])
    ax.set_title("机器学习的开发流程", fontsize=13)
    return fig


def leakage_explorer(results: dict[tuple[str, float], np.ndarray], ks: Sequence[int],
                     test_ratios: Sequence[float], n_samples: int, n_features: int) -> InteractiveFigure:
    """Chapter 1: interactive data-leakage demo from ``helpers.intro.noise_selection_experiment``.

    Controls: when the features are selected (before / after the split), the test
    ratio and k. The image shows every repeat's test accuracy against k; the overlay
    marks the chosen k; the panel gives the numbers and says what they mean.
    """
    ks = list(ks)
    test_ratios = list(test_ratios)
    missing = [(t, r) for t in ("before", "after") for r in test_ratios if (t, r) not in results]
    if missing:
        raise ValueError(f"results 缺少这些组合 (results lack these combinations): {missing}")
    n_repeats = next(iter(results.values())).shape[0]
    timing_names = {"before": "划分前选特征（泄露）", "after": "划分后、只用训练集选特征"}
    timing_colors = {"before": PALETTE[3], "after": PALETTE[0]}
    jitter = np.random.default_rng(0).uniform(-0.18, 0.18, size=(n_repeats, len(ks)))
    xs = np.arange(len(ks))

    fig = InteractiveFigure([
        Control("timing", "何时选特征", [("划分前（泄露）", "before"), ("划分后（正确）", "after")],
                default="before", kind="toggle"),
        Control("ratio", "测试集比例", [(f"{r:.0%}", r) for r in test_ratios], default=test_ratios[0]),
        Control("k", "选出的特征数 k", [(str(k), k) for k in ks], default=ks[len(ks) // 2]),
    ], title="在纯噪声上，特征选择放在划分前，测试准确率会骗人吗？")

    def draw(timing: str, ratio: float) -> plt.Figure:
        acc = results[(timing, ratio)]
        other = "after" if timing == "before" else "before"
        f, ax = plt.subplots(figsize=(6.4, 4.8))
        ax.axhline(0.5, color="black", linewidth=1.2, linestyle=":", label="随机猜测（50%）")
        ax.scatter((xs + jitter).ravel(), acc.ravel(), s=12, color=timing_colors[timing], alpha=0.35,
                   label=f"{n_repeats} 次重复实验")
        ax.plot(xs, acc.mean(axis=0), color=timing_colors[timing], marker="o", linewidth=2.2, label="平均值")
        ax.plot(xs, results[(other, ratio)].mean(axis=0), color=GREY, linestyle="--", marker=".",
                label=f"对照：{timing_names[other]}（平均）")
        ax.set_xticks(xs, [str(k) for k in ks])
        ax.set_xlim(-0.6, len(ks) - 0.4)
        ax.set_ylim(0.1, 1.08)
        ax.set_xlabel(f"选出的特征数 k（从 {n_features} 个纯噪声特征中）")
        ax.set_ylabel("测试集准确率")
        ax.set_title(f"{timing_names[timing]}，测试集 {ratio:.0%}")
        f.legend(fontsize=8.5, loc="outside lower center", ncol=2)
        return f

    def mark(canvas: Any, timing: str, ratio: float, k_index: int) -> None:
        i = k_index
        mean = float(results[(timing, ratio)][:, i].mean())
        canvas.line([i, i], [0.1, 1.08], color="black", width=1.2, dash="4,3", opacity=0.7)
        canvas.points([i], [mean], color="black", fill=timing_colors[timing], radius=11, shape="*")
        canvas.text(i, mean, f"{mean:.0%}", dy=-16, font_size=14, bold=True)

    def panel(timing: str, ratio: float, k: int, k_index: int) -> str:
        acc = results[(timing, ratio)][:, k_index]
        n_test = int(np.ceil(n_samples * ratio))
        if timing == "before":
            order = "全部数据 → <b>选特征</b> → 划分 → 训练 → 测试"
            verdict = (f"平均准确率 {acc.mean():.1%}，比随机猜测高 {100 * (acc.mean() - 0.5):.0f} 个百分点。"
                       "可数据是纯噪声，根本没有规律可学：这是<b>假象</b>。选特征时看过了测试样本的标签，"
                       "挑出的恰好是“碰巧”能把测试样本分开的特征。")
        else:
            order = "全部数据 → 划分 → 训练集上<b>选特征</b> → 训练 → 测试"
            verdict = (f"平均准确率 {acc.mean():.1%}，和随机猜测（50%）只差 {100 * abs(acc.mean() - 0.5):.1f} "
                       "个百分点：这才是真实水平。纯噪声里没有规律，诚实的流程也就给出“学不到东西”的结论。")
        p = "<p style='margin:3px 0'>"
        return (
            f"{p}<b>流程</b>：{order}</p>"
            f"{p}{n_samples} 个样本，测试集 {n_test} 个；从 {n_features} 个噪声特征里选 k = {k} 个。</p>"
            f"{p}{n_repeats} 次重复：准确率最低 {acc.min():.0%}，平均 {acc.mean():.1%}，最高 {acc.max():.0%}。</p>"
            f"<p style='margin:3px 0;color:{timing_colors[timing]}'>{verdict}</p>"
        )

    base = fig.image(draw)
    fig.overlay(base, mark)
    fig.html(panel)
    return fig
