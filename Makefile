GO ?= go

.PHONY: all test demo bench bench-go fmt fmtcheck vet fuzz soak

all: test

## test: vet, gofmt check, and the whole suite under the race detector; then
## the mailbox and the runtime again without it, since under the race
## detector atomicx.StoreRelease is sync/atomic's store and the weaker
## ordering of its assembly goes untested; and otelrt, whose series test
## churns the full million processes only without the race detector
test: vet fmtcheck
	$(GO) test -race -count=1 ./...
	$(GO) test -count=1 ./internal/atomicx ./mailbox ./system ./otelrt

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
