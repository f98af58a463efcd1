package system

import (
	"context"
	"sync"

	"github.com/airssys/rt/actor"
)

// Monitor watches one process from code outside any actor, as a process's
// Monitor does from inside one: it receives exactly one actor.Down with the
// process's final exit reason (actor.Killed after a kill, actor.NoProc if
// it was not alive when the monitor was set), unless Demonitor comes first.
// Its methods are safe for concurrent use.
type Monitor struct {
	ref    actor.Ref
	target *process // nil when the Down was given at once
	far    func()   // ends the monitor of a foreign PID
	ch     chan actor.Down
	once   sync.Once
}

// Monitor starts watching pid. It returns actor.ErrZeroPID or
// actor.ErrForeignPID for a PID that can name no process of this system
// (a PID of another node, with a Foreign installed, is watched through it);
// a PID of this system that is not alive gives a Monitor whose Down, with
// reason actor.NoProc, is ready at once. It never blocks.
func (s *System) Monitor(pid actor.PID) (*Monitor, error) {
	if fs := s.foreignFor(pid); fs != nil {
		return s.foreignMonitor(fs, pid), nil
	}
	if err := s.checkPID(pid); err != nil {
		return nil, err
	}
	m := &Monitor{ref: actor.NewRef(), ch: make(chan actor.Down, 1)}
	if q, ok := s.reg.Lookup(pid); ok && q.addWatcher(m.ref, m) {
		m.target = q
		return m, nil
	}
	m.deliver(actor.Down{Ref: m.ref, PID: pid, Reason: actor.NoProc})
	return m, nil
}

// down is called once by the runtime when the target exits.
func (m *Monitor) down(ref actor.Ref, pid actor.PID, reason error) {
	m.deliver(actor.Down{Ref: ref, PID: pid, Reason: reason})
}

func (m *Monitor) deliver(d actor.Down) {
	m.once.Do(func() { m.ch <- d })
}

// Ref returns the monitor's reference, the Ref of its Down.
func (m *Monitor) Ref() actor.Ref { return m.ref }

// Down returns the channel on which the one Down arrives. It is never
// closed; after Demonitor nothing arrives on it.
func (m *Monitor) Down() <-chan actor.Down { return m.ch }

// Wait returns the Down once it has arrived, or ctx.Err() if ctx ends
// first (actor.ErrNilContext for a nil ctx). Only one of several waiters
// receives it; use Down to share it.
func (m *Monitor) Wait(ctx context.Context) (actor.Down, error) {
	if ctx == nil {
		return actor.Down{}, actor.ErrNilContext
	}
	select {
	case d := <-m.ch:
		return d, nil
	case <-ctx.Done():
		return actor.Down{}, ctx.Err()
	}
}

// Demonitor stops watching. It reports whether the monitor was still
// active: false if the Down was already delivered (it may still be unread
// on Down). After it returns, no Down arrives.
func (m *Monitor) Demonitor() bool {
	active := false
	m.once.Do(func() { active = true })
	if active && m.target != nil {
		m.target.removeWatcher(m.ref)
	}
	if active && m.far != nil {
		m.far()
	}
	return active
}
