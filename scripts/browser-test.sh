#!/usr/bin/env bash
# The browser tests: installs Debian's chromium (and a Korean font, so
# that a screenshot shows the course's text) when they are missing, then
# plays the up-down game on every model (TestBrowserGame) and drives
# netbench ui's page through a test (TestBrowserUI).
#
#   scripts/browser-test.sh                    # as make test and CI run it
#   scripts/browser-test.sh -screenshot FILE   # also a PNG of the won game
#   scripts/browser-test.sh -ui-screenshots DIR  # and the UI's tabs as PNGs
#
# Where no browser can be installed it says so in one line and fails:
# CI expects this test to run.
set -euo pipefail
cd "$(dirname "$0")/.."
GO=${GO:-go}

have_browser() { command -v chromium >/dev/null || command -v chromium-browser >/dev/null || command -v google-chrome >/dev/null; }

# (Not "fc-list | grep -q": under pipefail, grep's early exit fails the pipe.)
fonts=$(fc-list 2>/dev/null || true)
if ! have_browser || [[ ${fonts,,} != *nanum* ]]; then
  if command -v apt-get >/dev/null && [ "$(id -u)" = 0 ]; then
    echo "browser-test: installing chromium and fonts-nanum with apt-get"
    { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium fonts-nanum; } >/tmp/netmodels-apt.log 2>&1 ||
      { echo "browser-test: apt-get failed (see /tmp/netmodels-apt.log)"; tail -5 /tmp/netmodels-apt.log; }
  fi
fi
if ! have_browser; then
  echo "browser-test: no chromium and none could be installed (needs root and apt-get); the browser test cannot run" >&2
  exit 1
fi
shot=() uishots=()
while [ $# -gt 0 ]; do
  case "$1" in
    -screenshot) shot=(-args -screenshot "$(realpath -m "$2")"); shift 2 ;;
    -ui-screenshots) uishots=(-args -screenshots "$(realpath -m "$2")"); shift 2 ;;
    *) echo "browser-test: unknown flag $1" >&2; exit 2 ;;
  esac
done
NETMODELS_BROWSER=required $GO test -count=1 -run '^TestBrowserGame$' -v ./servers/servertest/ "${shot[@]}" |
  grep -E '^(=== RUN|--- |PASS|FAIL|ok|    )'
game=${PIPESTATUS[0]}
NETMODELS_BROWSER=required $GO test -count=1 -run '^TestBrowserUI$' -v ./bench/ui/ "${uishots[@]}" |
  grep -E '^(=== RUN|--- |PASS|FAIL|ok|    )'
ui=${PIPESTATUS[0]}
[ "$game" = 0 ] && [ "$ui" = 0 ]
