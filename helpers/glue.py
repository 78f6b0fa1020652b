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
    mimebundle, metadata = format_display_data(variable)
    mime_prefix = "" if display else GLUE_PREFIX
    metadata["scrapbook"] = dict(name=name, mime_prefix=mime_prefix)
    ipy_display({mime_prefix + k: v for k, v in mimebundle.items()}, raw=True, metadata=metadata)
