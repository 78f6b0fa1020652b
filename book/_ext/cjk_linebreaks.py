"""Sphinx extension: no stray space where the source of a Chinese paragraph breaks a line.

The chapters' Markdown breaks long paragraphs into lines. HTML turns each line break into a
space, and Chromium (unlike Firefox) shows that space between two Chinese characters:
"……比一比。 原教程问……". This removes a line break (and the blanks around it) from the text
of paragraphs, titles and list items when the characters on both sides are wide (Chinese
characters, full-width punctuation, Chinese quotes), or one of them is full-width punctuation
("回归，softmax"). A break between a Chinese character and a Latin letter or a digit, or next
to code or an equation, stays a space, as the book's style wants ("softmax 回归").
Runs on `doctree-resolved`, so glued numbers are in place and the search index sees the
joined text.
"""

from __future__ import annotations

import re
from typing import Iterator

from docutils import nodes

# CJK radicals and symbols, kana, CJK ideographs (and extension A, compatibility), CJK
# compatibility forms, full-width forms, and the quotes / dashes / ellipsis Chinese text uses.
_WIDE = re.compile("[\u2e80-\u2fff\u3000-\u303f\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff"
                   "\uf900-\ufaff\ufe30-\ufe4f\uff00-\uffef\u2018\u2019\u201c\u201d\u2014\u2026]")
# Full-width punctuation (and Chinese quotes, dash, ellipsis) takes no space beside it, even
# next to a Latin word: "回归，softmax" and "softmax（第 4 章）".
_PUNCT = re.compile("[\u3000-\u303f\ufe30-\ufe4f\uff00-\uffef\u2018\u2019\u201c\u201d\u2014\u2026]")
_BREAK = re.compile(r"[ \t]*\n[ \t]*")
# Inline content whose characters are not prose: a break next to it stays a space.
_OPAQUE = (nodes.literal, nodes.math, nodes.raw, nodes.image, nodes.footnote_reference)


def _leaves(element: nodes.Element) -> Iterator[nodes.Text | None]:
    """The text of an element in reading order; None for inline content that is not prose."""
    for child in element.children:
        if isinstance(child, nodes.Text):
            yield child
        elif isinstance(child, _OPAQUE):
            yield None
        elif isinstance(child, nodes.Inline) and isinstance(child, nodes.Element):
            yield from _leaves(child)
        else:
            yield None


def _neighbour(texts: list[str | None], k: int, step: int) -> str | None:
    """The first character after (step=1) or last before (step=-1) leaf k, None if not prose."""
    j = k + step
    while 0 <= j < len(texts):
        if texts[j] is None:
            return None
        if texts[j]:
            return texts[j][0] if step > 0 else texts[j][-1]
        j += step
    return None


def join_wide_lines(element: nodes.Element) -> None:
    """Remove the line breaks between two wide characters in one paragraph-like element."""
    leaves = list(_leaves(element))
    texts = [None if leaf is None else str(leaf) for leaf in leaves]
    for k, leaf in enumerate(leaves):
        text = texts[k]
        if leaf is None or "\n" not in text:
            continue

        def join(match: re.Match) -> str:
            start, end = match.start(), match.end()
            before = text[start - 1] if start > 0 else _neighbour(texts, k, -1)
            after = text[end] if end < len(text) else _neighbour(texts, k, 1)
            if not (before and after):
                return match.group()
            wide = _WIDE.match(before) and _WIDE.match(after)
            return "" if wide or _PUNCT.match(before) or _PUNCT.match(after) else match.group()

        joined = _BREAK.sub(join, text)
        if joined != text:
            # by identity: Element.replace finds a child by ==, and Text is a str ("\n" == "\n")
            parent = leaf.parent
            at = next(i for i, child in enumerate(parent.children) if child is leaf)
            parent.children[at] = nodes.Text(joined)
            parent.children[at].parent = parent


def _on_doctree_resolved(app, doctree: nodes.document, docname: str) -> None:
    for element in list(doctree.findall(nodes.TextElement)):
        if not isinstance(element, (nodes.Inline, nodes.FixedTextElement)):
            join_wide_lines(element)


def setup(app):
    app.connect("doctree-resolved", _on_doctree_resolved)
    return {"version": "1.0", "parallel_read_safe": True, "parallel_write_safe": True}
