#!/usr/bin/env bash
# Server CPU per answered request, next to nginx, in one run.
#
# The server is pinned to CPU 0 and wrk to CPU 1 (taskset), so the two do
# not share a core. CPU is read from /proc/<pid>/stat (utime + stime of the
# server and of its reaped children: the fork model's work is in its
# children) before and after each load, and divided by the answers wrk
# counted. Two loads: keep-alive, and a new connection per request
# (Connection: close), each MODELS x DURATION with CONNS connections.
#
#   MODELS="nginx gnet goroutine" DURATION=5 CONNS=50 ROUNDS=3 scripts/perf.sh
#
# Each cell is measured ROUNDS times, the servers interleaved; the table
# gives the median, its range, and the ratio of medians to nginx (measured
# in the same run). RAW=file keeps every measurement.
set -euo pipefail
cd "$(dirname "$0")/.."
MODELS=${MODELS:-"nginx gnet goroutine fork iterative"}
DURATION=${DURATION:-5}
CONNS=${CONNS:-50}
PATHQ=${PATHQ:-/hello}
PORT=${PORT:-18181}
ROUNDS=${ROUNDS:-3}
BIN=${BIN:-bin/netserver}
for tool in wrk taskset; do
	command -v $tool >/dev/null || { echo "perf.sh needs $tool (apt-get install wrk util-linux)"; exit 1; }
done
[ "$(nproc)" -ge 2 ] || { echo "perf.sh needs two CPUs to keep wrk off the server's"; exit 1; }
HZ=$(getconf CLK_TCK)
tmp=$(mktemp -d)
server_pid=
cleanup() { [ -n "$server_pid" ] && kill "$server_pid" 2>/dev/null || true; rm -rf "$tmp"; }
trap cleanup EXIT

# cpu_ticks PID...: utime+stime+cutime+cstime summed over the PIDs.
cpu_ticks() {
	local t=0 p f
	for p in "$@"; do
		f=$(sed 's/.*) //' /proc/$p/stat 2>/dev/null) || continue
		set -- $f
		t=$((t + ${12} + ${13} + ${14} + ${15}))
		shift $#
	done
	echo $t
}

start_nginx() {
	command -v nginx >/dev/null || { echo "nginx missing (apt-get install nginx)"; return 1; }
	mkdir -p "$tmp/nginx/logs"
	cat >"$tmp/nginx/nginx.conf" <<CONF
worker_processes 1;
daemon off;
pid $tmp/nginx/nginx.pid;
error_log $tmp/nginx/logs/error.log crit;
events { worker_connections 4096; }
http {
  access_log off;
  keepalive_requests 1000000;
  server {
    listen 127.0.0.1:$PORT reuseport;
    location / { default_type "text/plain; charset=utf-8"; return 200 "hello\n"; }
  }
}
CONF
	taskset -c 0 nginx -p "$tmp/nginx" -c "$tmp/nginx/nginx.conf" &
	server_pid=$!
}

start_model() {
	taskset -c 0 "$BIN" -model "$1" -addr 127.0.0.1:$PORT 2>"$tmp/server.log" &
	server_pid=$!
}

wait_up() {
	for _ in $(seq 100); do
		curl -fs -o /dev/null "http://127.0.0.1:$PORT/hello" && return 0
		sleep 0.05
	done
	echo "server did not come up"; cat "$tmp/server.log" 2>/dev/null; return 1
}

pids_of() { echo "$server_pid $(pgrep -P "$server_pid" | tr '\n' ' ')"; }

# One measurement: load $2 against server $1 (running as $server_pid).
# Appends "server load rps us non2xx sockerr" to $tmp/rows.
measure() {
	local m=$1 load=$2 hdr=() pids before after req rps non2xx sockerr us
	[ "$load" = close ] && hdr=(-H "Connection: close")
	pids=$(pids_of)
	before=$(cpu_ticks $pids)
	taskset -c 1 wrk -t1 -c"$CONNS" -d"${DURATION}s" "${hdr[@]}" "http://127.0.0.1:$PORT$PATHQ" >"$tmp/wrk.txt" 2>&1
	sleep 0.3 # let children end and be reaped
	after=$(cpu_ticks $pids)
	req=$(awk '/requests in/ {print $1}' "$tmp/wrk.txt")
	rps=$(awk '/Requests\/sec/ {print $2}' "$tmp/wrk.txt")
	non2xx=$(awk '/Non-2xx/ {print $NF}' "$tmp/wrk.txt"); non2xx=${non2xx:-0}
	sockerr=$(awk -F'Socket errors: ' '/Socket errors/ {gsub(/ /, ""); print $2}' "$tmp/wrk.txt"); sockerr=${sockerr:-none}
	us=$(awk -v d=$((after - before)) -v hz="$HZ" -v r="$req" 'BEGIN { if (r > 0) printf "%.1f", d / hz * 1e6 / r; else print "nan" }')
	echo "$m $load $rps $us $non2xx $sockerr" >>"$tmp/rows"
}

# Rounds interleave the servers, so that a slow patch of the machine falls
# on all of them rather than on one.
: >"$tmp/rows"
for round in $(seq "$ROUNDS"); do
	for m in $MODELS; do
		echo "round $round/$ROUNDS: $m" >&2
		if [ "$m" = nginx ]; then start_nginx; else start_model "$m"; fi
		wait_up
		measure "$m" keepalive
		measure "$m" close
		kill -TERM "$server_pid"; wait "$server_pid" 2>/dev/null || true; server_pid=
		sleep 0.5
	done
done
[ -n "${RAW:-}" ] && cp "$tmp/rows" "$RAW"

# Median and range per server and load, and the ratio of medians to nginx.
printf '| server | load | answers/s (median) | server CPU per answer, µs: median [min–max] | × nginx | non-2xx | socket errors |\n|---|---|---|---|---|---|---|\n'
for m in $MODELS; do
	for load in keepalive close; do
		awk -v m="$m" -v l="$load" '
			function median(a, n,   i, j, t) { for (i = 1; i <= n; i++) for (j = i + 1; j <= n; j++) if (a[j] < a[i]) { t = a[i]; a[i] = a[j]; a[j] = t }; return n % 2 ? a[(n + 1) / 2] : (a[n / 2] + a[n / 2 + 1]) / 2 }
			$2 == l && $1 == "nginx" { nu[++nn] = $4 }
			$1 == m && $2 == l { r[++n] = $3; u[n] = $4; x += $5; if ($6 != "none") e = e $6 " " }
			END {
				mu = median(u, n); lo = u[1]; hi = u[n]
				ratio = nn ? sprintf("%.2f", mu / median(nu, nn)) : "n/a"
				printf "| %s | %s | %.0f | %.1f [%.1f–%.1f] | %s | %d | %s |\n", m, l, median(r, n), mu, lo, hi, ratio, x, e ? e : "none"
			}' "$tmp/rows"
	done
done
echo
echo "env: $(nproc) CPUs, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ //'), kernel $(uname -r), $(go version | cut -d' ' -f3), $(wrk -v 2>&1 | head -1 | cut -d' ' -f1-2), $(nginx -v 2>&1 | cut -d' ' -f3); duration ${DURATION}s x ${ROUNDS} rounds, ${CONNS} connections, path $PATHQ"
