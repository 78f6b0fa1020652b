"""InteractiveFigure: frames on demand in a kernel, every frame in linked stacks for the book, clear errors."""

import io
import time

import ipywidgets as widgets
import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pytest  # noqa: E402
from PIL import Image  # noqa: E402

from helpers.interactive import (STATIC_ENV, AxesMap, Control, InteractiveFigure, SvgCanvas,  # noqa: E402
                                 static_mode)
from helpers.plotting import use_book_style  # noqa: E402


@pytest.fixture
def static(monkeypatch):
    """Build widgets as the book build does: every frame drawn in advance."""
    monkeypatch.setenv(STATIC_ENV, "1")
    assert static_mode()


@pytest.fixture
def live(monkeypatch):
    monkeypatch.delenv(STATIC_ENV, raising=False)
    assert not static_mode()


def _controls(box):
    return box.children[0].children  # no title: controls first


def _body(box):
    return box.children[-1]


def _html_figure(calls=None):
    fig = InteractiveFigure([
        Control("k", "K", range(1, 6), default=3),
        Control("m", "模式", [("甲", "a"), ("乙", "b")], kind="toggle"),
    ])

    def panel(k, m, m_index):
        if calls is not None:
            calls.append((k, m))
        return f"k={k};m={m};i={m_index}"

    return fig, fig.html(panel)


def _axes_figure(k):
    fig, ax = plt.subplots(figsize=(3, 2), layout="none")
    ax.set_xlim(0, 5)
    ax.set_ylim(0, 5)
    ax.set_title(f"k = {k}")
    return fig


# -- declaring: dependencies come from the callbacks' parameter names -------------------
def test_dependencies_and_indices_are_read_from_parameter_names():
    fig, panel = _html_figure()
    assert panel.depends_on == ("k", "m")
    assert fig.frame(panel) == "k=3;m=a;i=0"
    assert fig.frame(panel, k=5, m="b") == "k=5;m=b;i=1"
    only_index = fig.html(lambda k_index: f"#{k_index}")
    assert only_index.depends_on == ("k",) and fig.frame(only_index, k=1) == "#0"
    constant = fig.html(lambda: "常量")
    assert constant.depends_on == () and fig.frame_count() == 10 + 5 + 1


def test_overlay_follows_its_base_controls():
    use_book_style()
    fig = InteractiveFigure([Control("k", "K", [1, 2]), Control("x", "位置", [1.0, 2.0, 3.0])])
    base = fig.image(_axes_figure)
    mark = fig.overlay(base, lambda canvas, x: canvas.points([x], [1.0]))
    assert base.depends_on == ("k",) and mark.depends_on == ("k", "x")
    assert fig.frame_count() == 2 + 6
    assert fig.frame(mark, k=1, x=2.0) != fig.frame(mark, k=1, x=3.0)


@pytest.mark.parametrize("make, message", [
    (lambda: Control("k", "K", []), "没有可选值"),
    (lambda: Control("k", "K", [1, 2], default=5), "不在选项中"),
    (lambda: Control("k", "K", [1, 2], kind="knob"), "未知的控件类型"),
    (lambda: Control("k_index", "K", [1, 2]), "标识符"),
    (lambda: Control("a b", "K", [1, 2]), "标识符"),
    (lambda: InteractiveFigure([]), "至少需要一个控件"),
    (lambda: InteractiveFigure([Control("k", "K", [1]), Control("k", "K2", [2])]), "控件名称重复"),
    (lambda: InteractiveFigure([Control("k", "K", [1])]).html(lambda q: ""), "不对应任何控件"),
    (lambda: InteractiveFigure([Control("k", "K", [1])]).html(lambda *k: ""), "具名参数"),
    (lambda: InteractiveFigure([Control("k", "K", [1])]).widget(), "没有任何图层"),
    (lambda: InteractiveFigure([Control("k", "K", [1])]).frame(None, q=1), "未知的控件"),
    (lambda: InteractiveFigure([Control("k", "K", [1, 2])]).overlay(None, lambda c: None), "图像层"),
    (lambda: InteractiveFigure([Control("a", "A", range(100)), Control("b", "B", range(100))])
     .html(lambda a, b: ""), "帧"),
])
def test_bad_declarations_get_bilingual_errors(make, message):
    with pytest.raises(ValueError, match=message) as info:
        make()
    assert any(ch.isascii() and ch.isalpha() for ch in str(info.value)), "English part missing"


def test_a_frame_that_fails_names_its_layer_and_control_values():
    fig = InteractiveFigure([Control("k", "K", [1, 2])])
    layer = fig.html(lambda k: 1 / (k - 2) and "ok")
    with pytest.raises(ZeroDivisionError, match=r"html.*\{'k': 2\}"):
        fig.frame(layer, k=2)
    wrong = fig.html(lambda k: 42)
    with pytest.raises(TypeError, match="HTML"):
        fig.frame(wrong)


def test_failing_image_and_overlay_frames_name_their_layer_and_control_values():
    fig = InteractiveFigure([Control("k", "K", [1, 2, 3])])

    def draw_broken(k):
        if k == 3:
            raise RuntimeError("boom")
        return _axes_figure(k)

    image = fig.image(draw_broken)
    with pytest.raises(RuntimeError, match=r"image layer draw_broken failed at \{'k': 3\}\): boom"):
        fig.frame(image, k=3)
    base = fig.image(_axes_figure)
    overlay = fig.overlay(base, lambda canvas, k: canvas.points([np.nan if k == 2 else k], [1]))
    assert "<" in fig.frame(overlay, k=1)
    with pytest.raises(ValueError, match=r"overlay layer .*\{'k': 2\}.*NaN") as info:
        fig.frame(overlay, k=2)
    assert "坐标里有 NaN" in str(info.value)
    plt.close("all")


def test_value_not_among_the_options_is_refused():
    fig, panel = _html_figure()
    with pytest.raises(ValueError, match="不是控件"):
        fig.frame(panel, k=9)


# -- live: the default frame at once, the others on demand, cached -------------------
def test_live_widget_draws_only_the_default_frame_then_each_new_one_once(live):
    calls = []
    fig, _ = _html_figure(calls)
    box = fig.widget()
    assert calls == [(3, "a")]
    k_slider, m_toggle = _controls(box)
    assert isinstance(k_slider, widgets.SelectionSlider) and k_slider.index == 2
    assert isinstance(m_toggle, widgets.ToggleButtons) and [o[0] for o in m_toggle.options] == ["甲", "乙"]
    panel = _body(box).children[0]
    assert panel.value == "k=3;m=a;i=0"
    k_slider.index = 4
    assert panel.value == "k=5;m=a;i=0"
    m_toggle.index = 1
    assert panel.value == "k=5;m=b;i=1"
    k_slider.index = 2
    m_toggle.index = 0
    assert panel.value == "k=3;m=a;i=0"
    assert calls == [(3, "a"), (5, "a"), (5, "b"), (3, "b")]  # (3, a) came from the cache


def test_live_image_and_overlay_move_together(live):
    use_book_style()
    fig = InteractiveFigure([Control("k", "K", [1, 2]), Control("x", "位置", [1.0, 2.0, 3.0])])
    base = fig.image(_axes_figure)
    fig.overlay(base, lambda canvas, x: canvas.points([x], [1.0]))
    box = fig.widget()
    grid = _body(box).children[0]
    image, overlay, busy = grid.children
    assert isinstance(image, widgets.Image) and image.value[:4] == b"\x89PNG"
    assert all(c.layout.grid_area == "1 / 1 / 2 / 2" for c in grid.children)
    k_slider, x_slider = _controls(box)
    png, svg = image.value, overlay.value
    x_slider.index = 2
    assert image.value == png and overlay.value != svg
    k_slider.index = 1
    assert image.value != png
    assert "mlbook-interactive" in box._dom_classes


def test_live_slow_frame_says_it_is_computing_and_hides_the_stale_picture(live):
    use_book_style()

    def slow(k):
        time.sleep(0.3)
        return _axes_figure(k)

    fig = InteractiveFigure([Control("k", "K", [1, 2, 3])])
    fig.image(slow)
    box = fig.widget()
    k_slider = _controls(box)[0]
    assert k_slider.continuous_update is False  # a slow figure redraws when the slider is released
    image, busy = _body(box).children[0].children
    seen = []
    busy.observe(lambda change: seen.append((change["new"], image.layout.visibility)), names="value")
    k_slider.index = 1
    assert "计算中" in seen[0][0] and seen[0][1] == "hidden"
    assert seen[-1] == ("", "visible")
    seen.clear()
    k_slider.index = 0  # cached: no message
    assert seen == []


def test_live_frame_error_is_shown_to_the_reader(live):
    fig = InteractiveFigure([Control("k", "K", [1, 2])])
    fig.html(lambda k: "好" if k == 1 else None)
    box = fig.widget()
    _controls(box)[0].index = 1
    status = box.children[1]
    assert "画不出来" in status.value and "HTML" in status.value


# -- static (the book): every frame behind stacks jslink-ed to the controls --------------
def _descend(widget, links, choice):
    """Follow nested Stacks the way the browser does: each Stack shows child[index of its control]."""
    follows = {id(link.target[0]): link.source[0].description for link in links}
    while isinstance(widget, widgets.Stack):
        widget = widget.children[choice[follows[id(widget)]]]
    return widget


def test_static_widget_reaches_every_frame_through_linked_stacks(static):
    fig, _ = _html_figure()
    box = fig.widget()
    links = box._mlbook_links
    assert all(link.source[1] == "index" and link.target[1] == "selected_index" for link in links)
    root = _body(box).children[0]
    for k_index, k in enumerate(range(1, 6)):
        for m_index, m in enumerate("ab"):
            leaf = _descend(root, links, {"K": k_index, "模式": m_index})
            assert leaf.value == f"k={k};m={m};i={m_index}"
    assert len(links) == 1 + 2  # one stack for m (outer), two for k (inner)


def test_static_identical_frames_share_one_leaf_widget(static):
    fig = InteractiveFigure([Control("k", "K", range(6))])
    fig.html(lambda k: "偶数" if k % 2 == 0 else "奇数")
    stack = _body(fig.widget()).children[0]
    assert len(stack.children) == 6
    assert len({c.model_id for c in stack.children}) == 2
    assert [c.value for c in stack.children] == ["偶数", "奇数"] * 3


def test_static_paint_order_puts_below_overlays_under_the_image(static):
    use_book_style()

    def transparent_axes():
        fig, ax = plt.subplots(figsize=(3, 2), layout="none")
        fig.patch.set_alpha(0)
        ax.set_facecolor("none")
        ax.set_xlim(0, 4)
        ax.set_ylim(0, 4)
        return fig

    fig = InteractiveFigure([Control("k", "K", [1, 2])])
    base = fig.image(transparent_axes)
    fig.overlay(base, lambda canvas, k: canvas.raster(np.full((4, 4), k - 1), (0, 4, 0, 4), ["#ff0000", "#00ff00"]),
                below=True)
    fig.overlay(base, lambda canvas, k: canvas.note(0.5, 0.5, f"K={k}"))
    under, image, over = _body(fig.widget()).children[0].children
    assert isinstance(image, widgets.Image)
    assert all("<image" in c.value for c in under.children)
    assert all("K=" in c.value for c in over.children)
    png = Image.open(io.BytesIO(image.value)).convert("RGBA")
    alpha = np.asarray(png)[:, :, 3]
    assert (alpha == 0).mean() > 0.5  # the axes are see-through
    assert all(c.value.count('fill="#fff"') == 1 for c in under.children)  # white under it all


# -- the overlay canvas -------------------------------------------------------------------
def _mapped_axes():
    use_book_style()
    fig, ax = plt.subplots(figsize=(4, 3), layout="none")
    fig.subplots_adjust(left=0.2, right=0.9, bottom=0.2, top=0.85)
    ax.set_xlim(0, 10)
    ax.set_ylim(-5, 5)
    ax.plot([7.0], [2.0], "o", color="#ff0000", ms=6)
    buffer = io.BytesIO()
    fig.savefig(buffer, format="png")
    width, height = fig.canvas.get_width_height()
    mapping = AxesMap(ax, height)
    plt.close(fig)
    return buffer, width, height, mapping


def test_overlay_maps_data_coordinates_onto_the_png_pixels():
    buffer, width, height, mapping = _mapped_axes()
    image = np.asarray(Image.open(buffer).convert("RGB")).astype(int)
    red = (image[:, :, 0] > 200) & (image[:, :, 1] < 60) & (image[:, :, 2] < 60)
    rows, cols = np.nonzero(red)
    px, py = mapping(7.0, 2.0)
    assert abs(cols.mean() - px[0]) < 1.0 and abs(rows.mean() - py[0]) < 1.0
    # axes fractions: (0.7, 0.7) is the same point, since x runs 0..10 and y -5..5
    fx, fy = mapping(0.7, 0.7, coords="axes")
    assert abs(fx[0] - px[0]) < 1e-6 and abs(fy[0] - py[0]) < 1e-6
    svg = SvgCanvas(width, height, [mapping])
    svg.points([7.0], [2.0], radius=4)
    out = svg.to_svg("t")
    assert f'viewBox="0 0 {width} {height}"' in out and "<circle" in out


def test_canvas_vocabulary_is_the_same_for_every_mark():
    _, width, height, mapping = _mapped_axes()
    svg = SvgCanvas(width, height, [mapping])
    svg.line([0, 1], [0, 1], color="#111111", width=2, opacity=0.5)
    svg.polygon([0, 1, 1], [0, 0, 1], color="#222222", fill="#333333", fill_opacity=0.4)
    svg.rect(0, 0, 1, 1, fill="#444444", fill_opacity=0.6)
    svg.ellipse(5, 0, 1, 1, color="#555555", dash="5 3")
    svg.text(5, 0, "文字 <b>", color="#666666", font_size=14, bold=True)
    out = svg.to_svg("u")
    assert 'stroke="#111111" stroke-width="2" opacity="0.5"' in out
    assert 'fill="#333333" fill-opacity="0.4" stroke="#222222"' in out
    assert 'fill="#444444" fill-opacity="0.6"' in out
    assert 'stroke-dasharray="5 3"' in out
    assert 'font-size="14" font-weight="bold"' in out and "文字 &lt;b&gt;" in out


@pytest.mark.parametrize("draw, message", [
    (lambda c: c.line([0, np.nan], [0, 1]), "NaN"),
    (lambda c: c.points([np.inf], [0]), "NaN"),
    (lambda c: c.points([0], [0], shape="?"), "标记形状"),
    (lambda c: c.text(0, 0, "x", anchor="left"), "anchor"),
    (lambda c: c.raster(np.zeros((2, 2)), (0, 1, 0, 1), ["#000000"]), "整数"),
    (lambda c: c.raster(np.full((2, 2), 3), (0, 1, 0, 1), ["#000000"]), "colors"),
])
def test_canvas_refuses_marks_it_cannot_draw(draw, message):
    _, width, height, mapping = _mapped_axes()
    with pytest.raises(ValueError, match=message):
        draw(SvgCanvas(width, height, [mapping]))


def test_raster_is_a_small_pixelated_image_over_its_extent():
    _, width, height, mapping = _mapped_axes()
    svg = SvgCanvas(width, height, [mapping])
    grid = np.indices((150, 150)).sum(axis=0) // 100  # three diagonal bands: 0, 1, 2
    svg.raster(grid, (0, 10, -5, 5), ["#B3D4EA", "#F7DDA6", "#A6DCCB"])
    out = svg.to_svg("r")
    assert "image-rendering:pixelated" in out and "data:image/png;base64," in out
    assert len(out) < 3000
    x0, y0 = mapping(0, 5)
    assert f'x="{x0[0]:.1f}"'.replace(".0\"", "\"") in out or f'x="{round(x0[0], 1)}"' in out


def test_live_frame_that_turns_out_slow_says_so_while_it_works(live):
    durations = {1: 0.0, 2: 0.6}
    fig = InteractiveFigure([Control("k", "K", [1, 2])])
    fig.html(lambda k: time.sleep(durations[k]) or f"k={k}")  # fast at first, slow later
    box = fig.widget()
    status = box.children[1]
    seen = []
    status.observe(lambda change: seen.append(change["new"]), names="value")
    _controls(box)[0].index = 1
    assert "计算中" in seen[0] and seen[-1] == ""
    assert _body(box).children[0].value == "k=2"


def test_marks_are_clipped_to_the_axes_only_when_they_reach_outside():
    _, width, height, mapping = _mapped_axes()
    inside = SvgCanvas(width, height, [mapping])
    inside.line([1, 9], [-4, 4])
    assert "clip-path" not in inside.to_svg("a") and "<clipPath" not in inside.to_svg("a")
    outside = SvgCanvas(width, height, [mapping])
    outside.line([1, 20], [-4, 4])
    assert 'clip-path="url(#bc0)"' in outside.to_svg("b") and '<clipPath id="bc0">' in outside.to_svg("b")
