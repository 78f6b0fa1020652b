"""Chapter 4 (Softmax 回归): numerically stable softmax, cross-entropy and one-hot labels.

The chapter builds each of these from scratch in the notebook; the versions here
add input checks and are what the interactive figures, the exercise checkers
and later chapters reuse. (The chapter's digits data set is in ``helpers.data``.)
"""

from __future__ import annotations

from typing import Any

import numpy as np

from .validation import as_class_labels, check_numeric_dtype, check_positive_int, check_positive_number, to_numpy


def _as_logits(logits: Any) -> np.ndarray:
    """A non-empty, finite 1-D or 2-D float array of logits."""
    arr = check_numeric_dtype(to_numpy(logits), "logits")
    if arr.ndim not in (1, 2):
        raise ValueError(
            f"logits 必须是一维（一个样本）或二维（样本数 × 类别数）数组 "
            f"(logits must be 1-D or 2-D: samples x classes), got shape {arr.shape}"
        )
    if arr.size == 0:
        raise ValueError(f"logits 不能为空 (logits must not be empty), got shape {arr.shape}")
    arr = arr.astype(np.float64)
    if not np.all(np.isfinite(arr)):
        raise ValueError("logits 含有 NaN 或无穷大 (logits contain NaN or infinite values)")
    return arr


def _scaled_shifted(logits: Any, temperature: float) -> np.ndarray:
    """(o - max o) / T: 0 at each row's maximum, <= 0 elsewhere (-inf where T is too small to tell)."""
    o = _as_logits(logits)
    temperature = check_positive_number(temperature, "temperature")
    # Subtract the maximum before dividing: o / T alone overflows to inf for a tiny T, and inf - inf is NaN.
    with np.errstate(over="ignore"):
        return (o - o.max(axis=-1, keepdims=True)) / temperature


def log_softmax(logits: Any, temperature: float = 1.0) -> np.ndarray:
    """Chapter 4: log softmax(o / T) along the last axis, by log-sum-exp; never -inf or nan (it raises)."""
    shifted = _scaled_shifted(logits, temperature)
    result = shifted - np.log(np.exp(shifted).sum(axis=-1, keepdims=True))
    if not np.all(np.isfinite(result)):
        raise ValueError(
            f"temperature={temperature!r} 太小（或 logits 相差太大），对数概率小于浮点数能表示的范围 "
            f"(temperature={temperature!r} is so small, or the logits so far apart, that a log-probability "
            "falls below what a float can hold)"
        )
    return result


def softmax(logits: Any, temperature: float = 1.0) -> np.ndarray:
    """Chapter 4: softmax(o / T) along the last axis, with the maximum subtracted first (never nan)."""
    e = np.exp(_scaled_shifted(logits, temperature))
    return e / e.sum(axis=-1, keepdims=True)


def cross_entropy(logits: Any, labels: Any) -> float:
    """Chapter 4: mean cross-entropy -log softmax(o)[y] of a batch of logits (n x q) and labels (n,)."""
    o = _as_logits(logits)
    if o.ndim == 1:
        o = o[None, :]
        labels = np.atleast_1d(to_numpy(labels))
    y = as_class_labels(labels, "labels", length=o.shape[0], n_classes=o.shape[1])
    return float(-log_softmax(o)[np.arange(o.shape[0]), y].mean())


def one_hot(labels: Any, num_classes: int) -> np.ndarray:
    """Chapter 4: one-hot rows (n x num_classes, float) for integer labels in 0..num_classes-1."""
    num_classes = check_positive_int(num_classes, "num_classes")
    return np.eye(num_classes)[as_class_labels(labels, "labels", n_classes=num_classes)]
