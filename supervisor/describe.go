package supervisor

import (
	"fmt"
	"time"

	"github.com/airssys/rt/actor"
)

// Life is where a child stands in its life cycle, as introspection shows
// it (Info.Children).
type Life uint8

// The life-cycle states of a child.
const (
	// Stopped: not running: terminated, exited and not restarted, or
	// ignored at start. Leaves for Starting (a restart or RestartChild).
	Stopped Life = iota
	// Starting: its Init is running. Leaves for Running, Stopped (it
	// returned actor.Ignore) or Restarting (it failed during a restart).
	Starting
	// Running: its process is live. Leaves for Stopping (the supervisor
	// stops it), Starting (it exited and is restarted at once),
	// Restarting or Stopped.
	Running
	// Stopping: the supervisor is stopping it per its shutdown policy.
	// Leaves for Stopped.
	Stopping
	// Restarting: a restart is pending: waiting on a Backoff delay or an
	// open Breaker, or retried after a failed start. Leaves for Starting.
	Restarting
	// Failed: its exits made the supervisor give up (the restart
	// intensity was exceeded, or a Decider gave up). Shown while the
	// supervisor stops its children and exits; final.
	Failed
)

var lifeNames = [...]string{"stopped", "starting", "running", "stopping", "restarting", "failed"}

// String returns the state's name: stopped, starting, running, stopping,
// restarting or failed.
func (l Life) String() string {
	if int(l) < len(lifeNames) {
		return lifeNames[l]
	}
	return fmt.Sprintf("Life(%d)", uint8(l))
}

// MarshalText returns String, so that JSON shows the name.
func (l Life) MarshalText() ([]byte, error) { return []byte(l.String()), nil }

// Info is a supervisor as introspection shows it: the value its Describer
// returns, found in system.ProcessState.Description. It is a copy, read
// under a lock the supervisor holds only for the O(1) bookkeeping of one
// child at a time, so reading it never waits for the supervisor's work
// (a restart, a child's Init, a shutdown) and never sends it a message.
type Info struct {
	Strategy   Strategy
	Intensity  int
	Period     time.Duration
	Escalation Escalation
	// Children are the supervisor's children in start order; a
	// SimpleOneForOne supervisor's all have the template's ID.
	Children []ChildView
}

// ChildView is one child in an Info.
type ChildView struct {
	ID       string
	PID      actor.PID // zero unless the child has a process
	Restart  RestartType
	Shutdown ShutdownPolicy
	Kind     Kind
	// Restarts counts the restarts of this child.
	Restarts int
	State    Life
	// LastExit is the exit reason of the child's previous process (the
	// one a restart replaced), nil if it never exited.
	LastExit error
	// Breaker is the state of the breaker the child waits on (Open, or
	// HalfOpen for the child on probation), Closed otherwise, as of the end
	// of the supervisor's last message.
	Breaker BreakerState
}

// showBreakers publishes every child's breaker state to the view, after a
// breaker changed: O(children), once per message that changed a breaker.
func (s *sup) showBreakers() {
	s.brkDirty = false
	s.view.Lock()
	defer s.view.Unlock()
	for c := s.head; c != nil; c = c.next {
		c.brkView = s.breakerState(c)
	}
}

// Describe implements actor.Describer: it copies the supervisor's
// strategy and children under its view lock. Safe for concurrent use with
// the supervisor's work; it never blocks on it.
func (s *sup) Describe() any {
	s.view.Lock()
	defer s.view.Unlock()
	in := Info{
		Strategy:   s.cfg.strategy,
		Intensity:  s.cfg.intensity,
		Period:     s.cfg.period,
		Escalation: s.cfg.escalation,
		Children:   make([]ChildView, 0, s.n),
	}
	for c := s.head; c != nil; c = c.next {
		in.Children = append(in.Children, ChildView{
			ID: c.spec.ID, PID: c.pid, Restart: c.spec.Restart, Shutdown: c.spec.Shutdown,
			Kind: c.spec.Kind, Restarts: c.restarts, State: c.life, LastExit: c.lastExit, Breaker: c.brkView,
		})
	}
	return in
}

// setLife moves c to life-cycle state l, for Describe. A Failed child stays
// Failed. O(1): one uncontended lock unless a Describe is copying.
func (s *sup) setLife(c *child, l Life) {
	s.view.Lock()
	if c.life != Failed {
		c.life = l
	}
	s.view.Unlock()
}

// lifeOf is the life-cycle state that goes with bookkeeping state st.
func lifeOf(st uint8) Life {
	switch st {
	case running:
		return Running
	case restarting:
		return Restarting
	}
	return Stopped
}
