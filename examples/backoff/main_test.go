package main

import (
	"bytes"
	"strings"
	"testing"
	"testing/synctest"
	"time"

	"github.com/stretchr/testify/require"
	"go.uber.org/goleak"
)

func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }

// The example runs in a synctest bubble: its timers and clock are virtual,
// so seconds of backoff pass at once and the timings are exact.
func TestRun(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		cfg := defaultConfig()
		var out bytes.Buffer
		start := time.Now()
		require.NoError(t, run(&out, cfg))
		require.GreaterOrEqual(t, time.Since(start), cfg.downFor, "the child came up before the database")

		var delays []time.Duration
		for _, line := range strings.Split(out.String(), "\n") {
			if _, after, ok := strings.Cut(line, "restart delayed by "); ok {
				d, err := time.ParseDuration(strings.Fields(after)[0])
				require.NoError(t, err, line)
				delays = append(delays, d)
			}
		}
		require.GreaterOrEqual(t, len(delays), 4, out.String())
		want := cfg.backoff.Base
		for i, d := range delays {
			high := want + time.Duration(cfg.backoff.Jitter*float64(want))
			require.True(t, d >= want && d <= high, "delay %d is %v, want %v..%v\n%s", i+1, d, want, high, out.String())
			want = min(2*want, cfg.backoff.Max)
		}
		require.Contains(t, out.String(), "db connected after")
	})
}
