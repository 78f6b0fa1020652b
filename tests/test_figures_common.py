"""helpers.figures.common: the drawings several chapters share return Figures and check their input."""

from __future__ import annotations

import numpy as np
import pytest
import torch
from matplotlib.figure import Figure

from helpers.figures.common import (
    BINARY_CELL_NAMES,
    draw_confusion_matrix,
    draw_decision_regions,
    draw_digit_samples,
    draw_misclassified,
    draw_training_curves,
    image_grid,
)
from helpers.plotting import PALETTE

pytestmark = pytest.mark.usefixtures("book_style")


def _texts(fig: Figure) -> list[str]:
    return [t.get_text() for t in fig.axes[0].texts]


def test_decision_regions(two_blobs):
    X, y = two_blobs
    fig = draw_decision_regions(lambda P: (P[:, 0] > 2).astype(int), X, y, X[:4], y[:4], ["甲", "乙"],
                                "x", "y", "标题", resolution=20)
    assert isinstance(fig, Figure) and fig.axes


def test_binary_confusion_matrix_names_its_cells():
    fig = draw_confusion_matrix(np.array([[5, 1], [2, 7]]), ["良性", "恶性"], cell_names=BINARY_CELL_NAMES)
    assert isinstance(fig, Figure)
    texts = _texts(fig)
    assert texts == ["5", "真负例 TN", "1", "假正例 FP", "2", "假负例 FN", "7", "真正例 TP"]
    assert [t.get_text() for t in fig.axes[0].get_xticklabels()] == ["良性", "恶性"]
    # errors (off the diagonal, light cells) in vermillion
    colors = {t.get_text(): t.get_color() for t in fig.axes[0].texts}
    assert colors["1"] == colors["2"] == PALETTE[3] and colors["7"] == "white"


def test_large_confusion_matrix_leaves_zeros_blank():
    cm = np.eye(10, dtype=int) * 5
    cm[3, 8] = 2
    fig = draw_confusion_matrix(cm, title="混淆矩阵（测试集）", xlabel="预测的数字", ylabel="真实的数字")
    assert sorted(_texts(fig)) == sorted(["5"] * 10 + ["2"])
    assert fig.axes[0].get_xlabel() == "预测的数字"
    assert [t.get_text() for t in fig.axes[0].get_yticklabels()] == [str(d) for d in range(10)]


@pytest.mark.parametrize("args, kwargs", [
    ((np.zeros((3, 4)),), {}),                                          # not square
    ((np.ones((3, 3)), ["a", "b", "c"]), dict(cell_names=BINARY_CELL_NAMES)),  # 2 x 2 names, 3 x 3 matrix
    ((np.ones((2, 2)), ["a", "b", "c"]), {}),                           # one class name too many
    ((np.array([[1, -1], [0, 2]]),), {}),                              # a negative count
    ((np.array([[1.0, np.nan], [0, 2]]),), {}),                         # NaN
])
def test_confusion_matrix_rejects_bad_input(args, kwargs, raises_bilingual):
    raises_bilingual(draw_confusion_matrix, *args, **kwargs)


def test_training_curves(raises_bilingual):
    history = {"train_loss": [1.0, 0.5], "train_acc": [0.8, 0.9], "test_acc": [0.7, 0.85]}
    fig = draw_training_curves(history, title="标题")
    assert isinstance(fig, Figure) and len(fig.axes) == 2
    for bad in ({"train_loss": [1.0]}, {"train_loss": [1.0], "train_acc": [0.5], "test_acc": []},
                {"train_loss": ["1"], "train_acc": [0.5], "test_acc": [0.5]},
                {"train_loss": [1.0, 0.5], "train_acc": [0.8, 0.9], "test_acc": [0.7]}):
        raises_bilingual(draw_training_curves, bad)
    # a diverged run's NaN loss is drawn, not refused; tensors and arrays work like lists
    diverged = {"train_loss": np.array([1.0, np.nan]), "train_acc": torch.tensor([0.5, 0.1]), "test_acc": [0.5, 0.1]}
    assert isinstance(draw_training_curves(diverged), Figure)


def test_digit_drawings(rng):
    digits = rng.uniform(0, 1, size=(6, 64))
    fig = draw_digit_samples(digits, np.arange(6), n=6, cols=3)
    assert isinstance(fig, Figure) and [ax.get_title() for ax in fig.axes] == [str(d) for d in range(6)]
    fig = draw_misclassified(digits, np.arange(6), np.arange(6)[::-1], np.full(6, 0.5))
    assert isinstance(fig, Figure) and fig.axes[0].get_title() == "真 0 → 判 5\n概率 0.50"
    fig, axes = image_grid(5, 3)
    assert isinstance(fig, Figure) and len(axes) == 6 and not axes[5].axison


@pytest.mark.parametrize("call", [
    lambda: draw_misclassified(np.zeros((2, 64)), [1, 2], [3], [0.5, 0.5]),
    lambda: draw_digit_samples(np.zeros((2, 63)), [1, 2]),
    lambda: draw_digit_samples(np.zeros((2, 64)), [1, 2], n=0),
    lambda: image_grid(3, 0),
    lambda: draw_digit_samples(np.zeros((2, 64)), [1.5, 2.0]),                  # fractional labels
    lambda: draw_digit_samples(np.zeros((2, 64)), [1, -2]),
    lambda: draw_misclassified(np.zeros((2, 64)), [1, 2], [None, 1], [0.5, 0.5]),
    lambda: draw_decision_regions(lambda P: P[:, 0] > 0, np.zeros((2, 2)), [0.5, 1], np.zeros((1, 2)), [0],
                                  ["甲", "乙"], "x", "y", "t"),
])
def test_digit_drawings_reject_bad_input(call, raises_bilingual):
    raises_bilingual(call)
