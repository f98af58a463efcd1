package main

import (
	"testing"

	"github.com/stretchr/testify/require"
)

// timers reports the heap and goroutines per armed timer, and judges both:
// one goroutine serves every timer.
func TestTimers(t *testing.T) {
	c := tinyConfig()
	rs, err := runTimers(c)
	require.NoError(t, err)
	require.Len(t, rs, 1)
	r := rs[0]
	require.Equal(t, c.timerN, r.N)
	require.NotNil(t, r.BytesPerTimer)
	require.NotNil(t, r.GoroutinesPerTimer)
	require.Positive(t, *r.BytesPerTimer)
	require.LessOrEqual(t, *r.GoroutinesPerTimer*float64(r.N), 1.5, "at most the one timer goroutine for %d timers", r.N)
	of, _ := headline(r)
	require.Equal(t, "bytes_per_timer", of)
	var judged []string
	for _, ch := range evaluate(rs) {
		judged = append(judged, ch.target)
	}
	require.Contains(t, judged, "timers 0 goroutines per armed timer (one timer goroutine for all)")
	require.Contains(t, judged, "timers <= 256 B per armed timer")
}
