package system

import (
	"context"
	"errors"

	"github.com/airssys/rt/actor"
)

// addLink records a link to pid; false if p is already dead.
func (p *process) addLink(pid actor.PID) bool {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.status.Load() == statusDead {
		return false
	}
	if pid == p.parent {
		p.parentLink = true
	} else {
		p.extLocked().links.Put(pid, struct{}{})
	}
	return true
}

// linkedLocked reports whether p is linked to pid. The caller holds p.mu.
func (p *process) linkedLocked(pid actor.PID) bool {
	if pid == p.parent && p.parentLink {
		return true
	}
	return p.ext != nil && p.ext.links.Has(pid)
}

// dropLink removes the link to pid and reports whether there was one.
func (p *process) dropLink(pid actor.PID) bool {
	p.mu.Lock()
	defer p.mu.Unlock()
	if pid == p.parent && p.parentLink {
		p.parentLink = false
		return true
	}
	if p.ext == nil {
		return false
	}
	_, ok := p.ext.links.Delete(pid)
	return ok
}

// dropMonitor removes the monitor ref that p holds and returns its target;
// ok is false if it was not active.
func (p *process) dropMonitor(ref actor.Ref) (target actor.PID, ok bool) {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.ext == nil {
		return target, false
	}
	target, ok = p.ext.monitors[ref]
	delete(p.ext.monitors, ref)
	return target, ok
}

// addWatcher records a monitor of p; false if p is already dead.
func (p *process) addWatcher(ref actor.Ref, w watcher) bool {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.status.Load() == statusDead {
		return false
	}
	e := p.extLocked()
	if e.watchers == nil {
		e.watchers = make(map[actor.Ref]watcher)
	}
	e.watchers[ref] = w
	return true
}

func (p *process) removeWatcher(ref actor.Ref) {
	p.mu.Lock()
	if p.ext != nil {
		delete(p.ext.watchers, ref)
	}
	p.mu.Unlock()
}

// link links p (the caller, on its own goroutine) and pid.
func (p *process) link(pid actor.PID) error {
	if pid == p.pid {
		return nil
	}
	s := p.sys
	if err := s.checkPID(pid); err != nil {
		if fs := s.foreignFor(pid); fs != nil {
			if p.addLink(pid) {
				fs.f.Link(p.pid, pid)
			}
			return nil
		}
		return err
	}
	q, ok := s.reg.Lookup(pid)
	if !ok || !q.addLink(p.pid) {
		// Linking to a dead process: exit signal NoProc, as if from it.
		s.signal(p.pid, signal{kind: sigExit, from: pid, reason: actor.NoProc})
		return nil
	}
	if !p.addLink(pid) {
		// p was killed meanwhile; q must hear of it as of any linked exit.
		s.signal(pid, signal{kind: sigLinkExit, from: p.pid, reason: p.exitReason()})
	}
	return nil
}

func (p *process) unlink(pid actor.PID) error {
	if err := p.sys.checkPID(pid); err != nil {
		fs := p.sys.foreignFor(pid)
		if fs == nil {
			return err
		}
		if p.dropLink(pid) {
			fs.f.Unlink(p.pid, pid)
		}
	}
	p.dropLink(pid)
	if q, ok := p.sys.reg.Lookup(pid); ok {
		q.dropLink(p.pid)
	}
	// An Exit from pid already queued must not be delivered either.
	p.mb.User.Update(func(env *envelope) {
		if isLinkExit(env.kind()) && env.msg.(actor.Exit).From == pid {
			*env = envelope{from: mark(kindVoid)}
		}
	})
	return nil
}

func (p *process) monitor(pid actor.PID) (actor.Ref, error) {
	s := p.sys
	fs := s.foreignFor(pid)
	if err := s.checkPID(pid); err != nil && fs == nil {
		return actor.Ref{}, err
	}
	ref := actor.NewRef()
	if pid == p.pid {
		return ref, nil // legal, never fires
	}
	p.mu.Lock()
	e := p.extLocked()
	if e.monitors == nil {
		e.monitors = make(map[actor.Ref]actor.PID)
	}
	e.monitors[ref] = pid
	p.mu.Unlock()
	if fs != nil {
		fs.f.Monitor(p.pid, ref, pid)
		return ref, nil
	}
	if q, ok := s.reg.Lookup(pid); !ok || !q.addWatcher(ref, p) {
		p.down(ref, pid, actor.NoProc)
	}
	return ref, nil
}

func (p *process) demonitor(ref actor.Ref) bool {
	pid, active := p.dropMonitor(ref)
	if active {
		if fs := p.sys.foreignFor(pid); fs != nil {
			fs.f.Demonitor(p.pid, ref, pid)
			return true
		}
		if q, ok := p.sys.reg.Lookup(pid); ok {
			q.removeWatcher(ref)
		}
	}
	return active
}

// exit sends exit signal reason from p (nil: the system) to pid.
func (s *System) exit(p *process, pid actor.PID, reason error) error {
	if reason == nil {
		return actor.ErrNilReason
	}
	var from actor.PID
	if p != nil {
		from = p.pid
	}
	if err := s.checkPID(pid); err != nil {
		if fs := s.foreignFor(pid); fs != nil {
			return fs.f.Exit(from, pid, reason)
		}
		return err
	}
	q, ok := s.reg.Lookup(pid)
	if !ok || q.status.Load() == statusDead {
		return actor.ErrNoProcess
	}
	if reason == actor.Kill {
		s.kill(q)
		return nil
	}
	s.signal(pid, signal{kind: sigExit, from: from, reason: reason})
	return nil
}

// stop sends q exit signal reason as a stop request from the system, which
// a trapping process honours as one from its parent.
func (s *System) stop(q *process, reason error) {
	if reason == actor.Kill {
		s.kill(q)
		return
	}
	s.signal(q.pid, signal{kind: sigExit, reason: reason, parental: true})
}

// downChan is a watcher that hands its Down to a waiting goroutine.
type downChan chan actor.Down

func (c downChan) down(ref actor.Ref, pid actor.PID, reason error) {
	select {
	case c <- actor.Down{Ref: ref, PID: pid, Reason: reason}:
	default:
	}
}

// exitAndWait sends exit signal reason to q and waits until it has exited,
// until ctx ends, or, for a caller that is a process, until that process
// is killed (actor.ErrNotInProcess).
func (s *System) exitAndWait(ctx context.Context, from *process, q *process, reason error) (actor.Down, error) {
	c := make(downChan, 1)
	ref := actor.NewRef()
	if !q.addWatcher(ref, c) {
		return actor.Down{Ref: ref, PID: q.pid, Reason: q.exitReason()}, nil
	}
	var killed <-chan struct{} // nil, never ready, for a caller outside any process
	if from == nil {
		s.stop(q, reason)
	} else {
		killed = from.deathContext().Done()
		if err := s.exit(from, q.pid, reason); err != nil && !errors.Is(err, actor.ErrNoProcess) {
			q.removeWatcher(ref)
			return actor.Down{}, err
		}
	}
	select {
	case d := <-c:
		return d, nil
	case <-killed:
		q.removeWatcher(ref)
		return actor.Down{}, actor.ErrNotInProcess
	case <-ctx.Done():
		q.removeWatcher(ref)
		return actor.Down{}, ctx.Err()
	}
}
