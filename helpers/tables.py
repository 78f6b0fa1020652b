"""Small HTML tables for notebook outputs, shown the same in JupyterLab and in the book.

(Markdown tables printed by a cell would need a Markdown renderer with table support;
an HTML table renders everywhere.)
"""

from __future__ import annotations

import html
from typing import Any, Sequence

from IPython.display import HTML


def html_table(header: Sequence[str], rows: Sequence[Sequence[Any]], escape: bool = True) -> HTML:
    """A table with one header row; cells are escaped text, or HTML if ``escape=False``."""
    if not header:
        raise ValueError("表头不能为空 (the header must not be empty)")
    bad = [i for i, row in enumerate(rows) if len(row) != len(header)]
    if bad:
        raise ValueError(
            f"第 {bad[0]} 行有 {len(rows[bad[0]])} 个单元格，表头有 {len(header)} 个 "
            f"(row {bad[0]} has {len(rows[bad[0]])} cells but the header has {len(header)})"
        )

    def text(value: Any) -> str:
        return html.escape(str(value)) if escape else str(value)

    cell = "padding:3px 12px;border-bottom:1px solid #DDDDDD;text-align:{}"
    head = "".join(f'<th style="{cell.format("center")}">{text(h)}</th>' for h in header)
    body = "".join(
        "<tr>" + "".join(f'<td style="{cell.format("left" if j == 0 else "right")}">{text(v)}</td>'
                         for j, v in enumerate(row)) + "</tr>"
        for row in rows
    )
    return HTML(f'<table class="mlbook-table" style="border-collapse:collapse;margin:6px 0">'
                f"<thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>")
