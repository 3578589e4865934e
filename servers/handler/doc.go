// Package handler holds the routes every model serves (API.md): hello,
// health, the sort algorithms of the seed course and a sleep that waits
// without burning CPU. It is pure code over httpx.Request and
// httpx.Response; the CPU cost of a request can be benchmarked here apart
// from any server (see the Benchmark functions).
package handler
