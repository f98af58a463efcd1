package system

import (
	"errors"
	"fmt"
	"runtime"
	"time"

	"github.com/airssys/rt/actor"
)

func (s *System) spawn(parent *process, a actor.Actor, link bool, opts []actor.Option) (actor.PID, error) {
	if actor.IsNil(a) {
		return actor.PID{}, actor.ErrNilActor
	}
	cfg, err := actor.NewConfig(opts...)
	if err != nil {
		return actor.PID{}, err
	}
	if s.stopping.Load() {
		return actor.PID{}, actor.ErrStopped
	}
	if parent != nil && parent.status.Load() == statusDead {
		return actor.PID{}, actor.ErrNotInProcess
	}
	p := &process{
		sys:        s,
		pid:        actor.NewPID(s.num, s.nextID.Add(1)),
		name:       cfg.Name,
		actor:      a,
		throughput: int32(cfg.Throughput),
	}
	if parent != nil {
		p.parent = parent.pid
	}
	if m := s.m; m != nil {
		// The countdown starts at a phase taken from the PID, so that one
		// process in SampleEvery has its first turn measured: short-lived
		// processes are sampled too, and a restart is timed no more
		// often than any other turn.
		p.kind, p.sampleIn = m.kindOf(cfg.Kind, a), 1+uint16(p.pid.ID()%uint64(m.every))
	}
	if err := p.mb.Init(cfg.Capacity, cfg.Policy); err != nil {
		return actor.PID{}, fmt.Errorf("%w: %w", actor.ErrInvalidOption, err)
	}
	p.mb.User.Pin(isSignal) // Exit and Down are never dropped
	// Set before the process is visible, so that a message sent by name
	// the moment it is registered still waits for Init.
	_, hasInit := a.(actor.Initializer)
	if hasInit {
		p.needInit = true
		p.initCh = make(chan error, 1)
	}
	// The child has not run yet, so the link exists before it can fail.
	p.parentLink = link
	if err := s.reg.Add(p); err != nil {
		return actor.PID{}, err
	}
	if cfg.Name != "" {
		if err := s.reg.Register(cfg.Name, p.pid); err != nil {
			s.reg.Remove(p.pid)
			return actor.PID{}, err
		}
	}
	s.live.Add(1)
	if m := s.m; m != nil {
		m.kind(p.kind).spawned.Add(1)
	}
	signalled := false
	if link && !parent.addLink(p.pid) {
		// The parent exited meanwhile: the child hears of it as of any
		// linked exit.
		signalled = p.enqueueSignal(signal{kind: sigLinkExit, from: parent.pid, reason: parent.exitReason()})
	}
	if hasInit || signalled {
		if p.mb.State.Notify() {
			s.startTurn(p)
		}
	}
	if hasInit {
		if err := s.awaitInit(p, cfg.InitTimeout); err != nil {
			return actor.PID{}, err
		}
	}
	if s.debug {
		s.logger.Debug().Stringer("pid", p.pid).Stringer("parent", p.parent).Str("name", p.name).Msg("process started")
	}
	if s.hasSubscribers() {
		s.Publish(actor.ProcessStarted{PID: p.pid, Parent: p.parent, Name: p.name})
	}
	return p.pid, nil
}

// awaitInit waits for p's Init to return, at most timeout; then p is
// killed. Most Inits are quick: the caller yields once before arming a
// timer, which a restart would otherwise allocate every time.
func (s *System) awaitInit(p *process, timeout time.Duration) error {
	for range 2 {
		select {
		case err := <-p.initCh:
			return err
		default:
			runtime.Gosched()
		}
	}
	t := time.NewTimer(timeout)
	defer t.Stop()
	select {
	case err := <-p.initCh:
		return err
	case <-t.C:
		s.kill(p)
		return fmt.Errorf("%v: %w after %v", p.pid, actor.ErrInitTimeout, timeout)
	}
}

// runInit runs Init on the first turn. It reports whether the process lives.
func (p *process) runInit() bool {
	p.needInit = false
	if p.status.Load() == statusDead {
		// Killed before its first turn: Init never runs.
		err := p.exitReason()
		p.drain()
		p.initCh <- err
		return false
	}
	err := p.callInit()
	if err == nil && p.status.Load() == statusAlive {
		// A Stop called from Init is a normal start followed by an exit,
		// which the turn carries out.
		p.initCh <- nil
		return true
	}
	if err == nil {
		err = p.exitReason()
	}
	if errors.Is(err, actor.Ignore) {
		p.exit(actor.Normal, false) // declined, not failed
	} else {
		p.exit(err, false)
	}
	p.initCh <- err
	return false
}

func (p *process) callInit() (err error) {
	defer func() {
		if v := recover(); v != nil {
			p.setCalling(inNone)
			err = actor.NewPanicError(p.pid, v)
		}
	}()
	p.setCalling(inInit)
	err = p.actor.(actor.Initializer).Init(p)
	p.setCalling(inNone)
	return err
}
