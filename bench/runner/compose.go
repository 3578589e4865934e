package runner

import (
	"fmt"
	"strings"
)

// Compose is docker/compose.yaml: one model and the harness by hand, under
// the limits l that make bench-all gives every model (DefaultLimits), the
// harness in the server's network namespace as the Docker backend puts it.
// A test keeps the committed file equal to it.
func Compose(l Limits, harnessCPUs string) string {
	var b strings.Builder
	b.WriteString(`# Explore one model by hand, with the setup of make bench-all (the Docker
# backend: runner.Docker); generated from runner.DefaultLimits by
# runner.Compose, and kept equal to it by a test (go test ./bench/runner
# -update rewrites it):
#
#   make images
#   MODEL=fork docker-compose -f docker/compose.yaml up -d server
#   docker-compose -f docker/compose.yaml run --rm bench run -url http://127.0.0.1:8080 -name fork -profile quick -out /results
#   docker-compose -f docker/compose.yaml down
#
# The harness joins the server's network namespace (loopback), never a
# published port: docker-proxy would be measured instead of the server.
# Where the host's hard descriptor limit (ulimit -Hn) is under 65536, set
# NOFILE to it: no engine can raise a container above it.
services:
  server:
`)
	fmt.Fprintf(&b, "    image: %s\n", ServerImage)
	b.WriteString(`    command: ["-model", "${MODEL:-goroutine}", "-idle-timeout", "60s"]` + "\n")
	fmt.Fprintf(&b, "    cpuset: %q\n    mem_limit: %s\n    pids_limit: %d\n", l.CPUs, l.Memory, l.Pids)
	// The engine cannot raise a limit above the host's hard limit: NOFILE
	// lowers it where that is lower, as netbench run does by itself.
	fmt.Fprintf(&b, "    ulimits:\n      nofile:\n        soft: ${NOFILE:-%d}\n        hard: ${NOFILE:-%d}\n", l.NoFile, l.NoFile)
	b.WriteString("  bench:\n")
	fmt.Fprintf(&b, "    image: %s\n", BenchImage)
	b.WriteString(`    network_mode: "service:server"` + "\n")
	fmt.Fprintf(&b, "    cpuset: %q\n", harnessCPUs)
	b.WriteString(`    user: "${UID:-0}:${GID:-0}"
    volumes:
      - ../results:/results
      - /sys/fs/cgroup:/host/cgroup:ro
    working_dir: /
    entrypoint: ["/netbench"]
    command: ["run", "-url", "http://127.0.0.1:8080", "-out", "/results", "-profile", "quick"]
    depends_on: [server]
`)
	return b.String()
}
