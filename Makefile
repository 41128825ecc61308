# baselab — the two commands a new user needs are `make labs` and `make test`.
# Ryuk (testcontainers' reaper) cannot be pulled without a registry; baselab
# labels everything it creates and cleans up itself instead.
export TESTCONTAINERS_RYUK_DISABLED := true

GO      ?= go
BIN     := bin/baselab
OUT     ?= results/latest
TIMEOUT ?= 75m

.PHONY: build labs test bench fixtures clean lint

# A static binary: `baselab` can copy itself into a scratch image (dnsfaker).
build:
	CGO_ENABLED=0 $(GO) build -trimpath -o $(BIN) ./cmd/baselab

# Runs every lab on real containers and writes results.jsonl and the report.
# .ci/prereqs installs debootstrap when root with apt; `baselab run` checks
# what it needs first and stops with one block if something is missing.
labs: build
	@.ci/prereqs
	rm -rf $(OUT)
	./$(BIN) run --out $(OUT)

# Every test, Docker labs included (the first run builds the offline images).
# -count=1: a cached pass says nothing about the engine the labs run on now.
test: build
	@.ci/prereqs --test
	./$(BIN) check
	$(GO) test -count=1 -timeout $(TIMEOUT) ./...
	@# Alone, after the rest: busy loops on every core, the DNS verdicts
	@# held to a quiet run's (labs/dns/loaded_test.go); the counts it logs.
	log=$$(mktemp); BASELAB_LOADED_MACHINE=1 $(GO) test -count=1 -timeout 10m -run '^TestVerdictsSurviveALoadedMachine$$' -v ./labs/dns/ > $$log 2>&1; \
		rc=$$?; grep -E 'noise floor:|against quiet|opposite|Error|^(--- |ok|FAIL)' $$log; rm -f $$log; exit $$rc

# Speed goals live here, not in timed tests: container start against the
# bare engine API, dnsfaker against a bare miekg/dns server and CoreDNS
# erratic under dnsperf (CoreDNS built once into bin/ by .ci/coredns, never
# a dependency of baselab), each set measured in one run on this machine,
# and the DNS matrix against its slowest lookup.
bench:
	$(GO) test -run '^$$' -bench 'StartAgainstRaw' -benchtime 10x ./harness/run/
	@.ci/prereqs --bench
	@.ci/coredns >/dev/null || echo "bench: CoreDNS did not build (.ci/coredns): BenchmarkThroughput skips"
	$(GO) test -run '^$$' -bench 'Throughput|ServerTimeAt32Clients' -benchtime 1x -v ./dnsfaker/ | grep -E 'Benchmark|dnsperf|queries/s|µs|×|SKIP|skip'
	$(GO) test -run '^$$' -bench 'Matrix' -benchtime 1x -timeout 15m ./labs/dns/ | grep -E 'Benchmark|dns matrix'

fixtures: build
	./$(BIN) fixtures build

clean: build
	./$(BIN) clean

lint:
	@out=$$(gofmt -l $$(git ls-files '*.go')); if [ -n "$$out" ]; then echo "gofmt would change:"; echo "$$out"; exit 1; fi
	$(GO) vet ./...
