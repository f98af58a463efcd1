package supervisor

import (
	"fmt"
	"time"

	"github.com/airssys/rt/actor"
)

// Defaults applied to the zero values of Spec and Child, as in OTP.
const (
	DefaultIntensity = 1
	DefaultPeriod    = 5 * time.Second
	// DefaultWorkerShutdown is how long a worker is given to stop after
	// the exit signal Shutdown before it is killed.
	DefaultWorkerShutdown = 5 * time.Second
)

// NoRestarts, as Spec.Intensity, allows no restart at all: the first child
// exit that calls for a restart makes the supervisor give up (OTP's
// intensity 0). The zero Intensity means DefaultIntensity.
const NoRestarts = -1

// Strategy says which children are restarted when one exits.
type Strategy uint8

const (
	// OneForOne restarts only the child that exited.
	OneForOne Strategy = iota
	// OneForAll stops every other child in reverse start order, then
	// restarts them all in start order: one restart.
	OneForAll
	// RestForOne does the same for the child that exited and the children
	// started after it; those started before it keep running.
	RestForOne
	// SimpleOneForOne is the dynamic supervisor: its only Child is a
	// template, children are started from it with StartChildWith, each
	// restarted on its own as under OneForOne, and they stop concurrently.
	SimpleOneForOne
)

func (s Strategy) String() string {
	switch s {
	case OneForOne:
		return "one_for_one"
	case OneForAll:
		return "one_for_all"
	case RestForOne:
		return "rest_for_one"
	case SimpleOneForOne:
		return "simple_one_for_one"
	}
	return fmt.Sprintf("Strategy(%d)", uint8(s))
}

// Escalation says what a supervisor does when restarts exceed its
// intensity: [Escalate], [Terminate], a [Backoff] or a [Breaker]. The set
// is closed.
type Escalation interface{ escalation() }

type giveUp uint8

func (giveUp) escalation() {}

func (g giveUp) String() string {
	if g == Terminate {
		return "terminate"
	}
	return "escalate"
}

var (
	// Escalate, the default, stops every child in reverse start order and
	// exits with *RestartLimitExceeded, so the parent supervisor decides.
	Escalate Escalation = giveUp(0)
	// Terminate stops every child the same way and exits with
	// actor.Shutdown, a clean exit: a Transient parent entry does not
	// restart it.
	Terminate Escalation = giveUp(1)
)

// Backoff never gives up: a restart beyond the intensity is delayed instead,
// by Base the first time, doubling each time up to Max, plus a random
// jitter in [0, Jitter×delay). The doubling starts again from Base once the
// children have gone a whole Period without needing a delayed restart.
// Base must be more than zero, Max at least Base, Jitter in [0, 1].
type Backoff struct {
	Base   time.Duration
	Max    time.Duration
	Jitter float64
}

func (Backoff) escalation() {}

func (b Backoff) String() string {
	return fmt.Sprintf("backoff(base %v, max %v, jitter %v)", b.Base, b.Max, b.Jitter)
}

// AutoShutdown says whether the exit of significant children stops the
// supervisor (OTP's auto_shutdown).
type AutoShutdown uint8

const (
	// Never: significant children are not allowed.
	Never AutoShutdown = iota
	// AnySignificant: the supervisor stops (with actor.Shutdown) when any
	// significant child exits on its own and is not restarted.
	AnySignificant
	// AllSignificant: the supervisor stops when the last significant
	// child still running exits on its own and is not restarted.
	AllSignificant
)

// Spec describes a supervisor. The zero Spec is a OneForOne supervisor that
// allows one restart in five seconds and escalates beyond that.
type Spec struct {
	Strategy Strategy
	// Intensity is the most restarts allowed within Period; one more makes
	// the supervisor give up (see Escalation). Zero means
	// DefaultIntensity; NoRestarts means none.
	Intensity int
	// Period is the sliding window of Intensity. Zero means DefaultPeriod.
	Period time.Duration
	// Escalation is what happens beyond the intensity. Nil means Escalate.
	Escalation Escalation
	// AutoShutdown lets significant children stop the supervisor.
	AutoShutdown AutoShutdown
	// Decide, if not nil, decides what to do about each child exit the
	// restart type would restart: restart by the strategy, restart the
	// child alone, stop it, delete it, or give up (see Decider). Nil
	// restarts by the strategy, as OTP does.
	Decide Decider
}

// RestartType says after which exits a child is restarted.
type RestartType uint8

const (
	// Permanent children are restarted after any exit, Normal and
	// Shutdown included.
	Permanent RestartType = iota
	// Transient children are restarted only after an abnormal exit (see
	// actor.IsClean); after a clean one they stay stopped.
	Transient
	// Temporary children are never restarted, and forgotten when they exit.
	Temporary
)

func (r RestartType) String() string {
	switch r {
	case Permanent:
		return "permanent"
	case Transient:
		return "transient"
	case Temporary:
		return "temporary"
	}
	return fmt.Sprintf("RestartType(%d)", uint8(r))
}

// Kind tells workers from supervisors: it sets the default shutdown and is
// reported by WhichChildren and CountChildren.
type Kind uint8

const (
	// Worker is any child that is not a supervisor.
	Worker Kind = iota
	// Supervisor is a child that supervises children of its own.
	Supervisor
)

func (k Kind) String() string {
	switch k {
	case Worker:
		return "worker"
	case Supervisor:
		return "supervisor"
	}
	return fmt.Sprintf("Kind(%d)", uint8(k))
}

// ShutdownPolicy says how a child is stopped: [Brutal], [Timeout] or
// [Infinity]. The zero value means the default for the child's kind:
// Timeout(DefaultWorkerShutdown) for workers, Infinity for supervisors.
type ShutdownPolicy struct {
	mode    uint8
	timeout time.Duration
}

const (
	shutdownDefault uint8 = iota
	shutdownBrutal
	shutdownTimeout
	shutdownInfinity
)

var (
	// Brutal kills the child (exit signal actor.Kill): its Terminate does
	// not run.
	Brutal = ShutdownPolicy{mode: shutdownBrutal}
	// Infinity sends exit signal actor.Shutdown and waits for as long as
	// the child takes; meant for child supervisors.
	Infinity = ShutdownPolicy{mode: shutdownInfinity}
)

// Timeout sends exit signal actor.Shutdown, waits up to d for the child to
// exit, then kills it and reports a ShutdownTimeout event. d must be more
// than zero.
func Timeout(d time.Duration) ShutdownPolicy {
	return ShutdownPolicy{mode: shutdownTimeout, timeout: d}
}

func (p ShutdownPolicy) String() string {
	switch p.mode {
	case shutdownDefault:
		return "default"
	case shutdownBrutal:
		return "brutal_kill"
	case shutdownInfinity:
		return "infinity"
	}
	return p.timeout.String()
}

// Child describes one child of a supervisor: how to start it and what to do
// when it exits.
type Child struct {
	// ID names the child within its supervisor; IDs are unique. A
	// SimpleOneForOne template's ID is reported for each of its children.
	ID string
	// Start is the child's actor factory and spawn options. New must return
	// a fresh actor on every call: it is called again for each restart.
	Start actor.Props
	// StartWith, only for a SimpleOneForOne template, builds the Props of a
	// child from the arguments given to StartChildWith (the same arguments
	// again on each restart). Start.Options are applied first, then the
	// options StartWith returns. When StartWith is nil the template's
	// children are started from Start and take no arguments.
	StartWith func(args ...any) actor.Props
	// StartLink, when set, starts the child in place of Start: it must
	// return a process linked to the supervisor (ctx is the supervisor's)
	// or an error, and is called again for each restart. Package remote
	// uses it to place a child on another node. Not for a SimpleOneForOne
	// template; Start is then unused.
	StartLink func(ctx actor.Context) (actor.PID, error)
	// Restart is Permanent (the default), Transient or Temporary.
	Restart RestartType
	// Shutdown is Brutal, Timeout(d) or Infinity; zero means the default
	// for Kind.
	Shutdown ShutdownPolicy
	// StartTimeout bounds the child's Init (actor.WithInitTimeout); zero
	// leaves the spawn options' timeout (actor.DefaultInitTimeout unless
	// Start.Options set one).
	StartTimeout time.Duration
	// Kind is Worker (the default) or Supervisor.
	Kind Kind
	// Significant children may stop the supervisor when they exit (see
	// Spec.AutoShutdown). A significant child cannot be Permanent.
	Significant bool
	// Breaker, under a Breaker escalation, names a breaker this child
	// shares with its siblings of the same Breaker: when it opens for one
	// of them, it opens for all. Empty gives the child a breaker of its
	// own. A SimpleOneForOne template's Breaker is shared by all its
	// children. Without a Breaker escalation it is unused.
	Breaker string
	// Health, if its Interval is set, makes the supervisor probe the
	// running child and restart it when the probes keep failing (see
	// Health). A SimpleOneForOne template's Health applies to each of its
	// children. A child that runs on another node (StartLink returning a
	// foreign PID) is not probed: probes go through a local mailbox, and
	// the supervisor logs a warning instead.
	Health Health
}

// config is a validated Spec with its defaults applied.
type config struct {
	strategy   Strategy
	intensity  int
	period     time.Duration
	escalation Escalation
	auto       AutoShutdown
	decide     Decider
}

func (s Spec) config() (config, error) {
	c := config{
		strategy:   s.Strategy,
		intensity:  s.Intensity,
		period:     s.Period,
		escalation: s.Escalation,
		auto:       s.AutoShutdown,
		decide:     s.Decide,
	}
	if c.strategy > SimpleOneForOne {
		return c, fmt.Errorf("%w: %v", ErrInvalidStrategy, c.strategy)
	}
	switch {
	case c.intensity == 0:
		c.intensity = DefaultIntensity
	case c.intensity == NoRestarts:
		c.intensity = 0
	case c.intensity < 0:
		return c, fmt.Errorf("%w: %d", ErrInvalidIntensity, s.Intensity)
	}
	switch {
	case c.period == 0:
		c.period = DefaultPeriod
	case c.period < 0:
		return c, fmt.Errorf("%w: %v", ErrInvalidPeriod, s.Period)
	}
	switch e := c.escalation.(type) {
	case nil:
		c.escalation = Escalate
	case giveUp:
	case Backoff:
		if e.Base <= 0 || e.Max < e.Base || !(e.Jitter >= 0 && e.Jitter <= 1) {
			return c, fmt.Errorf("%w: %+v", ErrInvalidBackoff, e)
		}
	case Breaker:
		if e.CoolDown <= 0 || e.MaxCoolDown < e.CoolDown || !(e.Jitter >= 0 && e.Jitter <= 1) || e.Probation <= 0 || e.Quiet < 0 {
			return c, fmt.Errorf("%w: %+v", ErrInvalidBreaker, e)
		}
	default:
		return c, fmt.Errorf("%w: %T", ErrInvalidBackoff, e)
	}
	if c.auto > AllSignificant {
		return c, fmt.Errorf("%w: %d", ErrInvalidAutoShutdown, c.auto)
	}
	return c, nil
}

// check validates one child spec against the supervisor's config and
// returns it with its defaults applied.
func (c Child) check(cfg config) (Child, error) {
	template := cfg.strategy == SimpleOneForOne
	if c.ID == "" && !template {
		return c, fmt.Errorf("%w: empty ID", ErrInvalidChild)
	}
	if c.StartLink != nil && template {
		return c, fmt.Errorf("%w: child %q: StartLink is not for a SimpleOneForOne template", ErrInvalidChild, c.ID)
	}
	if c.Start.New == nil && c.StartLink == nil && (!template || c.StartWith == nil) {
		return c, fmt.Errorf("%w: child %q", ErrNilFactory, c.ID)
	}
	if c.StartWith != nil && !template {
		return c, fmt.Errorf("%w: child %q: StartWith is only for a SimpleOneForOne template", ErrInvalidChild, c.ID)
	}
	if c.Restart > Temporary {
		return c, fmt.Errorf("%w: child %q: %v", ErrInvalidChild, c.ID, c.Restart)
	}
	if c.Kind > Supervisor {
		return c, fmt.Errorf("%w: child %q: %v", ErrInvalidChild, c.ID, c.Kind)
	}
	if c.StartTimeout < 0 {
		return c, fmt.Errorf("%w: child %q: start timeout %v", ErrInvalidChild, c.ID, c.StartTimeout)
	}
	switch c.Shutdown.mode {
	case shutdownDefault:
		if c.Kind == Supervisor {
			c.Shutdown = Infinity
		} else {
			c.Shutdown = Timeout(DefaultWorkerShutdown)
		}
	case shutdownTimeout:
		if c.Shutdown.timeout <= 0 {
			return c, fmt.Errorf("%w: child %q: shutdown timeout %v", ErrInvalidChild, c.ID, c.Shutdown.timeout)
		}
	case shutdownBrutal, shutdownInfinity:
	default:
		return c, fmt.Errorf("%w: child %q: shutdown policy", ErrInvalidChild, c.ID)
	}
	h, err := c.Health.check(c.ID)
	if err != nil {
		return c, err
	}
	c.Health = h
	if c.Significant {
		if c.Restart == Permanent {
			return c, fmt.Errorf("%w: child %q", ErrSignificantPermanent, c.ID)
		}
		if cfg.auto == Never {
			return c, fmt.Errorf("%w: child %q", ErrSignificantWithoutAutoShutdown, c.ID)
		}
	}
	return c, nil
}

// options returns the spawn options of a static child.
func (c Child) options() []actor.Option {
	opts := c.Start.Options
	if c.StartTimeout > 0 {
		opts = append(opts[:len(opts):len(opts)], actor.WithInitTimeout(c.StartTimeout))
	}
	return opts
}
