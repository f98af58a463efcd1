package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math"
	"runtime/pprof"
	"slices"
	"strconv"
	"text/tabwriter"
	"time"
)

// Implementations compared.
const (
	implRuntime = "runtime"
	implChan    = "chan"
	implRing    = "ring" // the ideal queue of ring.go
	// implDirect is the runtime doing the same work without the feature a
	// scenario measures (a router): the baseline of RatioVsDirect.
	implDirect = "direct"
	// implNATS is the NATS client alone doing what a remote scenario does
	// through nodes (publish→subscribe, request/reply): the baseline of
	// RatioVsNATS.
	implNATS = "nats"
)

// Result is one line of the report. A nil metric was not measured by the
// scenario and is left out of the JSON.
type Result struct {
	Scenario string `json:"scenario"`
	Impl     string `json:"impl"`
	// Mailbox is the actor's mailbox capacity, or the channel's buffer.
	Mailbox int `json:"mailbox"`
	// N is the work measured: messages, round trips, spawns, exits,
	// restarts or escalations.
	N        int  `json:"n"`
	Senders  int  `json:"senders,omitempty"`
	Siblings *int `json:"siblings,omitempty"`
	Depth    *int `json:"depth,omitempty"`

	MsgsPerSec         *float64 `json:"msgs_per_sec,omitempty"`
	RestartsPerSec     *float64 `json:"restarts_per_sec,omitempty"`
	NsPerOp            *float64 `json:"ns_per_op,omitempty"`
	P50                *float64 `json:"p50_ns,omitempty"`
	P99                *float64 `json:"p99_ns,omitempty"`
	BytesPerActor      *float64 `json:"bytes_per_actor,omitempty"`
	StackBytesPerActor *float64 `json:"stack_bytes_per_actor,omitempty"`
	GoroutinesPerActor *float64 `json:"goroutines_per_actor,omitempty"`
	AllocsPerOp        *float64 `json:"allocs_per_op,omitempty"`

	// The figures of supervision-memory: heap bytes per child of a
	// supervisor, per process of the same actor spawned unsupervised, and
	// the bytes per child beyond its process (the first less the second,
	// in each run).
	SupervisedBytesPerChild     *float64 `json:"supervised_bytes_per_child,omitempty"`
	UnsupervisedBytesPerProcess *float64 `json:"unsupervised_bytes_per_process,omitempty"`
	BytesPerChildBeyondProcess  *float64 `json:"bytes_per_child_beyond_process,omitempty"`

	// The figures of timers: the live heap and the goroutines each armed
	// timer adds to its process.
	BytesPerTimer      *float64 `json:"bytes_per_timer,omitempty"`
	GoroutinesPerTimer *float64 `json:"goroutines_per_timer,omitempty"`

	// The figures of observer: the CPU a page open on the observer costs,
	// in percent of one core; how long one snapshot of the system takes;
	// how far apart the budget spaced the updates, and how many came
	// within the window.
	CorePercent    *float64 `json:"core_percent,omitempty"`
	SnapshotMS     *float64 `json:"snapshot_ms,omitempty"`
	UpdateEverySec *float64 `json:"update_every_s,omitempty"`
	Updates        *float64 `json:"updates,omitempty"`

	// RatioVsChan and RatioVsRing are this result's headline metric
	// divided by the channel's and the ring's, in the same run; RatioOf
	// names the metric.
	RatioVsChan *float64 `json:"ratio_vs_chan,omitempty"`
	RatioVsRing *float64 `json:"ratio_vs_ring,omitempty"`
	// RatioVsDirect is the same against the runtime without the feature
	// measured, in the same run (the router scenario).
	RatioVsDirect *float64 `json:"ratio_vs_direct,omitempty"`
	// RatioVsNATS is the same against the NATS client alone (the remote
	// scenarios).
	RatioVsNATS *float64 `json:"ratio_vs_nats,omitempty"`
	RatioOf     string   `json:"ratio_of,omitempty"`
	// Spread is the lowest and the highest headline figure of the runs.
	Spread *Spread `json:"spread,omitempty"`
	// Reps is how many runs (-count) the figures are the median of.
	Reps int `json:"reps"`
}

// Spread is the range of a result's headline metric, named by Of, over
// the runs its median was taken from.
type Spread struct {
	Of  string  `json:"of"`
	Min float64 `json:"min"`
	Max float64 `json:"max"`
}

// figures returns every metric of r, the ratios among them: the fields a
// repeated run reports the median of.
func (r *Result) figures() []**float64 {
	return []**float64{
		&r.MsgsPerSec, &r.RestartsPerSec, &r.NsPerOp, &r.P50, &r.P99,
		&r.BytesPerActor, &r.StackBytesPerActor, &r.GoroutinesPerActor, &r.AllocsPerOp,
		&r.SupervisedBytesPerChild, &r.UnsupervisedBytesPerProcess, &r.BytesPerChildBeyondProcess,
		&r.BytesPerTimer, &r.GoroutinesPerTimer,
		&r.CorePercent, &r.SnapshotMS, &r.UpdateEverySec, &r.Updates,
		&r.RatioVsChan, &r.RatioVsRing, &r.RatioVsDirect, &r.RatioVsNATS,
	}
}

func ptr[T any](v T) *T { return &v }

// median returns the median of xs (which it sorts).
func median(xs []float64) float64 {
	if len(xs) == 0 {
		return math.NaN()
	}
	slices.Sort(xs)
	m := len(xs) / 2
	if len(xs)%2 == 1 {
		return xs[m]
	}
	return (xs[m-1] + xs[m]) / 2
}

// latencies summarises samples: p50, p99 (nearest rank) and the mean.
func latencies(ds []time.Duration) (p50, p99, mean float64) {
	if len(ds) == 0 {
		return math.NaN(), math.NaN(), math.NaN()
	}
	slices.Sort(ds)
	rank := func(p float64) float64 {
		i := int(math.Ceil(p*float64(len(ds)))) - 1
		return float64(ds[max(i, 0)].Nanoseconds())
	}
	var sum time.Duration
	for _, d := range ds {
		sum += d
	}
	return rank(0.50), rank(0.99), float64(sum.Nanoseconds()) / float64(len(ds))
}

// headline returns a result's main metric, the one the ratios against the
// baselines and the spread are of: throughput where it is measured
// (messages or restarts), otherwise time per operation (p50 for latency
// scenarios), for supervision-memory the bytes per child beyond its
// process, and for timers the bytes per armed timer.
func headline(r Result) (string, *float64) {
	switch {
	case r.CorePercent != nil:
		return "core_percent", r.CorePercent
	case r.BytesPerTimer != nil:
		return "bytes_per_timer", r.BytesPerTimer
	case r.MsgsPerSec != nil:
		return "msgs_per_sec", r.MsgsPerSec
	case r.RestartsPerSec != nil:
		return "restarts_per_sec", r.RestartsPerSec
	case r.P50 != nil:
		return "p50_ns", r.P50
	case r.NsPerOp != nil:
		return "ns_per_op", r.NsPerOp
	case r.BytesPerChildBeyondProcess != nil:
		return "bytes_per_child_beyond_process", r.BytesPerChildBeyondProcess
	}
	return "", nil
}

// addRatios sets RatioVsChan and RatioVsRing on every runtime result that
// has a channel or ring result with the same scenario and senders (and, in
// the sweep, capacity). rs is one run of one scenario, so that each ratio
// is of figures measured side by side.
func addRatios(rs []Result) {
	for i := range rs {
		r := &rs[i]
		if r.Impl != implRuntime {
			continue
		}
		for _, c := range rs {
			var ratio **float64
			switch c.Impl {
			case implChan:
				ratio = &r.RatioVsChan
			case implRing:
				ratio = &r.RatioVsRing
			case implDirect:
				ratio = &r.RatioVsDirect
			case implNATS:
				ratio = &r.RatioVsNATS
			default:
				continue
			}
			if c.Scenario != r.Scenario || c.Senders != r.Senders {
				continue
			}
			if r.Scenario == "mailbox-sweep" && c.Mailbox != r.Mailbox {
				continue // the sweep compares equal capacities
			}
			of, v := headline(*r)
			cof, cv := headline(c)
			if v != nil && cv != nil && of == cof && *cv != 0 {
				*ratio, r.RatioOf = ptr(*v / *cv), of
			}
		}
	}
}

func writeJSON(w io.Writer, rs []Result) error {
	enc := json.NewEncoder(w)
	for _, r := range rs {
		if err := enc.Encode(r); err != nil {
			return err
		}
	}
	return nil
}

func writeTable(w io.Writer, rs []Result) error {
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', tabwriter.AlignRight)
	fmt.Fprintln(tw, "scenario\timpl\tmailbox\tn\tmsgs/s\tns/op\tp50\tp99\tB/actor\tgoroutines/actor\tallocs/op\tspread\tvs chan\tvs ring\tvs direct\tvs nats\t")
	for _, r := range rs {
		name := r.Scenario
		switch {
		case r.Senders > 0 && r.Scenario == "mailbox-sweep":
			name += fmt.Sprintf(" %dto1", r.Senders)
		case r.Siblings != nil:
			name += fmt.Sprintf(" (%d siblings)", *r.Siblings)
		case r.Depth != nil:
			name += fmt.Sprintf(" (depth %d)", *r.Depth)
		case r.Scenario == "router" && r.MsgsPerSec != nil:
			name += fmt.Sprintf(" tell %dto%d", r.Senders, routees)
		case r.Scenario == "router":
			name += " request"
		}
		thr := r.MsgsPerSec
		if thr == nil {
			thr = r.RestartsPerSec
		}
		bytes := fmtF(r.BytesPerActor, "%.0f")
		if r.StackBytesPerActor != nil && *r.StackBytesPerActor >= 1 {
			bytes += fmt.Sprintf(" +%.0f stack", *r.StackBytesPerActor)
		}
		goroutines := fmtF(r.GoroutinesPerActor, "%.2f")
		if r.BytesPerTimer != nil {
			bytes = fmt.Sprintf("%.0f /timer", *r.BytesPerTimer)
			goroutines = fmtF(r.GoroutinesPerTimer, "%.4f /timer")
		}
		if r.CorePercent != nil {
			name += fmt.Sprintf(" (%.2f%% of a core; snapshot %.0fms; update every %.1fs)",
				*r.CorePercent, *r.SnapshotMS, *r.UpdateEverySec)
		}
		if r.BytesPerChildBeyondProcess != nil {
			bytes = fmt.Sprintf("%+.0f (%s vs %s)", *r.BytesPerChildBeyondProcess,
				fmtF(r.SupervisedBytesPerChild, "%.0f"), fmtF(r.UnsupervisedBytesPerProcess, "%.0f"))
		}
		spread := "-"
		if s := r.Spread; s != nil {
			spread = fmtFigure(s.Of, s.Min) + "–" + fmtFigure(s.Of, s.Max) + " " + unitOf[s.Of]
		}
		fmt.Fprintf(tw, "%s\t%s\t%d\t%d\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t\n",
			name, r.Impl, r.Mailbox, r.N, fmtRate(thr, r.RestartsPerSec != nil), fmtNs(r.NsPerOp), fmtNs(r.P50), fmtNs(r.P99),
			bytes, goroutines, fmtF(r.AllocsPerOp, "%.3f"), spread,
			fmtRatio(r.RatioVsChan, r.RatioOf), fmtRatio(r.RatioVsRing, r.RatioOf), fmtRatio(r.RatioVsDirect, r.RatioOf),
			fmtRatio(r.RatioVsNATS, r.RatioOf))
	}
	return tw.Flush()
}

// unitOf is how the table names each headline metric.
var unitOf = map[string]string{
	"msgs_per_sec": "msgs/s", "restarts_per_sec": "restarts/s", "p50_ns": "p50", "ns_per_op": "ns/op",
	"bytes_per_child_beyond_process": "B/child", "bytes_per_timer": "B/timer", "core_percent": "% of a core",
}

// fmtFigure formats a value of the headline metric of.
func fmtFigure(of string, v float64) string {
	switch of {
	case "msgs_per_sec", "restarts_per_sec":
		return strconv.FormatFloat(v/1e6, 'f', 2, 64) + "M"
	case "p50_ns", "ns_per_op":
		return fmtNs(&v)
	}
	return fmt.Sprintf("%.0f", v)
}

func fmtRatio(v *float64, of string) string {
	if v == nil {
		return "-"
	}
	return fmt.Sprintf("%.2fx %s", *v, unitOf[of])
}

func fmtF(v *float64, format string) string {
	if v == nil {
		return "-"
	}
	return fmt.Sprintf(format, *v)
}

func fmtRate(v *float64, restarts bool) string {
	if v == nil {
		return "-"
	}
	s := strconv.FormatFloat(*v/1e6, 'f', 2, 64) + "M"
	if restarts {
		s += " restarts/s"
	}
	return s
}

func fmtNs(v *float64) string {
	if v == nil {
		return "-"
	}
	d := time.Duration(*v)
	switch {
	case d < time.Microsecond:
		return fmt.Sprintf("%.0fns", *v)
	case d < time.Millisecond:
		return fmt.Sprintf("%.2fµs", *v/1e3)
	default:
		return fmt.Sprintf("%.2fms", *v/1e6)
	}
}

// measured runs f with the pprof label phase=measure (and the label pairs
// given), which the goroutines f starts (the actors' turns among them)
// inherit: with -cpuprofile, `go tool pprof -tagfocus phase=measure` shows
// the measured work alone, without the setup.
func measured(f func(), labels ...string) {
	labels = append([]string{"phase", "measure"}, labels...)
	pprof.Do(context.Background(), pprof.Labels(labels...), func(context.Context) { f() })
}

// errTimeout is returned when a scenario does not finish within the
// configured timeout: a hang, reported instead of waited for.
var errTimeout = errors.New("timed out waiting for the actors: see -timeout")

// watchdog bounds every wait of one scenario run with a single timer, so
// that a hang fails the run instead of blocking it forever.
type watchdog struct{ t *time.Timer }

func newWatchdog(d time.Duration) *watchdog { return &watchdog{t: time.NewTimer(d)} }

func (w *watchdog) stop() { w.t.Stop() }

// recv receives from ch, or fails when the watchdog fires or fail delivers
// an error reported by an actor.
func recv[T any](w *watchdog, ch <-chan T, fail <-chan error) (T, error) {
	select {
	case v := <-ch:
		return v, nil
	case err := <-fail:
		var zero T
		return zero, err
	case <-w.t.C:
		var zero T
		return zero, errTimeout
	}
}

// report passes err to fail without blocking; the first error wins.
func report(fail chan<- error, err error) {
	select {
	case fail <- err:
	default:
	}
}
