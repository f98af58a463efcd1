package system

import (
	"context"
	"errors"
	"strings"
	"sync"

	"github.com/airssys/rt/actor"
	"github.com/airssys/rt/mailbox"
)

// Foreign handles the PIDs a system does not own: the processes of other
// nodes, for a layer above the core such as package remote. A system with a
// Foreign installed (SetForeign) hands it every operation on a PID whose
// System() is not its own, where it would otherwise return
// actor.ErrForeignPID; the local paths do not change. The methods are
// called from the goroutine making the call and must not block longer than
// the operation they implement (Send must not wait for the network).
type Foreign interface {
	// Send delivers msg from from (a local PID, or zero outside any
	// process) to to. On error the message must have been counted as a
	// dead letter by the Foreign (see System.DeadLetter).
	Send(from, to actor.PID, msg any) error
	// SendNamed sends to the process registered under name on node (the
	// parts of "name@node").
	SendNamed(from actor.PID, name, node string, msg any) error
	// Request sends msg to to and waits for the reply, until ctx ends or
	// killed (nil outside a process) is closed.
	Request(ctx context.Context, killed <-chan struct{}, from, to actor.PID, msg any) (any, error)
	// Link records the link of local process from to to, which from has
	// already recorded on its side. If to cannot be linked, the Foreign
	// delivers the exit signal (System.RemoteExit).
	Link(from, to actor.PID)
	// Unlink removes the link of local process from to to.
	Unlink(from, to actor.PID)
	// Monitor starts monitor ref of to for the local process watcher; the
	// Down comes back through System.RemoteDown.
	Monitor(watcher actor.PID, ref actor.Ref, to actor.PID)
	// Demonitor ends monitor ref.
	Demonitor(watcher actor.PID, ref actor.Ref, to actor.PID)
	// Exit sends exit signal reason from from to to (Erlang's exit/2).
	Exit(from, to actor.PID, reason error) error
	// LinkExited tells to, linked to local process from, that from exited
	// with reason.
	LinkExited(from, to actor.PID, reason error)
	// Down tells watcher, which monitored local process pid with ref (see
	// System.RemoteMonitor), that pid exited with reason.
	Down(watcher actor.PID, ref actor.Ref, pid actor.PID, reason error)
}

// foreigns holds the installed Foreign of each system: a failed PID check,
// never a local send, reads it.
var foreigns sync.Map // *System -> *foreignState

type foreignState struct {
	f     Foreign
	mu    sync.Mutex
	waits map[actor.Ref]watcher // ExitAndWait and System.Monitor on a foreign PID
}

// SetForeign installs f as the handler of foreign PIDs, or removes it
// (nil): PIDs of other systems are then refused with actor.ErrForeignPID
// again. Safe for concurrent use; install it before foreign PIDs are used.
func (s *System) SetForeign(f Foreign) {
	if f == nil {
		foreigns.Delete(s)
		return
	}
	foreigns.Store(s, &foreignState{f: f, waits: make(map[actor.Ref]watcher)})
}

func (s *System) foreignFor(pid actor.PID) *foreignState {
	if pid.IsZero() || pid.System() == s.num {
		return nil
	}
	v, ok := foreigns.Load(s)
	if !ok {
		return nil
	}
	return v.(*foreignState)
}

// Number returns the system number its PIDs carry (actor.PID.System).
func (s *System) Number() uint16 { return s.num }

// ReserveNumber takes a system number that no System created later in this
// program will use, for PIDs of processes outside it (a node's view of
// another node). Numbers are 16 bits: after 65,535 systems and reservations
// they wrap.
func ReserveNumber() uint16 {
	n := uint16(systems.Add(1))
	if n == 0 {
		n = uint16(systems.Add(1))
	}
	return n
}

// DeadLetter counts msg, for to from from, as a dead letter with reason,
// as the runtime does for a message it cannot deliver. A Foreign calls it
// for a message it refuses.
func (s *System) DeadLetter(to, from actor.PID, msg any, reason error) {
	s.deadLetter(to, from, msg, reason)
}

// RemoteSend delivers msg to local process to from foreign sender from.
// A full Backpressure mailbox is waited on until ctx ends (a nil ctx: not
// at all); any other full mailbox refuses it under its policy. On error
// the message is a dead letter.
func (s *System) RemoteSend(ctx context.Context, from, to actor.PID, msg any) error {
	err := s.push(nil, nil, from, to, msg, nil, false)
	if errors.Is(err, mailbox.ErrFull) && s.isBackpressure(to) {
		if ctx == nil {
			s.deadLetter(to, from, msg, actor.ErrMailboxFull)
			return actor.ErrMailboxFull
		}
		return s.push(ctx, nil, from, to, msg, nil, true)
	}
	return err
}

func (s *System) isBackpressure(pid actor.PID) bool {
	p, ok := s.reg.LookupCached(pid)
	return ok && p.mb.User.Policy() == mailbox.Backpressure
}

// RemoteRequest delivers msg to local process to as a Request from foreign
// sender from; reply is called once, from whichever goroutine settles it,
// with the reply or the failure (an *actor.ExitError if to exits first).
// It never waits for room. On error reply is not called and the message is
// a dead letter.
func (s *System) RemoteRequest(from, to actor.PID, msg any, reply func(any, error)) error {
	if err := s.checkPID(to); err != nil {
		s.deadLetter(to, from, msg, err)
		return err
	}
	q, ok := s.reg.Lookup(to)
	if !ok {
		s.deadLetter(to, from, msg, actor.ErrNoProcess)
		return actor.ErrNoProcess
	}
	ref := actor.NewRef()
	req := &request{ctx: context.Background(), holder: q, ref: ref}
	req.onSettle = func(v any, err error) {
		req.unwatch()
		reply(v, err)
	}
	if !q.addWatcher(ref, req) {
		s.deadLetter(to, from, msg, actor.ErrNoProcess)
		return actor.ErrNoProcess
	}
	err := s.push(nil, nil, from, to, msg, req, false)
	if err != nil {
		if errors.Is(err, mailbox.ErrFull) && s.isBackpressure(to) {
			s.deadLetter(to, from, msg, actor.ErrMailboxFull)
		}
		req.state.Store(2) // abandoned: reply is not called
		req.unwatch()
	}
	return err
}

// RemoteExit delivers exit signal reason from foreign process from to
// local process to: through their link when link is true (ignored if they
// are no longer linked), else as Erlang's exit/2 (actor.Kill kills).
func (s *System) RemoteExit(from, to actor.PID, reason error, link bool) {
	if link {
		s.signal(to, signal{kind: sigLinkExit, from: from, reason: reason})
		return
	}
	if reason == actor.Kill {
		if q, ok := s.reg.Lookup(to); ok {
			s.kill(q)
		}
		return
	}
	s.signal(to, signal{kind: sigExit, from: from, reason: reason})
}

// RemoteLink links local process local to foreign process from the local
// side; false if local is not alive (the caller then sends exit signal
// actor.NoProc back).
func (s *System) RemoteLink(local, foreign actor.PID) bool {
	q, ok := s.reg.Lookup(local)
	return ok && q.addLink(foreign)
}

// RemoteUnlink removes local's link to foreign; an exit signal through it
// already queued as an Exit message is then ignored when received.
func (s *System) RemoteUnlink(local, foreign actor.PID) {
	q, ok := s.reg.Lookup(local)
	if !ok {
		return
	}
	q.dropLink(foreign)
}

// RemoteMonitor makes foreign process watcher a monitor of local process
// target under ref (a Ref of this program, unique among target's
// monitors); its Down goes to Foreign.Down. False if target is not alive.
func (s *System) RemoteMonitor(target actor.PID, ref actor.Ref, watcher actor.PID) bool {
	q, ok := s.reg.Lookup(target)
	return ok && q.addWatcher(ref, foreignWatcher{s: s, pid: watcher})
}

// RemoteDemonitor ends monitor ref of local process target.
func (s *System) RemoteDemonitor(target actor.PID, ref actor.Ref) {
	if q, ok := s.reg.Lookup(target); ok {
		q.removeWatcher(ref)
	}
}

// RemoteDown delivers the Down of monitor ref, held by local process
// watcher on foreign process pid. A Down for a monitor no longer active is
// not delivered (see actor.Down), so a second Down for one ref never is.
func (s *System) RemoteDown(watcher actor.PID, ref actor.Ref, pid actor.PID, reason error) {
	if v, ok := foreigns.Load(s); ok {
		fs := v.(*foreignState)
		fs.mu.Lock()
		c, waiting := fs.waits[ref]
		delete(fs.waits, ref)
		fs.mu.Unlock()
		if waiting {
			c.down(ref, pid, reason)
			return
		}
	}
	if q, ok := s.reg.Lookup(watcher); ok {
		s.pushForce(q, downEnvelope(ref, pid, reason))
	}
}

// foreignWatcher is a monitor held by a process of another node.
type foreignWatcher struct {
	s   *System
	pid actor.PID
}

func (w foreignWatcher) down(ref actor.Ref, pid actor.PID, reason error) {
	if fs := w.s.foreignFor(w.pid); fs != nil {
		fs.f.Down(w.pid, ref, pid, reason)
	}
}

// foreignSignal hands a link exit from a local process to a foreign PID.
func (s *System) foreignSignal(pid actor.PID, sig signal) {
	if sig.kind != sigLinkExit {
		return
	}
	if fs := s.foreignFor(pid); fs != nil {
		fs.f.LinkExited(sig.from, pid, sig.reason)
	}
}

// foreignMonitor is System.Monitor of a foreign pid: the Foreign watches
// it for the zero PID, and its Down comes back by ref (see RemoteDown).
func (s *System) foreignMonitor(fs *foreignState, pid actor.PID) *Monitor {
	m := &Monitor{ref: actor.NewRef(), ch: make(chan actor.Down, 1)}
	m.far = func() {
		fs.mu.Lock()
		delete(fs.waits, m.ref)
		fs.mu.Unlock()
		fs.f.Demonitor(actor.PID{}, m.ref, pid)
	}
	fs.mu.Lock()
	fs.waits[m.ref] = m
	fs.mu.Unlock()
	fs.f.Monitor(actor.PID{}, m.ref, pid)
	return m
}

// foreignExitAndWait is ExitAndWait for a foreign pid: a monitor through
// the Foreign, then the exit signal.
func (s *System) foreignExitAndWait(ctx context.Context, fs *foreignState, from *process, pid actor.PID, reason error) (actor.Down, error) {
	c := make(downChan, 1)
	ref := actor.NewRef()
	fs.mu.Lock()
	fs.waits[ref] = c
	fs.mu.Unlock()
	done := func() {
		fs.mu.Lock()
		delete(fs.waits, ref)
		fs.mu.Unlock()
		fs.f.Demonitor(from.pid, ref, pid)
	}
	fs.f.Monitor(from.pid, ref, pid)
	if err := fs.f.Exit(from.pid, pid, reason); err != nil && !errors.Is(err, actor.ErrNoProcess) {
		done()
		return actor.Down{}, err
	}
	select {
	case d := <-c:
		return d, nil
	case <-from.deathContext().Done():
		done()
		return actor.Down{}, actor.ErrNotInProcess
	case <-ctx.Done():
		done()
		return actor.Down{}, ctx.Err()
	}
}

// splitNode splits "name@node" for a Foreign; ok is false without a node.
func splitNode(s string) (name, node string, ok bool) {
	i := strings.LastIndexByte(s, '@')
	if i <= 0 || i == len(s)-1 {
		return s, "", false
	}
	return s[:i], s[i+1:], true
}

// sendNamedForeign sends to "name@node" through the Foreign when the name
// is not registered here; handled is false when there is none to ask.
func (s *System) sendNamedForeign(from actor.PID, full string, msg any) (err error, handled bool) {
	name, node, ok := splitNode(full)
	if !ok {
		return nil, false
	}
	v, ok := foreigns.Load(s)
	if !ok {
		return nil, false
	}
	return v.(*foreignState).f.SendNamed(from, name, node, msg), true
}

// timerPID is checkPID for a timer's target: a foreign PID is accepted when
// a Foreign is installed, which each firing then sends through.
func (s *System) timerPID(pid actor.PID) error {
	err := s.checkPID(pid)
	if err != nil && s.foreignFor(pid) != nil {
		return nil
	}
	return err
}
