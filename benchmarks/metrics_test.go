package main

import (
	"strings"
	"testing"

	"github.com/stretchr/testify/require"
)

// The metrics scenario reports metrics on beside metrics off, and its three
// cost gates are judged.
func TestMetricsGates(t *testing.T) {
	rs, err := runMetrics(tinyConfig())
	require.NoError(t, err)
	require.Len(t, rs, 4)
	addRatios(rs)
	var gates []string
	for _, c := range evaluate(rs) {
		if strings.HasPrefix(c.target, "metrics on:") {
			gates = append(gates, c.target)
		}
	}
	require.Equal(t, []string{
		"metrics on: tell-1to1 >= 0.98x metrics off msgs/s",
		"metrics on: tell-1to1 allocation-free per message",
		"metrics on: restart >= 0.98x metrics off restarts/s",
	}, gates)
}
