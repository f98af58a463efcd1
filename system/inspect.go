package system

import (
	"fmt"
	"slices"
	"sync"
	"time"

	"github.com/airssys/rt/actor"
	"github.com/airssys/rt/mailbox"
)

// RunState is where a process stands at the moment it is inspected.
type RunState uint8

// The run states a ProcessState reports.
const (
	// Idle: nothing queued that a turn has yet to look at; the process
	// holds no goroutine.
	Idle RunState = iota
	// Scheduled: work arrived and a turn is due but has not started.
	Scheduled
	// Running: a turn is under way; ProcessState.Callback says whether a
	// callback of the actor is running in it.
	Running
	// Exiting: the exit reason is fixed and Terminate is running.
	Exiting
)

var runStateNames = [...]string{"idle", "scheduled", "running", "exiting"}

// String returns the state's name: idle, scheduled, running or exiting.
func (r RunState) String() string {
	if int(r) < len(runStateNames) {
		return runStateNames[r]
	}
	return fmt.Sprintf("RunState(%d)", uint8(r))
}

// MarshalText returns String, so that JSON shows the name.
func (r RunState) MarshalText() ([]byte, error) { return []byte(r.String()), nil }

// ProcessState describes one process as the runtime sees it. Every field is
// read from runtime-side state: inspecting sends the process no message and
// waits for nothing it does, so a busy or stuck process is described like
// an idle one. Fields are read one after another while the process runs,
// so they may be a few events apart from one another.
type ProcessState struct {
	PID    actor.PID
	Parent actor.PID // zero for a process spawned by the system
	// Name is the name given at spawn (actor.WithName), empty if none;
	// Names are the names registered for it now.
	Name  string
	Names []string
	// Actor is the Go type of the actor, such as *supervisor.sup.
	Actor string

	Links       []actor.PID // processes linked to it, in no order
	Monitors    []actor.PID // processes it monitors, one entry per monitor
	MonitoredBy []actor.PID // processes monitoring it, one entry per monitor
	// ExternalMonitors counts the watches on it that are not a local
	// process's monitor: System.Monitor's, monitors from processes on other
	// nodes, ExitAndWait's, and the Requests waiting on it for a reply.
	ExternalMonitors int
	TrapExit         bool

	MailboxLen    int // user messages queued
	MailboxCap    int
	MailboxPolicy mailbox.Policy

	State RunState
	// Callback is the actor callback running now: "init", "receive",
	// "terminate", or empty between callbacks or when idle.
	Callback string
	// RunningFor is how long the process has been seen in Callback on the
	// same message (its Received count unchanged): the time since the
	// first inspection that found it there. Zero on that first inspection
	// and when no callback runs. For a handler stuck on one message it is
	// how long it has been stuck, to within the interval between
	// inspections.
	RunningFor time.Duration
	// Received counts the messages the process has taken from its
	// mailbox (handled, or evicted as the oldest under DropOldest), read
	// from the counter its mailbox keeps: a message being handled is
	// counted.
	Received uint64

	// Description is what the process published with
	// actor.Context.SetDescriber, as its Describe returned it (a
	// supervisor's is a supervisor.Info), or nil. If Describe panicked it
	// is the *actor.PanicError.
	Description any
}

// Snapshot is every live process at one moment, with the system's
// counters.
type Snapshot struct {
	// At is the system clock's time when the snapshot began.
	At time.Time
	// Stats are the counters, read just before the processes.
	Stats Stats
	// Processes are the live processes, by PID.
	Processes []ProcessState
}

// Find returns the process with pid in the snapshot.
func (s *Snapshot) Find(pid actor.PID) (*ProcessState, bool) {
	i, ok := s.Index(pid)
	if !ok {
		return nil, false
	}
	return &s.Processes[i], true
}

// Index returns the index in Processes of the process with pid (a binary
// search).
func (s *Snapshot) Index(pid actor.PID) (int, bool) {
	if pid.IsZero() {
		return 0, false
	}
	return slices.BinarySearchFunc(s.Processes, pid, func(p ProcessState, pid actor.PID) int {
		return cmpPID(p.PID, pid)
	})
}

func cmpPID(a, b actor.PID) int {
	switch {
	case a.ID() < b.ID():
		return -1
	case a.ID() > b.ID():
		return 1
	}
	return 0
}

// Inspect describes the live process pid. It never sends the process a
// message and takes its lock only to copy its links and monitors; the
// Describer a process published runs on the caller's goroutine. An
// invalid, foreign, exited or unknown PID gives the error Send would
// (actor.ErrZeroPID, actor.ErrForeignPID, actor.ErrNoProcess). It may be
// called after Shutdown, when every PID is unknown.
func (s *System) Inspect(pid actor.PID) (ProcessState, error) {
	if err := s.checkPID(pid); err != nil {
		return ProcessState{}, err
	}
	p, ok := s.reg.Lookup(pid)
	if !ok {
		return ProcessState{}, fmt.Errorf("%w: %v", actor.ErrNoProcess, pid)
	}
	var info ProcessState
	now := s.clock()
	s.inspect.mu.Lock()
	s.inspect.sweepLocked()
	s.inspect.lookLocked(p, &info, now, s.inspect.seen, nil)
	s.inspect.mu.Unlock()
	if names := s.reg.Names(pid); len(names) > 0 {
		info.Names = names
	}
	if p.status.Load() == statusDead {
		return ProcessState{}, fmt.Errorf("%w: %v", actor.ErrNoProcess, pid)
	}
	s.describe(p, &info)
	return info, nil
}

// Snapshot describes every live process, as Inspect does each, in PID
// order, with the system's Stats. It holds no lock across processes: each
// is read on its own, so a process spawned or exiting meanwhile may be in
// it or not, and the processes are not frozen at one instant. It never
// blocks senders or receivers for longer than the copy of one process's
// links and monitors. It may be called after Shutdown (no processes).
func (s *System) Snapshot() Snapshot {
	snap := Snapshot{At: s.clock(), Stats: s.Stats()}
	type named struct {
		p     *process
		names []string
	}
	procs := make([]named, 0, s.reg.Len()+16)
	s.reg.RangeNamed(func(_ actor.PID, p *process, names []string) bool {
		procs = append(procs, named{p, names})
		return true
	})
	slices.SortFunc(procs, func(a, b named) int { return cmpPID(a.p.pid, b.p.pid) })
	snap.Processes = make([]ProcessState, len(procs))
	s.inspect.mu.Lock()
	prev := s.inspect.seen
	s.inspect.seen = make(map[*process]sighting, len(prev))
	// The links and monitors of every process share one array, so that
	// 100,000 supervised children (one link each) cost a few allocations,
	// not 100,000.
	arena := make([]actor.PID, 0, len(procs)+16)
	for i, n := range procs {
		s.inspect.lookLocked(n.p, &snap.Processes[i], snap.At, prev, &arena)
		if len(n.names) > 0 {
			snap.Processes[i].Names = slices.Clone(n.names)
		}
	}
	s.inspect.mu.Unlock()
	for i, n := range procs {
		s.describe(n.p, &snap.Processes[i])
	}
	return snap
}

// inspection remembers, between inspections, when each process was first
// seen in its current callback on its current message, for
// ProcessState.RunningFor. It
// holds only processes found in a callback at the last look; nobody
// inspecting costs nothing.
type inspection struct {
	mu   sync.Mutex
	seen map[*process]sighting
}

// sighting is a process found in callback cb with received messages
// counted, first at since.
type sighting struct {
	received uint64
	cb       callback
	since    time.Time
}

// maxSightings bounds what Inspect alone (with no Snapshot to replace the
// map) keeps of processes that have exited since.
const maxSightings = 4096

// sweepLocked drops the sightings of dead processes once there are many.
func (in *inspection) sweepLocked() {
	if len(in.seen) < maxSightings {
		return
	}
	for p := range in.seen {
		if p.status.Load() == statusDead {
			delete(in.seen, p)
		}
	}
}

// lookLocked fills info with what p's runtime state says, and records in
// in.seen a sighting of p if it runs a callback, dated from prev's if p
// is still in the same callback on the same message. The lists are appended to
// *arena, if not nil, and sliced from it.
func (in *inspection) lookLocked(p *process, info *ProcessState, now time.Time, prev map[*process]sighting, arena *[]actor.PID) {
	info.PID, info.Parent, info.Name = p.pid, p.parent, p.name
	info.Actor = typeName(p.actor)
	info.TrapExit = p.trap.Load()
	info.MailboxLen, info.MailboxCap, info.MailboxPolicy = p.mb.User.Len(), p.mb.User.Cap(), p.mb.User.Policy()
	info.Received = p.mb.User.Taken()
	cb := p.callingNow()
	switch p.mb.State.Load() {
	case mailbox.Idle:
		info.State = Idle
	case mailbox.Scheduled:
		info.State = Scheduled
	default:
		info.State = Running
	}
	if p.status.Load() == statusExiting {
		info.State = Exiting
	}
	if cb != inNone {
		info.Callback = callbackNames[cb]
		sg := sighting{received: info.Received, cb: cb, since: now}
		if old, ok := prev[p]; ok && old.received == sg.received && old.cb == cb {
			sg.since = old.since
		}
		if in.seen == nil {
			in.seen = make(map[*process]sighting)
		}
		in.seen[p] = sg
		info.RunningFor = now.Sub(sg.since)
	} else {
		delete(in.seen, p) // a no-op on a nil map or a fresh one
	}
	var own []actor.PID
	if arena == nil {
		arena = &own
	}
	a := *arena
	p.mu.Lock()
	start := len(a)
	if p.parentLink {
		a = append(a, p.parent)
	}
	e := p.ext
	if e != nil {
		for pid := range e.links.All() {
			a = append(a, pid)
		}
	}
	links := len(a)
	if e != nil {
		for _, pid := range e.monitors {
			a = append(a, pid)
		}
	}
	monitors := len(a)
	if e != nil {
		for _, w := range e.watchers {
			if q, ok := w.(*process); ok {
				a = append(a, q.pid)
			} else {
				info.ExternalMonitors++
			}
		}
	}
	p.mu.Unlock()
	info.Links = sub(a, start, links)
	info.Monitors = sub(a, links, monitors)
	info.MonitoredBy = sub(a, monitors, len(a))
	*arena = a
}

var callbackNames = [...]string{inNone: "", inInit: "init", inReceive: "receive", inTerminate: "terminate"}

// describe adds what p's Describer says to info, on the caller's
// goroutine.
func (s *System) describe(p *process, info *ProcessState) {
	p.mu.Lock()
	var d actor.Describer
	if p.ext != nil {
		d = p.ext.desc
	}
	p.mu.Unlock()
	if d == nil {
		return
	}
	defer func() {
		if v := recover(); v != nil {
			info.Description = actor.NewPanicError(p.pid, v)
		}
	}()
	info.Description = d.Describe()
}

// setDescriber publishes d for introspection; it goes with p's ext at exit.
func (p *process) setDescriber(d actor.Describer) {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.status.Load() == statusDead {
		return
	}
	if d == nil {
		if p.ext != nil {
			p.ext.desc = nil
		}
		return
	}
	p.extLocked().desc = d
}

// sub is a[i:j], capped so that an append to it copies, or nil if empty.
func sub(a []actor.PID, i, j int) []actor.PID {
	if i == j {
		return nil
	}
	return a[i:j:j]
}
