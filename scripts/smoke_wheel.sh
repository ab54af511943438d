#!/usr/bin/env bash
# Install a built wheel into a fresh virtual environment, away from the source tree,
# and check that what a user gets runs: --version, a tiny bench as JSON, and the
# dashboard starting and quitting in tmux.
#
#   scripts/smoke_wheel.sh dist/coremeter_parallel-*.whl
set -euo pipefail

if [ $# -ne 1 ] || [ ! -f "$1" ]; then
  echo "usage: $0 WHEEL (build one with: python -m build)" >&2
  exit 2
fi
wheel=$(realpath "$1")
command -v tmux >/dev/null 2>&1 || { echo "smoke: tmux is needed for the dashboard check" >&2; exit 1; }

work=$(mktemp -d)
socket="smoke-$$"
trap 'tmux -L "$socket" kill-server 2>/dev/null || true; rm -rf "$work"' EXIT
cd "$work"  # never import the package from a source tree
python3 -m venv venv
venv/bin/python -m pip install -q "$wheel"
bin=$work/venv/bin

fail() {
  echo "smoke: $*" >&2
  exit 1
}

echo "smoke: $("$bin/coremeter" --version)"
[[ $("$bin/coremeter" --version) =~ ^coremeter\ [0-9]+\.[0-9]+\.[0-9]+$ ]] ||
  fail "coremeter --version is not 'coremeter X.Y.Z'"

"$bin/coremeter" bench --scale 0.01 --json >bench.json || fail "bench exited $?"
"$bin/python" - bench.json <<'PY' || fail "bench --json is not a document of ok runs"
import json, sys
doc = json.load(open(sys.argv[1]))
assert doc["runs"] and all(run["ok"] for run in doc["runs"]), doc["runs"]
print("smoke: bench ran", ", ".join(run["mode"] for run in doc["runs"]))
PY

# The dashboard (Textual draws on stderr, so both stay on the terminal). Its exit status
# lands in a file, and the pane stays a while so that a failure's last words can be read.
tmux -L "$socket" new-session -d -x 120 -y 35 \
  "'$bin/coremeter'; echo \$? >'$work/dashboard.rc'; sleep 60"
screen() { tmux -L "$socket" capture-pane -p 2>/dev/null || true; }
for _ in $(seq 150); do
  [[ $(screen) == *"s runs sequential"* ]] && break
  [ -f dashboard.rc ] && break
  sleep 0.2
done
[[ $(screen) == *"s runs sequential"* ]] || fail "the dashboard did not draw its screen:
$(screen)"
tmux -L "$socket" send-keys q
for _ in $(seq 50); do
  [ -f dashboard.rc ] && break
  sleep 0.2
done
[ -f dashboard.rc ] || fail "the dashboard did not quit on q within 10 s"
[ "$(cat dashboard.rc)" = 0 ] || fail "the dashboard exited $(cat dashboard.rc):
$(screen)"
echo "smoke: the dashboard started and quit"
