#!/usr/bin/env bash
# make bench-all: every model in its own container under the same limits,
# attacked from a harness container that joins the server's network
# namespace (loopback: no docker-proxy, no bridge), and one results
# directory on the host, owned by the host user.
#
# Knobs (environment): MODELS, SCENARIOS, PROFILE (full|quick|smoke|seeds, default
# full), REPEATS (default 1), CPUS (the server's cpuset, default 0),
# HARNESS_CPUS (default: the other CPUs), MEMORY (default 1g), PIDS (default
# 4096), NOFILE (default: the host's hard limit, at most 65536), CHECK=1 (fail unless every model answered
# every request 2xx: what CI runs), NETWORK=container|bridge (default container).
set -euo pipefail
cd "$(dirname "$0")/.."

if ! command -v docker >/dev/null 2>&1 || ! docker info >/dev/null 2>&1; then
	echo "make bench-all needs a Docker engine and none answers here; 'make bench' runs the same comparison natively."
	exit 1
fi

make -s images
PROFILE=${PROFILE:-full}
REPEATS=${REPEATS:-1}
CPUS=${CPUS:-0}
ncpu=$(nproc)
if [ -z "${HARNESS_CPUS:-}" ]; then
	if [ "$ncpu" -ge 2 ]; then HARNESS_CPUS="1-$((ncpu - 1))"; else HARNESS_CPUS=0; fi
fi
MEMORY=${MEMORY:-1g}
PIDS=${PIDS:-4096}
# The engine can't raise a limit above the host's own hard limit.
hard=$(ulimit -Hn)
[ "$hard" = unlimited ] && hard=65536
NOFILE=${NOFILE:-$((hard < 65536 ? hard : 65536))}
MODELS=${MODELS:-$(bin/netserver -list | tr '\n' ' ')}
MODELS=${MODELS//,/ }
# container (default): the harness shares the server's network namespace and
# attacks its loopback, as natively. bridge: both on Docker's default bridge,
# the harness attacking the server's bridge address through veth pairs and
# the bridge (docs/docker.md records what that costs).
NETWORK=${NETWORK:-container}
case "$NETWORK" in container | bridge) ;; *)
	echo "NETWORK must be container or bridge, not $NETWORK"
	exit 2
	;;
esac

run_id=$(date -u +%Y%m%d-%H%M%S)
dir="results/$run_id"
mkdir -p "$dir"
limits="containers: server --cpuset-cpus $CPUS --memory $MEMORY --pids-limit $PIDS --ulimit nofile=$NOFILE; harness --cpuset-cpus $HARNESS_CPUS $( [ "$NETWORK" = bridge ] && echo "on the default bridge, attacking the server's bridge address" || echo "--network container:<server>"); a fresh server container per model and scenario"
sizes="images: netmodels-server $(docker image inspect -f '{{.Size}}' netmodels-server:latest) bytes, netmodels-bench $(docker image inspect -f '{{.Size}}' netmodels-bench:latest) bytes"
host="host: git $(git describe --always --dirty 2>/dev/null || echo unknown), docker $(docker version --format '{{.Server.Version}}' 2>/dev/null)"

containers=()
cleanup() {
	for c in "${containers[@]}"; do docker rm -f "$c" >/dev/null 2>&1 || true; done
}
trap cleanup EXIT
trap 'echo; echo "interrupted: removing containers"; exit 130' INT TERM

# Every (model, scenario) gets a fresh server container, as make bench
# starts a fresh server per attack: a scenario's leftovers (a backlog of
# queued connections, say) must not fall on the next one.
sargs=(-profile "$PROFILE")
[ -n "${SCENARIOS:-}" ] && sargs+=(-scenarios "$SCENARIOS")
# Scenarios the profile chose keep the profile's length; ones named in
# SCENARIOS run at their own (netbench run -from-profile).
fromprofile=-from-profile
[ -n "${SCENARIOS:-}" ] && fromprofile=
# The scenarios each model runs (a seed reproduction runs on its analogue).
scenarios_of() { bin/netbench run "${sargs[@]}" -models "$1" -print-scenarios | tr '\n' ' '; }
total=0
for m in $MODELS; do total=$((total + $(scenarios_of "$m" | wc -w))); done
i=0
start=$(date +%s)
for m in $MODELS; do
	for sc in $(scenarios_of "$m"); do
		i=$((i + 1))
		now=$(date +%s)
		eta=""
		[ "$i" -gt 1 ] && eta=", about $(((now - start) / (i - 1) * (total - i + 1)))s left"
		echo "[$i/$total] $m · $sc (elapsed $((now - start))s$eta)"
		name="nm-$run_id-$m-$sc"
		containers+=("$name" "$name-bench")
		id=$(docker run -d --name "$name" --label "netmodels.run=$run_id" \
			--cpuset-cpus "$CPUS" --memory "$MEMORY" --pids-limit "$PIDS" --ulimit "nofile=$NOFILE:$NOFILE" \
			netmodels-server:latest -model "$m" -idle-timeout 60s)
		net=(--network "container:$name")
		url=http://127.0.0.1:8080
		if [ "$NETWORK" = bridge ]; then
			net=()
			url="http://$(docker inspect -f '{{range .NetworkSettings.Networks}}{{.IPAddress}}{{end}}' "$id"):8080"
		fi
		# In the background and waited for, so that Ctrl-C stops at once.
		docker run --rm --name "$name-bench" --label "netmodels.run=$run_id" \
			"${net[@]}" --cpuset-cpus "$HARNESS_CPUS" \
			--user "$(id -u):$(id -g)" -v "$PWD/results:/results" -v /sys/fs/cgroup:/host/cgroup:ro \
			netmodels-bench:latest run -url "$url" -name "$m" -cgroup "$id" -cgroup-root /host/cgroup \
			-run-dir "/results/$run_id" -profile "$PROFILE" -repeats "$REPEATS" -server-cpus "$CPUS" \
			-scenarios "$sc" $fromprofile -note "$limits; $sizes; $host" >/dev/null &
		wait $! || echo "  $m · $sc: the harness failed"
		docker stop -t 30 "$name" >/dev/null # SIGTERM: a graceful stop
		docker logs "$name" >"$dir/server-$m-$sc.log" 2>&1 || true
		docker rm "$name" >/dev/null
	done
done
echo "done in $(($(date +%s) - start))s: $dir"
check=()
[ "${CHECK:-0}" = 1 ] && check=(-check "$(echo $MODELS | tr ' ' ',')")
bin/netbench report "${check[@]}" "$dir"
