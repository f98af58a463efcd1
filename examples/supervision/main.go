// Command supervision is the demo that `make demo` runs: a small shop
// service under a two-level supervision tree, put under load for a few
// seconds while its workers crash at random. Supervisors restart them; one
// subtree fails faster than its intensity allows and escalates to its
// parent, which restarts it whole. At the end the demo prints what
// happened, as seen on the system's event stream, and the final tree.
//
//	go run ./examples/supervision [-duration 5s] [-seed N]
package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"math/rand/v2"
	"net"
	"net/http"
	"os"
	"os/signal"
	"strings"
	"time"

	"github.com/rs/zerolog"

	"github.com/airssys/rt/actor"
	"github.com/airssys/rt/observer"
	"github.com/airssys/rt/supervisor"
	"github.com/airssys/rt/system"
)

// Config shapes a run of the demo.
type Config struct {
	Duration time.Duration // how long the load runs
	Seed     uint64        // seeds the orders and the upstream API's failures
	Rate     int           // orders per second
	Workers  int           // payment workers in the pool
}

// DefaultConfig is the demo's configuration without flags.
func DefaultConfig() Config {
	return Config{Duration: 5 * time.Second, Rate: 200, Workers: 4}
}

func main() {
	cfg := DefaultConfig()
	flag.DurationVar(&cfg.Duration, "duration", cfg.Duration, "how long to run the load")
	flag.Uint64Var(&cfg.Seed, "seed", 0, "random seed for orders and failures (0: a new one each run)")
	flag.Parse()
	if cfg.Seed == 0 {
		cfg.Seed = uint64(time.Now().UnixNano())
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt) // Ctrl-C ends the load early
	defer stop()
	if _, err := run(ctx, os.Stdout, cfg); err != nil {
		fmt.Fprintln(os.Stderr, "supervision:", err)
		os.Exit(1)
	}
}

// Failure rates. The seed decides which orders are bad and when the
// upstream API flakes; how the processes interleave still varies.
const (
	malformedShare = 0.002 // orders with no items: orders panics
	glitchShare    = 0.004 // orders whose card makes a payment worker panic
	foreignShare   = 0.5   // orders in a foreign currency: the payment asks fx-api
	flakyShare     = 0.004 // upstream calls that fail at random: fx-api exits with an error
	// Upstream calls that fail in a row midway: one more than gateway's
	// intensity, so it gives up (sooner if fx-api failed lately), and too
	// few to make the restarted gateway give up as well.
	outageCalls = 4
)

func run(ctx context.Context, w io.Writer, cfg Config) (Summary, error) {
	start := time.Now()
	color := isTerminal(w)
	w = zerolog.SyncWriter(w) // the actors log concurrently
	log := zerolog.New(zerolog.ConsoleWriter{
		Out:     w,
		NoColor: !color,
		// Each line starts with the time since the demo started.
		FormatTimestamp: func(any) string { return fmt.Sprintf("%6.3fs", time.Since(start).Seconds()) },
		// The system's id is on every line, pid repeats supervisor or
		// name, and a panic's stack is long: useful in production logs,
		// noise in a demo.
		FieldsExclude: []string{"system", "pid", "stack"},
	}).Level(zerolog.InfoLevel)

	sys := system.New(system.WithLogger(log))
	defer sys.Shutdown(context.Background())
	url, stopObserver, err := serveObserver(sys)
	if err != nil {
		return Summary{}, err
	}
	defer stopObserver()
	fmt.Fprintf(w, "Observer: %s (the live tree and process table, while the demo runs)\n\n", url)
	events := sys.Subscribe(isReported)
	defer events.Close()
	c := newCollector(cfg)

	api := &upstream{rng: rand.New(rand.NewPCG(cfg.Seed, 2)), flaky: flakyShare}
	root, err := sys.Spawn(shop(cfg, api), actor.WithName("shop"))
	if err != nil {
		return Summary{}, err
	}
	if err := fillPool(ctx, sys, cfg.Workers); err != nil {
		return Summary{}, err
	}
	c.drain(events)
	printIntro(w, cfg, c.tree(ctx, sys, root, notes()))

	load := rand.New(rand.NewPCG(cfg.Seed, 1))
	perTick := max(1, cfg.Rate/100)
	tick := time.NewTicker(10 * time.Millisecond)
	defer tick.Stop()
	progress := time.NewTicker(time.Second)
	defer progress.Stop()
	outage := time.NewTimer(cfg.Duration / 2)
	defer outage.Stop()
	done := time.NewTimer(cfg.Duration)
	defer done.Stop()
	loadStart := time.Now()
	nextID := 0

loop:
	for {
		select {
		case <-tick.C:
			for range perTick {
				nextID++
				// An error means orders is restarting: the order is a
				// dead letter, and the summary counts it.
				_ = sys.SendNamed("orders", newOrder(load, nextID))
			}
		case <-outage.C:
			log.Warn().Int("failing_calls", outageCalls).
				Msg("demo: the exchange-rate API goes down; watch gateway give up and escalate")
			api.Outage(outageCalls)
		case <-progress.C:
			s := c.summary()
			log.Info().Int("orders", s.Orders).
				Int("crashes", s.Crashes()).Int("restarts", s.TotalRestarts()).
				Int("escalations", len(s.Escalations)).Int("dead_letters", s.TotalDeadLetters()).
				Msg("demo: progress")
		case <-done.C:
			break loop
		case <-ctx.Done():
			break loop
		}
		c.drain(events)
		if c.poolRefill {
			// A dynamic supervisor starts empty, after a restart too:
			// whoever owns the pool fills it again.
			c.poolRefill = false
			if err := fillPool(ctx, sys, cfg.Workers); err != nil {
				log.Error().Err(err).Msg("demo: refilling the payment pool")
			}
		}
	}
	loadTime := time.Since(loadStart).Round(100 * time.Millisecond)
	log.Info().Msg("demo: load stopped; shutting down")

	wctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	c.drain(events)
	tree := finalTree(sys)
	if err := sys.Shutdown(wctx); err != nil {
		return Summary{}, err
	}
	s := c.summary()
	s.Duration, s.Tree = loadTime, tree
	s.LostToCrashes = sys.CrashedMessages()
	s.print(w)
	return s, nil
}

// fillPool starts the payment workers the pool is missing, by slot.
func fillPool(ctx context.Context, sys *system.System, workers int) error {
	pool, ok := sys.Whereis("payments")
	if !ok {
		return actor.ErrNoProcess
	}
	for slot := range workers {
		if _, running := sys.Whereis(fmt.Sprintf("payment-%d", slot)); running {
			continue
		}
		if _, err := supervisor.StartChildWith(ctx, sys, pool, slot); err != nil {
			return err
		}
	}
	return nil
}

// newOrder makes order id; a few are bad in ways the workers do not expect.
func newOrder(r *rand.Rand, id int) order {
	o := order{ID: id, Customer: fmt.Sprintf("customer-%d", r.IntN(500)), Currency: "USD", Card: "4242-4242-4242-4242"}
	for range 1 + r.IntN(3) {
		o.Items = append(o.Items, 100+r.IntN(9900))
	}
	if r.Float64() < foreignShare {
		o.Currency = []string{"EUR", "GBP", "JPY"}[r.IntN(3)]
	}
	if r.Float64() < malformedShare {
		o.Items = nil
	}
	if r.Float64() < glitchShare {
		o.Card = glitchCard
	}
	return o
}

func printIntro(w io.Writer, cfg Config, tree string) {
	fmt.Fprintf(w, `rt demo: a shop service under supervision, %v of load at %d orders/s (seed %d).

%s
Midway the exchange-rate API goes down: fx-api fails more often than gateway
allows, gateway gives up and exits, and shop restarts the gateway subtree.
Below, the runtime's own log (zerolog console output, Info level and above):
supervisor=<pid> is the supervisor of the tree above that acted (a restarted
process, supervisors included, comes back with a new PID).

`, cfg.Duration, cfg.Rate, cfg.Seed, tree)
}

// notes describes the tree at start, by child ID.
func notes() map[string]string {
	spec := func(s supervisor.Spec) string {
		return fmt.Sprintf("%v, %d restarts per %v", s.Strategy, s.Intensity, s.Period)
	}
	return map[string]string{
		"shop":     spec(shopSpec) + ": restarts whichever child fails",
		"orders":   "order intake: panics on a malformed order (a bug)",
		"payments": spec(paymentsSpec) + ": the payment workers",
		"payment":  "charges cards: panics when the card processor glitches",
		"gateway":  spec(gatewaySpec) + "; beyond that, escalates to shop",
		"fx-api":   "exchange-rate API client: exits with an error when a call fails",
	}
}

// isTerminal reports whether w is a terminal, to colour the log.
func isTerminal(w io.Writer) bool {
	if os.Getenv("NO_COLOR") != "" {
		return false
	}
	f, ok := w.(*os.File)
	if !ok {
		return false
	}
	fi, err := f.Stat()
	return err == nil && fi.Mode()&os.ModeCharDevice != 0
}

// serveObserver serves the observer's page for sys on a free port of
// 127.0.0.1 and returns its URL, and a func that stops the server (a page
// still open ends its stream once the system has shut down).
func serveObserver(sys *system.System) (string, func(), error) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return "", nil, err
	}
	mux := http.NewServeMux()
	mux.Handle("/debug/rt/", observer.Handler(sys))
	srv := &http.Server{Handler: mux, ReadHeaderTimeout: 5 * time.Second}
	done := make(chan struct{})
	go func() {
		defer close(done)
		_ = srv.Serve(ln) // returns ErrServerClosed once stopped
	}()
	stop := func() {
		ctx, cancel := context.WithTimeout(context.Background(), 3*time.Second)
		defer cancel()
		if srv.Shutdown(ctx) != nil {
			_ = srv.Close()
		}
		<-done
	}
	return "http://" + ln.Addr().String() + "/debug/rt/", stop, nil
}

// finalTree renders the supervision tree from one snapshot, as the
// observer shows it.
func finalTree(sys *system.System) string {
	snap := sys.Snapshot()
	var b strings.Builder
	_ = observer.WriteText(&b, observer.BuildTree(&snap, observer.TreeOptions{MaxChildren: 20}))
	return b.String()
}
