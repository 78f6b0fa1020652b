"""Put the book's JavaScript (MathJax, require.js, the widget manager) into the built site.

The rendered book must work offline, so these files are served by the site
itself instead of a CDN. They are fetched once, at setup time, from the npm
registry, checked against the sha512 integrity that npm publishes, and
unpacked into ``book/_assets/offline/`` (not committed; ``_config.yml`` lists
``book/_assets`` as a static path, so the files end up in ``_build/html/_static/offline/``).

Usage: python scripts/fetch_web_assets.py [--force]
"""

from __future__ import annotations

import argparse
import base64
import hashlib
import io
import json
import shutil
import sys
import tarfile
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
VENDOR = ROOT / "book" / "_assets" / "offline"
REGISTRY = "https://registry.npmjs.org"

# name, version, sha512 integrity (from `npm view <pkg>@<version> dist.integrity`),
# target folder, and the files of the package to keep (paths inside the tarball).
PACKAGES = [
    {
        "name": "mathjax",
        "version": "3.2.2",
        "integrity": "sha512-Bt+SSVU8eBG27zChVewOicYs7Xsdt40qm4+UpHyX7k0/O9NliPc+x77k1/FEsPsjKPZGJvtRZM1vO+geW0OhGw==",
        "target": "mathjax",
        # tex-svg-full: every TeX extension built in and SVG output with its own glyph
        # paths (no font files). ui/lazy.js typesets an equation when it scrolls into view:
        # a long chapter's 150 equations would otherwise hold up its widgets for a second.
        "files": ["package/es5/tex-svg-full.js", "package/es5/ui/lazy.js", "package/LICENSE"],
        "keep_below": "package/es5/",
    },
    {
        "name": "requirejs",
        "version": "2.3.8",
        "integrity": "sha512-7/cTSLOdYkNBNJcDMWf+luFvMriVm7eYxp4BcFCsAX0wF421Vyce5SXP17c+Jd5otXKGNehIonFlyQXSowL6Mw==",
        "target": "requirejs",
        "files": ["package/require.js", "package/package.json"],
    },
    {
        "name": "@jupyter-widgets/html-manager",
        "version": "1.0.15",
        "integrity": "sha512-5thBIV6ymNgmPVOHvzx+gGy8ZSKmSazhtGw4/c4xJDVzRhG9PTeQsRjF3FUTopvFi//SABeNz1yp47bCrJ3CQA==",
        "target": "html-manager",
        # embed-amd.js loads its icon fonts relative to its own URL.
        "files": ["package/dist/embed-amd.js", "package/dist/*.woff2", "package/dist/*.woff", "package/package.json"],
    },
]


def tarball_url(name: str, version: str) -> str:
    base = name.split("/")[-1]
    return f"{REGISTRY}/{name}/-/{base}-{version}.tgz"


def check_integrity(data: bytes, integrity: str) -> None:
    algo, _, expected = integrity.partition("-")
    digest = base64.b64encode(hashlib.new(algo, data).digest()).decode()
    if digest != expected:
        raise SystemExit(f"校验失败 (integrity check failed): expected {integrity}, got {algo}-{digest}")


def wanted(member: str, patterns: list[str]) -> bool:
    from fnmatch import fnmatch

    return any(fnmatch(member, p) for p in patterns)


def fetch(package: dict, force: bool) -> None:
    target = VENDOR / package["target"]
    stamp = target / ".integrity"
    wanted_stamp = package["integrity"] + " " + " ".join(package["files"])  # a new file list fetches again
    if not force and stamp.is_file() and stamp.read_text().strip() == wanted_stamp:
        print(f"  {package['name']}@{package['version']}: already in place")
        return
    url = tarball_url(package["name"], package["version"])
    print(f"  {package['name']}@{package['version']}: downloading {url}")
    with urllib.request.urlopen(url, timeout=120) as response:
        data = response.read()
    check_integrity(data, package["integrity"])
    if target.exists():
        shutil.rmtree(target)
    target.mkdir(parents=True)
    kept = 0
    with tarfile.open(fileobj=io.BytesIO(data), mode="r:gz") as tar:
        for member in tar.getmembers():
            if member.isfile() and wanted(member.name, package["files"]):
                # Files below `keep_below` keep their sub-folders (MathJax loads ui/lazy.js
                # relative to itself); others land flat in the target folder.
                below = package.get("keep_below")
                relative = member.name[len(below):] if below and member.name.startswith(below) else Path(member.name).name
                (target / relative).parent.mkdir(parents=True, exist_ok=True)
                (target / relative).write_bytes(tar.extractfile(member).read())
                kept += 1
    if kept == 0:
        raise SystemExit(f"{package['name']}: no files matched {package['files']}")
    stamp.write_text(wanted_stamp + "\n")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--force", action="store_true", help="download again even if present")
    args = parser.parse_args()
    print("Fetching the book's web assets (MathJax, require.js, widget manager):")
    for package in PACKAGES:
        fetch(package, args.force)
    manifest = {p["target"]: f"{p['name']}@{p['version']}" for p in PACKAGES}
    (VENDOR / "manifest.json").write_text(json.dumps(manifest, indent=2) + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
