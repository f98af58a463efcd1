package supervisor_test

import (
	"context"
	"fmt"
	"testing"
	"testing/synctest"
	"time"

	"github.com/airssys/rt/actor"
	"github.com/airssys/rt/supervisor"
	"github.com/airssys/rt/system"
)

// breakerModel is a plain model of one breaker over children "c" and "b"
// (b sharing c's breaker, or not), written from the rules Breaker
// documents: the intensity decides restarts; beyond it the breaker opens
// for c and the sharers, with a cool-down of CoolDown doubled per opening
// up to MaxCoolDown, from CoolDown again after a quiet Period; then the
// waiting children are probed one at a time, each for Probation, and the
// breaker closes; a failed probe opens it again; a reset closes it and
// starts the waiting children.
type breakerModel struct {
	limit    int
	period   time.Duration
	shared   bool
	hist     reconfiguredIntensity
	state    supervisor.BreakerState
	attempt  int
	opened   time.Time
	waiting  []string // in start order: c before b
	probe    string
	deadline time.Time       // of the cool-down (Open) or the probation (HalfOpen)
	running  map[string]bool // b runs unless it waits
}

func (m *breakerModel) name() string {
	if m.shared {
		return "db"
	}
	return "c"
}

// open opens the breaker at now because of c; ev gets the events.
func (m *breakerModel) open(now time.Time, ev []string) []string {
	down := []string{"c"}
	if m.shared {
		if m.running["b"] {
			ev = append(ev, "exited b: "+actor.Shutdown.Error())
		}
		if m.running["b"] || contains(m.waiting, "b") || m.probe == "b" {
			down = append(down, "b")
		}
	}
	for _, id := range down {
		m.running[id] = false
	}
	if now.Sub(m.opened) >= m.period {
		m.attempt = 0
	}
	d := min(testBreaker.CoolDown<<m.attempt, testBreaker.MaxCoolDown)
	m.attempt++
	m.opened = now
	m.state, m.waiting, m.probe, m.deadline = supervisor.Open, down, "", now.Add(d)
	return append(ev, fmt.Sprintf("opened %s %v %v #%d", m.name(), down, d, m.attempt))
}

// crash is c's failure at now.
func (m *breakerModel) crash(now time.Time) []string {
	ev := []string{"exited c: boom"}
	m.running["c"] = false
	if m.state == supervisor.HalfOpen && m.probe == "c" {
		return m.open(now, ev)
	}
	if m.hist.allow(now, m.limit, m.period) {
		m.running["c"] = true
		return append(ev, "restarted c")
	}
	return m.open(now, ev)
}

// probeNext starts the next waiting child at now, or closes.
func (m *breakerModel) probeNext(now time.Time) []string {
	if len(m.waiting) == 0 {
		m.state, m.probe = supervisor.Closed, ""
		return []string{"closed " + m.name()}
	}
	m.probe, m.waiting = m.waiting[0], m.waiting[1:]
	m.running[m.probe] = true
	m.state, m.deadline = supervisor.HalfOpen, now.Add(testBreaker.Probation)
	return []string{"restarted " + m.probe, fmt.Sprintf("half-open %s probe %s", m.name(), m.probe)}
}

// until runs the breaker's timers due by t.
func (m *breakerModel) until(t time.Time) []string {
	var ev []string
	for m.state != supervisor.Closed && !m.deadline.After(t) {
		ev = append(ev, m.probeNext(m.deadline)...)
	}
	return ev
}

// reset is ResetChild("c").
func (m *breakerModel) reset() []string {
	if m.state == supervisor.Closed {
		return nil
	}
	ev := []string{"closed " + m.name() + " reset"}
	for _, id := range m.waiting {
		m.running[id] = true
		ev = append(ev, "started "+id)
	}
	m.state, m.waiting, m.probe, m.attempt = supervisor.Closed, nil, "", 0
	return ev
}

func (m *breakerModel) layout() string {
	st := func(id string) supervisor.BreakerState {
		switch {
		case m.state == supervisor.Closed:
			return supervisor.Closed
		case m.probe == id:
			return supervisor.HalfOpen
		case contains(m.waiting, id):
			return supervisor.Open
		}
		return supervisor.Closed
	}
	return fmt.Sprintf("c:%v b:%v", st("c"), st("b"))
}

// FuzzBreakerAgainstModel runs a real supervisor with a Breaker inside a
// synctest bubble: child c fails, or ResetChild is called, at fuzzed
// virtual times, and b shares c's breaker or not. Every step's events, at
// their exact virtual times, and the breaker states WhichChildren reports
// are compared with breakerModel. The seed corpus runs in `make test`.
func FuzzBreakerAgainstModel(f *testing.F) {
	// spec: intensity, shared. ops: pairs of (half-seconds to wait, action).
	f.Add([]byte{1, 0}, []byte{0, 0, 0, 0, 2, 0, 0, 0, 4, 0, 8, 0})
	f.Add([]byte{0, 1}, []byte{0, 0, 2, 0, 4, 0, 0, 0, 6, 0, 10, 0})
	f.Add([]byte{2, 1}, []byte{0, 0, 0, 0, 0, 0, 1, 1, 0, 0, 3, 0, 15, 0, 15, 0})
	f.Add([]byte{0, 0}, []byte{0, 0, 2, 0, 1, 0, 4, 0, 1, 0, 8, 0, 15, 0, 15, 0, 15, 0, 0, 0})
	f.Add([]byte{1, 1}, []byte{0, 0, 0, 0, 3, 1, 0, 0, 6, 0, 1, 1})
	f.Fuzz(func(t *testing.T, spec []byte, ops []byte) {
		spec = append(append([]byte(nil), spec...), make([]byte, 2)...)[:2]
		if len(ops) > 60 {
			ops = ops[:60]
		}
		synctest.Test(t, func(t *testing.T) { fuzzBreaker(t, spec, ops) })
	})
}

func fuzzBreaker(t *testing.T, spec []byte, ops []byte) {
	const period = 10 * time.Second
	intensities := []int{supervisor.NoRestarts, 1, 2}
	m := &breakerModel{limit: int(spec[0] % 3), period: period, shared: spec[1]%2 == 1,
		running: map[string]bool{"c": true, "b": true}}
	desc := fmt.Sprintf("intensity %d shared %v", m.limit, m.shared)
	c, b := child("c", nil), child("b", nil)
	if m.shared {
		c.Breaker, b.Breaker = "db", "db"
	}

	sys := system.New()
	defer func() {
		if err := sys.Shutdown(context.Background()); err != nil {
			t.Errorf("shutdown: %v", err)
		}
	}()
	sub := events(sys)
	defer sub.Close()
	sup, err := sys.Spawn(supervisor.New(supervisor.Spec{Intensity: intensities[spec[0]%3], Period: period, Escalation: testBreaker}, c, b))
	if err != nil {
		t.Fatalf("%s: spawn: %v", desc, err)
	}
	start := time.Now()
	// settled returns the events published once the bubble is idle, each
	// with its virtual time since start.
	settled := func() []string {
		var out []string
		for {
			synctest.Wait()
			ev, ok := sub.TryNext()
			if !ok {
				return out
			}
			out = append(out, fmt.Sprintf("%v %s", time.Since(start), describe(ev)))
		}
	}
	stamp := func(at time.Time, ev []string) []string {
		out := make([]string, len(ev))
		for i, e := range ev {
			out[i] = fmt.Sprintf("%v %s", at.Sub(start), e)
		}
		return out
	}
	expect := func(step int, want []string) {
		t.Helper()
		if got := settled(); fmt.Sprint(got) != fmt.Sprint(want) {
			t.Fatalf("%s\nstep %d: events\n got %q\nwant %q", desc, step, got, want)
		}
	}
	expect(-1, stamp(start, []string{"started c", "started b"}))

	for step := 0; step+1 < len(ops); step += 2 {
		// The breaker's timers due meanwhile: virtual time goes to each in
		// turn, so that its events are read at the time they happen.
		target := time.Now().Add(time.Duration(ops[step]%16) * time.Second / 2)
		for m.state != supervisor.Closed && !m.deadline.After(target) {
			at := m.deadline
			<-time.After(time.Until(at))
			expect(step/2, stamp(at, m.until(at)))
		}
		<-time.After(time.Until(target))
		expect(step/2, nil)
		if got := breakerStates(t, sys, sup); got != m.layout() {
			t.Fatalf("%s\nstep %d: breaker states %q, model %q", desc, step/2, got, m.layout())
		}
		now := time.Now()
		switch ops[step+1] % 2 {
		case 0:
			if !m.running["c"] {
				continue // c waits on the breaker: nothing to crash
			}
			crashChild(t, sys, sup, "c", errBoom)
			expect(step/2, stamp(now, m.crash(now)))
		case 1:
			if err := supervisor.ResetChild(context.Background(), sys, sup, "c"); err != nil {
				t.Fatalf("%s\nstep %d: ResetChild: %v", desc, step/2, err)
			}
			expect(step/2, stamp(now, m.reset()))
		}
	}
}
