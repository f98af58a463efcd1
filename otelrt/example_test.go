package otelrt_test

import (
	"context"
	"fmt"
	"sort"
	"strings"

	promclient "github.com/prometheus/client_golang/prometheus"
	"go.opentelemetry.io/otel/exporters/prometheus"
	sdkmetric "go.opentelemetry.io/otel/sdk/metric"

	"github.com/airssys/rt/actor"
	"github.com/airssys/rt/otelrt"
	"github.com/airssys/rt/system"
)

// A system's metrics exported to Prometheus through the OpenTelemetry
// Prometheus exporter. A program serves the registry with
// promhttp.HandlerFor(registry, promhttp.HandlerOpts{}) on /metrics; the
// example gathers it once and prints a few series.
func Example_prometheus() {
	ctx := context.Background()
	sys := system.New(system.WithMetrics(system.MetricsConfig{}))

	registry := promclient.NewRegistry()
	exporter, err := prometheus.New(prometheus.WithRegisterer(registry), prometheus.WithoutScopeInfo())
	if err != nil {
		panic(err)
	}
	provider := sdkmetric.NewMeterProvider(sdkmetric.WithReader(exporter))
	defer provider.Shutdown(ctx)
	metrics, err := otelrt.Register(sys, provider)
	if err != nil {
		panic(err)
	}
	defer metrics.Close()

	echo, err := sys.Spawn(actor.Func(func(ctx actor.Context, msg any) { _ = ctx.Reply(msg) }), actor.WithKind("echo"))
	if err != nil {
		panic(err)
	}
	for i := range 3 {
		if _, err := sys.Request(ctx, echo, i); err != nil {
			panic(err)
		}
	}
	_ = sys.Stop(ctx, echo)
	_ = sys.Send(echo, "late") // a dead letter

	families, err := registry.Gather()
	if err != nil {
		panic(err)
	}
	var lines []string
	for _, f := range families {
		switch f.GetName() {
		case "rt_processes_spawned_total", "rt_messages_delivered_total", "rt_processes_exited_total", "rt_dead_letters_total":
		default:
			continue
		}
		for _, m := range f.GetMetric() {
			var labels []string
			for _, l := range m.GetLabel() {
				labels = append(labels, l.GetName()+"="+l.GetValue())
			}
			v := m.GetCounter().GetValue()
			if v == 0 {
				continue
			}
			lines = append(lines, fmt.Sprintf("%s{%s} %v", f.GetName(), strings.Join(labels, ","), v))
		}
	}
	sort.Strings(lines)
	for _, l := range lines {
		fmt.Println(l)
	}
	_ = sys.Shutdown(ctx)
	// Output:
	// rt_dead_letters_total{reason=no_process} 1
	// rt_messages_delivered_total{kind=echo} 3
	// rt_processes_exited_total{kind=echo,reason=shutdown} 1
	// rt_processes_spawned_total{kind=echo} 1
}
