"""Run All time and redraw latency of every chapter's interactive figures, in JupyterLab.

Starts JupyterLab on copies of the chapters, and for each chapter: runs every cell in
headless Chromium (timed), then moves every control of every figure (sliders, toggles,
dropdowns) several times and times each move from the input event to the redrawn
figure (its DOM change plus the two animation frames that paint it; a figure that says
"计算中…" is not redrawn yet). In a kernel the frames are drawn on demand, so the first
visit of a frame includes computing it.

Prints, per chapter: Run All seconds, and the median and maximum redraw in ms.
Exit status 1 if the KNN chapter's median is above 150 ms or its Run All above 10 s.

Usage: .venv/bin/python scripts/measure_slider_latency.py [--moves 6] [chapter ...]
"""

from __future__ import annotations

import argparse
import statistics
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from tests.support import widgets  # noqa: E402
from tests.support.browser import launch  # noqa: E402
from tests.support.jupyterlab import (close_notebooks, lab_server, open_lab,  # noqa: E402
                                     open_notebook, run_all)


def measure_chapter(page, server, chapter: Path, moves: int) -> dict:
    try:
        open_notebook(page, server.base, server.notebook(chapter.name))
        seconds, _ = run_all(page, server.base, server.notebook(chapter.name))
        samples: list[float] = []
        figures = widgets.figures(page)
        for i in range(figures.count()):
            figure = figures.nth(i)
            figure.scroll_into_view_if_needed()
            for control, kind, label in widgets.controls(figure):
                for m in range(moves):
                    ms = widgets.move(page, figure, control, kind, backward=(m // 3) % 2 == 1)
                    if ms < 0:
                        raise SystemExit(f"{chapter.name} figure {i}: moving {kind} '{label}' changed nothing")
                    samples.append(ms)
        return {"run_all_s": seconds, "moves": len(samples), "median_ms": statistics.median(samples),
                "max_ms": max(samples)}
    finally:
        close_notebooks(page)
        server.shut_down_kernels()


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--moves", type=int, default=6, help="moves per control")
    parser.add_argument("chapters", nargs="*", help="notebook names, e.g. 02_knn.ipynb (default: all)")
    args = parser.parse_args()
    chapters = sorted((ROOT / "book").glob("[0-9][0-9]_*.ipynb"))
    if args.chapters:
        chapters = [c for c in chapters if c.name in args.chapters or c.stem in args.chapters]
    results = {}
    with lab_server(*chapters) as server, launch() as browser:
        page = browser.new_page(viewport={"width": 1400, "height": 1000})
        open_lab(page, server.base)
        for chapter in chapters:
            results[chapter.stem] = r = measure_chapter(page, server, chapter, args.moves)
            print(f"{chapter.stem:28s} Run All {r['run_all_s']:5.1f} s   redraw over {r['moves']:3d} moves: "
                  f"median {r['median_ms']:6.1f} ms, max {r['max_ms']:6.1f} ms", flush=True)
    knn = results.get("02_knn")
    if knn and (knn["median_ms"] > 150 or knn["run_all_s"] > 10):
        print("KNN chapter over its budget (median redraw 150 ms, Run All 10 s)")
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
