package supervisor

import (
	"time"

	"github.com/airssys/rt/actor"
)

// after delivers msg to the supervisor itself after d, unless the
// supervisor exits first.
//
// It is what Context.SendAfter is for, done instead by a short-lived
// helper process: system's SendAfter currently races with its own timer
// callback (it assigns the *time.Timer the callback reads after arming it,
// so a timer that fires early is dropped, and -race reports every use).
// Once that is fixed this can be ctx.SendAfter(d, s.self, msg).
func (s *sup) after(ctx actor.Context, d time.Duration, msg any) {
	t := &timer{d: d, to: s.self, msg: msg, done: ctx.Context().Done()}
	if _, err := ctx.Spawn(t); err != nil {
		// Only when the system is shutting down, which stops this
		// supervisor too.
		s.log.Warn().Err(err).Msg("cannot arm a restart timer")
	}
}

// timer is the helper process of after. Its one handler waits on the
// clock, the supervisor's context and its own, so that it never outlives
// the supervisor.
type timer struct {
	d    time.Duration
	to   actor.PID
	msg  any
	done <-chan struct{}
}

type fire struct{}

func (t *timer) Init(ctx actor.Context) error { return ctx.Send(ctx.Self(), fire{}) }

func (t *timer) Receive(ctx actor.Context, msg any) {
	if _, ok := msg.(fire); !ok {
		return
	}
	ctx.Stop(actor.Normal)
	c := time.NewTimer(t.d)
	defer c.Stop()
	select {
	case <-c.C:
		_ = ctx.Send(t.to, t.msg)
	case <-t.done:
	case <-ctx.Context().Done():
	}
}
