"""Median time for a K-slider move to redraw the KNN figure in JupyterLab.

Starts JupyterLab on a copy of book/02_knn.ipynb, runs every cell in headless
Chromium, then moves the K slider of the first interactive figure N times (keyboard
events on the slider handle). Each sample is the time from the key event to the
figure's DOM change plus the next two animation frames (the frame that paints it).

Usage: .venv/bin/python scripts/measure_slider_latency.py [--moves 30]
"""

from __future__ import annotations

import argparse
import statistics
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from tests.support.browser import launch  # noqa: E402
from tests.support.jupyterlab import figure_slider, lab_server, open_and_run_all  # noqa: E402

MEASURE_JS = """
([body, handle, key]) => new Promise(resolve => {
  const t0 = performance.now();
  const observer = new MutationObserver(() => {
    observer.disconnect();
    requestAnimationFrame(() => requestAnimationFrame(() => resolve(performance.now() - t0)));
  });
  observer.observe(body, {subtree: true, childList: true, attributes: true});
  handle.dispatchEvent(new KeyboardEvent("keydown", {key, bubbles: true, cancelable: true}));
  setTimeout(() => { observer.disconnect(); resolve(-1); }, 5000);
})
"""


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--moves", type=int, default=30)
    args = parser.parse_args()
    with lab_server(ROOT / "book" / "02_knn.ipynb") as (base, notebook), launch() as browser:
        page = browser.new_page(viewport={"width": 1400, "height": 1000})
        seconds, _ = open_and_run_all(page, base, notebook)
        print(f"JupyterLab ran every cell in {seconds:.1f} s")
        figure, slider = figure_slider(page, 0, "K")
        body = figure.locator(".mlbook-figure-body").element_handle()
        handle = slider.locator(".noUi-handle").element_handle()
        samples = []
        for i in range(args.moves):
            key = "ArrowRight" if (i // 10) % 2 == 0 else "ArrowLeft"  # stay inside K = 1..25
            ms = page.evaluate(MEASURE_JS, [body, handle, key])
            if ms < 0:
                raise SystemExit(f"move {i}: the figure did not change within 5 s")
            samples.append(ms)
        print(f"K-slider redraw over {len(samples)} moves: median {statistics.median(samples):.1f} ms, "
              f"min {min(samples):.1f} ms, max {max(samples):.1f} ms")
        return 0 if statistics.median(samples) < 100 else 1


if __name__ == "__main__":
    sys.exit(main())
