"""Summary of scripts/shard-p50.sh: python3 scripts/shard-p50.py OUT [OUT...].

One OUT is one run of the script; several are pooled, their rounds numbered
on from one to the next (each run's rounds in its own order), so that two runs
of the same setup give one interval over all their rounds.
"""
import glob, json, math, os, re, statistics, sys
dirs = []  # the (OUT, round) of each pooled round
for out in sys.argv[1:]:
    rs = sorted({int(m.group(1)) for p in os.listdir(out) for m in [re.fullmatch(r'(?:one|three|lone)(\d+)', p)] if m})
    if len(sys.argv) > 2:
        print('rounds %d-%d: %s' % (len(dirs) + 1, len(dirs) + len(rs), out))
    dirs += [(out, r) for r in rs]
if len(sys.argv) > 2:
    print()
n = len(dirs)
def summ(d):
    f = sorted(glob.glob(d + '/*/summary.json') + glob.glob(d + '/summary.json'))
    return json.load(open(f[0]))[0] if f else None
LIMIT = 0.01  # summary.StealLimit
steal = lambda s: (s.get('steal') or {}).get('share', 0)
rows, ratios, calm = [], {'thru': [], 'p50': [], 'p99': [], 'read p99': []}, {'thru': [], 'p50': [], 'p99': [], 'read p99': []}
wait = lambda s, k: '%.3f' % s['read_wait'][k] if s.get('read_wait') else '-'
send = lambda s: '%.3f' % s['send_wait']['p99_ms'] if s.get('send_wait') else '-'
print('| round | setup | offered /s | answers/s | p50 ms | p99 ms | generator CPU | steal % | read wait p99 ms | read p99 ms | send wait p99 ms |')
print('|---|---|---|---|---|---|---|---|---|---|---|')
for r in range(1, n + 1):
    got = {}
    for setup in ('one', 'three', 'lone'):
        s = summ('%s/%s%d' % (dirs[r - 1][0], setup, dirs[r - 1][1]))
        if s is None:
            continue
        got[setup] = s
        print('| %d | %s | %.0f | %.1f | %.3f | %.3f | %.2f | %.1f | %s | %s | %s |' % (r, setup, s['offered_rps'], s['throughput_rps'], s['p50_ms'], s['p99_ms'], s['harness_cpu_share'], 100 * steal(s), wait(s, 'p99_ms'), wait(s, 'read_p99_ms'), send(s)))
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
# How well one setup's p99 repeats from a round to its next: the yardstick
# for the three-over-one ratios of single rounds.
for setup in ('one', 'three'):
    p = [g[setup]['p99_ms'] for g in rows if setup in g]
    rs = [b / a for a, b in zip(p, p[1:])]
    if rs:
        print('%s: p99 of a round over the round before, inside 10%%: %d of %d (%s)' % (setup, sum(abs(x - 1) <= 0.10 for x in rs), len(rs), ' '.join('%.2f' % x for x in rs)))
v = ratios['p99']
if v:
    print('three over one, p99 of a round, inside 10%%: %d of %d' % (sum(abs(x - 1) <= 0.10 for x in v), len(v)))
