"""Interactive figures that respond with or without a running kernel.

An interactive figure is declared once: its controls (each with a short list
of values) and its layers (each a function of some of those controls). Every
layer is rendered for every combination of the controls it depends on, and
the results are put in nested ``ipywidgets.Stack`` widgets whose
``selected_index`` is ``jslink``-ed to the controls' ``index``. Switching
frames therefore happens in the browser alone, which is why the same figure
works in JupyterLab and in the static HTML book (where no kernel exists), and
why a slider move redraws instantly.

Three kinds of layer:

* ``image``: a matplotlib figure (drawn once per combination, stored as PNG);
* ``svg_overlay``: vector marks (points, lines, circles, text) drawn in the
  *data coordinates* of an image layer's axes and laid exactly over it. Marks
  are cheap, so an overlay can depend on many more combinations than an image;
* ``html``: a side panel (a table, a readout, a message).

Example (chapter 2)::

    fig = InteractiveFigure([Control("k", "K", range(1, 26), default=5)])
    base = fig.image(lambda k: draw_regions(k), depends_on=["k"])
    fig.svg_overlay(base, lambda canvas, k: canvas.circle(0, 0, 1), depends_on=["k"])
    fig.html(lambda k: f"<b>K = {k}</b>", depends_on=["k"])
    fig  # displays the widget
"""

from __future__ import annotations

import html as html_lib
import itertools
import uuid
from dataclasses import dataclass, field
from typing import Any, Callable, Iterable, Literal, Sequence

import ipywidgets as widgets
import numpy as np

from .plotting import fig_to_png

ControlKind = Literal["slider", "toggle", "dropdown"]
MAX_FRAMES_PER_LAYER = 5000


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
        return next(i for i, v in enumerate(self.values) if _same(self.default, v))

    def make_widget(self) -> widgets.Widget:
        """The ipywidget for this control; its ``index`` drives the stacks."""
        options = list(zip(self.labels, range(len(self.labels))))
        style = {"description_width": "initial"}
        common = dict(options=options, index=self.default_index, description=self.label, style=style)
        if self.kind == "slider":
            return widgets.SelectionSlider(
                continuous_update=True, layout=widgets.Layout(width="min(100%, 520px)"), **common
            )
        if self.kind == "toggle":
            return widgets.ToggleButtons(**common)
        return widgets.Dropdown(**common)


def _same(a: Any, b: Any) -> bool:
    try:
        return bool(a == b)
    except (ValueError, TypeError):  # numpy arrays compare element-wise
        return a is b


class AxesMap:
    """Maps data coordinates of one matplotlib Axes to pixels of the saved PNG."""

    def __init__(self, ax: Any, height_px: float) -> None:
        self._transform = ax.transData.frozen()
        self._height = height_px
        bbox = ax.get_window_extent()
        # The axes box in PNG pixels (y down): marks are clipped to it.
        self.clip = (bbox.x0, height_px - bbox.y1, bbox.width, bbox.height)

    def __call__(self, x: Any, y: Any) -> tuple[np.ndarray, np.ndarray]:
        points = np.column_stack([np.ravel(np.asarray(x, float)), np.ravel(np.asarray(y, float))])
        pixels = self._transform.transform(points)
        return pixels[:, 0], self._height - pixels[:, 1]


def _num(v: float) -> str:
    """Compact pixel coordinate: one decimal, trailing zeros dropped."""
    return f"{v:.1f}".rstrip("0").rstrip(".")


class SvgCanvas:
    """Vector marks in data coordinates, laid over one frame of an image layer.

    Coordinates are data coordinates of the current axes (``use_axes``); sizes and
    widths are in pixels of the PNG below. Marks that may leave the axes (lines,
    polygons, ellipses, rectangles) are clipped to the axes box.
    """

    def __init__(self, width_px: int, height_px: int, axes_maps: list[AxesMap]) -> None:
        self.width = width_px
        self.height = height_px
        self._maps = axes_maps
        self._ax = 0
        self._items: list[str] = []
        self._clipped: set[int] = set()

    def use_axes(self, index: int) -> "SvgCanvas":
        """Draw the following marks in the data coordinates of axes ``index`` of the figure."""
        if not 0 <= index < len(self._maps):
            raise IndexError(f"没有第 {index} 个坐标轴 (no axes number {index})")
        self._ax = index
        return self

    def _xy(self, x: Any, y: Any) -> tuple[np.ndarray, np.ndarray]:
        return self._maps[self._ax](x, y)

    def _clip(self) -> str:
        self._clipped.add(self._ax)
        return f' clip-path="url(#{{clip{self._ax}}})"'

    @staticmethod
    def _stroke(color: str, width: float, dash: str | None, opacity: float = 1.0) -> str:
        out = f' stroke="{color}" stroke-width="{_num(width)}"'
        if dash:
            out += f' stroke-dasharray="{dash}"'
        if opacity != 1.0:
            out += f' stroke-opacity="{opacity}"'
        return out

    @staticmethod
    def _fill(fill: str, opacity: float = 1.0) -> str:
        return f' fill="{fill}"' + (f' fill-opacity="{opacity}"' if opacity != 1.0 and fill != "none" else "")

    def _points_attr(self, xs: Sequence[float], ys: Sequence[float]) -> str:
        px, py = self._xy(xs, ys)
        return " ".join(f"{_num(a)},{_num(b)}" for a, b in zip(px, py))

    def line(self, xs: Sequence[float], ys: Sequence[float], color: str = "black",
             width: float = 1.5, dash: str | None = None, opacity: float = 1.0) -> None:
        """A polyline through the points (xs, ys)."""
        self._items.append(f'<polyline points="{self._points_attr(xs, ys)}" fill="none"'
                           f"{self._stroke(color, width, dash, opacity)}{self._clip()}/>")

    def polygon(self, xs: Sequence[float], ys: Sequence[float], color: str = "black",
                fill: str = "none", width: float = 1.5, dash: str | None = None,
                fill_opacity: float = 0.2) -> None:
        """A closed polygon through the points (xs, ys)."""
        self._items.append(f'<polygon points="{self._points_attr(xs, ys)}"{self._fill(fill, fill_opacity)}'
                           f"{self._stroke(color, width, dash)}{self._clip()}/>")

    def ellipse(self, x: float, y: float, rx: float, ry: float, color: str = "black",
                fill: str = "none", width: float = 1.5, dash: str | None = None,
                fill_opacity: float = 0.2) -> None:
        """An axis-aligned ellipse centred at (x, y) with radii rx, ry in data units (a circle if equal aspect)."""
        px, py = self._xy([x, x + rx, x], [y, y, y + ry])
        rpx, rpy = abs(px[1] - px[0]), abs(py[2] - py[0])
        self._items.append(
            f'<ellipse cx="{_num(px[0])}" cy="{_num(py[0])}" rx="{_num(rpx)}" ry="{_num(rpy)}"'
            f"{self._fill(fill, fill_opacity)}{self._stroke(color, width, dash)}{self._clip()}/>"
        )

    def rect(self, x0: float, y0: float, x1: float, y1: float, fill: str = "black",
             color: str = "none", width: float = 1.0, opacity: float = 1.0) -> None:
        """A filled rectangle between corners (x0, y0) and (x1, y1) in data units (e.g. a bar)."""
        px, py = self._xy([x0, x1], [y0, y1])
        stroke = self._stroke(color, width, None) if color != "none" else ""
        self._items.append(
            f'<rect x="{_num(min(px))}" y="{_num(min(py))}" width="{_num(abs(px[1] - px[0]))}"'
            f' height="{_num(abs(py[1] - py[0]))}"{self._fill(fill, opacity)}{stroke}{self._clip()}/>'
        )

    def segments(self, x0: Sequence[float], y0: Sequence[float], x1: Sequence[float],
                 y1: Sequence[float], color: str = "black", width: float = 1.0,
                 dash: str | None = None) -> None:
        """Independent segments from (x0[i], y0[i]) to (x1[i], y1[i])."""
        ax0, ay0 = self._xy(x0, y0)
        ax1, ay1 = self._xy(x1, y1)
        path = "".join(f"M{_num(a)},{_num(b)}L{_num(c)},{_num(d)}" for a, b, c, d in zip(ax0, ay0, ax1, ay1))
        self._items.append(f'<path d="{path}"{self._stroke(color, width, dash)}{self._clip()}/>')

    def points(self, xs: Sequence[float], ys: Sequence[float], color: str = "black",
               size: float = 5, shape: str = "o", fill: str | None = None, width: float = 1.5) -> None:
        """Markers at (xs, ys): shape 'o' (circle), 's' (square), '*' (star) or 'x'; size is a radius in px."""
        if shape not in ("o", "s", "*", "x"):
            raise ValueError(f"未知的标记形状 (unknown marker shape): {shape!r}")
        px, py = self._xy(xs, ys)
        style = f"{self._fill(color if fill is None else fill)}{self._stroke(color, width, None)}"
        marks = []
        for a, b in zip(px, py):
            if shape == "o":
                marks.append(f'<circle cx="{_num(a)}" cy="{_num(b)}" r="{_num(size)}"/>')
            elif shape == "s":
                marks.append(f'<rect x="{_num(a - size)}" y="{_num(b - size)}" width="{_num(2 * size)}"'
                             f' height="{_num(2 * size)}"/>')
            elif shape == "*":
                angles = np.pi / 2 + np.arange(10) * np.pi / 5
                radii = np.where(np.arange(10) % 2 == 0, size, size * 0.45)
                pts = " ".join(f"{_num(a + r * np.cos(t))},{_num(b - r * np.sin(t))}"
                               for r, t in zip(radii, angles))
                marks.append(f'<polygon points="{pts}"/>')
            else:
                marks.append(f'<path d="M{_num(a - size)},{_num(b - size)}l{_num(2 * size)},{_num(2 * size)}'
                             f'm0,{_num(-2 * size)}l{_num(-2 * size)},{_num(2 * size)}"/>')
        self._items.append(f"<g{style}>{''.join(marks)}</g>")

    def text(self, x: float, y: float, s: str, color: str = "black", size: float = 13,
             anchor: str = "middle", dx: float = 0, dy: float = 0, weight: str = "normal") -> None:
        """Text at data point (x, y), shifted by (dx, dy) pixels, with a white halo for legibility."""
        px, py = self._xy([x], [y])
        bold = ' font-weight="bold"' if weight == "bold" else ""
        self._items.append(
            f'<text x="{_num(px[0] + dx)}" y="{_num(py[0] + dy)}" fill="{color}" font-size="{_num(size)}"'
            f'{bold} text-anchor="{anchor}" paint-order="stroke" stroke="#fff" stroke-width="3">'
            f"{html_lib.escape(s)}</text>"
        )

    def to_svg(self, uid: str) -> str:
        """The overlay as an SVG element that scales with the image below it."""
        defs = "".join(
            f'<clipPath id="{uid}c{i}"><rect x="{_num(m.clip[0])}" y="{_num(m.clip[1])}"'
            f' width="{_num(m.clip[2])}" height="{_num(m.clip[3])}"/></clipPath>'
            for i, m in enumerate(self._maps) if i in self._clipped
        )
        body = "".join(self._items)
        for i in self._clipped:
            body = body.replace(f"{{clip{i}}}", f"{uid}c{i}")
        return (
            f'<svg viewBox="0 0 {self.width} {self.height}" style="display:block;width:100%;height:auto;'
            f'pointer-events:none" font-family="Noto Sans SC, sans-serif" xmlns="http://www.w3.org/2000/svg">'
            f"{'<defs>' + defs + '</defs>' if defs else ''}{body}</svg>"
        )


@dataclass
class _Layer:
    kind: Literal["image", "svg", "html"]
    render: Callable[..., Any]
    depends_on: tuple[str, ...]
    base: "_Layer | None" = None
    frames: dict[tuple, Any] = field(default_factory=dict)
    canvases: dict[tuple, tuple[int, int, list[AxesMap]]] = field(default_factory=dict)
    overlays: list["_Layer"] = field(default_factory=list)


class InteractiveFigure:
    """A figure whose controls switch between precomputed frames in the browser."""

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
        self._layers: list[_Layer] = []
        self._widget: widgets.Widget | None = None
        # Unique across notebooks open side by side in JupyterLab (one DOM for all of them).
        self._uid = f"mlb{uuid.uuid4().hex[:8]}"

    # -- declaring layers -------------------------------------------------
    def _deps(self, depends_on: Iterable[str]) -> tuple[str, ...]:
        deps = tuple(depends_on)
        unknown = [d for d in deps if d not in self.controls]
        if unknown:
            raise ValueError(
                f"未知的控件 (unknown controls): {unknown}；可用的有 (available): {list(self.controls)}"
            )
        frames = int(np.prod([len(self.controls[d].values) for d in deps])) if deps else 1
        if frames > MAX_FRAMES_PER_LAYER:
            raise ValueError(
                f"这一层需要 {frames} 帧，太多了 (this layer needs {frames} frames, more than "
                f"{MAX_FRAMES_PER_LAYER}); 请减少控件的取值 (use fewer control values)"
            )
        return deps

    def image(self, render: Callable[..., Any], depends_on: Iterable[str] = ()) -> _Layer:
        """Add a matplotlib layer; ``render(**params)`` returns a Figure (or PNG bytes)."""
        layer = _Layer("image", render, self._deps(depends_on))
        self._layers.append(layer)
        self._widget = None
        return layer

    def svg_overlay(self, base: _Layer, draw: Callable[..., None],
                    depends_on: Iterable[str] = ()) -> _Layer:
        """Lay vector marks over ``base``; ``draw(canvas, **params)`` adds them in data coordinates."""
        if base.kind != "image" or base not in self._layers:
            raise ValueError("叠加层必须放在本图的图像层上 (an overlay needs an image layer of this figure)")
        deps = self._deps(depends_on)
        missing = [d for d in base.depends_on if d not in deps]
        if missing:
            raise ValueError(
                f"叠加层也必须依赖底图的控件 (the overlay must also depend on the base's controls): {missing}"
            )
        layer = _Layer("svg", draw, deps, base=base)
        base.overlays.append(layer)
        self._widget = None
        return layer

    def html(self, render: Callable[..., str], depends_on: Iterable[str] = ()) -> _Layer:
        """Add a side panel; ``render(**params)`` returns an HTML string."""
        layer = _Layer("html", render, self._deps(depends_on))
        self._layers.append(layer)
        self._widget = None
        return layer

    # -- rendering ----------------------------------------------------------
    def _combos(self, deps: tuple[str, ...]) -> list[tuple]:
        return list(itertools.product(*(range(len(self.controls[d].values)) for d in deps)))

    def _params(self, deps: tuple[str, ...], combo: tuple) -> dict[str, Any]:
        return {d: self.controls[d].values[i] for d, i in zip(deps, combo)}

    def _render_image(self, layer: _Layer) -> None:
        import matplotlib.figure
        import matplotlib.pyplot as plt

        for combo in self._combos(layer.depends_on):
            out = layer.render(**self._params(layer.depends_on, combo))
            if isinstance(out, matplotlib.figure.Figure):
                # Save first: the transforms read below are those of the saved drawing.
                png = fig_to_png(out, close=False, colors=self.png_colors)
                if layer.overlays:
                    width, height = out.canvas.get_width_height()
                    layer.canvases[combo] = (width, height, [AxesMap(ax, height) for ax in out.axes])
                plt.close(out)
                layer.frames[combo] = png
            elif isinstance(out, (bytes, bytearray)):
                if layer.overlays:
                    raise TypeError("带叠加层的图像层必须返回 Figure (a base layer must return a Figure)")
                layer.frames[combo] = bytes(out)
            else:
                raise TypeError(
                    f"图像层必须返回 matplotlib Figure 或 PNG 字节 (an image layer must return a Figure "
                    f"or PNG bytes), got {type(out).__name__}"
                )

    def _render_svg(self, layer: _Layer) -> None:
        assert layer.base is not None
        base_deps = layer.base.depends_on
        # One clip-path id per layer: a layer shows one frame at a time, and equal ids let
        # identical frames be shared.
        uid = f"{self._uid}-{self._layers.index(layer.base)}-{layer.base.overlays.index(layer)}"
        for combo in self._combos(layer.depends_on):
            params = self._params(layer.depends_on, combo)
            base_combo = tuple(combo[layer.depends_on.index(d)] for d in base_deps)
            width, height, maps = layer.base.canvases[base_combo]
            canvas = SvgCanvas(width, height, maps)
            layer.render(canvas, **params)
            layer.frames[combo] = canvas.to_svg(uid)

    def _render_html(self, layer: _Layer) -> None:
        for combo in self._combos(layer.depends_on):
            out = layer.render(**self._params(layer.depends_on, combo))
            if not isinstance(out, str):
                raise TypeError(f"HTML 层必须返回字符串 (an html layer must return a str), got {type(out).__name__}")
            layer.frames[combo] = out

    # -- assembling widgets ---------------------------------------------------
    def _stack(self, layer: _Layer, make_leaf: Callable[[Any], widgets.Widget],
               control_widgets: dict[str, widgets.Widget], links: list) -> widgets.Widget:
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

    def widget(self) -> widgets.Widget:
        """Render every frame (once) and return the assembled widget."""
        if self._widget is not None:
            return self._widget
        if not self._layers:
            raise ValueError("这张图还没有任何图层 (this figure has no layers yet)")
        for layer in self._layers:
            if layer.kind == "image":
                self._render_image(layer)
                for overlay in layer.overlays:
                    self._render_svg(overlay)
            else:
                self._render_html(layer)

        control_widgets = {name: c.make_widget() for name, c in self.controls.items()}
        links: list = []
        # Thousands of leaves share one Layout and one style model: a lighter page.
        leaf_layout = widgets.Layout(margin="0", padding="0", width="100%", height="auto")
        html_style = widgets.HTML().style  # (HTMLStyle is not exported by ipywidgets)

        def html_leaf(markup: str) -> widgets.Widget:
            return widgets.HTML(markup, layout=leaf_layout, style=html_style)

        panels: list[widgets.Widget] = []
        for layer in self._layers:
            if layer.kind == "image":
                def image_leaf(png: bytes) -> widgets.Widget:
                    return widgets.Image(value=png, format="png", layout=leaf_layout)

                cells = [self._stack(layer, image_leaf, control_widgets, links)]
                for overlay in layer.overlays:
                    cells.append(self._stack(overlay, html_leaf, control_widgets, links))
                for cell in cells:
                    cell.layout.grid_area = "1 / 1 / 2 / 2"
                width = self._image_width(layer)
                panels.append(widgets.GridBox(
                    cells,
                    layout=widgets.Layout(grid_template_columns="100%", width="100%",
                                          max_width=f"{width}px", margin="0"),
                ))
            else:
                panels.append(self._stack(layer, html_leaf, control_widgets, links))
                panels[-1].layout = widgets.Layout(margin="0 0 0 12px", width="auto", flex="1 1 240px")

        header = [widgets.HTML(f"<b>{html_lib.escape(self.title)}</b>")] if self.title else []
        controls_box = widgets.VBox(list(control_widgets.values()))
        body = widgets.HBox(panels, layout=widgets.Layout(flex_flow="row wrap", align_items="flex-start"))
        controls_box.add_class("mlbook-controls")
        body.add_class("mlbook-figure-body")  # what the browser tests compare before/after a move
        box = widgets.VBox(header + [controls_box, body])
        box.add_class("mlbook-interactive")
        box._mlbook_links = links  # keep the links alive with the widget
        self._widget = box
        return box

    def _image_width(self, layer: _Layer) -> int:
        from PIL import Image
        import io

        first = next(iter(layer.frames.values()))
        return Image.open(io.BytesIO(first)).width

    def frame_count(self) -> int:
        """Number of frames across all layers (what the page has to store)."""
        total = 0
        for layer in self._layers:
            total += len(self._combos(layer.depends_on))
            total += sum(len(self._combos(o.depends_on)) for o in layer.overlays)
        return total

    def _repr_mimebundle_(self, **kwargs: Any) -> Any:
        return self.widget()._repr_mimebundle_(**kwargs)
