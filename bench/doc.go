// Package bench is the benchmark harness of netmodels: it starts server
// models, attacks them (its own engine, vegeta's data model), samples the
// servers' CPU and memory, and stores results that reports and charts are
// made from. Its command is bench/cmd/netbench.
package bench
