"""Data sets that several chapters use, the same every time (fixed seeds, nothing downloaded).

    load_digits_split   scikit-learn's 8x8 handwritten digits, split and scaled (chapter 4 on)
    make_2d_dataset     two classes in the plane that no straight line separates (chapter 5 on)
"""

from __future__ import annotations

import math
from typing import NamedTuple

import numpy as np

from .validation import (
    check_choice,
    check_fraction,
    check_nonnegative_number,
    check_positive_int,
    check_seed,
)

#: Number of images and of classes in scikit-learn's digits data set.
DIGITS_SAMPLES, DIGITS_CLASSES = 1797, 10


class DigitsSplit(NamedTuple):
    """Chapter 4: scikit-learn's 8x8 digits, split and scaled to [0, 1]."""

    X_train: np.ndarray  # (n_train, 64) float32
    X_test: np.ndarray  # (n_test, 64) float32
    y_train: np.ndarray  # (n_train,) int64
    y_test: np.ndarray  # (n_test,) int64


def load_digits_split(test_size: float = 0.25, seed: int = 0) -> DigitsSplit:
    """Chapter 4: digits 8x8 (1797 images, bundled with scikit-learn), stratified split, pixels / 16."""
    from sklearn.datasets import load_digits
    from sklearn.model_selection import train_test_split

    test_size = check_fraction(test_size, "test_size")
    seed = check_seed(seed)
    # A stratified split needs every digit on both sides; scikit-learn's own message would be English only.
    n_test = math.ceil(test_size * DIGITS_SAMPLES)
    if min(n_test, DIGITS_SAMPLES - n_test) < DIGITS_CLASSES:
        raise ValueError(
            f"test_size={test_size} 使训练集或测试集少于 {DIGITS_CLASSES} 张图，无法按类别分层 "
            f"(test_size={test_size} leaves fewer than {DIGITS_CLASSES} images on one side: "
            "no stratified split)"
        )
    digits = load_digits()
    # The pixels are counts 0..16; dividing by 16 puts every feature in [0, 1].
    X = (digits.data / 16.0).astype(np.float32)
    y = digits.target.astype(np.int64)
    X_train, X_test, y_train, y_test = train_test_split(
        X, y, test_size=test_size, random_state=seed, stratify=y
    )
    return DigitsSplit(X_train, X_test, y_train, y_test)


KINDS_2D: tuple[str, ...] = ("moons", "circles", "xor", "spiral")


def make_2d_dataset(kind: str, n_samples: int = 200, noise: float = 0.1,
                    seed: int = 0) -> tuple[np.ndarray, np.ndarray]:
    """Chapter 5: two classes in the plane (``KINDS_2D``), half the samples each, in random order.

    moons: two interleaved half circles; circles: a ring around a disc; xor: class 1
    where x1 and x2 have opposite signs; spiral: two interleaved spiral arms. ``noise``
    is the standard deviation of Gaussian noise added to both coordinates.
    Returns X (n_samples x 2, float64) and y (n_samples, int64 labels 0 and 1).
    """
    from sklearn.datasets import make_circles, make_moons

    check_choice(kind, "kind", KINDS_2D)
    n_samples = check_positive_int(n_samples, "n_samples")
    if n_samples < 4:
        raise ValueError(f"n_samples 至少为 4 (n_samples must be at least 4), got {n_samples}")
    noise = check_nonnegative_number(noise, "noise")
    seed = check_seed(seed)
    if kind == "moons":
        X, y = make_moons(n_samples, noise=noise, random_state=seed)
    elif kind == "circles":
        X, y = make_circles(n_samples, noise=noise, factor=0.5, random_state=seed)
    else:
        rng = np.random.default_rng(seed)
        sizes = (n_samples // 2, n_samples - n_samples // 2)
        parts = []
        for label, size in enumerate(sizes):
            if kind == "xor":
                # |x1|, |x2| away from the axes; class 0 in quadrants I and III, class 1 in II and IV
                sign = rng.choice([-1.0, 1.0], size)
                magnitude = rng.uniform(0.1, 1.0, (size, 2))
                parts.append(magnitude * np.column_stack([sign, sign if label == 0 else -sign]))
            else:  # spiral: radius grows with the angle; the second arm is the first turned by 180°
                t = np.linspace(0.0, 1.0, size)
                angle = 2.5 * np.pi * t + np.pi * label
                parts.append((0.2 + 0.8 * t)[:, None] * np.column_stack([np.cos(angle), np.sin(angle)]))
        X = np.vstack(parts) + rng.normal(0.0, noise, (n_samples, 2))
        y = np.repeat([0, 1], sizes)
        order = rng.permutation(n_samples)
        X, y = X[order], y[order]
    return X.astype(np.float64), y.astype(np.int64)
