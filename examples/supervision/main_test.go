package main

import (
	"bytes"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
	"go.uber.org/goleak"
)

func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }

// The demo, shortened: workers crash and are restarted, gateway escalates
// and shop restarts it, and the summary is printed.
func TestRun(t *testing.T) {
	cfg := DefaultConfig()
	cfg.Duration = 1500 * time.Millisecond
	cfg.Seed = 1
	var out bytes.Buffer
	s, err := run(t.Context(), &out, cfg)
	require.NoError(t, err)

	require.Positive(t, s.Orders, "no order was handled")
	require.Positive(t, s.Payments, "no payment was settled")
	require.Positive(t, s.Crashes(), "no worker crashed")
	require.Positive(t, s.LostToCrashes, "a panicking worker loses the message it was handling, counted")
	require.LessOrEqual(t, s.LostToCrashes, uint64(s.Panics))
	require.Positive(t, s.Restarts["shop/gateway/fx-api"], "fx-api was not restarted: %v", s.Restarts)
	require.Positive(t, s.Restarts["shop/gateway"], "gateway was not restarted: %v", s.Restarts)
	require.NotEmpty(t, s.Escalations, "no escalation")
	e := s.Escalations[0]
	require.Equal(t, "shop/gateway", e.Supervisor)
	require.Equal(t, "fx-api", e.Child)
	require.Equal(t, "shop", e.RestartedBy)

	got := out.String()
	for _, want := range []string{
		"restart intensity exceeded: giving up", // the runtime's log
		"=== Summary",
		"Restarts per child",
		"messages lost in a crashing handler",
		"Escalations: ",
		"Dead letters: ",
		"Observer: http://127.0.0.1:",
		"Final tree\nshop <",
		"└── gateway <",
		"    └── fx-api <",
	} {
		require.Contains(t, got, want)
	}
	require.False(t, strings.Contains(got, "\x1b["), "colour codes in non-terminal output")
}
