"""Chapter 6 exercises: the output-size formula, a 2-D "convolution" (cross-correlation) and max pooling.

The expected values come from PyTorch (``torch.nn.functional.conv2d`` and ``max_pool2d``,
in float64) or from the formula floor((n + 2p - k) / s) + 1. The cases separate the right
algorithm from its usual near-misses: a flipped kernel (a true convolution), forgotten
padding or stride, a rounded-up size, average pooling, a maximum that starts at 0.
"""

from __future__ import annotations

from typing import Callable

import numpy as np
import torch
import torch.nn.functional as F

from ..cnn import KERNELS, SEVEN
from ._core import Case, CheckResult, run_cases


def check_output_size(fn: Callable, strict: bool = False) -> CheckResult:
    """Chapter 6 exercise: fn(n, k, p, s) -> floor((n + 2p - k) / s) + 1; ValueError for a kernel too large or s < 1."""
    floor_hint = "除法要向下取整（Python 的 //）：最后剩下不够一个窗口的行和列被丢掉。"
    cases = [
        Case("本章开头：6×6 的图、3×3 的卷积核，不填充", args=(6, 3, 0, 1), expected=4,
             hint="不填充、步幅 1 时，窗口有 n − k + 1 个位置。"),
        Case("填充 p = 1", args=(6, 3, 1, 1), expected=6,
             hint="填充在上下（左右）两边各加 p 行（列）：填充后的边长是 n + 2p，不是 n + p。"),
        Case("步幅 s = 2", args=(7, 3, 1, 2), expected=4, hint="步幅 s：窗口每次移动 s 格，所以要除以 s。"),
        Case("除不尽：n = 8、k = 3、p = 0、s = 2", args=(8, 3, 0, 2), expected=3, hint=floor_hint),
        Case("除不尽：n = 10、k = 3、p = 0、s = 3", args=(10, 3, 0, 3), expected=3, hint=floor_hint),
        Case("除不尽：n = 9、k = 4、p = 1、s = 2", args=(9, 4, 1, 2), expected=4, hint=floor_hint),
        Case("ResNet 的第一层：224、7×7、p = 3、s = 2", args=(224, 7, 3, 2), expected=112),
        Case("5×5 卷积核、p = 2：输出与输入一样大", args=(28, 5, 2, 1), expected=28),
        Case("卷积核和图一样大", args=(5, 5, 0, 1), expected=1, hint="别忘了最后的 + 1：第一个窗口本身就是一个位置。"),
        Case("1×1 的图，3×3 的卷积核，p = 1", args=(1, 3, 1, 1), expected=1),
        Case("卷积核（5）比图（3）还大：应抛出 ValueError", args=(3, 5, 0, 1), raises=ValueError,
             hint="k > n + 2p 时窗口放不进填充后的图：raise ValueError(...)。"),
        Case("卷积核（8）比填充后的图（3 + 2×1 = 5）还大：应抛出 ValueError", args=(3, 8, 1, 1), raises=ValueError,
             hint="比较 k 和填充后的边长 n + 2p，而不是 n。"),
        Case("步幅 0：应抛出 ValueError", args=(6, 3, 0, 0), raises=ValueError,
             hint="步幅必须至少是 1：s < 1 时先 raise ValueError(...)，再做除法。"),
    ]
    return run_cases(fn, cases, strict=strict)


def _conv(X: np.ndarray, K: np.ndarray, padding: int = 0, stride: int = 1) -> np.ndarray:
    t = lambda a: torch.as_tensor(np.array(a, dtype=np.float64))[None, None]  # a copy: KERNELS are read-only  # noqa: E731
    return F.conv2d(t(X), t(K), padding=padding, stride=stride)[0, 0].numpy()


_FLIP_HINT = ("深度学习里的“卷积”不翻转卷积核（互相关）：Y[i, j] = Σ_a Σ_b X[i + a, j + b] · K[a, b]。"
              "K 上下左右对称时两者相同，这个卷积核不对称。")
_PAD_HINT = "先在四周补 padding 圈 0（np.pad(X, padding)），再滑动窗口。"
_STRIDE_HINT = "窗口的左上角在填充后的图上是 (i·stride, j·stride)；输出边长 (n + 2p − k) // stride + 1。"


def check_conv2d(fn: Callable, strict: bool = False) -> CheckResult:
    """Chapter 6 exercise: fn(X, K, padding, stride) -> the 2-D cross-correlation, as F.conv2d computes it."""
    rng = np.random.default_rng(6)
    vertical, horizontal, sobel = (KERNELS[k].weights.copy() for k in ("vertical", "horizontal", "sobel_x"))
    tall = rng.integers(-3, 4, size=(5, 7)).astype(float)
    tall_kernel = rng.integers(-2, 3, size=(3, 3)).astype(float)
    wide_kernel = rng.normal(size=(2, 3))
    square = rng.normal(size=(7, 7))
    square_kernel = rng.normal(size=(3, 3))
    odd = rng.normal(size=(8, 9))
    cases = [
        Case("6×6 的 7，竖线卷积核", args=(SEVEN.copy(), vertical, 0, 1), expected=_conv(SEVEN, vertical),
             hint="3×3 的窗口从左上角开始，逐元素相乘再求和；6×6 的图得到 4×4 的特征图。"),
        Case("6×6 的 7，Sobel 左右（不对称的卷积核）", args=(SEVEN.copy(), sobel, 0, 1),
             expected=_conv(SEVEN, sobel), hint=_FLIP_HINT),
        Case("5×7 的图（高≠宽），不对称的 3×3 卷积核", args=(tall, tall_kernel, 0, 1),
             expected=_conv(tall, tall_kernel),
             hint="行对应高、列对应宽：输出是 (5 − 3 + 1)×(7 − 3 + 1) = 3×5。" + _FLIP_HINT),
        Case("2×3 的卷积核（不是正方形）", args=(square, wide_kernel, 0, 1), expected=_conv(square, wide_kernel),
             hint="卷积核的高和宽分别是 K.shape[0] 和 K.shape[1]。"),
        Case("填充 1：6×6 的 7，横线卷积核", args=(SEVEN.copy(), horizontal, 1, 1),
             expected=_conv(SEVEN, horizontal, 1), hint=_PAD_HINT),
        Case("填充 1、步幅 2", args=(square, square_kernel, 1, 2), expected=_conv(square, square_kernel, 1, 2),
             hint=_STRIDE_HINT),
        Case("填充 2、步幅 3，8×9 的图", args=(odd, square_kernel, 2, 3), expected=_conv(odd, square_kernel, 2, 3),
             hint=_STRIDE_HINT + _PAD_HINT),
        Case("步幅 2、不填充，除不尽", args=(odd, sobel, 0, 2), expected=_conv(odd, sobel, 0, 2),
             hint="(8 − 3) // 2 + 1 = 3 行，(9 − 3) // 2 + 1 = 4 列：不够一个窗口的部分丢掉。"),
    ]
    return run_cases(fn, cases, strict=strict)


def _pool(X: np.ndarray, size: int, stride: int) -> np.ndarray:
    return F.max_pool2d(torch.as_tensor(np.array(X, dtype=np.float64))[None], size, stride)[0].numpy()


def check_max_pool2d(fn: Callable, strict: bool = False) -> CheckResult:
    """Chapter 6 exercise: fn(X, size, stride) -> the largest value of each (size x size) window, as F.max_pool2d."""
    rng = np.random.default_rng(7)
    grid = np.arange(16.0).reshape(4, 4)
    feature = np.maximum(_conv(SEVEN, KERNELS["vertical"].weights, 1), 0)
    negative = -rng.uniform(1, 9, size=(4, 4))
    odd = rng.normal(size=(5, 5))
    overlap = rng.normal(size=(5, 6))
    tall = rng.normal(size=(6, 4))
    seven_by_seven = rng.normal(size=(7, 7))
    drop_hint = "放不下一个完整窗口的最后一行（列）被丢掉：输出边长 (n − size) // stride + 1。"
    cases = [
        Case("4×4 的 0..15，2×2 窗口、步幅 2", args=(grid, 2, 2), expected=_pool(grid, 2, 2),
             hint="每个 2×2 块取最大值：[[5, 7], [13, 15]]。"),
        Case("6.4 节 ReLU 之后的 6×6 特征图 → 3×3", args=(feature, 2, 2), expected=_pool(feature, 2, 2)),
        Case("全是负数", args=(negative, 2, 2), expected=_pool(negative, 2, 2),
             hint="最大值不一定是正数：不要从 0 开始比较，取窗口里的 .max()。"),
        Case("5×5，2×2 窗口、步幅 2", args=(odd, 2, 2), expected=_pool(odd, 2, 2), hint=drop_hint),
        Case("6×4（高≠宽）", args=(tall, 2, 2), expected=_pool(tall, 2, 2), hint="行对应高、列对应宽：输出是 3×2。"),
        Case("窗口重叠：3×3 窗口、步幅 1", args=(overlap, 3, 1), expected=_pool(overlap, 3, 1),
             hint="窗口的左上角每次移动 stride 格，不一定等于窗口大小 size。"),
        Case("2×2 窗口、步幅 1", args=(odd, 2, 1), expected=_pool(odd, 2, 1),
             hint="窗口的左上角在 (i·stride, j·stride)。"),
        Case("7×7，3×3 窗口、步幅 2", args=(seven_by_seven, 3, 2), expected=_pool(seven_by_seven, 3, 2),
             hint=drop_hint),
    ]
    return run_cases(fn, cases, strict=strict)
