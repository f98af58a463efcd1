package main

import (
	"bytes"
	"regexp"
	"testing"
	"testing/synctest"
	"time"

	"github.com/stretchr/testify/require"
	"go.uber.org/goleak"
)

func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }

// The example runs in a synctest bubble, on virtual time. The connection
// hangs; the worker stays alive but answers nothing; the supervisor's
// probes fail, it kills and restarts the worker within
// Interval × Failures + Timeout of the hang, and the new worker's
// connection answers the lookups again.
func TestRun(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		cfg := defaultConfig()
		var out bytes.Buffer
		require.NoError(t, run(&out, cfg))
		text := out.String()
		require.Contains(t, text, "the worker is alive: true")
		require.Contains(t, text, "db unhealthy after 3 failed probes (supervisor: health probe not answered in time): killing it")
		require.Regexp(t, `lookup k\d+ = k\d+@conn2`, text, "the new worker answers from a new connection")

		m := regexp.MustCompile(`(?m)^\s*(\S+)\s+supervisor: db restarted`).FindStringSubmatch(text)
		require.NotNil(t, m, text)
		at, err := time.ParseDuration(m[1])
		require.NoError(t, err)
		bound := cfg.hangAt + time.Duration(cfg.health.Failures)*cfg.health.Interval + cfg.health.Timeout
		require.Greater(t, at, cfg.hangAt, text)
		require.LessOrEqual(t, at, bound, "restarted later than Interval × Failures + Timeout after the hang\n%s", text)
	})
}
