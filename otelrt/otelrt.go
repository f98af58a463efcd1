package otelrt

import (
	"context"
	"errors"
	"fmt"
	"math"
	"strconv"
	"sync"

	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/metric"

	"github.com/airssys/rt/system"
)

// ScopeName is the instrumentation scope of the meter the instruments are
// created on.
const ScopeName = "github.com/airssys/rt/otelrt"

// The attribute keys.
const (
	KeyKind       = attribute.Key("kind")
	KeySupervisor = attribute.Key("supervisor")
	KeyReason     = attribute.Key("reason")
	KeyLE         = attribute.Key("le")
)

// The errors of Register.
var (
	ErrNilSystem        = errors.New("otelrt: nil system")
	ErrNilMeterProvider = errors.New("otelrt: nil meter provider")
	// ErrMetricsOff: the system was created without system.WithMetrics,
	// so it keeps no aggregates to report; create it with that option.
	ErrMetricsOff = errors.New("otelrt: the system's metrics are off: create it with system.WithMetrics")
)

// Metrics is the registration of one system's instruments. Its methods are
// safe for concurrent use.
type Metrics struct {
	sys  *system.System
	reg  metric.Registration
	once sync.Once
	err  error

	processes, spawned, exited, delivered, crashed, deadLetters metric.Int64Observable
	queued, fill, handlerSamples, waitSamples                   metric.Int64Observable
	handlerSum, waitSum                                         metric.Float64Observable
	restarts, escalations, giveUps                              metric.Int64Observable
}

// Register creates the system's instruments on a meter of mp named
// ScopeName and registers one callback that reports them all from one
// sys.Stats() per collection. Errors: ErrNilSystem, ErrNilMeterProvider,
// ErrMetricsOff, or the provider's error creating an instrument or
// registering the callback (then nothing stays registered). Call Close to
// unregister; it does not block on the system.
func Register(sys *system.System, mp metric.MeterProvider) (*Metrics, error) {
	if sys == nil {
		return nil, ErrNilSystem
	}
	if mp == nil {
		return nil, ErrNilMeterProvider
	}
	if !sys.Stats().Metrics {
		return nil, ErrMetricsOff
	}
	meter := mp.Meter(ScopeName)
	m := &Metrics{sys: sys}
	var errs []error
	i64c := func(name, unit, desc string) metric.Int64Observable {
		c, err := meter.Int64ObservableCounter(name, metric.WithUnit(unit), metric.WithDescription(desc))
		errs = append(errs, err)
		return c
	}
	i64g := func(name, unit, desc string) metric.Int64Observable {
		g, err := meter.Int64ObservableGauge(name, metric.WithUnit(unit), metric.WithDescription(desc))
		errs = append(errs, err)
		return g
	}
	m.processes = i64g("rt.processes", "{process}", "Live processes, by kind.")
	m.spawned = i64c("rt.processes.spawned", "{process}", "Processes spawned, by kind.")
	m.exited = i64c("rt.processes.exited", "{process}", "Processes exited, by kind and exit-reason class.")
	m.delivered = i64c("rt.messages.delivered", "{message}", "Messages handled, by kind.")
	m.crashed = i64c("rt.messages.crashed", "{message}", "Messages whose handler crashed.")
	m.deadLetters = i64c("rt.dead_letters", "{message}", "Messages that could not be delivered, by reason.")
	m.queued = i64g("rt.mailbox.queued", "{message}", "Messages in the mailboxes, by kind.")
	m.fill = i64g("rt.mailbox.fill", "{process}", "Live processes whose mailbox length over capacity is at most le, by kind.")
	m.handlerSamples = i64c("rt.handler.duration.samples", "{message}", "Sampled handler times of at most le seconds, by kind.")
	f64c := func(name, desc string) metric.Float64Observable {
		c, err := meter.Float64ObservableCounter(name, metric.WithUnit("s"), metric.WithDescription(desc))
		errs = append(errs, err)
		return c
	}
	m.handlerSum = f64c("rt.handler.duration.sum", "Sum of the sampled handler times, by kind.")
	m.waitSamples = i64c("rt.mailbox.wait.samples", "{message}", "Sampled mailbox waits of at most le seconds, by kind.")
	m.waitSum = f64c("rt.mailbox.wait.sum", "Sum of the sampled mailbox waits, by kind.")
	m.restarts = i64c("rt.supervisor.restarts", "{restart}", "Children restarted, by supervisor.")
	m.escalations = i64c("rt.supervisor.escalations", "{escalation}", "Times a supervisor gave up and escalated to its parent, by supervisor.")
	m.giveUps = i64c("rt.supervisor.give_ups", "{give_up}", "Times a supervisor gave up without escalating, by supervisor.")
	if err := errors.Join(errs...); err != nil {
		return nil, fmt.Errorf("otelrt: creating instruments: %w", err)
	}
	reg, err := meter.RegisterCallback(m.observe,
		m.processes, m.spawned, m.exited, m.delivered, m.crashed, m.deadLetters,
		m.queued, m.fill, m.handlerSamples, m.handlerSum, m.waitSamples, m.waitSum,
		m.restarts, m.escalations, m.giveUps)
	if err != nil {
		return nil, fmt.Errorf("otelrt: registering the callback: %w", err)
	}
	m.reg = reg
	return m, nil
}

// Close unregisters the callback: the system's instruments are no longer
// reported from the next collection on. It is idempotent and returns the
// provider's error of the first call.
func (m *Metrics) Close() error {
	m.once.Do(func() { m.err = m.reg.Unregister() })
	return m.err
}

// sat converts a count to the int64 the instruments take.
func sat(n uint64) int64 { return int64(min(n, math.MaxInt64)) }

// bucketLabels returns the "le" values of bounds, "+Inf" last.
func bucketLabels(bounds []float64) []string {
	ls := make([]string, len(bounds)+1)
	for i, b := range bounds {
		ls[i] = strconv.FormatFloat(b, 'g', -1, 64)
	}
	ls[len(bounds)] = "+Inf"
	return ls
}

var (
	fillLabels    = bucketLabels(system.MailboxFillBounds)
	handlerLabels = bucketLabels(system.HandlerTimeBounds)
	waitLabels    = bucketLabels(system.MailboxWaitBounds)
)

func (m *Metrics) observe(_ context.Context, o metric.Observer) error {
	st := m.sys.Stats()
	o.ObserveInt64(m.crashed, sat(st.CrashedMessages))
	for _, r := range system.DeadLetterReasons() {
		o.ObserveInt64(m.deadLetters, sat(st.DeadLettersBy[r]), metric.WithAttributes(KeyReason.String(r.String())))
	}
	for _, k := range st.Kinds {
		if k.Spawned == 0 && k.Kind == system.OtherKind {
			continue // nothing beyond the bound yet
		}
		kind := KeyKind.String(k.Kind)
		attrs := metric.WithAttributes(kind)
		o.ObserveInt64(m.processes, int64(k.Processes), attrs)
		o.ObserveInt64(m.spawned, sat(k.Spawned), attrs)
		for _, c := range system.ExitClasses() {
			o.ObserveInt64(m.exited, sat(k.Exited[c]), metric.WithAttributes(kind, KeyReason.String(c.String())))
		}
		o.ObserveInt64(m.delivered, sat(k.Delivered), attrs)
		o.ObserveInt64(m.queued, sat(k.Queued), attrs)
		observeBuckets(o, m.fill, kind, fillLabels, k.MailboxFill.Counts)
		observeBuckets(o, m.handlerSamples, kind, handlerLabels, k.HandlerTime.Counts)
		o.ObserveFloat64(m.handlerSum, k.HandlerTime.Sum, attrs)
		observeBuckets(o, m.waitSamples, kind, waitLabels, k.MailboxWait.Counts)
		o.ObserveFloat64(m.waitSum, k.MailboxWait.Sum, attrs)
	}
	for _, s := range st.Supervisors {
		attrs := metric.WithAttributes(KeySupervisor.String(s.Supervisor))
		o.ObserveInt64(m.restarts, sat(s.Restarts), attrs)
		o.ObserveInt64(m.escalations, sat(s.Escalations), attrs)
		o.ObserveInt64(m.giveUps, sat(s.GiveUps), attrs)
	}
	return nil
}

// observeBuckets reports counts, one per bucket, as cumulative counts by
// upper bound.
func observeBuckets(o metric.Observer, inst metric.Int64Observable, kind attribute.KeyValue, labels []string, counts []uint64) {
	var cum uint64
	for i, n := range counts {
		cum += n
		o.ObserveInt64(inst, sat(cum), metric.WithAttributes(kind, KeyLE.String(labels[i])))
	}
}
