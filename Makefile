GO ?= go

.PHONY: all test demo bench bench-go fmt fmtcheck vet fuzz

all: test

## test: vet, gofmt check, and the whole suite under the race detector
test: vet fmtcheck
	$(GO) test -race -count=1 ./...

## demo: a supervised application that runs, fails, recovers and reports
demo:
	$(GO) run ./examples/supervision

## bench: every scenario of the benchmark CLI, with channel baselines (docs/benchmarks.md)
bench:
	$(GO) run ./benchmarks

## bench-go: the testing.B benchmarks of every package
bench-go:
	$(GO) test -run='^$$' -bench=. -benchmem ./...

## fuzz: run the mailbox fuzz target for a minute
fuzz:
	$(GO) test -run='^$$' -fuzz=FuzzQueueAgainstModel -fuzztime=60s ./mailbox

fmt:
	gofmt -w .

fmtcheck:
	@out=$$(gofmt -l .); if [ -n "$$out" ]; then echo "gofmt would change:"; echo "$$out"; exit 1; fi

vet:
	$(GO) vet ./...
