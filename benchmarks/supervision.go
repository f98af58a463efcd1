package main

import (
	"errors"
	"fmt"
	"strconv"
	"time"

	"github.com/airssys/rt/actor"
	"github.com/airssys/rt/supervisor"
	"github.com/airssys/rt/system"
)

type crash struct{}

var errCrash = errors.New("benchmark crash")

// started is sent by a restartee's Init: which incarnation, and when.
type started struct {
	pid actor.PID
	at  time.Time
}

// restartee reports each start of its process on ready (if set) and
// crashes when it receives crash: it panics with errCrash, as a crash in Go
// is, or, with byStop, stops itself with errCrash as its reason.
type restartee struct {
	ready  chan<- started
	byStop bool
}

func (r *restartee) Init(ctx actor.Context) error {
	if r.ready != nil {
		r.ready <- started{pid: ctx.Self(), at: time.Now()}
	}
	return nil
}

func (r *restartee) Receive(ctx actor.Context, msg any) {
	if _, ok := msg.(crash); ok {
		if r.byStop {
			ctx.Stop(errCrash)
			return
		}
		panic(errCrash)
	}
}

// probe monitors target from its Init (so the monitor is in place when
// Spawn returns) and hands the Down to onDown.
type probe struct {
	target actor.PID
	onDown func(actor.Down)
}

func (p *probe) Init(ctx actor.Context) error {
	_, err := ctx.Monitor(p.target)
	return err
}

func (p *probe) Receive(ctx actor.Context, msg any) {
	if d, ok := msg.(actor.Down); ok {
		p.onDown(d)
		ctx.Stop(actor.Normal)
	}
}

// generous never gives up at these rates: more than 1,000 restarts within
// a millisecond would be needed.
var generous = supervisor.Spec{Strategy: supervisor.OneForOne, Intensity: 1000, Period: time.Millisecond}

// restartCycles crashes the child that reports on ready n times, one at a
// time, and returns each latency from the crash order to the new
// incarnation's Init, and the time of all n cycles.
func restartCycles(c config, sys *system.System, sup actor.PID, ready <-chan started, siblings, n int) ([]time.Duration, time.Duration, error) {
	w := newWatchdog(c.timeout)
	defer w.stop()
	fail := make(chan error, 1)
	if _, err := sys.Spawn(&probe{target: sup, onDown: func(d actor.Down) {
		report(fail, fmt.Errorf("supervisor exited: %w", d.Reason))
	}}); err != nil {
		return nil, 0, err
	}
	s, err := recv(w, ready, fail)
	if err != nil {
		return nil, 0, err
	}
	lat := make([]time.Duration, 0, n)
	var total time.Duration
	measured(func() {
		begin := time.Now()
		for range n {
			t0 := time.Now()
			if err = sys.Send(s.pid, crash{}); err != nil {
				return
			}
			if s, err = recv(w, ready, fail); err != nil {
				return
			}
			lat = append(lat, s.at.Sub(t0))
		}
		total = time.Since(begin)
	}, "siblings", strconv.Itoa(siblings))
	return lat, total, err
}

// restartRun starts a OneForOne supervisor over siblings children, the
// middle one reporting its starts, and runs n restart cycles of it. The
// children crash by panic, or with byStop by stopping with an error. opts
// configure the system.
func restartRun(c config, siblings, n int, byStop bool, opts ...system.Option) (Result, error) {
	sys := system.New(opts...)
	ready := make(chan started, 1)
	kids := make([]supervisor.Child, siblings)
	for i := range kids {
		kids[i] = supervisor.Child{ID: fmt.Sprint(i), Shutdown: supervisor.Brutal,
			Start: actor.PropsOf(func() actor.Actor { return &restartee{} })}
	}
	kids[siblings/2].Start = actor.PropsOf(func() actor.Actor { return &restartee{ready: ready, byStop: byStop} })
	sup, err := sys.Spawn(supervisor.New(generous, kids...), actor.WithInitTimeout(c.timeout))
	if err != nil {
		return Result{}, shutdown(sys, err)
	}
	lat, total, err := restartCycles(c, sys, sup, ready, siblings, n)
	if err != nil {
		return Result{}, shutdown(sys, err)
	}
	r := latencyResult("restart", implRuntime, actor.DefaultCapacity, lat)
	r.RestartsPerSec = ptr(float64(n) / total.Seconds())
	return r, shutdown(sys, nil)
}

func runRestart(c config) ([]Result, error) {
	r, err := restartRun(c, 1, c.restartN, false)
	return []Result{r}, err
}

func runRestartStop(c config) ([]Result, error) {
	r, err := restartRun(c, 1, c.restartN, true)
	r.Scenario = "restart-stop"
	return []Result{r}, err
}

func runRestartSiblings(c config) ([]Result, error) {
	var out []Result
	for _, n := range c.siblings {
		r, err := restartRun(c, n, c.siblingsN, false)
		if err != nil {
			return nil, fmt.Errorf("%d siblings: %w", n, err)
		}
		r.Scenario, r.Siblings = "restart-siblings", ptr(n)
		out = append(out, r)
	}
	return out, nil
}

// escalationTree returns depth nested supervisors that each allow no
// restart, over one leaf that reports its start on ready.
func escalationTree(c config, depth int, ready chan<- started) supervisor.Child {
	spec := supervisor.Spec{Intensity: supervisor.NoRestarts}
	tree := supervisor.Child{ID: "leaf", Shutdown: supervisor.Brutal,
		Start: actor.PropsOf(func() actor.Actor { return &restartee{ready: ready} })}
	for range depth {
		below := tree
		tree = supervisor.Child{ID: "sup", Kind: supervisor.Supervisor, StartTimeout: c.timeout,
			Start: actor.PropsOf(func() actor.Actor { return supervisor.New(spec, below) })}
	}
	return tree
}

// escalate builds a tree of the given depth, crashes its leaf and returns
// the time until a monitor of the top supervisor has its Down.
func escalate(c config, sys *system.System, depth int) (time.Duration, error) {
	w := newWatchdog(c.timeout)
	defer w.stop()
	ready := make(chan started, 1)
	tree := escalationTree(c, depth, ready)
	top, err := sys.Spawn(tree.Start.New(), actor.WithInitTimeout(c.timeout))
	if err != nil {
		return 0, err
	}
	leaf, err := recv(w, ready, nil)
	if err != nil {
		return 0, err
	}
	type downAt struct {
		d  actor.Down
		at time.Time
	}
	downs := make(chan downAt, 1)
	if _, err := sys.Spawn(&probe{target: top, onDown: func(d actor.Down) {
		downs <- downAt{d: d, at: time.Now()}
	}}); err != nil {
		return 0, err
	}
	var d downAt
	var t0 time.Time
	measured(func() {
		t0 = time.Now()
		if err = sys.Send(leaf.pid, crash{}); err == nil {
			d, err = recv(w, downs, nil)
		}
	})
	if err != nil {
		return 0, err
	}
	var rle *supervisor.RestartLimitExceeded
	if !errors.As(d.d.Reason, &rle) {
		return 0, fmt.Errorf("top supervisor exited with %v, want *RestartLimitExceeded", d.d.Reason)
	}
	return d.at.Sub(t0), nil
}

func runEscalation(c config) ([]Result, error) {
	var out []Result
	for _, depth := range c.depths {
		sys := system.New()
		lat := make([]time.Duration, 0, c.escReps)
		for range c.escReps {
			d, err := escalate(c, sys, depth)
			if err != nil {
				return nil, shutdown(sys, fmt.Errorf("depth %d: %w", depth, err))
			}
			lat = append(lat, d)
		}
		if err := shutdown(sys, nil); err != nil {
			return nil, err
		}
		r := latencyResult("escalation", implRuntime, actor.DefaultCapacity, lat)
		r.Depth = ptr(depth)
		out = append(out, r)
	}
	return out, nil
}
