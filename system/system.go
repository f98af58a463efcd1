package system

import (
	"context"
	"fmt"
	"runtime"
	"slices"
	"sync"
	"sync/atomic"
	"time"

	"github.com/google/uuid"
	"github.com/puzpuzpuz/xsync/v3"
	"github.com/rs/zerolog"

	"github.com/airssys/rt/actor"
	"github.com/airssys/rt/mailbox"
	"github.com/airssys/rt/registry"
)

var systems atomic.Uint32

// System owns a set of processes: their PID table and names, their
// goroutines, their dead letters and event stream. Create one with New and
// end it with Shutdown. All methods are safe for concurrent use.
type System struct {
	// Read on every send and turn, written rarely: kept apart from the
	// counters below so that their writes do not evict this cache line.
	reg      *registry.Registry[*process]
	num      uint16
	debug    bool
	stopping atomic.Bool
	stopped  atomic.Bool
	subs     atomic.Pointer[[]*Subscription]
	id       uuid.UUID
	logger   zerolog.Logger
	clock    func() time.Time
	timers   *xsync.MapOf[*timerEntry, struct{}]
	zombies  *xsync.MapOf[*process, struct{}] // killed while a handler ran
	idle     chan struct{}
	maxIdle  int

	_ [64]byte

	// sendCache sits in front of reg for sends (see lookupSend).
	sendCache [sendCacheSize]atomic.Pointer[process]

	_ [64]byte

	nextID atomic.Uint64
	live   atomic.Int64

	// Goroutine owner: every goroutine the runtime starts is counted in
	// turns; running counts turns in progress; idle workers park in the
	// pool between turns.
	turns       sync.WaitGroup
	poolMu      sync.Mutex
	idleWorkers []chan *process
	poolClosed  bool
	running     atomic.Int64

	shutMu  sync.Mutex
	shutErr error

	deadLetters atomic.Uint64
	subsMu      sync.Mutex
}

// New returns a running system. It is silent unless given WithLogger.
func New(opts ...Option) *System {
	c := defaultConfig()
	for _, o := range opts {
		if o != nil {
			o.apply(&c)
		}
	}
	n := uint16(systems.Add(1))
	if n == 0 {
		n = uint16(systems.Add(1))
	}
	s := &System{
		id:      uuid.New(),
		num:     n,
		clock:   c.clock,
		reg:     registry.New[*process](),
		idle:    make(chan struct{}, 1),
		maxIdle: 4 * runtime.GOMAXPROCS(0),
		timers:  xsync.NewMapOf[*timerEntry, struct{}](),
		zombies: xsync.NewMapOf[*process, struct{}](),
	}
	s.logger = c.logger.With().Str("system", s.id.String()).Logger()
	s.debug = c.logger.GetLevel() <= zerolog.DebugLevel && zerolog.GlobalLevel() <= zerolog.DebugLevel
	return s
}

// ID returns the system's unique identity.
func (s *System) ID() uuid.UUID { return s.id }

// Spawn starts a top-level process running a, configured by opts. If a
// implements actor.Initializer, Spawn returns once Init has returned: with
// Init's error (the process has then exited with it), a *actor.PanicError,
// or actor.ErrInitTimeout after the init timeout (the process is killed).
// Errors: actor.ErrNilActor, actor.ErrInvalidOption, actor.ErrNameTaken,
// actor.ErrStopped once Shutdown has begun.
func (s *System) Spawn(a actor.Actor, opts ...actor.Option) (actor.PID, error) {
	return s.spawn(nil, a, false, opts)
}

// SpawnProps starts a top-level process from Props (see Spawn).
func (s *System) SpawnProps(p actor.Props) (actor.PID, error) {
	a, err := p.Build()
	if err != nil {
		return actor.PID{}, err
	}
	return s.spawn(nil, a, false, p.Options)
}

// Send delivers msg to pid from outside any process. Under a Backpressure
// mailbox it waits for room for as long as the target lives; use
// SendContext to bound the wait. Errors: actor.ErrZeroPID,
// actor.ErrForeignPID, actor.ErrNoProcess, actor.ErrMailboxFull (DropNewest),
// actor.ErrStopped once Shutdown has begun. A message that is not delivered
// goes to the dead letters. Messages sent by one goroutine to one process
// arrive in order.
func (s *System) Send(pid actor.PID, msg any) error {
	return s.SendContext(context.Background(), pid, msg)
}

// SendContext is Send with a context bounding a Backpressure wait; when it
// ends, the message goes to the dead letters and ctx.Err() is returned.
func (s *System) SendContext(ctx context.Context, pid actor.PID, msg any) error {
	if s.stopping.Load() {
		s.deadLetter(pid, actor.PID{}, msg, actor.ErrStopped)
		return actor.ErrStopped
	}
	return s.deliver(ctx, nil, pid, msg, nil)
}

// SendNamed sends msg to the process registered under name.
func (s *System) SendNamed(name string, msg any) error {
	if s.stopping.Load() {
		s.deadLetter(actor.PID{}, actor.PID{}, msg, actor.ErrStopped)
		return actor.ErrStopped
	}
	pid, ok := s.reg.Whereis(name)
	if !ok {
		s.deadLetter(actor.PID{}, actor.PID{}, msg, actor.ErrNoProcess)
		return fmt.Errorf("send to %q: %w", name, actor.ErrNoProcess)
	}
	return s.Send(pid, msg)
}

// Request sends msg to pid and waits for its reply (see actor.Context's
// Request): ctx.Err() when ctx ends first, an *actor.ExitError carrying the
// target's exit reason if it exits before replying, actor.ErrNoProcess if it
// does not exist, actor.ErrStopped once Shutdown has begun.
func (s *System) Request(ctx context.Context, pid actor.PID, msg any) (any, error) {
	if s.stopping.Load() {
		s.deadLetter(pid, actor.PID{}, msg, actor.ErrStopped)
		return nil, actor.ErrStopped
	}
	return s.request(ctx, nil, pid, msg)
}

// Stop sends exit signal actor.Shutdown to pid and waits until it has
// exited. A process that traps exits receives it as an Exit from the zero
// PID and then stops, as from its parent. It returns ctx.Err() if ctx ends first (the process may still be
// stopping), actor.ErrNoProcess if it was not alive.
func (s *System) Stop(ctx context.Context, pid actor.PID) error {
	if err := s.checkPID(pid); err != nil {
		return err
	}
	p, ok := s.reg.Lookup(pid)
	if !ok {
		return actor.ErrNoProcess
	}
	_, err := s.exitAndWait(ctx, nil, p, actor.Shutdown)
	return err
}

// Kill ends pid at once with reason actor.Killed, as Exit(pid, Kill).
func (s *System) Kill(pid actor.PID) error {
	if err := s.checkPID(pid); err != nil {
		return err
	}
	p, ok := s.reg.Lookup(pid)
	if !ok {
		return actor.ErrNoProcess
	}
	s.kill(p)
	return nil
}

// Exit sends exit signal reason to pid from the system (From is the zero
// PID), with Erlang's rules: see actor.Context's Exit.
func (s *System) Exit(pid actor.PID, reason error) error {
	return s.exit(nil, pid, reason)
}

// Register registers name for pid (actor.ErrNameTaken if taken by another
// process, actor.ErrNoProcess if pid is not alive).
func (s *System) Register(name string, pid actor.PID) error {
	if err := s.checkPID(pid); err != nil {
		return err
	}
	return s.reg.Register(name, pid)
}

// Unregister releases name (actor.ErrNotRegistered if it is not
// registered).
func (s *System) Unregister(name string) error { return s.reg.Unregister(name) }

// Whereis returns the process registered under name.
func (s *System) Whereis(name string) (actor.PID, bool) { return s.reg.Whereis(name) }

// Alive reports whether pid names a live process of this system.
func (s *System) Alive(pid actor.PID) bool {
	p, ok := s.reg.Lookup(pid)
	return ok && p.status.Load() != statusDead
}

// Processes returns the number of live processes.
func (s *System) Processes() int { return int(s.live.Load()) }

// DeadLetters returns how many messages could not be delivered so far.
func (s *System) DeadLetters() uint64 { return s.deadLetters.Load() }

// Shutdown stops every process and waits for them, like
// http.Server.Shutdown: it first refuses new work (Spawn, Send and Request
// return actor.ErrStopped), then sends exit signal actor.Shutdown to the
// top-level processes in reverse spawn order, waiting for each to exit, then
// does the same for any process left. If ctx ends first, every remaining
// process is killed and a *ShutdownError lists those whose handler is still
// running (their goroutines are the only ones that outlive Shutdown).
// Shutdown is idempotent: later calls return the first call's result.
func (s *System) Shutdown(ctx context.Context) error {
	s.shutMu.Lock()
	defer s.shutMu.Unlock()
	if s.stopped.Load() {
		return s.shutErr
	}
	s.stopping.Store(true)
	err := s.stopAll(ctx)
	s.timers.Range(func(e *timerEntry, _ struct{}) bool {
		if _, ok := s.timers.LoadAndDelete(e); ok {
			if t := e.t.Load(); t != nil {
				t.Stop()
			}
			s.turns.Done()
		}
		return true
	})
	if err == nil {
		err = s.waitTurns(ctx)
	}
	s.closePool()
	if err == nil {
		s.turns.Wait() // workers and timers end at once now
	}
	if err != nil {
		var procs []*process
		s.reg.Range(func(_ actor.PID, p *process) bool { procs = append(procs, p); return true })
		s.zombies.Range(func(p *process, _ struct{}) bool { procs = append(procs, p); return true })
		var stuck []ProcessInfo
		for _, p := range procs {
			s.kill(p)
			if st := p.mb.State.Load(); st == mailbox.Running || st == mailbox.Notified {
				stuck = append(stuck, ProcessInfo{PID: p.pid, Name: p.name})
			}
		}
		slices.SortFunc(stuck, func(a, b ProcessInfo) int { return int(a.PID.ID()) - int(b.PID.ID()) })
		stuck = slices.CompactFunc(stuck, func(a, b ProcessInfo) bool { return a.PID == b.PID })
		err = &ShutdownError{Stuck: stuck, Err: err}
		s.logger.Error().Err(err).Msg("shutdown incomplete")
	}
	s.shutErr = err
	s.stopped.Store(true)
	return err
}

// stopAll stops the top-level processes in reverse spawn order, then every
// process left the same way. A process whose stopping can be observed (it
// traps exits or has a Terminate callback) is stopped alone and waited for
// before the next one is signalled; a run of plain processes between two
// such is signalled together and waited for together, so ten thousand busy
// actors stop in one scheduling round rather than one round each.
func (s *System) stopAll(ctx context.Context) error {
	for round := 0; ; round++ {
		var procs []*process
		s.reg.Range(func(_ actor.PID, p *process) bool {
			if round > 0 || p.parent.IsZero() {
				procs = append(procs, p)
			}
			return true
		})
		if len(procs) == 0 && round > 0 {
			return nil
		}
		slices.SortFunc(procs, func(a, b *process) int {
			if a.pid.ID() > b.pid.ID() {
				return -1
			}
			return 1
		})
		var batch []*process
		for _, p := range procs {
			if !p.orderedStop() {
				batch = append(batch, p)
				continue
			}
			if err := s.stopBatch(ctx, batch); err != nil {
				return err
			}
			batch = batch[:0]
			if err := s.stopBatch(ctx, []*process{p}); err != nil {
				return err
			}
		}
		if err := s.stopBatch(ctx, batch); err != nil {
			return err
		}
	}
}

// orderedStop reports whether p's stopping is observable beyond its exit.
func (p *process) orderedStop() bool {
	if p.trap.Load() {
		return true
	}
	_, ok := p.actor.(actor.Terminator)
	return ok
}

// countdown is a watcher that closes done when n Downs have arrived.
type countdown struct {
	n    atomic.Int64
	done chan struct{}
}

func (c *countdown) down(actor.Ref, actor.PID, error) {
	if c.n.Add(-1) == 0 {
		close(c.done)
	}
}

// stopBatch sends exit signal Shutdown to every process of procs, in order,
// and waits until all have exited.
func (s *System) stopBatch(ctx context.Context, procs []*process) error {
	if len(procs) == 0 {
		return nil
	}
	c := &countdown{done: make(chan struct{})}
	c.n.Store(int64(len(procs)) + 1)
	refs := make([]actor.Ref, len(procs))
	for i, p := range procs {
		refs[i] = actor.NewRef()
		if !p.addWatcher(refs[i], c) {
			c.down(refs[i], p.pid, nil)
			continue
		}
		s.stop(p, actor.Shutdown)
	}
	c.down(actor.Ref{}, actor.PID{}, nil)
	select {
	case <-c.done:
		return nil
	case <-ctx.Done():
		for i, p := range procs {
			p.removeWatcher(refs[i])
		}
		return ctx.Err()
	}
}

// waitTurns waits until no goroutine of the system runs.
func (s *System) waitTurns(ctx context.Context) error {
	for s.running.Load() > 0 {
		select {
		case <-s.idle:
		case <-ctx.Done():
			return ctx.Err()
		}
	}
	return nil
}

func (s *System) checkPID(pid actor.PID) error {
	if pid.IsZero() {
		return actor.ErrZeroPID
	}
	if pid.System() != s.num {
		return fmt.Errorf("%w: %v", actor.ErrForeignPID, pid)
	}
	return nil
}

// sendCacheSize is the number of entries of System.sendCache.
const sendCacheSize = 1024

// lookupSend finds the process a message for pid goes to. A direct-mapped
// cache in front of the registry answers a send to a recently seen process
// with one load. It may return a process that has just died, which is as
// good as not finding it: a process's mailbox is closed before it leaves
// the registry, so the push fails and the sender gets ErrNoProcess exactly
// as from a registry miss. No entry outlives its process: finalize empties
// it, and a lookup that fills it for a process dying meanwhile empties it
// again, so the cache keeps no dead process (and its actor) alive.
func (s *System) lookupSend(pid actor.PID) (*process, bool) {
	e := &s.sendCache[pid.ID()%sendCacheSize]
	if p := e.Load(); p != nil && p.pid == pid {
		return p, true
	}
	p, ok := s.reg.Lookup(pid)
	if ok {
		e.Store(p)
		// p may have died since the lookup, and finalize emptied the entry
		// before this store: take it out again. finalize marks a process
		// dead before it empties the entry, so one of the two sees the other.
		if p.status.Load() == statusDead {
			e.CompareAndSwap(p, nil)
		}
	}
	return p, ok
}

// uncache empties p's sendCache entry, if it holds p.
func (s *System) uncache(p *process) {
	s.sendCache[p.pid.ID()%sendCacheSize].CompareAndSwap(p, nil)
}
