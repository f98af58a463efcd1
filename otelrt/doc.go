// Package otelrt exports a system's metrics to OpenTelemetry.
//
// Register takes a system created with system.WithMetrics and a
// metric.MeterProvider, and registers one callback on one meter for the
// whole system. At each collection the callback reads system.Stats once and
// reports every instrument from it: nothing is recorded on the message
// path, and the cost of a collection grows with the number of live
// processes (the mailbox fill walks them) and of kinds, not with the
// traffic. Close unregisters the callback; a system's metrics are no longer
// reported after it, and nothing of the system is kept alive by the
// provider.
//
// # Instruments
//
// Values that only grow are observable counters, values that go down are
// observable gauges. Attributes are bounded: the actor kind (actor.WithKind,
// or the actor's Go type name; at most system.MaxKinds, the rest counted as
// system.OtherKind), the supervisor (its registered name, else its kind),
// the exit-reason class (system.ExitClass), the dead-letter reason
// (system.DeadLetterReason), and the bucket bound "le" of the
// distributions. No PID is ever an attribute, so the number of series
// depends on the number of kinds and supervisors, not of processes.
//
// The distributions (mailbox fill, sampled handler time and mailbox wait)
// are computed when read, so they are reported as cumulative buckets with
// an "le" attribute, as a Prometheus histogram's buckets are: the
// OpenTelemetry metric API has no observable histogram. docs/metrics.md lists every
// instrument with its unit and attributes.
//
// # Dependencies
//
// The package uses the OpenTelemetry metric API only
// (go.opentelemetry.io/otel/metric); the SDK and an exporter are the
// program's choice.
package otelrt
