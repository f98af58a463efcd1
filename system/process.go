package system

import (
	"context"
	"errors"
	"fmt"
	"reflect"
	"runtime"
	"sync"
	"sync/atomic"
	"time"

	"github.com/airssys/rt/actor"
	"github.com/airssys/rt/internal/pidmap"
	"github.com/airssys/rt/mailbox"
)

// Process status, stored in process.status.
const (
	statusAlive   uint32 = iota
	statusExiting        // Terminate is running; the exit reason is fixed
	statusDead           // gone for everyone: registry, links, monitors
)

// envelope kinds.
const (
	kindUser uint8 = iota
	kindDown
	kindLinkExit
	kindExit
	kindParentExit // an Exit the process must stop after seeing
	kindVoid       // a link Exit queued before an Unlink: never delivered
)

// envelope is one entry of the user lane. It is kept to three words, so
// that with the queue's ready flag a slot is 32 bytes and two share a cache
// line: the consumer reads, and the producers write, half as many lines
// per message as with a five-word envelope.
//
// A user message carries its sender in from (the zero PID when sent from
// outside any process); a Request's message is wrapped in its *request.
// Messages the runtime makes (Down, trapped Exit) carry instead a mark in
// from: a PID of system 0, which no system has, whose number is the kind.
// Their sender, for Sender, is in the message itself (see dispatch).
type envelope struct {
	msg  any
	from actor.PID
}

// mark returns the from of a runtime message of kind k.
func mark(k uint8) actor.PID { return actor.NewPID(0, uint64(k)) }

func (e envelope) kind() uint8 {
	if e.from.System() != 0 {
		return kindUser
	}
	return uint8(e.from.ID()) // the zero PID is kindUser too
}

// userMsg returns the message as the actor sees it, and the Request it
// belongs to, if any.
func (e envelope) userMsg() (any, *request) {
	if r, ok := e.msg.(*request); ok {
		return r.msg, r
	}
	return e.msg, nil
}

func isSignal(env envelope) bool { return env.kind() != kindUser }

// downEnvelope is the Down a watcher receives when pid exits.
func downEnvelope(ref actor.Ref, pid actor.PID, reason error) envelope {
	return envelope{msg: actor.Down{Ref: ref, PID: pid, Reason: reason}, from: mark(kindDown)}
}

// current is what the Context reports about the message being handled.
type current struct {
	from actor.PID
	req  *request
}

// signal kinds.
const (
	sigExit     uint8 = iota // Exit(pid, reason) from another process or the system
	sigLinkExit              // a linked process exited
)

// signal travels on the control lane.
type signal struct {
	kind   uint8
	from   actor.PID
	reason error
	// parental marks a stop request from the system (Stop, Shutdown),
	// which a trapping process honours as one from its parent.
	parental bool
}

// watcher receives the Down of a monitor.
type watcher interface {
	down(ref actor.Ref, pid actor.PID, reason error)
}

// process is one actor's runtime state. Fields under "owner" are touched
// only by the goroutine holding the mailbox turn; fields under mu by anyone
// holding mu.
//
// The fields are in three groups, by who touches them on the hot paths: the
// first is read on every send; the last is written by the owner for every
// message. A process is 256 bytes, so it starts on a cache line, and the
// owner's group fills the last line alone: sharing a line with what
// senders read, of this process or of the next one in memory, would move
// that line between cores with every message (TestHotFieldsApart).
type process struct {
	// Read on every send. The run state in mb is written by the owner at
	// each look at the lanes and by senders that wake it.
	sys    *System
	pid    actor.PID
	mb     mailbox.Mailbox[envelope, signal]
	status atomic.Uint32

	// Neither: written at spawn or on rare paths.
	trap       atomic.Bool
	throughput int32
	parent     actor.PID
	name       string
	actor      actor.Actor
	mu         sync.Mutex
	reason     error    // fixed when status leaves alive; under mu
	ext        *procExt // under mu
	initCh     chan error
	needInit   bool // owner
	// While the owner finalizes, the first linked or monitoring process it
	// wakes is handed to this goroutine to run next, instead of waking
	// another worker: an exit chain then costs no goroutine switch. Owner.
	handoff *process

	// owner, written for every message; the last cache line.
	cur     current
	replied bool
	stop    error // Stop or an untrapped exit signal: exit after this handler
	_       [24]byte
}

// procExt holds what most processes never need, so that an idle process
// stays small. Guarded by process.mu.
type procExt struct {
	links    pidmap.Map[struct{}]
	watchers map[actor.Ref]watcher   // who monitors this process
	monitors map[actor.Ref]actor.PID // whom this process monitors
	ctx      context.Context
	cancel   context.CancelFunc
}

func (p *process) extLocked() *procExt {
	if p.ext == nil {
		p.ext = new(procExt)
	}
	return p.ext
}

func (s *System) spawn(parent *process, a actor.Actor, link bool, opts []actor.Option) (actor.PID, error) {
	if a == nil {
		return actor.PID{}, actor.ErrNilActor
	}
	if f, ok := a.(actor.Func); ok && f == nil {
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
	if link {
		// The child has not run yet, so the link exists before it can fail.
		p.ext = new(procExt)
		p.ext.links.Put(parent.pid, struct{}{})
	}
	if err := s.reg.Add(p.pid, p); err != nil {
		return actor.PID{}, err
	}
	if cfg.Name != "" {
		if err := s.reg.Register(cfg.Name, p.pid); err != nil {
			s.reg.Remove(p.pid)
			return actor.PID{}, err
		}
	}
	s.live.Add(1)
	if link {
		if !parent.addLink(p.pid) {
			p.mb.Control.Push(signal{kind: sigLinkExit, from: parent.pid, reason: parent.exitReason()})
		}
	}
	if hasInit || !p.mb.Control.Empty() {
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

// startTurn is the one place where the runtime starts a goroutine. A turn
// goes to a parked worker if one is idle, or to a new worker otherwise;
// workers park between turns (up to maxIdleWorkers of them) so that a busy
// system neither creates a goroutine nor grows a fresh stack per turn.
func (s *System) startTurn(p *process) {
	s.turnStarted()
	s.poolMu.Lock()
	if n := len(s.idleWorkers); n > 0 {
		ch := s.idleWorkers[n-1]
		s.idleWorkers = s.idleWorkers[:n-1]
		s.poolMu.Unlock()
		ch <- p
		return
	}
	s.poolMu.Unlock()
	s.turns.Add(1)
	go s.work(p)
}

// work runs turns until the pool has enough idle workers or is closed.
func (s *System) work(p *process) {
	defer s.turns.Done()
	ch := make(chan *process, 1)
	for p != nil {
		next := p.turn()
		s.turnDone()
		if next != nil {
			p = next
			continue
		}
		s.poolMu.Lock()
		if s.poolClosed || len(s.idleWorkers) >= s.maxIdle {
			s.poolMu.Unlock()
			return
		}
		s.idleWorkers = append(s.idleWorkers, ch)
		s.poolMu.Unlock()
		p = <-ch
	}
}

// closePool makes every parked worker exit; later turns run on workers
// that exit when their turn ends.
func (s *System) closePool() {
	s.poolMu.Lock()
	s.poolClosed = true
	for _, ch := range s.idleWorkers {
		ch <- nil
	}
	s.idleWorkers = nil
	s.poolMu.Unlock()
}

// turnsUnderWay counts the turns started and not yet done in every System
// of the program, for the fairness yield (see process.turn).
var turnsUnderWay atomic.Int64

func (s *System) turnStarted() {
	s.running.Add(1)
	turnsUnderWay.Add(1)
}

func (s *System) turnDone() {
	turnsUnderWay.Add(-1)
	if s.running.Add(-1) == 0 && s.stopping.Load() {
		select {
		case s.idle <- struct{}{}:
		default:
		}
	}
}

// lingerYields is how many times an idle turn yields before it ends.
const lingerYields = 2

// turn is a process's goroutine: it runs while the mailbox has work and
// ends when it is empty (the process then holds no goroutine) or dead.
func (p *process) turn() (next *process) {
	if p.needInit {
		p.mb.State.Begin()
		if !p.runInit() {
			return p.takeHandoff()
		}
	}
	for {
		if !p.mb.State.Begin() {
			return nil
		}
		if p.status.Load() == statusDead {
			p.drain()
			return nil
		}
		n, limit := int32(0), p.throughput
		if p.sys.stopping.Load() {
			limit = 1 // while the system stops, let signals and Shutdown through
		}
		for n < limit {
			if !p.mb.Control.Empty() {
				p.handleSignals()
			}
			if p.stop != nil || p.status.Load() != statusAlive {
				break
			}
			env, ok := p.mb.User.Pop()
			if !ok {
				break
			}
			p.dispatch(env)
			n++
			if p.stop != nil || p.status.Load() != statusAlive {
				break
			}
		}
		if p.stop != nil || p.status.Load() != statusAlive {
			p.exit(p.stop, true)
			return p.takeHandoff()
		}
		if n == limit {
			// Fairness: after its throughput a turn gives its processor
			// to the other processes' turns (of any System), if more of
			// them are under way than there are processors; otherwise
			// none of them is waiting for it, and the yield would only
			// slow this one (and let the goroutines feeding it fill its
			// mailbox). GOMAXPROCS is read only when another turn is
			// under way, and then costs about what the yield does.
			if t := turnsUnderWay.Load(); t > 1 && t > int64(runtime.GOMAXPROCS(0)) {
				runtime.Gosched()
			}
			continue
		}
		// Out of work: linger a moment before giving the goroutine back, so
		// that a reply on its way (request/response, ping-pong) finds this
		// turn still running instead of starting another.
		for i := 0; i < lingerYields && p.mb.User.Len() == 0 && p.mb.Control.Empty(); i++ {
			runtime.Gosched()
		}
		if p.mb.Release() {
			return nil
		}
		if n == 0 && p.mb.State.Load() == mailbox.Running {
			// Nothing to take and nothing new, and yet the turn may not
			// end: a message is being written, and its producer may have
			// left it to this turn (see mailbox.Mailbox.Release). Let the
			// producer finish.
			runtime.Gosched()
		}
	}
}

func (p *process) takeHandoff() *process {
	q := p.handoff
	p.handoff = nil
	return q
}

// wake starts a turn for q, which has work; from an owner's exit the turn is
// handed to the exiting goroutine instead (see process.handoff).
func (s *System) wake(via, q *process) {
	if !q.mb.State.Notify() {
		return
	}
	if via != nil && via.handoff == nil {
		s.turnStarted()
		via.handoff = q
		return
	}
	s.startTurn(q)
}

// runInit runs Init on the first turn. It reports whether the process lives.
func (p *process) runInit() bool {
	p.needInit = false
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
	p.exit(err, false)
	p.initCh <- err
	return false
}

func (p *process) callInit() (err error) {
	defer func() {
		if v := recover(); v != nil {
			err = actor.NewPanicError(p.pid, v)
		}
	}()
	return p.actor.(actor.Initializer).Init(p)
}

// dispatch hands one user-lane envelope to the actor.
func (p *process) dispatch(env envelope) {
	msg, kind := env.msg, env.kind()
	var cur current
	switch kind {
	case kindUser:
		msg, cur.req = env.userMsg()
		cur.from = env.from
	case kindDown:
		d := msg.(actor.Down)
		if _, active := p.dropMonitor(d.Ref); !active {
			return // demonitored: no Down after Demonitor
		}
		cur.from = d.PID
	case kindVoid:
		return // unlinked after this Exit was queued
	default: // a trapped Exit
		cur.from = msg.(actor.Exit).From
	}
	p.cur, p.replied = cur, false
	defer p.recoverHandler()
	p.actor.Receive(p, msg)
	p.cur = current{}
	if kind == kindParentExit && p.stop == nil {
		// As OTP's behaviours do: an exit signal from the parent ends a
		// trapping process once it has seen it, with the parent's reason.
		// System.Stop and Shutdown stand parent to every process.
		p.stop = msg.(actor.Exit).Reason
	}
}

func (p *process) recoverHandler() {
	if v := recover(); v != nil {
		p.cur = current{}
		p.stop = actor.NewPanicError(p.pid, v)
	}
}

// handleSignals serves the control lane. Owner only.
func (p *process) handleSignals() {
	b := p.mb.Control.Take()
	for sig, ok := b.Next(); ok; sig, ok = b.Next() {
		if p.status.Load() != statusAlive || p.stop != nil {
			continue // the first exit signal that ends a process fixes its reason
		}
		if sig.kind == sigLinkExit && !p.dropLink(sig.from) {
			continue // unlinked meanwhile
		}
		if p.trap.Load() {
			kind := kindExit
			if sig.parental || (!sig.from.IsZero() && sig.from == p.parent) {
				kind = kindParentExit
			} else if sig.kind == sigLinkExit {
				kind = kindLinkExit
			}
			// Never refused: the user lane is only closed once dead.
			_ = p.mb.User.PushForce(envelope{msg: actor.Exit{From: sig.from, Reason: sig.reason}, from: mark(kind)})
			continue
		}
		if errors.Is(sig.reason, actor.Normal) && !(sig.kind == sigExit && sig.from == p.pid) {
			continue
		}
		p.stop = sig.reason
	}
}

// exit ends the process from its own goroutine: Terminate (unless Init
// failed), then finalize and drain. reason nil means Normal.
func (p *process) exit(reason error, terminate bool) {
	if reason == nil {
		reason = actor.Normal
	}
	p.mu.Lock()
	if p.status.Load() != statusAlive {
		p.mu.Unlock()
		p.drain() // killed meanwhile
		return
	}
	p.status.Store(statusExiting)
	p.reason = reason
	p.mu.Unlock()
	if t, ok := p.actor.(actor.Terminator); ok && terminate {
		if err := p.callTerminate(t, reason); err != nil {
			reason = err
		}
	}
	p.finalize(reason, true)
	p.drain()
}

func (p *process) callTerminate(t actor.Terminator, reason error) (err error) {
	defer func() {
		if v := recover(); v != nil {
			err = actor.NewPanicError(p.pid, v)
		}
	}()
	p.cur = current{}
	t.Terminate(p, reason)
	return nil
}

// finalize makes the process dead for everyone: it leaves the registry, its
// context is cancelled, its links get exit signals and its monitors Down.
// Any goroutine may call it; only the first call acts. owner says the caller
// holds p's turn, which may then run one woken peer next.
func (p *process) finalize(reason error, owner bool) bool {
	p.mu.Lock()
	if p.status.Load() == statusDead {
		p.mu.Unlock()
		return false
	}
	// Close first: a turn that sees the status dead drains a lane no
	// producer can push to any more, so nothing is stranded.
	p.mb.User.Close()
	p.status.Store(statusDead)
	p.reason = reason
	ext := p.ext
	p.ext = nil
	p.mu.Unlock()

	s := p.sys
	var via *process
	if owner {
		via = p
	}
	s.reg.Remove(p.pid)
	s.uncache(p)
	// Counted out before anyone is told, so that whoever sees the exit (a
	// Down, an Exit, a Spawn that failed) also sees Processes() without it.
	s.live.Add(-1)
	if ext != nil {
		if ext.cancel != nil {
			ext.cancel()
		}
		for pid := range ext.links.All() {
			s.signalVia(via, pid, signal{kind: sigLinkExit, from: p.pid, reason: reason})
		}
		for ref, w := range ext.watchers {
			if q, ok := w.(*process); ok {
				s.pushForceVia(via, q, downEnvelope(ref, p.pid, reason))
				continue
			}
			w.down(ref, p.pid, reason)
		}
		for ref, pid := range ext.monitors {
			if q, ok := s.reg.Lookup(pid); ok {
				q.removeWatcher(ref)
			}
		}
	}
	s.logExit(p, reason)
	if s.hasSubscribers() {
		s.Publish(actor.ProcessExited{PID: p.pid, Name: p.name, Reason: reason})
	}
	return true
}

func (s *System) logExit(p *process, reason error) {
	if actor.IsClean(reason) {
		if s.debug {
			s.logger.Debug().Stringer("pid", p.pid).Str("name", p.name).AnErr("reason", reason).Msg("process exited")
		}
		return
	}
	ev := s.logger.Error()
	if ev == nil {
		return // logging disabled: no work at all
	}
	ev = ev.Stringer("pid", p.pid).Str("name", p.name).AnErr("reason", reason)
	var pe *actor.PanicError
	if errors.As(reason, &pe) {
		ev = ev.Bytes("stack", pe.Stack)
	}
	ev.Msg("process crashed")
}

// drain, run by the owner of the turn once the process is dead, sends the
// queued messages to the dead letters and retires the mailbox.
func (p *process) drain() {
	s := p.sys
	p.mb.User.Drain(func(env envelope) {
		if env.kind() == kindUser {
			msg, _ := env.userMsg()
			s.deadLetter(p.pid, env.from, msg, actor.ErrNoProcess)
		}
	})
	p.mb.Control.Take()
	p.mb.State.Kill()
	s.zombies.Delete(p)
}

// kill ends p at once with reason Killed, whatever it is doing.
func (s *System) kill(p *process) {
	running := p.mb.State.Load()
	if !p.finalize(actor.Killed, false) {
		return
	}
	if running == mailbox.Running || running == mailbox.Notified {
		s.zombies.Store(p, struct{}{})
	}
	// Whoever owns the turn drains; an idle process gets a turn to do it.
	if p.mb.State.Notify() {
		s.startTurn(p)
	}
}

func (p *process) exitReason() error {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.reason == nil {
		return actor.NoProc
	}
	return p.reason
}

// signal puts sig on pid's control lane; a dead or unknown pid ignores it.
func (s *System) signal(pid actor.PID, sig signal) { s.signalVia(nil, pid, sig) }

func (s *System) signalVia(via *process, pid actor.PID, sig signal) {
	q, ok := s.reg.Lookup(pid)
	if !ok || q.status.Load() == statusDead {
		return
	}
	q.mb.Control.Push(sig)
	s.wake(via, q)
}

// deliver puts a user message in pid's mailbox. A nil ctx means: no
// deadline, except that a process waiting for room stops waiting if it is
// killed.
func (s *System) deliver(ctx context.Context, from *process, pid actor.PID, msg any, req *request) error {
	var fromPID actor.PID
	if from != nil {
		fromPID = from.pid
	}
	if err := s.checkPID(pid); err != nil {
		s.deadLetter(pid, fromPID, msg, err)
		return err
	}
	p, ok := s.lookupSend(pid)
	if !ok {
		s.deadLetter(pid, fromPID, msg, actor.ErrNoProcess)
		return actor.ErrNoProcess
	}
	env := envelope{msg: msg, from: fromPID}
	if req != nil {
		req.msg = msg
		env.msg = req
	}
	var err error
	if from == p && p.mb.User.Policy() == mailbox.Backpressure {
		// A process waiting for room in its own mailbox would wait forever.
		err = p.mb.User.TryPush(env)
	} else {
		if ctx == nil && from != nil && p.mb.User.Policy() == mailbox.Backpressure &&
			p.mb.User.Len() >= p.mb.User.Cap() {
			ctx = from.Context()
		}
		var old envelope
		var dropped bool
		old, dropped, err = p.mb.User.Push(ctx, env)
		if dropped {
			msg, req := old.userMsg()
			s.deadLetter(pid, old.from, msg, actor.ErrDroppedOldest)
			if req != nil {
				req.fail(actor.ErrMailboxFull)
			}
		}
	}
	if err != nil {
		if errors.Is(err, mailbox.ErrClosed) {
			err = actor.ErrNoProcess
		}
		s.deadLetter(pid, fromPID, msg, err)
		return err
	}
	if p.mb.State.Notify() {
		s.startTurn(p)
	}
	return nil
}

// pushForce puts a runtime message (Down) in p's user lane, past the bound.
func (s *System) pushForce(p *process, env envelope) { s.pushForceVia(nil, p, env) }

func (s *System) pushForceVia(via, p *process, env envelope) {
	if p.mb.User.PushForce(env) != nil {
		return // p is dead: a Down for a dead watcher goes nowhere
	}
	s.wake(via, p)
}

func (p *process) down(ref actor.Ref, pid actor.PID, reason error) {
	p.sys.pushForce(p, downEnvelope(ref, pid, reason))
}

func typeName(v any) string {
	if v == nil {
		return "nil"
	}
	return reflect.TypeOf(v).String()
}
