"""InteractiveFigure: frames, nested stacks linked to the controls, aligned overlays, clear errors."""

import io

import ipywidgets as widgets
import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pytest  # noqa: E402
from PIL import Image  # noqa: E402

from helpers.interactive import AxesMap, Control, InteractiveFigure, SvgCanvas  # noqa: E402
from helpers.plotting import use_book_style  # noqa: E402


def _links(box):
    return box._mlbook_links


def _descend(widget, control_widgets_by_name, choice):
    """Follow nested Stacks the way the browser does: each Stack shows child[index of its control]."""
    while isinstance(widget, widgets.Stack):
        link = widget._mlbook_control
        widget = widget.children[choice[link]]
    return widget


def _build_html_figure():
    fig = InteractiveFigure([
        Control("k", "K", range(1, 6), default=3),
        Control("m", "模式", [("甲", "a"), ("乙", "b")], kind="toggle"),
    ])
    fig.html(lambda k, m: f"k={k};m={m}", depends_on=["k", "m"])
    return fig


def test_controls_become_selection_widgets_with_default_index():
    box = _build_html_figure().widget()
    controls = box.children[0].children
    assert isinstance(controls[0], widgets.SelectionSlider) and controls[0].index == 2
    assert isinstance(controls[1], widgets.ToggleButtons) and controls[1].index == 0
    assert [label for label, _ in controls[1].options] == ["甲", "乙"]


def test_every_combination_reaches_its_own_frame_through_linked_stacks():
    fig = _build_html_figure()
    box = fig.widget()
    k_widget, m_widget = box.children[0].children
    links = _links(box)
    # Map each Stack to the control it follows, from the jslinks the figure created.
    for link in links:
        (source, source_attr), (target, target_attr) = link.source, link.target
        assert source_attr == "index" and target_attr == "selected_index"
        assert source in (k_widget, m_widget)
        target._mlbook_control = "k" if source is k_widget else "m"
    root = box.children[1].children[0]
    for k_index, k in enumerate(range(1, 6)):
        for m_index, m in enumerate("ab"):
            leaf = _descend(root, None, {"k": k_index, "m": m_index})
            assert leaf.value == f"k={k};m={m}"
    assert fig.frame_count() == 10
    assert len(links) == 1 + 2  # one stack for m (outer), two for k (inner)


def test_overlay_maps_data_coordinates_onto_the_png_pixels():
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
    image = np.asarray(Image.open(buffer).convert("RGB")).astype(int)
    red = (image[:, :, 0] > 200) & (image[:, :, 1] < 60) & (image[:, :, 2] < 60)
    rows, cols = np.nonzero(red)
    px, py = mapping(7.0, 2.0)
    assert abs(cols.mean() - px[0]) < 1.0 and abs(rows.mean() - py[0]) < 1.0
    svg = SvgCanvas(width, height, [mapping])
    svg.points([7.0], [2.0], size=4)
    out = svg.to_svg("t")
    assert f'viewBox="0 0 {width} {height}"' in out and "<circle" in out


def test_image_layer_with_overlay_builds_a_grid_of_two_stacks():
    use_book_style()

    def draw(k):
        fig, ax = plt.subplots(figsize=(3, 2), layout="none")
        ax.set_xlim(0, 5)
        ax.set_ylim(0, 5)
        ax.set_title(f"k = {k}")
        return fig

    fig = InteractiveFigure([Control("k", "K", [1, 2]), Control("x", "位置", [1.0, 2.0, 3.0])])
    base = fig.image(draw, depends_on=["k"])
    fig.svg_overlay(base, lambda canvas, k, x: canvas.points([x], [k]), depends_on=["k", "x"])
    box = fig.widget()
    grid = box.children[1].children[0]
    assert isinstance(grid, widgets.GridBox) and len(grid.children) == 2
    assert fig.frame_count() == 2 + 6
    assert all(c.layout.grid_area == "1 / 1 / 2 / 2" for c in grid.children)
    assert "mlbook-interactive" in box._dom_classes


@pytest.mark.parametrize("make, message", [
    (lambda: Control("k", "K", []), "没有可选值"),
    (lambda: Control("k", "K", [1, 2], default=5), "不在选项中"),
    (lambda: Control("k", "K", [1, 2], kind="knob"), "未知的控件类型"),
    (lambda: InteractiveFigure([]), "至少需要一个控件"),
    (lambda: InteractiveFigure([Control("k", "K", [1]), Control("k", "K2", [2])]), "控件名称重复"),
    (lambda: InteractiveFigure([Control("k", "K", [1])]).html(str, depends_on=["q"]), "未知的控件"),
    (lambda: InteractiveFigure([Control("k", "K", [1])]).widget(), "没有任何图层"),
    (lambda: InteractiveFigure([Control("a", "A", range(100)), Control("b", "B", range(100))])
     .html(str, depends_on=["a", "b"]), "帧"),
])
def test_bad_declarations_get_bilingual_errors(make, message):
    with pytest.raises(ValueError, match=message) as info:
        make()
    assert any(ch.isascii() and ch.isalpha() for ch in str(info.value)), "English part missing"


def test_overlay_must_depend_on_the_base_controls():
    fig = InteractiveFigure([Control("k", "K", [1, 2]), Control("x", "X", [1, 2])])
    base = fig.image(lambda k: plt.figure(), depends_on=["k"])
    with pytest.raises(ValueError, match="底图"):
        fig.svg_overlay(base, lambda canvas, x: None, depends_on=["x"])


def test_layer_returning_the_wrong_type_is_reported():
    fig = InteractiveFigure([Control("k", "K", [1, 2])])
    fig.html(lambda k: 42, depends_on=["k"])
    with pytest.raises(TypeError, match="HTML"):
        fig.widget()


def test_identical_frames_share_one_leaf_widget():
    fig = InteractiveFigure([Control("k", "K", range(6))])
    fig.html(lambda k: "偶数" if k % 2 == 0 else "奇数", depends_on=["k"])
    stack = fig.widget().children[1].children[0]
    assert len(stack.children) == 6
    assert len({c.model_id for c in stack.children}) == 2
    assert [c.value for c in stack.children] == ["偶数", "奇数"] * 3
