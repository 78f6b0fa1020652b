"""One word per idea: the book uses no rejected variant of a term (book/_data/vocabulary.yml),
and the conventions page's table and the glossary are current (scripts/glossary.py).
"""

import importlib.util
import json
import re
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
spec = importlib.util.spec_from_file_location("glossary", ROOT / "scripts" / "glossary.py")
glossary = importlib.util.module_from_spec(spec)
sys.modules["glossary"] = glossary   # dataclasses look their module up there
spec.loader.exec_module(glossary)
VOCABULARY = glossary.load_vocabulary()


def texts_the_reader_sees():
    """(where, text) for every cell of every notebook, every page, and every helper module
    (their figure labels, messages and docstrings reach the reader)."""
    for path in sorted((ROOT / "book").glob("*.ipynb")):
        notebook = json.loads(path.read_text(encoding="utf-8"))
        for index, cell in enumerate(notebook["cells"]):
            yield f"{path.name} cell {index}", "".join(cell["source"])
    for path in sorted((ROOT / "book").glob("*.md")):
        if path not in (glossary.CONVENTIONS, glossary.GLOSSARY):   # they list the variants
            yield path.name, path.read_text(encoding="utf-8")
    for path in sorted((ROOT / "helpers").rglob("*.py")):
        yield str(path.relative_to(ROOT)), path.read_text(encoding="utf-8")
    yield "README.md", (ROOT / "README.md").read_text(encoding="utf-8")


def test_the_book_uses_no_rejected_variant():
    problems = [f"{where}: “{word}” (本书用“{term}”) in: {sentence[:120]}"
                for where, text in texts_the_reader_sees()
                for word, term, sentence in glossary.rejected_uses(text, VOCABULARY)]
    assert not problems, "rejected words (see book/conventions.md):\n" + "\n".join(problems)


@pytest.mark.parametrize("text, flagged", [
    ("否则就把测试集的信息泄漏给了模型。", ["泄漏"]),
    ("这样的解叫解析解（analytic solution），有的书叫闭式解。", []),
    ("令梯度为零就得到闭式解。", ["闭式解"]),
    ("每个样本有三个特征值。", ["特征值"]),
    ("它的最大特征值 $\\lambda_{\\max}$ 决定了学习率的上限。", []),
    ("矩阵的特征值都是正的。", []),
    ("20 个迭代周期后，准确率到了 0.95。", ["迭代周期"]),
    ("用 one-hot 编码表示标签，", ["one-hot 编码"]),
    ("用 one-hot编码表示标签。", ["one-hot编码"]),
    ("独热编码（one-hot encoding）把类别变成向量。", []),
    ("查准率和查全率是周志华《机器学习》的叫法，也叫精确率和召回率。", []),
    ("模型的查准率是 0.9。", ["查准率"]),
])
def test_the_rule_flags_variants_and_allows_named_synonyms(text, flagged):
    assert [word for word, _, _ in glossary.rejected_uses(text, VOCABULARY)] == flagged


def test_every_rejected_pattern_is_valid_and_no_term_rejects_a_book_term():
    terms = {part.strip() for entry in VOCABULARY for part in entry["term"].split("/")}
    for entry in VOCABULARY:
        for pattern in entry.get("reject", []):
            compiled = re.compile(pattern)
            clashes = [term for term in terms if compiled.fullmatch(term)
                       and term != "特征值"]      # 特征值 is the eigenvalue, allowed by allow_if
            assert not clashes, f"{entry['term']} rejects the book's own term {clashes}"


def test_conventions_table_and_glossary_are_current():
    assert glossary.main(["--check"]) == 0, "run python scripts/glossary.py"


def test_glossary_lists_each_term_once_with_a_sentence_and_a_section():
    terms, datasets = glossary.collect_entries()
    names = [entry.term for entry in terms]
    assert len(names) == len(set(names))
    assert len(terms) >= 60 and datasets
    headings = {}
    for path in glossary.chapter_files():
        for text in glossary.markdown_cells(path):
            for match in glossary.HEADING.finditer(text):
                headings.setdefault(path.name, set()).add(glossary.heading_slug(match.group(2)))
    for entry in terms + datasets:
        assert re.search(r"[A-Za-z]", entry.english), entry
        assert entry.term in entry.meaning, entry        # the sentence that introduces it
        assert entry.meaning.endswith(("。", "！", "？")), entry
        assert not entry.meaning.startswith("|"), entry
        base = re.sub(r"-\d+$", "", entry.slug)
        assert entry.slug in headings[entry.page] or base in headings[entry.page], entry


def test_the_pages_are_in_the_book_and_linked_from_the_front_page():
    toc = (ROOT / "_toc.yml").read_text(encoding="utf-8")
    assert "book/conventions" in toc and "book/glossary" in toc
    front = (ROOT / "book" / "index.md").read_text(encoding="utf-8")
    assert "(conventions.md)" in front and "(glossary.md)" in front
