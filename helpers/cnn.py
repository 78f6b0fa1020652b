"""Chapter 6 (卷积神经网络): convolution, padding, stride and pooling, checked.

    SEVEN          the chapter's 6x6 image of "7" (0 black, 1 white)
    KERNELS        named 3x3 kernels: the chapter's vertical and horizontal ones, Sobel, ...
    output_size    floor((n + 2p - k) / s) + 1, with its conditions
    pad2d          zero padding around the last two axes
    conv2d         what deep learning calls convolution (a cross-correlation), several channels
    max_pool2d     the largest value of each window
    relu           max(0, x)
    window         one window of a convolution: the patch, the products and their sum
    shift2d        an image moved by whole pixels, zeros coming in (translation equivariance)
    first_digits   the first image of some digits in scikit-learn's data set, raw pixels 0..16

The chapter builds conv2d and max pooling from scratch in the notebook; the versions
here add input checks (bilingual errors) and are what the interactive figures, the
exercise checkers and the tests use. Everything is NumPy, float64.
"""

from __future__ import annotations

import functools
from typing import Any, NamedTuple

import numpy as np
from numpy.lib.stride_tricks import sliding_window_view

from .validation import check_nonnegative_int, check_numeric_dtype, check_positive_int, to_numpy

#: The chapter's 6x6 image of "7": 0 is black (background), 1 is white (the stroke). The
#: horizontal bar lies on the top row, the edge a 3x3 window without padding never centres on.
SEVEN: np.ndarray = np.array([
    [1, 1, 1, 1, 1, 1],
    [0, 0, 0, 0, 1, 0],
    [0, 0, 0, 0, 1, 0],
    [0, 0, 0, 0, 1, 0],
    [0, 0, 0, 0, 1, 0],
    [0, 0, 0, 0, 1, 0],
], dtype=np.float64)


class NamedKernel(NamedTuple):
    """A 3x3 kernel with its Chinese name and a sentence on what it responds to."""

    label: str
    weights: np.ndarray
    note: str


def _k(rows: list[list[float]]) -> np.ndarray:
    array = np.array(rows, dtype=np.float64)
    array.setflags(write=False)  # shared by every caller: nobody may change it
    return array


#: The kernels of the chapter and its interactive figure, by name.
KERNELS: dict[str, NamedKernel] = {
    "vertical": NamedKernel("竖线", _k([[-1, 1, -1]] * 3),
                            "中间一列为正、两边为负：窗口里有一条竖的亮线时输出最大。"),
    "horizontal": NamedKernel("横线", _k([[-1, -1, -1], [1, 1, 1], [-1, -1, -1]]),
                              "中间一行为正、上下为负：窗口里有一条横的亮线时输出最大。"),
    "sobel_x": NamedKernel("Sobel 左右", _k([[-1, 0, 1], [-2, 0, 2], [-1, 0, 1]]),
                           "右边减左边：从暗到亮（向右）的竖直边缘为正，从亮到暗为负。"),
    "sobel_y": NamedKernel("Sobel 上下", _k([[-1, -2, -1], [0, 0, 0], [1, 2, 1]]),
                           "下边减上边：从暗到亮（向下）的水平边缘为正，从亮到暗为负。"),
    "laplacian": NamedKernel("拉普拉斯", _k([[0, 1, 0], [1, -4, 1], [0, 1, 0]]),
                             "四邻之和减去 4 倍中心：平坦处为 0，亮点和细线处为负、它们两侧为正。"),
    "blur": NamedKernel("均值模糊", _k(np.full((3, 3), 1 / 9).tolist()),
                        "九个数都是 1/9：输出是窗口的平均值，图像变得模糊。"),
    "sharpen": NamedKernel("锐化", _k([[0, -1, 0], [-1, 5, -1], [0, -1, 0]]),
                           "中心加上它与四邻之差：边缘被加强，平坦处不变。"),
    "identity": NamedKernel("恒等", _k([[0, 0, 0], [0, 1, 0], [0, 0, 0]]),
                            "只有中心是 1：输出就是输入（去掉边上的像素，或者靠填充保住它们）。"),
}


# -- input checks -----------------------------------------------------------------------------------
def _as_real_array(a: Any, name: str, ndims: tuple[int, ...]) -> np.ndarray:
    """A finite, non-empty float64 array with one of the allowed numbers of dimensions."""
    arr = check_numeric_dtype(to_numpy(a), name)
    if arr.ndim not in ndims:
        wanted = " 或 ".join(str(n) for n in ndims)
        raise ValueError(f"{name} 必须是 {wanted} 维数组 ({name} must have {' or '.join(map(str, ndims))} "
                         f"dimensions), got shape {arr.shape}")
    if arr.size == 0:
        raise ValueError(f"{name} 不能为空 ({name} must not be empty), got shape {arr.shape}")
    arr = arr.astype(np.float64)
    if not np.all(np.isfinite(arr)):
        raise ValueError(f"{name} 含有 NaN 或无穷大 ({name} contains NaN or infinite values)")
    return arr


def _check_stride(stride: Any) -> int:
    if isinstance(stride, bool) or not isinstance(stride, (int, np.integer)) or stride <= 0:
        raise ValueError(f"步幅 stride 必须是正整数 (the stride must be a positive integer), got {stride!r}")
    return int(stride)


def output_size(n: Any, k: Any, padding: Any = 0, stride: Any = 1) -> int:
    """Chapter 6: side of the output of a k-wide window over n inputs: floor((n + 2p - k) / s) + 1.

    The window must fit in the padded input (k <= n + 2p) and the stride must be at least 1.
    """
    n = check_positive_int(n, "n")
    k = check_positive_int(k, "k")
    padding = check_nonnegative_int(padding, "padding")
    stride = _check_stride(stride)
    if k > n + 2 * padding:
        raise ValueError(
            f"卷积核（边长 {k}）比填充后的输入（边长 {n} + 2×{padding} = {n + 2 * padding}）还大 "
            f"(the kernel, size {k}, is larger than the padded input, size {n + 2 * padding})"
        )
    return (n + 2 * padding - k) // stride + 1


def pad2d(X: Any, padding: Any) -> np.ndarray:
    """Chapter 6: ``X`` with ``padding`` rows and columns of zeros added on every side (last two axes)."""
    X = _as_real_array(X, "X", (2, 3, 4))
    padding = check_nonnegative_int(padding, "padding")
    widths = [(0, 0)] * (X.ndim - 2) + [(padding, padding)] * 2
    return np.pad(X, widths)


def _windows(X: np.ndarray, kh: int, kw: int, padding: int, stride: int, what: str) -> np.ndarray:
    """Every (kh x kw) window of the padded last two axes, ``stride`` apart: (..., oh, ow, kh, kw)."""
    h, w = X.shape[-2:]
    for side, english, n, k in (("高", "height", h, kh), ("宽", "width", w, kw)):
        if k > n + 2 * padding:
            room = f"填充后的输入（{n} + 2×{padding} = {n + 2 * padding}）" if padding else f"输入（{n}）"
            raise ValueError(
                f"{what}的{side}（{k}）大于{room} (the {english} {k} of the window exceeds the "
                f"{'padded ' if padding else ''}input's {n + 2 * padding})"
            )
    padded = np.pad(X, [(0, 0)] * (X.ndim - 2) + [(padding, padding)] * 2)
    return sliding_window_view(padded, (kh, kw), axis=(-2, -1))[..., ::stride, ::stride, :, :]


def conv2d(X: Any, K: Any, bias: Any = None, padding: Any = 0, stride: Any = 1) -> np.ndarray:
    """Chapter 6: the "convolution" of deep learning, a cross-correlation (the kernel is not flipped).

    Shapes, as ``torch.nn.functional.conv2d``:

    * one image, one kernel: X (h, w), K (kh, kw) -> (oh, ow);
    * channels: X (c_in, h, w), K (c_out, c_in, kh, kw) -> (c_out, oh, ow);
    * a batch: X (n, c_in, h, w) -> (n, c_out, oh, ow).

    ``Y[o, i, j] = bias[o] + sum_{c, a, b} Xpad[c, i*s + a, j*s + b] * K[o, c, a, b]``,
    with Xpad the input with ``padding`` zeros around it and s the stride.
    """
    X = _as_real_array(X, "X", (2, 3, 4))
    K = _as_real_array(K, "K", (2,) if X.ndim == 2 else (4,))
    padding = check_nonnegative_int(padding, "padding")
    stride = _check_stride(stride)
    if X.ndim == 2:
        K4, X4 = K[None, None], X[None, None]
    else:
        K4, X4 = K, (X[None] if X.ndim == 3 else X)
        if K4.shape[1] != X4.shape[1]:
            raise ValueError(
                f"输入有 {X4.shape[1]} 个通道，卷积核却是为 {K4.shape[1]} 个通道准备的 "
                f"(the input has {X4.shape[1]} channels but the kernels expect {K4.shape[1]})"
            )
    windows = _windows(X4, K4.shape[2], K4.shape[3], padding, stride, "卷积核")  # (n, c, oh, ow, kh, kw)
    Y = np.einsum("ncijab,ocab->noij", windows, K4)
    if bias is not None:
        b = _as_real_array(bias, "bias", (1,))
        if b.shape[0] != K4.shape[0]:
            raise ValueError(f"bias 必须有 {K4.shape[0]} 个数，每个输出通道一个 (bias needs one value per "
                             f"output channel: {K4.shape[0]}), got {b.shape[0]}")
        Y = Y + b[None, :, None, None]
    if X.ndim == 2:
        return Y[0, 0]
    return Y[0] if X.ndim == 3 else Y


def max_pool2d(X: Any, size: Any = 2, stride: Any = None) -> np.ndarray:
    """Chapter 6: the largest value of each (size x size) window, ``stride`` apart (default: ``size``).

    Works on the last two axes, like ``torch.nn.functional.max_pool2d`` without padding:
    rows or columns that do not fill a whole window at the end are dropped.
    """
    X = _as_real_array(X, "X", (2, 3, 4))
    size = check_positive_int(size, "size")
    stride = size if stride is None else _check_stride(stride)
    return _windows(X, size, size, 0, stride, "池化窗口").max(axis=(-2, -1))


def relu(X: Any) -> np.ndarray:
    """Chapter 6 (from chapter 5): max(0, x), element by element."""
    return np.maximum(_as_real_array(X, "X", (1, 2, 3, 4)), 0.0)


class Window(NamedTuple):
    """One step of a convolution: the patch under the kernel, the products and their sum."""

    row: int  # position in the output
    col: int
    patch: np.ndarray  # (k, k), from the padded input
    products: np.ndarray  # patch * kernel, element by element
    total: float


def window(X: Any, K: Any, row: Any, col: Any, padding: Any = 0, stride: Any = 1) -> Window:
    """Chapter 6: the window of a 2-D convolution that writes output (row, col)."""
    X = _as_real_array(X, "X", (2,))
    K = _as_real_array(K, "K", (2,))
    padding = check_nonnegative_int(padding, "padding")
    stride = _check_stride(stride)
    windows = _windows(X, K.shape[0], K.shape[1], padding, stride, "卷积核")  # (oh, ow, kh, kw)
    oh, ow = windows.shape[:2]
    row, col = check_nonnegative_int(row, "row"), check_nonnegative_int(col, "col")
    if row >= oh or col >= ow:
        raise ValueError(f"输出只有 {oh}×{ow} 个位置 (the output has {oh} x {ow} positions), got ({row}, {col})")
    patch = windows[row, col].copy()
    products = patch * K
    return Window(row, col, patch, products, float(products.sum()))


def shift2d(X: Any, down: Any = 0, right: Any = 0) -> np.ndarray:
    """Chapter 6: ``X`` moved ``down`` rows and ``right`` columns (negative: up / left); zeros come in."""
    X = _as_real_array(X, "X", (2, 3, 4))
    out = np.zeros_like(X)
    h, w = X.shape[-2:]
    for value, name in ((down, "down"), (right, "right")):
        if isinstance(value, bool) or not isinstance(value, (int, np.integer)):
            raise ValueError(f"{name} 必须是整数 ({name} must be an integer), got {value!r}")
    down, right = int(down), int(right)
    if abs(down) >= h or abs(right) >= w:
        return out
    rows_to, rows_from = slice(max(down, 0), h + min(down, 0)), slice(max(-down, 0), h + min(-down, 0))
    cols_to, cols_from = slice(max(right, 0), w + min(right, 0)), slice(max(-right, 0), w + min(-right, 0))
    out[..., rows_to, cols_to] = X[..., rows_from, cols_from]
    return out


@functools.lru_cache(maxsize=1)
def _digits() -> tuple[np.ndarray, np.ndarray]:
    from sklearn.datasets import load_digits

    digits = load_digits()
    return digits.images, digits.target


def first_digits(labels: Any = (0, 3, 7)) -> dict[int, np.ndarray]:
    """Chapter 6: the first 8x8 image of each digit in ``labels`` (scikit-learn's order), pixels 0..16 (0 black)."""
    images, targets = _digits()
    out = {}
    for label in labels:
        if isinstance(label, bool) or not isinstance(label, (int, np.integer)) or not 0 <= label <= 9:
            raise ValueError(f"数字必须是 0 到 9 的整数 (a digit must be an integer from 0 to 9), got {label!r}")
        out[int(label)] = images[int(np.flatnonzero(targets == label)[0])].astype(np.float64)
    return out
