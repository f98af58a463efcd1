package system

import (
	"time"

	"github.com/rs/zerolog"
)

// Option configures a System. The set is closed: use the With functions.
type Option interface{ apply(*config) }

type optionFunc func(*config)

func (f optionFunc) apply(c *config) { f(c) }

type config struct {
	logger      zerolog.Logger
	clock       func() time.Time
	sampleEvery uint16 // 0: metrics off (see WithMetrics)
}

func defaultConfig() config {
	return config{logger: zerolog.Nop(), clock: time.Now}
}

// WithLogger sends the system's structured logs to l. Without it the system
// is silent. Dead letters are logged at debug level, process crashes at
// error level, ordinary exits at debug level; nothing is logged on the
// message path unless debug is enabled.
func WithLogger(l zerolog.Logger) Option {
	return optionFunc(func(c *config) { c.logger = l })
}

// WithClock sets the clock behind Context.Now, which supervisors use for
// restart intensity. A nil clock means time.Now.
func WithClock(now func() time.Time) Option {
	return optionFunc(func(c *config) {
		if now != nil {
			c.clock = now
		}
	})
}
