#!/usr/bin/env python3
"""Drive netbench ui through Locust's web API only, as a Locust user's
script would: POST /swarm, poll GET /stats/requests, GET /stop, then
GET /stats/report. Prints the last statistics it read as JSON on stdout.

    scripts/locust_api.py http://127.0.0.1:8089 --users 50 --spawn-rate 25 --seconds 5 [--model epoll]

The standard library only: no Locust, no requests.
"""
import argparse
import json
import sys
import time
import urllib.parse
import urllib.request


def get(base, path):
    with urllib.request.urlopen(base + path, timeout=30) as r:
        return r.read()


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("base")
    ap.add_argument("--users", type=int, default=50)
    ap.add_argument("--spawn-rate", type=float, default=25)
    ap.add_argument("--seconds", type=float, default=5)
    ap.add_argument("--model", default="")
    ap.add_argument("--think-min", default="")
    ap.add_argument("--think-max", default="")
    a = ap.parse_args()
    form = {"user_count": a.users, "spawn_rate": a.spawn_rate, "host": ""}
    # netmodels' optional fields; Locust ignores what it does not know.
    if a.model:
        form["model"] = a.model
    if a.think_min:
        form["think_min"], form["think_max"] = a.think_min, a.think_max
    req = urllib.request.Request(a.base + "/swarm", data=urllib.parse.urlencode(form).encode(), method="POST")
    with urllib.request.urlopen(req, timeout=30) as r:
        answer = json.load(r)
    if not answer.get("success"):
        sys.exit("swarm refused: " + answer.get("message", ""))
    end = time.time() + a.seconds
    stats = None
    while time.time() < end:
        time.sleep(1)
        stats = json.loads(get(a.base, "/stats/requests"))
        agg = stats["stats"][-1] if stats["stats"] else {}
        print("state %s, %d users, %s requests, %.1f rps" % (stats["state"], stats["user_count"],
              agg.get("num_requests", 0), stats["total_rps"]), file=sys.stderr)
    get(a.base, "/stop")
    # The test is stopped once the state says so; its figures are then final.
    for _ in range(60):
        stats = json.loads(get(a.base, "/stats/requests"))
        if stats["state"] == "stopped":
            break
        time.sleep(0.5)
    else:
        sys.exit("the test did not stop within 30 s")
    report = get(a.base, "/stats/report")
    if b"<canvas" not in report and b"uPlot" not in report:
        sys.exit("the report has no charts")
    json.dump(stats, sys.stdout)


if __name__ == "__main__":
    main()
