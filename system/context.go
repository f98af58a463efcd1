package system

import (
	"context"
	"fmt"
	"time"

	"github.com/rs/zerolog"

	"github.com/airssys/rt/actor"
)

// process implements actor.Context: the handle is the process itself, so a
// message costs no allocation for it.
var _ actor.Context = (*process)(nil)

func (p *process) Self() actor.PID   { return p.pid }
func (p *process) Parent() actor.PID { return p.parent }
func (p *process) Sender() actor.PID { return p.cur.from }
func (p *process) Now() time.Time    { return p.sys.clock() }

func (p *process) Logger() zerolog.Logger {
	return p.sys.logger.With().Stringer("pid", p.pid).Logger()
}

// Context returns the process's context.Context, made on first use and
// cancelled when the process exits.
func (p *process) Context() context.Context {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.status.Load() == statusDead {
		ctx, cancel := context.WithCancel(context.Background())
		cancel()
		return ctx
	}
	e := p.extLocked()
	if e.ctx == nil {
		e.ctx, e.cancel = context.WithCancel(context.Background())
	}
	return e.ctx
}

func (p *process) Spawn(a actor.Actor, opts ...actor.Option) (actor.PID, error) {
	return p.sys.spawn(p, a, false, opts)
}

func (p *process) SpawnLink(a actor.Actor, opts ...actor.Option) (actor.PID, error) {
	return p.sys.spawn(p, a, true, opts)
}

func (p *process) Send(to actor.PID, msg any) error {
	if p.status.Load() == statusDead {
		p.sys.deadLetter(to, p.pid, msg, actor.ErrNotInProcess)
		return actor.ErrNotInProcess
	}
	return p.sys.deliver(nil, p, to, msg, nil)
}

func (p *process) SendNamed(name string, msg any) error {
	pid, ok := p.sys.reg.Whereis(name)
	if !ok {
		if err, handled := p.sys.sendNamedForeign(p.pid, name, msg); handled {
			return err
		}
		p.sys.deadLetter(actor.PID{}, p.pid, msg, actor.ErrNoProcess)
		return fmt.Errorf("send to %q: %w", name, actor.ErrNoProcess)
	}
	return p.Send(pid, msg)
}

func (p *process) SendAfter(d time.Duration, to actor.PID, msg any) (func() bool, error) {
	if p.status.Load() == statusDead {
		return nil, actor.ErrNotInProcess
	}
	return p.sys.sendAfter(d, p, to, msg)
}

func (p *process) SendInterval(d time.Duration, to actor.PID, msg any) (func() bool, error) {
	if p.status.Load() == statusDead {
		return nil, actor.ErrNotInProcess
	}
	return p.sys.sendInterval(d, p, to, msg)
}

func (p *process) Request(ctx context.Context, to actor.PID, msg any) (any, error) {
	if p.status.Load() == statusDead {
		p.sys.deadLetter(to, p.pid, msg, actor.ErrNotInProcess)
		return nil, actor.ErrNotInProcess
	}
	return p.sys.request(ctx, p, to, msg)
}

func (p *process) Reply(msg any) error { return p.reply(msg) }

func (p *process) Link(pid actor.PID) error   { return p.link(pid) }
func (p *process) Unlink(pid actor.PID) error { return p.unlink(pid) }

func (p *process) Monitor(pid actor.PID) (actor.Ref, error) { return p.monitor(pid) }

func (p *process) MonitorName(name string) (actor.Ref, error) {
	pid, ok := p.sys.reg.Whereis(name)
	if !ok {
		ref := actor.NewRef()
		p.mu.Lock()
		e := p.extLocked()
		if e.monitors == nil {
			e.monitors = make(map[actor.Ref]actor.PID)
		}
		e.monitors[ref] = actor.PID{}
		p.mu.Unlock()
		p.down(ref, actor.PID{}, actor.NoProc)
		return ref, nil
	}
	return p.monitor(pid)
}

func (p *process) Demonitor(ref actor.Ref) bool { return p.demonitor(ref) }

func (p *process) TrapExit(on bool) bool { return p.trap.Swap(on) }

func (p *process) Exit(pid actor.PID, reason error) error {
	if pid == p.pid && reason != nil && reason != actor.Kill {
		// As a signal, so Erlang's rules for self apply once the
		// current callback returns.
		p.sys.signal(p.pid, signal{kind: sigExit, from: p.pid, reason: reason})
		return nil
	}
	return p.sys.exit(p, pid, reason)
}

func (p *process) Stop(reason error) {
	if reason == nil {
		reason = actor.Normal
	}
	if p.stop == nil {
		p.stop = reason
	}
}

func (p *process) ExitAndWait(ctx context.Context, pid actor.PID, reason error) (actor.Down, error) {
	if ctx == nil {
		return actor.Down{}, actor.ErrNilContext
	}
	if pid == p.pid {
		return actor.Down{}, actor.ErrRequestSelf
	}
	if reason == nil {
		return actor.Down{}, actor.ErrNilReason
	}
	if err := p.sys.checkPID(pid); err != nil {
		if fs := p.sys.foreignFor(pid); fs != nil {
			return p.sys.foreignExitAndWait(ctx, fs, p, pid, reason)
		}
		return actor.Down{}, err
	}
	q, ok := p.sys.reg.Lookup(pid)
	if !ok {
		return actor.Down{Ref: actor.NewRef(), PID: pid, Reason: actor.NoProc}, nil
	}
	return p.sys.exitAndWait(ctx, p, q, reason)
}

func (p *process) Register(name string) error   { return p.sys.reg.Register(name, p.pid) }
func (p *process) Unregister(name string) error { return p.sys.reg.Unregister(name) }
func (p *process) Whereis(name string) (actor.PID, bool) {
	return p.sys.reg.Whereis(name)
}

func (p *process) Publish(event any) {
	if m := p.sys.m; m != nil {
		m.supervision(p, event)
	}
	p.sys.Publish(event)
}

func (p *process) Alive(pid actor.PID) bool { return p.sys.Alive(pid) }

func (p *process) RequestContext() context.Context {
	if p.cur.req != nil {
		return p.cur.req.ctx
	}
	return p.Context()
}

func (p *process) Forward(to actor.PID) error { return p.forward(to) }

func (p *process) ReplyLater() (actor.Deferred, error) { return p.replyLater() }

func (p *process) Refuse(reason error) error { return p.refuse(reason) }

func (p *process) Hold() (actor.Held, error) { return p.hold() }

func (p *process) Backlog(pid actor.PID) int { return p.sys.backlog(pid) }

// backlog is the length of pid's user lane, read without a message.
func (s *System) backlog(pid actor.PID) int {
	q, ok := s.reg.LookupCached(pid)
	if !ok || q.status.Load() == statusDead {
		return 0
	}
	return q.mb.User.Len()
}

func (p *process) SetDescriber(d actor.Describer) { p.setDescriber(d) }
