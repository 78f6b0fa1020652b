"""The chapters keep the book's pattern (CONTRIBUTING.md): structure, hidden solutions, no outputs."""

import json
import re
import unicodedata
from pathlib import Path

import pytest
import yaml

ROOT = Path(__file__).resolve().parents[1]
NOTEBOOKS = sorted((ROOT / "book").glob("[0-9][0-9]_*.ipynb"))


def _cells(path):
    return json.loads(path.read_text(encoding="utf-8"))["cells"]


def _source(cell):
    return "".join(cell["source"]) if isinstance(cell["source"], list) else cell["source"]


def _toc_files():
    toc = yaml.safe_load((ROOT / "_toc.yml").read_text(encoding="utf-8"))
    files = [toc["root"]]
    for part in [toc] + toc.get("parts", []):
        files += [c["file"] for c in part.get("chapters", [])]
    return files


def test_every_chapter_is_in_the_table_of_contents_and_exists():
    toc = _toc_files()
    reference_pages = ["book/conventions", "book/glossary"]   # after the chapters
    assert [f"book/{p.stem}" for p in NOTEBOOKS] + reference_pages == [f for f in toc if f != "book/index"]
    for entry in toc:
        assert (ROOT / f"{entry}.ipynb").exists() or (ROOT / f"{entry}.md").exists(), entry


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.stem)
def test_stored_without_outputs_with_the_python3_kernel(path):
    nb = json.loads(path.read_text(encoding="utf-8"))
    assert nb["metadata"]["kernelspec"]["name"] == "python3"
    for cell in nb["cells"]:
        if cell["cell_type"] == "code":
            assert cell["outputs"] == [] and cell["execution_count"] is None, "run scripts/normalize_notebooks.py"


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.stem)
def test_chapter_structure(path):
    cells = _cells(path)
    markdown = [_source(c) for c in cells if c["cell_type"] == "markdown"]
    code = [_source(c) for c in cells if c["cell_type"] == "code"]
    assert markdown[0].startswith("# 第"), "a chapter starts with its '# 第 N 章' title"
    assert "学习目标" in markdown[0], "学习目标 belong at the top"
    goals = [line for line in markdown[0].splitlines() if line.startswith("- ")]
    assert 3 <= len(goals) <= 6, f"3-5 learning goals expected, found {len(goals)}"
    headings = [line.strip() for text in markdown for line in text.splitlines() if line.startswith("## ")]
    assert "## 小结" in headings and "## 练习" in headings
    assert headings.index("## 小结") < headings.index("## 练习"), "小结 comes before 练习"
    assert "use_book_style()" in code[0], "the first code cell sets the book's figure style"
    text = "\n".join(markdown + code)
    for placeholder in ("TODO", "TBD", "编写中", "占位", "lorem"):
        assert placeholder not in text, f"placeholder text {placeholder!r} left in the chapter"


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.stem)
def test_every_exercise_has_a_stub_and_a_hidden_reference_solution(path):
    cells = _cells(path)
    strict_calls, stub_calls = set(), set()
    for cell in cells:
        if cell["cell_type"] != "code":
            continue
        source = _source(cell)
        if "hide-input" in cell["metadata"].get("tags", []):
            # the HTML toggle reads "展开参考答案": hide-input is for reference solutions only
            assert "strict=True" in source, "hide-input is reserved for exercise reference solutions"
        for name in re.findall(r"(check_\w+)\([^)]*strict=True", source):
            strict_calls.add(name)
            assert "hide-input" in cell["metadata"].get("tags", []), f"{name}: reference cell not hidden in HTML"
            assert cell["metadata"].get("jupyter", {}).get("source_hidden"), f"{name}: not collapsed in JupyterLab"
        for name in re.findall(r"^(check_\w+)\(\w+\)\s*$", source, flags=re.M):
            stub_calls.add(name)
            assert "NotImplementedError" in source, f"{name}: the reader's cell should start as a stub"
    assert strict_calls, "every chapter has self-checking exercises"
    assert strict_calls == stub_calls, f"stubs {sorted(stub_calls)} vs reference solutions {sorted(strict_calls)}"


ANSWER = re.compile(r'<details class="answer">\n<summary>答案</summary>\n\n(.+?)\n\n</details>', re.S)


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.stem)
def test_thought_questions_have_worked_answers_behind_a_toggle(path):
    """思考题 (CONTRIBUTING.md): at least three, each followed by its answer in a fold that both
    the HTML book and JupyterLab render (<details class="answer">, blank lines inside)."""
    markdown = "\n\n".join(_source(c) for c in _cells(path) if c["cell_type"] == "markdown")
    assert "### 思考题" in markdown, "the 练习 section ends with ### 思考题"
    exercises = markdown[markdown.index("## 练习"):]
    assert "### 思考题" in exercises, "思考题 belong to the 练习 section"
    questions = re.split(r"\*\*思考题 [\d.]+\*\*", exercises[exercises.index("### 思考题"):])[1:]
    assert len(questions) >= 3, f"at least 3 思考题, found {len(questions)}"
    for number, text in enumerate(questions, 1):
        answer = ANSWER.search(text)
        assert answer, f"思考题 {number}: no <details class=\"answer\"> fold after the question"
        assert len(answer.group(1).strip()) >= 80, f"思考题 {number}: the answer is not worked out"
    assert markdown.count("<details") == markdown.count("</details>")


def _columns(line):
    return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in line)


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.stem)
def test_code_lines_fit_the_page(path):
    """A code line fits in 83 columns, a Chinese character counting two (CONTRIBUTING.md): the
    browser test finds the same on the built page, this finds it without a build."""
    wide = [line for cell in _cells(path) if cell["cell_type"] == "code"
            for line in _source(cell).splitlines() if _columns(line) > 83]
    assert not wide, f"code lines wider than 83 columns: {wide[:3]}"


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.stem)
def test_every_chapter_a_chapter_names_is_a_link(path):
    """A reader who meets "第 3 章" can click it: each chapter named in the prose is linked at
    least once (the first time, normally), to a notebook that exists."""
    text = "\n".join(_source(c) for c in _cells(path) if c["cell_type"] == "markdown")
    own = int(path.name[:2])
    named = {int(k) for k in re.findall(r"第 (\d+) 章", text)} - {own}
    links = re.findall(r"\[第 (\d+) 章[^\]]*\]\(((\d\d)_[a-z_]+\.ipynb)[^)]*\)", text)
    for number, target, prefix in links:
        assert (ROOT / "book" / target).exists(), f"link to a missing chapter: {target}"
        assert int(prefix) == int(number), f"第 {number} 章 links to {target}"
    assert named <= {int(n) for n, _, _ in links}, f"chapters named but never linked: {sorted(named - {int(n) for n, _, _ in links})}"
