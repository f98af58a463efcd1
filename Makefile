GO ?= go

.PHONY: all test test-browser browser-check demo bench bench-go fmt fmtcheck vet fuzz soak

all: test

## test: vet, gofmt check, and the whole suite under the race detector; then
## the mailbox and the runtime again without it, since under the race
## detector atomicx.StoreRelease is sync/atomic's store and the weaker
## ordering of its assembly goes untested; and otelrt, whose series test
## churns the full million processes only without the race detector
test: vet fmtcheck
	$(GO) test -race -count=1 ./...
	$(GO) test -count=1 ./internal/atomicx ./mailbox ./system ./otelrt
	@$(MAKE) --no-print-directory browser-check

## test-browser: the observer's page in headless Chromium (build tag browser);
## needs the chromium binary on PATH, or its path in BROWSER
test-browser:
	$(GO) test -race -count=1 -tags browser -run TestBrowser -v ./observer

# browser-check runs test-browser when Chromium is there; otherwise it says
# so, and fails if RT_REQUIRE_BROWSER is set (as .ci/run sets it).
browser-check:
	@if [ -n "$$BROWSER" ] || command -v chromium >/dev/null 2>&1; then \
		$(MAKE) --no-print-directory test-browser; \
	elif [ -n "$$RT_REQUIRE_BROWSER" ]; then \
		echo "FAIL: RT_REQUIRE_BROWSER is set but chromium is not on PATH: the browser test cannot run"; exit 1; \
	else \
		echo "NOTE: the browser test (observer page in headless Chromium) did NOT run: chromium is not on PATH."; \
		echo "      To run it: apt-get install chromium (or set BROWSER to its path), then: make test-browser"; \
	fi

## demo: a supervised application that runs, fails, recovers and reports
demo:
	$(GO) run ./examples/supervision

## bench: every scenario of the benchmark CLI, with channel baselines (docs/benchmarks.md)
bench:
	$(GO) run ./benchmarks

## bench-go: the testing.B benchmarks of every package
bench-go:
	$(GO) test -run='^$$' -bench=. -benchmem ./...

## fuzz: run each fuzz target for a minute (mailbox; PID map; supervisor intensity, decisions and breakers)
fuzz:
	$(GO) test -run='^$$' -fuzz=FuzzQueueAgainstModel -fuzztime=60s ./mailbox
	$(GO) test -run='^$$' -fuzz=FuzzAgainstModel -fuzztime=60s ./internal/pidmap
	$(GO) test -run='^$$' -fuzz=FuzzIntensityAgainstModel -fuzztime=60s ./supervisor
	$(GO) test -run='^$$' -fuzz=FuzzIntensityReconfigured -fuzztime=60s ./supervisor
	$(GO) test -run='^$$' -fuzz=FuzzSupervisorAgainstModel -fuzztime=60s ./supervisor
	$(GO) test -run='^$$' -fuzz=FuzzDecisionsAgainstModel -fuzztime=60s ./supervisor
	$(GO) test -run='^$$' -fuzz=FuzzBreakerAgainstModel -fuzztime=60s ./supervisor

## soak: the long reliability suite (minutes; results in docs/reliability.md):
## chaos soak (SOAK_DURATION, default 2m; SOAK_SEED replays), 1,000,000 idle
## actors, a supervisor of 100,000 children, a chain of 1,000 supervisors.
## All under the race detector: the million actors take about a minute with
## it on 2 cores, well within the timeout, so no part needs to run without.
soak:
	SOAK=1 $(GO) test -race -count=1 -timeout 30m -run Soak -v ./internal/soak

fmt:
	gofmt -w .

fmtcheck:
	@out=$$(gofmt -l .); if [ -n "$$out" ]; then echo "gofmt would change:"; echo "$$out"; exit 1; fi

vet:
	$(GO) vet ./...
