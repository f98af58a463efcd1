package supervisor

import (
	"github.com/airssys/rt/actor"
)

// Child states.
const (
	stopped    uint8 = iota // not running: terminated, or exited and not restarted
	running                 // pid is live (as far as the supervisor knows)
	restarting              // a restart is pending (delayed, or retried after a failed start)
)

// child is one entry of a supervisor: a static child spec or a dynamic
// child of the template, in start order.
type child struct {
	spec     *Child // shared: a dynamic supervisor's children all point to its template
	args     []any  // dynamic children: StartChildWith's arguments
	pid      actor.PID
	token    uint64 // identifies the pending restart; a stale one is ignored
	restarts int
	// The one-byte fields side by side: a child record is 128 bytes, a
	// size class of its own, instead of 144.
	state    uint8
	removed  bool
	life     Life         // for Describe; under sup.view
	brkView  BreakerState // for Describe, under sup.view: breakerState as of the last change
	lastExit error        // for Describe; under sup.view
	brk      *breaker     // its own breaker, once it needed one
	wait     *breaker     // the breaker it is down with, if any
	hp       *healthState // its probing, if its spec has Health
	standIn  actor.PID    // holds its name while it is down behind a breaker
	prev     *child
	next     *child
}

// setState moves c to state st (with pid when running), keeping the PID
// map and the counters right.
func (s *sup) setState(c *child, st uint8, pid actor.PID) {
	if c.state == running {
		s.byPID.Delete(c.pid)
		s.active--
		if c.hp != nil {
			c.hp.disarm()
		}
	}
	if c.spec.Significant {
		if c.state != stopped {
			s.sigLive--
		}
		if st != stopped {
			s.sigLive++
		}
	}
	if !c.standIn.IsZero() && st != restarting {
		s.orphans = append(s.orphans, c.standIn) // no longer behind a breaker
		c.standIn = actor.PID{}
	}
	s.view.Lock()
	c.state, c.pid = st, pid
	if c.life != Failed {
		c.life = lifeOf(st)
	}
	s.view.Unlock()
	if st == running {
		s.byPID.Put(pid, c)
		s.active++
	}
}

// add appends c to the start order.
func (s *sup) add(c *child) *child {
	s.view.Lock()
	defer s.view.Unlock()
	c.prev = s.tail
	if s.tail != nil {
		s.tail.next = c
	} else {
		s.head = c
	}
	s.tail = c
	s.n++
	if !s.dynamic() {
		s.byID[c.spec.ID] = c
	}
	return c
}

// remove forgets c. It must not be running.
func (s *sup) remove(c *child) {
	if c.removed {
		return
	}
	s.setState(c, stopped, actor.PID{})
	s.view.Lock()
	defer s.view.Unlock()
	if c.prev != nil {
		c.prev.next = c.next
	} else {
		s.head = c.next
	}
	if c.next != nil {
		c.next.prev = c.prev
	} else {
		s.tail = c.prev
	}
	c.prev, c.next, c.removed = nil, nil, true
	s.n--
	if !s.dynamic() {
		delete(s.byID, c.spec.ID)
	}
}
