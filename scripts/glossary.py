"""Write the book's vocabulary table and glossary from the chapters and book/_data/vocabulary.yml.

Two outputs, both plain MyST pages that the book builds without executing anything:

- book/conventions.md (记号与术语): the table between its "vocabulary:" markers is written from
  book/_data/vocabulary.yml (the book's word, its English name, other books' words);
- book/glossary.md (术语表): every term a chapter introduces, found where it is introduced. A
  chapter introduces a term the first time it writes it in bold followed by its English name in
  full-width parentheses, "**泛化**（generalization）", in a sentence that says what it means.
  The glossary lists the term, the English name (up to the first "，"), that sentence and a link
  to the section it is in, in the order of _toc.yml; a later chapter's pair for a term already
  listed is not listed again. A new chapter's terms appear when this script runs, which
  scripts/build_book.py does before every build.

The vocabulary rule itself (no rejected variant in the book) is tests/test_vocabulary.py.

Usage: python scripts/glossary.py            (rewrite both pages)
       python scripts/glossary.py --check    (exit 1 if either page is out of date)
"""

from __future__ import annotations

import argparse
import json
import re
import sys
from dataclasses import dataclass
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parents[1]
BOOK = ROOT / "book"
VOCABULARY = BOOK / "_data" / "vocabulary.yml"
CONVENTIONS = BOOK / "conventions.md"
GLOSSARY = BOOK / "glossary.md"
TOC = ROOT / "_toc.yml"
# A rejected word may still appear in a sentence that names it as another book's word.
ALLOW_MARKERS = ("也叫", "又叫", "也称", "又称", "有的书", "其他书", "别的书", "原教程")

PAIR = re.compile(r"\*\*([^*\n]{1,24}?)\*\*（([^）\n]{1,80})）")
HEADING = re.compile(r"^(#{1,6})\s+(.*?)\s*$", re.MULTILINE)
SENTENCE_END = "。！？；"
VOCAB_START = "<!-- vocabulary: written by scripts/glossary.py"
VOCAB_END = "<!-- vocabulary: end -->"


@dataclass(frozen=True)
class Entry:
    term: str
    english: str
    meaning: str
    page: str        # file name relative to book/, e.g. 02_knn.ipynb
    section: str     # the heading's text as the reader sees it
    slug: str        # MyST's anchor for that heading


def load_vocabulary() -> list[dict]:
    entries = yaml.safe_load(VOCABULARY.read_text(encoding="utf-8"))
    for entry in entries:
        unknown = set(entry) - {"term", "en", "others", "reject", "allow_if"}
        if unknown or "term" not in entry or "en" not in entry:
            raise ValueError(f"{VOCABULARY}: bad entry {entry!r}")
    return entries


def sentence_around(text: str, start: int, end: int, marks: str = "。！？\n") -> str:
    """The sentence that holds text[start:end]: from the mark before it to the mark after it,
    that closing mark included unless it is a line break."""
    left = max(text.rfind(mark, 0, start) for mark in marks)
    rights = [i for i in (text.find(mark, end) for mark in marks) if i != -1]
    right = min(rights) if rights else len(text)
    return text[left + 1:right + 1 if right < len(text) and text[right] != "\n" else right]


def rejected_uses(text: str, vocabulary: list[dict]) -> list[tuple[str, str, str]]:
    """Every use of a rejected word in text: (the word, the book's word for it, the sentence).

    A sentence that names the word as another book's (ALLOW_MARKERS), or that matches the
    entry's allow_if, is not a use.
    """
    found = []
    for entry in vocabulary:
        allow_if = re.compile(entry["allow_if"]) if entry.get("allow_if") else None
        for pattern in entry.get("reject", []):
            for match in re.finditer(pattern, text):
                sentence = sentence_around(text, match.start(), match.end())
                if any(marker in sentence for marker in ALLOW_MARKERS):
                    continue
                if allow_if is not None and allow_if.search(sentence):
                    continue
                found.append((match.group(0), entry["term"], sentence.strip()))
    return found


def chapter_files() -> list[Path]:
    """The pages of _toc.yml in reading order, without this script's own two pages."""
    toc = yaml.safe_load(TOC.read_text(encoding="utf-8"))
    files = [toc["root"]] + [item["file"] for item in toc.get("chapters", [])]
    paths = []
    for name in files:
        for suffix in (".ipynb", ".md"):
            path = ROOT / f"{name}{suffix}"
            if path.exists() and path not in (CONVENTIONS, GLOSSARY):
                paths.append(path)
    return paths


def markdown_cells(path: Path) -> list[str]:
    if path.suffix == ".md":
        return [path.read_text(encoding="utf-8")]
    notebook = json.loads(path.read_text(encoding="utf-8"))
    return ["".join(cell["source"]) for cell in notebook["cells"]
            if cell["cell_type"] == "markdown"]


def heading_title(raw: str) -> str:
    """A heading as the reader sees it: code and bold without their markers."""
    text = re.sub(r"`([^`]*)`", r"\1", raw)
    return re.sub(r"\*\*|\*", "", text).strip()


def heading_slug(raw: str) -> str:
    """MyST's anchor for a heading (myst_parser's default_slugify of its text and code parts)."""
    from myst_parser.mdit_to_docutils.base import default_slugify

    return default_slugify(heading_title(re.sub(r"\$[^$]*\$", "", raw)))   # math is not in it


def plain_sentence(text: str, start: int, end: int) -> str:
    """The sentence around text[start:end] (up to 。！？；), as a one-line MyST string."""
    sentence = sentence_around(text, start, end, SENTENCE_END + "\n")
    sentence = re.sub(r"^\s*(?:[-*+]|\d+\.)\s+", "", sentence)       # a list item's marker
    sentence = re.sub(r"\{glue:[a-z]+\}`[^`]*`", "…", sentence)      # glue is per page
    sentence = re.sub(r"\[([^\]]*)\]\([^)]*\)", r"\1", sentence)     # links
    sentence = sentence.replace("**", "").strip().rstrip("：:，,；;")
    return sentence + ("" if sentence.endswith(tuple("。！？")) else "。")


def collect_entries() -> tuple[list[Entry], list[Entry]]:
    """The first-use pairs of the chapters: (terms, data sets), each in reading order."""
    terms: dict[str, Entry] = {}
    datasets: dict[str, Entry] = {}
    for path in chapter_files():
        page = path.relative_to(BOOK).as_posix()
        slugs: dict[str, int] = {}
        section, slug = "", ""
        for cell in markdown_cells(path):
            # Walk the cell's headings and pairs in order of position.
            marks = [(m.start(), "h", m) for m in HEADING.finditer(cell)]
            # A pair in a table row or a heading is not a first use: the sentence is not there.
            marks += [(m.start(), "p", m) for m in PAIR.finditer(cell)
                      if not re.match(r"\s*[|#]", cell[cell.rfind("\n", 0, m.start()) + 1:])]
            for _, kind, match in sorted(marks, key=lambda item: item[0]):
                if kind == "h":
                    raw = match.group(2)
                    section = heading_title(raw)
                    base = heading_slug(raw)
                    count = slugs.get(base, 0)
                    slugs[base] = count + 1
                    slug = base if count == 0 else f"{base}-{count}"
                    continue
                term = match.group(1).strip()
                english = match.group(2).split("，")[0].strip()
                if not re.search(r"[A-Za-z]", english) or not section:
                    continue
                entry = Entry(term, english, plain_sentence(cell, match.start(), match.end()),
                              page, section, slug)
                target = datasets if term.endswith("数据集") else terms
                target.setdefault(term, entry)
    return list(terms.values()), list(datasets.values())


def cell(text: str) -> str:
    return text.replace("|", "\\|")


def vocabulary_table(vocabulary: list[dict]) -> str:
    lines = ["| 本书用词 | English | 别的书里也叫 | 本书不用 |", "| --- | --- | --- | --- |"]
    for entry in vocabulary:
        others = "、".join(entry.get("others", []))
        rejected = "、".join(word.replace(" ?", "")
                            for word in entry.get("reject", []))
        lines.append(f"| {cell(entry['term'])} | {cell(entry['en'])} | {cell(others)} "
                     f"| {cell(rejected)} |")
    return "\n".join(lines)


def conventions_text(vocabulary: list[dict]) -> str:
    text = CONVENTIONS.read_text(encoding="utf-8")
    start = text.index(VOCAB_START)
    start_line_end = text.index("\n", start) + 1
    end = text.index(VOCAB_END)
    return text[:start_line_end] + vocabulary_table(vocabulary) + "\n" + text[end:]


def link(entry: Entry) -> str:
    title = entry.section.replace("[", "\\[").replace("]", "\\]")
    return f"[{cell(title)}]({entry.page}#{entry.slug})"


def glossary_text(vocabulary: list[dict]) -> str:
    terms, datasets = collect_entries()
    others = {entry["term"]: "、".join(entry.get("others", [])) for entry in vocabulary}
    lines = [
        "# 术语表",
        "",
        "本书引入的每一个术语：英文名、一句话的意思（取自它第一次出现的那句话）和出处。",
        "这一页由 `scripts/glossary.py` 从各章自动生成，每章新引入的术语会自动加进来；",
        "别的书里的不同叫法见[记号与术语](conventions.md)。",
        "",
        f"共 {len(terms)} 个术语，按在书中第一次出现的顺序排列。",
        "",
        "| 术语 | English | 意思 | 出处 |",
        "| --- | --- | --- | --- |",
    ]
    for entry in terms:
        name = entry.term
        if others.get(name):
            name += f"（也叫{others[name]}）"
        lines.append(f"| **{cell(name)}** | {cell(entry.english)} | {cell(entry.meaning)} "
                     f"| {link(entry)} |")
    if datasets:
        lines += ["", "## 书中用到的数据集", "",
                  "全部随 scikit-learn 安装，或用固定随机种子生成，运行时不下载任何东西。", "",
                  "| 数据集 | English | 介绍 | 出处 |", "| --- | --- | --- | --- |"]
        for entry in datasets:
            lines.append(f"| **{cell(entry.term)}** | {cell(entry.english)} "
                         f"| {cell(entry.meaning)} | {link(entry)} |")
    return "\n".join(lines) + "\n"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--check", action="store_true",
                        help="exit 1 if book/conventions.md or book/glossary.md is out of date")
    args = parser.parse_args(argv)
    vocabulary = load_vocabulary()
    outputs = {CONVENTIONS: conventions_text(vocabulary), GLOSSARY: glossary_text(vocabulary)}
    stale = [path for path, text in outputs.items()
             if not path.exists() or path.read_text(encoding="utf-8") != text]
    if args.check:
        for path in stale:
            print(f"{path.relative_to(ROOT)} is out of date: run python scripts/glossary.py",
                  file=sys.stderr)
        return 1 if stale else 0
    for path in stale:
        path.write_text(outputs[path], encoding="utf-8")
        print(f"wrote {path.relative_to(ROOT)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
