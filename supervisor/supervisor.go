package supervisor

import (
	"fmt"
	"slices"
	"sync"

	"github.com/rs/zerolog"

	"github.com/airssys/rt/actor"
	"github.com/airssys/rt/internal/pidmap"
)

// sup is the supervisor actor.
type sup struct {
	spec  Spec
	specs []Child
	up    *ancestor // set by a parent supervisor before it spawns this one

	// Process state, reset by Init.
	cfg      config
	self     actor.PID
	log      zerolog.Logger
	template Child // SimpleOneForOne
	byPID    pidmap.Map[*child]
	byID     map[string]*child
	head     *child
	tail     *child
	n        int // children in the list
	active   int // children running
	sigLive  int // significant children running or restarting
	tokens   uint64
	hist     history
	bo       backoffState
	breakers map[string]*breaker // the shared ones, by Child.Breaker
	orphans  []actor.PID         // stand-ins of children no longer behind a breaker
	brkDirty bool                // a breaker changed: the view's breaker states are stale

	// view guards what Describe reads from another goroutine: cfg, the
	// list of children and n, and each child's pid, restarts, life and
	// lastExit. The supervisor writes those under it and reads them
	// without it (it is their only writer); each hold is O(1).
	view sync.Mutex
}

var (
	_ actor.Initializer = (*sup)(nil)
	_ actor.Terminator  = (*sup)(nil)
)

// New returns a supervisor actor: spawn it like any actor (System.Spawn,
// or Context.SpawnLink from a parent, or as the Start of another
// supervisor's Child). Spawn returns once every child has started; it
// returns the spec's validation error, or a *ChildStartFailed if a child
// failed to start (those started before it are then stopped in reverse
// order).
//
// The returned actor is one process's state: call New again (in a
// Props.New factory) for each process. The supervisor traps exits; an exit
// signal from its parent (or from the system, as System.Shutdown sends)
// makes it stop its children in reverse start order and exit with the same
// reason. Its mailbox should keep the default Backpressure policy, so that
// the messages it sends itself are never dropped.
func New(spec Spec, children ...Child) actor.Actor {
	return &sup{spec: spec, specs: slices.Clone(children)}
}

// Init validates the spec and starts the children in spec order, each
// initialised before the next.
func (s *sup) Init(ctx actor.Context) error {
	cfg, err := s.spec.config()
	if err != nil {
		return err
	}
	s.view.Lock()
	s.cfg = cfg
	s.head, s.tail, s.n = nil, nil, 0
	s.view.Unlock()
	ctx.SetDescriber(s)
	s.self = ctx.Self()
	s.log = ctx.Logger().With().Stringer("supervisor", s.self).Logger()
	s.byPID.Clear()
	s.byID = make(map[string]*child, len(s.specs))
	s.active, s.sigLive, s.tokens = 0, 0, 0
	s.hist, s.bo, s.breakers, s.orphans = history{}, backoffState{}, nil, nil

	if cfg.strategy == SimpleOneForOne {
		if len(s.specs) != 1 {
			return fmt.Errorf("%w: got %d", ErrTemplate, len(s.specs))
		}
		if s.template, err = s.specs[0].check(cfg); err != nil {
			return err
		}
		ctx.TrapExit(true)
		return nil
	}
	for i := range s.specs {
		if s.specs[i], err = s.specs[i].check(cfg); err != nil {
			return err
		}
		if _, dup := s.byID[s.specs[i].ID]; dup {
			return fmt.Errorf("%w: %q", ErrDuplicateID, s.specs[i].ID)
		}
		s.byID[s.specs[i].ID] = nil
	}
	clear(s.byID)
	ctx.TrapExit(true)
	for i := range s.specs {
		spec := &s.specs[i] // the children point into specs, checked in place
		c := s.add(&child{spec: spec})
		if err := s.start(ctx, c); err != nil {
			s.remove(c)
			s.stopAll(ctx)
			return &ChildStartFailed{ID: spec.ID, Err: err}
		}
		if c.state == running {
			s.event(ctx, ChildStarted{Supervisor: s.self, ID: spec.ID, PID: c.pid})
		}
	}
	return nil
}

// Receive handles the children's exits, the dynamic API's requests and the
// supervisor's own restart messages.
func (s *sup) Receive(ctx actor.Context, msg any) {
	switch m := msg.(type) {
	case actor.Exit:
		s.handleExit(ctx, m)
	case retryRestart:
		if s.pending(m.c, m.token, m.st) {
			s.restart(ctx, m.c, m.st)
		}
	case delayedRestart:
		s.bo.pending--
		if s.pending(m.c, m.token, m.st) {
			now := ctx.Now()
			s.bo.last = now
			s.hist.record(now, s.cfg.intensity, s.cfg.period)
			_ = s.restartGroup(ctx, m.c, m.st)
		}
	case breakerCooled:
		s.cooled(ctx, m)
	case breakerProbation:
		s.passed(ctx, m)
	case healthTick:
		s.healthTicked(ctx, m)
	case healthTimeout:
		s.healthTimedOut(ctx, m)
	case actor.ProbeResult:
		s.probeAnswered(ctx, m)
	case request:
		_ = ctx.Reply(m.serve(ctx, s))
	default:
		s.log.Debug().Str("type", fmt.Sprintf("%T", msg)).Msg("supervisor ignored an unexpected message")
	}
	if len(s.orphans) > 0 {
		s.dropStandIns(ctx)
	}
	if s.brkDirty {
		s.showBreakers()
	}
}

// Terminate stops the children in reverse start order.
func (s *sup) Terminate(ctx actor.Context, reason error) {
	s.log.Debug().AnErr("reason", reason).Msg("supervisor stopping")
	s.stopAll(ctx)
	// Stopping the children left their stand-ins, if any, to be ended: they
	// go before the supervisor's exit is seen, with the names they hold, so
	// that a restarted supervisor finds its children's names free.
	s.endStandIns(ctx)
}

func (s *sup) dynamic() bool { return s.cfg.strategy == SimpleOneForOne }

// handleExit dispatches an exit signal: a child's, the parent's, or a
// stranger's (ignored).
func (s *sup) handleExit(ctx actor.Context, m actor.Exit) {
	if c, ok := s.byPID.Get(m.From); ok {
		s.childExited(ctx, c, m.Reason)
		return
	}
	if m.From == ctx.Parent() || m.From.IsZero() {
		ctx.Stop(m.Reason)
		return
	}
	// A process that is not (or no longer) a child: a child stopped by the
	// supervisor itself, whose linked exit arrives after it was waited
	// for, or a stranger. Either way there is nothing to restart.
	s.log.Debug().Stringer("from", m.From).AnErr("reason", m.Reason).Msg("exit signal from a non-child ignored")
}
