#!/usr/bin/env bash
# Set everything up on a fresh machine and build the HTML book.
#   1. system packages for the browser tests (Chromium, a CJK font for screenshots), when root;
#   2. a virtual environment .venv with the exact tested versions (constraints.txt);
#   3. the helpers package (editable) and the book's offline web assets;
#   4. the HTML book in _build/html (executes every notebook; cached afterwards).
set -euo pipefail
cd "$(dirname "$0")/.."

PYTHON=${PYTHON:-python3}
VENV=.venv

say() { printf '\n==> %s\n' "$*"; }

# --- 1. system packages -------------------------------------------------------------
need_apt=()
[ -x /usr/bin/chromium ] || need_apt+=(chromium)
if ! fc-list 2>/dev/null | grep -qi "wqy"; then need_apt+=(fonts-wqy-microhei); fi
if [ ${#need_apt[@]} -gt 0 ]; then
  if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null; then
    say "Installing system packages: ${need_apt[*]}"
    apt-get update -qq
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${need_apt[@]}" >/dev/null
  else
    echo "NOTE: the browser tests need: ${need_apt[*]}" >&2
    echo "      install them with: sudo apt-get install ${need_apt[*]}" >&2
  fi
fi

# --- 2. Python environment -------------------------------------------------------------
"$PYTHON" -c 'import sys; sys.exit(sys.version_info < (3, 10))' || {
  echo "Python 3.10 or newer is needed (found $("$PYTHON" --version))" >&2; exit 1; }
if [ ! -x "$VENV/bin/python" ]; then
  say "Creating the virtual environment $VENV"
  "$PYTHON" -m venv "$VENV"
fi
say "Installing Python packages (requirements.txt, pinned by constraints.txt)"
"$VENV/bin/python" -m pip install -q -r requirements.txt -c constraints.txt
"$VENV/bin/python" -m pip install -q --no-deps -e .

# --- 3. offline web assets -----------------------------------------------------------
say "Fetching MathJax, require.js and the widget manager into book/_assets/offline"
"$VENV/bin/python" scripts/fetch_web_assets.py

# --- 4. the book -----------------------------------------------------------------------
say "Building the HTML book (the first build runs every notebook)"
"$VENV/bin/python" scripts/build_book.py

cat <<'EOF'

Done. Open the book:
    .venv/bin/python -m http.server --directory _build/html 8000
    then visit http://localhost:8000   (or open _build/html/index.html directly)
Work with the notebooks in JupyterLab:
    .venv/bin/jupyter lab book/
Run the test suite:
    bash scripts/test.sh
EOF
