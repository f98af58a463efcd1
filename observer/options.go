package observer

import (
	"errors"
	"fmt"
	"time"
)

// ErrInvalidOption is wrapped by the error New returns for an option out
// of range.
var ErrInvalidOption = errors.New("observer: invalid option")

// Option configures an Observer. The set is closed; defaults are in
// defaultConfig.
type Option interface{ apply(*config) }

type config struct {
	actions     bool
	interval    time.Duration
	budget      float64
	maxChildren int
	events      int
}

func defaultConfig() config {
	return config{interval: time.Second, budget: 0.0025, maxChildren: 100, events: 200}
}

func (c config) validate() error {
	switch {
	case c.interval < 10*time.Millisecond:
		return fmt.Errorf("%w: interval %v, want at least 10ms", ErrInvalidOption, c.interval)
	case c.budget <= 0 || c.budget > 1:
		return fmt.Errorf("%w: budget %v, want a fraction of one core in (0, 1]", ErrInvalidOption, c.budget)
	case c.maxChildren < 1:
		return fmt.Errorf("%w: max children %d, want at least 1", ErrInvalidOption, c.maxChildren)
	case c.events < 1:
		return fmt.Errorf("%w: events %d, want at least 1", ErrInvalidOption, c.events)
	}
	return nil
}

type optionFunc func(*config)

func (f optionFunc) apply(c *config) { f(c) }

// WithActions enables the actions: stopping or killing a process and
// restarting a supervisor's child, from the page's buttons or by POST to
// api/action. They are off by default: the endpoint then answers 403.
func WithActions() Option { return optionFunc(func(c *config) { c.actions = true }) }

// WithInterval sets how often a connected page is updated (default 1s; at
// least 10ms). Updates are spaced further when the budget calls for it.
func WithInterval(d time.Duration) Option { return optionFunc(func(c *config) { c.interval = d }) }

// WithBudget sets the share of one core the live updates may spend
// (default 0.0025, a quarter of a percent): after an update that took d to
// compute, the next comes no sooner than d/budget later.
func WithBudget(fraction float64) Option { return optionFunc(func(c *config) { c.budget = fraction }) }

// WithMaxChildren sets how many children of each node the page's tree
// shows (default 100); the others are counted, and listed in the process
// table.
func WithMaxChildren(n int) Option { return optionFunc(func(c *config) { c.maxChildren = n }) }

// WithEvents sets how many recent supervision events are kept for the
// page (default 200).
func WithEvents(n int) Option { return optionFunc(func(c *config) { c.events = n }) }
