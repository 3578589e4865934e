#!/bin/bash
# How long do the generators wait to run? perf sched records CPU 1 for 4 s
# in the middle of open-6000 on epoll (CPU 0), once with one attacker at
# 6000/s and once with three shards of 2000/s, all on CPU 1, and prints
# the distribution of the generators' scheduling delay: from a thread
# becoming runnable to it running (perf sched timehist's "sch delay"). A
# response that arrives while its generator waits is read late, and the
# wait is inside the latency that generator records (docs/distributed.md).
# Needs make build, perf (linux-perf) with sched tracepoints, root.
# Files under OUT (default /tmp/netmodels-shard-sched).
set -e
OUT=${OUT:-/tmp/netmodels-shard-sched}
cd "$(dirname "$0")/.."
rm -rf "$OUT"; mkdir -p "$OUT"
taskset -c 0 bin/netserver -model epoll -addr 127.0.0.1:18124 >"$OUT/server.log" 2>&1 &
SP=$!
trap 'kill $SP' EXIT
sleep 1
B="taskset -c 1 bin/netbench run -url http://127.0.0.1:18124 -pid $SP -name epoll -scenarios open-6000 -warmup 0s"
$B -out "$OUT/one" >"$OUT/one.log" 2>&1 &
P=$!
sleep 3
perf sched record -C 1 -o "$OUT/one.data" -- sleep 4 >"$OUT/perf-one.log" 2>&1
wait $P
ps=""
for i in 0 1 2; do $B -shard $i/3 -start-at next:4s -out "$OUT/three" >"$OUT/three$i.log" 2>&1 & ps="$ps $!"; done
sleep 7
perf sched record -C 1 -o "$OUT/three.data" -- sleep 4 >"$OUT/perf-three.log" 2>&1
for p in $ps; do wait $p; done
for x in one three; do
  # time cpu task wait sch-delay run: the generators' threads on CPU 1
  perf sched timehist -i "$OUT/$x.data" 2>/dev/null | awk '$2 ~ /\[0*1\]/ && $3 ~ /^netbench/ {print $5}' >"$OUT/$x.delay"
done
python3 - "$OUT" <<'PY'
import sys
for x in ('one', 'three'):
    v = sorted(float(l) for l in open('%s/%s.delay' % (sys.argv[1], x)) if l.strip())
    n = len(v)
    q = lambda p: v[min(n - 1, int(p * n))]
    print('%-5s %6d switches in: scheduling delay ms p50 %.3f, p90 %.3f, p99 %.3f, p99.9 %.3f, max %.3f; delayed over 0.1 ms: %.2f%%' % (
        x, n, q(.5), q(.9), q(.99), q(.999), v[-1], 100 * sum(d > 0.1 for d in v) / n))
import glob, json
for f in sorted(glob.glob(sys.argv[1] + '/*/2*/summary.json')):
    r = json.load(open(f))[0]
    print('%s: p50 %.3f ms, p99 %.3f ms, steal %.1f%%' % (f.split('/')[-2], r['p50_ms'], r['p99_ms'], 100 * (r.get('steal') or {}).get('share', 0)))
PY
