"""Chapter 3 exercises: squared loss, the SGD update and the analytic solution."""

from __future__ import annotations

from typing import Any, Callable

import numpy as np
import torch

from ..validation import to_numpy
from ._core import Case, CheckResult, as_number, compare, number_problem, run_cases


# -- 1. squared loss ----------------------------------------------------------------
def _squared_loss_check(y_hat: Any, y: Any) -> Callable[[Any], str | None]:
    """A Case.check that recognises the usual mistakes in a squared loss."""
    y_hat_np, y_np = to_numpy(y_hat).astype(float), to_numpy(y).astype(float)
    expected = (y_hat_np - y_np.reshape(y_hat_np.shape)) ** 2 / 2

    def check(result: Any) -> str | None:
        try:
            got = to_numpy(result)
        except Exception:  # noqa: BLE001 - anything unconvertible is simply wrong
            return f"应返回数组或张量，得到 {type(result).__name__}（expected an array or tensor）"
        if got.dtype.kind not in "iuf":
            return f"应返回数值数组或张量，得到 dtype 为 {got.dtype} 的 {type(result).__name__}（expected numbers）"
        got = got.astype(float)
        if got.ndim == 2 and got.shape[0] == got.shape[1] == len(y_np) and expected.shape != got.shape:
            return (f"结果的形状是 {got.shape}：y_hat {y_hat_np.shape} 与 y {y_np.shape} 相减时发生了广播。"
                    "先把 y 变成 y_hat 的形状：y.reshape(y_hat.shape)")
        if compare(got, expected) is None:
            return None
        if got.size == 1 and expected.size > 1:
            return "只返回了一个数：这里要的是每个样本各自的损失（不要求和或求平均）"
        if got.shape == expected.shape and np.allclose(got, 2 * expected):
            return "结果是正确答案的 2 倍：平方损失前面有系数 ½"
        if got.shape == expected.shape and np.allclose(got, np.sqrt(2 * expected)):
            return "结果是 |ŷ − y|：差要平方，再乘 ½"
        return compare(got, expected)

    return check


def check_squared_loss(fn: Callable, strict: bool = False) -> CheckResult:
    """Chapter 3 exercise: fn(y_hat, y) returns ½(ŷ − y)² per sample, shaped like y_hat."""
    rng = np.random.default_rng(3)
    y_hat_rand, y_rand = rng.normal(size=(6, 1)), rng.normal(size=6)
    t_hat, t_y = torch.tensor([[1.0], [2.0], [4.0]]), torch.tensor([1.5, 2.0, 1.0])
    flat_hat, flat_y = np.array([1.0, -2.0, 0.5, 3.0]), np.array([0.0, 2.0, 0.5, -1.0])
    grad_y = torch.from_numpy(rng.normal(size=50))
    grad_hat = (torch.from_numpy(rng.normal(size=(50, 1))) * 3).requires_grad_(True)
    cases = [
        Case("y_hat 和 y 都是 (3, 1)：[[3], [1], [0]] 与 [[1], [1], [2]]",
             (np.array([[3.0], [1.0], [0.0]]), np.array([[1.0], [1.0], [2.0]])),
             check=_squared_loss_check(np.array([[3.0], [1.0], [0.0]]), np.array([[1.0], [1.0], [2.0]])),
             hint="l = ½(ŷ − y)²，对每个样本分别计算"),
        Case("y 是一维的 (6,)，y_hat 是 (6, 1)", (y_hat_rand, y_rand),
             check=_squared_loss_check(y_hat_rand, y_rand),
             hint="和本章的 squared_loss 一样，用 y.reshape(y_hat.shape) 统一形状"),
        Case("torch 张量：y_hat (3, 1)，y (3,)", (t_hat, t_y), check=_squared_loss_check(t_hat, t_y),
             hint="同一份代码要对 NumPy 数组和 torch 张量都能用：只用 -、**、/ 和 reshape"),
        Case("预测完全正确时损失为 0", (np.array([[2.5], [-1.0]]), np.array([2.5, -1.0])),
             check=_squared_loss_check(np.array([[2.5], [-1.0]]), np.array([2.5, -1.0]))),
        Case("y_hat 和 y 都是一维的 (4,)", (flat_hat, flat_y), check=_squared_loss_check(flat_hat, flat_y),
             hint="结果的形状跟 y_hat 一样；y.reshape(y_hat.shape) 对一维的 y_hat 也成立"),
        Case("模型输出的张量（requires_grad=True），50 个样本", (grad_hat, grad_y),
             check=_squared_loss_check(grad_hat, grad_y),
             hint="训练时 y_hat 来自模型、需要梯度：不要用 .numpy() 或原地运算，只用 -、**、/ 和 reshape"),
    ]
    return run_cases(fn, cases, name=getattr(fn, "__name__", None), strict=strict)


# -- 2. the minibatch SGD update ------------------------------------------------------
def _sgd_case(description: str, shapes: list[tuple[int, ...]], lr: float, batch_size: int,
              seed: int) -> Case:
    generator = torch.Generator().manual_seed(seed)
    params, starts, grads = [], [], []
    for shape in shapes:
        start = torch.randn(shape, generator=generator)
        grad = torch.randn(shape, generator=generator)
        param = start.clone().requires_grad_(True)
        param.grad = grad.clone()
        params.append(param)
        starts.append(start)
        grads.append(grad)
    objects = [id(p) for p in params]

    def check(result: Any) -> str | None:
        for number, (param, start, grad, ident) in enumerate(zip(params, starts, grads, objects), 1):
            if id(param) != ident or not param.requires_grad:
                return f"第 {number} 个参数不再是原来那个需要梯度的张量"
            value = param.detach()
            right = start - lr * grad / batch_size
            if torch.allclose(value, right, atol=1e-6):
                pass
            elif torch.allclose(value, start):
                return (f"第 {number} 个参数没有变：param = param - … 只让局部变量指向了新张量，"
                        "要原地更新：param -= …")
            elif torch.allclose(value, start - lr * grad):
                return "更新量太大了 batch_size 倍：param.grad 是小批量损失之和的梯度，要除以 batch_size"
            elif torch.allclose(value, start + lr * grad / batch_size):
                return "方向反了：梯度指向损失增大的方向，要减去它"
            else:
                return (f"第 {number} 个参数的更新不对：期望 {right.flatten()[:4].tolist()}，"
                        f"得到 {value.flatten()[:4].tolist()}")
            # zero_() and `param.grad = None` (what zero_grad() does since PyTorch 2.0) are both right
            if param.grad is not None and not torch.all(param.grad == 0):
                return ("更新后没有把梯度清零：PyTorch 会把下一次 backward() 的梯度累加上去，"
                        "要 param.grad.zero_()（或 param.grad = None）")
        return None

    return Case(description, (params, lr, batch_size), check=check, may_modify=True, returns_value=False,
                hint="在 with torch.no_grad(): 里写 param -= lr * param.grad / batch_size，然后 param.grad.zero_()")


def check_sgd(fn: Callable, strict: bool = False) -> CheckResult:
    """Chapter 3 exercise: fn(params, lr, batch_size) updates each param in place and zeroes its gradient."""
    cases = [
        _sgd_case("w 形状 (2, 1)、b 形状 (1,)，lr = 0.1，batch_size = 4", [(2, 1), (1,)], 0.1, 4, seed=0),
        _sgd_case("三个参数，lr = 0.03，batch_size = 10", [(3, 1), (1,), (2, 2)], 0.03, 10, seed=1),
        _sgd_case("batch_size = 1（随机梯度下降）", [(4, 1), (1,)], 0.5, 1, seed=2),
    ]
    return run_cases(fn, cases, name=getattr(fn, "__name__", None), strict=strict)


# -- 3. the analytic solution -----------------------------------------------------------
def _least_squares_reference(X: np.ndarray, y: np.ndarray) -> tuple[np.ndarray, float]:
    X_tilde = np.column_stack([X, np.ones(len(X))])
    solution = np.linalg.lstsq(X_tilde, y, rcond=None)[0]
    return solution[:-1], float(solution[-1])


def _least_squares_check(X: np.ndarray, y: np.ndarray) -> Callable[[Any], str | None]:
    w_ref, b_ref = _least_squares_reference(X, y)
    w_no_bias = np.linalg.lstsq(X, y, rcond=None)[0]

    def check(result: Any) -> str | None:
        if not isinstance(result, (tuple, list)) or len(result) != 2:
            return f"应返回 (w, b) 两个值，得到 {type(result).__name__}"
        w, b = result
        try:
            w = to_numpy(w)
        except Exception:  # noqa: BLE001 - anything unconvertible is simply wrong
            return f"w 应是一维数组，得到 {type(w).__name__}（w: a 1-D array）"
        if w.dtype.kind not in "iuf":
            return f"w 应是数值数组，得到 dtype 为 {w.dtype} 的数组（w: numbers）"
        w = w.astype(float).reshape(-1)
        if as_number(b) is None:
            return "b " + number_problem(b)
        b = as_number(b)
        if w.shape == (X.shape[1] + 1,):
            return "w 多了一个元素：最后一列（全 1 列）对应的是偏置 b，要把它拆出来单独返回"
        if w.shape != w_ref.shape:
            return f"w 的形状不对：期望 {w_ref.shape}，得到 {w.shape}"
        if np.allclose(w, w_no_bias, atol=1e-6) and not np.allclose(w, w_ref, atol=1e-6):
            return "看起来没有加全 1 列：没有偏置时直线被迫穿过原点。先 np.column_stack([X, np.ones(n)])"
        problem = compare(w, w_ref, atol=1e-6, rtol=1e-5)
        if problem:
            return "w " + problem
        return compare(b, b_ref, atol=1e-6, rtol=1e-5)

    return check


def check_least_squares(fn: Callable, strict: bool = False) -> CheckResult:
    """Chapter 3 exercise: fn(X, y) returns (w, b) minimising Σ(Xw + b − y)², via lstsq (no inverse)."""
    x_line = np.array([[0.0], [1.0], [2.0], [3.0]])
    y_line = np.array([1.0, 3.0, 5.0, 7.0])  # y = 2x + 1 exactly
    rng = np.random.default_rng(4)
    X_rand = rng.normal(size=(50, 3))
    y_rand = X_rand @ np.array([1.5, -2.0, 0.5]) + 3.0 + rng.normal(0, 0.1, 50)
    X_far = rng.normal(size=(40, 2)) + 5.0  # far from the origin: a missing bias shows
    y_far = X_far @ np.array([0.5, -1.0]) + 10.0 + rng.normal(0, 0.1, 40)
    base = rng.normal(size=(30, 1))
    X_dup = np.column_stack([base, base, rng.normal(size=30)])  # two identical columns
    y_dup = X_dup @ np.array([1.0, 1.0, -1.0]) + 0.5 + rng.normal(0, 0.1, 30)
    base = rng.normal(size=60)
    X_near = np.column_stack([base, base + 1e-6 * rng.normal(size=60), rng.normal(size=60)])
    y_near = X_near @ np.array([2.0, -1.0, 0.5]) - 4.0 + rng.normal(0, 0.1, 60)
    random_sets = []
    for n, d in ((5, 1), (12, 4), (300, 10)):
        X = rng.normal(size=(n, d)) * rng.choice([0.1, 1.0, 20.0], size=d) + rng.normal(0, 5, size=d)
        random_sets.append((n, d, X, X @ rng.normal(size=d) + rng.normal() + rng.normal(0, 0.5, n)))
    cases = [
        Case("正好在直线 y = 2x + 1 上的四个点", (x_line, y_line), check=_least_squares_check(x_line, y_line),
             hint="先加一列 1：X̃ = [X, 1]，再解 min ||X̃w̃ − y||²，最后拆成 w = w̃[:-1]、b = w̃[-1]"),
        Case("三个特征、带噪声", (X_rand, y_rand), check=_least_squares_check(X_rand, y_rand)),
        Case("数据远离原点（偏置 b = 10）", (X_far, y_far), check=_least_squares_check(X_far, y_far),
             hint="偏置不能省略"),
        Case("两列特征完全相同（X̃ᵀX̃ 不可逆）", (X_dup, y_dup), check=_least_squares_check(X_dup, y_dup),
             hint="X̃ᵀX̃ 奇异时显式求逆会失败或给出垃圾结果；np.linalg.lstsq 给出范数最小的那个解"),
        Case("两列特征几乎相同（X̃ᵀX̃ 病态，条件数约 1e13）", (X_near, y_near),
             check=_least_squares_check(X_near, y_near),
             hint="解 X̃ᵀX̃ w = X̃ᵀy 会把条件数平方，丢掉一半有效数字；np.linalg.lstsq 直接解 X̃，不会"),
        *[Case(f"随机数据（{n} 个样本、{d} 个特征）", (X, y), check=_least_squares_check(X, y))
          for n, d, X, y in random_sets],
    ]
    return run_cases(fn, cases, name=getattr(fn, "__name__", None), strict=strict)
