// Command benchmarks measures the runtime's hot paths and prints each figure
// beside a plain Go channel doing the same work in the same run, so that
// the ratios hold on a shared machine where absolute numbers drift.
//
//	go run ./benchmarks                      # every scenario, full size, 5 runs each
//	go run ./benchmarks -quick               # the same in under 30 s, 3 runs each
//	go run ./benchmarks -scenario tell-1to1,pingpong -count 9
//	go run ./benchmarks -mailbox 64,1024 -scenario mailbox-sweep
//	go run ./benchmarks -json                # one JSON object per line
//
// # What is counted
//
// A benchmark never counts work it did not do: every message counted was
// received by an actor (or by the consumer of a baseline), which signals
// completion when it has received the last one. Latencies are percentiles
// over every sample of a run.
//
// # Baselines
//
// Beside the runtime, each scenario that has one runs a baseline doing the
// same work in the same run: "chan", plain goroutines and channels, and for
// tell-1to1, tell-4to1 and pingpong "ring", the ideal queue of ring.go: a
// bounded lock-free MPSC ring whose consumer goroutine starts when it gets
// work and exits when it has drained it, which is the least a mailbox with
// no goroutine of its own can do per message.
//
// # Repetitions
//
// -count N (5 by default, 3 with -quick) runs each scenario N times in a
// row, each run a full one: the baselines, then the runtime. Each line of
// the report holds the median of each of its figures over the N runs and,
// as its spread, the lowest and the highest of its headline figure. The
// ratios to the baselines are taken within each run and their median is
// reported. There are no repetitions inside a scenario: -count is the only
// one, so that every scenario is repeated, and summarised, the same way.
//
// # Output
//
// The table goes to stdout, followed by the performance targets and whether
// each was met. With -json, stdout holds only the results, one object per
// line, and the targets go to stderr. A progress line per scenario always
// goes to stderr. See docs/benchmarks.md for how to read the numbers.
package main

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"runtime/pprof"
	"slices"
	"strconv"
	"strings"
	"time"
)

func main() {
	if err := run(os.Args[1:], os.Stdout, os.Stderr); err != nil {
		if !errors.Is(err, flag.ErrHelp) {
			fmt.Fprintln(os.Stderr, "benchmarks:", err)
		}
		os.Exit(2)
	}
}

// run parses args, runs the chosen scenarios with the chosen sizes and
// writes the report to stdout and progress to stderr.
func run(args []string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("benchmarks", flag.ContinueOnError)
	fs.SetOutput(stderr)
	var (
		names   = fs.String("scenario", "", "comma-separated scenarios to run (default: all): "+strings.Join(scenarioNames(), ","))
		sizes   = fs.String("mailbox", "64,256,1024,4096", "comma-separated mailbox capacities for mailbox-sweep")
		quick   = fs.Bool("quick", false, "smaller sizes and fewer repetitions: the whole run in under 30 s")
		count   = fs.Int("count", 0, "runs of each scenario; each line reports the median and the spread (default 5, 3 with -quick)")
		asJSON  = fs.Bool("json", false, "print one JSON object per result line instead of the table")
		timeout = fs.Duration("timeout", 5*time.Minute, "fail a scenario that has not finished after this long")
		cpuprof = fs.String("cpuprofile", "", "write a CPU profile of the run to this file (measured phases carry the pprof label phase=measure)")
	)
	if err := fs.Parse(args); err != nil {
		return err
	}
	if fs.NArg() > 0 {
		return fmt.Errorf("unexpected arguments %q", fs.Args())
	}
	chosen, err := pickScenarios(*names)
	if err != nil {
		return err
	}
	cfg := fullConfig()
	if *quick {
		cfg = quickConfig()
	}
	if cfg.sweep, err = parseSizes(*sizes); err != nil {
		return err
	}
	cfg.timeout = *timeout
	var countSet bool
	fs.Visit(func(f *flag.Flag) { countSet = countSet || f.Name == "count" })
	if countSet {
		if *count < 1 {
			return fmt.Errorf("-count: %d is not a number of runs of at least 1", *count)
		}
		cfg.count = *count
	}
	if *cpuprof != "" {
		f, err := os.Create(*cpuprof)
		if err != nil {
			return err
		}
		defer f.Close()
		if err := pprof.StartCPUProfile(f); err != nil {
			return err
		}
		defer pprof.StopCPUProfile()
	}
	return execute(cfg, chosen, *asJSON, stdout, stderr)
}

// execute runs the scenarios with cfg and writes the report: the table
// and the targets, or JSON lines (and the targets to stderr).
func execute(cfg config, chosen []scenario, asJSON bool, stdout, stderr io.Writer) error {
	var results []Result
	start := time.Now()
	for i, sc := range chosen {
		fmt.Fprintf(stderr, "bench: [%d/%d] %-18s %s, %d run(s) ...", i+1, len(chosen), sc.name, sc.about(cfg), cfg.count)
		t0 := time.Now()
		rs, err := repeat(sc, cfg)
		if err != nil {
			fmt.Fprintln(stderr, " failed")
			return fmt.Errorf("%s: %w", sc.name, err)
		}
		fmt.Fprintf(stderr, " done in %v\n", time.Since(t0).Round(time.Millisecond))
		results = append(results, rs...)
	}
	fmt.Fprintf(stderr, "bench: %d scenario(s) in %v\n", len(chosen), time.Since(start).Round(time.Millisecond))

	checks := evaluate(results)
	if asJSON {
		if err := writeJSON(stdout, results); err != nil {
			return err
		}
		return writeTargets(stderr, checks)
	}
	if err := writeTable(stdout, results); err != nil {
		return err
	}
	fmt.Fprintln(stdout)
	return writeTargets(stdout, checks)
}

// pickScenarios returns the scenarios named in list, in the canonical
// order; an empty list means all of them.
func pickScenarios(list string) ([]scenario, error) {
	all := scenarios()
	if strings.TrimSpace(list) == "" || list == "all" {
		return all, nil
	}
	want := map[string]bool{}
	for _, n := range strings.Split(list, ",") {
		n = strings.TrimSpace(n)
		if n == "" {
			continue
		}
		if !slices.Contains(scenarioNames(), n) {
			return nil, fmt.Errorf("unknown scenario %q; known: %s", n, strings.Join(scenarioNames(), ", "))
		}
		want[n] = true
	}
	var out []scenario
	for _, sc := range all {
		if want[sc.name] {
			out = append(out, sc)
		}
	}
	if len(out) == 0 {
		return nil, errors.New("no scenario chosen")
	}
	return out, nil
}

// parseSizes parses the -mailbox list: positive capacities.
func parseSizes(list string) ([]int, error) {
	var out []int
	for _, f := range strings.Split(list, ",") {
		f = strings.TrimSpace(f)
		if f == "" {
			continue
		}
		n, err := strconv.Atoi(f)
		if err != nil || n < 1 {
			return nil, fmt.Errorf("-mailbox: %q is not a capacity of at least 1", f)
		}
		out = append(out, n)
	}
	if len(out) == 0 {
		return nil, errors.New("-mailbox: no capacity given")
	}
	return out, nil
}
