package supervisor_test

import (
	"context"
	"errors"
	"fmt"
	"sync/atomic"
	"testing"
	"testing/synctest"
	"time"

	"github.com/airssys/rt/actor"
	"github.com/airssys/rt/supervisor"
	"github.com/airssys/rt/system"
)

// FuzzDecisionsAgainstModel runs a real supervisor with a Decider inside a
// synctest bubble: a child "c" that fails at fuzzed virtual times, a
// sibling "b", and at each failure a fuzzed decision (each directive, or a
// panic), with Reconfigure changing the strategy and the intensity between
// failures. Every step's events are compared with a model made of the
// documented rules: the directives, the strategies, and the intensity
// judged by the limits of the moment (reconfiguredIntensity). The seed
// corpus runs in `make test`.
func FuzzDecisionsAgainstModel(f *testing.F) {
	// spec: strategy, intensity, order. ops: pairs of (time step, action).
	f.Add([]byte{0, 1, 0}, []byte{0, 0, 0, 1, 0, 0, 0, 0})
	f.Add([]byte{1, 2, 0}, []byte{0, 1, 0, 0, 0, 2, 0, 0, 0, 0})
	f.Add([]byte{2, 2, 1}, []byte{0, 0, 0, 14, 0, 0, 0, 0, 0, 3})
	f.Add([]byte{0, 4, 0}, []byte{0, 15, 0, 7, 0, 0, 0, 0, 0, 4})
	f.Add([]byte{1, 0, 1}, []byte{0, 0, 40, 0, 0, 6, 0, 0, 0, 5})
	f.Add([]byte{2, 3, 0}, []byte{0, 2, 0, 0, 0, 1, 0, 2, 0, 1, 0, 31})
	f.Fuzz(func(t *testing.T, spec []byte, ops []byte) {
		spec = append(append([]byte(nil), spec...), make([]byte, 3)...)[:3]
		if len(ops) > 60 {
			ops = ops[:60]
		}
		synctest.Test(t, func(t *testing.T) { fuzzDecisions(t, spec, ops) })
	})
}

func fuzzDecisions(t *testing.T, spec []byte, ops []byte) {
	const period = 10 * time.Second
	intensities := []int{supervisor.NoRestarts, 1, 2, 3, 5}
	effective := []int{0, 1, 2, 3, 5}
	strategy := supervisor.Strategy(spec[0] % 3)
	limit := effective[spec[1]%5]
	cFirst := spec[2]%2 == 0
	desc := fmt.Sprintf("strategy %v intensity %d c first %v", strategy, limit, cFirst)

	var directive atomic.Int32 // the next decision; 5 is a panic
	var told atomic.Int64      // Failure.Restarts of the last failure
	decide := func(f supervisor.Failure) supervisor.Decision {
		told.Store(int64(f.Restarts))
		d := directive.Load()
		if d == 5 {
			panic("fuzz")
		}
		return supervisor.Decision{Directive: supervisor.Directive(d)}
	}
	var starts atomic.Int64
	worker := actor.PropsOf(func() actor.Actor { return &fzWorker{starts: &starts} })
	order := []string{"c", "b"}
	kids := []supervisor.Child{{ID: "c", Start: worker}, {ID: "b", Start: worker}}
	if !cFirst {
		order, kids = []string{"b", "c"}, []supervisor.Child{kids[1], kids[0]}
	}

	sys := system.New()
	defer func() {
		if err := sys.Shutdown(context.Background()); err != nil {
			t.Errorf("shutdown: %v", err)
		}
	}()
	sub := subscribeAll(sys, func(ev any) bool {
		_, exited := ev.(actor.ProcessExited)
		return exited || isEvent(ev)
	})
	defer sub.Close()
	pid, err := sys.Spawn(supervisor.New(supervisor.Spec{Strategy: strategy, Intensity: intensities[spec[1]%5],
		Period: period, Decide: decide}, kids...))
	if err != nil {
		t.Fatalf("%s: spawn: %v", desc, err)
	}
	settled := func() []string {
		synctest.Wait()
		var out []string
		for {
			ev, ok := sub.TryNext()
			if !ok {
				return out
			}
			switch e := ev.(type) {
			case actor.ProcessExited:
				if e.PID != pid {
					continue // the children's own exits: ChildExited says it
				}
			case supervisor.Decided:
				d := "decided " + e.ID + " " + e.Decision.Directive.String()
				if e.Decision.Reason != nil {
					d += ": " + fzReason(e.Decision.Reason)
				}
				out = append(out, d)
				continue
			case supervisor.Reconfigured:
				out = append(out, fmt.Sprintf("reconfigured %v %d", e.Spec.Strategy, max(e.Spec.Intensity, 0)))
				continue
			}
			out = append(out, fzDescribe(ev))
		}
	}
	expect := func(step int, want []string) {
		t.Helper()
		if got := settled(); fmt.Sprint(got) != fmt.Sprint(want) {
			t.Fatalf("%s\nstep %d: events\n got %q\nwant %q", desc, step, got, want)
		}
	}
	expect(-1, []string{"started " + order[0], "started " + order[1]})

	var model reconfiguredIntensity
	restarts := map[string]int{}
	group := func(alone bool) []string {
		if !alone && (strategy == supervisor.OneForAll || strategy == supervisor.RestForOne && cFirst) {
			return order
		}
		return []string{"c"}
	}
	restartGroup := func(ev []string, alone bool) []string {
		g := group(alone)
		if len(g) > 1 {
			ev = append(ev, "exited b: shutdown") // reverse start order; c is down already
		}
		for _, id := range g {
			restarts[id]++
			ev = append(ev, fmt.Sprintf("restarted %s #%d", id, restarts[id]))
		}
		return ev
	}
	giveUp := func(ev []string, reason string) []string {
		return append(ev, "gave up on c: "+reason, "exited b: shutdown", "supervisor exited: "+reason)
	}
	limitExceeded := func() string {
		return (&supervisor.RestartLimitExceeded{Intensity: limit, Period: period}).Error()
	}

	for step := 0; step+1 < len(ops); step += 2 {
		if d := time.Duration(ops[step]%32) * time.Second / 4; d > 0 {
			<-time.After(d)
		}
		action, arg := ops[step+1]%8, int(ops[step+1]>>3)
		switch action {
		case 6:
			strategy = supervisor.Strategy(arg % 3)
		case 7:
			limit = effective[arg%5]
		}
		if action >= 6 {
			n := limit
			if n == 0 {
				n = supervisor.NoRestarts
			}
			err := supervisor.Reconfigure(context.Background(), sys, pid, supervisor.WithStrategy(strategy), supervisor.WithIntensity(n))
			if err != nil {
				t.Fatalf("%s\nstep %d: Reconfigure: %v", desc, step/2, err)
			}
			expect(step/2, []string{fmt.Sprintf("reconfigured %v %d", strategy, limit)})
			desc += fmt.Sprintf("; then %v intensity %d", strategy, limit)
			continue
		}
		cPID := children(t, sys, pid)["c"]
		if cPID.IsZero() {
			t.Fatalf("%s\nstep %d: c is not running", desc, step/2)
		}
		directive.Store(int32(action))
		if err := sys.Send(cPID, fzStop{errFuzz}); err != nil {
			t.Fatalf("%s\nstep %d: crash c: %v", desc, step/2, err)
		}
		now := time.Now()
		want := []string{"exited c: boom"}
		switch action {
		case 0, 1:
			want = append(want, "decided c "+supervisor.Directive(action).String())
			if !model.allow(now, limit, period) {
				expect(step/2, giveUp(want, limitExceeded()))
				return
			}
			expect(step/2, restartGroup(want, action == 1))
		case 2:
			expect(step/2, append(want, "decided c stop"))
			if _, err := supervisor.RestartChild(context.Background(), sys, pid, "c"); err != nil {
				t.Fatalf("%s\nstep %d: RestartChild after stop: %v", desc, step/2, err)
			}
			expect(step/2, []string{"started c"})
		case 3:
			expect(step/2, append(want, "decided c delete"))
			if got := children(t, sys, pid); len(got) != 1 || got["b"].IsZero() {
				t.Fatalf("%s\nstep %d: children after delete: %v", desc, step/2, got)
			}
			return
		case 4:
			expect(step/2, giveUp(append(want, "decided c give_up: boom"), "boom"))
			return
		case 5:
			expect(step/2, giveUp(append(want, "decided c give_up: panic"), "panic"))
			return
		}
		if got := int(told.Load()); got != restarts["c"]-btoi(action <= 1) {
			t.Fatalf("%s\nstep %d: the Decider was told %d restarts, want %d", desc, step/2, got, restarts["c"]-btoi(action <= 1))
		}
	}
}

// fzReason renders an exit reason as fzDescribe does: "panic" for any
// *actor.PanicError, whose text names a PID.
func fzReason(err error) string {
	var pe *actor.PanicError
	if errors.As(err, &pe) {
		return "panic"
	}
	return err.Error()
}

func btoi(b bool) int {
	if b {
		return 1
	}
	return 0
}
