"""helpers.tables: escaped by default, HTML on request, shape errors in Chinese and English."""

import pytest

from helpers.tables import html_table


def test_cells_are_escaped_by_default():
    table = html_table(["学习率", "批量 <1>"], [["0.1", "1.05"], ["3", "发散"]]).data
    assert "批量 &lt;1&gt;" in table and table.count("<tr>") == 3 and "发散" in table


def test_html_cells_on_request():
    table = html_table(["类别"], [["<b>猫</b>"]], escape=False).data
    assert "<b>猫</b>" in table


@pytest.mark.parametrize("header, rows, fragment", [
    ([], [], "表头不能为空"),
    (["a", "b"], [["1"]], r"第 0 行有 1 个单元格，表头有 2 个 \(row 0 has 1 cells"),
])
def test_bad_shapes(header, rows, fragment):
    with pytest.raises(ValueError, match=fragment):
        html_table(header, rows)
