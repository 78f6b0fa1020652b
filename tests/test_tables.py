"""helpers.tables: escaped by default, HTML on request, grouped headers, shape errors in Chinese and English."""

import pytest

from helpers.tables import ColumnGroup, html_table


def test_cells_are_escaped_by_default():
    table = html_table(["学习率", "批量 <1>"], [["0.1", "1.05"], ["3", "发散"]]).data
    assert "批量 &lt;1&gt;" in table and table.count("<tr>") == 3 and "发散" in table


def test_html_cells_on_request():
    table = html_table(["类别"], [["<b>猫</b>"]], escape=False).data
    assert "<b>猫</b>" in table


def test_grouped_header_and_caption():
    groups = [ColumnGroup(None, 1), ColumnGroup("特征", 2, "#E8F1F8"), ColumnGroup(None, 1)]
    table = html_table(["编号", "长", "宽", "品种"], [[0, "5.1", "3.5", "甲"]], groups=groups, caption="说明 <1>").data
    assert 'rowspan="2"' in table and table.count('rowspan="2"') == 2
    assert 'colspan="2"' in table and "background:#E8F1F8" in table
    assert table.count("<tr>") == 3 and "说明 &lt;1&gt;</caption>" in table


@pytest.mark.parametrize("header, rows, groups, fragment", [
    ([], [], None, "表头不能为空"),
    (["a", "b"], [["1"]], None, r"第 0 行有 1 个单元格，表头有 2 个 \(row 0 has 1 cells"),
    (["a", "b"], [], [ColumnGroup("g", 1)], r"列组共跨 1 列，表头有 2 列 \(the column groups span 1"),
    (["a", "b"], [], [ColumnGroup("g", 0), ColumnGroup(None, 2)], r"span 必须是正整数"),
])
def test_bad_shapes(header, rows, groups, fragment):
    with pytest.raises(ValueError, match=fragment):
        html_table(header, rows, groups=groups)
