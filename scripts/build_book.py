"""Build the HTML book into _build/html, executing notebooks through Jupyter Book's cache.

Interactive figures carry every frame only when MLBOOK_STATIC_FIGURES=1 (the HTML book
has no kernel to draw them on demand); this script sets it for the notebooks it runs.

Jupyter Book re-executes a notebook only when its code changes. The figures also
depend on helpers/ and on the pinned packages, so when those change the cache is
cleared first; otherwise a build could show figures drawn by old code.

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


def inputs_digest() -> str:
    """A digest of everything besides the notebooks' code that the executed outputs depend on."""
    digest = hashlib.sha256()
    files = sorted((ROOT / "helpers").rglob("*.py")) + [ROOT / "constraints.txt", ROOT / "_config.yml"]
    for path in files:
        digest.update(str(path.relative_to(ROOT)).encode())
        digest.update(path.read_bytes())
    return digest.hexdigest()


def main() -> int:
    digest = inputs_digest()
    cache = BUILD / ".jupyter_cache"
    extra = []
    if BUILD.exists() and (not STAMP.exists() or STAMP.read_text().strip() != digest):
        print("helpers/, constraints.txt or _config.yml changed (or the last build failed): "
              "clearing the execution cache and rebuilding every page")
        shutil.rmtree(cache, ignore_errors=True)
        # Sphinx keeps its own record of what is up to date, which knows nothing of helpers/.
        extra = ["--all"]
    jupyter_book = Path(sys.executable).parent / "jupyter-book"
    start = time.time()
    env = dict(os.environ, MLBOOK_STATIC_FIGURES="1")  # see helpers/interactive.py
    result = subprocess.run([str(jupyter_book), "build", str(ROOT), "--warningiserror", "--keep-going", *extra],
                            cwd=ROOT, env=env)
    print(f"Book build took {time.time() - start:.0f} s (exit {result.returncode}).")
    if result.returncode == 0:
        STAMP.write_text(digest + "\n")
    else:
        STAMP.unlink(missing_ok=True)
    return result.returncode


if __name__ == "__main__":
    sys.exit(main())
