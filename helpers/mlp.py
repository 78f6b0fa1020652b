"""Chapter 5 (多层感知机): activations, the MLP forward pass, and many small MLPs trained at once.

    ACTIVATIONS             the activation names: relu, sigmoid, tanh and none (no activation)
    activate                σ(z) for one of them, element by element (torch)
    activation_derivative   σ'(z) written out by hand (checked against autograd in the tests)
    mlp_forward             O = σ(...σ(X W⁽¹⁾ + b⁽¹⁾)...) W⁽ᴸ⁾ + b⁽ᴸ⁾ from weight matrices (rows = inputs)
    collapse_linear         stacked linear layers without σ as the one linear map they are
    relu_interpolant        a one-hidden-layer ReLU network: the broken line through a curve (universal approximation)
    relu_basis_fit          a one-hidden-layer ReLU network fitted by least squares (its kinks evenly spaced)
    tent_network            a deep, narrow ReLU network that computes a sawtooth exactly (depth vs width)
    count_linear_pieces     how many straight pieces a piecewise linear curve has
    PlaygroundData          the four 2-D data sets of the playground, standardized and split
    playground_data         one of them
    MLPConfig, train_mlp_batch
                            many small MLPs of the same depth trained together (stacked weights, bmm)

Weights follow the book's convention (book/conventions.md): W⁽ˡ⁾ has one row per input and
one column per output, so a layer computes H W + b; ``nn.Linear(d, h).weight`` is its transpose.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any, Callable, NamedTuple, Sequence

import numpy as np
import torch
import torch.nn.functional as F

from .data import KINDS_2D, make_2d_dataset
from .validation import (
    as_float_matrix,
    as_list,
    check_choice,
    check_numeric_dtype,
    check_positive_int,
    check_positive_number,
    check_seed,
    to_numpy,
)

#: The activations the chapter compares; "none" is the identity (a network without σ).
ACTIVATIONS: tuple[str, ...] = ("relu", "sigmoid", "tanh", "none")


def _as_tensor(z: Any, name: str) -> torch.Tensor:
    """A float tensor from a tensor, array, list or number (None, complex and strings refused)."""
    if isinstance(z, torch.Tensor):
        t = check_numeric_dtype(z, name)
    else:
        t = torch.as_tensor(check_numeric_dtype(to_numpy(z), name))
    if not t.dtype.is_floating_point:
        t = t.to(torch.get_default_dtype())
    return t


# -- activation functions ----------------------------------------------------------------------
def activate(name: str, z: Any) -> torch.Tensor:
    """Chapter 5: the activation ``name`` applied element by element to ``z`` (a tensor comes back)."""
    check_choice(name, "activation", ACTIVATIONS)
    z = _as_tensor(z, "z")
    if name == "relu":
        return torch.relu(z)  # max(0, z); autograd takes its slope at 0 to be 0
    if name == "sigmoid":
        return torch.sigmoid(z)
    if name == "tanh":
        return torch.tanh(z)
    return z


def activation_derivative(name: str, z: Any) -> torch.Tensor:
    """Chapter 5: dσ/dz by its formula; ReLU's derivative at 0 is taken to be 0, as in PyTorch."""
    check_choice(name, "activation", ACTIVATIONS)
    z = _as_tensor(z, "z")
    if name == "relu":
        return (z > 0).to(z.dtype)
    if name == "sigmoid":
        s = torch.sigmoid(z)
        return s * (1 - s)
    if name == "tanh":
        return 1 - torch.tanh(z) ** 2
    return torch.ones_like(z)


# -- the forward pass ---------------------------------------------------------------------------------
def _check_layers(weights: Any, biases: Any, n_features: int) -> tuple[list[torch.Tensor], list[torch.Tensor]]:
    """Weight matrices (rows = inputs) and bias vectors that chain from ``n_features`` inputs."""
    weights, biases = as_list(weights, "weights"), as_list(biases, "biases")
    if not weights or len(weights) != len(biases):
        raise ValueError(
            f"weights 与 biases 必须一样多且不为空 (weights and biases must be equally many, at least one), "
            f"got {len(weights)} and {len(biases)}"
        )
    Ws, bs = [], []
    width = n_features
    for i, (W, b) in enumerate(zip(weights, biases), start=1):
        W, b = _as_tensor(W, f"W{i}"), _as_tensor(b, f"b{i}")
        if W.ndim != 2 or W.shape[0] != width:
            raise ValueError(
                f"第 {i} 层的权重形状应为 ({width}, 输出数)，行对应输入 (W{i} must have {width} rows, one per "
                f"input), got shape {tuple(W.shape)}"
            )
        if b.ndim != 1 or b.shape[0] != W.shape[1]:
            raise ValueError(
                f"第 {i} 层的偏置长度应为 {W.shape[1]} (b{i} must have {W.shape[1]} entries, one per output), "
                f"got shape {tuple(b.shape)}"
            )
        Ws.append(W)
        bs.append(b)
        width = W.shape[1]
    return Ws, bs


def mlp_forward(X: Any, weights: Sequence[Any], biases: Sequence[Any], activation: str = "relu") -> torch.Tensor:
    """Chapter 5: H⁽ˡ⁾ = σ(H⁽ˡ⁻¹⁾ W⁽ˡ⁾ + b⁽ˡ⁾) for every hidden layer, then O = H W⁽ᴸ⁾ + b⁽ᴸ⁾ (no σ on O).

    ``X`` is n x d; ``weights[l]`` has one row per input of its layer (d x h, h x h, ..., h x q).
    """
    check_choice(activation, "activation", ACTIVATIONS)
    X = _as_tensor(X, "X")
    if X.ndim != 2 or X.shape[0] == 0:
        raise ValueError(f"X 必须是非空的二维数组（样本数 × 特征数） (X must be a non-empty 2-D array), "
                         f"got shape {tuple(X.shape)}")
    Ws, bs = _check_layers(weights, biases, X.shape[1])
    dtype = torch.promote_types(X.dtype, Ws[0].dtype)
    H = X.to(dtype)
    for W, b in zip(Ws[:-1], bs[:-1]):
        H = activate(activation, H @ W.to(dtype) + b.to(dtype))
    return H @ Ws[-1].to(dtype) + bs[-1].to(dtype)


def collapse_linear(weights: Sequence[Any], biases: Sequence[Any]) -> tuple[torch.Tensor, torch.Tensor]:
    """Chapter 5: (W, b) with X W + b equal to linear layers applied one after another without σ.

    (X W⁽¹⁾ + b⁽¹⁾) W⁽²⁾ + b⁽²⁾ = X (W⁽¹⁾ W⁽²⁾) + (b⁽¹⁾ W⁽²⁾ + b⁽²⁾), and so on for more layers.
    """
    first = _as_tensor(as_list(weights, "weights")[0], "W1") if as_list(weights, "weights") else None
    if first is None or first.ndim != 2:
        raise ValueError("weights 必须是一串二维矩阵 (weights must be a list of 2-D matrices)")
    Ws, bs = _check_layers(weights, biases, first.shape[0])
    W, b = Ws[0], bs[0]
    for W_next, b_next in zip(Ws[1:], bs[1:]):
        W, b = W @ W_next, b @ W_next + b_next
    return W, b


# -- universal approximation: ReLU pieces --------------------------------------------------------------
class ReluFit(NamedTuple):
    """Chapter 5: a one-hidden-layer ReLU network f(x) = Σ_j v_j relu(x - t_j) + c, as layers."""

    W1: np.ndarray  # (1, h): every hidden unit sees x with weight 1
    b1: np.ndarray  # (h,): -t_j, so unit j switches on at x = t_j (its kink)
    W2: np.ndarray  # (h, 1): v_j, how much unit j adds
    b2: np.ndarray  # (1,): c

    @property
    def kinks(self) -> np.ndarray:
        return -self.b1

    def pieces(self, x: Any) -> np.ndarray:
        """The h terms v_j relu(x - t_j), one row per hidden unit (their sum plus c is the fit)."""
        x = np.asarray(x, dtype=np.float64).reshape(-1)
        return self.W2[:, 0][:, None] * np.maximum(0.0, x[None, :] + self.b1[:, None])

    def __call__(self, x: Any) -> np.ndarray:
        return self.pieces(x).sum(axis=0) + self.b2[0]


def relu_basis_fit(x: Any, y: Any, n_hidden: int) -> ReluFit:
    """Chapter 5: fit f(x) = Σ_j v_j relu(x - t_j) + c to the points (x, y) by least squares.

    The kinks t_j are spread evenly from the smallest x (the first unit, relu(x - min x),
    is the straight line the pieces start from); the output layer (v, c) is the least-squares
    solution, the analytic solution of chapter 3. The result is an MLP with one hidden layer
    of ``n_hidden`` ReLU units.
    """
    x = np.asarray(as_float_matrix(np.asarray(to_numpy(x), dtype=float).reshape(-1, 1), "x"))[:, 0]
    y = np.asarray(as_float_matrix(np.asarray(to_numpy(y), dtype=float).reshape(-1, 1), "y"))[:, 0]
    if len(x) != len(y):
        raise ValueError(f"x 与 y 的长度不同 (x and y differ in length): {len(x)} vs {len(y)}")
    n_hidden = check_positive_int(n_hidden, "n_hidden")
    if n_hidden + 1 > len(x):
        raise ValueError(f"n_hidden 必须小于点数 {len(x)} (n_hidden must be below the {len(x)} points), "
                         f"got {n_hidden}")
    kinks = np.linspace(x.min(), x.max(), n_hidden + 1)[:-1]
    features = np.maximum(0.0, x[:, None] - kinks[None, :])
    design = np.column_stack([features, np.ones_like(x)])
    coef, *_ = np.linalg.lstsq(design, y, rcond=None)
    return ReluFit(W1=np.ones((1, n_hidden)), b1=-kinks, W2=coef[:-1, None], b2=coef[-1:])


def relu_interpolant(f: Callable[[np.ndarray], Any], lo: float, hi: float, n_hidden: int) -> ReluFit:
    """Chapter 5: the broken line through f at n_hidden + 1 evenly spaced points of [lo, hi], as ReLU units.

    Unit 0 starts at lo with the first segment's slope; unit j switches on at the j-th inner
    point t_j and changes the slope by v_j, the difference of the two segments' slopes there.
    Adding the units one by one bends the line once more each time.
    """
    lo, hi = float(lo), float(hi)
    if not (np.isfinite(lo) and np.isfinite(hi) and lo < hi):
        raise ValueError(f"区间必须满足 lo < hi 且有限 (the interval needs finite lo < hi), got {lo}, {hi}")
    n_hidden = check_positive_int(n_hidden, "n_hidden")
    if not callable(f):
        raise ValueError(f"f 必须是函数 (f must be a function), got {type(f).__name__}")
    nodes = np.linspace(lo, hi, n_hidden + 1)
    values = np.asarray(to_numpy(f(nodes)), dtype=float).reshape(-1)
    if values.shape != nodes.shape or not np.isfinite(values).all():
        raise ValueError("f 必须对每个点返回一个有限的数 (f must give one finite number per point)")
    slopes = np.diff(values) / np.diff(nodes)
    changes = np.r_[slopes[0], np.diff(slopes)]
    return ReluFit(W1=np.ones((1, n_hidden)), b1=-nodes[:-1], W2=changes[:, None], b2=values[:1])


# -- depth versus width: a sawtooth ---------------------------------------------------------------------
def tent_network(depth: int) -> torch.nn.Sequential:
    """Chapter 5: ``depth`` hidden layers of 2 ReLU units computing the tent map T applied ``depth`` times.

    T(x) = 2x on [0, 1/2] and 2 - 2x on [1/2, 1], that is 2 relu(x) - 4 relu(x - 1/2); composed
    k times it is a sawtooth with 2^(k-1) teeth, 2^k straight pieces on [0, 1].
    """
    depth = check_positive_int(depth, "depth")
    layers: list[torch.nn.Module] = []
    for layer in range(depth):
        linear = torch.nn.Linear(1 if layer == 0 else 2, 2)
        with torch.no_grad():
            # The units compute relu(u) and relu(u - 1/2) of u = T(previous) = 2 h1 - 4 h2.
            combine = torch.tensor([[1.0]]) if layer == 0 else torch.tensor([[2.0, -4.0]])
            linear.weight.copy_(torch.tensor([[1.0], [1.0]]) @ combine)
            linear.bias.copy_(torch.tensor([0.0, -0.5]))
        layers += [linear, torch.nn.ReLU()]
    out = torch.nn.Linear(2, 1)
    with torch.no_grad():
        out.weight.copy_(torch.tensor([[2.0, -4.0]]))
        out.bias.zero_()
    return torch.nn.Sequential(*layers, out)


def count_linear_pieces(x: Any, y: Any, tol: float = 1e-6) -> int:
    """Chapter 5: the number of straight pieces of the curve through (x, y) (x increasing, evenly spaced)."""
    x = np.asarray(to_numpy(x), dtype=float).reshape(-1)
    y = np.asarray(to_numpy(y), dtype=float).reshape(-1)
    if x.shape != y.shape or len(x) < 2:
        raise ValueError(f"x 与 y 必须等长且至少有 2 个点 (x and y need the same length, at least 2), "
                         f"got {x.shape} and {y.shape}")
    if not (np.isfinite(x).all() and np.isfinite(y).all()) or np.any(np.diff(x) <= 0):
        raise ValueError("x 必须严格递增且 x、y 都是有限数 (x must increase strictly; x and y must be finite)")
    slopes = np.diff(y) / np.diff(x)
    scale = max(1.0, float(np.abs(slopes).max()))
    # A kink between two grid points gives one in-between slope: a change in slope that is
    # followed by a constant stretch counts once.
    changes = np.abs(np.diff(slopes)) > tol * scale
    starts = changes & ~np.r_[False, changes[:-1]]
    return int(starts.sum()) + 1


# -- the playground's data ---------------------------------------------------------------------------
#: Noise (standard deviation, before standardizing) of each playground data set.
PLAYGROUND_NOISE: dict[str, float] = {"xor": 0.1, "moons": 0.15, "circles": 0.08, "spiral": 0.05}
#: Chinese names of the data sets, for titles and controls.
DATASET_NAMES: dict[str, str] = {"xor": "异或（XOR）", "moons": "双月", "circles": "同心圆", "spiral": "螺旋"}


class PlaygroundData(NamedTuple):
    """Chapter 5: a 2-D two-class data set, standardized with the training set's mean and deviation."""

    X_train: np.ndarray  # (n_train, 2) float32
    X_test: np.ndarray  # (n_test, 2) float32
    y_train: np.ndarray  # (n_train,) int64
    y_test: np.ndarray  # (n_test,) int64


def playground_data(kind: str, n_train: int = 200, n_test: int = 100, seed: int = 0) -> PlaygroundData:
    """Chapter 5: ``make_2d_dataset(kind)`` with the playground's noise, split, then standardized."""
    check_choice(kind, "kind", KINDS_2D)
    n_train, n_test = check_positive_int(n_train, "n_train"), check_positive_int(n_test, "n_test")
    if n_train < 2:
        raise ValueError(f"n_train 至少为 2 (n_train must be at least 2), got {n_train}")
    X, y = make_2d_dataset(kind, n_train + n_test, noise=PLAYGROUND_NOISE[kind], seed=check_seed(seed))
    mean, std = X[:n_train].mean(axis=0), X[:n_train].std(axis=0)
    X = ((X - mean) / std).astype(np.float32)
    return PlaygroundData(X[:n_train], X[n_train:], y[:n_train], y[n_train:])


# -- many MLPs at once ------------------------------------------------------------------------------
@dataclass(frozen=True)
class MLPConfig:
    """Chapter 5: one model of a batch: which data set, hidden units per layer, activation, learning rate.

    ``depth`` (hidden layers) defaults to the batch's; a shallower model skips the batch's
    last hidden layers (they pass their input through unchanged and never learn).
    """

    data: int
    hidden: int
    activation: str
    lr: float
    depth: int | None = None


@dataclass
class MLPBatchResult:
    """Chapter 5: what ``train_mlp_batch`` records for every model (row m is ``configs[m]``).

    Losses and accuracies are indexed by epoch, 0 being before training. After a model
    diverged its entries are NaN. ``grid_probs[m, s]`` is the model's probability of class 1
    at every point of ``grid`` after ``snapshots[s]`` epochs (NaN if it had diverged).
    """

    configs: list[MLPConfig]
    depth: int
    train_loss: np.ndarray  # (M, epochs + 1)
    test_loss: np.ndarray
    train_acc: np.ndarray
    test_acc: np.ndarray
    diverged_at: np.ndarray  # (M,) first epoch whose training diverged, -1 if none did
    snapshots: tuple[int, ...]
    grid_probs: np.ndarray  # (M, len(snapshots), len(grid)) float32
    dead_fraction: np.ndarray  # (M,) share of hidden units that output 0 on every training sample at the end
    seconds: float


#: A model is taken to have diverged once its loss or its parameters are no longer finite,
#: or its minibatch loss exceeds this (chance level is log 2 ≈ 0.69).
DIVERGED_LOSS = 1e4


def init_mlp_weights(hidden: int, depth: int, n_inputs: int = 2, n_outputs: int = 2,
                     seed: int = 0) -> tuple[list[torch.Tensor], list[torch.Tensor]]:
    """Chapter 5: weights (rows = inputs) and biases drawn as ``nn.Linear`` draws them, U(-1/√fan_in, 1/√fan_in).

    The draw depends only on (hidden, depth, seed): every activation, learning rate and
    data set starts from the same weights, so the playground compares like with like.
    """
    hidden, depth = check_positive_int(hidden, "hidden"), check_positive_int(depth, "depth")
    generator = torch.Generator().manual_seed(check_seed(seed) * 7919 + hidden * 101 + depth)
    sizes = [check_positive_int(n_inputs, "n_inputs")] + [hidden] * depth + [check_positive_int(n_outputs,
                                                                                                "n_outputs")]
    weights, biases = [], []
    for fan_in, fan_out in zip(sizes[:-1], sizes[1:]):
        bound = 1.0 / math.sqrt(fan_in)
        weights.append((torch.rand(fan_in, fan_out, generator=generator) * 2 - 1) * bound)
        biases.append((torch.rand(fan_out, generator=generator) * 2 - 1) * bound)
    return weights, biases


_TORCH_ACTIVATIONS: dict[str, Callable[[torch.Tensor], torch.Tensor]] = {
    "relu": torch.relu, "sigmoid": torch.sigmoid, "tanh": torch.tanh, "none": lambda z: z}


def train_mlp_batch(datasets: Sequence[PlaygroundData], configs: Sequence[MLPConfig], depth: int, epochs: int,
                    batch_size: int = 20, seed: int = 0, snapshots: Sequence[int] = (),
                    grid: Any = None) -> MLPBatchResult:
    """Chapter 5: train many MLPs of (up to) ``depth`` hidden layers together, with minibatch SGD and cross-entropy.

    Model m is an MLP with ``configs[m].hidden`` units in each hidden layer, trained on
    ``datasets[configs[m].data]`` with its own learning rate. All models are stacked into
    one batch: weights of shape (M, inputs, outputs), padded to the widest model (a mask
    keeps the extra units at zero, so they neither compute nor learn), multiplied with
    ``torch.baddbmm``. Every model sees the minibatches in the same order (one shuffle
    per epoch from ``seed``) and starts from ``init_mlp_weights(hidden, depth, seed=seed)``,
    so a model trains exactly as it would alone (tests/test_mlp.py checks it against
    ``nn.Sequential``). A model whose loss stops being finite (or exceeds ``DIVERGED_LOSS``)
    has diverged: it is frozen and its later records are NaN.

    It runs on the CPU: the models are so small that launching GPU kernels would cost more
    than the arithmetic (the chapter's own code uses ``default_device()``).
    """
    import time

    start = time.perf_counter()
    datasets = as_list(datasets, "datasets")
    configs = as_list(configs, "configs")
    if not datasets or not configs:
        raise ValueError("datasets 和 configs 都不能为空 (datasets and configs must not be empty)")
    depth, epochs = check_positive_int(depth, "depth"), check_positive_int(epochs, "epochs")
    batch_size, seed = check_positive_int(batch_size, "batch_size"), check_seed(seed)
    for c in configs:
        if not isinstance(c, MLPConfig):
            raise ValueError(f"configs 的元素必须是 MLPConfig (configs must hold MLPConfig), got {type(c).__name__}")
        if isinstance(c.data, bool) or not isinstance(c.data, (int, np.integer)) or not 0 <= c.data < len(datasets):
            raise ValueError(f"data 必须是 0..{len(datasets) - 1} 之间的编号 (data must index datasets), got {c.data!r}")
        check_positive_int(c.hidden, "hidden")
        check_choice(c.activation, "activation", ACTIVATIONS)
        check_positive_number(c.lr, "lr")
        if c.depth is not None and not 1 <= check_positive_int(c.depth, "depth") <= depth:
            raise ValueError(f"模型的 depth 不能超过 {depth} (a model's depth cannot exceed the batch's {depth}), "
                             f"got {c.depth}")
    n_train, n_test = len(datasets[0].y_train), len(datasets[0].y_test)
    if any(len(d.y_train) != n_train or len(d.y_test) != n_test for d in datasets):
        raise ValueError("所有数据集的训练集、测试集大小必须相同 (every data set needs the same train and test sizes)")
    if batch_size > n_train:
        raise ValueError(f"batch_size 不能大于训练样本数 {n_train} (batch_size cannot exceed {n_train}), "
                         f"got {batch_size}")
    snapshots = tuple(int(s) for s in snapshots)
    if any(s < 0 or s > epochs for s in snapshots):
        raise ValueError(f"snapshots 必须在 0..{epochs} 之间 (snapshots must lie in 0..{epochs}), got {snapshots}")
    grid_t = torch.zeros(0, 2) if grid is None else torch.as_tensor(as_float_matrix(grid, "grid"), dtype=torch.float32)

    # Models sorted by activation, so that each activation acts on one contiguous slice.
    order = sorted(range(len(configs)), key=lambda m: ACTIVATIONS.index(configs[m].activation))
    cfg = [configs[m] for m in order]
    M, width = len(cfg), max(c.hidden for c in cfg)
    groups = [(a, [i for i, c in enumerate(cfg) if c.activation == a]) for a in ACTIVATIONS]
    slices = [(a, idx[0], idx[-1] + 1) for a, idx in groups if idx]

    data_index = torch.tensor([c.data for c in cfg])
    X_train = torch.as_tensor(np.stack([d.X_train for d in datasets]), dtype=torch.float32)[data_index]
    y_train = torch.as_tensor(np.stack([d.y_train for d in datasets]), dtype=torch.int64)[data_index]
    X_test = torch.as_tensor(np.stack([d.X_test for d in datasets]), dtype=torch.float32)[data_index]
    y_test = torch.as_tensor(np.stack([d.y_test for d in datasets]), dtype=torch.int64)[data_index]
    n_inputs = X_train.shape[-1]
    if grid_t.shape[1] != n_inputs:
        raise ValueError(f"grid 必须有 {n_inputs} 列 (grid must have {n_inputs} columns), got {grid_t.shape[1]}")

    # Stacked, zero-padded parameters: layer l of model m is W[l][m] (inputs x outputs).
    sizes = [n_inputs] + [width] * depth + [2]
    Ws = [torch.zeros(M, a, b) for a, b in zip(sizes[:-1], sizes[1:])]
    bs = [torch.zeros(M, 1, b) for b in sizes[1:]]
    own_depth = [depth if c.depth is None else c.depth for c in cfg]
    initial = {}
    for m, c in enumerate(cfg):
        if (c.hidden, own_depth[m]) not in initial:
            initial[c.hidden, own_depth[m]] = init_mlp_weights(c.hidden, own_depth[m], n_inputs, 2, seed)
        weights, biases = initial[c.hidden, own_depth[m]]
        # Hidden layers first, the output layer last; the layers in between (if any) are skipped.
        places = list(range(own_depth[m])) + [depth]
        for layer, W, b in zip(places, weights, biases):
            Ws[layer][m, :W.shape[0], :W.shape[1]] = W
            bs[layer][m, 0, :b.shape[0]] = b
    # skip[l][m]: model m has fewer than l + 1 hidden layers, so hidden layer l passes H through.
    skip = [torch.tensor([d <= layer for d in own_depth])[:, None, None] for layer in range(depth)]
    skip = [s if s.any() else None for s in skip]
    params = [p.requires_grad_() for p in Ws + bs]
    hidden = torch.tensor([c.hidden for c in cfg])
    sizes_by_activation = [j - i for _, i, j in slices]
    # Padded units have zero weights: with relu, tanh or no σ they output σ(0) = 0 and get no
    # gradient, so they stay zero; sigmoid(0) = 1/2 is not zero, so its padding is masked.
    sig_mask = [(torch.arange(width)[None, :] < hidden[i:j, None]).float()[:, None, :] if a == "sigmoid" else None
                for a, i, j in slices]
    lr = torch.tensor([float(c.lr) for c in cfg])
    alive = torch.ones(M, dtype=torch.bool)
    diverged_at = np.full(M, -1)

    def forward(X: torch.Tensor) -> torch.Tensor:
        H = X
        for W, b, passes in zip(Ws[:-1], bs[:-1], skip):
            parts = torch.baddbmm(b, H, W).split(sizes_by_activation)  # split: its backward is one cat
            new = torch.cat([_TORCH_ACTIVATIONS[a](Z) if mask is None else torch.sigmoid(Z) * mask
                             for (a, _, _), Z, mask in zip(slices, parts, sig_mask)])
            H = new if passes is None else torch.where(passes, H, new)
        return torch.baddbmm(bs[-1], H, Ws[-1])

    def cross_entropy(logits: torch.Tensor, y: torch.Tensor) -> torch.Tensor:
        """Per model and sample: log Σ_k exp(o_k) - o_y (log-sum-exp, chapter 4)."""
        return torch.logsumexp(logits, dim=2) - logits.gather(2, y[:, :, None])[:, :, 0]

    records = {k: np.full((M, epochs + 1), np.nan) for k in ("train_loss", "test_loss", "train_acc", "test_acc")}
    grid_probs = np.full((M, len(snapshots), len(grid_t)), np.nan, dtype=np.float32)

    def record(epoch: int) -> None:
        keep = alive.numpy()
        with torch.no_grad():
            for split, X, y in (("train", X_train, y_train), ("test", X_test, y_test)):
                logits = forward(X)
                records[f"{split}_loss"][keep, epoch] = cross_entropy(logits, y).mean(dim=1).numpy()[keep]
                acc = (logits.argmax(dim=2) == y).float().mean(dim=1)
                records[f"{split}_acc"][keep, epoch] = acc.numpy()[keep]
            for s, when in enumerate(snapshots):
                if when == epoch and len(grid_t):
                    probs = torch.softmax(forward(grid_t.expand(M, -1, -1)), dim=2)[:, :, 1]
                    grid_probs[keep, s] = probs.numpy()[keep]

    def bury(dead: torch.Tensor, epoch: int) -> None:
        """Freeze the models that just diverged at zero weights (no NaN can reach the others)."""
        diverged_at[dead.numpy()] = epoch
        alive[dead] = False
        with torch.no_grad():
            for p in params:
                p[dead] = 0.0

    generator = torch.Generator().manual_seed(seed)
    record(0)
    for epoch in range(1, epochs + 1):
        for idx in torch.randperm(n_train, generator=generator).split(batch_size):
            loss = cross_entropy(forward(X_train[:, idx]), y_train[:, idx]).mean(dim=1)
            bad = alive & ~(torch.isfinite(loss) & (loss < DIVERGED_LOSS))
            if bad.any():
                bury(bad, epoch)  # before backward: a model buried now gets no gradient
                if not alive.any():
                    break
                loss = cross_entropy(forward(X_train[:, idx]), y_train[:, idx]).mean(dim=1)
            for p in params:
                p.grad = None
            # Each model's loss times its own learning rate: the gradient is then the whole step.
            (torch.where(alive, loss, torch.zeros_like(loss)) * lr).sum().backward()
            with torch.no_grad():
                for p in params:
                    p.sub_(p.grad)
        # A step can overflow the parameters without an infinite loss yet: look once an epoch.
        with torch.no_grad():
            finite = torch.stack([torch.isfinite(p.reshape(M, -1)).all(dim=1) for p in params]).all(dim=0)
        if (alive & ~finite).any():
            bury(alive & ~finite, epoch)
        record(epoch)

    # Dead units: after training, zero for every training sample (a ReLU unit then gets no gradient).
    with torch.no_grad():
        dead = torch.zeros(M)
        H = X_train
        for layer, (W, b, passes) in enumerate(zip(Ws[:-1], bs[:-1], skip)):
            parts = torch.baddbmm(b, H, W).split(sizes_by_activation)
            new = torch.cat([_TORCH_ACTIVATIONS[a](Z) if mask is None else torch.sigmoid(Z) * mask
                             for (a, _, _), Z, mask in zip(slices, parts, sig_mask)])
            real = (torch.arange(width)[None, :] < hidden[:, None]) & torch.tensor(
                [layer < d for d in own_depth])[:, None]
            dead += ((new == 0).all(dim=1) & real).sum(dim=1)
            H = new if passes is None else torch.where(passes, H, new)
        dead_fraction = (dead / (hidden * torch.tensor(own_depth))).numpy()
    dead_fraction[diverged_at >= 0] = np.nan

    back = np.argsort(order)  # rows back in the order of ``configs``
    return MLPBatchResult(
        configs=list(configs), depth=depth,
        train_loss=records["train_loss"][back], test_loss=records["test_loss"][back],
        train_acc=records["train_acc"][back], test_acc=records["test_acc"][back],
        diverged_at=diverged_at[back], snapshots=snapshots, grid_probs=grid_probs[back],
        dead_fraction=dead_fraction[back],
        seconds=time.perf_counter() - start,
    )


# -- the playground: every combination, trained on demand or all at once ------------------------------
class PlaygroundRun(NamedTuple):
    """Chapter 5: what one playground model did: per-epoch records and its class-1 probabilities on the grid."""

    train_loss: np.ndarray  # (epochs + 1,), NaN after divergence
    test_loss: np.ndarray
    train_acc: np.ndarray
    test_acc: np.ndarray
    diverged_at: int  # -1 if it never diverged
    grid_probs: np.ndarray  # (len(snapshots), len(grid)); NaN where it had diverged
    dead_fraction: float = float("nan")  # share of hidden units that output 0 on every training sample at the end


class PlaygroundRuns:
    """Chapter 5: the playground's models, trained when first asked for and kept.

    ``group="model"`` trains, for one request, the models that differ from it only in the
    learning rate (a few at once: what a live figure needs for one frame); ``group="depth"``
    trains every combination of one depth in one batch (what the static book needs: every
    frame, as fast as possible). Either way a model's result is the same.
    """

    def __init__(self, kinds: Sequence[str] = KINDS_2D, hidden: Sequence[int] = (2, 16),
                 depths: Sequence[int] = (1, 2), activations: Sequence[str] = ACTIVATIONS,
                 learning_rates: Sequence[float] = (0.01, 0.1, 1.0, 10.0), epochs: int = 200,
                 snapshots: Sequence[int] = (0, 20, 200), grid_size: int = 40, batch_size: int = 20,
                 seed: int = 0, group: str = "model") -> None:
        self.kinds = tuple(check_choice(k, "kind", KINDS_2D) for k in as_list(kinds, "kinds"))
        self.hidden = tuple(check_positive_int(h, "hidden") for h in as_list(hidden, "hidden"))
        self.depths = tuple(check_positive_int(d, "depth") for d in as_list(depths, "depths"))
        self.activations = tuple(check_choice(a, "activation", ACTIVATIONS) for a in as_list(activations, "activations"))
        self.learning_rates = tuple(check_positive_number(r, "lr") for r in as_list(learning_rates, "learning_rates"))
        for name, values in (("kinds", self.kinds), ("hidden", self.hidden), ("depths", self.depths),
                             ("activations", self.activations), ("learning_rates", self.learning_rates)):
            if not values or len(set(values)) != len(values):
                raise ValueError(f"{name} 不能为空或有重复 ({name} must be non-empty without repeats), got {values}")
        self.epochs = check_positive_int(epochs, "epochs")
        self.snapshots = tuple(int(s) for s in snapshots)
        if not self.snapshots or any(not 0 <= s <= self.epochs for s in self.snapshots):
            raise ValueError(f"snapshots 必须在 0..{self.epochs} 之间 (snapshots must lie in 0..{self.epochs}), "
                             f"got {self.snapshots}")
        self.batch_size, self.seed = check_positive_int(batch_size, "batch_size"), check_seed(seed)
        self.group = check_choice(group, "group", ("model", "depth"))
        self.data = {k: playground_data(k, seed=self.seed) for k in self.kinds}
        # One square grid for every data set: the standardized data stay within about ±2.5.
        reach = max(float(np.abs(np.vstack([d.X_train, d.X_test])).max()) for d in self.data.values())
        self.limit = math.ceil(reach * 10 + 1) / 10
        grid_size = check_positive_int(grid_size, "grid_size")
        # Cell centres: the raster's pixels sit exactly on them.
        centres = -self.limit + (np.arange(grid_size) + 0.5) * (2 * self.limit / grid_size)
        self.grid_size = grid_size
        self.grid = np.array([(x1, x2) for x2 in centres for x1 in centres], dtype=np.float32)
        self.runs: dict[tuple, PlaygroundRun] = {}
        self.seconds = 0.0  # time spent training so far

    @property
    def extent(self) -> tuple[float, float, float, float]:
        """(x0, x1, y0, y1) of the grid, for ``canvas.raster``."""
        return (-self.limit, self.limit, -self.limit, self.limit)

    def _train(self, keys: list[tuple]) -> None:
        """Train the combinations ``keys`` in one batch (shallower models skip the extra layers)."""
        datasets = [self.data[k] for k in self.kinds]
        configs = [MLPConfig(self.kinds.index(k), h, a, lr, d) for k, h, d, a, lr in keys]
        result = train_mlp_batch(datasets, configs, max(key[2] for key in keys), self.epochs, self.batch_size,
                                 self.seed, self.snapshots, self.grid)
        self.seconds += result.seconds
        for m, key in enumerate(keys):
            self.runs[key] = PlaygroundRun(result.train_loss[m], result.test_loss[m], result.train_acc[m],
                                           result.test_acc[m], int(result.diverged_at[m]), result.grid_probs[m],
                                           float(result.dead_fraction[m]))

    def get(self, kind: str, hidden: int, depth: int, activation: str, lr: float) -> PlaygroundRun:
        """The run of one combination (trained now if it has not been yet)."""
        key = (kind, hidden, depth, activation, lr)
        if key not in self.runs:
            if (kind not in self.kinds or hidden not in self.hidden or depth not in self.depths
                    or activation not in self.activations or lr not in self.learning_rates):
                raise ValueError(f"{key} 不是游乐场的选项组合 (not one of the playground's combinations)")
            if self.group == "model":
                keys = [(kind, hidden, depth, activation, r) for r in self.learning_rates]
            else:
                keys = [(k, h, depth, a, r) for k in self.kinds for h in self.hidden
                        for a in self.activations for r in self.learning_rates]
            self._train([k for k in keys if k not in self.runs])
        return self.runs[key]

    def prefetch(self, keys: Sequence[tuple]) -> None:
        """Train the combinations ``keys`` (kind, hidden, depth, activation, lr), each with every learning
        rate, all in one batch: a few dozen small models cost little more than one."""
        wanted: list[tuple] = []
        for key in as_list(keys, "keys"):
            if not isinstance(key, tuple) or len(key) != 5:
                raise ValueError(f"每个组合是 (kind, hidden, depth, activation, lr) (each key is a 5-tuple), got {key!r}")
            kind, hidden, depth, activation, lr = key
            if (kind not in self.kinds or hidden not in self.hidden or depth not in self.depths
                    or activation not in self.activations or lr not in self.learning_rates):
                raise ValueError(f"{key} 不是游乐场的选项组合 (not one of the playground's combinations)")
            for r in self.learning_rates:
                full = (kind, hidden, depth, activation, r)
                if full not in self.runs and full not in wanted:
                    wanted.append(full)
        if wanted:
            self._train(wanted)

    def probabilities(self, run: PlaygroundRun, epoch: int) -> np.ndarray:
        """The class-1 probability on the grid after ``epoch`` epochs, as a square (row 0 at the bottom)."""
        if epoch not in self.snapshots:
            raise ValueError(f"epoch 必须是 {self.snapshots} 之一 (epoch must be a snapshot), got {epoch!r}")
        return run.grid_probs[self.snapshots.index(epoch)].reshape(self.grid_size, self.grid_size)
