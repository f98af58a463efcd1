package supervisor

import (
	"context"
	"fmt"
	"time"

	"github.com/airssys/rt/actor"
)

// Change is one change Reconfigure makes to a running supervisor's Spec,
// made by WithStrategy, WithIntensity, WithPeriod, WithEscalation or
// WithDecider. Each takes the value the Spec field would, with the same
// meaning of its zero value. The zero Change changes nothing.
type Change struct{ set func(*Spec) }

// WithStrategy changes the strategy, between OneForOne, OneForAll and
// RestForOne. A SimpleOneForOne supervisor cannot become static, nor a
// static one SimpleOneForOne: ErrDynamicStrategy.
func WithStrategy(st Strategy) Change { return Change{func(s *Spec) { s.Strategy = st }} }

// WithIntensity changes Spec.Intensity: 0 means DefaultIntensity,
// NoRestarts none.
func WithIntensity(n int) Change { return Change{func(s *Spec) { s.Intensity = n }} }

// WithPeriod changes Spec.Period: 0 means DefaultPeriod.
func WithPeriod(d time.Duration) Change { return Change{func(s *Spec) { s.Period = d }} }

// WithEscalation changes Spec.Escalation: nil means Escalate.
func WithEscalation(e Escalation) Change { return Change{func(s *Spec) { s.Escalation = e }} }

// WithDecider changes Spec.Decide: nil removes the Decider, so that the
// strategy decides again.
func WithDecider(d Decider) Change { return Change{func(s *Spec) { s.Decide = d }} }

// Reconfigure changes a running supervisor's strategy, intensity, period,
// escalation and Decider. It is a synchronous request like the dynamic
// API's (ctx bounds the wait; an *actor.ExitError means the supervisor
// exited first), safe for concurrent use.
//
// The changes are applied in order to the supervisor's current Spec and
// validated as New validates a Spec, then take effect together, between
// two of the supervisor's messages: the exit handled before the request
// was judged by the old Spec, the next one is judged by the new. If the
// result is invalid nothing changes and the error is the one New would
// give (ErrInvalidStrategy, ErrInvalidIntensity, ErrInvalidPeriod,
// ErrInvalidBackoff, ErrInvalidBreaker), or ErrDynamicStrategy.
//
// The restart history is kept and judged by the new limits from then on:
// lowering the intensity below the restarts of the window makes the next
// restart one too many; shortening the period forgets the restarts older
// than the new one. A restart already pending (a Backoff delay, a retry
// after a failed start) completes under the strategy it was scheduled
// with, and Backoff's doubling goes on from where it was. A restart made
// beyond the intensity (after a Backoff delay) takes the place of the
// oldest one remembered, so after such restarts a raised intensity counts
// at most the old intensity's worth of the past.
//
// A change lasts as long as the supervisor's process: when its parent
// restarts it, it starts from the Spec its factory gives. CurrentSpec
// reports the Spec in effect; a Reconfigured event reports each change.
func Reconfigure(ctx context.Context, r Requester, sup actor.PID, changes ...Change) error {
	_, err := call[struct{}](ctx, r, sup, reconfigureReq{changes})
	return err
}

// CurrentSpec returns the Spec a running supervisor applies, with its
// defaults filled in: Intensity is NoRestarts for none, Period and
// Escalation are never zero. Given to New or Reconfigure it means the same
// configuration. It is a synchronous request like the dynamic API's.
func CurrentSpec(ctx context.Context, r Requester, sup actor.PID) (Spec, error) {
	return call[Spec](ctx, r, sup, currentSpecReq{})
}

type (
	reconfigureReq struct{ changes []Change }
	currentSpecReq struct{}
)

func (q reconfigureReq) serve(ctx actor.Context, s *sup) reply {
	spec := s.spec
	for _, c := range q.changes {
		if c.set != nil {
			c.set(&spec)
		}
	}
	cfg, err := spec.config()
	if err != nil {
		return reply{err: err}
	}
	if (cfg.strategy == SimpleOneForOne) != s.dynamic() {
		return reply{err: fmt.Errorf("%w: %v to %v", ErrDynamicStrategy, s.cfg.strategy, cfg.strategy)}
	}
	s.view.Lock()
	s.spec, s.cfg = spec, cfg
	s.view.Unlock()
	s.event(ctx, Reconfigured{Supervisor: s.self, Spec: cfg.spec()})
	return reply{}
}

func (currentSpecReq) serve(_ actor.Context, s *sup) reply { return reply{v: s.cfg.spec()} }

// spec returns the Spec that means c, with its defaults filled in.
func (c config) spec() Spec {
	n := c.intensity
	if n == 0 {
		n = NoRestarts
	}
	return Spec{Strategy: c.strategy, Intensity: n, Period: c.period, Escalation: c.escalation,
		AutoShutdown: c.auto, Decide: c.decide}
}
