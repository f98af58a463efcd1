// Command backoff shows a supervisor that never gives up on a child that
// keeps failing: beyond its restart intensity, each restart is delayed
// exponentially, with random jitter, until the child stays up.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"time"

	"github.com/airssys/rt/actor"
	"github.com/airssys/rt/supervisor"
	"github.com/airssys/rt/system"
)

func main() {
	cfg := defaultConfig()
	flag.DurationVar(&cfg.downFor, "down", cfg.downFor, "how long the database refuses connections")
	flag.Parse()
	if err := run(os.Stdout, cfg); err != nil {
		fmt.Fprintln(os.Stderr, "backoff:", err)
		os.Exit(1)
	}
}

type config struct {
	downFor time.Duration // the database refuses connections this long
	backoff supervisor.Backoff
}

func defaultConfig() config {
	return config{
		downFor: 2 * time.Second,
		backoff: supervisor.Backoff{Base: 50 * time.Millisecond, Max: 800 * time.Millisecond, Jitter: 0.25},
	}
}

var errRefused = errors.New("connection refused")

type (
	// connect is the message a conn sends itself to dial.
	connect struct{}
	// connected is the event a conn publishes once it is up.
	connected struct{ PID actor.PID }
)

// conn is a database connection. It dials in its first message rather than
// in Init, so that a failing dial does not fail the supervisor's start.
type conn struct{ upAt time.Time }

func (c *conn) Init(ctx actor.Context) error {
	return ctx.Send(ctx.Self(), connect{})
}

func (c *conn) Receive(ctx actor.Context, msg any) {
	if _, ok := msg.(connect); ok {
		if ctx.Now().Before(c.upAt) { // the database is still down
			ctx.Stop(errRefused)
			return
		}
		ctx.Publish(connected{ctx.Self()})
	}
}

func run(w io.Writer, cfg config) error {
	ctx, cancel := context.WithTimeout(context.Background(), cfg.downFor+time.Minute)
	defer cancel()
	sys := system.New()
	defer sys.Shutdown(ctx)
	events := sys.Subscribe(func(ev any) bool {
		switch ev.(type) {
		case supervisor.ChildExited, supervisor.ChildRestarted, supervisor.RestartDelayed, connected:
			return true
		}
		return false
	})
	defer events.Close()

	start := time.Now()
	upAt := start.Add(cfg.downFor)
	spec := supervisor.Spec{
		Strategy:   supervisor.OneForOne,
		Intensity:  2,           // two restarts at once ...
		Period:     time.Second, // ... per second; beyond that, back off
		Escalation: cfg.backoff,
	}
	fmt.Fprintf(w, "The database refuses connections for %v. The supervisor restarts db at once %d times per %v,\n",
		cfg.downFor, spec.Intensity, spec.Period)
	fmt.Fprintf(w, "then backs off: %v doubling up to %v, plus up to %.0f%% jitter.\n\n",
		cfg.backoff.Base, cfg.backoff.Max, 100*cfg.backoff.Jitter)
	_, err := sys.Spawn(supervisor.New(spec, supervisor.Child{
		ID:    "db",
		Start: actor.PropsOf(func() actor.Actor { return &conn{upAt: upAt} }),
	}))
	if err != nil {
		return err
	}

	restarts := 0
	for {
		ev, err := events.Next(ctx)
		if err != nil {
			return err
		}
		at := time.Since(start).Round(time.Millisecond)
		switch ev := ev.(type) {
		case supervisor.ChildExited:
			fmt.Fprintf(w, "%8v  %s exited: %v\n", at, ev.ID, ev.Reason)
		case supervisor.RestartDelayed:
			fmt.Fprintf(w, "%8v  restart delayed by %v (attempt %d)\n", at, ev.Delay.Round(time.Millisecond), ev.Attempt)
		case supervisor.ChildRestarted:
			restarts = ev.Restarts
			fmt.Fprintf(w, "%8v  %s restarted (restart %d)\n", at, ev.ID, ev.Restarts)
		case connected:
			fmt.Fprintf(w, "%8v  db connected after %d restarts\n", at, restarts)
			return sys.Shutdown(ctx)
		}
	}
}
