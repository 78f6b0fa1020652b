"""Chapter 3 (线性回归): data sets, least squares and vectorised minibatch SGD.

The chapter's lesson code (synthetic_data, data_iter, linreg, squared_loss,
sgd) lives in the notebook itself; this module holds what the figures, the
checkers and the tests reuse:

* ``make_house_areas`` / ``make_house_prices``: generated house-price data;
* ``add_bias_column``, ``least_squares``, ``half_mse``, ``loss_grid``: the
  model, its loss and its analytic solution;
* ``curvature_eigenvalues``: the eigenvalues of the loss's Hessian
  [X, 1]ᵀ[X, 1] / n (second moments, not covariances), whose ratio
  λ_max / λ_min says how slowly gradient descent converges;
* ``max_stable_lr``: the largest rate at which full-batch gradient descent
  still converges, 2 / λ_max;
* ``sgd_training_runs``: minibatch SGD for several learning rates at once,
  with divergence detected instead of overflowing.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Sequence

import numpy as np

from .validation import (
    as_float_matrix,
    as_vector,
    check_finite_number,
    check_numeric_dtype,
    check_positive_int,
    check_positive_number,
    check_seed,
    to_numpy,
)

#: A run whose loss exceeds this many times its starting loss (or becomes
#: infinite) is called divergent and stopped.
DIVERGENCE_FACTOR = 1e4

HOUSE_FEATURES: tuple[str, ...] = ("面积（平方米）", "房间数", "房龄（年）")
#: The rules behind the generated data: weights, bias and noise standard deviation.
AREA_PRICE_RULE = {"weight": 2.0, "bias": 0.6, "noise_std": 0.3}
HOUSE_PRICE_RULE = {"weights": (2.0, 10.0, -1.5), "bias": 60.0, "noise_std": 25.0}


def make_house_areas(n: int = 24, seed: int = 0) -> tuple[np.ndarray, np.ndarray]:
    """Chapter 3: generated 1-D data, area (100 m²) -> price (million yuan), price ≈ 2·area + 0.6."""
    n = check_positive_int(n, "n")
    rng = np.random.default_rng(check_seed(seed))
    rule = AREA_PRICE_RULE
    area = rng.uniform(0.4, 2.0, n)
    price = rule["weight"] * area + rule["bias"] + rng.normal(0.0, rule["noise_std"], n)
    return area, price


def make_house_prices(n: int = 500, seed: int = 0) -> tuple[np.ndarray, np.ndarray]:
    """Chapter 3: generated house prices (万元) from area (m²), rooms and age (years).

    The rule behind the data is ``HOUSE_PRICE_RULE``: price = 2·area + 10·rooms − 1.5·age
    + 60 + noise (standard deviation 25); the columns follow ``HOUSE_FEATURES``.
    """
    n = check_positive_int(n, "n")
    rng = np.random.default_rng(check_seed(seed))
    area = rng.uniform(40.0, 200.0, n)
    rooms = np.clip(np.round(area / 40.0 + rng.normal(0.0, 0.6, n)), 1, 6)
    age = rng.uniform(0.0, 40.0, n)
    X = np.column_stack([area, rooms, age])
    rule = HOUSE_PRICE_RULE
    price = X @ np.array(rule["weights"]) + rule["bias"] + rng.normal(0.0, rule["noise_std"], n)
    return X, price


def as_features(X: Any, name: str = "X") -> np.ndarray:
    """Chapter 3: a sample matrix (n x d); one feature may come as a vector of length n."""
    arr = check_numeric_dtype(to_numpy(X), name)
    if arr.ndim == 1:  # one feature given as a vector
        arr = arr.reshape(-1, 1)
    return as_float_matrix(arr, name)


def as_targets(y: Any, n: int, name: str = "y") -> np.ndarray:
    """Chapter 3: n float targets; a column vector (n, 1), as the chapter's tensors are, is flattened."""
    arr = check_numeric_dtype(to_numpy(y), name).astype(float)
    if arr.ndim == 2 and arr.shape[1] == 1:  # a column vector (n, 1), as in the chapter
        arr = arr[:, 0]
    return as_vector(arr, name, length=n)


def add_bias_column(X: Any) -> np.ndarray:
    """Chapter 3: X with a column of ones appended, so that Xw + b = [X, 1] [w; b]."""
    X = as_features(X)
    return np.column_stack([X, np.ones(len(X))])


def least_squares(X: Any, y: Any) -> tuple[np.ndarray, float]:
    """Chapter 3: the analytic solution (w*, b*) minimising ||y - Xw - b||², via lstsq (no inverse)."""
    X = as_features(X)
    y = as_targets(y, len(X))
    solution, *_ = np.linalg.lstsq(add_bias_column(X), y, rcond=None)
    return solution[:-1], float(solution[-1])


def half_mse(X: Any, y: Any, w: Any, b: float) -> float:
    """Chapter 3: L(w, b) = (1/n) Σ ½ (x⁽ⁱ⁾ᵀw + b − y⁽ⁱ⁾)², the chapter's total loss."""
    X = as_features(X)
    y = as_targets(y, len(X))
    w = as_vector(np.atleast_1d(to_numpy(w)), "w", length=X.shape[1]).astype(float)
    residual = X @ w + check_finite_number(b, "b") - y
    return float(0.5 * np.mean(residual**2))


def loss_grid(x: Any, y: Any, ws: Sequence[float], bs: Sequence[float]) -> np.ndarray:
    """Chapter 3: L(w, b) of 1-D data on a grid; entry [i, j] belongs to (ws[j], bs[i])."""
    x = as_features(x, "x")
    if x.shape[1] != 1:
        raise ValueError(f"x 必须只有一个特征 (x must have a single feature), got shape {x.shape}")
    y = as_targets(y, len(x))
    ws = as_vector(ws, "ws").astype(float)
    bs = as_vector(bs, "bs").astype(float)
    residual = ws[None, :, None] * x[:, 0][None, None, :] + bs[:, None, None] - y[None, None, :]
    return 0.5 * np.mean(residual**2, axis=2)


def curvature_eigenvalues(X: Any) -> np.ndarray:
    """Chapter 3: eigenvalues (ascending) of the Hessian [X, 1]ᵀ[X, 1] / n of ½·MSE.

    Its entries are the second moments (1/n) Σ x_j x_k of the features and the constant
    column, not their covariances: a feature's mean μ_j enters as μ_j² + σ_j².
    """
    Xb = add_bias_column(X)
    hessian = Xb.T @ Xb / len(Xb)
    return np.linalg.eigvalsh(hessian)


def max_stable_lr(X: Any) -> float:
    """Chapter 3: 2 / λ_max of the loss's Hessian [X, 1]ᵀ[X, 1] / n; full-batch GD diverges above it."""
    return float(2.0 / curvature_eigenvalues(X)[-1])


@dataclass
class SGDRuns:
    """Minibatch SGD runs of one data set, one per learning rate (chapter 3)."""

    learning_rates: np.ndarray  # (R,)
    batch_size: int
    epochs: int
    steps_per_epoch: int
    losses: np.ndarray  # (R, steps + 1): L(w, b) on all data after each step; inf once diverged
    weights: np.ndarray  # (R, epochs + 1, d): w at the end of each epoch (nan once diverged)
    biases: np.ndarray  # (R, epochs + 1)
    diverged_at: np.ndarray  # (R,): the step at which the run diverged, -1 if it never did

    @property
    def diverged(self) -> np.ndarray:
        """Boolean mask of the runs that diverged."""
        return self.diverged_at >= 0


def sgd_training_runs(X: Any, y: Any, learning_rates: Sequence[float], batch_size: int,
                      epochs: int, seed: int = 0) -> SGDRuns:
    """Chapter 3: minibatch SGD on ½·MSE from w = 0, b = 0, for every rate at once (same batches).

    Each epoch visits the samples in a new random order (fixed by ``seed``), in
    batches of ``batch_size`` (the last one may be smaller). A run whose loss
    becomes non-finite or grows past ``DIVERGENCE_FACTOR`` times its start is
    marked as diverged and frozen, so nothing overflows.
    """
    X = as_features(X)
    y = as_targets(y, len(X))
    n, d = X.shape
    rates = np.atleast_1d(check_numeric_dtype(to_numpy(learning_rates), "learning_rates")).astype(float)
    if rates.ndim != 1 or rates.size == 0:
        raise ValueError(
            f"learning_rates 必须是非空的一维数组 (learning_rates must be a non-empty 1-D array), got {learning_rates!r}"
        )
    for rate in rates:
        check_positive_number(rate, "学习率 lr (learning rate)")
    batch_size = check_positive_int(batch_size, "batch_size")
    if batch_size > n:
        raise ValueError(
            f"batch_size 不能大于样本数 {n} (batch_size cannot exceed the {n} samples), got {batch_size}"
        )
    epochs = check_positive_int(epochs, "epochs")
    rng = np.random.default_rng(check_seed(seed))

    runs = len(rates)
    steps_per_epoch = -(-n // batch_size)
    W = np.zeros((runs, d))
    B = np.zeros(runs)
    losses = np.full((runs, epochs * steps_per_epoch + 1), np.inf)
    weights = np.full((runs, epochs + 1, d), np.nan)
    biases = np.full((runs, epochs + 1), np.nan)
    diverged_at = np.full(runs, -1)

    def full_loss() -> np.ndarray:
        return 0.5 * np.mean((X @ W.T + B - y[:, None]) ** 2, axis=0)

    start = full_loss()
    losses[:, 0] = start
    weights[:, 0], biases[:, 0] = W, B
    limit = DIVERGENCE_FACTOR * np.maximum(start, 1e-12)
    alive = np.ones(runs, dtype=bool)
    step = 0
    with np.errstate(over="ignore", invalid="ignore"):
        for epoch in range(1, epochs + 1):
            order = rng.permutation(n)
            for begin in range(0, n, batch_size):
                idx = order[begin:begin + batch_size]
                Xb, yb = X[idx], y[idx]
                error = Xb @ W.T + B - yb[:, None]  # (batch, runs)
                grad_w = error.T @ Xb / len(idx)
                grad_b = error.mean(axis=0)
                W[alive] -= rates[alive, None] * grad_w[alive]
                B[alive] -= rates[alive] * grad_b[alive]
                step += 1
                current = full_loss()
                blown = alive & (~np.isfinite(current) | (current > limit))
                diverged_at[blown] = step
                alive &= ~blown
                losses[alive, step] = current[alive]
            weights[alive, epoch] = W[alive]
            biases[alive, epoch] = B[alive]
    return SGDRuns(rates, batch_size, epochs, steps_per_epoch, losses, weights, biases, diverged_at)

