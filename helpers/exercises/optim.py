"""Chapter 7 exercises: one momentum step, one Adam step, the backward pass of a softmax-regression layer.

The expected values come from ``helpers.optim`` (checked against ``torch.optim`` in
tests/test_optim.py) and from PyTorch's autograd, in float64.
"""

from __future__ import annotations

from typing import Any, Callable, Sequence

import numpy as np
import torch

from ..optim import adam_step, momentum_step
from ._core import Case, CheckResult, compare, run_cases


def _parts(expected: Sequence[Any], names: Sequence[str]) -> Callable[[Any], str | None]:
    """A Case.check: the result is a tuple of len(expected) arrays (or numbers), each close to its expected value."""

    def check(result: Any) -> str | None:
        if not isinstance(result, (tuple, list)) or len(result) != len(expected):
            return (f"应返回 {len(expected)} 个值 ({', '.join(names)})，得到 {type(result).__name__}"
                    f"（return a tuple ({', '.join(names)})）")
        for name, got, want in zip(names, result, expected):
            want = np.asarray(want, dtype=np.float64)
            problem = compare(got, float(want) if want.ndim == 0 else want, atol=1e-9, rtol=1e-7)
            if problem:
                return f"{name} 不对：{problem}"
        return None

    return check


# -- exercise 7.1: one momentum step -----------------------------------------------------------------
def check_momentum_step(fn: Callable, strict: bool = False) -> CheckResult:
    """Chapter 7 exercise: fn(w, g, v, lr, beta) -> (w_new, v_new) with v ← βv + g, w ← w − ηv (torch's SGD)."""
    rng = np.random.default_rng(70)
    w, g, v = rng.normal(size=5), rng.normal(size=5), rng.normal(size=5)
    zeros = np.zeros(3)
    hint_v = "速度要记住上一步：v_new = beta * v + g，不是 v_new = g。"
    cases = [
        Case("第一步：v = 0", args=(np.array([1.0, -2.0, 0.5]), np.array([0.2, 0.4, -1.0]), zeros, 0.1, 0.9),
             check=_parts(momentum_step(np.array([1.0, -2.0, 0.5]), np.array([0.2, 0.4, -1.0]), zeros, 0.1, 0.9),
                          ["w_new", "v_new"]),
             hint="第一步 v = 0，所以 v_new = g，w_new = w − lr * g。"),
        Case("之后的一步：v ≠ 0", args=(w, g, v, 0.05, 0.9),
             check=_parts(momentum_step(w, g, v, 0.05, 0.9), ["w_new", "v_new"]), hint=hint_v),
        Case("梯度为 0 时仍沿着速度走", args=(np.array([2.0]), np.zeros(1), np.array([1.0]), 0.5, 0.8),
             check=_parts(([2.0 - 0.5 * 0.8], [0.8]), ["w_new", "v_new"]),
             hint="w 要减去 lr * v_new（新的速度），不是 lr * g：没有梯度时，动量仍推着参数走。"),
        Case("beta = 0.5（不是固定的 0.9）", args=(w, g, v, 0.1, 0.5),
             check=_parts(momentum_step(w, g, v, 0.1, 0.5), ["w_new", "v_new"]),
             hint="PyTorch 的约定：v_new = beta * v + g，梯度前面没有 (1 − beta)。"),
        Case("一个参数：w、g、v 都是 Python 的数", args=(1.0, 0.5, 0.2, 0.1, 0.9),
             check=_parts((1.0 - 0.1 * 0.68, 0.68), ["w_new", "v_new"]),
             hint="一个数也要能算：只用 +、−、* 写，不要用 np.zeros_like 之类只认数组的函数。"),
        Case("torch 张量", args=(torch.tensor([1.0, 2.0], dtype=torch.float64),
                                 torch.tensor([0.5, -0.5], dtype=torch.float64),
                                 torch.tensor([0.1, 0.2], dtype=torch.float64), 0.1, 0.9),
             check=_parts(momentum_step(np.array([1.0, 2.0]), np.array([0.5, -0.5]), np.array([0.1, 0.2]), 0.1, 0.9),
                          ["w_new", "v_new"]),
             hint="只用 +、−、* 写，NumPy 数组和张量都能算。"),
    ]
    return run_cases(fn, cases, strict=strict)


# -- exercise 7.2: one Adam step -----------------------------------------------------------------------
def check_adam_step(fn: Callable, strict: bool = False) -> CheckResult:
    """Chapter 7 exercise: fn(w, g, m, s, t, lr, beta1, beta2, eps) -> (w_new, m_new, s_new), torch's Adam."""
    rng = np.random.default_rng(71)
    w, g = rng.normal(size=4), rng.normal(size=4)
    m, s = rng.normal(0, 0.1, size=4), rng.uniform(0.01, 0.1, size=4)
    zeros = np.zeros(4)
    names = ["w_new", "m_new", "s_new"]
    hint_bias = "别忘了偏差修正：m̂ = m / (1 − beta1**t)，ŝ = s / (1 − beta2**t)，再 w − lr * m̂ / (√ŝ + eps)。"
    cases = [
        Case("第一步 t = 1：m = s = 0", args=(w, g, zeros, zeros, 1, 0.01, 0.9, 0.999, 1e-8),
             check=_parts(adam_step(w, g, zeros, zeros, 1, 0.01, 0.9, 0.999, 1e-8), names), hint=hint_bias),
        Case("第 5 步", args=(w, g, m, s, 5, 0.01, 0.9, 0.999, 1e-8),
             check=_parts(adam_step(w, g, m, s, 5, 0.01, 0.9, 0.999, 1e-8), names), hint=hint_bias),
        Case("很小的梯度、较大的 eps：eps 加在根号外面", args=(w, g * 1e-4, zeros, zeros, 1, 0.1, 0.9, 0.999, 1e-3),
             check=_parts(adam_step(w, g * 1e-4, zeros, zeros, 1, 0.1, 0.9, 0.999, 1e-3), names),
             hint="PyTorch 的约定：分母是 √ŝ + eps，不是 √(ŝ + eps)。"),
        Case("一个参数：都是 Python 的数", args=(0.5, -2.0, 0.0, 0.0, 1, 0.1, 0.9, 0.999, 1e-8),
             check=_parts(adam_step(np.float64(0.5), -2.0, 0.0, 0.0, 1, 0.1, 0.9, 0.999, 1e-8), names),
             hint="第一步做了偏差修正后，走的距离正好约是 lr（朝梯度的反方向）。"),
        Case("第 1000 步：偏差修正几乎不起作用", args=(w, g, m, s, 1000, 0.001, 0.8, 0.99, 1e-8),
             check=_parts(adam_step(w, g, m, s, 1000, 0.001, 0.8, 0.99, 1e-8), names),
             hint="beta1、beta2 用传进来的值，不要写死 0.9 和 0.999。"),
    ]
    return run_cases(fn, cases, strict=strict)


# -- exercise 7.3: backward pass of a linear layer with softmax cross-entropy --------------------------
def _softmax_linear_grads(X: np.ndarray, W: np.ndarray, b: np.ndarray, y: np.ndarray) -> tuple[np.ndarray, ...]:
    """∂L/∂W and ∂L/∂b of L = mean cross-entropy of softmax(XW + b), by autograd."""
    Wt = torch.tensor(W, dtype=torch.float64, requires_grad=True)
    bt = torch.tensor(b, dtype=torch.float64, requires_grad=True)
    O = torch.as_tensor(X, dtype=torch.float64) @ Wt + bt
    torch.nn.functional.cross_entropy(O, torch.as_tensor(y)).backward()
    return Wt.grad.numpy(), bt.grad.numpy()


def check_softmax_linear_backward(fn: Callable, strict: bool = False) -> CheckResult:
    """Chapter 7 exercise: fn(X, W, b, y) -> (dW, db), the gradients of the mean softmax cross-entropy of XW + b."""
    rng = np.random.default_rng(72)
    cases = []
    hint = ("∂L/∂O = (softmax(O) − Y) / n（Y 是独热标签），dW = Xᵀ (∂L/∂O)，db = (∂L/∂O) 按行求和。"
            "别忘了除以 n：损失是 n 个样本的平均。")
    for n, d, q, what in [(6, 3, 4, "n = 6, d = 3, q = 4"), (3, 3, 3, "n = d = q = 3（转置错了形状也对）"),
                          (50, 5, 2, "n = 50：1/n 不能漏")]:
        X, W = rng.normal(size=(n, d)), rng.normal(size=(d, q))
        b, y = rng.normal(size=q), rng.integers(0, q, size=n)
        cases.append(Case(what, args=(X, W, b, y), check=_parts(_softmax_linear_grads(X, W, b, y), ["dW", "db"]),
                          hint=hint))
    X = np.array([[1.0, 2.0], [3.0, -1.0]])
    W = np.array([[500.0, 0.0, -500.0], [0.0, 400.0, 0.0]])
    cases.append(Case("很大的 logit：softmax 要先减去每行的最大值", args=(X, W, np.zeros(3), np.array([0, 2])),
                      check=_parts(_softmax_linear_grads(X, W, np.zeros(3), np.array([0, 2])), ["dW", "db"]),
                      hint="exp(1000) 会溢出成 inf：先 O − O.max(axis=1, keepdims=True) 再求 exp（第 4 章）。"))
    return run_cases(fn, cases, strict=strict)

