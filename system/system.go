package system

import (
	"context"
	"fmt"
	"sync"
	"sync/atomic"
	"time"

	"github.com/google/uuid"
	"github.com/puzpuzpuz/xsync/v3"
	"github.com/rs/zerolog"

	"github.com/airssys/rt/actor"
	"github.com/airssys/rt/registry"
)

var systems atomic.Uint32

// System owns a set of processes: their PID table and names, their
// goroutines, their dead letters and event stream. Create one with New and
// end it with Shutdown. All methods are safe for concurrent use.
type System struct {
	// Read on every send and turn, written rarely: kept apart from the
	// counters below so that their writes do not evict this cache line.
	reg      *registry.Registry[process, *process]
	num      uint16
	debug    bool
	stopping atomic.Bool
	stopped  atomic.Bool
	subs     atomic.Pointer[[]*Subscription]
	id       uuid.UUID
	logger   zerolog.Logger
	clock    func() time.Time
	zombies  *xsync.MapOf[*process, struct{}] // killed while a handler ran
	m        *metrics                         // nil unless WithMetrics

	_ [64]byte

	crashed atomic.Uint64  // messages whose handler crashed
	nextID  *atomic.Uint64 // shared by every system with this num
	live    atomic.Int64

	workers workers // every goroutine the runtime starts
	timers  timers  // pending SendAfter messages

	shutMu   sync.Mutex
	shutDone chan struct{} // made by the first Shutdown, closed when it returns
	shutErr  error         // written before shutDone is closed

	deadBy deadLetterCounts // dead letters by reason
	subsMu sync.Mutex

	inspect inspection // see inspect.go; touched only by Inspect and Snapshot
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
		nextID:  processNumbers(n),
		clock:   c.clock,
		reg:     registry.New[process](),
		zombies: xsync.NewMapOf[*process, struct{}](),
	}
	if c.sampleEvery > 0 {
		s.m = newMetrics(c.sampleEvery)
	}
	s.workers.init()
	s.logger = c.logger.With().Str("system", s.id.String()).Logger()
	s.debug = c.logger.GetLevel() <= zerolog.DebugLevel && zerolog.GlobalLevel() <= zerolog.DebugLevel
	return s
}

// numbered holds, for each system number in use, the counter its
// processes are numbered from. The number is 16 bits and wraps after
// 65,535 systems; systems that share a number share the counter, so a PID
// of an earlier system never names a process of a later one (it is
// refused as ErrNoProcess, as a PID of an exited process is).
var numbered struct {
	sync.Mutex
	counters map[uint16]*atomic.Uint64
}

func processNumbers(n uint16) *atomic.Uint64 {
	numbered.Lock()
	defer numbered.Unlock()
	c := numbered.counters[n]
	if c == nil {
		if numbered.counters == nil {
			numbered.counters = make(map[uint16]*atomic.Uint64)
		}
		c = new(atomic.Uint64)
		numbered.counters[n] = c
	}
	return c
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
// ends, the message goes to the dead letters and ctx.Err() is returned. A
// nil ctx is refused with actor.ErrNilContext (the message is a dead letter).
func (s *System) SendContext(ctx context.Context, pid actor.PID, msg any) error {
	if ctx == nil {
		s.deadLetter(pid, actor.PID{}, msg, actor.ErrNilContext)
		return actor.ErrNilContext
	}
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
		if err, handled := s.sendNamedForeign(actor.PID{}, name, msg); handled {
			return err
		}
		s.deadLetter(actor.PID{}, actor.PID{}, msg, actor.ErrNoProcess)
		return fmt.Errorf("send to %q: %w", name, actor.ErrNoProcess)
	}
	return s.Send(pid, msg)
}

// Request sends msg to pid and waits for its reply (see actor.Context's
// Request): ctx.Err() when ctx ends first, an *actor.ExitError carrying the
// target's exit reason if it exits before replying, actor.ErrNoProcess if it
// does not exist, actor.ErrStopped once Shutdown has begun. A nil ctx is
// refused with actor.ErrNilContext before anything is sent. Inside an actor
// use Context.Request, which refuses a request to the process itself
// (actor.ErrRequestSelf); System.Request does not look for its caller, so a
// process's own System.Request to itself waits until ctx ends.
func (s *System) Request(ctx context.Context, pid actor.PID, msg any) (any, error) {
	if s.stopping.Load() {
		s.deadLetter(pid, actor.PID{}, msg, actor.ErrStopped)
		return nil, actor.ErrStopped
	}
	return s.request(ctx, nil, pid, msg)
}

// Stop sends exit signal actor.Shutdown to pid and waits until it has
// exited. A process that traps exits receives it as an Exit from the zero
// PID and then stops, as from its parent. It returns ctx.Err() if ctx ends
// first (the process may still be stopping), actor.ErrNoProcess if it was
// not alive, actor.ErrNilContext for a nil ctx (nothing is sent), and
// actor.ErrWaitOnSelf when called from a callback of pid itself, which
// would wait for its own exit (a process stops itself with Context.Stop).
func (s *System) Stop(ctx context.Context, pid actor.PID) error {
	if ctx == nil {
		return actor.ErrNilContext
	}
	if err := s.checkPID(pid); err != nil {
		return err
	}
	p, ok := s.reg.Lookup(pid)
	if !ok {
		return actor.ErrNoProcess
	}
	if s.inOwnTurn(p) {
		return actor.ErrWaitOnSelf
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
	p, ok := s.reg.LookupCached(pid)
	return ok && p.status.Load() != statusDead
}

// Processes returns the number of live processes.
func (s *System) Processes() int { return int(s.live.Load()) }

// CrashedMessages returns how many messages reached Receive and were lost
// because their handler crashed (panicked or called runtime.Goexit). As in
// Erlang, such a message is not retried; the crash's *actor.PanicError
// names its type.
func (s *System) CrashedMessages() uint64 { return s.crashed.Load() }

// DeadLetters returns how many messages could not be delivered so far.
func (s *System) DeadLetters() uint64 {
	_, n := s.deadBy.load()
	return n
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
