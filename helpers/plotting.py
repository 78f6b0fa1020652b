"""One look for every figure in the book: Chinese font, palette, sizes.

Every chapter starts with ``use_book_style()``. The Chinese font (Noto Sans SC,
SIL Open Font License) ships inside the ``zhplot`` pip package, so no system
CJK font is needed. A missing glyph is turned into an error, so a box instead
of a character can never reach the book unnoticed.
"""

from __future__ import annotations

import io
import warnings
from pathlib import Path

import matplotlib

# Okabe & Ito (2008): distinguishable with every common form of colour blindness.
PALETTE: tuple[str, ...] = (
    "#0072B2",  # blue
    "#E69F00",  # orange
    "#009E73",  # bluish green
    "#D55E00",  # vermillion
    "#CC79A7",  # reddish purple
    "#56B4E9",  # sky blue
    "#F0E442",  # yellow
    "#000000",  # black
)
# Light versions of the first colours, for filled decision regions.
REGION_PALETTE: tuple[str, ...] = ("#B3D4EA", "#F7DDA6", "#A6DCCB", "#F2C3A6", "#EBCBDD", "#CDE9F8")
MARKERS: tuple[str, ...] = ("o", "s", "^", "D", "v", "P")

CJK_FONT_NAME = "Noto Sans SC"
GLYPH_WARNING = r"Glyph .* missing from"


def cjk_font_path() -> Path:
    """Path of the Noto Sans SC font file that the zhplot package ships."""
    import zhplot  # noqa: F401  (importing it also registers the font)

    path = Path(zhplot.__file__).parent / "fonts" / "NotoSansSC-Regular.ttf"
    if not path.is_file():
        raise FileNotFoundError(
            f"找不到中文字体 (Chinese font not found): {path}；请重新安装 zhplot (reinstall zhplot)"
        )
    return path


def use_book_style() -> None:
    """Set the book's matplotlib style: Chinese font, palette, sizes; missing glyphs raise."""
    from matplotlib import font_manager

    font_file = cjk_font_path()
    if CJK_FONT_NAME not in {f.name for f in font_manager.fontManager.ttflist}:
        font_manager.fontManager.addfont(str(font_file))
    matplotlib.rcParams.update(
        {
            # Noto Sans SC covers Chinese, Latin and the minus sign; DejaVu Sans
            # fills in any other symbol (matplotlib falls back glyph by glyph).
            "font.family": [CJK_FONT_NAME, "DejaVu Sans"],
            "axes.unicode_minus": True,
            "axes.prop_cycle": matplotlib.cycler(color=PALETTE),
            "axes.grid": True,
            "grid.alpha": 0.3,
            "axes.spines.top": False,
            "axes.spines.right": False,
            "figure.figsize": (6.4, 4.0),
            "figure.dpi": 100,
            "savefig.dpi": 100,
            "figure.autolayout": False,
            "figure.constrained_layout.use": True,
            "font.size": 11,
            "axes.titlesize": 12,
            "image.cmap": "viridis",
        }
    )
    warnings.filterwarnings("error", message=GLYPH_WARNING, category=UserWarning)


def fig_to_png(fig: "matplotlib.figure.Figure", close: bool = True, colors: int | None = 96) -> bytes:
    """Render a figure to PNG bytes; ``colors`` quantises to a palette to keep pages small.

    Transparent parts (``ax.set_facecolor("none")`` with a transparent figure patch)
    stay transparent, so that something drawn under the image shows through.
    """
    buffer = io.BytesIO()
    fig.savefig(buffer, format="png")
    if close:
        import matplotlib.pyplot as plt

        plt.close(fig)
    data = buffer.getvalue()
    if colors is None:
        return data
    from PIL import Image

    image = Image.open(io.BytesIO(data))
    if image.mode == "RGBA" and image.getextrema()[3][0] < 255:
        image = image.quantize(colors=colors, method=Image.Quantize.FASTOCTREE, dither=Image.Dither.NONE)
    else:
        image = image.convert("RGB").quantize(colors=colors, dither=Image.Dither.NONE)
    out = io.BytesIO()
    image.save(out, format="png", optimize=True)
    return out.getvalue()
