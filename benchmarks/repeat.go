package main

import (
	"fmt"
	"slices"
)

// repeat runs sc c.count times and returns one result per line the
// scenario reports, holding the median of each figure over the runs and
// the spread of its headline. The ratios against the baselines are taken
// within each run, where the baselines and the runtime ran one after the
// other, and their median is reported: a ratio is never of figures from
// different runs.
func repeat(sc scenario, c config) ([]Result, error) {
	runs := make([][]Result, 0, c.count)
	for i := range c.count {
		rs, err := sc.run(c)
		if err != nil {
			if c.count > 1 {
				err = fmt.Errorf("run %d of %d: %w", i+1, c.count, err)
			}
			return nil, err
		}
		addRatios(rs)
		runs = append(runs, rs)
	}
	return merge(runs)
}

// lineKey identifies a line of a scenario's report across its runs.
type lineKey struct {
	scenario, impl                  string
	mailbox, n, senders, sib, depth int
}

func keyOf(r Result) lineKey {
	k := lineKey{scenario: r.Scenario, impl: r.Impl, mailbox: r.Mailbox, n: r.N, senders: r.Senders, sib: -1, depth: -1}
	if r.Siblings != nil {
		k.sib = *r.Siblings
	}
	if r.Depth != nil {
		k.depth = *r.Depth
	}
	return k
}

// merge folds the runs of one scenario, each the same lines in the same
// order, into one line each: every figure the median of that figure over
// the runs (so the figures of a line may come from different runs), the
// headline's lowest and highest in Spread, and Reps the number of runs.
// N stays the work of one run: the median is of runs that each did it.
func merge(runs [][]Result) ([]Result, error) {
	if len(runs) == 0 {
		return nil, nil
	}
	out := make([]Result, len(runs[0]))
	for i, first := range runs[0] {
		lines := make([]Result, len(runs))
		for k, rs := range runs {
			if len(rs) != len(runs[0]) || keyOf(rs[i]) != keyOf(first) {
				return nil, fmt.Errorf("run %d reported other lines than run 1", k+1)
			}
			lines[k] = rs[i]
		}
		out[i] = mergeLine(lines)
	}
	return out, nil
}

// mergeLine is merge for one line of a report.
func mergeLine(lines []Result) Result {
	r := lines[0]
	figs := r.figures()
	for j, f := range figs {
		var xs []float64
		for k := range lines {
			if v := *lines[k].figures()[j]; v != nil {
				xs = append(xs, *v)
			}
		}
		if len(xs) > 0 {
			*f = ptr(median(xs))
		}
	}
	if of, _ := headline(r); of != "" {
		var xs []float64
		for _, l := range lines {
			if lof, v := headline(l); lof == of {
				xs = append(xs, *v)
			}
		}
		r.Spread = &Spread{Of: of, Min: slices.Min(xs), Max: slices.Max(xs)}
	}
	r.Reps = len(lines)
	return r
}
