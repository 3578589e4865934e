#!/bin/bash
# What -rx-stamps costs the generator: hello-keepalive (50 keep-alive
# connections, closed) against epoll on CPU 0, netbench on CPU 1, with and
# without -rx-stamps in turns, ROUNDS times (the order swapped every
# round). Prints each attack's answers/s and the generator's CPU per
# answer (harness_cpu_share / answers/s: netbench has one CPU), then the
# median per-round ratio (stamped over plain) of both. Needs make build
# first. ROUNDS (default 6), DURATION (default 5s); about 15 s a round.
# Files under OUT (default /tmp/netmodels-stamp-cost). PLAIN and STAMPED
# are the two setups' flags (default none and -rx-stamps): PLAIN=-rx-stamps
# STAMPED="-rx-stamps -tx-stamps" prices the send stamps alone.
set -e
ROUNDS=${ROUNDS:-6}
DURATION=${DURATION:-5s}
OUT=${OUT:-/tmp/netmodels-stamp-cost}
PLAIN=${PLAIN:-}
STAMPED=${STAMPED:--rx-stamps}
cd "$(dirname "$0")/.."
rm -rf "$OUT"; mkdir -p "$OUT"
taskset -c 0 bin/netserver -model epoll -addr 127.0.0.1:18124 >"$OUT/server.log" 2>&1 &
SP=$!
trap 'kill $SP' EXIT
sleep 1
run() { # run NAME [FLAGS]
  local n=$1; shift
  taskset -c 1 bin/netbench run -url http://127.0.0.1:18124 -pid $SP -name epoll -scenarios hello-keepalive \
    -duration "$DURATION" -out "$OUT/$n" "$@" >"$OUT/$n.log" 2>&1
}
for r in $(seq 1 "$ROUNDS"); do
  if [ $((r % 2)) = 1 ]; then run plain$r $PLAIN; run stamped$r $STAMPED; else run stamped$r $STAMPED; run plain$r $PLAIN; fi
done
python3 - "$OUT" "$ROUNDS" <<'PY'
import glob, json, statistics, sys
out, n = sys.argv[1], int(sys.argv[2])
summ = lambda d: json.load(open(glob.glob(d + '/*/summary.json')[0]))[0]
print('| round | setup | answers/s | generator CPU µs/answer | p99 ms | steal % |')
print('|---|---|---|---|---|---|')
thr, cpu = [], []
for r in range(1, n + 1):
    got = {}
    for setup in ('plain', 'stamped'):
        s = summ('%s/%s%d' % (out, setup, r))
        us = 1e6 * s['harness_cpu_share'] / s['throughput_rps']
        got[setup] = (s['throughput_rps'], us)
        print('| %d | %s | %.0f | %.2f | %.3f | %.1f |' % (r, setup, s['throughput_rps'], us, s['p99_ms'], 100 * (s.get('steal') or {}).get('share', 0)))
    thr.append(got['stamped'][0] / got['plain'][0])
    cpu.append(got['stamped'][1] / got['plain'][1])
print()
print('stamped over plain, answers/s: median ratio %.3f (%s)' % (statistics.median(thr), ' '.join('%.3f' % x for x in thr)))
print('stamped over plain, generator CPU per answer: median ratio %.3f (%s)' % (statistics.median(cpu), ' '.join('%.3f' % x for x in cpu)))
PY
