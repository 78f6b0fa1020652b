"""The book's figure style: Chinese renders with the shipped font; a missing glyph is an error."""

import io
import warnings

import matplotlib.pyplot as plt
import pytest
from matplotlib import font_manager
from PIL import Image

from helpers.plotting import CJK_FONT_NAME, PALETTE, cjk_font_path, fig_to_png, use_book_style


def test_font_file_ships_with_a_pip_package():
    path = cjk_font_path()
    assert path.is_file() and path.stat().st_size > 1_000_000
    assert "site-packages" in str(path) or "dist-packages" in str(path)


def test_chinese_text_renders_without_warnings():
    use_book_style()
    fig, ax = plt.subplots()
    ax.set_title("K 最近邻：决策区域（欧氏距离）−1")
    ax.set_xlabel("花萼长度（厘米）")
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        png = fig_to_png(fig)
    assert Image.open(io.BytesIO(png)).size[0] > 100
    resolved = font_manager.findfont(font_manager.FontProperties(family=CJK_FONT_NAME), fallback_to_default=False)
    assert resolved.endswith("NotoSansSC-Regular.ttf")


def test_missing_glyph_is_an_error():
    use_book_style()
    fig, ax = plt.subplots()
    ax.set_title("\U00020000")  # a CJK Extension B character: in neither Noto Sans SC nor DejaVu Sans
    with pytest.raises(UserWarning, match="Glyph"):
        fig_to_png(fig)


def test_palette_and_quantised_png_are_small():
    use_book_style()
    assert len(PALETTE) >= 6 and all(c.startswith("#") for c in PALETTE)
    fig, ax = plt.subplots()
    ax.plot([0, 1], [0, 1])
    full = fig_to_png(fig, close=False, colors=None)
    small = fig_to_png(fig, colors=64)
    assert len(small) < len(full)
    assert Image.open(io.BytesIO(small)).mode == "P"
