"""Chapter 8 exercises: a broadcast shape, a parameter count, one training step and a Dataset class.

The expected values come from PyTorch itself (``torch.broadcast_shapes``, ``model.parameters()``,
an optimizer stepped on a copy of the model). The cases separate the right answer from the usual
near-misses: shapes aligned on the left, a missing check for incompatible sizes, parameters
counted without biases or with BatchNorm's running statistics, a shared layer counted twice,
a forgotten ``zero_grad`` (every case starts with a stale gradient left by an earlier step),
``zero_grad`` after ``backward``, float64 features or float labels from a Dataset.
"""

from __future__ import annotations

import copy
from typing import Any, Callable

import numpy as np
import torch
from torch import nn

from ..comparison import count_parameters
from ._core import Case, CheckResult, as_number, number_problem, run_cases


# -- exercise 1: the shape of a broadcast ---------------------------------------------------------------
def _shape_problem(result: Any, expected: tuple[int, ...]) -> str | None:
    if result is None:
        return "没有返回值（返回了 None）：是不是忘了 return？"
    if not isinstance(result, (tuple, list, torch.Size)):
        return f"应返回一个形状（tuple 或 torch.Size），得到 {type(result).__name__}：{result!r}"
    sizes = [as_number(s) for s in result]
    if any(s is None or s != int(s) for s in sizes):
        return f"形状的每一维应是整数，得到 {result!r}"
    got = tuple(int(s) for s in sizes)
    return None if got == expected else f"期望形状 {expected}，得到 {got}"


def check_broadcast_shape(fn: Callable, strict: bool = False) -> CheckResult:
    """Chapter 8 exercise: fn(shape_a, shape_b) -> the broadcast shape (tuple or torch.Size); ValueError if none."""
    right_hint = "从右边对齐：短的形状在左边补 1，再逐维比较。"
    cases = []
    for a, b, hint in [
        ((3, 1), (1, 4), "长度为 1 的维被复制成对方的长度：(3, 1) 和 (1, 4) 得到 (3, 4)。"),
        ((2, 3), (3,), right_hint + "(3,) 先看作 (1, 3)。"),
        ((5, 1, 4), (3, 1), right_hint + "(3, 1) 先看作 (1, 3, 1)；结果有 3 维，不是 2 维。"),
        ((4, 3, 2), (3, 1), right_hint + "(3, 1) 对的是 (4, 3, 2) 的最后两维 (3, 2)，不是前两维。"),
        ((3,), (3, 1), right_hint + "(3,) 看作 (1, 3)，结果是 (3, 3)。"),
        ((), (2, 3), "形状 () 是一个数（0 维张量），它能和任何形状广播。"),
        ((2, 1), (0,), "长度为 1 的维也能“复制”成长度 0：结果是 (2, 0)。"),
        ((1,), (1,), ""),
    ]:
        expected = tuple(torch.broadcast_shapes(a, b))
        cases.append(Case(f"{a} 和 {b}", args=(a, b), check=lambda r, e=expected: _shape_problem(r, e), hint=hint))
    for a, b, hint in [
        ((2, 3), (2,), "从右边对齐：(2,) 对的是最后一维 3，不是第一维 2；3 对 2 不能广播，应抛出 ValueError。"),
        ((3, 2), (2, 3), "每一维都要相等或有一个是 1：3 对 2 不行，不能取两者中大的那个。"),
        ((4,), (3,), "4 对 3：既不相等也没有一个是 1，应抛出 ValueError。"),
    ]:
        cases.append(Case(f"{a} 和 {b}：不能广播，应抛出 ValueError", args=(a, b), raises=ValueError, hint=hint))
    return run_cases(fn, cases, strict=strict)


# -- exercise 2: counting parameters ---------------------------------------------------------------------
def _count_problem(result: Any, expected: int) -> str | None:
    got = as_number(result)
    if got is None:
        return number_problem(result)
    return None if got == expected else f"期望 {expected} 个参数，得到 {got:g}"


def check_count_parameters(fn: Callable, strict: bool = False) -> CheckResult:
    """Chapter 8 exercise: fn(model) -> the number of its parameters (each shared parameter once, no buffers)."""
    torch.manual_seed(0)
    shared = nn.Linear(4, 4)
    models = [
        ("本章的 MyNet：Linear(10, 5)、ReLU、Linear(5, 1)",
         nn.Sequential(nn.Linear(10, 5), nn.ReLU(), nn.Linear(5, 1)),
         "每个 nn.Linear(d_in, d_out) 有 d_in·d_out 个权重和 d_out 个偏置：别漏了偏置。"),
        ("没有偏置的 Linear(64, 10, bias=False)", nn.Linear(64, 10, bias=False),
         "不要按公式假定每层都有偏置：数 model.parameters() 里真有的张量。"),
        ("卷积层 Conv2d(1, 16, 3)", nn.Conv2d(1, 16, 3),
         "不只是全连接层：卷积核 (16, 1, 3, 3) 有 144 个数，加 16 个偏置。"),
        ("带 BatchNorm1d 的网络", nn.Sequential(nn.Linear(4, 8), nn.BatchNorm1d(8), nn.ReLU(), nn.Linear(8, 3)),
         "BatchNorm 的 running_mean、running_var 在 state_dict 里，却不是参数（优化器不改它们）："
         "数 model.parameters()，不要数 state_dict()。"),
        ("同一个 Linear(4, 4) 用了两次", nn.Sequential(shared, nn.ReLU(), shared),
         "共享的层只算一次：model.parameters() 不会重复给出同一个参数，按子模块分别相加就会重复。"),
        ("没有参数的 ReLU", nn.ReLU(), "没有参数时答案是 0。"),
    ]
    cases = [Case(description, args=(model,),
                  check=lambda r, e=count_parameters(model): _count_problem(r, e), hint=hint)
             for description, model, hint in models]
    return run_cases(fn, cases, strict=strict)


# -- exercise 3: one training step ------------------------------------------------------------------------
def _stale_gradients(model: nn.Module, seed: int) -> None:
    """Leave a gradient in every parameter, as an earlier step would (a forgotten zero_grad then shows)."""
    generator = torch.Generator().manual_seed(seed)
    for p in model.parameters():
        p.grad = torch.randn(p.shape, generator=generator)


def _step(model: nn.Module, make_optimizer: Callable, loss_fn: nn.Module, X: torch.Tensor, y: torch.Tensor,
          zero_grad: bool) -> tuple[float, list[torch.Tensor]]:
    model = copy.deepcopy(model)
    optimizer = make_optimizer(model.parameters())
    if zero_grad:
        optimizer.zero_grad()
    loss = loss_fn(model(X), y)
    loss.backward()
    optimizer.step()
    return loss.item(), [p.detach().clone() for p in model.parameters()]


def _same_parameters(a: list[torch.Tensor], b: list[torch.Tensor]) -> bool:
    return all(torch.allclose(x, y, atol=1e-6, rtol=1e-5) for x, y in zip(a, b))


def _training_case(description: str, model: nn.Module, make_optimizer: Callable, loss_fn: nn.Module,
                   X: torch.Tensor, y: torch.Tensor, seed: int) -> Case:
    _stale_gradients(model, seed)
    before = [p.detach().clone() for p in model.parameters()]
    want_loss, want = _step(model, make_optimizer, loss_fn, X, y, zero_grad=True)
    _, without_zero_grad = _step(model, make_optimizer, loss_fn, X, y, zero_grad=False)
    optimizer = make_optimizer(model.parameters())

    def check(result: Any) -> str | None:
        got = [p.detach() for p in model.parameters()]
        if not _same_parameters(got, want):
            if _same_parameters(got, before):
                return ("参数一点没变：是不是忘了 optimizer.step()，或者把 zero_grad() 放到了 backward() 之后"
                        "（梯度被清零，step 就没有东西可用）？")
            if _same_parameters(got, without_zero_grad):
                return ("参数更新得不对：上一步留下的梯度还在，是不是忘了 optimizer.zero_grad()？"
                        "PyTorch 的 backward() 把新梯度加到 .grad 上，而不是覆盖它。")
            return "参数更新得不对：顺序应是 zero_grad()、前向计算损失、backward()、step()。"
        number = as_number(result)
        if number is None:
            return "参数更新对了，但返回值不对：" + number_problem(result)
        if abs(number - want_loss) > 1e-5 * max(1.0, abs(want_loss)):
            return (f"参数更新对了，但返回的损失是 {number:.6g}，期望 {want_loss:.6g}："
                    "返回更新之前算出的那个损失（不要在 step() 之后重算）。")
        return None

    return Case(description, args=(model, loss_fn, optimizer, X, y), check=check)


def check_training_step(fn: Callable, strict: bool = False) -> CheckResult:
    """Chapter 8 exercise: fn(model, loss_fn, optimizer, X, y) -> the loss; one zero_grad-forward-backward-step."""
    torch.manual_seed(8)
    X_reg, X_cls = torch.randn(16, 3), torch.randn(20, 4)
    y_reg = X_reg @ torch.tensor([[1.0], [-2.0], [0.5]]) + 0.3
    y_cls = torch.randint(0, 3, (20,))
    classifier = lambda: nn.Sequential(nn.Linear(4, 8), nn.ReLU(), nn.Linear(8, 3))  # noqa: E731
    cases = [
        _training_case("线性回归、MSELoss、SGD（lr = 0.1）", nn.Linear(3, 1),
                       lambda ps: torch.optim.SGD(ps, lr=0.1), nn.MSELoss(), X_reg, y_reg, 1),
        _training_case("分类、CrossEntropyLoss、带动量的 SGD", classifier(),
                       lambda ps: torch.optim.SGD(ps, lr=0.05, momentum=0.9), nn.CrossEntropyLoss(), X_cls, y_cls, 2),
        _training_case("分类、CrossEntropyLoss、Adam", classifier(),
                       lambda ps: torch.optim.Adam(ps, lr=0.01), nn.CrossEntropyLoss(), X_cls, y_cls, 3),
    ]
    return run_cases(fn, cases, strict=strict)


# -- exercise 4: a Dataset ---------------------------------------------------------------------------------
def _dataset_problem(dataset: Any, X: np.ndarray, y: np.ndarray) -> str | None:
    from torch.utils.data import DataLoader

    if dataset is None:
        return "类没有实例化成功（得到 None）"
    try:
        n = len(dataset)
    except TypeError:
        return "len(数据集) 出错：要定义 __len__，返回样本数。"
    if n != len(X):
        return f"len(数据集) 应是样本数 {len(X)}，得到 {n}（特征数是 {X.shape[1]}）：__len__ 返回 len(self.X)。"
    for i in (0, len(X) - 1):
        item = dataset[i]
        if not isinstance(item, (tuple, list)) or len(item) != 2:
            return f"数据集[{i}] 应返回 (特征, 标签) 两个东西，得到 {type(item).__name__}"
        features, label = item
        if not isinstance(features, torch.Tensor) or features.dtype != torch.float32:
            kind = features.dtype if isinstance(features, torch.Tensor) else type(features).__name__
            return (f"数据集[{i}] 的特征应是 torch.float32 的张量，得到 {kind}：nn.Linear 的权重是 float32，"
                    "float64 的输入会报 dtype 不一致；用 torch.as_tensor(X, dtype=torch.float32)。")
        if tuple(features.shape) != (X.shape[1],) or not np.allclose(features.numpy(), X[i], atol=1e-6):
            return f"数据集[{i}] 的特征应是 X[{i}]（形状 ({X.shape[1]},)），得到形状 {tuple(features.shape)} 的其他值"
        if isinstance(label, torch.Tensor):
            if label.dtype != torch.int64 or label.ndim != 0:
                return (f"数据集[{i}] 的标签应是一个 torch.int64（long）的数，得到 dtype {label.dtype}、"
                        f"形状 {tuple(label.shape)}：CrossEntropyLoss 要求类别编号是 int64。")
            label = int(label)
        elif isinstance(label, (bool, float, np.floating)) or not isinstance(label, (int, np.integer)):
            return f"数据集[{i}] 的标签应是整数类别编号，得到 {label!r}"
        if int(label) != int(y[i]):
            return f"数据集[{i}] 的标签应是 y[{i}] = {int(y[i])}，得到 {label}"
    batch_x, batch_y = next(iter(DataLoader(dataset, batch_size=4)))
    if tuple(batch_x.shape) != (4, X.shape[1]) or tuple(batch_y.shape) != (4,):
        return (f"DataLoader(数据集, batch_size=4) 的第一批形状应是 (4, {X.shape[1]}) 和 (4,)，"
                f"得到 {tuple(batch_x.shape)} 和 {tuple(batch_y.shape)}")
    return None


def check_dataset(cls: Callable, strict: bool = False) -> CheckResult:
    """Chapter 8 exercise: cls(X, y) -> a Dataset of (float32 feature tensor, int64 label) pairs."""
    rng = np.random.default_rng(8)
    data = [(rng.normal(size=(10, 3)), rng.integers(0, 3, size=10)),
            (rng.uniform(0, 16, size=(7, 64)), rng.integers(0, 10, size=7)),
            (rng.normal(size=(5, 2)).astype(np.float32), np.array([1, 0, 1, 1, 0]))]
    cases = [Case(f"{X.shape[0]} 个样本、{X.shape[1]} 个特征（{X.dtype}）", args=(X, y),
                  check=lambda r, X=X, y=y: _dataset_problem(r, X, y))
             for X, y in data]
    return run_cases(cls, cases, strict=strict)
