package otelrt_test

import (
	"context"
	"testing"

	"github.com/stretchr/testify/require"
	sdkmetric "go.opentelemetry.io/otel/sdk/metric"

	"github.com/airssys/rt/actor"
	"github.com/airssys/rt/otelrt"
	"github.com/airssys/rt/system"
)

// seriesPerKind is how many series a kind has: processes, spawned, five
// exit classes, delivered, queued, 8 mailbox-fill buckets, 12 handler-time
// buckets, the handler-time sum, 12 mailbox-wait buckets and their sum.
const seriesPerKind = 1 + 1 + 5 + 1 + 1 + 8 + 12 + 1 + 12 + 1

// seriesBase is the series every system has: crashed messages and six
// dead-letter reasons.
const seriesBase = 1 + 6

// TestSeriesDependOnKindsNotProcesses spawns and ends churnProcesses
// processes of four kinds (churnProcesses is 1,000,000 without the race
// detector, fewer with it; see series_race_test.go) and checks that the
// number of exported series is the same after the first thousand as at the
// end, and is what the four kinds make.
func TestSeriesDependOnKindsNotProcesses(t *testing.T) {
	ctx := context.Background()
	sys := system.New(system.WithMetrics(system.MetricsConfig{}))
	defer func() { require.NoError(t, sys.Shutdown(ctx)) }()
	reader := sdkmetric.NewManualReader()
	mp := sdkmetric.NewMeterProvider(sdkmetric.WithReader(reader))
	defer func() { require.NoError(t, mp.Shutdown(ctx)) }()
	m, err := otelrt.Register(sys, mp)
	require.NoError(t, err)
	defer func() { require.NoError(t, m.Close()) }()

	kinds := []actor.Option{actor.WithKind("a"), actor.WithKind("b"), actor.WithKind("c"), actor.WithKind("d")}
	nop := actor.Func(func(actor.Context, any) {})
	churn := func(from, to int) {
		for i := from; i < to; i++ {
			pid, err := sys.Spawn(nop, kinds[i%len(kinds)])
			if err != nil {
				t.Fatalf("spawn %d: %v", i, err)
			}
			if err := sys.Kill(pid); err != nil {
				t.Fatalf("kill %d: %v", i, err)
			}
		}
	}
	churn(0, 1000)
	early := series(collect(t, reader))
	require.Equal(t, seriesBase+len(kinds)*seriesPerKind, early)

	churn(1000, churnProcesses)
	pts := collect(t, reader)
	require.Equal(t, early, series(pts), "series after %d processes", churnProcesses)
	var spawned float64
	for _, k := range []string{"a", "b", "c", "d"} {
		spawned += get(t, pts, "rt.processes.spawned", "counter", otelrt.KeyKind.String(k))
	}
	require.Equal(t, float64(churnProcesses), spawned)
}
