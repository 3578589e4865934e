# netmodels: build, test and benchmark the server models.
#
#   make test        what CI runs: format, vet, staticcheck, unit and
#                    conformance tests (race detector on the concurrent
#                    packages), a short fuzz run
#   make build       bin/netserver
#   make bench       the quick benchmark, natively: every model, three short
#                    scenarios; writes results/<run-id>/ (PROFILE=full for all)
#   make gobench     Go benchmarks of the parser and every algorithm
#   make perf        server CPU per request of the models next to nginx (wrk)
#   make locust      netbench's users load next to Locust's on one server
#   make ui          Locust's web UI over the models at http://127.0.0.1:8089
#                    (UIFLAGS, e.g. -server-cpu 0.35 or -addr 127.0.0.1:9000)
#   make fuzz        a long fuzzing campaign (FUZZTIME, default 10m)
#   make coursework-check  every exercise of docs/coursework.md at a reduced
#                    size, checked for what it promises (CI runs it)
#   make stress      the reliability suite on every model (about 30 min);
#                    make stress-short is its short form, which CI runs

GO          ?= go
BIN         := $(CURDIR)/bin
STATICCHECK := $(BIN)/staticcheck
STATICCHECK_VERSION := v0.7.0
FUZZTIME    ?= 10m
export CGO_ENABLED ?= 0

.PHONY: doctor python-deps ui shards coursework-check locust stress stress-short browser-test all build bench bench-all images docker-test test fmt-check vet staticcheck unit race fuzz-short fuzz gobench perf clean

all: build

build:
	$(GO) build -trimpath -ldflags="-s -w" -o $(BIN)/ ./servers/cmd/netserver ./servers/cmd/netchild ./bench/cmd/netbench ./bench/cmd/emptyprog

# The server runs on CPU 0 and the harness on the others (taskset), so that
# the generator does not steal the server's CPU.
PROFILE ?= quick
MODELS ?=
SCENARIOS ?=
BENCHFLAGS ?=
# The server's share of its CPU, the same for every model: auto calibrates it
# so that the server, not the generator, is the bottleneck; 1 gives the whole
# CPU (then fast models may be generator-bound, marked †).
SERVER_CPU ?= auto
bench: build
	@$(BIN)/netbench doctor >/dev/null || true   # one line: what is missing (make doctor: what each costs)
	@if [ "$$(nproc)" -ge 2 ] && command -v taskset >/dev/null; then \
		pin="taskset -c 1-$$(( $$(nproc) - 1 ))"; else pin=""; \
		echo "note: one CPU or no taskset: the harness shares the server's CPU (recorded in meta.json)"; fi; \
	$$pin $(BIN)/netbench run -profile $(PROFILE) -server-cpus 0 -server-cpu $(SERVER_CPU) -models "$(MODELS)" -scenarios "$(SCENARIOS)" $(BENCHFLAGS)

# What this machine gives a run: root or a delegated cgroup, perf, io_uring,
# Docker, the tools some commands use; and what a run gives up without each.
doctor: build
	$(BIN)/netbench doctor

# netbench ui: the models it starts run on CPU 0, the UI and its generator
# on the others, as make bench pins them. Stop it with Ctrl-C.
UIFLAGS ?=
ui: build
	$(PIN) $(BIN)/netbench ui -server-cpus 0 $(UIFLAGS)

# The reliability suite: server on CPU 0, netbench on the others.
PIN = $$(if [ "$$(nproc)" -ge 2 ] && command -v taskset >/dev/null; then echo "taskset -c 1-$$(( $$(nproc) - 1 ))"; fi)
STRESS_SHORT_MODELS ?= iterative fork prefork thread epoll

stress: build
	$(PIN) $(BIN)/netbench stress -server-cpus 0 -models "$(MODELS)" -cases "$(CASES)" $(STRESSFLAGS)

stress-short: build
	$(PIN) $(BIN)/netbench stress -short -check -server-cpus 0 -models "$(STRESS_SHORT_MODELS)" -out .cache/stress

test: fmt-check vet staticcheck unit race fuzz-short browser-test

# The seeds' own systems (servers/python: the blog's Python servers, the
# course's Django views) run on Debian's python3 with Debian's Django and
# gunicorn: installed with apt-get when missing (the smoke test of
# bench/reference starts each one).
PYTHON ?= /usr/bin/python3
python-deps:
	@$(PYTHON) -c 'import django, gunicorn' 2>/dev/null || { echo "installing python3, python3-django and gunicorn (the seeds' reference servers)"; \
	  apt-get update -qq >/dev/null && apt-get install -y -qq python3 python3-django gunicorn >/dev/null; }

fmt-check:
	@out=$$(gofmt -l $$(git ls-files '*.go' 2>/dev/null || find . -name '*.go')); \
	if [ -n "$$out" ]; then echo "gofmt would change:"; echo "$$out"; exit 1; fi

# deploy/k8s is a module of its own (the Kubernetes API types it decodes
# its manifests into stay out of netmodels' build): vetted and tested apart.
vet:
	$(GO) vet ./...
	cd deploy/k8s && $(GO) vet ./...

$(STATICCHECK):
	GOBIN=$(BIN) CGO_ENABLED=0 $(GO) install honnef.co/go/tools/cmd/staticcheck@$(STATICCHECK_VERSION)

staticcheck: $(STATICCHECK)
	$(STATICCHECK) ./...
	cd deploy/k8s && $(STATICCHECK) ./...

unit: build python-deps
	$(GO) test -count=1 ./...
	cd deploy/k8s && $(GO) test -count=1 ./...

# The race detector needs cgo; it runs on the packages with concurrency, and
# on the models whose traits say it applies (model.Traits.Race).
race: build python-deps
	CGO_ENABLED=1 $(GO) test -count=1 -race ./servers/httpx/... ./servers/handler/... ./bench/...
	CGO_ENABLED=1 $(GO) test -count=1 -race -run 'TestConformance' ./servers/servertest/

# Every fuzz target: the parser's session and its differential against
# net/http, and the game's body reader (against encoding/json) and guess
# route, wrk's output parser, /proc/stat's per-CPU lines (the steal
# reading), the generator's response reader against
# net/http. Each as name:package:executions. fuzz-short runs each for a
# count of executions (about 5 s each here), not for a time: with a
# -fuzztime duration Go 1.26's fuzzing coordinator can report "context
# deadline exceeded" at the deadline with no failing input (CI met it;
# go.dev/issue/75804, fixed in Go 1.27).
FUZZ_TARGETS = FuzzSession:./servers/httpx/:150000 FuzzDifferential:./servers/httpx/:150000 FuzzParseGuess:./servers/handler/:300000 FuzzGuess:./servers/handler/:50000 FuzzParse:./bench/wrk/:150000 FuzzDifferential:./bench/wire/:100000 FuzzParseProcStat:./bench/sample/:100000 FuzzRxStamp:./bench/attack/:100000 FuzzTxStamp:./bench/attack/:100000

# Every exercise of docs/coursework.md, each command at a reduced size,
# checked for the observation it promises (bench/coursework); about 3
# minutes on 2 cores.
coursework-check: build python-deps
	NETMODELS_COURSEWORK=1 $(GO) test -count=1 -timeout 20m -v ./bench/coursework/

# The up-down game played by headless Chromium on every model, and netbench
# ui's page driven through a test (installs chromium with apt-get when
# missing). BROWSER_SHOT=docs/updown.png also writes the game's screenshot,
# UI_SHOTS=docs/ the UI's.
browser-test:
	scripts/browser-test.sh $(if $(BROWSER_SHOT),-screenshot $(BROWSER_SHOT)) $(if $(UI_SHOTS),-ui-screenshots $(UI_SHOTS))

fuzz-short:
	@for t in $(FUZZ_TARGETS); do n=$${t%%:*}; r=$${t#*:}; p=$${r%%:*}; c=$${r#*:}; \
	  echo "fuzz $$n $${c}x"; \
	  $(GO) test -run XXX -fuzz "^$$n\$$" -fuzztime $${c}x $$p || exit 1; done

fuzz:
	@for t in $(FUZZ_TARGETS); do n=$${t%%:*}; r=$${t#*:}; p=$${r%%:*}; \
	  echo "fuzz $$n $(FUZZTIME)"; \
	  $(GO) test -run XXX -fuzz "^$$n\$$" -fuzztime $(FUZZTIME) $$p || exit 1; done

# Images FROM scratch with the static binaries: nothing is pulled.
images: build
	rm -rf .cache/docker && mkdir -p .cache/docker
	cp bin/netserver bin/netchild bin/netbench .cache/docker/
	@out=$$(DOCKER_BUILDKIT=0 docker build -q -f docker/server.Dockerfile --build-arg GIT_COMMIT=$$(git rev-parse HEAD 2>/dev/null || echo unknown) -t netmodels-server:latest .cache/docker 2>&1) || { echo "$$out"; exit 1; }
	@out=$$(DOCKER_BUILDKIT=0 docker build -q -f docker/bench.Dockerfile --build-arg GIT_COMMIT=$$(git rev-parse HEAD 2>/dev/null || echo unknown) -t netmodels-bench:latest .cache/docker 2>&1) || { echo "$$out"; exit 1; }

# Every model in its own container under equal limits: netbench run
# -backend docker (docs/docker.md). Knobs: PROFILE (default full), MODELS,
# SCENARIOS, REPEATS (default 1), CPUS (the server's cpuset, default 0), HARNESS_CPUS
# (default: the others), MEMORY (1g), PIDS (4096), NOFILE (65536 or the
# host's hard limit), NETWORK (container or bridge), CHECK=1 (fail unless
# every request of every model was answered 2xx).
DOCKER_PROFILE = $(if $(filter command line environment,$(origin PROFILE)),$(PROFILE),full)
DOCKERFLAGS = -backend docker -profile $(DOCKER_PROFILE) -models "$(MODELS)" -scenarios "$(SCENARIOS)" \
	-repeats $(or $(REPEATS),1) -server-cpu $(SERVER_CPU) $(if $(CPUS),-server-cpus $(CPUS)) $(if $(HARNESS_CPUS),-harness-cpus $(HARNESS_CPUS)) \
	$(if $(MEMORY),-memory $(MEMORY)) $(if $(PIDS),-pids $(PIDS)) $(if $(NOFILE),-nofile $(NOFILE)) \
	$(if $(NETWORK),-network $(NETWORK)) $(if $(filter 1,$(CHECK)),-check all) $(BENCHFLAGS)
bench-all: images
	$(PIN) $(BIN)/netbench run $(DOCKERFLAGS)

# CI: the images build and every model answers a short attack in its container.
docker-test:
	@if command -v docker >/dev/null && docker info >/dev/null 2>&1; then \
		$(MAKE) -s bench-all PROFILE=smoke CHECK=1; \
	elif [ "$${CI:-}" = true ]; then echo "docker-test: CI has no Docker engine; it is expected to"; exit 1; \
	else echo "docker-test: no Docker engine here; skipped"; fi

# One attack split over SHARDS attackers (Docker Compose replicas in the
# server's network namespace), started together and merged into one run
# (docs/distributed.md). Knobs: MODEL (epoll), SCENARIO (open-6000),
# SHARDS (3), SERVER_CPUS (0), ATTACKER_CPUS (1), STAMPS (1: netbench run
# -rx-stamps in every attacker; 2: -rx-stamps and -tx-stamps).
SHARDS ?= 3
SCENARIO ?= open-6000
shards: images
	rm -rf results/shards && mkdir -p results/shards
	export MODEL=$(or $(MODEL),epoll) SCENARIO=$(SCENARIO) SHARDS=$(SHARDS) RX_STAMPS=$(if $(filter 1 2,$(STAMPS)),true,false) TX_STAMPS=$(if $(filter 2,$(STAMPS)),true,false) RUN_UID=$$(id -u) RUN_GID=$$(id -g) \
	  NOFILE=$$(n=$$(ulimit -Hn); if [ "$$n" = unlimited ] || [ "$$n" -gt 65536 ]; then n=65536; fi; echo $$n) \
	  START_AT=$$(date -u -d '+20 seconds' +%Y-%m-%dT%H:%M:%SZ); \
	c="docker-compose -f docker/compose-shards.yaml -p netmodels-shards"; \
	$$c up -d server && $$c up --scale attacker=$(SHARDS) attacker; rc=$$?; $$c down -t 2 >/dev/null 2>&1; \
	[ $$rc -eq 0 ] && $(BIN)/netbench merge results results/shards/2*/

gobench:
	$(GO) test -run XXX -bench . -benchmem ./servers/httpx/ ./servers/handler/

# netbench perf: server CPU per request next to nginx, with wrk (both
# installed with apt-get when missing). Knobs: MODELS, DURATION (5s), PATHQ (/hello),
# CONNS (50), ROUNDS (3).
perf: build
	@for t in wrk nginx; do command -v $$t >/dev/null || { apt-get update -qq >/dev/null && apt-get install -y -qq wrk nginx >/dev/null; break; }; done
	$(BIN)/netbench perf $(if $(MODELS),-models "$(MODELS)") $(if $(DURATION),-duration $(DURATION)$(if $(findstring s,$(DURATION)),,s)) $(if $(PATHQ),-path "$(PATHQ)") $(if $(CONNS),-conns $(CONNS)) $(if $(ROUNDS),-rounds $(ROUNDS))

# netbench locust: the slides' locustfile under Locust and under netbench's
# users load, in turns, on one unsaturated server (Locust installed with
# apt-get when missing). Knobs: MODEL (thread), ROUNDS (2).
locust: build
	@command -v locust >/dev/null || { apt-get update -qq >/dev/null && apt-get install -y -qq python3-locust >/dev/null; }
	$(BIN)/netbench locust $(if $(MODEL),-model $(MODEL)) $(if $(ROUNDS),-rounds $(ROUNDS))

clean:
	rm -rf $(BIN)
