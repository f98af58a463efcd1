package observer

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"reflect"
	"sync"
	"time"

	"github.com/airssys/rt/supervisor"
	"github.com/airssys/rt/system"
)

// Observer serves a system's page and JSON endpoints (see ServeHTTP). It
// is safe for concurrent use; make one with New or Handler.
type Observer struct {
	sys *system.System
	cfg config

	// snapMu serialises snapshots, so that pages connected together share
	// one rather than each taking its own.
	snapMu   sync.Mutex
	snap     *system.Snapshot
	snapTook time.Time // real time the cached snapshot was taken
	snapCost time.Duration

	mu      sync.Mutex
	clients int                  // pages connected to the stream
	sub     *system.Subscription // while clients > 0
	events  []Event              // ring of the recent events, oldest first
	seq     uint64               // of the last event kept
}

// Event is a recent supervision event as the page shows it.
type Event struct {
	Seq  uint64    `json:"seq"`
	At   time.Time `json:"at"`
	Type string    `json:"type"`
	Text string    `json:"text"`
}

// New returns an Observer of sys, or an error wrapping ErrInvalidOption
// for an option out of range, or for a nil sys.
func New(sys *system.System, opts ...Option) (*Observer, error) {
	if sys == nil {
		return nil, fmt.Errorf("%w: nil system", ErrInvalidOption)
	}
	c := defaultConfig()
	for _, o := range opts {
		if o != nil {
			o.apply(&c)
		}
	}
	if err := c.validate(); err != nil {
		return nil, err
	}
	return &Observer{sys: sys, cfg: c}, nil
}

// Handler returns an Observer of sys as an http.Handler, to mount under a
// path that ends in a slash:
//
//	mux.Handle("/debug/rt/", observer.Handler(sys))
//
// It panics if an option is out of range or sys is nil, as
// regexp.MustCompile does for a bad pattern: use New to get the error.
func Handler(sys *system.System, opts ...Option) http.Handler {
	o, err := New(sys, opts...)
	if err != nil {
		panic(err)
	}
	return o
}

// snapshot returns a snapshot no older than maxAge (real time), taking
// one if needed, and what taking the last one cost.
func (o *Observer) snapshot(maxAge time.Duration) (*system.Snapshot, time.Duration) {
	o.snapMu.Lock()
	defer o.snapMu.Unlock()
	if o.snap != nil && time.Since(o.snapTook) <= maxAge {
		return o.snap, o.snapCost
	}
	start := time.Now()
	s := o.sys.Snapshot()
	o.snap, o.snapTook, o.snapCost = &s, time.Now(), time.Since(start)
	return o.snap, o.snapCost
}

// join counts a connected page; the first subscribes to the supervision
// events.
func (o *Observer) join() {
	o.mu.Lock()
	defer o.mu.Unlock()
	o.clients++
	if o.clients == 1 {
		o.sub, _ = o.sys.SubscribeBuffered(isSupervisionEvent, 4*o.cfg.events) // the capacity is valid
	}
}

// leave uncounts a page; the last unsubscribes.
func (o *Observer) leave() {
	o.mu.Lock()
	defer o.mu.Unlock()
	o.clients--
	if o.clients == 0 && o.sub != nil {
		o.sub.Close()
		o.sub = nil
	}
}

var supervisorPkg = reflect.TypeFor[supervisor.Info]().PkgPath()

// isSupervisionEvent selects the events the supervisor package publishes.
func isSupervisionEvent(ev any) bool {
	t := reflect.TypeOf(ev)
	return t != nil && t.PkgPath() == supervisorPkg
}

// collect moves the events the subscription holds into the ring. It
// reports false once the system has shut down.
func (o *Observer) collect() bool {
	o.mu.Lock()
	defer o.mu.Unlock()
	if o.sub == nil {
		return true
	}
	ctx, cancel := context.WithCancel(context.Background())
	cancel() // Next returns at once: an event, ctx's error, or the stream's end
	for {
		ev, err := o.sub.Next(ctx)
		if err != nil {
			return errors.Is(err, context.Canceled)
		}
		o.seq++
		e := Event{Seq: o.seq, At: time.Now(), Type: reflect.TypeOf(ev).Name(), Text: fmt.Sprint(ev)}
		if len(o.events) == o.cfg.events {
			copy(o.events, o.events[1:])
			o.events = o.events[:len(o.events)-1]
		}
		o.events = append(o.events, e)
	}
}

// eventsSince returns the kept events after seq.
func (o *Observer) eventsSince(seq uint64) []Event {
	o.mu.Lock()
	defer o.mu.Unlock()
	var out []Event
	for _, e := range o.events {
		if e.Seq > seq {
			out = append(out, e)
		}
	}
	return out
}

// Watching returns how many pages are connected to the live stream.
func (o *Observer) Watching() int {
	o.mu.Lock()
	defer o.mu.Unlock()
	return o.clients
}
