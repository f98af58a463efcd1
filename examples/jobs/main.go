// Command jobs is a job service: an HTTP endpoint hands each request to a
// router over a supervised pool of workers and answers with the worker's
// reply. A worker panics on poison input; its supervisor restarts it and
// the router routes around it meanwhile. SIGINT shuts the service down
// gracefully: the HTTP server stops taking requests and finishes those
// under way, then the actor system stops.
//
//	go run ./examples/jobs -addr 127.0.0.1:8080
//	curl '127.0.0.1:8080/jobs?input=hello'    # 200 HELLO
//	curl '127.0.0.1:8080/jobs?input=poison'   # 422 the worker crashed on it
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log"
	"net"
	"net/http"
	"os"
	"os/signal"
	"strings"
	"sync/atomic"
	"time"

	"github.com/airssys/rt/actor"
	"github.com/airssys/rt/mailbox"
	"github.com/airssys/rt/router"
	"github.com/airssys/rt/supervisor"
	"github.com/airssys/rt/system"
)

func main() {
	addr := flag.String("addr", "127.0.0.1:8080", "address to listen on")
	workers := flag.Int("workers", 4, "workers in the pool")
	flag.Parse()
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	defer stop()
	if err := run(ctx, *addr, *workers, os.Stdout, nil); err != nil {
		log.Fatal(err)
	}
}

// run serves until ctx ends (SIGINT), then shuts down gracefully. It sends
// the started service on started, if not nil.
func run(ctx context.Context, addr string, workers int, out io.Writer, started chan<- *Service) error {
	svc, err := Start(addr, workers)
	if err != nil {
		return err
	}
	fmt.Fprintf(out, "jobs: listening on http://%s/jobs?input=...\n", svc.Addr())
	if started != nil {
		started <- svc
	}
	<-ctx.Done()
	shut, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	if err := svc.Shutdown(shut); err != nil {
		return err
	}
	fmt.Fprintln(out, "jobs: stopped")
	return nil
}

// job is one unit of work; id tells a job's own crash from another's.
type job struct {
	id    uint64
	input string
}

// poisoned is the panic value of a worker given poison input.
type poisoned struct{ id uint64 }

// worker does a job: the input in upper case. Poison input crashes it.
func worker() actor.Actor {
	return actor.Func(func(ctx actor.Context, msg any) {
		j, ok := msg.(job)
		if !ok {
			return
		}
		if strings.Contains(j.input, "poison") {
			panic(poisoned{j.id})
		}
		_ = ctx.Reply(strings.ToUpper(j.input))
	})
}

// Service is the running job service.
type Service struct {
	sys    *system.System
	router actor.PID
	srv    *http.Server
	ln     net.Listener
	served chan error
	ids    atomic.Uint64
	// Retries counts jobs sent again because they never ran: the worker
	// they were queued at crashed on another job first.
	Retries atomic.Uint64
}

// Start starts the actor system, a least-loaded router over a pool of n
// supervised workers, and the HTTP server on addr. While every worker is
// restarting (a burst of poison), the router holds up to 4096 jobs until
// one is back, so a healthy job never finds "no worker".
func Start(addr string, n int) (*Service, error) {
	sys := system.New()
	r, err := sys.Spawn(router.New(router.Spec{
		Policy: router.LeastLoaded(),
		Pool: &router.Pool{
			Size:       n,
			Worker:     supervisor.Child{ID: "worker", Start: actor.PropsOf(worker), Shutdown: supervisor.Timeout(time.Second)},
			Supervisor: supervisor.Spec{Intensity: 10_000, Period: time.Second},
		},
		Hold: 4096,
	}), actor.WithName("jobs"), actor.WithMailbox(4096, mailbox.Backpressure))
	if err != nil {
		_ = sys.Shutdown(context.Background())
		return nil, err
	}
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		_ = sys.Shutdown(context.Background())
		return nil, err
	}
	s := &Service{sys: sys, router: r, ln: ln, served: make(chan error, 1)}
	mux := http.NewServeMux()
	mux.HandleFunc("/jobs", s.handle)
	s.srv = &http.Server{Handler: mux, ReadHeaderTimeout: 5 * time.Second}
	go func() { s.served <- s.srv.Serve(ln) }()
	return s, nil
}

// Addr is the address the service listens on.
func (s *Service) Addr() string { return s.ln.Addr().String() }

// Shutdown stops taking requests, waits for those under way (bounded by
// ctx), then stops the actors.
func (s *Service) Shutdown(ctx context.Context) error {
	err := s.srv.Shutdown(ctx)
	if serr := <-s.served; !errors.Is(serr, http.ErrServerClosed) && err == nil {
		err = serr
	}
	if serr := s.sys.Shutdown(ctx); err == nil {
		err = serr
	}
	return err
}

// attempts bounds how often a job that never ran is sent again.
const attempts = 100

func (s *Service) handle(w http.ResponseWriter, r *http.Request) {
	j := job{id: s.ids.Add(1), input: r.URL.Query().Get("input")}
	for range attempts {
		// The request's context: a client that goes away ends the wait.
		out, err := actor.Ask[string](r.Context(), s.sys, s.router, j)
		switch {
		case err == nil:
			_, _ = io.WriteString(w, out)
			return
		case crashedOn(err, j.id):
			http.Error(w, "job crashed its worker: poison input", http.StatusUnprocessableEntity)
			return
		case neverRan(err):
			// The worker it was queued at crashed on a job before it
			// (or exited as it was forwarded): it never ran.
			s.Retries.Add(1)
			continue
		default:
			http.Error(w, err.Error(), http.StatusServiceUnavailable)
			return
		}
	}
	http.Error(w, "no worker took the job", http.StatusServiceUnavailable)
}

// crashedOn reports whether err is the exit of a worker that crashed on
// job id.
func crashedOn(err error, id uint64) bool {
	p, ok := poison(err)
	return ok && p.id == id
}

// neverRan reports whether err is the exit of the worker a job was
// handed to, other than a crash on that job: workers here exit only by
// crashing on poison, one job at a time.
func neverRan(err error) bool {
	var ee *actor.ExitError
	return errors.As(err, &ee)
}

func poison(err error) (poisoned, bool) {
	var pe *actor.PanicError
	if !errors.As(err, &pe) {
		return poisoned{}, false
	}
	p, ok := pe.Value.(poisoned)
	return p, ok
}
