package actor

import (
	"fmt"
	"math"
	"time"

	"github.com/airssys/rt/mailbox"
)

// Defaults for spawn options.
const (
	DefaultCapacity    = 1024
	DefaultPolicy      = mailbox.Backpressure
	DefaultThroughput  = 100
	DefaultInitTimeout = 5 * time.Second

	// MaxThroughput is the largest throughput WithThroughput accepts: the
	// runtime counts a turn's messages in 32 bits.
	MaxThroughput = math.MaxInt32
)

// Config is the result of applying spawn options. The runtime reads it;
// users build it with options.
type Config struct {
	// Name, if set, is registered before Init runs and released when the
	// process exits.
	Name string
	// Capacity and Policy shape the user lane of the mailbox.
	Capacity int
	Policy   mailbox.Policy
	// Throughput is the most user messages handled per turn before the
	// process yields to others.
	Throughput int
	// InitTimeout bounds how long Spawn waits for Init.
	InitTimeout time.Duration
	// Kind names the kind of actor the process runs, the attribute its
	// metrics are counted under; empty means the actor's Go type name.
	Kind string
}

// Option configures a spawn. The set is closed: use the With functions.
type Option interface{ apply(*Config) error }

type optionFunc func(*Config) error

func (f optionFunc) apply(c *Config) error { return f(c) }

// DefaultConfig returns the configuration used when no option is given:
// no name, a Backpressure mailbox of DefaultCapacity, DefaultThroughput,
// DefaultInitTimeout.
func DefaultConfig() Config {
	return Config{
		Capacity:    DefaultCapacity,
		Policy:      DefaultPolicy,
		Throughput:  DefaultThroughput,
		InitTimeout: DefaultInitTimeout,
	}
}

// NewConfig applies opts over DefaultConfig and validates the result. Errors
// wrap ErrInvalidOption or ErrEmptyName. A nil option is ignored.
func NewConfig(opts ...Option) (Config, error) {
	c := DefaultConfig()
	for _, o := range opts {
		if o == nil {
			continue
		}
		if err := o.apply(&c); err != nil {
			return Config{}, err
		}
	}
	return c, nil
}

// WithName registers the process under name, atomically with its spawn. If
// the name is taken, Spawn fails with an error wrapping ErrNameTaken.
func WithName(name string) Option {
	return optionFunc(func(c *Config) error {
		if name == "" {
			return fmt.Errorf("WithName: %w", ErrEmptyName)
		}
		c.Name = name
		return nil
	})
}

// WithKind names the kind of actor the process runs: a system with metrics
// on counts its spawns, exits, messages and handler time under kind, and a
// supervisor without a registered name under its kind. Without it the kind
// is the actor's Go type name (such as "*main.worker"). A kind is a metric
// attribute, so it must come from a small fixed set (one per role, never
// per process or per request); an empty kind is refused with an error
// wrapping ErrInvalidOption.
func WithKind(kind string) Option {
	return optionFunc(func(c *Config) error {
		if kind == "" {
			return fmt.Errorf("%w: WithKind: empty kind", ErrInvalidOption)
		}
		c.Kind = kind
		return nil
	})
}

// WithMailbox sets the user lane's capacity (at least 1) and overflow
// policy. Capacity is a bound, not an allocation.
func WithMailbox(capacity int, policy mailbox.Policy) Option {
	return optionFunc(func(c *Config) error {
		if capacity < 1 {
			return fmt.Errorf("%w: mailbox capacity %d, want at least 1", ErrInvalidOption, capacity)
		}
		if !policy.Valid() {
			return fmt.Errorf("%w: %v", ErrInvalidOption, policy)
		}
		c.Capacity, c.Policy = capacity, policy
		return nil
	})
}

// WithThroughput sets how many user messages the process handles per turn
// (from 1 to MaxThroughput) before it yields.
func WithThroughput(n int) Option {
	return optionFunc(func(c *Config) error {
		if n < 1 || n > MaxThroughput {
			return fmt.Errorf("%w: throughput %d, want 1 to %d", ErrInvalidOption, n, MaxThroughput)
		}
		c.Throughput = n
		return nil
	})
}

// WithInitTimeout bounds how long Spawn waits for Init (more than zero).
func WithInitTimeout(d time.Duration) Option {
	return optionFunc(func(c *Config) error {
		if d <= 0 {
			return fmt.Errorf("%w: init timeout %v, want more than zero", ErrInvalidOption, d)
		}
		c.InitTimeout = d
		return nil
	})
}
