// Command health shows a worker whose database connection silently hangs:
// the process stays alive, its handler waits forever on a query that never
// answers, and every request to it times out. Its supervisor probes it
// (supervisor.Health): the probes queue behind the stuck query and go
// unanswered, and after three in a row the supervisor kills the worker and
// starts a new one, with a new connection, before anyone had to notice.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"sync/atomic"
	"time"

	"github.com/airssys/rt/actor"
	"github.com/airssys/rt/supervisor"
	"github.com/airssys/rt/system"
)

func main() {
	cfg := defaultConfig()
	flag.DurationVar(&cfg.hangAt, "hang", cfg.hangAt, "when the first connection hangs")
	flag.Parse()
	if err := run(os.Stdout, cfg); err != nil {
		fmt.Fprintln(os.Stderr, "health:", err)
		os.Exit(1)
	}
}

type config struct {
	hangAt  time.Duration // the first connection hangs this long after the start
	every   time.Duration // a lookup is sent this often
	timeout time.Duration // and given this long
	health  supervisor.Health
}

func defaultConfig() config {
	return config{
		hangAt:  500 * time.Millisecond,
		every:   50 * time.Millisecond,
		timeout: 100 * time.Millisecond,
		health:  supervisor.Health{Interval: 200 * time.Millisecond, Timeout: 100 * time.Millisecond, Failures: 3},
	}
}

// conn is a database connection. The first one opened hangs at hangAt:
// from then on its queries never answer, and only the caller's context
// ends the wait, as a read on a dead TCP connection without keepalive.
type conn struct {
	n      int64
	hangAt time.Time
}

var opened atomic.Int64

func dial(hangAt time.Time) *conn { return &conn{n: opened.Add(1), hangAt: hangAt} }

func (c *conn) query(ctx context.Context, now time.Time, key string) (string, error) {
	if c.n == 1 && !now.Before(c.hangAt) {
		<-ctx.Done()
		return "", ctx.Err()
	}
	return fmt.Sprintf("%s@conn%d", key, c.n), nil
}

// lookup asks the worker for a key.
type lookup struct{ key string }

// worker answers lookups from its connection.
type worker struct {
	hangAt time.Time
	db     *conn
}

func (w *worker) Init(ctx actor.Context) error {
	w.db = dial(w.hangAt)
	return nil
}

func (w *worker) Receive(ctx actor.Context, msg any) {
	if m, ok := msg.(lookup); ok {
		v, err := w.db.query(ctx.Context(), ctx.Now(), m.key)
		if err != nil {
			_ = ctx.Reply(err)
			return
		}
		_ = ctx.Reply(v)
	}
}

type result struct {
	at  time.Duration
	key string
	val string
	err error
}

func run(w io.Writer, cfg config) error {
	opened.Store(0)
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	sys := system.New()
	defer sys.Shutdown(ctx)
	events := sys.Subscribe(func(ev any) bool {
		switch ev.(type) {
		case supervisor.ChildUnhealthy, supervisor.ChildRestarted:
			return true
		}
		return false
	})
	defer events.Close()

	start := time.Now()
	spec := supervisor.Spec{Intensity: 3, Period: 10 * time.Second}
	db := supervisor.Child{ID: "db", Health: cfg.health,
		Start: actor.PropsOf(func() actor.Actor { return &worker{hangAt: start.Add(cfg.hangAt)} }, actor.WithName("db"))}
	if _, err := sys.Spawn(supervisor.New(spec, db)); err != nil {
		return err
	}
	fmt.Fprintf(w, "A lookup every %v, each given %v. The connection hangs at %v.\n", cfg.every, cfg.timeout, cfg.hangAt)
	fmt.Fprintf(w, "The supervisor probes the worker every %v (timeout %v) and restarts it after %d failed probes.\n\n",
		cfg.health.Interval, cfg.health.Timeout, cfg.health.Failures)

	// The client: lookups by name, one at a time, each bounded.
	results := make(chan result)
	stop := make(chan struct{})
	defer close(stop)
	go func() {
		for i := 0; ; i++ {
			key := fmt.Sprintf("k%d", i)
			rctx, rcancel := context.WithTimeout(ctx, cfg.timeout)
			v, err := actor.Ask[string](rctx, sys, whereis(sys), lookup{key})
			rcancel()
			select {
			case results <- result{at: time.Since(start), key: key, val: v, err: err}:
			case <-stop:
				return
			}
			select {
			case <-time.After(cfg.every):
			case <-stop:
				return
			}
		}
	}()

	// The supervision events, on the same loop as the lookups.
	evs := make(chan any)
	go func() {
		for {
			ev, err := events.Next(ctx)
			if err != nil {
				return
			}
			select {
			case evs <- ev:
			case <-stop:
				return
			}
		}
	}()

	var ok, failed, okAfter int
	var hungAt, restartedAt time.Duration
	for {
		select {
		case ev := <-evs:
			at := time.Since(start).Round(time.Millisecond)
			switch ev := ev.(type) {
			case supervisor.ChildUnhealthy:
				fmt.Fprintf(w, "%8v  supervisor: %s unhealthy after %d failed probes (%v): killing it\n", at, ev.ID, ev.Failures, ev.Err)
			case supervisor.ChildRestarted:
				restartedAt = at
				fmt.Fprintf(w, "%8v  supervisor: %s restarted as %v\n", at, ev.ID, ev.PID)
			}
		case r := <-results:
			switch {
			case r.err == nil:
				ok++
				if restartedAt > 0 {
					okAfter++
				}
				if ok == 1 || okAfter == 1 {
					fmt.Fprintf(w, "%8v  lookup %s = %s\n", r.at.Round(time.Millisecond), r.key, r.val)
				}
			default:
				failed++
				if hungAt == 0 {
					hungAt = r.at
					fmt.Fprintf(w, "%8v  lookup %s failed: %v (the connection hangs; the worker is alive: %v)\n",
						r.at.Round(time.Millisecond), r.key, r.err, sys.Alive(whereis(sys)))
				}
			}
			if okAfter == 5 {
				fmt.Fprintf(w, "\n%d lookups answered, %d timed out, all while the connection hung; the new worker answers again.\n", ok, failed)
				return sys.Shutdown(ctx)
			}
		case <-ctx.Done():
			return errors.New("the worker was not restarted in time")
		}
	}
}

func whereis(sys *system.System) actor.PID {
	pid, _ := sys.Whereis("db")
	return pid
}
