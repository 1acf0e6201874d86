#!/usr/bin/env bash
# End-to-end test of `deterrence-sim serve` in a real browser: installs Chromium, its WebDriver and
# Python's selenium if missing, starts the server on a free port, runs .ci/browser.py against it
# (page numbers equal the CLI's summary.csv, a moved control redraws, a bad value shows the CLI's
# message, a replay matches `replay --json`) and leaves screenshots in target/browser/.
set -euo pipefail
cd "$(dirname "$0")/.."
start=$(date +%s)
need=()
command -v chromium >/dev/null || need+=(chromium)
command -v chromedriver >/dev/null || need+=(chromium-driver)
python3 -c 'import ensurepip, venv' 2>/dev/null || need+=(python3-venv)
if [ ${#need[@]} -gt 0 ]; then
  echo "== apt-get install ${need[*]}"
  apt-get update -q
  DEBIAN_FRONTEND=noninteractive apt-get install -y -q "${need[@]}"
fi
venv=target/browser-venv
if ! "$venv/bin/python" -c 'import selenium' 2>/dev/null; then
  python3 -m venv "$venv"
  "$venv/bin/pip" install -q 'selenium>=4.20'
fi
cargo build --release -q
bin=target/release/deterrence-sim
log=$(mktemp)
"$bin" serve configs/default.toml --port 0 > "$log" 2>&1 &
pid=$!
trap 'kill $pid 2>/dev/null || true; rm -f "$log"' EXIT
for _ in $(seq 100); do grep -q 'http://' "$log" && break; sleep 0.1; done
url=$(grep -o 'http://[^ ]*' "$log" | head -1)
[ -n "$url" ] || { cat "$log"; echo "the server did not start"; exit 1; }
echo "== browser test against $url"
"$venv/bin/python" .ci/browser.py "$url" "$bin" target/browser
echo "browser test finished in $(( $(date +%s) - start )) s"
