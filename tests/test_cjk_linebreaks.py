"""book/_ext/cjk_linebreaks.py: a line break in a Chinese paragraph's source is no space on the page."""

import sys
from pathlib import Path

import pytest
from docutils import nodes

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "book" / "_ext"))
from cjk_linebreaks import join_wide_lines  # noqa: E402


def _paragraph(*parts):
    p = nodes.paragraph("", "")
    for part in parts:
        p += nodes.Text(part) if isinstance(part, str) else part
    return p


@pytest.mark.parametrize("source, shown", [
    ("比一比。\n原教程问", "比一比。原教程问"),                 # punctuation, then a character
    ("线性\n模型", "线性模型"),                                 # two characters
    ("线性  \n  模型", "线性模型"),                             # blanks around the break go too
    ("回归，\nsoftmax", "回归，softmax"),                       # no space after full-width punctuation
    ("softmax\n（第 4 章）", "softmax（第 4 章）"),             # nor before it
    ("加入 softmax\n回归", "加入 softmax\n回归"),               # Latin and Chinese: a space, as written
    ("一共\n123 个", "一共\n123 个"),                           # a digit: a space
    ("English\ntext", "English\ntext"),
])
def test_a_break_between_two_wide_characters_is_removed(source, shown):
    p = _paragraph(source)
    join_wide_lines(p)
    assert p.astext() == shown


def test_the_characters_on_both_sides_may_sit_in_other_nodes():
    p = _paragraph("都是", nodes.strong("", "", nodes.Text("线性")), "\n模型；",
                   nodes.emphasis("", "", nodes.Text("多层\n感知机")))
    join_wide_lines(p)
    assert p.astext() == "都是线性模型；多层感知机"


def test_each_break_is_its_own_even_when_several_read_the_same():
    # Markdown's soft breaks arrive as separate "\n" nodes, equal to each other as strings
    p = _paragraph("甲 ", nodes.literal("", "y"), "\n", "乙。", "\n", "丙，", "\n", "丁")
    join_wide_lines(p)
    assert p.astext() == "甲 y\n乙。丙，丁"   # the first break (after code) stays, the others go


def test_next_to_code_or_an_equation_the_break_stays():
    p = _paragraph("代码\n", nodes.literal("", "x = 1"), "\n的值，公式\n", nodes.math("", "\\alpha"), "\n很小")
    join_wide_lines(p)
    assert p.astext() == "代码\nx = 1\n的值，公式\n\\alpha\n很小"


def test_code_blocks_are_left_alone():
    block = nodes.literal_block("", "中文\n中文")
    section = nodes.section("", block)
    from cjk_linebreaks import _on_doctree_resolved

    document = nodes.document(None, None)
    document += section
    _on_doctree_resolved(None, document, "page")
    assert block.astext() == "中文\n中文"
