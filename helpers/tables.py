"""Small HTML tables for notebook outputs, shown the same in JupyterLab and in the book.

(Markdown tables printed by a cell would need a Markdown renderer with table support;
an HTML table renders everywhere.) Every table of the book is built by ``html_table``.
"""

from __future__ import annotations

import html
from typing import Any, NamedTuple, Sequence

from IPython.display import HTML

from .validation import check_positive_int


class ColumnGroup(NamedTuple):
    """A header cell over ``span`` adjacent columns (chapter 1's "特征" over the feature columns).

    With ``title=None`` the group has no header of its own: its columns' header cells
    take both header rows. ``background`` colours the group's header cells.
    """

    title: str | None
    span: int
    background: str | None = None


_CELL = "padding:3px 12px;border-bottom:1px solid #DDDDDD;text-align:{}"


def html_table(header: Sequence[str], rows: Sequence[Sequence[Any]], escape: bool = True, *,
               groups: Sequence[ColumnGroup] | None = None, caption: str | None = None) -> HTML:
    """Chapter 1: a table with a header row (optionally grouped) and a caption below it.

    Cells are escaped text, or HTML if ``escape=False``; the first column is
    left-aligned, the others right-aligned (numbers line up).
    """
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

    def th(value: Any, background: str | None = None, span: str = "") -> str:
        style = _CELL.format("center") + (f";background:{background}" if background else "")
        return f'<th{span} style="{style}">{text(value)}</th>'

    if groups is None:
        head = "<tr>" + "".join(th(h) for h in header) + "</tr>"
    else:
        spans = [check_positive_int(g.span, "span") for g in groups]
        if sum(spans) != len(header):
            raise ValueError(
                f"列组共跨 {sum(spans)} 列，表头有 {len(header)} 列 "
                f"(the column groups span {sum(spans)} columns but the header has {len(header)})"
            )
        top, below, start = [], [], 0
        for group, span in zip(groups, spans):
            columns = header[start:start + span]
            start += span
            if group.title is None:
                top += [th(h, group.background, ' rowspan="2"') for h in columns]
            else:
                top.append(th(group.title, group.background, f' colspan="{span}"'))
                below += [th(h, group.background) for h in columns]
        head = "<tr>" + "".join(top) + "</tr><tr>" + "".join(below) + "</tr>"
    body = "".join(
        "<tr>" + "".join(f'<td style="{_CELL.format("left" if j == 0 else "right")}">{text(v)}</td>'
                         for j, v in enumerate(row)) + "</tr>"
        for row in rows
    )
    caption_html = (
        '<caption style="caption-side:bottom;text-align:left;font-size:90%;color:#555555">'
        f"{html.escape(caption)}</caption>" if caption else ""
    )
    return HTML(f'<table class="mlbook-table" style="border-collapse:collapse;margin:6px 0">'
                f"{caption_html}<thead>{head}</thead><tbody>{body}</tbody></table>")
