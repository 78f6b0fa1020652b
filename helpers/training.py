"""Training classifiers with PyTorch: what chapter 3 on share.

    default_device     "cuda" when PyTorch sees a GPU, else "cpu" (chapter 3)
    accuracy           share of samples whose largest logit is the true class (chapter 4)
    train_classifier   minibatch training with a per-epoch history (chapter 4)

Chapters write their first training loop from scratch in the notebook (that loop is the
lesson); ``train_classifier`` is the same loop, checked, for the concise versions and
for the chapters after.
"""

from __future__ import annotations

from typing import Any, Callable

import torch
from torch import nn

from .validation import check_numeric_dtype, check_positive_int, check_seed, to_numpy

#: The keys of the history ``train_classifier`` returns, one value per epoch each.
HISTORY_KEYS: tuple[str, ...] = ("train_loss", "train_acc", "test_acc")


def default_device() -> str:
    """Chapter 3: "cuda" if PyTorch can use a GPU, otherwise "cpu"."""
    return "cuda" if torch.cuda.is_available() else "cpu"


def _as_tensor(a: Any, name: str) -> torch.Tensor:
    """A tensor of real numbers from a tensor, NumPy array or list (None, complex, strings refused)."""
    if not isinstance(a, torch.Tensor):
        a = to_numpy(a)
    return torch.as_tensor(check_numeric_dtype(a, name))


def _check_labels(y: torch.Tensor, n: int, name: str) -> None:
    """Raise unless ``y`` holds one non-negative integer class index for each of ``n`` samples."""
    if y.ndim != 1 or y.shape[0] != n:
        raise ValueError(
            f"{name} 必须是长度为 {n} 的一维数组 ({name} must be 1-D with one label for each of the {n} "
            f"samples), got shape {tuple(y.shape)}"
        )
    if y.dtype.is_floating_point or y.dtype.is_complex or y.dtype == torch.bool:
        raise ValueError(f"{name} 必须是整数类别编号 ({name} must be integer class indices), got dtype {y.dtype}")
    if y.numel() and y.min() < 0:
        raise ValueError(
            f"{name} 必须是非负整数类别编号 ({name} must be non-negative class indices), got {int(y.min())}"
        )


def accuracy(logits: Any, labels: Any) -> float:
    """Chapter 4: the share of rows of ``logits`` (n x classes) whose largest entry is at ``labels``."""
    o, y = _as_tensor(logits, "logits"), _as_tensor(labels, "labels")
    if o.ndim != 2 or o.shape[0] == 0 or o.shape[1] == 0:
        raise ValueError(
            f"logits 必须是非空的二维数组（样本数 × 类别数） (logits must be a non-empty 2-D array: "
            f"samples x classes), got shape {tuple(o.shape)}"
        )
    _check_labels(y, o.shape[0], "labels")
    if y.max() >= o.shape[1]:
        raise ValueError(
            f"labels 必须小于类别数 {o.shape[1]} (labels must be below the {o.shape[1]} classes), got {int(y.max())}"
        )
    if not torch.isfinite(o).all():
        raise ValueError("logits 含有 NaN 或无穷大 (logits contain NaN or infinite values)")
    # The predicted class is the largest logit: softmax would not change which one that is.
    return (o.argmax(dim=1) == y.to(o.device)).float().mean().item()


def _as_data(X: Any, y: Any, name: str, like: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
    """Features in the model's dtype and labels as int64, both on the model's device."""
    X, y = _as_tensor(X, f"X_{name}"), _as_tensor(y, f"y_{name}")
    if X.ndim < 2 or X.shape[0] == 0:
        raise ValueError(
            f"X_{name} 必须是非空的样本数组（第一维是样本） (X_{name} must be a non-empty array of samples), "
            f"got shape {tuple(X.shape)}"
        )
    _check_labels(y, X.shape[0], f"y_{name}")
    dtype = like.dtype if X.dtype.is_floating_point else X.dtype
    return X.to(like.device, dtype), y.to(like.device, torch.int64)


def _check_label_range(model: nn.Module, X: torch.Tensor, labels: dict[str, torch.Tensor]) -> None:
    """Raise if a label has no logit: the model's output for one sample tells the number of classes."""
    model.eval()  # no dropout, no batch-norm update: this look changes nothing
    with torch.no_grad():
        n_classes = model(X[:1]).shape[-1]
    for name, y in labels.items():
        if y.max() >= n_classes:
            raise ValueError(
                f"{name} 含有标签 {int(y.max())}，但模型只输出 {n_classes} 个类别 "
                f"({name} holds label {int(y.max())} but the model outputs {n_classes} classes)"
            )


def train_classifier(model: nn.Module, loss_fn: Callable[[torch.Tensor, torch.Tensor], torch.Tensor],
                     optimizer: torch.optim.Optimizer, X_train: Any, y_train: Any, X_test: Any, y_test: Any,
                     *, epochs: int, batch_size: int, seed: int = 0) -> dict[str, list[float]]:
    """Chapter 4: minibatch training of a classifier; returns its history, one entry per epoch.

    Every epoch shuffles the training samples with a generator seeded once with ``seed``
    (``torch.randperm``) and takes batches of ``batch_size`` in that order, the last one
    possibly smaller: ``loss_fn(model(X), y)`` (a mean loss over the batch), then
    ``zero_grad``, ``backward``, ``step``. After each epoch the model, in eval mode and
    without gradients, is scored on all the data: the history's ``"train_loss"`` is
    ``loss_fn`` on the whole training set, ``"train_acc"`` and ``"test_acc"`` are
    accuracies. The data are moved to the model's device and float features to its dtype.
    """
    if not isinstance(model, nn.Module):
        raise ValueError(f"model 必须是 torch.nn.Module (model must be a torch.nn.Module), got {type(model).__name__}")
    if not isinstance(optimizer, torch.optim.Optimizer):
        raise ValueError(
            f"optimizer 必须是 torch.optim.Optimizer (optimizer must be a torch.optim.Optimizer), "
            f"got {type(optimizer).__name__}"
        )
    if not callable(loss_fn):
        raise ValueError(f"loss_fn 必须是可调用对象 (loss_fn must be callable), got {type(loss_fn).__name__}")
    parameter = next(model.parameters(), None)
    if parameter is None:
        raise ValueError("model 没有可训练的参数 (model has no parameters to train)")
    X_train, y_train = _as_data(X_train, y_train, "train", parameter)
    X_test, y_test = _as_data(X_test, y_test, "test", parameter)
    epochs = check_positive_int(epochs, "epochs")
    batch_size = check_positive_int(batch_size, "batch_size")
    n = X_train.shape[0]
    if batch_size > n:
        raise ValueError(f"batch_size 不能大于样本数 {n} (batch_size cannot exceed the {n} samples), got {batch_size}")
    generator = torch.Generator().manual_seed(check_seed(seed))
    _check_label_range(model, X_train, {"y_train": y_train, "y_test": y_test})

    history: dict[str, list[float]] = {key: [] for key in HISTORY_KEYS}
    for _ in range(epochs):
        model.train()
        for idx in torch.randperm(n, generator=generator).split(batch_size):
            idx = idx.to(X_train.device)
            loss = loss_fn(model(X_train[idx]), y_train[idx])
            optimizer.zero_grad()
            loss.backward()
            optimizer.step()
        model.eval()
        with torch.no_grad():
            logits_train = model(X_train)
            history["train_loss"].append(float(loss_fn(logits_train, y_train)))
            history["train_acc"].append(accuracy(logits_train, y_train))
            history["test_acc"].append(accuracy(model(X_test), y_test))
    return history
