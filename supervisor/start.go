package supervisor

import (
	"errors"
	"slices"

	"github.com/airssys/rt/actor"
)

// ancestor is one link of a supervisor's line of ancestors, kept to refuse
// adopting one of them.
type ancestor struct {
	s   *sup
	pid actor.PID
	up  *ancestor
}

// start spawns c linked to the supervisor and records it as running, or
// as stopped if its Init returned actor.Ignore.
func (s *sup) start(ctx actor.Context, c *child) error {
	if !c.standIn.IsZero() || len(s.orphans) > 0 {
		s.freeName(ctx, c)
	}
	if c.spec.StartLink != nil {
		pid, err := startLink(ctx, c.spec.StartLink)
		if err != nil {
			return err
		}
		c.token = s.nextToken()
		s.setState(c, running, pid)
		s.armHealth(ctx, c)
		return nil
	}
	a, opts, err := s.build(c)
	if err != nil {
		return err
	}
	if as, ok := a.(*sup); ok {
		if err := s.adopt(as, c.spec.ID); err != nil {
			return err
		}
	}
	s.setLife(c, Starting)
	pid, err := ctx.SpawnLink(a, opts...)
	if errors.Is(err, actor.Ignore) {
		// As OTP's ignore: the start is done, with no process. A static
		// child's spec stays (RestartChild can start it later); a dynamic
		// child leaves nothing behind.
		c.token = s.nextToken()
		s.setState(c, stopped, actor.PID{})
		if s.dynamic() {
			s.remove(c)
		}
		return nil
	}
	if err != nil {
		return err
	}
	c.token = s.nextToken() // any pending restart of c is void
	s.setState(c, running, pid)
	s.armHealth(ctx, c)
	return nil
}

// build makes c's actor and spawn options.
func (s *sup) build(c *child) (actor.Actor, []actor.Option, error) {
	if c.args != nil || s.dynamic() && s.template.StartWith != nil {
		return s.buildWith(c)
	}
	a, err := c.spec.Start.Build()
	return a, c.spec.options(), err
}

// buildWith makes a dynamic child's actor and options from its arguments.
func (s *sup) buildWith(c *child) (actor.Actor, []actor.Option, error) {
	p, err := startWith(s.template.StartWith, c.args)
	if err != nil {
		return nil, nil, err
	}
	a, err := p.Build()
	opts := slices.Concat(s.template.Start.Options, p.Options)
	if s.template.StartTimeout > 0 {
		opts = append(opts, actor.WithInitTimeout(s.template.StartTimeout))
	}
	return a, opts, err
}

func startWith(f func(...any) actor.Props, args []any) (p actor.Props, err error) {
	defer func() {
		if v := recover(); v != nil {
			err = actor.NewPanicError(actor.PID{}, v)
		}
	}()
	return f(args...), nil
}

// startLink runs a child's own start function; a panic in it is a failed
// start.
func startLink(ctx actor.Context, f func(actor.Context) (actor.PID, error)) (pid actor.PID, err error) {
	defer func() {
		if v := recover(); v != nil {
			err = actor.NewPanicError(ctx.Self(), v)
		}
	}()
	return f(ctx)
}

// adopt refuses a child actor that is this supervisor or an ancestor, and
// otherwise gives it its line of ancestors.
func (s *sup) adopt(a *sup, id string) error {
	if a == s {
		return &TreeIntegrityViolation{Supervisor: s.self, ID: id, Adoptee: s.self}
	}
	for up := s.up; up != nil; up = up.up {
		if up.s == a {
			return &TreeIntegrityViolation{Supervisor: s.self, ID: id, Adoptee: up.pid}
		}
	}
	a.up = &ancestor{s: s, pid: s.self, up: s.up}
	return nil
}
