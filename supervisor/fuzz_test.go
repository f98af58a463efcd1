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

// otpIntensity is a plain model of OTP's restart-intensity rule, written
// from supervisor.erl's add_restart/3 rather than from intensity.go: every
// restart is remembered; a restart at Now forgets those at or before
// Now - Period, and is allowed when, counting itself, at most Intensity
// remain. A restart made anyway (a delayed one under Backoff) is
// remembered like any other.
type otpIntensity struct {
	intensity int
	period    time.Duration
	restarts  []time.Time // oldest first
}

func (m *otpIntensity) forget(now time.Time) {
	threshold := now.Add(-m.period)
	kept := m.restarts[:0]
	for _, r := range m.restarts {
		if r.After(threshold) {
			kept = append(kept, r)
		}
	}
	m.restarts = kept
}

// allow reports whether a restart at now keeps within the intensity, and
// remembers it if so.
func (m *otpIntensity) allow(now time.Time) bool {
	m.forget(now)
	if len(m.restarts)+1 > m.intensity {
		return false
	}
	m.restarts = append(m.restarts, now)
	return true
}

// made remembers a restart made whatever the intensity.
func (m *otpIntensity) made(now time.Time) {
	m.forget(now)
	m.restarts = append(m.restarts, now)
}

// FuzzIntensityAgainstModel drives the pure intensity policy (History.Admit
// and History.Record) with a sequence of non-decreasing restart times and
// checks every decision against the OTP model, and that the history never
// holds more than the intensity. The seed corpus runs in `make test`.
func FuzzIntensityAgainstModel(f *testing.F) {
	f.Add(uint8(1), uint16(5000), []byte{0, 0, 40, 0, 1, 0, 40, 0})
	f.Add(uint8(0), uint16(1000), []byte{0, 0, 255, 0, 255, 1})
	f.Add(uint8(3), uint16(60000), []byte{0, 0, 1, 0, 1, 0, 1, 0, 255, 0, 0, 0})
	f.Add(uint8(2), uint16(1), []byte{0, 0, 0, 0, 0, 0, 1, 0, 0, 0})
	f.Add(uint8(2), uint16(100), []byte{0, 1, 0, 1, 0, 1, 50, 0, 50, 0, 50, 0, 99, 0, 1, 0})
	f.Add(uint8(5), uint16(250), []byte{10, 1, 10, 1, 10, 1, 10, 1, 10, 1, 10, 1, 10, 0, 200, 0, 60, 0})
	f.Fuzz(func(t *testing.T, intensity uint8, periodMS uint16, ops []byte) {
		limit := int(intensity % 12)
		period := time.Duration(int(periodMS)%100_000+1) * time.Millisecond
		now := time.Date(2024, 1, 1, 0, 0, 0, 0, time.UTC)
		model := otpIntensity{intensity: limit, period: period}
		var h supervisor.History
		for i := 0; i+1 < len(ops); i += 2 {
			// Steps of a 32nd of the period up to ~8 periods: both sides of
			// the window's edge are reached exactly.
			now = now.Add(time.Duration(ops[i]) * period / 32)
			if ops[i+1]%4 == 1 {
				h.Record(now, limit, period)
				if limit > 0 {
					model.made(now)
				}
			} else {
				want := model.allow(now)
				if got := h.Admit(now, limit, period); got != want {
					t.Fatalf("step %d at %v: Admit = %v, OTP model says %v (intensity %d, period %v, remembered %v)",
						i/2, now.Format(time.StampMicro), got, want, limit, period, model.restarts)
				}
			}
			if want := min(len(model.restarts), limit); h.Len() != want {
				t.Fatalf("step %d: history holds %d restarts, want %d (intensity %d)", i/2, h.Len(), want, limit)
			}
		}
	})
}

// fzWorker is the child driven by FuzzSupervisorAgainstModel: it counts its
// starts and stops as told.
type fzWorker struct{ starts *atomic.Int64 }

type fzStop struct{ reason error }
type fzPanic struct{}

func (w *fzWorker) Init(actor.Context) error { w.starts.Add(1); return nil }

func (w *fzWorker) Receive(ctx actor.Context, msg any) {
	switch m := msg.(type) {
	case fzStop:
		ctx.Stop(m.reason)
	case fzPanic:
		panic("fuzz")
	}
}

var errFuzz = errors.New("boom")

// fzDescribe renders a supervision or exit event for comparison.
func fzDescribe(ev any) string {
	reason := func(err error) string {
		var pe *actor.PanicError
		if errors.As(err, &pe) {
			return "panic"
		}
		return err.Error()
	}
	switch e := ev.(type) {
	case supervisor.ChildStarted:
		return "started " + e.ID
	case supervisor.ChildExited:
		return fmt.Sprintf("exited %s: %s", e.ID, reason(e.Reason))
	case supervisor.ChildRestarted:
		return fmt.Sprintf("restarted %s #%d", e.ID, e.Restarts)
	case supervisor.RestartDelayed:
		return fmt.Sprintf("delayed %s %v #%d", e.ID, e.Delay, e.Attempt)
	case supervisor.GaveUp:
		return fmt.Sprintf("gave up on %s: %s", e.ID, reason(e.Reason))
	case actor.ProcessExited:
		return "supervisor exited: " + reason(e.Reason)
	}
	return fmt.Sprintf("%T %+v", ev, ev)
}

// FuzzSupervisorAgainstModel runs a real supervisor inside a synctest
// bubble: a child "c" that exits, at fuzzed virtual times and for fuzzed
// reasons, and a well-behaved sibling "b", under a fuzzed strategy,
// intensity, period, escalation and restart type. Every step's events (the
// exit, the restarts of the strategy's group with their counts, the delay
// of Backoff, the give-up and the supervisor's exit reason) are compared
// with a model made of OTP's rules: restart types, strategies, intensity
// (otpIntensity) and the documented Backoff schedule. The seed corpus runs
// in `make test`.
func FuzzSupervisorAgainstModel(f *testing.F) {
	// spec: strategy, intensity, period, escalation, restart type, order.
	f.Add([]byte{0, 2, 5, 0, 0, 0}, []byte{0, 0, 4, 0, 4, 0, 40, 0, 0, 0})
	f.Add([]byte{1, 3, 1, 0, 1, 0}, []byte{0, 1, 0, 2, 0, 0, 0, 3, 0, 4, 0, 0})
	f.Add([]byte{2, 2, 2, 1, 0, 1}, []byte{0, 0, 1, 0, 2, 0, 3, 0})
	f.Add([]byte{0, 1, 3, 2, 0, 0}, []byte{0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0})
	f.Add([]byte{1, 4, 10, 2, 1, 1}, []byte{0, 0, 0, 4, 0, 0, 63, 0, 0, 3, 0, 0, 0, 0})
	f.Add([]byte{2, 5, 0, 2, 0, 0}, []byte{3, 0, 3, 0, 3, 0, 3, 0, 3, 0, 3, 0, 60, 0, 0, 0})
	f.Add([]byte{0, 0, 4, 3, 2, 0}, []byte{0, 0})
	f.Add([]byte{0, 5, 6, 0, 1, 0}, []byte{0, 1, 0, 0, 0, 3, 0, 0, 0, 0, 0, 0})
	f.Fuzz(func(t *testing.T, spec []byte, ops []byte) {
		// Every input is used: a short spec is padded with zeros and a
		// long run of operations is cut, so no case is skipped.
		spec = append(append([]byte(nil), spec...), make([]byte, 6)...)[:6]
		if len(ops) > 80 {
			ops = ops[:80]
		}
		synctest.Test(t, func(t *testing.T) { fuzzSupervisor(t, spec, ops) })
	})
}

func fuzzSupervisor(t *testing.T, spec []byte, ops []byte) {
	s := time.Second
	strategy := supervisor.Strategy(spec[0] % 3)
	intensities := []int{0, supervisor.NoRestarts, 1, 2, 3, 5}
	effective := []int{supervisor.DefaultIntensity, 0, 1, 2, 3, 5}
	intensity, limit := intensities[spec[1]%6], effective[spec[1]%6]
	period := time.Duration(spec[2]%11) * s
	window := period
	if period == 0 {
		window = supervisor.DefaultPeriod
	}
	backoff := supervisor.Backoff{Base: s, Max: 4 * s}
	escalation := []supervisor.Escalation{nil, supervisor.Terminate, backoff, supervisor.Escalate}[spec[3]%4]
	restart := supervisor.RestartType(spec[4] % 3)
	cFirst := spec[5]%2 == 0
	desc := fmt.Sprintf("strategy %v intensity %d period %v escalation %v restart %v c first %v",
		strategy, intensity, period, escalation, restart, cFirst)

	var cStarts, bStarts atomic.Int64
	c := supervisor.Child{ID: "c", Restart: restart,
		Start: actor.PropsOf(func() actor.Actor { return &fzWorker{starts: &cStarts} })}
	b := supervisor.Child{ID: "b",
		Start: actor.PropsOf(func() actor.Actor { return &fzWorker{starts: &bStarts} })}
	order := []string{"c", "b"}
	kids := []supervisor.Child{c, b}
	if !cFirst {
		order, kids = []string{"b", "c"}, []supervisor.Child{b, c}
	}

	sys := system.New()
	defer func() {
		if err := sys.Shutdown(context.Background()); err != nil {
			t.Errorf("shutdown: %v", err)
		}
	}()
	sub := subscribeAll(sys, func(ev any) bool {
		switch ev.(type) {
		case supervisor.ChildStarted, supervisor.ChildExited, supervisor.ChildRestarted,
			supervisor.RestartFailed, supervisor.RestartDelayed, supervisor.GaveUp, supervisor.ShutdownTimeout,
			actor.ProcessExited:
			return true
		}
		return false
	})
	defer sub.Close()
	pid, err := sys.Spawn(supervisor.New(supervisor.Spec{Strategy: strategy, Intensity: intensity,
		Period: period, Escalation: escalation}, kids...))
	if err != nil {
		t.Fatalf("%s: spawn: %v", desc, err)
	}

	// settled returns every event published once the bubble is idle.
	settled := func() []string {
		synctest.Wait()
		var out []string
		for {
			ev, ok := sub.TryNext()
			if !ok {
				return out
			}
			if e, ok := ev.(actor.ProcessExited); ok && e.PID != pid {
				continue // the children's own exits: ChildExited says it
			}
			out = append(out, fzDescribe(ev))
		}
	}
	expect := func(step int, want []string) {
		t.Helper()
		got := settled()
		if fmt.Sprint(got) != fmt.Sprint(want) {
			t.Fatalf("%s\nstep %d: events\n got %q\nwant %q", desc, step, got, want)
		}
	}
	expect(-1, []string{"started " + order[0], "started " + order[1]})

	model := otpIntensity{intensity: limit, period: window}
	restarts := map[string]int{}
	var attempt int           // Backoff delays since the last quiet period
	var lastDelayed time.Time // when the last delayed restart ran
	group := func() []string {
		switch {
		case strategy == supervisor.OneForAll:
			return order
		case strategy == supervisor.RestForOne && cFirst:
			return order
		}
		return []string{"c"}
	}
	restartGroup := func(ev []string) []string {
		for _, id := range group() {
			restarts[id]++
			ev = append(ev, fmt.Sprintf("restarted %s #%d", id, restarts[id]))
		}
		return ev
	}
	bystanders := func(ev []string) []string {
		if g := group(); len(g) > 1 {
			ev = append(ev, "exited b: shutdown") // reverse start order; c is down already
		}
		return ev
	}

	for step := 0; step+1 < len(ops); step += 2 {
		if d := time.Duration(ops[step]%64) * s / 4; d > 0 {
			<-time.After(d) // virtual time passes: the bubble is otherwise idle
		}
		infos, err := supervisor.WhichChildren(context.Background(), sys, pid)
		if err != nil {
			t.Fatalf("%s\nstep %d: WhichChildren: %v", desc, step/2, err)
		}
		var cPID actor.PID
		for _, in := range infos {
			if in.ID == "c" {
				cPID = in.PID
			}
		}
		if cPID.IsZero() {
			t.Fatalf("%s\nstep %d: c is not running: %+v", desc, step/2, infos)
		}
		var why string
		var reason error
		switch ops[step+1] % 5 {
		case 0:
			why, reason = "boom", errFuzz
			err = sys.Send(cPID, fzStop{errFuzz})
		case 1:
			why, reason = "normal", actor.Normal
			err = sys.Send(cPID, fzStop{actor.Normal})
		case 2:
			why, reason = "shutdown", actor.Shutdown
			err = sys.Send(cPID, fzStop{actor.Shutdown})
		case 3:
			why, reason = "panic", errFuzz
			err = sys.Send(cPID, fzPanic{})
		case 4:
			why, reason = "killed", actor.Killed
			err = sys.Kill(cPID)
		}
		if err != nil {
			t.Fatalf("%s\nstep %d: crash c: %v", desc, step/2, err)
		}
		now := time.Now()
		want := []string{"exited c: " + why}
		if !(restart == supervisor.Permanent || restart == supervisor.Transient && !actor.IsClean(reason)) {
			expect(step/2, want)
			return // c stays down (and a Temporary c is forgotten)
		}
		if model.allow(now) {
			expect(step/2, restartGroup(bystanders(want)))
			continue
		}
		if _, ok := escalation.(supervisor.Backoff); !ok {
			exit := "shutdown"
			if escalation != supervisor.Terminate {
				exit = (&supervisor.RestartLimitExceeded{Intensity: limit, Period: window}).Error()
			}
			// Giving up stops the other children as the supervisor ends,
			// whatever the strategy, then the supervisor exits.
			expect(step/2, append(want, "gave up on c: "+exit, "exited b: shutdown", "supervisor exited: "+exit))
			return
		}
		// Backoff: a quiet Period since the last delayed restart starts the
		// doubling again from Base.
		if now.Sub(lastDelayed) >= window {
			attempt = 0
		}
		delay := backoff.Base
		for range attempt {
			if delay >= backoff.Max {
				break
			}
			delay *= 2
		}
		delay = min(delay, backoff.Max)
		attempt++
		want = bystanders(want)
		want = append(want, fmt.Sprintf("delayed c %v #%d", delay, attempt))
		expect(step/2, want)
		<-time.After(delay)
		lastDelayed = time.Now()
		model.made(lastDelayed)
		expect(step/2, restartGroup(nil))
	}
	if c, b := int(cStarts.Load()), int(bStarts.Load()); c != 1+restarts["c"] || b != 1+restarts["b"] {
		t.Fatalf("%s: c started %d times, b %d; want %d and %d", desc, c, b, 1+restarts["c"], 1+restarts["b"])
	}
}

// reconfiguredIntensity is the intensity rule when Reconfigure changes the
// limits between restarts, as Reconfigure documents it: the history is
// kept and judged by the limits of the moment; a restart made beyond the
// intensity takes the place of the oldest ones remembered, keeping at most
// the intensity of the moment. Under fixed limits it decides as
// otpIntensity does.
type reconfiguredIntensity struct{ restarts []time.Time }

func (m *reconfiguredIntensity) forget(now time.Time, period time.Duration) {
	kept := m.restarts[:0]
	for _, r := range m.restarts {
		if now.Sub(r) < period {
			kept = append(kept, r)
		}
	}
	m.restarts = kept
}

func (m *reconfiguredIntensity) allow(now time.Time, intensity int, period time.Duration) bool {
	m.forget(now, period)
	if len(m.restarts) >= intensity {
		return false
	}
	m.restarts = append(m.restarts, now)
	return true
}

func (m *reconfiguredIntensity) made(now time.Time, intensity int, period time.Duration) {
	m.forget(now, period)
	for len(m.restarts) > 0 && len(m.restarts) >= intensity {
		m.restarts = m.restarts[1:]
	}
	if intensity > 0 {
		m.restarts = append(m.restarts, now)
	}
}

// FuzzIntensityReconfigured drives History.Admit and History.Record with
// limits that change between restarts, as Reconfigure changes them, and
// checks every decision and the size of the history against a plain slice
// model. The seed corpus runs in `make test`.
func FuzzIntensityReconfigured(f *testing.F) {
	// Intensity 5, four restarts, intensity 2, a delayed restart, a restart.
	f.Add([]byte{0, 22, 1, 0, 1, 0, 1, 0, 1, 0, 0, 10, 1, 1, 0, 0})
	// Intensity 1, a restart, intensity 6, restarts, period 4s, time passes.
	f.Add([]byte{0, 6, 0, 0, 0, 26, 1, 0, 1, 1, 1, 0, 0, 15, 3, 0, 2, 0})
	f.Add([]byte{0, 20, 0, 0, 0, 0, 0, 0, 0, 0, 0, 8, 0, 0, 0, 1, 100, 0})
	f.Add([]byte{0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 6, 0, 1, 0, 1, 0, 1, 0, 42, 0, 0, 0, 0, 0, 0, 0, 0})
	f.Add([]byte{5, 2, 0, 0, 10, 0, 10, 1, 0, 3, 200, 0, 0, 7, 1, 0, 1, 0, 0, 43, 0, 0})
	f.Fuzz(func(t *testing.T, ops []byte) {
		intensity, period := 3, 32*time.Second
		now := time.Date(2024, 1, 1, 0, 0, 0, 0, time.UTC)
		var model reconfiguredIntensity
		var h supervisor.History
		for i := 0; i+1 < len(ops); i += 2 {
			now = now.Add(time.Duration(ops[i]) * time.Second)
			switch arg := int(ops[i+1] >> 2); ops[i+1] % 4 {
			case 0:
				want := model.allow(now, intensity, period)
				if got := h.Admit(now, intensity, period); got != want {
					t.Fatalf("step %d: Admit = %v, model says %v (intensity %d, period %v, remembered %v)",
						i/2, got, want, intensity, period, model.restarts)
				}
			case 1:
				h.Record(now, intensity, period)
				model.made(now, intensity, period)
			case 2:
				intensity = arg % 12
			case 3:
				period = time.Duration(arg%64+1) * time.Second
			}
			if h.Len() != len(model.restarts) {
				t.Fatalf("step %d: history holds %d restarts, model %d (intensity %d)", i/2, h.Len(), len(model.restarts), intensity)
			}
		}
	})
}
