package supervisor_test

import (
	"bufio"
	"bytes"
	"encoding/json"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/rs/zerolog"
	"github.com/stretchr/testify/require"

	"github.com/airssys/rt/actor"
	"github.com/airssys/rt/supervisor"
	"github.com/airssys/rt/system"
)

// Every supervision event is a typed value on the event stream, with the
// supervisor, the child and what happened.
func TestEventsAreTypedValues(t *testing.T) {
	bubble(t, func(t *testing.T, sys *system.System) {
		sub := events(sys)
		defer sub.Close()
		w := child("w", nil)
		w.Shutdown = supervisor.Timeout(time.Second)
		stubborn := supervisor.Child{ID: "s", Shutdown: supervisor.Timeout(time.Second),
			Start: (&worker{id: "s", trap: true, onExit: hangOnExit}).props()}
		sup := spawn(t, sys, supervisor.Spec{Intensity: 1, Period: time.Minute}, w, stubborn)
		kids := children(t, sys, sup)
		require.Equal(t, supervisor.ChildStarted{Supervisor: sup, ID: "w", PID: kids["w"]}, next(t, sub))
		require.Equal(t, supervisor.ChildStarted{Supervisor: sup, ID: "s", PID: kids["s"]}, next(t, sub))

		crashChild(t, sys, sup, "w", errBoom)
		require.Equal(t, supervisor.ChildExited{Supervisor: sup, ID: "w", PID: kids["w"], Reason: errBoom}, next(t, sub))
		w2 := next(t, sub).(supervisor.ChildRestarted)
		require.Equal(t, supervisor.ChildRestarted{Supervisor: sup, ID: "w", PID: w2.PID, Restarts: 1}, w2)

		crashChild(t, sys, sup, "w", errBoom)
		require.Equal(t, supervisor.ChildExited{Supervisor: sup, ID: "w", PID: w2.PID, Reason: errBoom}, next(t, sub))
		gave := next(t, sub).(supervisor.GaveUp)
		require.Equal(t, "w", gave.ID)
		require.ErrorAs(t, gave.Reason, new(*supervisor.RestartLimitExceeded))
		require.Equal(t, supervisor.ShutdownTimeout{Supervisor: sup, ID: "s", PID: kids["s"], Timeout: time.Second}, next(t, sub))
		require.Equal(t, supervisor.ChildExited{Supervisor: sup, ID: "s", PID: kids["s"], Reason: actor.Killed}, next(t, sub))
		noEvents(t, sub)
	})
}

// syncBuffer is a bytes.Buffer safe for the logger's concurrent writers.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) lines(t *testing.T) []map[string]any {
	s.mu.Lock()
	defer s.mu.Unlock()
	var out []map[string]any
	sc := bufio.NewScanner(bytes.NewReader(s.b.Bytes()))
	for sc.Scan() {
		var m map[string]any
		require.NoError(t, json.Unmarshal(sc.Bytes(), &m))
		out = append(out, m)
	}
	return out
}

// Each event is also a zerolog line with the fields supervisor, child,
// child_pid, reason and restarts.
func TestEventsAreLogged(t *testing.T) {
	var buf syncBuffer
	logger := zerolog.New(&buf).Level(zerolog.DebugLevel)
	bubble(t, func(t *testing.T, sys *system.System) {
		sub := events(sys)
		defer sub.Close()
		sup := spawn(t, sys, supervisor.Spec{Intensity: 1, Escalation: supervisor.Backoff{Base: time.Second, Max: time.Second}},
			child("w", nil),
			supervisor.Child{ID: "s", Shutdown: supervisor.Timeout(time.Second), Start: (&worker{id: "s", trap: true, onExit: hangOnExit}).props()})
		take(t, sub, 2)
		w := crashChild(t, sys, sup, "w", errBoom)
		until(t, sub, "restarted w")
		crashChild(t, sys, sup, "w", errBoom)
		until(t, sub, "restarted w")
		require.NoError(t, supervisor.TerminateChild(tctx(t), sys, sup, "s"), "the kill is an event, not an error")

		byMsg := map[string][]map[string]any{}
		for _, l := range buf.lines(t) {
			if _, ok := l["supervisor"]; ok {
				msg := l["message"].(string)
				byMsg[msg] = append(byMsg[msg], l)
			}
		}
		started := byMsg["child started"][0]
		require.Equal(t, sup.String(), started["supervisor"])
		require.Equal(t, "debug", started["level"])
		exited := byMsg["child exited"][0]
		require.Equal(t, "warn", exited["level"])
		require.Equal(t, "w", exited["child"])
		require.Equal(t, w.String(), exited["child_pid"])
		require.Equal(t, "boom", exited["reason"])
		restarted := byMsg["child restarted"][1]
		require.Equal(t, "info", restarted["level"])
		require.Equal(t, "w", restarted["child"])
		require.EqualValues(t, 2, restarted["restarts"])
		delayed := byMsg["restart intensity exceeded: restart delayed"][0]
		require.Equal(t, "w", delayed["child"])
		require.EqualValues(t, 1, delayed["restarts"])
		timeout := byMsg["child did not stop in time: killed"][0]
		require.Equal(t, "s", timeout["child"])
		require.NotEmpty(t, timeout["child_pid"])
	}, system.WithLogger(logger))
}

// Giving up is logged at error level with the reason.
func TestGiveUpIsLogged(t *testing.T) {
	var buf syncBuffer
	bubble(t, func(t *testing.T, sys *system.System) {
		sup := spawn(t, sys, supervisor.Spec{Intensity: supervisor.NoRestarts}, child("w", nil))
		down := watch(t, sys, sup)
		crashChild(t, sys, sup, "w", errBoom)
		exitReason(t, down)
		var gave map[string]any
		for _, l := range buf.lines(t) {
			if l["message"] == "restart intensity exceeded: giving up" {
				gave = l
			}
		}
		require.NotNil(t, gave)
		require.Equal(t, "error", gave["level"])
		require.Equal(t, sup.String(), gave["supervisor"])
		require.Equal(t, "w", gave["child"])
		require.Equal(t, (&supervisor.RestartLimitExceeded{Intensity: 0, Period: 5 * time.Second}).Error(), gave["reason"])
	}, system.WithLogger(zerolog.New(&buf)))
}

// Each event describes itself in one line, naming its supervisor, its child
// and what happened.
func TestEventsDescribeThemselves(t *testing.T) {
	tests := []struct {
		ev   fmt.Stringer
		want string
	}{
		{supervisor.ChildStarted{ID: "w"}, `supervisor <0.0>: child "w" started as <0.0>`},
		{supervisor.ChildExited{ID: "w", Reason: errBoom}, `supervisor <0.0>: child "w" (<0.0>) exited: boom`},
		{supervisor.ChildRestarted{ID: "w", Restarts: 2}, `supervisor <0.0>: child "w" restarted as <0.0> (restart 2)`},
		{supervisor.RestartFailed{ID: "w", Err: errBoom}, `supervisor <0.0>: child "w" failed to restart, retrying: boom`},
		{supervisor.RestartDelayed{ID: "w", Delay: time.Second, Attempt: 1},
			`supervisor <0.0>: restart intensity exceeded: restart of child "w" delayed by 1s (attempt 1)`},
		{supervisor.GaveUp{ID: "w", Reason: actor.Shutdown},
			`supervisor <0.0>: restart intensity exceeded after child "w" exited: giving up: ` + actor.Shutdown.Error()},
		{supervisor.ShutdownTimeout{ID: "s", Timeout: time.Second},
			`supervisor <0.0>: child "s" (<0.0>) did not stop within 1s: killed`},
	}
	for _, tt := range tests {
		t.Run(fmt.Sprintf("%T", tt.ev), func(t *testing.T) {
			require.Equal(t, tt.want, tt.ev.String())
		})
	}
}
