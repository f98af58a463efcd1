package main

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"runtime"
	"strconv"
	"strings"
	"syscall"
	"time"

	"github.com/airssys/rt/actor"
	"github.com/airssys/rt/observer"
	"github.com/airssys/rt/system"
)

// cpuTime is the CPU time (user and system) the program has used.
func cpuTime() (time.Duration, error) {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0, err
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano()), nil
}

// cpuOver returns the CPU time the program used over window.
func cpuOver(window time.Duration) (time.Duration, error) {
	before, err := cpuTime()
	if err != nil {
		return 0, err
	}
	time.Sleep(window) // the measurement window: the program is idle but for what is measured
	after, err := cpuTime()
	return after - before, err
}

// obsUpdates is how many updates of the stream the watched window spans:
// the first, sent on connecting, and two more at the pace the budget sets.
const obsUpdates = 3

// runObserver measures what a page open on the observer costs: a system
// of c.obsN idle processes (the children of one supervisor) is left alone
// for c.obsWindow, to measure what it costs unwatched, then watched by one
// live stream (api/stream, read and discarded as a browser would) from
// connecting until its obsUpdates-th update, so that the window holds the
// spacing of the updates and not only the first. The cost is the
// program's CPU time over the watched window less the unwatched rate over
// as long, as a share of one core: the snapshots, the trees, the JSON, the
// event collection, the garbage collection they cause, and the HTTP
// serving. It also reports how long one snapshot of the system takes and
// how far apart the budget spaced the updates.
func runObserver(c config) ([]Result, error) {
	sys := system.New()
	defer func() {
		ctx, cancel := context.WithTimeout(context.Background(), c.timeout)
		defer cancel()
		_ = sys.Shutdown(ctx)
	}()
	if _, err := spawnWide(c, sys, c.obsN); err != nil {
		return nil, err
	}
	start := time.Now()
	if n := len(sys.Snapshot().Processes); n != c.obsN+1 {
		return nil, fmt.Errorf("observer: snapshot holds %d processes, want %d", n, c.obsN+1)
	}
	snapshot := time.Since(start)
	runtime.GC()

	idle, err := cpuOver(c.obsWindow)
	if err != nil {
		return nil, err
	}
	idleRate := float64(idle) / float64(c.obsWindow)
	cpu0, err := cpuTime()
	if err != nil {
		return nil, err
	}
	t0 := time.Now()

	obs, err := observer.New(sys)
	if err != nil {
		return nil, err
	}
	mux := http.NewServeMux()
	mux.Handle("/debug/rt/", obs)
	srv := httptest.NewServer(mux)
	defer srv.Close()
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, srv.URL+"/debug/rt/api/stream", nil)
	if err != nil {
		return nil, err
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return nil, err
	}
	type seen struct {
		updates int
		nextMS  int64
		err     error
	}
	done := make(chan seen, 1)
	updated := make(chan struct{}, obsUpdates+1)
	go func() { // the page: reads the stream, keeps only what it reports
		defer resp.Body.Close()
		var s seen
		r := bufio.NewReaderSize(resp.Body, 1<<16)
		update := false
		for {
			line, err := r.ReadSlice('\n')
			if errors.Is(err, bufio.ErrBufferFull) {
				continue // the rest of a long data line
			}
			if err != nil {
				if ctx.Err() == nil {
					s.err = err
				}
				done <- s
				return
			}
			switch {
			case strings.HasPrefix(string(line), "event: update"):
				update = true
				s.updates++
				if s.updates <= obsUpdates {
					updated <- struct{}{}
				}
			case update && len(line) > 64:
				tail := string(line[len(line)-64:])
				if i := strings.Index(tail, `"next_ms":`); i >= 0 {
					num := tail[i+len(`"next_ms":`):]
					if j := strings.IndexByte(num, ','); j >= 0 {
						s.nextMS, _ = strconv.ParseInt(num[:j], 10, 64)
					}
				}
				update = false
			}
		}
	}()
	timeout := time.After(c.timeout)
	for range obsUpdates {
		select {
		case <-updated:
		case <-timeout:
			cancel()
			return nil, fmt.Errorf("observer: fewer than %d updates within %v", obsUpdates, c.timeout)
		}
	}
	cpu1, err := cpuTime()
	if err != nil {
		return nil, err
	}
	window := time.Since(t0)
	if obs.Watching() != 1 {
		return nil, fmt.Errorf("observer: %d pages connected, want 1", obs.Watching())
	}
	cancel()
	s := <-done
	if s.err != nil {
		return nil, fmt.Errorf("observer: reading the stream: %w", s.err)
	}
	if s.updates == 0 {
		return nil, errors.New("observer: no update within the window")
	}
	pct := 100 * (float64(cpu1-cpu0)/float64(window) - idleRate)
	return []Result{{
		Scenario: "observer", Impl: implRuntime, Mailbox: actor.DefaultCapacity, N: c.obsN, Reps: 1,
		CorePercent: ptr(pct), SnapshotMS: ptr(float64(snapshot.Microseconds()) / 1000),
		UpdateEverySec: ptr(float64(s.nextMS) / 1000), Updates: ptr(float64(s.updates)),
	}}, nil
}
