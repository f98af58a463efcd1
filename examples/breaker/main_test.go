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
// so the seconds of the outage pass at once. The breaker opens for the
// three workers at once, probes them one at a time, and closes only once
// the database is back and each passed its probation.
func TestRun(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		cfg := defaultConfig()
		var out bytes.Buffer
		start := time.Now()
		require.NoError(t, run(&out, cfg))
		text := out.String()
		up := cfg.downAt + cfg.downFor
		require.GreaterOrEqual(t, time.Since(start), up+3*cfg.breaker.Probation, "closed before every worker passed probation\n%s", text)

		var opened, probes int
		for _, line := range strings.Split(text, "\n") {
			if strings.Contains(line, "opened for") {
				opened++
				require.Contains(t, line, "[orders payments shipping]", "the breaker opens for all three\n%s", text)
			}
			if strings.Contains(line, "probing") {
				probes++
			}
		}
		require.GreaterOrEqual(t, opened, 2, "the breaker opens again while the database is down\n%s", text)
		require.GreaterOrEqual(t, probes, opened+2, "each opening probes one worker, and the last closing probes all three\n%s", text)
		last := text[strings.LastIndex(text, "opened for"):]
		i, j, k := strings.Index(last, "probing orders"), strings.Index(last, "probing payments"), strings.Index(last, "probing shipping")
		require.True(t, 0 < i && i < j && j < k, "probed one at a time, in start order\n%s", text)
		require.Contains(t, text, "breaker db closed: all three up")
	})
}
