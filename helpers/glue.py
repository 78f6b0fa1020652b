"""``glue``: a value computed in a cell, pasted into the prose with ``{glue:text}`name```.

The same as ``myst_nb.glue`` (it writes the same display data, which the book build reads),
without its import cost: importing ``myst_nb.ext.glue`` imports nbformat, whose JSON-schema
validator compiles an IRI grammar at import time, 1–3 s of every chapter's first cell.
``tests/test_glue.py`` checks that both write the same output.
"""

from __future__ import annotations

from typing import Any

from IPython.core.formatters import format_display_data
from IPython.display import display as ipy_display

GLUE_PREFIX = "application/papermill.record/"  # myst_nb.ext.glue.GLUE_PREFIX


def glue(name: str, variable: Any, display: bool = True) -> None:
    """Store how ``variable`` displays under ``name`` (all chapters); shown too unless ``display=False``."""
    if not isinstance(name, str) or not name:
        raise ValueError(f"glue 的名字必须是非空字符串 (a glue name must be a non-empty string), got {name!r}")
    # A NumPy or torch scalar displays as "np.float64(1.23)", which {glue:text}`x:.3f`
    # cannot format: paste the Python number it holds.
    variable = _python_scalar(variable)
    mimebundle, metadata = format_display_data(variable)
    mime_prefix = "" if display else GLUE_PREFIX
    metadata["scrapbook"] = dict(name=name, mime_prefix=mime_prefix)
    ipy_display({mime_prefix + k: v for k, v in mimebundle.items()}, raw=True, metadata=metadata)


def _python_scalar(value: Any) -> Any:
    """The Python number a NumPy or torch scalar (0-d) holds; anything else unchanged."""
    if hasattr(value, "item") and getattr(value, "ndim", None) == 0:
        return value.item()
    return value


_SUPERSCRIPT = str.maketrans("-0123456789", "⁻⁰¹²³⁴⁵⁶⁷⁸⁹")


def sci(value: Any, digits: int = 1) -> str:
    """A number as the prose writes it: ``sci(1e-4)`` → ``"1.0 × 10⁻⁴"`` (never ``"1e-04"``).

    ``digits`` is the number of digits after the decimal point of the mantissa. Numbers whose
    exponent is 0 are written without the power: ``sci(3.25, 2)`` → ``"3.25"``. Use it with
    glue: ``glue("loss_text", sci(loss), display=False)``, then ``{glue:text}`loss_text```.
    """
    import math
    import numbers

    value = _python_scalar(value)
    if isinstance(value, bool) or not isinstance(value, numbers.Real):
        raise ValueError(f"sci 需要一个实数 (sci needs a real number), got {type(value).__name__}")
    if isinstance(digits, bool) or not isinstance(digits, numbers.Integral) or digits < 0:
        raise ValueError(f"digits 必须是非负整数 (digits must be a non-negative integer), got {digits!r}")
    value = float(value)
    if not math.isfinite(value):
        raise ValueError(f"sci 需要有限的数 (sci needs a finite number), got {value}")
    mantissa, exponent = f"{value:.{int(digits)}e}".split("e")
    exponent = int(exponent)
    if exponent == 0:
        return mantissa
    return f"{mantissa} × 10{str(exponent).translate(_SUPERSCRIPT)}"
