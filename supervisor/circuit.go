package supervisor

import (
	"context"
	"errors"
	"slices"

	"github.com/airssys/rt/actor"
)

// ErrCircuitOpen is the dead-letter reason of a message sent to the
// registered name of a child that is down behind an open breaker, and the
// error of a Request to that name: the caller fails at once instead of
// waiting out its timeout. Retry after the breaker's cool-down.
var ErrCircuitOpen = errors.New("supervisor: circuit open: the child is down behind an open breaker; retry after its cool-down")

// standIn holds a child's registered name while the child waits behind an
// open breaker, and refuses everything sent to it with ErrCircuitOpen.
type standIn struct{}

func (standIn) Receive(ctx actor.Context, _ any) { _ = ctx.Refuse(ErrCircuitOpen) }

// holdName spawns a stand-in under c's registered name, if c has one,
// while c is down behind its breaker. The stand-in is linked to the
// supervisor, so it goes with it.
func (s *sup) holdName(ctx actor.Context, c *child) {
	if !c.standIn.IsZero() {
		return
	}
	name := s.nameOf(c)
	if name == "" {
		return
	}
	pid, err := ctx.SpawnLink(standIn{}, actor.WithName(name))
	if err != nil {
		s.log.Debug().Str("child", c.spec.ID).Err(err).Msg("circuit stand-in not started")
		return
	}
	c.standIn = pid
}

// freeName ends c's stand-in, and those of children gone since, and waits
// until their names are free, before c starts under its own.
func (s *sup) freeName(ctx actor.Context, c *child) {
	if !c.standIn.IsZero() {
		s.orphans = append(s.orphans, c.standIn)
		c.standIn = actor.PID{}
	}
	s.endStandIns(ctx)
}

// endStandIns kills the stand-ins of children no longer behind a breaker
// and waits until they are gone, so that their names are free.
func (s *sup) endStandIns(ctx actor.Context) {
	for _, pid := range s.orphans {
		_, _ = ctx.ExitAndWait(context.Background(), pid, actor.Kill)
	}
	s.orphans = s.orphans[:0]
}

// dropStandIns ends the stand-ins of children no longer waiting behind a
// breaker, without waiting for them.
func (s *sup) dropStandIns(ctx actor.Context) {
	for _, pid := range s.orphans {
		_ = ctx.Exit(pid, actor.Kill)
	}
	s.orphans = s.orphans[:0]
}

// nameOf returns the name c registers under when it starts, if any.
func (s *sup) nameOf(c *child) string {
	opts := c.spec.Start.Options
	if c.args != nil || s.dynamic() && s.template.StartWith != nil {
		p, err := startWith(s.template.StartWith, c.args)
		if err != nil {
			return ""
		}
		opts = slices.Concat(s.template.Start.Options, p.Options)
	}
	cfg, err := actor.NewConfig(opts...)
	if err != nil {
		return ""
	}
	return cfg.Name
}
