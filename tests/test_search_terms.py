"""The search dictionary (book/_search/terms.txt) is current and makes Sphinx index every term whole.

The browser test (tests/test_browser.py) searches the built book; these checks are quicker and
name the chapter line where jieba cut a listed term into pieces.
"""

import importlib.util
import json
from pathlib import Path

import pytest
import yaml

ROOT = Path(__file__).resolve().parents[1]
spec = importlib.util.spec_from_file_location("search_terms", ROOT / "scripts" / "search_terms.py")
search_terms = importlib.util.module_from_spec(spec)
spec.loader.exec_module(search_terms)


def test_dictionary_is_up_to_date_and_wired_in_the_config():
    assert search_terms.DICTIONARY.read_text(encoding="utf-8") == search_terms.dictionary_text(), \
        "run python scripts/search_terms.py"
    config = yaml.safe_load((ROOT / "_config.yml").read_text(encoding="utf-8"))["sphinx"]["config"]
    assert (ROOT / config["html_search_options"]["dict"]) == search_terms.DICTIONARY
    for term in ("交叉熵", "欧氏距离", "学习率", "过拟合", "混淆矩阵", "独热编码", "正规方程"):
        assert term in search_terms.terms()


def test_sphinx_indexes_every_listed_term_where_a_chapter_uses_it():
    jieba = pytest.importorskip("jieba")
    from sphinx.search.zh import SearchChinese

    splitter = SearchChinese({})  # what the build does with html_search_options, minus jieba's open file
    with search_terms.DICTIONARY.open("rb") as dictionary:
        jieba.load_userdict(dictionary)
    terms = search_terms.terms()
    missed = []
    for path in sorted((ROOT / "book").glob("[0-9][0-9]_*.ipynb")):
        for cell in json.loads(path.read_text(encoding="utf-8"))["cells"]:
            for line in "".join(cell["source"]).splitlines():
                present = [t for t in terms if t in line]
                if present:
                    words = set(splitter.split(line))
                    missed += [f"{path.stem}: {t!r} in {line.strip()[:60]!r}" for t in present if t not in words]
    assert not missed, "jieba cut these terms into pieces:\n" + "\n".join(missed[:20])
