#!/bin/bash
# Three shards against one attacker, for docs/distributed.md: does splitting
# open-6000 (GET /hello, keep-alive, 6000/s for 10 s) into three attackers of
# 2000/s move its answers/s, p50 or p99? epoll on CPU 0 with its whole CPU,
# every generator on CPU 1. The two setups run in turns, ROUNDS times, the
# order swapped every round so a drift of the machine falls on both; the
# summary gives each setup's median over the rounds and the median of the
# per-round ratios (three shards over one attacker) with a distribution-free
# interval for it (the narrowest between order statistics that holds the
# true median ratio with 95% confidence or more, the extremes where none
# does; the confidence is printed: 98% for 10 rounds, the 2nd smallest to
# the 2nd largest ratio; 97% for 6, the extremes; 96% for 20, the 6th). Each run's steal is
# the most the hypervisor took of a CPU during it (summary.json's steal);
# the ratios are given again over the calm rounds, those where neither
# setup lost 1% or more (summary.StealLimit).
#
#   ENGINE=native (default): netbench processes on this host, a free port
#     18123; also one shard alone at 2000/s each round (LONE=1, default).
#   ENGINE=compose: make shards SHARDS=3 against make shards SHARDS=1
#     (images built by make images; about 35 s a run).
#   STAMPS=1: every generator runs with -rx-stamps, so that
#     latencies end when the kernel received each answer and the wait for
#     the generator to read it is kept apart (the read wait column); the
#     read p99 column is the same attack's p99 had it ended at the read,
#     and the ratios are given on both clocks (p99 and read p99).
#   CGROUPS=1 (native only): every generator process in a cpu cgroup of
#     its own, as each compose replica is in its container's, so that the
#     kernel schedules the shards as groups (cgroup v1, as root).
#
# Needs make build first. ROUNDS (default 10): native takes about 40 s a
# round, compose about 75 s. Files under OUT (default /tmp/netmodels-shard-p50).
set -e
ROUNDS=${ROUNDS:-10}
ENGINE=${ENGINE:-native}
LONE=${LONE:-1}
CGROUPS=${CGROUPS:-0}
STAMPS=${STAMPS:-0}
OUT=${OUT:-/tmp/netmodels-shard-p50}
cd "$(dirname "$0")/.."
rm -rf "$OUT"; mkdir -p "$OUT"

one() { # one attacker, 6000/s, into $1
  if [ "$ENGINE" = compose ]; then
    make -s shards SHARDS=1 STAMPS=$STAMPS >"$1.log" 2>&1 && mkdir -p "$1" && mv results/shards "$1/shards" && mv "$(ls -d results/2*/ | tail -1)" "$1/"
  else
    gen one -out "$1" >"$1.log" 2>&1
  fi
}
gen() { # gen NAME ARGS...: a generator process, in cgroup NAME if CGROUPS=1
  local g=$1; shift
  if [ "$CGROUPS" = 1 ]; then
    mkdir -p /sys/fs/cgroup/cpu/netmodels-p50-$g
    sh -c 'echo $$ > /sys/fs/cgroup/cpu/netmodels-p50-'$g'/tasks && exec "$@"' sh $B "$@"
  else
    $B "$@"
  fi
}
three() { # three shards of 2000/s, started together, merged into $1
  if [ "$ENGINE" = compose ]; then
    make -s shards SHARDS=3 STAMPS=$STAMPS >"$1.log" 2>&1 && mkdir -p "$1" && mv results/shards "$1/shards" && mv "$(ls -d results/2*/ | tail -1)" "$1/"
  else
    mkdir -p "$1.shards"
    pids=""
    for i in 0 1 2; do gen shard$i -shard $i/3 -start-at next:4s -out "$1.shards" >"$1.$i.log" 2>&1 & pids="$pids $!"; done
    for p in $pids; do wait $p; done
    bin/netbench merge "$1" "$1".shards/2*/ >"$1.log" 2>&1
  fi
}

if [ "$ENGINE" = native ]; then
  taskset -c 0 bin/netserver -model epoll -addr 127.0.0.1:18123 >"$OUT/server.log" 2>&1 &
  SP=$!
  trap 'kill $SP; [ "$CGROUPS" = 1 ] && rmdir /sys/fs/cgroup/cpu/netmodels-p50-* 2>/dev/null; true' EXIT
  sleep 1
  B="taskset -c 1 bin/netbench run -url http://127.0.0.1:18123 -pid $SP -name epoll -scenarios open-6000 -warmup 0s"
  if [ "$STAMPS" = 1 ]; then B="$B -rx-stamps"; fi
else
  LONE=0
  make -s images >/dev/null
fi

for r in $(seq 1 "$ROUNDS"); do
  if [ $((r % 2)) = 1 ]; then one "$OUT/one$r"; three "$OUT/three$r"; else three "$OUT/three$r"; one "$OUT/one$r"; fi
  if [ "$LONE" = 1 ]; then gen shard0 -shard 0/3 -out "$OUT/lone$r" >"$OUT/lone$r.log" 2>&1; fi
  sleep 1
done

python3 - "$OUT" "$ROUNDS" <<'PY'
import glob, json, math, statistics, sys
out, n = sys.argv[1], int(sys.argv[2])
def summ(d):
    f = sorted(glob.glob(d + '/*/summary.json') + glob.glob(d + '/summary.json'))
    return json.load(open(f[0]))[0] if f else None
LIMIT = 0.01  # summary.StealLimit
steal = lambda s: (s.get('steal') or {}).get('share', 0)
rows, ratios, calm = [], {'thru': [], 'p50': [], 'p99': [], 'read p99': []}, {'thru': [], 'p50': [], 'p99': [], 'read p99': []}
wait = lambda s, k: '%.3f' % s['read_wait'][k] if s.get('read_wait') else '-'
print('| round | setup | offered /s | answers/s | p50 ms | p99 ms | generator CPU | steal % | read wait p99 ms | read p99 ms |')
print('|---|---|---|---|---|---|---|---|---|---|')
for r in range(1, n + 1):
    got = {}
    for setup in ('one', 'three', 'lone'):
        s = summ('%s/%s%d' % (out, setup, r))
        if s is None:
            continue
        got[setup] = s
        print('| %d | %s | %.0f | %.1f | %.3f | %.3f | %.2f | %.1f | %s | %s |' % (r, setup, s['offered_rps'], s['throughput_rps'], s['p50_ms'], s['p99_ms'], s['harness_cpu_share'], 100 * steal(s), wait(s, 'p99_ms'), wait(s, 'read_p99_ms')))
    if 'one' in got and 'three' in got:
        o, t = got['one'], got['three']
        quiet = steal(o) < LIMIT and steal(t) < LIMIT
        for k, f in (('thru', 'throughput_rps'), ('p50', 'p50_ms'), ('p99', 'p99_ms')):
            ratios[k].append(t[f] / o[f])
            if quiet:
                calm[k].append(t[f] / o[f])
        if o.get('read_wait') and t.get('read_wait'):
            x = t['read_wait']['read_p99_ms'] / o['read_wait']['read_p99_ms']
            ratios['read p99'].append(x)
            if quiet:
                calm['read p99'].append(x)
    rows.append(got)
print()
for setup in ('one', 'three', 'lone'):
    p = [g[setup]['p50_ms'] for g in rows if setup in g]
    if p:
        print('%s: p50 median over %d rounds %.3f ms (%.3f to %.3f)' % (setup, len(p), statistics.median(p), min(p), max(p)))
def ratio_lines(which, rs):
    for k, v in rs.items():
        if not v:
            continue
        s = sorted(v)
        # P(s[j] < median < s[-1-j]) = 1 - 2 P(Binomial(n, 1/2) <= j): the
        # narrowest such interval that holds at least 95%, the extremes
        # where none does.
        conf = lambda j: 1 - 2 * sum(math.comb(len(s), i) for i in range(j + 1)) / 2 ** len(s)
        j = 0
        while 2 * (j + 1) < len(s) and conf(j + 1) >= 0.95:
            j += 1
        conf = conf(j)
        print('three over one, %s, %s: median ratio %.3f, %.0f%% interval %.3f to %.3f (%d rounds: %s)' % (which, k, statistics.median(v), 100 * conf, s[j], s[-1 - j], len(v), ' '.join('%.2f' % x for x in v)))
ratio_lines('every round', ratios)
print('calm rounds (neither setup lost %.0f%% of a CPU to steal): %d of %d' % (100 * LIMIT, len(calm['p50']), len(ratios['p50'])))
ratio_lines('calm rounds', calm)
for setup in ('one', 'three'):
    p = [g[setup]['p99_ms'] for g in rows if setup in g and steal(g[setup]) < LIMIT]
    q = [g[setup]['p99_ms'] for g in rows if setup in g and steal(g[setup]) >= LIMIT]
    if p or q:
        print('%s: p99 median %s ms in %d runs under %.0f%% steal, %s ms in %d at or over' % (setup,
              '%.3f' % statistics.median(p) if p else '-', len(p), 100 * LIMIT, '%.3f' % statistics.median(q) if q else '-', len(q)))
PY
