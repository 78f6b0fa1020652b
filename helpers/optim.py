"""Chapter 7 (神经网络的优化): optimizers from scratch, 2-D loss surfaces, backprop by hand.

    OPTIMIZERS              the optimizer names: sgd, momentum, rmsprop, adam
    sgd_step, momentum_step, rmsprop_step, adam_step
                            one update of each, written from the formulas with torch's conventions
                            (NumPy arrays or torch tensors; checked against torch.optim in the tests)
    Surface, SURFACES       three 2-D losses: an ill-conditioned valley, Rosenbrock, a saddle
    Trajectory, trajectory  an optimizer's path on a surface (many starts or rates at once)
    TinyNet, TINY_NET       the chapter's tiny network: 2 inputs -> 2 sigmoid units -> 1 output
    BackpropStep, tiny_backprop
                            its forward values and every chain-rule product, step by step
    tiny_autograd           the same gradients from PyTorch's autograd
    layer_gradient_norms    the gradient norm of each layer of a deep network (vanishing gradients)

Hyperparameter names follow book/conventions.md: β (momentum, torch's ``momentum``), γ
(RMSprop, torch's ``alpha``), β₁, β₂ (Adam's ``betas``), ε (``eps``).
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Any, Callable

import numpy as np
import torch
from torch import nn

from .validation import (as_float_matrix, check_choice, check_positive_int,
                         check_positive_number, check_seed, to_numpy)

#: The optimizers of the chapter, in the order the chapter introduces them.
OPTIMIZERS: tuple[str, ...] = ("sgd", "momentum", "rmsprop", "adam")
#: How the figures and tables name them.
OPTIMIZER_LABELS: dict[str, str] = {"sgd": "SGD", "momentum": "动量", "rmsprop": "RMSprop", "adam": "Adam"}
#: torch.optim's defaults (momentum: the value everyone uses), which the chapter keeps.
BETA, GAMMA, BETA1, BETA2, EPS = 0.9, 0.99, 0.9, 0.999, 1e-8


def _sqrt(a: Any) -> Any:
    return a ** 0.5  # the same expression for a NumPy array and a torch tensor


# -- one update of each optimizer -------------------------------------------------------------
def sgd_step(w: Any, g: Any, lr: float) -> Any:
    """Chapter 7: w ← w − η g (a new array; ``w`` is not changed)."""
    return w - lr * g


def momentum_step(w: Any, g: Any, v: Any, lr: float, beta: float = BETA) -> tuple[Any, Any]:
    """Chapter 7: v ← β v + g, w ← w − η v (torch.optim.SGD with ``momentum=β``); returns (w, v)."""
    v = beta * v + g
    return w - lr * v, v


def rmsprop_step(w: Any, g: Any, s: Any, lr: float, gamma: float = GAMMA,
                 eps: float = EPS) -> tuple[Any, Any]:
    """Chapter 7: s ← γ s + (1 − γ) g², w ← w − η g / (√s + ε) (torch.optim.RMSprop); returns (w, s)."""
    s = gamma * s + (1 - gamma) * g * g
    return w - lr * g / (_sqrt(s) + eps), s


def adam_step(w: Any, g: Any, m: Any, s: Any, t: int, lr: float, beta1: float = BETA1,
              beta2: float = BETA2, eps: float = EPS) -> tuple[Any, Any, Any]:
    """Chapter 7: Adam's step ``t`` (1, 2, ...) with bias correction (torch.optim.Adam); returns (w, m, s)."""
    m = beta1 * m + (1 - beta1) * g
    s = beta2 * s + (1 - beta2) * g * g
    m_hat = m / (1 - beta1 ** t)
    s_hat = s / (1 - beta2 ** t)
    return w - lr * m_hat / (_sqrt(s_hat) + eps), m, s


def check_optimizer(name: Any) -> str:
    """``name`` if it is one of OPTIMIZERS, else a bilingual ValueError."""
    return check_choice(name, "optimizer", OPTIMIZERS)


def run_optimizer(name: str, grad: Callable[[np.ndarray], np.ndarray], start: Any, lr: float,
                  steps: int) -> np.ndarray:
    """Chapter 7: the points w₀, w₁, …, w_steps of optimizer ``name`` from ``start`` (shape (..., 2) or any).

    ``grad(w)`` returns the gradient at each point of ``w`` (same shape). Many starting
    points are run at once when ``start`` has several rows. No divergence check here: a
    diverging run fills with inf or nan (see ``trajectory``).
    """
    name = check_optimizer(name)
    lr = check_positive_number(lr, "lr")
    steps = check_positive_int(steps, "steps")
    w = np.array(to_numpy(start), dtype=np.float64)
    if not np.all(np.isfinite(w)):
        raise ValueError(f"起点必须是有限的数 (the start must be finite), got {start!r}")
    path = [w]
    first = np.zeros_like(w)
    second = np.zeros_like(w)
    with np.errstate(over="ignore", invalid="ignore"):
        for t in range(1, steps + 1):
            g = grad(w)
            if name == "sgd":
                w = sgd_step(w, g, lr)
            elif name == "momentum":
                w, first = momentum_step(w, g, first, lr)
            elif name == "rmsprop":
                w, second = rmsprop_step(w, g, second, lr)
            else:
                w, first, second = adam_step(w, g, first, second, t, lr)
            path.append(w)
    return np.stack(path)


# -- three loss surfaces in the plane -----------------------------------------------------------
@dataclass(frozen=True)
class Surface:
    """A loss f(w₁, w₂) on the plane, its gradient, the box the figures show and a few starting points."""

    key: str
    label: str
    formula: str                       # LaTeX-free text for the figures
    f: Callable[[np.ndarray], np.ndarray]
    grad: Callable[[np.ndarray], np.ndarray]
    xlim: tuple[float, float]
    ylim: tuple[float, float]
    minima: tuple[tuple[float, float], ...]
    f_min: float
    starts: tuple[tuple[str, tuple[float, float]], ...]
    saddles: tuple[tuple[float, float], ...] = ()

    def loss(self, w: Any) -> np.ndarray:
        """f at each point of ``w`` (shape (..., 2))."""
        return self.f(np.asarray(w, dtype=np.float64))

    def gap(self, w: Any) -> np.ndarray:
        """f − f_min (≥ 0): what the loss curves plot on a log scale."""
        return np.maximum(self.loss(w) - self.f_min, 0.0)


def _valley_f(w: np.ndarray) -> np.ndarray:
    return 0.5 * (w[..., 0] ** 2 + 20.0 * w[..., 1] ** 2)


def _valley_grad(w: np.ndarray) -> np.ndarray:
    return np.stack([w[..., 0], 20.0 * w[..., 1]], axis=-1)


def _rosenbrock_f(w: np.ndarray) -> np.ndarray:
    x, y = w[..., 0], w[..., 1]
    return (1 - x) ** 2 + 10.0 * (y - x ** 2) ** 2


def _rosenbrock_grad(w: np.ndarray) -> np.ndarray:
    x, y = w[..., 0], w[..., 1]
    return np.stack([-2 * (1 - x) - 40.0 * x * (y - x ** 2), 20.0 * (y - x ** 2)], axis=-1)


def _saddle_f(w: np.ndarray) -> np.ndarray:
    x, y = w[..., 0], w[..., 1]
    return x ** 2 + 0.25 * y ** 4 - 0.5 * y ** 2


def _saddle_grad(w: np.ndarray) -> np.ndarray:
    x, y = w[..., 0], w[..., 1]
    return np.stack([2 * x, y ** 3 - y], axis=-1)


#: The chapter's three surfaces: curvatures that differ 20-fold, a curved valley, a saddle point.
SURFACES: dict[str, Surface] = {
    "valley": Surface("valley", "狭长山谷", "f = (w₁² + 20 w₂²) / 2", _valley_f, _valley_grad,
                      (-6.0, 6.0), (-2.5, 2.5), ((0.0, 0.0),), 0.0,
                      (("(−5, 2)", (-5.0, 2.0)), ("(−5, 0.5)", (-5.0, 0.5)), ("(4, −2)", (4.0, -2.0)))),
    "rosenbrock": Surface("rosenbrock", "Rosenbrock 香蕉谷", "f = (1 − w₁)² + 10 (w₂ − w₁²)²",
                          _rosenbrock_f, _rosenbrock_grad, (-2.0, 2.0), (-1.0, 3.0), ((1.0, 1.0),), 0.0,
                          (("(−1.5, 2.5)", (-1.5, 2.5)), ("(−1, −0.5)", (-1.0, -0.5)),
                           ("(1.5, −0.5)", (1.5, -0.5)))),
    "saddle": Surface("saddle", "鞍点", "f = w₁² + w₂⁴/4 − w₂²/2", _saddle_f, _saddle_grad,
                      (-2.0, 2.0), (-2.0, 2.0), ((0.0, 1.0), (0.0, -1.0)), -0.25,
                      (("(1.5, 0.001)", (1.5, 0.001)), ("(−1.5, −0.3)", (-1.5, -0.3)),
                       ("(1.8, 1.8)", (1.8, 1.8))), saddles=((0.0, 0.0),)),
}


def get_surface(key: Any) -> Surface:
    """One of SURFACES by key (a bilingual ValueError for an unknown one)."""
    return SURFACES[check_choice(key, "surface", tuple(SURFACES))]


@dataclass
class Trajectory:
    """An optimizer's path on a surface: its points, f − f_min at each, and where it diverged (or None)."""

    optimizer: str
    lr: float
    points: np.ndarray          # (k + 1, 2): cut where it left the plane far behind (diverged)
    gaps: np.ndarray            # (k + 1,): f − f_min at those points
    diverged_at: int | None     # the step at which it diverged, None if it did not

    @property
    def final_gap(self) -> float:
        """f − f_min at the last point (inf if the run diverged)."""
        return math.inf if self.diverged_at is not None else float(self.gaps[-1])


#: A point this many view-widths away from the surface's box (or a non-finite one) has diverged.
DIVERGENCE_FACTOR = 100.0


def trajectory(surface: Any, optimizer: str, lr: float, start: Any, steps: int) -> Trajectory:
    """Chapter 7: run ``optimizer`` on ``surface`` (a key or a Surface) for ``steps`` steps from ``start``."""
    surface = surface if isinstance(surface, Surface) else get_surface(surface)
    start = np.asarray(to_numpy(start), dtype=np.float64)
    if start.shape != (2,):
        raise ValueError(f"起点必须是平面上的一个点 (the start must be one point (w₁, w₂)), got shape {start.shape}")
    path = run_optimizer(optimizer, surface.grad, start, lr, steps)
    width = max(surface.xlim[1] - surface.xlim[0], surface.ylim[1] - surface.ylim[0])
    centre = np.array([sum(surface.xlim), sum(surface.ylim)]) / 2
    with np.errstate(invalid="ignore", over="ignore"):
        far = ~np.all(np.isfinite(path), axis=1) | (np.abs(path - centre).max(axis=1) > DIVERGENCE_FACTOR * width)
    diverged_at = int(np.argmax(far)) if far.any() else None
    kept = path if diverged_at is None else path[:diverged_at]
    with np.errstate(over="ignore", invalid="ignore"):
        gaps = surface.gap(kept)
    return Trajectory(optimizer, float(lr), kept, gaps, diverged_at)


# -- backpropagation on a tiny network -----------------------------------------------------------
@dataclass(frozen=True)
class TinyNet:
    """Chapter 7's tiny network: z = xᵀW⁽¹⁾ + b⁽¹⁾, h = sigmoid(z), ŷ = hᵀw⁽²⁾ + b⁽²⁾, L = (ŷ − y)²/2."""

    x: tuple[float, float] = (1.0, 0.5)
    y: float = 1.0
    W1: tuple[tuple[float, float], tuple[float, float]] = ((0.5, -0.3), (0.8, 0.2))  # rows = inputs
    b1: tuple[float, float] = (0.1, -0.1)
    w2: tuple[float, float] = (1.2, -0.7)
    b2: float = 0.2

    def params(self) -> dict[str, np.ndarray]:
        """The parameters as float64 arrays, by name."""
        return {"W1": np.array(self.W1, float), "b1": np.array(self.b1, float),
                "w2": np.array(self.w2, float), "b2": np.array(self.b2, float)}


#: The numbers the chapter works with.
TINY_NET = TinyNet()


@dataclass(frozen=True)
class BackpropStep:
    """One node of the backward pass: ∂L/∂node = (∂L/∂parent) × (∂parent/∂node) (the local gradient)."""

    node: str              # e.g. "h₁"
    parent: str            # the node the gradient comes from, e.g. "ŷ"
    local_formula: str     # ∂parent/∂node written out, e.g. "w⁽²⁾₁"
    local: float
    upstream: float        # ∂L/∂parent
    grad: float            # upstream × local (summed over parents where there are several)


@dataclass
class TinyBackprop:
    """The tiny network's forward values, backward steps and parameter gradients."""

    values: dict[str, float]          # forward value of every node
    steps: list[BackpropStep]         # backward, output first
    grads: dict[str, np.ndarray]      # ∂L/∂W1, ∂L/∂b1, ∂L/∂w2, ∂L/∂b2
    forward_formulas: dict[str, str] = field(default_factory=dict)


def _sigmoid(z: np.ndarray) -> np.ndarray:
    return 1.0 / (1.0 + np.exp(-z))


def tiny_backprop(net: TinyNet = TINY_NET) -> TinyBackprop:
    """Chapter 7: the four steps of backprop by hand on ``net`` (forward, loss, backward by the chain rule)."""
    p = net.params()
    x = np.array(net.x, float)
    if not (np.all(np.isfinite(x)) and all(np.all(np.isfinite(v)) for v in p.values())
            and math.isfinite(net.y)):
        raise ValueError("网络的数必须是有限的 (the network's numbers must be finite)")
    # 1. forward
    z = x @ p["W1"] + p["b1"]
    h = _sigmoid(z)
    y_hat = float(h @ p["w2"] + p["b2"])
    # 2. loss
    loss = 0.5 * (y_hat - net.y) ** 2
    values = {"x₁": x[0], "x₂": x[1], "z₁": z[0], "z₂": z[1], "h₁": h[0], "h₂": h[1],
              "ŷ": y_hat, "L": loss}
    formulas = {"z₁": "x₁W₁₁ + x₂W₂₁ + b₁", "z₂": "x₁W₁₂ + x₂W₂₂ + b₂",
                "h₁": "sigmoid(z₁)", "h₂": "sigmoid(z₂)", "ŷ": "h₁w₁ + h₂w₂ + b", "L": "(ŷ − y)²/2"}
    # 3. backward: each node's gradient = the gradient of the node after it × the local gradient
    steps = []
    d_yhat = y_hat - net.y
    steps.append(BackpropStep("ŷ", "L", "ŷ − y", d_yhat, 1.0, d_yhat))
    d_h = np.zeros(2)
    for j in range(2):
        d_h[j] = d_yhat * p["w2"][j]
        steps.append(BackpropStep(f"h{'₁₂'[j]}", "ŷ", f"w{'₁₂'[j]}", p["w2"][j], d_yhat, d_h[j]))
    d_z = np.zeros(2)
    for j in range(2):
        local = h[j] * (1 - h[j])
        d_z[j] = d_h[j] * local
        steps.append(BackpropStep(f"z{'₁₂'[j]}", f"h{'₁₂'[j]}", f"h{'₁₂'[j]}(1 − h{'₁₂'[j]})", local,
                                  d_h[j], d_z[j]))
    grads = {"W1": np.outer(x, d_z), "b1": d_z.copy(), "w2": d_yhat * h, "b2": np.array(d_yhat)}
    return TinyBackprop({k: float(v) for k, v in values.items()}, steps, grads, formulas)


def tiny_autograd(net: TinyNet = TINY_NET, device: str = "cpu") -> dict[str, np.ndarray]:
    """Chapter 7: the tiny network's parameter gradients from ``loss.backward()`` (float64)."""
    params = {k: torch.tensor(v, dtype=torch.float64, device=device, requires_grad=True)
              for k, v in net.params().items()}
    x = torch.tensor(net.x, dtype=torch.float64, device=device)
    h = torch.sigmoid(x @ params["W1"] + params["b1"])
    y_hat = h @ params["w2"] + params["b2"]
    loss = 0.5 * (y_hat - net.y) ** 2
    loss.backward()
    return {k: v.grad.cpu().numpy() for k, v in params.items()}


# -- vanishing and exploding gradients -----------------------------------------------------------
def deep_network(activation: str, depth: int = 10, width: int = 64, n_outputs: int = 10,
                 gain: float = 1.0, seed: int = 0) -> nn.Sequential:
    """Chapter 7: ``depth`` linear layers with ``activation`` between them.

    Weights are normal with standard deviation gain·√(1/width) for sigmoid (Xavier's
    scale) and gain·√(2/width) for ReLU (He's scale), biases zero.
    """
    activation = check_choice(activation, "activation", ("sigmoid", "relu"))
    depth, width = check_positive_int(depth, "depth"), check_positive_int(width, "width")
    gain = check_positive_number(gain, "gain")
    generator = torch.Generator().manual_seed(check_seed(seed))
    std = gain * math.sqrt((1.0 if activation == "sigmoid" else 2.0) / width)
    layers: list[nn.Module] = []
    for i in range(depth):
        linear = nn.Linear(width, width if i < depth - 1 else n_outputs)
        with torch.no_grad():
            linear.weight.copy_(torch.randn(linear.weight.shape, generator=generator) * std)
            linear.bias.zero_()
        layers.append(linear)
        if i < depth - 1:
            layers.append(nn.Sigmoid() if activation == "sigmoid" else nn.ReLU())
    return nn.Sequential(*layers)


def layer_gradient_norms(model: nn.Module, X: Any, y: Any) -> np.ndarray:
    """Chapter 7: ‖∂L/∂W⁽ˡ⁾‖ (Frobenius) of each linear layer, first layer first, for the cross-entropy of one batch."""
    X = torch.as_tensor(as_float_matrix(X, "X") if not isinstance(X, torch.Tensor) else X)
    y = torch.as_tensor(y)
    linears = [m for m in model.modules() if isinstance(m, nn.Linear)]
    if not linears:
        raise ValueError("模型里没有 nn.Linear 层 (the model has no nn.Linear layer)")
    device = linears[0].weight.device
    model.zero_grad()
    nn.functional.cross_entropy(model(X.to(device, linears[0].weight.dtype)), y.to(device)).backward()
    return np.array([m.weight.grad.norm().item() for m in linears])

