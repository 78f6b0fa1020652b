"""Interactive figures that respond with or without a running kernel.

An interactive figure is declared once: its controls (each with a short list of
values) and its layers (each a function of some of those controls, inferred from
the function's parameter names). The same declaration is shown two ways:

* **live** (JupyterLab, nbval, any running kernel): the default frame is drawn at
  once; any other frame is drawn the first time a control asks for it and kept in
  a cache. A layer that takes longer than ``SLOW_FRAME_SECONDS`` says "计算中…"
  and hides its stale picture while it works;
* **static** (the HTML book, which has no kernel): every frame is drawn in advance
  and put in nested ``ipywidgets.Stack`` widgets whose ``selected_index`` is
  ``jslink``-ed to the controls' ``index``, so switching frames happens in the
  browser alone. ``scripts/build_book.py`` asks for this by setting the
  environment variable ``MLBOOK_STATIC_FIGURES=1``.

Three kinds of layer:

* ``image``: a matplotlib figure (stored as PNG);
* ``overlay``: vector marks (points, lines, ellipses, text) drawn in the *data
  coordinates* of an image layer's axes and laid exactly over it. Marks are cheap,
  so an overlay can depend on many more combinations than an image;
* ``html``: a side panel (a table, a readout, a message).

A callback's parameters name the controls it depends on: ``k`` receives the value
of control ``k``, ``k_index`` the position of that value among the control's
options. Example (chapter 2)::

    fig = InteractiveFigure([Control("k", "K", range(1, 26), default=5)])
    base = fig.image(lambda k: draw_regions(k))
    fig.overlay(base, lambda canvas, k: canvas.ellipse(0, 0, 1, 1))
    fig.html(lambda k, k_index: f"<b>K = {k}</b>（第 {k_index + 1} 个取值）")
    fig  # displays the widget
"""

from __future__ import annotations

import html as html_lib
import inspect
import itertools
import math
import os
import threading
import time
import uuid
from dataclasses import dataclass, field
from typing import Any, Callable, Iterable, Literal, Sequence

import ipywidgets as widgets
import numpy as np

from .plotting import fig_to_png

ControlKind = Literal["slider", "toggle", "dropdown"]
MAX_FRAMES_PER_LAYER = 5000
STATIC_ENV = "MLBOOK_STATIC_FIGURES"
# A frame slower than this shows "计算中…" instead of the stale picture while it is drawn.
SLOW_FRAME_SECONDS = 0.25


def static_mode() -> bool:
    """True when figures must carry every frame (the book build sets MLBOOK_STATIC_FIGURES=1)."""
    return os.environ.get(STATIC_ENV, "") == "1"


def _fmt_option(value: Any) -> str:
    if isinstance(value, float):
        return f"{value:g}"
    return str(value)


@dataclass
class Control:
    """A control with a finite list of values; ``options`` may hold (label, value) pairs."""

    name: str
    label: str
    options: Iterable[Any]
    default: Any = None
    kind: ControlKind = "slider"
    labels: list[str] = field(init=False)
    values: list[Any] = field(init=False)

    def __post_init__(self) -> None:
        if not isinstance(self.name, str) or not self.name.isidentifier() or self.name.endswith("_index"):
            raise ValueError(f"控件名称必须是不以 _index 结尾的标识符 (a control name must be an identifier "
                             f"not ending in _index), got {self.name!r}")
        options = list(self.options)
        if not options:
            raise ValueError(f"控件 {self.name!r} 没有可选值 (control {self.name!r} has no options)")
        if all(isinstance(o, tuple) and len(o) == 2 and isinstance(o[0], str) for o in options):
            self.labels = [o[0] for o in options]
            self.values = [o[1] for o in options]
        else:
            self.labels = [_fmt_option(o) for o in options]
            self.values = options
        if len(set(self.labels)) != len(self.labels):
            raise ValueError(
                f"控件 {self.name!r} 的选项标签重复 (control {self.name!r} has duplicate labels): {self.labels}"
            )
        if self.kind not in ("slider", "toggle", "dropdown"):
            raise ValueError(f"未知的控件类型 (unknown control kind): {self.kind!r}")
        if self.default is None:
            self.default = self.values[0]
        if not any(_same(self.default, v) for v in self.values):
            raise ValueError(
                f"控件 {self.name!r} 的默认值 {self.default!r} 不在选项中 "
                f"(default {self.default!r} of control {self.name!r} is not one of its options)"
            )

    @property
    def default_index(self) -> int:
        return self.index_of(self.default)

    def index_of(self, value: Any) -> int:
        """Position of ``value`` among the options (a bilingual error if it is not one)."""
        for i, v in enumerate(self.values):
            if _same(value, v):
                return i
        raise ValueError(f"{value!r} 不是控件 {self.name!r} 的选项 (not an option of control {self.name!r}); "
                         f"可选 (options): {self.labels}")

    def make_widget(self, continuous_update: bool = True) -> widgets.Widget:
        """The ipywidget for this control; its ``index`` selects the frame."""
        options = list(zip(self.labels, range(len(self.labels))))
        style = {"description_width": "initial"}
        common = dict(options=options, index=self.default_index, description=self.label, style=style)
        if self.kind == "slider":
            return widgets.SelectionSlider(continuous_update=continuous_update,
                                           layout=widgets.Layout(width="min(100%, 520px)"), **common)
        if self.kind == "toggle":
            return widgets.ToggleButtons(**common)
        return widgets.Dropdown(**common)


def _same(a: Any, b: Any) -> bool:
    try:
        return bool(a == b)
    except (ValueError, TypeError):  # numpy arrays compare element-wise
        return a is b


class AxesMap:
    """Maps data (or axes-fraction) coordinates of one matplotlib Axes to pixels of the saved PNG."""

    def __init__(self, ax: Any, height_px: float) -> None:
        self._data = ax.transData.frozen()
        self._axes = ax.transAxes.frozen()
        self._height = height_px
        bbox = ax.get_window_extent()
        # The axes box in PNG pixels (y down): marks are clipped to it.
        self.clip = (bbox.x0, height_px - bbox.y1, bbox.width, bbox.height)

    def __call__(self, x: Any, y: Any, coords: Literal["data", "axes"] = "data") -> tuple[np.ndarray, np.ndarray]:
        points = np.column_stack([np.ravel(np.asarray(x, float)), np.ravel(np.asarray(y, float))])
        if not np.isfinite(points).all():
            raise ValueError("坐标里有 NaN 或无穷大，无法画出 (coordinates contain NaN or inf)")
        transform = self._data if coords == "data" else self._axes
        pixels = transform.transform(points)
        return pixels[:, 0], self._height - pixels[:, 1]


def _num(v: float) -> str:
    """Compact size in pixels: one decimal, trailing zeros dropped."""
    return f"{v:.1f}".rstrip("0").rstrip(".")


def _px(v: float) -> str:
    """A position in whole pixels of the PNG (half a pixel is below what the eye sees; a lighter page)."""
    return str(int(round(float(v))))


class SvgCanvas:
    """Vector marks laid over one frame of an image layer.

    Positions are data coordinates of the current axes (``use_axes``), except in
    ``note``, which takes axes fractions (0, 0 bottom left; 1, 1 top right). One
    vocabulary for every mark:

    * ``color``: the colour of the outline (of the letters, for text);
    * ``fill``: the colour inside (``"none"`` for an outline only);
    * ``width``: the outline's width in pixels;
    * ``opacity``: the whole mark's opacity; ``fill_opacity``: the inside's only;
    * ``dash``: an SVG dash pattern such as ``"5 3"``;
    * ``radius`` (markers) and ``font_size`` (text) in pixels of the PNG below.

    Marks that may leave the axes (lines, polygons, ellipses, rectangles) are
    clipped to the axes box.
    """

    def __init__(self, width_px: int, height_px: int, axes_maps: list[AxesMap]) -> None:
        self.width = width_px
        self.height = height_px
        self._maps = axes_maps
        self._ax = 0
        self._items: list[str] = []
        self._clipped: set[int] = set()

    def use_axes(self, index: int) -> "SvgCanvas":
        """Draw the following marks in the coordinates of axes ``index`` of the figure."""
        if not 0 <= index < len(self._maps):
            raise IndexError(f"没有第 {index} 个坐标轴 (no axes number {index})")
        self._ax = index
        return self

    def _xy(self, x: Any, y: Any, coords: Literal["data", "axes"] = "data") -> tuple[np.ndarray, np.ndarray]:
        return self._maps[self._ax](x, y, coords)

    def _clip(self, px: Any, py: Any) -> str:
        """A clip to the axes box, for a mark whose pixels (px, py) reach outside it (none otherwise)."""
        x, y, w, h = self._maps[self._ax].clip
        if np.min(px) >= x - 1 and np.max(px) <= x + w + 1 and np.min(py) >= y - 1 and np.max(py) <= y + h + 1:
            return ""  # inside: no clip-path, a lighter page
        self._clipped.add(self._ax)
        return f' clip-path="url(#{{clip{self._ax}}})"'

    @staticmethod
    def _style(color: str = "none", width: float = 1.0, fill: str = "none", dash: str | None = None,
               opacity: float = 1.0, fill_opacity: float = 1.0) -> str:
        out = f' fill="{fill}"'
        if fill != "none" and fill_opacity != 1.0:
            out += f' fill-opacity="{fill_opacity:g}"'
        if color != "none":
            out += f' stroke="{color}" stroke-width="{_num(width)}"'
            if dash:
                out += f' stroke-dasharray="{dash}"'
        if opacity != 1.0:
            out += f' opacity="{opacity:g}"'
        return out

    def _points_attr(self, xs: Sequence[float], ys: Sequence[float]) -> str:
        """The SVG ``points`` list and its clip-path attribute."""
        px, py = self._xy(xs, ys)
        return " ".join(f"{_px(a)},{_px(b)}" for a, b in zip(px, py)) + '"' + self._clip(px, py)

    def line(self, xs: Sequence[float], ys: Sequence[float], color: str = "black", width: float = 1.5,
             dash: str | None = None, opacity: float = 1.0) -> None:
        """A polyline through the points (xs, ys)."""
        self._items.append(f'<polyline points="{self._points_attr(xs, ys)}'
                           f"{self._style(color, width, 'none', dash, opacity)}/>")

    def polygon(self, xs: Sequence[float], ys: Sequence[float], color: str = "black", fill: str = "none",
                width: float = 1.5, dash: str | None = None, opacity: float = 1.0,
                fill_opacity: float = 1.0) -> None:
        """A closed polygon through the points (xs, ys)."""
        self._items.append(f'<polygon points="{self._points_attr(xs, ys)}'
                           f"{self._style(color, width, fill, dash, opacity, fill_opacity)}/>")

    def ellipse(self, x: float, y: float, rx: float, ry: float, color: str = "black", fill: str = "none",
                width: float = 1.5, dash: str | None = None, opacity: float = 1.0,
                fill_opacity: float = 1.0) -> None:
        """An axis-aligned ellipse centred at (x, y) with radii rx, ry in data units (a circle if equal aspect)."""
        px, py = self._xy([x, x + rx, x], [y, y, y + ry])
        rpx, rpy = abs(px[1] - px[0]), abs(py[2] - py[0])
        clip = self._clip([px[0] - rpx, px[0] + rpx], [py[0] - rpy, py[0] + rpy])
        self._items.append(
            f'<ellipse cx="{_px(px[0])}" cy="{_px(py[0])}" rx="{_num(rpx)}" ry="{_num(rpy)}"'
            f"{self._style(color, width, fill, dash, opacity, fill_opacity)}{clip}/>"
        )

    def rect(self, x0: float, y0: float, x1: float, y1: float, color: str = "none", fill: str = "black",
             width: float = 1.0, opacity: float = 1.0, fill_opacity: float = 1.0) -> None:
        """A rectangle between corners (x0, y0) and (x1, y1) in data units (e.g. a bar)."""
        px, py = self._xy([x0, x1], [y0, y1])
        self._items.append(
            f'<rect x="{_px(min(px))}" y="{_px(min(py))}" width="{_px(abs(px[1] - px[0]))}"'
            f' height="{_px(abs(py[1] - py[0]))}"'
            f"{self._style(color, width, fill, None, opacity, fill_opacity)}{self._clip(px, py)}/>"
        )

    def segments(self, x0: Sequence[float], y0: Sequence[float], x1: Sequence[float], y1: Sequence[float],
                 color: str = "black", width: float = 1.0, dash: str | None = None, opacity: float = 1.0) -> None:
        """Independent segments from (x0[i], y0[i]) to (x1[i], y1[i])."""
        ax0, ay0 = self._xy(x0, y0)
        ax1, ay1 = self._xy(x1, y1)
        path = "".join(f"M{_px(a)},{_px(b)}L{_px(c)},{_px(d)}" for a, b, c, d in zip(ax0, ay0, ax1, ay1))
        clip = self._clip(np.r_[ax0, ax1], np.r_[ay0, ay1])
        self._items.append(f'<path d="{path}"{self._style(color, width, "none", dash, opacity)}{clip}/>')

    def points(self, xs: Sequence[float], ys: Sequence[float], color: str = "black", fill: str | None = None,
               radius: float = 5, shape: str = "o", width: float = 1.5, opacity: float = 1.0) -> None:
        """Markers at (xs, ys): shape 'o' (circle), 's' (square), '*' (star) or 'x'; ``fill`` defaults to ``color``."""
        if shape not in ("o", "s", "*", "x"):
            raise ValueError(f"未知的标记形状 (unknown marker shape): {shape!r}")
        px, py = self._xy(xs, ys)
        r = radius
        marks = []
        for a, b in zip(px, py):
            if shape == "o":
                marks.append(f'<circle cx="{_px(a)}" cy="{_px(b)}" r="{_num(r)}"/>')
            elif shape == "s":
                marks.append(f'<rect x="{_num(a - r)}" y="{_num(b - r)}" width="{_num(2 * r)}" height="{_num(2 * r)}"/>')
            elif shape == "*":
                angles = np.pi / 2 + np.arange(10) * np.pi / 5
                radii = np.where(np.arange(10) % 2 == 0, r, r * 0.45)
                pts = " ".join(f"{_px(a + q * np.cos(t))},{_px(b - q * np.sin(t))}" for q, t in zip(radii, angles))
                marks.append(f'<polygon points="{pts}"/>')
            else:
                marks.append(f'<path d="M{_num(a - r)},{_num(b - r)}l{_num(2 * r)},{_num(2 * r)}'
                             f'm0,{_num(-2 * r)}l{_num(-2 * r)},{_num(2 * r)}"/>')
        style = self._style(color, width, color if fill is None else fill, None, opacity)
        self._items.append(f"<g{style}>{''.join(marks)}</g>")

    def raster(self, values: Any, extent: tuple[float, float, float, float], colors: Sequence[str],
               opacity: float = 1.0) -> None:
        """A grid of class indices (row 0 at the bottom) painted with ``colors`` over ``extent`` = (x0, x1, y0, y1).

        The grid is stored at its own resolution (a tiny palette PNG) and scaled by the
        browser without smoothing: a 150 x 150 decision-region map costs about 2 kB.
        """
        import base64
        import io

        from PIL import Image

        grid = np.asarray(values)
        if grid.ndim != 2 or grid.size == 0 or not np.issubdtype(grid.dtype, np.integer):
            raise ValueError(f"raster 需要二维整数数组 (raster needs a 2-D integer array), got {grid.dtype} {grid.shape}")
        if grid.min() < 0 or grid.max() >= len(colors):
            raise ValueError(f"raster 的取值必须在 0..{len(colors) - 1} 之间 (raster values must index colors), "
                             f"got {grid.min()}..{grid.max()}")
        image = Image.fromarray(np.ascontiguousarray(grid[::-1]).astype(np.uint8), mode="L").convert("P")
        rgb = [int(c.lstrip("#")[i:i + 2], 16) for c in colors for i in (0, 2, 4)]
        image.putpalette(rgb)
        buffer = io.BytesIO()
        image.save(buffer, format="png", optimize=True)
        data = base64.b64encode(buffer.getvalue()).decode()
        x0, x1, y0, y1 = extent
        px, py = self._xy([x0, x1], [y0, y1])
        alpha = f' opacity="{opacity:g}"' if opacity != 1.0 else ""
        self._items.append(
            f'<image x="{_num(min(px))}" y="{_num(min(py))}" width="{_num(abs(px[1] - px[0]))}"'
            f' height="{_num(abs(py[1] - py[0]))}" preserveAspectRatio="none" style="image-rendering:pixelated"'
            f'{alpha} href="data:image/png;base64,{data}"{self._clip(px, py)}/>'
        )

    def _text(self, px: float, py: float, s: str, color: str, font_size: float, anchor: str,
              bold: bool, opacity: float) -> None:
        if anchor not in ("start", "middle", "end"):
            raise ValueError(f"anchor 只能是 start、middle 或 end (anchor must be start, middle or end), got {anchor!r}")
        weight = ' font-weight="bold"' if bold else ""
        alpha = f' opacity="{opacity:g}"' if opacity != 1.0 else ""
        self._items.append(
            f'<text x="{_px(px)}" y="{_px(py)}" fill="{color}" font-size="{_num(font_size)}"{weight}{alpha}'
            f' text-anchor="{anchor}" paint-order="stroke" stroke="#fff" stroke-width="3">'
            f"{html_lib.escape(s)}</text>"
        )

    def text(self, x: float, y: float, s: str, color: str = "black", font_size: float = 13,
             anchor: str = "middle", dx: float = 0, dy: float = 0, bold: bool = False,
             opacity: float = 1.0) -> None:
        """Text at data point (x, y), shifted by (dx, dy) pixels, with a white halo for legibility."""
        px, py = self._xy([x], [y])
        self._text(px[0] + dx, py[0] + dy, s, color, font_size, anchor, bold, opacity)

    def note(self, fx: float, fy: float, s: str, color: str = "black", font_size: float = 13,
             anchor: str = "start", dx: float = 0, dy: float = 0, bold: bool = False,
             opacity: float = 1.0) -> None:
        """Text at axes fraction (fx, fy) of the current axes: (0.02, 0.95) is near the top left corner."""
        px, py = self._xy([fx], [fy], coords="axes")
        self._text(px[0] + dx, py[0] + dy, s, color, font_size, anchor, bold, opacity)

    def to_svg(self, uid: str, background: str | None = None) -> str:
        """The overlay as an SVG element that scales with the image it lies on (or under)."""
        defs = "".join(
            f'<clipPath id="{uid}c{i}"><rect x="{_num(m.clip[0])}" y="{_num(m.clip[1])}"'
            f' width="{_num(m.clip[2])}" height="{_num(m.clip[3])}"/></clipPath>'
            for i, m in enumerate(self._maps) if i in self._clipped
        )
        body = "".join(self._items)
        if background:
            body = f'<rect width="100%" height="100%" fill="{background}"/>' + body
        for i in self._clipped:
            body = body.replace(f"{{clip{i}}}", f"{uid}c{i}")
        return (
            f'<svg viewBox="0 0 {self.width} {self.height}" style="display:block;width:100%;height:auto;'
            f'pointer-events:none" font-family="Noto Sans SC,sans-serif">'
            f"{'<defs>' + defs + '</defs>' if defs else ''}{body}</svg>"
        )


@dataclass(eq=False)
class Layer:
    """One layer of an InteractiveFigure: its kind, its callback and the controls it reads."""

    kind: Literal["image", "overlay", "html"]
    render: Callable[..., Any]
    depends_on: tuple[str, ...]
    params: frozenset[str]  # the callback's parameter names: control names or <name>_index
    base: "Layer | None" = None
    below: bool = False  # an overlay drawn under its base image (seen through its transparent parts)
    overlays: list["Layer"] = field(default_factory=list)
    frames: dict[tuple, Any] = field(default_factory=dict)  # combo (indices) -> PNG bytes or markup
    canvases: dict[tuple, tuple[int, int, list[AxesMap]]] = field(default_factory=dict)
    seconds: float = 0.0  # mean time to draw one frame, so far
    drawn: int = 0

    @property
    def name(self) -> str:
        return f"{self.kind} 层 {getattr(self.render, '__name__', '?')}"


class InteractiveFigure:
    """A figure whose controls switch frames: drawn on demand in a kernel, all in advance for the book."""

    def __init__(self, controls: Sequence[Control], title: str | None = None,
                 png_colors: int | None = 96) -> None:
        if not controls:
            raise ValueError("至少需要一个控件 (at least one control is needed)")
        names = [c.name for c in controls]
        if len(set(names)) != len(names):
            raise ValueError(f"控件名称重复 (duplicate control names): {names}")
        self.controls = {c.name: c for c in controls}
        self.title = title
        self.png_colors = png_colors
        self.layers: list[Layer] = []  # image and html layers, in display order
        self._widget: widgets.Widget | None = None
        # Unique across notebooks open side by side in JupyterLab (one DOM for all of them).
        self._uid = f"mlb{uuid.uuid4().hex[:8]}"

    # -- declaring layers -------------------------------------------------
    def _signature(self, fn: Callable[..., Any], skip_first: bool = False) -> tuple[tuple[str, ...], frozenset[str]]:
        """Controls a callback depends on, read from its parameter names (``k`` or ``k_index``)."""
        if not callable(fn):
            raise TypeError(f"图层需要一个函数 (a layer needs a callable), got {type(fn).__name__}")
        params = list(inspect.signature(fn).parameters.values())
        if skip_first:
            if not params:
                raise ValueError("叠加层函数的第一个参数必须是画布 (an overlay's first parameter is the canvas)")
            params = params[1:]
        wanted = set()
        for p in params:
            if p.kind in (p.VAR_POSITIONAL, p.VAR_KEYWORD, p.POSITIONAL_ONLY):
                raise ValueError(f"参数 {p.name!r} 必须是普通的具名参数 (parameter {p.name!r} must be a plain "
                                 "named parameter)")
            name = p.name[:-len("_index")] if p.name.endswith("_index") else p.name
            if name not in self.controls:
                raise ValueError(f"参数 {p.name!r} 不对应任何控件 (parameter {p.name!r} names no control)；"
                                 f"可用的有 (available): {list(self.controls)}")
            wanted.add(name)
        deps = tuple(n for n in self.controls if n in wanted)  # declaration order
        frames = math.prod(len(self.controls[d].values) for d in deps)
        if frames > MAX_FRAMES_PER_LAYER:
            raise ValueError(
                f"这一层需要 {frames} 帧，太多了 (this layer needs {frames} frames, more than "
                f"{MAX_FRAMES_PER_LAYER}); 请减少控件的取值 (use fewer control values)"
            )
        return deps, frozenset(p.name for p in params)

    def _add(self, layer: Layer) -> Layer:
        self._widget = None
        return layer

    def image(self, render: Callable[..., Any]) -> Layer:
        """Add a matplotlib layer; ``render(**params)`` returns a Figure (or PNG bytes)."""
        layer = Layer("image", render, *self._signature(render))
        self.layers.append(layer)
        return self._add(layer)

    def overlay(self, base: Layer, draw: Callable[..., None], below: bool = False) -> Layer:
        """Lay vector marks over ``base``; ``draw(canvas, **params)`` adds them (see SvgCanvas).

        With ``below=True`` the marks go under the base image, on a white background, and
        show where the base is transparent: draw the base with ``fig.patch.set_alpha(0)``
        and ``ax.set_facecolor("none")`` (e.g. decision regions as a ``canvas.raster``).
        """
        if not isinstance(base, Layer) or base.kind != "image" or base not in self.layers:
            raise ValueError("叠加层必须放在本图的图像层上 (an overlay needs an image layer of this figure)")
        deps, params = self._signature(draw, skip_first=True)
        # An overlay is drawn in the base frame's coordinates, so it follows the base's controls too.
        deps = tuple(n for n in self.controls if n in deps or n in base.depends_on)
        layer = Layer("overlay", draw, deps, params, base=base, below=bool(below))
        base.overlays.append(layer)
        return self._add(layer)

    def html(self, render: Callable[..., str]) -> Layer:
        """Add a side panel; ``render(**params)`` returns an HTML string."""
        layer = Layer("html", render, *self._signature(render))
        self.layers.append(layer)
        return self._add(layer)

    def all_layers(self) -> list[Layer]:
        """Every layer, each image layer followed by its overlays."""
        return [lay for layer in self.layers for lay in [layer, *layer.overlays]]

    # -- drawing frames (with a cache) ------------------------------------------
    def _combos(self, deps: tuple[str, ...]) -> list[tuple]:
        return list(itertools.product(*(range(len(self.controls[d].values)) for d in deps)))

    def _combo(self, layer: Layer, state: dict[str, int]) -> tuple:
        return tuple(state[d] for d in layer.depends_on)

    def _kwargs(self, layer: Layer, combo: tuple) -> dict[str, Any]:
        kwargs: dict[str, Any] = {}
        for d, i in zip(layer.depends_on, combo):
            # (an overlay also follows base controls that it does not read)
            if d in layer.params:
                kwargs[d] = self.controls[d].values[i]
            if f"{d}_index" in layer.params:
                kwargs[f"{d}_index"] = i
        return kwargs

    def _draw(self, layer: Layer, combo: tuple) -> Any:
        """Draw (or fetch from the cache) the frame of ``layer`` for control indices ``combo``."""
        if combo in layer.frames:
            return layer.frames[combo]
        kwargs = self._kwargs(layer, combo)
        start = time.perf_counter()
        try:
            if layer.kind == "image":
                frame = self._draw_image(layer, combo, kwargs)
            elif layer.kind == "overlay":
                frame = self._draw_overlay(layer, combo, kwargs)
            else:
                frame = layer.render(**kwargs)
                if not isinstance(frame, str):
                    raise TypeError(f"HTML 层必须返回字符串 (an html layer must return a str), "
                                    f"got {type(frame).__name__}")
        except Exception as error:
            shown = {d: self.controls[d].values[i] for d, i in zip(layer.depends_on, combo)}
            raise type(error)(f"{layer.name} 在 {shown} 时出错 ({layer.kind} layer "
                              f"{getattr(layer.render, '__name__', '?')} failed at {shown}): {error}") from error
        layer.drawn += 1
        layer.seconds += (time.perf_counter() - start - layer.seconds) / layer.drawn
        layer.frames[combo] = frame
        return frame

    def _draw_image(self, layer: Layer, combo: tuple, kwargs: dict[str, Any]) -> bytes:
        import matplotlib.figure
        import matplotlib.pyplot as plt

        out = layer.render(**kwargs)
        if isinstance(out, matplotlib.figure.Figure):
            # Save first: the transforms read below are those of the saved drawing.
            png = fig_to_png(out, close=False, colors=self.png_colors)
            width, height = out.canvas.get_width_height()
            layer.canvases[combo] = (width, height, [AxesMap(ax, height) for ax in out.axes])
            plt.close(out)
            return png
        if isinstance(out, (bytes, bytearray)):
            if layer.overlays:
                raise TypeError("带叠加层的图像层必须返回 Figure (a base layer must return a Figure)")
            return bytes(out)
        raise TypeError(f"图像层必须返回 matplotlib Figure 或 PNG 字节 (an image layer must return a Figure "
                        f"or PNG bytes), got {type(out).__name__}")

    def _draw_overlay(self, layer: Layer, combo: tuple, kwargs: dict[str, Any]) -> str:
        base = layer.base
        assert base is not None
        base_combo = tuple(combo[layer.depends_on.index(d)] for d in base.depends_on)
        self._draw(base, base_combo)
        width, height, maps = base.canvases[base_combo]
        canvas = SvgCanvas(width, height, maps)
        layer.render(canvas, **kwargs)
        # One clip-path id per layer: a layer shows one frame at a time, and equal ids let
        # identical frames be shared.
        uid = f"{self._uid}-{self.layers.index(base)}-{base.overlays.index(layer)}"
        return canvas.to_svg(uid, background="#fff" if layer.below else None)

    def frame(self, layer: Layer, **values: Any) -> Any:
        """The frame of ``layer`` for the given control values (others at their defaults): PNG bytes or markup."""
        unknown = [n for n in values if n not in self.controls]
        if unknown:
            raise ValueError(f"未知的控件 (unknown controls): {unknown}")
        state = {n: (c.index_of(values[n]) if n in values else c.default_index) for n, c in self.controls.items()}
        return self._draw(layer, self._combo(layer, state))

    def render_all(self) -> None:
        """Draw every frame of every layer (what the static book needs)."""
        for layer in self.all_layers():
            for combo in self._combos(layer.depends_on):
                self._draw(layer, combo)

    def frame_count(self) -> int:
        """Number of frames across all layers (what the static page has to store)."""
        return sum(len(self._combos(layer.depends_on)) for layer in self.all_layers())

    # -- assembling the widget ---------------------------------------------------
    def widget(self) -> widgets.Widget:
        """The figure as a widget: live (frames on demand) in a kernel, every frame inside for the book."""
        if self._widget is None:
            if not self.layers:
                raise ValueError("这张图还没有任何图层 (this figure has no layers yet)")
            self._widget = self._static_widget() if static_mode() else self._live_widget()
        return self._widget

    def _assemble(self, control_widgets: list[widgets.Widget], panels: list[widgets.Widget],
                  extra: Sequence[widgets.Widget] = ()) -> widgets.VBox:
        """Title, controls and panels in the book's layout (classes the browser tests look for)."""
        header = [widgets.HTML(f"<b>{html_lib.escape(self.title)}</b>")] if self.title else []
        controls_box = widgets.VBox(control_widgets)
        controls_box.add_class("mlbook-controls")
        body = widgets.HBox(panels, layout=widgets.Layout(flex_flow="row wrap", align_items="flex-start"))
        body.add_class("mlbook-figure-body")  # what the browser tests compare before/after a move
        box = widgets.VBox(header + [controls_box, *extra, body])
        box.add_class("mlbook-interactive")
        return box

    @staticmethod
    def _paint_order(layer: Layer) -> list[Layer]:
        """An image layer and its overlays, bottom first."""
        return ([o for o in layer.overlays if o.below] + [layer] + [o for o in layer.overlays if not o.below])

    @staticmethod
    def _image_cell(children: list[widgets.Widget], width: int) -> widgets.GridBox:
        """Image and overlays stacked in one grid cell, no wider than the PNG."""
        for child in children:
            child.layout.grid_area = "1 / 1 / 2 / 2"
        return widgets.GridBox(children, layout=widgets.Layout(
            grid_template_columns="100%", width="100%", max_width=f"{width}px", margin="0"))

    @staticmethod
    def _html_panel(child: widgets.Widget) -> widgets.Widget:
        child.layout = widgets.Layout(margin="0 0 0 12px", width="auto", flex="1 1 240px")
        return child

    @staticmethod
    def _png_width(png: bytes) -> int:
        import io

        from PIL import Image

        return Image.open(io.BytesIO(png)).width

    # live ---------------------------------------------------------------------
    def _live_widget(self) -> widgets.Widget:
        state = {n: c.default_index for n, c in self.controls.items()}
        leaf_layout = dict(margin="0", padding="0", width="100%", height="auto")
        views: dict[int, widgets.Widget] = {}  # id(layer) -> the widget showing its frame
        panels: list[widgets.Widget] = []
        busy_panels: list[widgets.HTML] = []
        for layer in self.layers:
            frame = self._draw(layer, self._combo(layer, state))
            if layer.kind == "image":
                views[id(layer)] = widgets.Image(value=frame, format="png", layout=widgets.Layout(**leaf_layout))
                for overlay in layer.overlays:
                    markup = self._draw(overlay, self._combo(overlay, state))
                    views[id(overlay)] = widgets.HTML(markup, layout=widgets.Layout(**leaf_layout))
                busy = widgets.HTML("", layout=widgets.Layout(**leaf_layout, align_self="center"))
                busy_panels.append(busy)
                cells = [views[id(lay)] for lay in self._paint_order(layer)] + [busy]
                panels.append(self._image_cell(cells, self._png_width(frame)))
            else:
                views[id(layer)] = self._html_panel(widgets.HTML(frame))
                panels.append(views[id(layer)])
        slow = max(layer.seconds for layer in self.all_layers()) > SLOW_FRAME_SECONDS
        control_widgets = {n: c.make_widget(continuous_update=not slow) for n, c in self.controls.items()}
        status = widgets.HTML("", layout=widgets.Layout(display="none"))  # a line only while it has news
        status.add_class("mlbook-status")

        def show(message: str, hide_pictures: bool) -> None:
            status.value = message
            status.layout.display = "" if message else "none"
            for lay in self.all_layers():
                if lay.kind != "html":
                    views[id(lay)].layout.visibility = "hidden" if hide_pictures else "visible"
            for busy in busy_panels:
                busy.value = (f"<div style='text-align:center;font-size:15px;color:#555'>{message}</div>"
                              if hide_pictures else "")

        def update(change: dict[str, Any]) -> None:
            name = next(n for n, w in control_widgets.items() if w is change["owner"])
            state[name] = change["new"]
            todo = [lay for lay in self.all_layers() if name in lay.depends_on]
            missing = [lay for lay in todo if self._combo(lay, state) not in lay.frames]
            label = self.controls[name].labels[state[name]]
            busy = f"⏳ 计算中…（{html_lib.escape(self.controls[name].label)} = {html_lib.escape(label)}）"
            said = []

            def say_busy() -> None:
                said.append(True)
                show(busy, True)

            # Known to be slow: say so at once. Otherwise say so if it turns out slow.
            timer = None
            if any(lay.seconds > SLOW_FRAME_SECONDS for lay in missing):
                say_busy()
            elif missing:
                timer = threading.Timer(SLOW_FRAME_SECONDS, say_busy)
                timer.daemon = True
                timer.start()
            try:
                # Draw everything first, then show it all at once: image and overlays stay aligned.
                frames = [self._draw(lay, self._combo(lay, state)) for lay in todo]
            except Exception as error:  # shown to the reader, not lost in the kernel log
                show(f"<span style='color:#D55E00'>这一帧画不出来 (this frame failed): "
                     f"{html_lib.escape(str(error))}</span>", True)
                return
            finally:
                if timer is not None:
                    timer.cancel()
                    timer.join()
            for lay, frame in zip(todo, frames):
                views[id(lay)].value = frame
            if said:
                show("", False)

        for w in control_widgets.values():
            w.observe(update, names="index")
        box = self._assemble(list(control_widgets.values()), panels, extra=[status])
        box._mlbook_update = update  # noqa: SLF001  (kept alive with the widget)
        return box

    # static -------------------------------------------------------------------
    def _static_widget(self) -> widgets.Widget:
        self.render_all()
        control_widgets = {n: c.make_widget() for n, c in self.controls.items()}
        links: list = []
        # Thousands of leaves share one Layout and one style model: a lighter page.
        leaf_layout = widgets.Layout(margin="0", padding="0", width="100%", height="auto")
        html_style = widgets.HTML().style  # (HTMLStyle is not exported by ipywidgets)

        def html_leaf(markup: str) -> widgets.Widget:
            return widgets.HTML(markup, layout=leaf_layout, style=html_style)

        def image_leaf(png: bytes) -> widgets.Widget:
            return widgets.Image(value=png, format="png", layout=leaf_layout)

        panels: list[widgets.Widget] = []
        for layer in self.layers:
            if layer.kind == "image":
                cells = [self._stack(lay, image_leaf if lay is layer else html_leaf, control_widgets, links)
                         for lay in self._paint_order(layer)]
                panels.append(self._image_cell(cells, self._png_width(next(iter(layer.frames.values())))))
            else:
                panels.append(self._html_panel(self._stack(layer, html_leaf, control_widgets, links)))
        box = self._assemble(list(control_widgets.values()), panels)
        box._mlbook_links = links  # noqa: SLF001  (keep the links alive with the widget)
        return box

    def _stack(self, layer: Layer, make_leaf: Callable[[Any], widgets.Widget],
               control_widgets: dict[str, widgets.Widget], links: list) -> widgets.Widget:
        """Nested Stacks over the layer's controls, each jslink-ed to its control's index."""
        # Controls with few values go outermost: fewer Stack widgets in total.
        order = sorted(layer.depends_on, key=lambda d: len(self.controls[d].values))
        no_margin = widgets.Layout(margin="0", padding="0", width="100%")
        # Identical frames share one leaf widget: only one frame of a layer shows at a time.
        leaves: dict[Any, widgets.Widget] = {}

        def build(level: int, chosen: dict[str, int]) -> widgets.Widget:
            if level == len(order):
                frame = layer.frames[tuple(chosen[d] for d in layer.depends_on)]
                if frame not in leaves:
                    leaves[frame] = make_leaf(frame)
                return leaves[frame]
            name = order[level]
            control = self.controls[name]
            children = [build(level + 1, {**chosen, name: i}) for i in range(len(control.values))]
            stack = widgets.Stack(children=children, selected_index=control.default_index, layout=no_margin)
            links.append(widgets.jslink((control_widgets[name], "index"), (stack, "selected_index")))
            return stack

        return build(0, {})

    def _repr_mimebundle_(self, **kwargs: Any) -> Any:
        return self.widget()._repr_mimebundle_(**kwargs)


# -- the page's weight -----------------------------------------------------------------------------------
#: Bytes of one widget model in the page besides its value (an HTML or Image leaf), of one Stack
#: with its jslink, and of the controls and boxes around them: measured in the built page, whose
#: widget state keeps every attribute (also those at their default values).
LEAF_OVERHEAD, STACK_OVERHEAD, FIXED_OVERHEAD = 603, 1212, 40000


def estimate_static_bytes(fig: "InteractiveFigure") -> int:
    """About how many bytes (chapter 5 introduced this estimate) the static page spends on ``fig`` (frames as the page stores them).

    Every frame of a layer is assumed to weigh what its frames drawn so far (at least the
    default one) weigh on average
    (JSON-escaped, as myst-nb writes the widget state); the nested Stacks that switch frames
    are counted exactly. Frames that happen to be equal share one widget in the page, so
    this errs on the heavy side.
    """
    import json
    import math as _math

    if not isinstance(fig, InteractiveFigure):
        raise ValueError(f"fig 必须是 InteractiveFigure (fig must be an InteractiveFigure), got {type(fig).__name__}")
    total = FIXED_OVERHEAD
    for layer in fig.all_layers():
        sizes = sorted(len(fig.controls[d].values) for d in layer.depends_on)
        frames = _math.prod(sizes)
        stacks = sum(_math.prod(sizes[:i]) for i in range(len(sizes)))  # outer controls first
        if not layer.frames:
            fig.frame(layer)  # the default frame, at least
        drawn = list(layer.frames.values())
        if layer.kind == "image":
            import base64

            mean = sum(len(base64.b64encode(f)) for f in drawn) / len(drawn)
        else:
            mean = sum(len(json.dumps(f)) for f in drawn) / len(drawn)
        total += int(frames * (mean + LEAF_OVERHEAD) + stacks * STACK_OVERHEAD)
    return total
