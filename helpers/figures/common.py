"""Drawings that several chapters share; each returns a matplotlib Figure.

    draw_decision_regions   1.2  a classifier's regions in a 2-D feature plane, with its data
    draw_confusion_matrix   1.3  a confusion matrix; the cells can be named (TN / FP / FN / TP)
    draw_training_curves    4.7  training loss and train / test accuracy per epoch
    draw_digit_samples      4.7  8x8 digit images titled with their labels
    draw_misclassified      4.9  digits a model got wrong: truth, prediction, probability
    image_grid                   an empty grid of image axes, for drawings like the two above
"""

from __future__ import annotations

from typing import Any, Callable, Sequence

import matplotlib.pyplot as plt
import numpy as np
from matplotlib.colors import ListedColormap
from matplotlib.figure import Figure

from ..plotting import MARKERS, PALETTE, REGION_PALETTE
from ..validation import as_class_labels, as_float_matrix, as_vector, check_positive_int

#: Names of the cells of a binary confusion matrix (rows: true 0, 1; columns: predicted 0, 1; 1 is positive).
BINARY_CELL_NAMES: tuple[tuple[str, str], tuple[str, str]] = (
    ("真负例 TN", "假正例 FP"),
    ("假负例 FN", "真正例 TP"),
)


# -- classifiers in the plane and their errors ---------------------------------------------------
def draw_decision_regions(predict: Callable[[np.ndarray], np.ndarray], X_train: Any, y_train: Any,
                          X_test: Any, y_test: Any, class_names: Sequence[str],
                          xlabel: str, ylabel: str, title: str, resolution: int = 300) -> Figure:
    """Chapter 1: the regions a 2-feature classifier assigns, with training and test points."""
    X_train, X_test = as_float_matrix(X_train, "X_train"), as_float_matrix(X_test, "X_test")
    y_train = as_class_labels(y_train, "y_train", length=len(X_train))
    y_test = as_class_labels(y_test, "y_test", length=len(X_test))
    resolution = check_positive_int(resolution, "resolution")
    both = np.vstack([X_train, X_test])
    lo, hi = both.min(axis=0), both.max(axis=0)
    pad = 0.08 * (hi - lo)
    gx, gy = np.meshgrid(np.linspace(lo[0] - pad[0], hi[0] + pad[0], resolution),
                         np.linspace(lo[1] - pad[1], hi[1] + pad[1], resolution))
    regions = np.asarray(predict(np.column_stack([gx.ravel(), gy.ravel()]))).reshape(gx.shape)
    n_classes = len(class_names)
    fig, ax = plt.subplots(figsize=(6.4, 4.2))
    ax.pcolormesh(gx, gy, regions, cmap=ListedColormap(REGION_PALETTE[:n_classes]), vmin=-0.5,
                  vmax=n_classes - 0.5, shading="auto")
    for c, name in enumerate(class_names):
        ax.scatter(*X_train[y_train == c].T, s=22, color=PALETTE[c], marker=MARKERS[c], alpha=0.6,
                   label=f"{name}（训练）")
        ax.scatter(*X_test[y_test == c].T, s=46, color=PALETTE[c], marker=MARKERS[c], edgecolor="black",
                   linewidth=1.0, label=f"{name}（测试）")
    ax.set_xlabel(xlabel)
    ax.set_ylabel(ylabel)
    ax.set_title(title)
    ax.grid(False)
    ax.legend(fontsize=8.5, ncol=2, loc="upper left")
    return fig


def draw_confusion_matrix(cm: Any, class_names: Sequence[str] | None = None, *,
                          cell_names: Sequence[Sequence[str]] | None = None, title: str = "混淆矩阵",
                          xlabel: str = "预测类别", ylabel: str = "真实类别") -> Figure:
    """Chapter 1: a confusion matrix (rows: true class, columns: predicted) with its counts written in.

    ``class_names`` label the rows and columns (default 0, 1, ...). ``cell_names``, one per
    cell (``BINARY_CELL_NAMES`` for two classes), are written under the counts. Errors (off
    the diagonal) are written in vermillion; without cell names, zero counts are left blank
    so that the errors stand out in a large matrix.
    """
    cm = as_float_matrix(cm, "cm")
    k = cm.shape[0]
    if cm.shape[1] != k:
        raise ValueError(f"混淆矩阵必须是方阵 (a confusion matrix must be square), got shape {cm.shape}")
    if np.any(cm < 0):
        raise ValueError("混淆矩阵的计数不能为负 (confusion-matrix counts cannot be negative)")
    labels = [str(c) for c in range(k)] if class_names is None else [str(c) for c in class_names]
    if len(labels) != k:
        raise ValueError(f"类别名有 {len(labels)} 个，矩阵有 {k} 行 ({len(labels)} class names for {k} classes)")
    if cell_names is not None and [len(row) for row in cell_names] != [k] * k:
        raise ValueError(f"cell_names 必须是 {k}×{k} 的 (cell_names must be {k} x {k}, one name per cell)")
    small = k <= 4  # few cells: large numbers, room for a name under each
    fig, ax = plt.subplots(figsize=(4.6, 3.9) if small else (5.4, 4.8))
    top = float(cm.max()) or 1.0
    ax.imshow(cm, cmap="Blues", vmin=0, vmax=1.3 * top)
    ax.grid(False)
    ax.spines[:].set_visible(False)
    for i in range(k):
        for j in range(k):
            value = cm[i, j]
            if value == 0 and cell_names is None:
                continue
            # white on dark cells; on light ones black for right answers, vermillion for errors
            color = "white" if value > 0.6 * top else ("black" if i == j else PALETTE[3])
            count = f"{int(value)}" if float(value).is_integer() else f"{value:.2f}"
            if cell_names is None:
                ax.text(j, i, count, ha="center", va="center", fontsize=20 if small else 9, color=color)
            else:
                ax.text(j, i - 0.12, count, ha="center", va="center", fontsize=20 if small else 10, color=color)
                ax.text(j, i + 0.22, str(cell_names[i][j]), ha="center", va="center", fontsize=10 if small else 7,
                        color=color)
    ax.set_xticks(range(k), labels)
    ax.set_yticks(range(k), labels)
    ax.set_xlabel(xlabel)
    ax.set_ylabel(ylabel)
    ax.set_title(title)
    return fig


# -- training ---------------------------------------------------------------------------------------
def draw_training_curves(history: dict[str, Sequence[float]], title: str = "训练过程") -> Figure:
    """Chapter 4: training loss (left) and train / test accuracy (right) per epoch.

    ``history`` has the keys of ``helpers.training.HISTORY_KEYS`` ("train_loss", "train_acc",
    "test_acc"), as ``train_classifier`` returns it.
    """
    from ..training import HISTORY_KEYS

    for key in HISTORY_KEYS:
        if key not in history:
            raise ValueError(f"history 缺少 {key!r} (history lacks {key!r})")
    # NaN stays allowed: a diverged run's loss is NaN, and the curve shows where it stopped.
    curves = {key: as_vector(history[key], f"history[{key!r}]", finite=False) for key in HISTORY_KEYS}
    lengths = {len(curve) for curve in curves.values()}
    if len(lengths) != 1:
        raise ValueError(
            f"history 的各项必须一样长 (history's entries must be equally long), "
            f"got lengths {[len(curve) for curve in curves.values()]}"
        )
    history = curves
    epochs = np.arange(1, len(history["train_loss"]) + 1)
    fig, (ax_l, ax_a) = plt.subplots(1, 2, figsize=(7.2, 2.9))
    ax_l.plot(epochs, history["train_loss"], color=PALETTE[0])
    ax_l.set_xlabel("轮（epoch）")
    ax_l.set_ylabel("训练集平均交叉熵")
    ax_a.plot(epochs, history["train_acc"], label="训练集", color=PALETTE[0])
    ax_a.plot(epochs, history["test_acc"], label="测试集", color=PALETTE[1], linestyle="--")
    ax_a.set_xlabel("轮（epoch）")
    ax_a.set_ylabel("准确率")
    ax_a.legend()
    fig.suptitle(title)
    return fig


# -- 8x8 digit images -----------------------------------------------------------------------------
def image_grid(n: int, cols: int, size: float = 1.15) -> tuple[Figure, np.ndarray]:
    """Chapter 4: a figure with ``n`` bare image axes in rows of ``cols`` (the flat array of them)."""
    n, cols = check_positive_int(n, "n"), check_positive_int(cols, "cols")
    rows = int(np.ceil(n / cols))
    fig, axes = plt.subplots(rows, cols, figsize=(size * cols, size * rows + 0.3), squeeze=False)
    for ax in axes.ravel():
        ax.set_xticks([])
        ax.set_yticks([])
        ax.grid(False)
        ax.spines[:].set_visible(False)
    for ax in axes.ravel()[n:]:
        ax.axis("off")
    return fig, axes.ravel()


def _as_digit_images(X: Any) -> np.ndarray:
    """Rows of 64 pixels in [0, 1], as ``helpers.data.load_digits_split`` gives them."""
    X = as_float_matrix(X, "X")
    if X.shape[1] != 64:
        raise ValueError(f"每张图必须有 64 个像素（8×8） (each image must have 64 pixels: 8x8), got {X.shape[1]}")
    return X


def draw_digit_samples(X: Any, y: Any, n: int = 20, cols: int = 10) -> Figure:
    """Chapter 4: the first n images of an (m x 64) digits matrix, titled with their labels."""
    X = _as_digit_images(X)
    y = as_class_labels(y, "y", length=X.shape[0])
    n = min(check_positive_int(n, "n"), X.shape[0])
    fig, axes = image_grid(n, cols, size=0.68)
    for ax, image, label in zip(axes, X[:n], y[:n]):
        ax.imshow(image.reshape(8, 8), cmap="gray_r", vmin=0, vmax=1)
        ax.set_title(f"{int(label)}", fontsize=11)
    return fig


def draw_misclassified(X: Any, y_true: Any, y_pred: Any, confidence: Any, cols: int = 6) -> Figure:
    """Chapter 4: digits, each titled with its true label, the prediction and the predicted class's probability."""
    X = _as_digit_images(X)
    y_true = as_class_labels(y_true, "y_true", length=X.shape[0])
    y_pred = as_class_labels(y_pred, "y_pred", length=X.shape[0])
    confidence = as_vector(confidence, "confidence", length=X.shape[0])
    fig, axes = image_grid(X.shape[0], cols, size=1.1)
    for ax, image, t, p, c in zip(axes, X, y_true, y_pred, confidence):
        ax.imshow(image.reshape(8, 8), cmap="gray_r", vmin=0, vmax=1)
        ax.set_title(f"真 {int(t)} → 判 {int(p)}\n概率 {c:.2f}", fontsize=10, color=PALETTE[3])
    return fig
