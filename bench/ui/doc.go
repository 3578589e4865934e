// Package ui is netbench ui: Locust's web UI over the netmodels models,
// live, and what Locust cannot show because it does not own the server.
//
// A Session runs one test at a time: it starts a model natively, pinned
// as netbench run pins it (or attacks an address), runs the load through
// the same step, engine and summary as netbench run, and stores the run
// (summary.json, REPORT.md, report.html, vegeta's results) when the test
// ends. While it runs, every result reaches a Stats (attack.Live) whose
// rows are summary.Routes over the same results, and every second the
// page gets, by server-sent events, Locust's figures and the server's
// side: its process tree's CPU, memory, threads, processes and
// descriptors, and the generator's own CPU. Handler serves the page
// (no external assets: the chart library is vegeta's embedded uPlot) and
// Locust's control API: POST /swarm, GET /stop, GET /stats/reset,
// GET /stats/requests (and its CSV), GET /stats/failures/csv and
// GET /stats/report.
package ui
