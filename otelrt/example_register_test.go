package otelrt_test

import (
	"context"
	"fmt"

	sdkmetric "go.opentelemetry.io/otel/sdk/metric"
	"go.opentelemetry.io/otel/sdk/metric/metricdata"

	"github.com/airssys/rt/actor"
	"github.com/airssys/rt/otelrt"
	"github.com/airssys/rt/system"
)

// Register reports a system's Stats through any MeterProvider; here the
// SDK's manual reader collects them once.
func ExampleRegister() {
	ctx := context.Background()
	sys := system.New(system.WithMetrics(system.MetricsConfig{}))
	defer sys.Shutdown(ctx)
	reader := sdkmetric.NewManualReader()
	provider := sdkmetric.NewMeterProvider(sdkmetric.WithReader(reader))
	defer provider.Shutdown(ctx)
	metrics, err := otelrt.Register(sys, provider)
	if err != nil {
		panic(err)
	}
	defer metrics.Close()

	for range 3 {
		if _, err := sys.Spawn(actor.Func(func(actor.Context, any) {}), actor.WithKind("worker")); err != nil {
			panic(err)
		}
	}

	var rm metricdata.ResourceMetrics
	if err := reader.Collect(ctx, &rm); err != nil {
		panic(err)
	}
	for _, sm := range rm.ScopeMetrics {
		for _, m := range sm.Metrics {
			if g, ok := m.Data.(metricdata.Gauge[int64]); ok && m.Name == "rt.processes" {
				for _, p := range g.DataPoints {
					kind, _ := p.Attributes.Value(otelrt.KeyKind)
					fmt.Printf("%s{kind=%s} %d\n", m.Name, kind.AsString(), p.Value)
				}
			}
		}
	}
	// Output:
	// rt.processes{kind=worker} 3
}
