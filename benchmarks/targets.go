package main

import (
	"fmt"
	"io"
	"text/tabwriter"
)

// check is one of the runtime's performance targets, judged on this run's
// results.
type check struct {
	target   string
	measured string
	met      bool
}

// evaluate judges every target whose scenario ran. With -count above 1
// the results are medians, and so are the ratios: the targets judge the
// medians, not the best or the worst run.
func evaluate(rs []Result) []check {
	find := func(scenario, impl string, match func(Result) bool) *Result {
		for i := range rs {
			if rs[i].Scenario == scenario && rs[i].Impl == impl && (match == nil || match(rs[i])) {
				return &rs[i]
			}
		}
		return nil
	}
	var out []check
	add := func(target string, met bool, format string, args ...any) {
		out = append(out, check{target: target, met: met, measured: fmt.Sprintf(format, args...)})
	}
	if r := find("tell-1to1", implRuntime, nil); r != nil {
		if r.RatioVsChan != nil {
			add("tell-1to1 >= 1.6x chan msgs/s", *r.RatioVsChan >= 1.6, "%.2fx", *r.RatioVsChan)
		}
		if r.RatioVsRing != nil {
			add("tell-1to1 >= 0.9x ring msgs/s", *r.RatioVsRing >= 0.9, "%.2fx", *r.RatioVsRing)
		}
		if r.AllocsPerOp != nil {
			// Allocation-free: fewer than one allocation per thousand
			// messages, which is what setup noise can account for.
			add("tell-1to1 allocation-free per message", *r.AllocsPerOp < 0.001, "%.4f allocs/msg", *r.AllocsPerOp)
		}
	}
	if r := find("tell-4to1", implRuntime, nil); r != nil {
		if r.RatioVsChan != nil {
			add("tell-4to1 >= 1.0x chan msgs/s", *r.RatioVsChan >= 1.0, "%.2fx", *r.RatioVsChan)
		}
		if r.RatioVsRing != nil {
			add("tell-4to1 >= 1.0x ring msgs/s", *r.RatioVsRing >= 1.0, "%.2fx", *r.RatioVsRing)
		}
	}
	if r := find("pingpong", implRuntime, nil); r != nil && r.RatioVsChan != nil {
		add("pingpong round trip <= 1.0x chan", *r.RatioVsChan <= 1.0, "%.2fx (%s vs %s)", *r.RatioVsChan,
			fmtNs(r.NsPerOp), fmtNs(chanNs(find("pingpong", implChan, nil))))
	}
	if r := find("spawn", implRuntime, nil); r != nil {
		add("spawn <= 1.5µs", *r.NsPerOp <= 1500, "%s", fmtNs(r.NsPerOp))
		add("spawn <= 512 bytes per idle actor", *r.BytesPerActor <= 512, "%.0f B", *r.BytesPerActor)
		add("spawn 0 goroutines per idle actor", *r.GoroutinesPerActor == 0, "%.4f", *r.GoroutinesPerActor)
	}
	for _, sc := range []string{"restart", "restart-stop"} {
		if r := find(sc, implRuntime, nil); r != nil {
			add(sc+" p50 <= 4µs", *r.P50 <= 4000, "%s", fmtNs(r.P50))
			add(sc+" p99 <= 50µs", *r.P99 <= 50000, "%s", fmtNs(r.P99))
			add(sc+" >= 250,000 restarts/s", *r.RestartsPerSec >= 250000, "%.0f/s", *r.RestartsPerSec)
		}
	}
	sib := func(n int) func(Result) bool {
		return func(r Result) bool { return r.Siblings != nil && *r.Siblings == n }
	}
	if a, b := find("restart-siblings", implRuntime, sib(10)), find("restart-siblings", implRuntime, sib(100_000)); a != nil && b != nil {
		ratio := *b.P50 / *a.P50
		add("restart-siblings p50(100,000) <= 1.3x p50(10)", ratio <= 1.3, "%.2fx (%s vs %s)", ratio, fmtNs(b.P50), fmtNs(a.P50))
	}
	if r := find("escalation", implRuntime, func(r Result) bool { return r.Depth != nil && *r.Depth == 1000 }); r != nil {
		add("escalation depth 1,000 < 1ms (p50)", *r.P50 < 1e6, "p50 %s, p99 %s", fmtNs(r.P50), fmtNs(r.P99))
	}
	if r := find("router", implRuntime, func(r Result) bool { return r.MsgsPerSec != nil }); r != nil && r.RatioVsDirect != nil {
		add("router round-robin over 4 >= 0.7x tell-4to1 msgs/s", *r.RatioVsDirect >= 0.7, "%.2fx", *r.RatioVsDirect)
	}
	if r := find("router", implRuntime, func(r Result) bool { return r.MsgsPerSec == nil }); r != nil && r.RatioVsDirect != nil {
		add("router Request <= 1.5x direct Request", *r.RatioVsDirect <= 1.5, "%.2fx (%s vs %s)", *r.RatioVsDirect,
			fmtNs(r.NsPerOp), fmtNs(chanNs(find("router", implDirect, func(r Result) bool { return r.MsgsPerSec == nil }))))
	}
	if r := find("remote-tell", implRuntime, nil); r != nil && r.RatioVsNATS != nil {
		add("remote-tell >= 0.5x NATS publish->subscribe msgs/s", *r.RatioVsNATS >= 0.5, "%.2fx (%.0f vs %.0f msgs/s)",
			*r.RatioVsNATS, *r.MsgsPerSec, *find("remote-tell", implNATS, nil).MsgsPerSec)
	}
	if r := find("remote-request", implRuntime, nil); r != nil && r.RatioVsNATS != nil {
		add("remote-request round trip <= 1.5x NATS request/reply", *r.RatioVsNATS <= 1.5, "%.2fx (%s vs %s)",
			*r.RatioVsNATS, fmtNs(r.NsPerOp), fmtNs(chanNs(find("remote-request", implNATS, nil))))
	}
	if r := find("supervision-memory", implRuntime, nil); r != nil {
		add("supervision memory <= 128 B per supervised child beyond its process", *r.BytesPerChildBeyondProcess <= 128,
			"%.0f B (%.0f B per child, %.0f B per unsupervised process)",
			*r.BytesPerChildBeyondProcess, *r.SupervisedBytesPerChild, *r.UnsupervisedBytesPerProcess)
	}
	if r := find("metrics", implRuntime, func(r Result) bool { return r.MsgsPerSec != nil }); r != nil {
		if r.RatioVsDirect != nil {
			add("metrics on: tell-1to1 >= 0.98x metrics off msgs/s", *r.RatioVsDirect >= 0.98, "%.3fx", *r.RatioVsDirect)
		}
		add("metrics on: tell-1to1 allocation-free per message", *r.AllocsPerOp < 0.001, "%.4f allocs/msg", *r.AllocsPerOp)
	}
	if r := find("metrics", implRuntime, func(r Result) bool { return r.RestartsPerSec != nil }); r != nil && r.RatioVsDirect != nil {
		add("metrics on: restart >= 0.98x metrics off restarts/s", *r.RatioVsDirect >= 0.98, "%.3fx", *r.RatioVsDirect)
	}
	if r := find("timers", implRuntime, nil); r != nil {
		// The system's one timer goroutine serves all n: anything more is a
		// goroutine per timer (or per few), which is what must not happen.
		extra := *r.GoroutinesPerTimer * float64(r.N)
		add("timers 0 goroutines per armed timer (one timer goroutine for all)", extra <= 1.5,
			"%.4f per timer (%.0f for %d timers)", *r.GoroutinesPerTimer, extra, r.N)
		// An armed periodic timer is, by size class, its heap entry
		// (96 B), its cancel function (24 B), a slot in the heap (8 B,
		// more while the slice grows) and, for a process that has no
		// links, monitors or context yet, the procExt that lists it
		// (96 B): at most about 225 B, measured at about 195 B. 256 B is
		// that with room for noise; it fails a timer that costs a map
		// entry in its owner (+130 B, as an earlier version did), and a
		// goroutine per timer fails the other target.
		add("timers <= 256 B per armed timer", *r.BytesPerTimer <= 256, "%.0f B", *r.BytesPerTimer)
	}
	if r := find("observer", implRuntime, nil); r != nil && r.N >= 100_000 {
		add("observer < 1% of one core with a page open on 100,000 idle processes", *r.CorePercent < 1,
			"%.2f%% (snapshot %.0f ms, update every %.1f s)", *r.CorePercent, *r.SnapshotMS, *r.UpdateEverySec)
	}
	return out
}

func chanNs(r *Result) *float64 {
	if r == nil {
		return nil
	}
	return r.NsPerOp
}

func writeTargets(w io.Writer, checks []check) error {
	if len(checks) == 0 {
		return nil
	}
	fmt.Fprintln(w, "Targets:")
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	for _, c := range checks {
		verdict := "MISSED"
		if c.met {
			verdict = "met"
		}
		fmt.Fprintf(tw, "  %s\t%s\t%s\n", c.target, c.measured, verdict)
	}
	return tw.Flush()
}
