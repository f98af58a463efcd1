// Command breaker shows three workers that share a database, which goes
// down for a while. Their supervisor allows a few restarts; beyond them
// one circuit breaker, shared by the three, opens for all of them at once,
// so they stop hammering the database. After a cool-down they are probed
// one at a time, the cool-down doubling while the database stays down,
// until each stays up for its probation and the breaker closes.
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
	flag.DurationVar(&cfg.downFor, "down", cfg.downFor, "how long the database is down")
	flag.Parse()
	if err := run(os.Stdout, cfg); err != nil {
		fmt.Fprintln(os.Stderr, "breaker:", err)
		os.Exit(1)
	}
}

type config struct {
	downAt  time.Duration // the database goes down this long after the start ...
	downFor time.Duration // ... for this long
	tick    time.Duration // each worker queries the database this often
	breaker supervisor.Breaker
}

func defaultConfig() config {
	return config{
		downAt:  500 * time.Millisecond,
		downFor: 2 * time.Second,
		tick:    100 * time.Millisecond,
		breaker: supervisor.Breaker{CoolDown: 200 * time.Millisecond, MaxCoolDown: time.Second, Jitter: 0.2,
			Probation: 300 * time.Millisecond},
	}
}

var errDown = errors.New("database unavailable")

// database is the client the workers share: down in [downAt, upAt). It
// holds no state that changes, so the workers share it safely.
type database struct{ downAt, upAt time.Time }

func (db database) query(now time.Time) error {
	if !now.Before(db.downAt) && now.Before(db.upAt) {
		return errDown
	}
	return nil
}

// query is the message a worker sends itself to use the database.
type query struct{}

// worker queries the database every tick, starting phase after its start
// (so that the three do not query at the same instant), and crashes when
// the database fails it.
type worker struct {
	db    database
	tick  time.Duration
	phase time.Duration
}

func (w *worker) Init(ctx actor.Context) error {
	_, _ = ctx.SendAfter(w.phase, ctx.Self(), query{})
	return nil
}

func (w *worker) Receive(ctx actor.Context, msg any) {
	if _, ok := msg.(query); ok {
		if err := w.db.query(ctx.Now()); err != nil {
			ctx.Stop(err)
			return
		}
		_, _ = ctx.SendAfter(w.tick, ctx.Self(), query{})
	}
}

func run(w io.Writer, cfg config) error {
	ctx, cancel := context.WithTimeout(context.Background(), cfg.downAt+cfg.downFor+time.Minute)
	defer cancel()
	sys := system.New()
	defer sys.Shutdown(ctx)
	events := sys.Subscribe(func(ev any) bool {
		switch ev.(type) {
		case supervisor.ChildExited, supervisor.ChildRestarted,
			supervisor.BreakerOpened, supervisor.BreakerHalfOpen, supervisor.BreakerClosed:
			return true
		}
		return false
	})
	defer events.Close()

	start := time.Now()
	db := database{downAt: start.Add(cfg.downAt), upAt: start.Add(cfg.downAt + cfg.downFor)}
	spec := supervisor.Spec{Intensity: 2, Period: time.Second, Escalation: cfg.breaker}
	var children []supervisor.Child
	for i, id := range []string{"orders", "payments", "shipping"} {
		phase := cfg.tick + time.Duration(i)*cfg.tick/10
		children = append(children, supervisor.Child{ID: id, Breaker: "db",
			Start: actor.PropsOf(func() actor.Actor { return &worker{db: db, tick: cfg.tick, phase: phase} })})
	}
	fmt.Fprintf(w, "The database goes down at %v for %v. The supervisor allows %d restarts per %v;\n",
		cfg.downAt, cfg.downFor, spec.Intensity, spec.Period)
	fmt.Fprintf(w, "beyond that the breaker \"db\", shared by the three workers, opens for %v doubling up to %v.\n\n",
		cfg.breaker.CoolDown, cfg.breaker.MaxCoolDown)
	if _, err := sys.Spawn(supervisor.New(spec, children...)); err != nil {
		return err
	}

	for {
		ev, err := events.Next(ctx)
		if err != nil {
			return err
		}
		at := time.Since(start).Round(time.Millisecond)
		switch ev := ev.(type) {
		case supervisor.ChildExited:
			fmt.Fprintf(w, "%8v  %s exited: %v\n", at, ev.ID, ev.Reason)
		case supervisor.ChildRestarted:
			fmt.Fprintf(w, "%8v  %s restarted\n", at, ev.ID)
		case supervisor.BreakerOpened:
			fmt.Fprintf(w, "%8v  breaker %s opened for %v after %s failed: cool-down %v (attempt %d)\n",
				at, ev.Breaker, ev.Children, ev.ID, ev.CoolDown.Round(time.Millisecond), ev.Attempt)
		case supervisor.BreakerHalfOpen:
			fmt.Fprintf(w, "%8v  breaker %s half-open: probing %s for %v\n", at, ev.Breaker, ev.ID, ev.Probation)
		case supervisor.BreakerClosed:
			fmt.Fprintf(w, "%8v  breaker %s closed: all three up\n", at, ev.Breaker)
			return sys.Shutdown(ctx)
		}
	}
}
