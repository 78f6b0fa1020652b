"""Chapter 2: drawings and interactive figures for K-nearest neighbours."""

from __future__ import annotations

from typing import Any, Sequence

import matplotlib.pyplot as plt
import numpy as np
import torch
from matplotlib.figure import Figure
from matplotlib.patches import Circle

from ..interactive import Control, InteractiveFigure
from ..knn import METRICS, knn_regress, nearest_neighbors, vote_counts
from ..plotting import MARKERS, PALETTE, REGION_PALETTE
from ..validation import as_class_labels, as_float_matrix, as_vector, check_k

METRIC_LABELS = {"euclidean": "欧氏距离", "manhattan": "曼哈顿距离"}


def _manhattan_ball(center: Sequence[float], radius: float) -> tuple[np.ndarray, np.ndarray]:
    """Outline of the points at Manhattan distance `radius` from `center`: a diamond.

    (The Euclidean ball is a circle: ``canvas.ellipse`` draws it.)
    """
    cx, cy = center
    return (np.array([cx + radius, cx, cx - radius, cx, cx + radius]),
            np.array([cy, cy + radius, cy, cy - radius, cy]))


def draw_wolf_packs(X: np.ndarray, y: np.ndarray, new_print: np.ndarray, k: int | None = None,
                    class_names: Sequence[str] = ("狼群 A", "狼群 B"),
                    ax: plt.Axes | None = None) -> Figure:
    """Chapter 2's opening figure: two packs, the new paw print and (optionally) its k neighbours.

    Draws on ``ax`` when given (one panel of a larger figure), else on a new figure;
    returns the figure either way.
    """
    X = as_float_matrix(X, "X")
    y = as_class_labels(y, "y", length=X.shape[0])
    if ax is None:
        _, ax = plt.subplots(figsize=(6.4, 4.6))
    for label, name in enumerate(class_names):
        pts = X[y == label]
        ax.scatter(pts[:, 0], pts[:, 1], s=90, marker=MARKERS[label], color=PALETTE[label],
                   edgecolor="black", linewidth=0.6, label=name, zorder=3)
    ax.scatter(*new_print, s=320, marker="*", color=PALETTE[3], edgecolor="black", zorder=4,
               label="新爪印")
    if k is not None:
        k = check_k(k, X.shape[0])
        dist, idx = nearest_neighbors(X, new_print[None, :], k)
        radius = float(dist[0, -1])
        ax.add_patch(Circle(new_print, radius, fill=False, linestyle="--", color="gray", zorder=2))
        for j in idx[0].tolist():
            ax.plot([new_print[0], X[j, 0]], [new_print[1], X[j, 1]], color="gray", lw=1, zorder=2)
            ax.annotate(f"{np.hypot(*(X[j] - new_print)):.2f}", (X[j, 0], X[j, 1]),
                        textcoords="offset points", xytext=(7, 7), fontsize=9)
        ax.set_title(f"K = {k}：虚线圆内是离新爪印最近的 {k} 个爪印")
    ax.set_aspect("equal")
    ax.set_xlabel("特征 1（爪印位置 x）")
    ax.set_ylabel("特征 2（爪印位置 y）")
    ax.legend(loc="upper right", fontsize=9)
    return ax.figure


def knn_classifier_explorer(X: Any, y: Any, class_names: Sequence[str], feature_names: Sequence[str],
                            xs: Sequence[float], ys: Sequence[float], k_values: Sequence[int] = range(1, 26),
                            grid_steps: int = 150) -> InteractiveFigure:
    """Chapter 2: K, distance and test point -> decision regions, the K neighbours and their vote.

    The axes and the samples are drawn once; the decision regions are a coarse raster
    (one per metric and K) laid under them, scaled by the browser. The test point, the
    lines to its neighbours, the "ball" that holds them (a circle for Euclidean, a
    diamond for Manhattan distance) and the vote bars are cheap vector overlays.
    """
    X = as_float_matrix(X, "X")
    y = as_class_labels(y, "y", length=X.shape[0], n_classes=len(class_names))
    if X.shape[1] != 2:
        raise ValueError(f"这张图需要两个特征 (this figure needs exactly 2 features), got {X.shape[1]}")
    k_values = [check_k(k, X.shape[0]) for k in k_values]
    n_classes = len(class_names)
    k_max = max(k_values)
    pad = 0.4
    x_lim = (min(X[:, 0].min(), min(xs)) - pad, max(X[:, 0].max(), max(xs)) + pad)
    y_lim = (min(X[:, 1].min(), min(ys)) - pad, max(X[:, 1].max(), max(ys)) + pad)
    gx, gy = np.meshgrid(np.linspace(*x_lim, grid_steps), np.linspace(*y_lim, grid_steps))
    grid = np.column_stack([gx.ravel(), gy.ravel()])
    tests = np.array([(tx, ty) for tx in xs for ty in ys])
    labels = torch.as_tensor(y)

    # Neighbours are sorted once for the largest K; the first K columns answer every
    # smaller K (the stable sort makes that exact), and cumulative one-hot counts give
    # every K's vote at once.
    grid_votes, test_dist, test_idx = {}, {}, {}
    for metric in METRICS:
        _, idx = nearest_neighbors(X, grid, k_max, metric)
        grid_votes[metric] = torch.nn.functional.one_hot(labels[idx], n_classes).cumsum(dim=1).numpy()
        dist, idx = nearest_neighbors(X, tests, k_max, metric)
        test_dist[metric], test_idx[metric] = dist.numpy(), idx.numpy()

    def samples() -> Figure:
        fig, (ax, vote_ax) = plt.subplots(1, 2, figsize=(7.6, 4.4), layout="none",
                                          gridspec_kw={"width_ratios": [3.1, 1]})
        fig.subplots_adjust(left=0.09, right=0.98, bottom=0.12, top=0.91, wspace=0.08)
        fig.patch.set_alpha(0)  # the decision regions show through, from the layer below
        ax.set_facecolor("none")
        for c in range(n_classes):
            pts = X[y == c]
            ax.scatter(pts[:, 0], pts[:, 1], s=24, marker=MARKERS[c], color=PALETTE[c],
                       edgecolor="black", linewidth=0.4, label=class_names[c])
        ax.set_xlim(*x_lim)
        ax.set_ylim(*y_lim)
        ax.set_aspect("equal", adjustable="box")
        ax.grid(False)
        ax.set_xlabel(feature_names[0])
        ax.set_ylabel(feature_names[1])
        ax.legend(loc="upper right", fontsize=8, framealpha=0.9)
        # The right-hand axes is an empty stage for the vote bars of the overlay.
        vote_ax.set_xlim(0, 1)
        vote_ax.set_ylim(-0.7, n_classes + 0.5)
        vote_ax.invert_yaxis()
        vote_ax.set_xticks([])
        vote_ax.set_yticks([])
        vote_ax.grid(False)
        for side in ("left", "bottom"):
            vote_ax.spines[side].set_visible(False)
        return fig

    def regions(canvas, metric: str, k: int) -> None:
        winner = grid_votes[metric][:, k - 1, :].argmax(axis=1).reshape(gx.shape)
        canvas.raster(winner, (*x_lim, *y_lim), REGION_PALETTE[:n_classes])

    def titles(canvas, metric: str, k: int) -> None:
        canvas.note(0.5, 1, f"K = {k}，{METRIC_LABELS[metric]}：决策区域", anchor="middle", dy=-8, font_size=15)
        canvas.use_axes(1)
        canvas.note(0.5, 1, f"{k} 个邻居的投票", anchor="middle", dy=-8, font_size=14)

    def test_point(canvas, test_x: float, test_y: float) -> None:
        canvas.points([test_x], [test_y], color="#000000", fill=PALETTE[3], radius=11, shape="*", width=1)

    def neighbours(canvas, metric: str, k: int, test_x: float, test_y: float, test_x_index: int,
                   test_y_index: int) -> None:
        # What depends on all four controls has many frames: it is kept to the least.
        row = test_x_index * len(ys) + test_y_index  # `tests` runs over ys fastest
        dist, idx = test_dist[metric][row, :k], test_idx[metric][row, :k]
        radius = float(dist[-1])
        if metric == "euclidean":
            canvas.ellipse(test_x, test_y, radius, radius, color="#333333", fill="#ffffff",
                           fill_opacity=0.3, width=1.2, dash="5 3")
        else:
            bx, by = _manhattan_ball((test_x, test_y), radius)
            canvas.polygon(bx, by, color="#333333", fill="#ffffff", fill_opacity=0.3, width=1.2, dash="5 3")
        canvas.segments([test_x] * k, [test_y] * k, X[idx, 0], X[idx, 1], color="#333333", width=1)
        canvas.points(X[idx, 0], X[idx, 1], color="#000000", fill="none", radius=7, width=1.8)

        counts = vote_counts(y[idx], n_classes)
        winner = int(counts.argmax())  # first maximum: a tie goes to the smallest label
        canvas.use_axes(1)
        for c in range(n_classes):
            canvas.rect(0.05, c - 0.05, 0.05 + 0.9 * counts[c] / k, c + 0.35, fill=PALETTE[c], fill_opacity=0.85)
            canvas.text(0.05, c - 0.12, f"{class_names[c]}：{counts[c]} 票", anchor="start", font_size=14,
                        bold=c == winner)
        tied = int((counts == counts.max()).sum()) > 1
        verdict = f"预测：{class_names[winner]}" + ("（平票取最小标签）" if tied else "")
        canvas.text(0.5, n_classes + 0.1, verdict, font_size=14, bold=True, color=PALETTE[winner])

    fig = InteractiveFigure(
        [
            Control("k", "K（邻居个数）", k_values, default=min(5, k_max)),
            Control("metric", "距离", [(METRIC_LABELS[m], m) for m in METRICS], kind="toggle"),
            Control("test_x", f"测试点的{feature_names[0]}", list(xs), default=xs[len(xs) // 2]),
            Control("test_y", f"测试点的{feature_names[1]}", list(ys), default=ys[len(ys) // 2]),
        ],
        title="K、距离和测试点的位置如何决定预测？",
    )
    base = fig.image(samples)
    fig.overlay(base, regions, below=True)
    fig.overlay(base, titles)
    fig.overlay(base, neighbours)
    fig.overlay(base, test_point)
    return fig


def knn_regression_explorer(x_train: Any, y_train: Any, x_test: Any, y_test: Any, x_label: str,
                            y_label: str, queries: Sequence[float], k_values: Sequence[int] = range(1, 26)
                            ) -> InteractiveFigure:
    """Chapter 2: K -> the KNN regression curve (mean of K neighbours) and the error it makes.

    A second control picks one query point; the overlay shows its K neighbours and
    their mean, the value the curve takes there.
    """
    xtr = as_vector(x_train, "x_train").astype(float)
    ytr = as_vector(y_train, "y_train", length=len(xtr)).astype(float)
    xte = as_vector(x_test, "x_test").astype(float)
    yte = as_vector(y_test, "y_test", length=len(xte)).astype(float)
    k_values = [check_k(k, len(xtr)) for k in k_values]
    curve_x = np.linspace(min(xtr.min(), xte.min()), max(xtr.max(), xte.max()), 400)
    x_lim = (curve_x[0] - 0.5, curve_x[-1] + 0.5)
    y_lim = (min(ytr.min(), yte.min()) - 20, max(ytr.max(), yte.max()) + 20)
    train_col, test_col, curve_col = PALETTE[5], PALETTE[1], PALETTE[0]

    def mse(k: int) -> tuple[float, float]:
        fit = knn_regress(xtr[:, None], ytr, xtr[:, None], k)
        pred = knn_regress(xtr[:, None], ytr, xte[:, None], k)
        return float(np.mean((fit - ytr) ** 2)), float(np.mean((pred - yte) ** 2))

    errors = {k: mse(k) for k in k_values}

    def samples() -> Figure:
        fig, ax = plt.subplots(figsize=(6.6, 4.2), layout="none")
        fig.subplots_adjust(left=0.11, right=0.98, bottom=0.13, top=0.91)
        ax.scatter(xtr, ytr, s=12, color=train_col, alpha=0.7, label="训练样本")
        ax.scatter(xte, yte, s=14, color=test_col, marker="^", alpha=0.8, label="测试样本")
        ax.plot([], [], color=curve_col, lw=2, label="KNN 的预测曲线")  # drawn by the overlay
        ax.set_xlim(*x_lim)
        ax.set_ylim(*y_lim)
        ax.set_xlabel(x_label)
        ax.set_ylabel(y_label)
        ax.legend(loc="upper left", fontsize=8)
        return fig

    def prediction_curve(canvas, k: int) -> None:
        pred = knn_regress(xtr[:, None], ytr, curve_x[:, None], k)
        # The curve is a staircase: keep only the points where it changes (a lighter page).
        keep = np.r_[True, (pred[1:-1] != pred[:-2]) | (pred[1:-1] != pred[2:]), True]
        canvas.line(curve_x[keep], pred[keep], color=curve_col, width=2)
        canvas.note(0.5, 1, f"K = {k}：训练 MSE {errors[k][0]:.0f}，测试 MSE {errors[k][1]:.0f}",
                    anchor="middle", dy=-8, font_size=15)

    def overlay(canvas, k: int, query: float) -> None:
        dist, idx = nearest_neighbors(xtr[:, None], np.array([[query]]), k)
        idx = idx[0].numpy()
        mean = float(ytr[idx].mean())
        canvas.line([query, query], list(y_lim), color="#555555", width=1, dash="4 3")
        canvas.points(xtr[idx], ytr[idx], color="#000000", fill="none", radius=6, width=1.6)
        half = float(dist[0, -1])
        canvas.line([query - half, query + half], [mean, mean], color=PALETTE[3], width=3)
        canvas.points([query], [mean], color="#000000", fill=PALETTE[3], radius=9, shape="*", width=1)
        canvas.text(query, mean, f"均值 {mean:.0f}", dy=-12, color=PALETTE[3], bold=True)

    fig = InteractiveFigure(
        [
            Control("k", "K（邻居个数）", k_values, default=min(10, max(k_values))),
            Control("query", f"查询点：{x_label}", list(queries), default=queries[len(queries) // 2]),
        ],
        title="K 越大，回归曲线越平滑：是好事还是坏事？",
    )
    base = fig.image(samples)
    fig.overlay(base, prediction_curve)
    fig.overlay(base, overlay)
    return fig
