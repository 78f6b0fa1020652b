"""Chapter 6 (卷积神经网络): grids of numbers, the pipeline of the "7", and two interactive figures.

    format_cell                 a number as a grid cell writes it ("3", "-0.33", "5.9")
    draw_value_grids            6.1  images, kernels and feature maps as coloured grids with their numbers
    draw_cnn_pipeline           6.5  the "7" through convolution, ReLU, pooling, flattening, softmax
    draw_learned_kernels        6.9  a trained network's first-layer kernels
    draw_feature_maps           6.9  one digit and the feature maps a trained layer makes of it
    kernel_explorer             6.4  interactive: kernel, image, padding, stride, ReLU, pooling -> maps
    convolution_walk_explorer   6.2  interactive: the window walks over the image, products and sum

The interactive figures are HTML tables (a few hundred bytes a frame), not images: the
kernel explorer has hundreds of frames, and the book's page must stay under 3 MB.
"""

from __future__ import annotations

import html as html_lib
from typing import Any, Sequence

import matplotlib.pyplot as plt
import numpy as np
from matplotlib import colormaps
from matplotlib.colors import to_hex
from matplotlib.figure import Figure
from matplotlib.patches import Rectangle

from ..cnn import KERNELS, SEVEN, conv2d, first_digits, max_pool2d, output_size, pad2d, relu, window
from ..interactive import Control, InteractiveFigure
from ..plotting import PALETTE
from ..validation import check_nonnegative_int, check_numeric_dtype, check_positive_int, to_numpy

KINDS: tuple[str, ...] = ("image", "signed")


def format_cell(value: float) -> str:
    """Chapter 6: a grid cell's number: whole numbers as such, else two decimals below 1, one above."""
    v = float(value) + 0.0  # -0.0 prints as 0
    if abs(v - round(v)) < 1e-9:
        return str(int(round(v)) + 0)
    return f"{v:.2f}" if abs(v) < 1 else f"{v:.1f}"


def _as_grid(a: Any, name: str) -> np.ndarray:
    arr = check_numeric_dtype(to_numpy(a), name)
    if arr.ndim != 2 or arr.size == 0:
        raise ValueError(f"{name} 必须是非空的二维数组 ({name} must be a non-empty 2-D array), got shape {arr.shape}")
    arr = arr.astype(np.float64)
    if not np.all(np.isfinite(arr)):
        raise ValueError(f"{name} 含有 NaN 或无穷大 ({name} contains NaN or infinite values)")
    return arr


# -- static drawings ---------------------------------------------------------------------------------
def _draw_grid(ax: plt.Axes, grid: np.ndarray, kind: str, title: str, numbers: bool = True,
               padding: int = 0, font_size: float = 10, decimals: int | None = None) -> None:
    """One grid on ``ax``: grey (0 black) for an image, blue/red around 0 for a kernel or feature map."""
    if kind == "image":
        top = float(grid.max()) or 1.0
        ax.imshow(grid, cmap="gray", vmin=0, vmax=top)
        dark = grid < 0.5 * top
    else:
        limit = float(np.abs(grid).max()) or 1.0
        ax.imshow(grid, cmap="RdBu_r", vmin=-limit, vmax=limit)
        dark = np.abs(grid) > 0.6 * limit
    h, w = grid.shape
    if numbers:
        for i in range(h):
            for j in range(w):
                ring = padding and (i < padding or j < padding or i >= h - padding or j >= w - padding)
                color = "#AAAAAA" if ring else ("white" if dark[i, j] else "black")
                text = format_cell(grid[i, j]) if decimals is None else f"{round(grid[i, j], decimals) + 0.0:.{decimals}f}"
                # in_layout=False: the cells' numbers stay inside the axes, the layout need not measure them
                ax.text(j, i, text, ha="center", va="center", fontsize=font_size, color=color, in_layout=False)
    if padding:  # the ring of padding zeros in light grey, the original image framed in orange
        for i in range(h):
            for j in range(w):
                if i < padding or j < padding or i >= h - padding or j >= w - padding:
                    ax.add_patch(Rectangle((j - 0.5, i - 0.5), 1, 1, facecolor="#F2F2F2", edgecolor="none"))
        ax.add_patch(Rectangle((padding - 0.5, padding - 0.5), w - 2 * padding, h - 2 * padding, fill=False,
                               edgecolor=PALETTE[1], linewidth=2.5))
    # Cell borders as two line collections: (minor ticks at every cell would be slow to lay out)
    ax.hlines(np.arange(-0.5, h), -0.5, w - 0.5, color="#BBBBBB", linewidth=0.6, in_layout=False)
    ax.vlines(np.arange(-0.5, w), -0.5, h - 0.5, color="#BBBBBB", linewidth=0.6, in_layout=False)
    ax.add_patch(Rectangle((-0.5, -0.5), w, h, fill=False, edgecolor="#888888", linewidth=0.8, clip_on=False,
                           in_layout=False))  # a frame: white cells at the edge stay visible
    ax.set_xlim(-0.5, w - 0.5)
    ax.set_ylim(h - 0.5, -0.5)
    ax.set_xticks([])
    ax.set_yticks([])
    ax.grid(False)
    ax.spines[:].set_visible(False)
    ax.set_title(title, fontsize=11)


def draw_value_grids(grids: Sequence[Any], titles: Sequence[str], kinds: Sequence[str] | None = None,
                     paddings: Sequence[int] | None = None, numbers: bool = True, cell: float = 0.42,
                     suptitle: str | None = None) -> Figure:
    """Chapter 6: grids side by side, each cell coloured and (``numbers``) labelled with its value.

    ``kinds[i]`` is "image" (grey, 0 black) or "signed" (blue negative, red positive, white 0);
    ``paddings[i]`` marks the ring of padding zeros around grid i (an orange frame around the image).
    """
    arrays = [_as_grid(g, f"grids[{i}]") for i, g in enumerate(grids)]
    if not arrays:
        raise ValueError("至少需要一个网格 (at least one grid is needed)")
    if len(titles) != len(arrays):
        raise ValueError(f"标题有 {len(titles)} 个，网格有 {len(arrays)} 个 ({len(titles)} titles for "
                         f"{len(arrays)} grids)")
    kinds = list(kinds) if kinds is not None else ["signed"] * len(arrays)
    paddings = list(paddings) if paddings is not None else [0] * len(arrays)
    if len(kinds) != len(arrays) or len(paddings) != len(arrays):
        raise ValueError(f"kinds 和 paddings 必须各有 {len(arrays)} 个 (kinds and paddings need one entry per grid)")
    for kind in kinds:
        if kind not in KINDS:
            raise ValueError(f"kind 必须是 {KINDS} 之一 (kind must be one of {KINDS}), got {kind!r}")
    paddings = [check_nonnegative_int(p, "paddings") for p in paddings]
    widths = [a.shape[1] for a in arrays]
    height = max(a.shape[0] for a in arrays)
    fig, axes = plt.subplots(1, len(arrays), figsize=(cell * (sum(widths) + 1.2 * len(arrays)), cell * height + 0.8),
                             gridspec_kw={"width_ratios": widths}, squeeze=False)
    for ax, grid, title, kind, pad in zip(axes[0], arrays, titles, kinds, paddings):
        _draw_grid(ax, grid, kind, title, numbers, pad, font_size=9 if cell < 0.4 else 10)
    if suptitle:
        fig.suptitle(suptitle)
    return fig


def draw_cnn_pipeline(image: Any, kernels: Sequence[Any], kernel_names: Sequence[str], padding: int,
                      probabilities: Any, flat: Any) -> Figure:
    """Chapter 6: the image, its padded feature maps, ReLU, 2x2 max pooling, the flat vector, softmax."""
    image = _as_grid(image, "image")
    kernels = [_as_grid(k, f"kernels[{i}]") for i, k in enumerate(kernels)]
    if len(kernel_names) != len(kernels):
        raise ValueError("每个卷积核需要一个名字 (one name per kernel)")
    padding = check_nonnegative_int(padding, "padding")
    probabilities = to_numpy(probabilities).astype(float).ravel()
    flat = to_numpy(flat).astype(float).ravel()
    maps = [conv2d(image, k, padding=padding) for k in kernels]
    rectified = [relu(m) for m in maps]
    pooled = [max_pool2d(m, 2) for m in rectified]
    if flat.size != sum(p.size for p in pooled):
        raise ValueError(f"flat 应有 {sum(p.size for p in pooled)} 个数 (flat should hold every pooled value), "
                         f"got {flat.size}")
    c = len(kernels)
    # Rows: one per kernel (input spanning them), then the flat vector, then the probabilities.
    fig = plt.figure(figsize=(8.4, 2.4 * c + 3.4))
    grid = fig.add_gridspec(c + 2, 4, width_ratios=[1.3, 1, 1, 0.55], height_ratios=[1] * c + [0.32, 1.1])
    _draw_grid(fig.add_subplot(grid[:c, 0]), pad2d(image, padding), "image", "① 输入（填充后）", padding=padding,
               font_size=9)
    for i in range(c):
        _draw_grid(fig.add_subplot(grid[i, 1]), maps[i], "signed", f"② 卷积：{kernel_names[i]}", font_size=9)
        _draw_grid(fig.add_subplot(grid[i, 2]), rectified[i], "signed", "③ ReLU", font_size=9)
        _draw_grid(fig.add_subplot(grid[i, 3]), pooled[i], "signed", "④ 最大池化", font_size=9)
    _draw_grid(fig.add_subplot(grid[c, :]), flat[None, :], "signed", f"⑤ 展平：{flat.size} 个数排成一行",
               font_size=9)
    ax_p = fig.add_subplot(grid[c + 1, :])
    digits = np.arange(probabilities.size)
    ax_p.bar(digits, probabilities, color=PALETTE[0])
    ax_p.set_xticks(digits, [str(d) for d in digits])
    ax_p.set_ylim(0, max(0.3, 1.15 * float(probabilities.max())))
    ax_p.set_xlabel("数字")
    ax_p.set_ylabel("概率")
    ax_p.set_title("⑥ 全连接层 + softmax：属于每个数字的概率", fontsize=11)
    ax_p.grid(axis="x", visible=False)
    return fig


def draw_learned_kernels(weights: Any, numbers: bool = True) -> Figure:
    """Chapter 6: first-layer kernels of shape (c_out, 1, k, k), each with its own blue/red scale."""
    w = check_numeric_dtype(to_numpy(weights), "weights").astype(float)
    if w.ndim != 4 or w.shape[1] != 1 or w.shape[0] == 0:
        raise ValueError(f"weights 的形状必须是 (c_out, 1, k, k) (weights must have shape (c_out, 1, k, k)), "
                         f"got {w.shape}")
    cols = min(8, w.shape[0])
    rows = int(np.ceil(w.shape[0] / cols))
    fig, axes = plt.subplots(rows, cols, figsize=(1.35 * cols, 1.45 * rows + 0.2), squeeze=False)
    for index, ax in enumerate(axes.ravel()):
        if index < w.shape[0]:
            _draw_grid(ax, w[index, 0], "signed", f"卷积核 {index}", numbers=numbers, font_size=8, decimals=1)
        else:
            ax.axis("off")
    return fig


def draw_feature_maps(image: Any, maps: Any, title: str = "") -> Figure:
    """Chapter 6: an image (grey) and its feature maps (c, h, w), each map on its own scale, no numbers."""
    image = _as_grid(image, "image")
    maps = check_numeric_dtype(to_numpy(maps), "maps").astype(float)
    if maps.ndim != 3 or maps.shape[0] == 0:
        raise ValueError(f"maps 的形状必须是 (c, h, w) (maps must have shape (c, h, w)), got {maps.shape}")
    cols = min(9, maps.shape[0] + 1)
    rows = int(np.ceil((maps.shape[0] + 1) / cols))
    fig, axes = plt.subplots(rows, cols, figsize=(1.25 * cols, 1.35 * rows + 0.3), squeeze=False)
    for index, ax in enumerate(axes.ravel()):
        ax.set_xticks([])
        ax.set_yticks([])
        ax.grid(False)
        if index == 0:
            ax.imshow(image, cmap="gray", vmin=0, vmax=float(image.max()) or 1.0)
            ax.set_title("输入", fontsize=10)
        elif index <= maps.shape[0]:
            ax.imshow(maps[index - 1], cmap="magma", vmin=0, vmax=float(maps[index - 1].max()) or 1.0)
            ax.set_title(f"特征图 {index - 1}", fontsize=10)
        else:
            ax.axis("off")
    if title:
        fig.suptitle(title)
    return fig


# -- HTML grids for the interactive figures --------------------------------------------------------
def _signed_colors() -> list[str]:
    cmap = colormaps["RdBu_r"]
    return [to_hex(cmap(0.5 + 0.5 * level / 4)) for level in (-4, -3, -2, -1, 1, 2, 3, 4)]


_SIGNED = _signed_colors()
# One style sheet for every grid (classes keep each frame small): n4..n1 negative, z zero,
# p1..p4 positive, g0..g4 grey levels, x padding, w the window, c the cell being written, b empty.
GRID_STYLE = (
    "<style>.ml6{border-collapse:collapse!important;margin:2px 0!important;width:auto!important}"
    ".ml6 td{width:24px;height:24px;min-width:24px;padding:0!important;border:1px solid #BBB!important;"
    "text-align:center!important;font:12px/1 monospace;color:#000;background:#fff}"
    + "".join(f".ml6 .{name}{{background:{color}{';color:#fff' if name in ('n4', 'n3', 'p3', 'p4') else ''}}}"
              for name, color in zip(("n4", "n3", "n2", "n1", "p1", "p2", "p3", "p4"), _SIGNED))
    + "".join(f".ml6 .g{i}{{background:{color};color:{'#fff' if i < 3 else '#000'}}}"
              for i, color in enumerate(("#000", "#404040", "#808080", "#BFBFBF", "#fff")))
    + ".ml6 .x{background:#F2F2F2;color:#AAA}.ml6 .b{background:#fff;color:#fff}"
    ".ml6 .w{outline:3px solid #E69F00;outline-offset:-3px}.ml6 .c{outline:3px solid #000;outline-offset:-3px}"
    ".ml6cap{font-size:13px;line-height:1.5;margin:2px 0}</style>"
)


def _class(value: float, kind: str, scale: float) -> str:
    if kind == "image":
        return f"g{min(4, int(5 * value / scale))}" if scale > 0 else "g0"
    if value == 0 or scale == 0:
        return "z"
    level = min(4, max(1, int(np.ceil(4 * abs(value) / scale - 1e-9))))
    return f"{'p' if value > 0 else 'n'}{level}"


def grid_html(values: Any, kind: str = "signed", padding: int = 0, window_at: tuple[int, int, int] | None = None,
              blank: Any = None, current: tuple[int, int] | None = None, scale: float | None = None) -> str:
    """Chapter 6: a grid as a compact HTML table using ``GRID_STYLE``'s classes.

    ``padding`` greys the outer ring; ``window_at = (top, left, size)`` outlines a window;
    ``blank`` (a boolean grid) leaves cells empty; ``current`` outlines one cell in black.
    Colours go from 0 to ``scale`` (default: the largest value, or largest magnitude, inside the padding).
    """
    grid = _as_grid(values, "values")
    if kind not in KINDS:
        raise ValueError(f"kind 必须是 {KINDS} 之一 (kind must be one of {KINDS}), got {kind!r}")
    h, w = grid.shape
    inner = grid[padding:h - padding, padding:w - padding] if padding else grid
    if scale is None:
        scale = float(inner.max()) if kind == "image" else float(np.abs(inner).max())
    empty = np.zeros_like(grid, bool) if blank is None else np.asarray(blank, bool)
    rows = []
    for i in range(h):
        cells = []
        for j in range(w):
            names = []
            if empty[i, j]:
                names.append("b")
            elif padding and (i < padding or j < padding or i >= h - padding or j >= w - padding):
                names.append("x")
            else:
                names.append(_class(grid[i, j], kind, scale))
            if window_at is not None:
                top, left, size = window_at
                if top <= i < top + size and left <= j < left + size:
                    names.append("w")
            if current is not None and (i, j) == tuple(current):
                names.append("c")
            attr = names[0] if len(names) == 1 else '"' + " ".join(names) + '"'
            cells.append(f"<td class={attr}>{'' if empty[i, j] else format_cell(grid[i, j])}")
        rows.append("<tr>" + "".join(cells))
    return "<table class=ml6>" + "".join(rows) + "</table>"


def _caption(text: str) -> str:
    return f"<div class=ml6cap>{text}</div>"


def _size_formula(n: int, k: int, p: int, s: int) -> str:
    return f"⌊({n} + 2×{p} − {k}) / {s}⌋ + 1 = {output_size(n, k, p, s)}"


def kernel_explorer(kernel_names: Sequence[str] = tuple(KERNELS), paddings: Sequence[int] = (0, 1),
                    strides: Sequence[int] = (1, 2)) -> InteractiveFigure:
    """Chapter 6: choose a kernel, an image (the "7" or a digit), padding, stride, ReLU and 2x2 max pooling.

    Four HTML panels, split by the controls they read so that the page stays small:
    the padded input (image, padding), the kernel (kernel), the feature map (all but
    pooling) and the pooled map (all; one shared "off" frame).
    """
    unknown = [k for k in kernel_names if k not in KERNELS]
    if unknown or not kernel_names:
        raise ValueError(f"未知的卷积核 (unknown kernels): {unknown}；可选 (available): {list(KERNELS)}")
    paddings = [check_nonnegative_int(p, "paddings") for p in paddings]
    strides = [check_positive_int(s, "strides") for s in strides]
    # The "7" and the first 0, 3 and 7 of scikit-learn's digits, raw pixels 0..16 (0 black).
    images = [("6×6 的 7", SEVEN)] + [(f"手写 {d}", x) for d, x in first_digits((0, 3, 7)).items()]
    fig = InteractiveFigure([
        Control("kernel", "卷积核", [(KERNELS[k].label, k) for k in kernel_names], kind="dropdown"),
        Control("image", "输入", [(name, i) for i, (name, _) in enumerate(images)], kind="toggle"),
        Control("padding", "填充 p", paddings, kind="toggle"),
        Control("stride", "步幅 s", strides, kind="toggle"),
        Control("use_relu", "ReLU", [("关", False), ("开", True)], kind="toggle"),
        Control("pool", "2×2 最大池化", [("关", False), ("开", True)], kind="toggle"),
    ], title="换一个卷积核、一张图、填充或步幅，特征图会怎样？")

    def input_panel(image: int, padding: int) -> str:
        name, x = images[image]
        h, w = x.shape
        note = f"，外圈灰色的 0 是填充" if padding else ""
        return _caption(f"<b>输入</b>：{name}，{h}×{w}{note}") + grid_html(pad2d(x, padding), "image", padding)

    def kernel_panel(kernel: str) -> str:
        named = KERNELS[kernel]
        return (GRID_STYLE + _caption(f"<b>卷积核：{named.label}</b>") + grid_html(named.weights)
                + _caption(f"<span style='color:#555'>{html_lib.escape(named.note)}</span>"))

    def feature(kernel: str, image: int, padding: int, stride: int, use_relu: bool) -> np.ndarray:
        x = images[image][1]
        y = conv2d(x, KERNELS[kernel].weights, padding=padding, stride=stride)
        return relu(y) if use_relu else y

    def feature_panel(kernel: str, image: int, padding: int, stride: int, use_relu: bool) -> str:
        x = images[image][1]
        y = feature(kernel, image, padding, stride, use_relu)
        text = (f"<b>特征图{'（ReLU 之后）' if use_relu else ''}</b>：{y.shape[0]}×{y.shape[1]}<br>"
                f"边长 {_size_formula(x.shape[0], 3, padding, stride)}")
        if not use_relu and (y < 0).any():
            text += "<br><span style='color:#555'>蓝色是负数：打开 ReLU 把它们变成 0</span>"
        if use_relu and not (y > 0).any():
            text += "<br><span style='color:#555'>全是 0：这个卷积核在这张图上没有一处正的响应</span>"
        return _caption(text) + grid_html(y)

    def pooled_panel(kernel: str, image: int, padding: int, stride: int, use_relu: bool, pool: bool) -> str:
        if not pool:
            return _caption("<b>最大池化</b>：关<br><span style='color:#555'>打开它：每个 2×2 块只留最大的数</span>")
        y = feature(kernel, image, padding, stride, use_relu)
        if min(y.shape) < 2:
            return _caption(f"<b>最大池化</b>：特征图只有 {y.shape[0]}×{y.shape[1]}，放不下 2×2 的窗口")
        pooled = max_pool2d(y, 2)
        return (_caption(f"<b>2×2 最大池化</b>：{y.shape[0]}×{y.shape[1]} → {pooled.shape[0]}×{pooled.shape[1]}")
                + grid_html(pooled))

    fig.html(input_panel)
    fig.html(kernel_panel)
    fig.html(feature_panel)
    fig.html(pooled_panel)
    return fig


def convolution_walk_explorer(image: Any = SEVEN, kernel_names: Sequence[str] = ("vertical", "horizontal"),
                              padding: int = 0, stride: int = 1) -> InteractiveFigure:
    """Chapter 6: a slider walks the 3x3 window over the (padded) image, one output cell per step.

    Panels: the padded image with the window outlined (position only); the patch, the
    kernel, their element-wise products and the sum (kernel, position); the feature map
    filled up to this step, the new cell outlined (kernel, position).
    """
    x = _as_grid(image, "image")
    unknown = [k for k in kernel_names if k not in KERNELS]
    if unknown or not kernel_names:
        raise ValueError(f"未知的卷积核 (unknown kernels): {unknown}；可选 (available): {list(KERNELS)}")
    padding = check_nonnegative_int(padding, "padding")
    stride = check_positive_int(stride, "stride")
    oh, ow = output_size(x.shape[0], 3, padding, stride), output_size(x.shape[1], 3, padding, stride)
    positions = [(f"({i}, {j})", (i, j)) for i in range(oh) for j in range(ow)]
    fig = InteractiveFigure([
        Control("kernel", "卷积核", [(KERNELS[k].label, k) for k in kernel_names], kind="toggle"),
        Control("position", "输出位置（行, 列）", positions),
    ], title=f"卷积核在{'填充后的' if padding else ''}图像上一步一步地滑动")

    def input_panel(position: tuple[int, int]) -> str:
        i, j = position
        return (GRID_STYLE + _caption(f"<b>输入</b>{'（灰色是填充的 0）' if padding else ''}：橙框是窗口")
                + grid_html(pad2d(x, padding), "image", padding, window_at=(i * stride, j * stride, 3)))

    def products_panel(kernel: str, position: tuple[int, int]) -> str:
        i, j = position
        weights = KERNELS[kernel].weights
        step = window(x, weights, i, j, padding, stride)
        terms = " + ".join(format_cell(v) if v >= 0 else f"({format_cell(v)})" for v in step.products.ravel())
        sign = "<span style='font-size:20px;padding:0 4px'>{}</span>"
        tables = (f"<div style='display:flex;align-items:center;flex-wrap:wrap'>{grid_html(step.patch, 'image')}"
                  f"{sign.format('⊙')}{grid_html(weights)}{sign.format('=')}{grid_html(step.products)}</div>")
        return (_caption(f"<b>窗口 ⊙ 卷积核 = 逐元素乘积</b>（{KERNELS[kernel].label}）") + tables
                + _caption(f"乘积之和 = {terms} = <b>{format_cell(step.total)}</b>"))

    def output_panel(kernel: str, position: tuple[int, int]) -> str:
        i, j = position
        y = conv2d(x, KERNELS[kernel].weights, padding=padding, stride=stride)
        order = np.arange(oh * ow).reshape(oh, ow)
        blank = order > i * ow + j
        return (_caption(f"<b>特征图</b>（{oh}×{ow}）：和写进第 {i} 行第 {j} 列")
                + grid_html(np.where(blank, 0.0, y), blank=blank, current=(i, j), scale=float(np.abs(y).max())))

    fig.html(input_panel)
    fig.html(products_panel)
    fig.html(output_panel)
    return fig
