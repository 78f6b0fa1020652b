"""The rendered book in headless Chromium, offline: every page, every equation, every control.

The module builds the book first (Jupyter Book's execution cache makes a rebuild of
unchanged notebooks quick), serves _build/html on 127.0.0.1 and blocks every other
request. Screenshots land in tests/artifacts/browser/ for a human to look at.
"""

from __future__ import annotations

import json
import subprocess
import sys
import time
from pathlib import Path

import pytest
import yaml

from tests.support.browser import block_external, launch, serve

ROOT = Path(__file__).resolve().parents[1]
HTML = ROOT / "_build" / "html"
ARTIFACTS = ROOT / "tests" / "artifacts" / "browser"


def _pages() -> list[str]:
    toc = yaml.safe_load((ROOT / "_toc.yml").read_text(encoding="utf-8"))
    return [toc["root"]] + [c["file"] for c in toc.get("chapters", [])]


PAGES = _pages()


@pytest.fixture(scope="module")
def site():
    start = time.time()
    result = subprocess.run([sys.executable, str(ROOT / "scripts" / "build_book.py")],
                            capture_output=True, text=True, cwd=ROOT)
    seconds = time.time() - start
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    (ARTIFACTS / "build.log").write_text(result.stdout + result.stderr, encoding="utf-8")
    assert result.returncode == 0, f"book build failed:\n{result.stdout[-3000:]}\n{result.stderr[-3000:]}"
    print(f"\nbook build: {seconds:.1f} s")
    with serve(HTML) as url, launch() as browser:
        yield url, browser


def _open(site, page_path, query=""):
    url, browser = site
    page = browser.new_page(viewport={"width": 1280, "height": 1000})
    blocked = block_external(page, (url,))
    errors: list[str] = []
    page.on("pageerror", lambda e: errors.append(str(e)))
    page.goto(f"{url}/{page_path}.html{query}", wait_until="load")
    # MathJax 3 typesets after its startup promise; widgets render after the load event.
    page.wait_for_function("() => !window.MathJax || (window.MathJax.startup && window.MathJax.startup.promise)")
    page.evaluate("() => window.MathJax && window.MathJax.startup ? window.MathJax.startup.promise : null")
    return page, blocked, errors


def _figure_png(figure) -> bytes:
    return figure.locator(".mlbook-figure-body").screenshot()


def _move(page, figure, control, kind: str, slug: str) -> bool:
    """Move one control and report whether the figure (not the control's own label) changed."""
    before = _figure_png(figure)
    if kind == "slider":
        handle = control.locator(".noUi-handle")
        handle.focus()
        at_max = handle.get_attribute("aria-valuenow") == handle.get_attribute("aria-valuemax")
        handle.press("ArrowLeft" if at_max else "ArrowRight")
    elif kind == "toggle":
        buttons = control.locator("button")
        target = next(i for i in range(buttons.count()) if "mod-active" not in (buttons.nth(i).get_attribute("class") or ""))
        buttons.nth(target).click()
    else:
        select = control.locator("select")
        options = select.locator("option")
        current = select.evaluate("s => s.selectedIndex")
        select.select_option(index=(current + 1) % options.count())
    deadline = time.time() + 3
    while time.time() < deadline:
        page.wait_for_timeout(100)
        after = _figure_png(figure)
        if after != before:
            (ARTIFACTS / f"{slug}.png").write_bytes(after)
            return True
    return False


@pytest.mark.parametrize("page_path", PAGES)
def test_page_offline_math_and_widgets(site, page_path):
    page, blocked, errors = _open(site, page_path)
    slug = page_path.replace("/", "_")
    try:
        html = page.content()
        # 1. nothing from the internet, no JavaScript error
        assert blocked == [], f"requests that left the machine: {blocked}"
        assert errors == [], f"page errors: {errors}"
        # 2. every equation typeset by MathJax, none left as raw TeX
        n_math = page.locator(".math").count()
        if n_math:
            page.wait_for_function(f"() => document.querySelectorAll('mjx-container').length >= {n_math}",
                                   timeout=20000)
            raw = page.locator(".math").evaluate_all(
                "els => els.filter(e => !e.querySelector('mjx-container')).map(e => e.textContent)")
            assert raw == [], f"equations MathJax did not render: {raw[:3]}"
        main_text = page.locator("main").inner_text()
        assert "Glyph" not in main_text and "missing from font" not in main_text
        prose = page.evaluate("""() => { const m = document.querySelector('main').cloneNode(true);
            m.querySelectorAll('pre, code, .highlight, .cell_output, mjx-container, script')
             .forEach(e => e.remove()); return m.innerText; }""")
        assert "$$" not in prose, "display math left unparsed in the text"
        assert "**" not in prose, "Markdown bold left unparsed (a ** next to punctuation?)"
        # 3. every widget output rendered as an interactive figure with a visible picture
        n_views = html.count("application/vnd.jupyter.widget-view+json")
        figures = page.locator(".mlbook-interactive")
        if n_views:
            page.wait_for_function(f"() => document.querySelectorAll('.mlbook-interactive').length >= {n_views}",
                                   timeout=30000)
        assert figures.count() == n_views, f"{n_views} widget outputs but {figures.count()} figures rendered"
        page.screenshot(path=str(ARTIFACTS / f"{slug}.png"), full_page=True)
        report = {"page": page_path, "equations": n_math, "figures": n_views, "controls": []}
        # 4. every control changes what the figure shows
        for i in range(figures.count()):
            figure = figures.nth(i)
            figure.scroll_into_view_if_needed()
            images = figure.locator(".mlbook-figure-body img")
            if images.count():
                widths = images.evaluate_all("imgs => imgs.filter(i => i.offsetParent).map(i => i.naturalWidth)")
                assert widths and all(w > 0 for w in widths), f"figure {i}: picture not rendered"
            figure.screenshot(path=str(ARTIFACTS / f"{slug}_fig{i}.png"))
            controls = [(c, "slider") for c in figure.locator(".widget-hslider").all()]
            controls += [(c, "toggle") for c in figure.locator(".widget-toggle-buttons").all()]
            controls += [(c, "dropdown") for c in figure.locator(".widget-dropdown").all()]
            assert controls, f"figure {i} has no controls"
            for j, (control, kind) in enumerate(controls):
                label = control.locator(".widget-label").first.inner_text()
                changed = _move(page, figure, control, kind, f"{slug}_fig{i}_{kind}{j}")
                report["controls"].append({"figure": i, "control": label, "kind": kind, "changes_figure": changed})
                assert changed, f"figure {i}: moving {kind} '{label}' did not change the figure"
        (ARTIFACTS / f"{slug}.json").write_text(json.dumps(report, ensure_ascii=False, indent=1), encoding="utf-8")
    finally:
        page.close()


def test_front_page_links_every_chapter(site):
    page, blocked, errors = _open(site, "book/index")
    try:
        hrefs = page.locator("nav.bd-links a").evaluate_all("as => as.map(a => a.getAttribute('href'))")
        for entry in PAGES[1:]:
            name = Path(entry).name
            assert any(name in (h or "") for h in hrefs), f"{name} missing from the navigation"
        assert blocked == [] and errors == []
    finally:
        page.close()


# Chinese search (jieba + book/_search/terms.txt + book/_assets/mlbook/search-zh.js): a query
# and a chapter that must be among its results.
SEARCHES = [
    ("交叉熵", "04_softmax_regression"),
    ("独热编码", "04_softmax_regression"),
    ("数值稳定", "04_softmax_regression"),
    ("欧氏距离", "02_knn"),
    ("曼哈顿距离", "02_knn"),
    ("过拟合", "02_knn"),
    ("决策边界", "02_knn"),
    ("多数投票", "02_knn"),
    ("学习率", "03_linear_regression"),
    ("正规方程", "03_linear_regression"),
    ("解析解", "03_linear_regression"),
    ("反向传播", "03_linear_regression"),
    ("混淆矩阵", "01_intro"),
    ("混淆矩阵", "04_softmax_regression"),
    ("召回率", "01_intro"),
    ("数据泄露", "01_intro"),
    ("标准化", "01_intro"),
    ("标准化", "03_linear_regression"),
    ("随机梯度下降", "03_linear_regression"),   # no space typed: cut into 随机 + 梯度下降
    ("交叉熵损失函数", "04_softmax_regression"),
]


@pytest.mark.parametrize("query, chapter", SEARCHES, ids=[f"q{i:02d}-{c[:2]}" for i, (_, c) in enumerate(SEARCHES)])
def test_chinese_search_finds_the_chapter(site, query, chapter):
    page, blocked, errors = _open(site, "search", f"?q={query}")
    try:
        # searchtools.js writes the summary ("搜索完成，匹配到 N 页。") once every result is listed
        page.wait_for_function("() => (document.querySelector('#search-results .search-summary') || {})"
                               ".textContent", timeout=20000)
        hrefs = page.locator("#search-results ul.search li a").evaluate_all(
            "as => as.map(a => a.getAttribute('href'))")
        assert any(chapter in h for h in hrefs), f"searching {query!r} did not list {chapter}: {hrefs}"
        assert blocked == [] and errors == []
    finally:
        page.close()


# Every code block and printed output, reference solutions opened: (page, first line too wide).
WIDE_CODE_JS = """() => {
    document.querySelectorAll('main details').forEach(d => { d.open = true; });
    const found = [];
    for (const pre of document.querySelectorAll('main div.highlight pre, main pre')) {
        if (found.some(f => f.pre === pre) || pre.scrollWidth <= pre.clientWidth + 1) continue;
        const style = getComputedStyle(pre);
        const room = pre.clientWidth - parseFloat(style.paddingLeft) - parseFloat(style.paddingRight);
        const lines = pre.innerText.split('\\n');
        const width = line => {
            const probe = document.createElement('span');
            probe.style.cssText = 'position:absolute;visibility:hidden;white-space:pre';
            probe.textContent = line;
            pre.appendChild(probe);
            const w = probe.getBoundingClientRect().width;
            probe.remove();
            return w;
        };
        const widths = lines.map(width);
        const first = widths.findIndex(w => w > room + 1);
        const line = first >= 0 ? lines[first] : lines[widths.indexOf(Math.max(...widths))];
        found.push({pre, scroll: pre.scrollWidth, client: pre.clientWidth, line});
    }
    return found.map(({scroll, client, line}) => ({scroll, client, line}));
}"""


@pytest.mark.parametrize("page_path", PAGES)
def test_no_code_block_scrolls_sideways(site, page_path):
    """At 1280 px no code line or printed line needs a horizontal scroll bar to be read."""
    page, blocked, errors = _open(site, page_path)
    try:
        wide = page.evaluate(WIDE_CODE_JS)
        assert not wide, (f"{page_path}: {len(wide)} code/output block(s) scroll sideways at 1280 px; "
                          f"first offending line ({wide[0]['scroll']} px > {wide[0]['client']} px): "
                          f"{wide[0]['line']!r}")
    finally:
        page.close()
