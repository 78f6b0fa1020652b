"""Build the HTML book into _build/html, executing notebooks through Jupyter Book's cache.

Interactive figures carry every frame only when MLBOOK_STATIC_FIGURES=1 (the HTML book
has no kernel to draw them on demand); this script sets it for the notebooks it runs.

Jupyter Book re-executes a notebook only when its code changes. The figures also
depend on helpers/ and on the pinned packages, so when those change the cache is
cleared first; otherwise a build could show figures drawn by old code.

Sphinx writes nothing, not even the static files, when no page changed, and it does not
watch the book's own CSS/JS (book/_assets/mlbook/) or the search dictionary
(book/_search/terms.txt). When those change, every page is written again (--all), from the
execution cache.

When nothing the book is made of has changed since the last successful build (a digest of
book/, helpers/, the configuration and the pins), the build is skipped: the test command
calls this script every time, and Sphinx alone needs ~10 s to find that nothing changed.

Usage: python scripts/build_book.py        (exit status of jupyter-book; -W --keep-going)
"""

from __future__ import annotations

import hashlib
import os
import shutil
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
BUILD = ROOT / "_build"
STAMP = BUILD / ".inputs-sha256"
PAGES_STAMP = BUILD / ".pages-sha256"
SOURCES_STAMP = BUILD / ".sources-sha256"


def inputs_digest() -> str:
    """A digest of everything besides the notebooks' code that the executed outputs depend on."""
    files = sorted((ROOT / "helpers").rglob("*.py")) + [ROOT / "constraints.txt", ROOT / "_config.yml"]
    return _digest(files)


def pages_digest() -> str:
    """A digest of the files the pages use that Sphinx does not watch (the site's own scripts and
    styles, the search dictionary, the book's Sphinx extensions in book/_ext)."""
    files = sorted(p for p in (ROOT / "book" / "_assets" / "mlbook").rglob("*") if p.is_file())
    files += sorted((ROOT / "book" / "_ext").rglob("*.py"))
    return _digest(files + [ROOT / "book" / "_search" / "terms.txt"])


def sources_digest() -> str:
    """A digest of everything the built book is made of (the pages, the code, the settings)."""
    book = [p for p in (ROOT / "book").rglob("*") if p.is_file() and ".ipynb_checkpoints" not in p.parts]
    files = sorted(book) + [ROOT / "_toc.yml", ROOT / "scripts" / "build_book.py"]
    return _digest(files) + inputs_digest()


def _digest(files: list[Path]) -> str:
    digest = hashlib.sha256()
    for path in files:
        digest.update(str(path.relative_to(ROOT)).encode())
        digest.update(path.read_bytes())
    return digest.hexdigest()


def main() -> int:
    # The glossary and the vocabulary table are written from the chapters: bring them up to date.
    subprocess.run([sys.executable, str(ROOT / "scripts" / "glossary.py")], cwd=ROOT, check=True)
    sources = sources_digest()
    if (BUILD / "html" / "index.html").exists() and SOURCES_STAMP.exists() \
            and SOURCES_STAMP.read_text().strip() == sources:
        print("the book is up to date (nothing in book/, helpers/ or the settings changed)")
        return 0
    digest = inputs_digest()
    cache = BUILD / ".jupyter_cache"
    stale_outputs = BUILD.exists() and (not STAMP.exists() or STAMP.read_text().strip() != digest)
    if stale_outputs:
        print("helpers/, constraints.txt or _config.yml changed (or the last build failed): "
              "clearing the execution cache")
        shutil.rmtree(cache, ignore_errors=True)
    pages = pages_digest()
    # Sphinx keeps its own record of what is up to date, which knows nothing of these files.
    write_all = stale_outputs or not PAGES_STAMP.exists() or PAGES_STAMP.read_text().strip() != pages
    if write_all:
        print("writing every page again")
    jupyter_book = Path(sys.executable).parent / "jupyter-book"
    start = time.time()
    command = [str(jupyter_book), "build", str(ROOT), "--warningiserror", "--keep-going"]
    env = dict(os.environ, MLBOOK_STATIC_FIGURES="1")  # every frame in the page: see helpers/interactive.py
    result = subprocess.run(command + (["--all"] if write_all else []), cwd=ROOT, env=env)
    print(f"Book build took {time.time() - start:.0f} s (exit {result.returncode}).")
    if result.returncode == 0:
        STAMP.write_text(digest + "\n")
        PAGES_STAMP.write_text(pages + "\n")
        SOURCES_STAMP.write_text(sources + "\n")
    else:
        STAMP.unlink(missing_ok=True)
        PAGES_STAMP.unlink(missing_ok=True)
        SOURCES_STAMP.unlink(missing_ok=True)
    return result.returncode


if __name__ == "__main__":
    sys.exit(main())
