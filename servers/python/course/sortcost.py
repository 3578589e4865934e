"""What each of the course's views costs in Python, apart from Django, and
where the time goes: the values drawn (random.choice over a range, as the
slides' views do), the built-in sort, bubble sort, and a priority queue
built with queue.PriorityQueue (as the slides' view) against heapq, the
same binary heap without PriorityQueue's lock and condition variables,
and heapq with a plain lock taken around each push: the lock's share of
what PriorityQueue adds.

CPU time per call (time.process_time), the best of 5 rounds, at the
slides' two sizes. Usage: taskset -c 0 python3 sortcost.py [--bubble-big]
"""
import argparse
import heapq
import random
import sys
import threading
import time
from queue import PriorityQueue


def draw(n, m):
    li = []
    for i in range(n):
        li.append(random.choice(range(1, m)))
    return li


def builtin(li):
    li.sort(reverse=True)
    return li[0]


def bubble(li):
    for i in range(len(li) - 1, 0, -1):
        for j in range(i):
            if li[j] < li[j + 1]:
                li[j], li[j + 1] = li[j + 1], li[j]
    return li[0]


def pq_put(li):
    pq = PriorityQueue()
    for v in li:
        pq.put(-v)
    return -pq.get()


def heapq_push(li):
    h = []
    for v in li:
        heapq.heappush(h, -v)
    return -heapq.heappop(h)


def heapq_locked(li):
    h = []
    lock = threading.Lock()
    for v in li:
        with lock:
            heapq.heappush(h, -v)
    with lock:
        return -heapq.heappop(h)


def cost(f, n, m, rounds, calls):
    """CPU µs per call of f on freshly drawn values (drawing excluded)."""
    best = None
    for r in range(rounds):
        data = [draw(n, m) for _ in range(calls)]
        t = time.process_time()
        for li in data:
            f(li)
        c = (time.process_time() - t) / calls * 1e6
        best = c if best is None else min(best, c)
    return best


def main():
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--bubble-big", action="store_true", help="time bubble sort at n=10000 too (about a minute)")
    a = p.parse_args()
    print("# python %s; CPU µs per call, best of 5 rounds" % sys.version.split()[0])
    print("| n, max | draw the values | built-in sort | bubble sort | PriorityQueue puts + get | heapq pushes + pop | heapq, each under a Lock |")
    print("|---|---|---|---|---|---|---|")
    for n, m in ((1000, 5000), (10000, 50000)):
        calls = 20 if n == 1000 else 4
        t = time.process_time()
        for _ in range(calls):
            draw(n, m)
        d = (time.process_time() - t) / calls * 1e6
        b = "not run (--bubble-big)"
        if n == 1000 or a.bubble_big:
            b = "%.0f" % cost(bubble, n, m, 5 if n == 1000 else 1, 2 if n == 1000 else 1)
        print("| %d, %d | %.0f | %.0f | %s | %.0f | %.0f | %.0f |" % (
            n, m, d, cost(builtin, n, m, 5, calls), b, cost(pq_put, n, m, 5, calls), cost(heapq_push, n, m, 5, calls),
            cost(heapq_locked, n, m, 5, calls)))


if __name__ == "__main__":
    main()
