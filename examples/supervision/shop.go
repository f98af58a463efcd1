package main

import (
	"context"
	"fmt"
	"math/rand/v2"
	"sync"
	"time"

	"github.com/airssys/rt/actor"
	"github.com/airssys/rt/mailbox"
	"github.com/airssys/rt/supervisor"
)

// The shop's supervision tree:
//
//	shop                 one_for_one supervisor
//	├── orders           order intake: takes orders, hands each to a payment worker
//	├── payments         simple_one_for_one supervisor of the payment workers
//	│   └── payment-N    charges cards; asks fx-api for exchange rates
//	└── gateway          one_for_one supervisor, escalates beyond its intensity
//	    └── fx-api       client of a flaky external exchange-rate API
//
// Each worker fails in its own way: orders panics on a malformed order,
// a payment worker panics when the card processor glitches, and fx-api
// exits with an error when the upstream API fails. Nothing in the workers
// handles those failures: their supervisors do.

// Messages.
type (
	order struct {
		ID       int
		Customer string
		Items    []int // prices in cents; a malformed order has none
		Currency string
		Card     string
	}
	charge struct {
		Order  order
		Amount int
	}
	quote struct{ Currency string }
)

// Domain events, published by the workers on the system's event stream:
// the demo counts the work done from them, as it counts failures from the
// supervisors' events.
type (
	orderAccepted  struct{ ID int }
	paymentSettled struct {
		ID       int
		Fallback bool // fx-api was unavailable: a cached rate was used
	}
	quoteServed struct{ Currency string }
)

// glitchCard makes the card processor answer garbage.
const glitchCard = "4000-0000-0000-0119"

// orders is the order intake.
type orders struct{ workers int }

func (o *orders) Receive(ctx actor.Context, msg any) {
	m, ok := msg.(order)
	if !ok {
		return
	}
	amount := m.Items[0] // a bug: a malformed order with no items panics here
	for _, p := range m.Items[1:] {
		amount += p
	}
	ctx.Publish(orderAccepted{m.ID})
	// A payment worker that is restarting has no name for a moment: the
	// charge is then a dead letter, counted and reported.
	_ = ctx.SendNamed(fmt.Sprintf("payment-%d", m.ID%o.workers), charge{m, amount})
}

// payment is one payment worker of the pool.
type payment struct{ rates map[string]float64 }

func (p *payment) Receive(ctx actor.Context, msg any) {
	m, ok := msg.(charge)
	if !ok {
		return
	}
	if m.Order.Card == glitchCard {
		panic(fmt.Sprintf("card processor returned garbage for order %d", m.Order.ID))
	}
	fallback := false
	if m.Order.Currency != "USD" {
		rate, err := p.quote(ctx, m.Order.Currency)
		if err == nil {
			p.rates[m.Order.Currency] = rate
		} else {
			fallback = true // fx-api is down or restarting: use the last rate seen
		}
	}
	ctx.Publish(paymentSettled{ID: m.Order.ID, Fallback: fallback})
}

// quote asks fx-api for a rate, waiting at most 100ms.
func (p *payment) quote(ctx actor.Context, currency string) (float64, error) {
	fx, ok := ctx.Whereis("fx-api")
	if !ok {
		return 0, actor.ErrNoProcess
	}
	rctx, cancel := context.WithTimeout(ctx.Context(), 100*time.Millisecond)
	defer cancel()
	v, err := ctx.Request(rctx, fx, quote{currency})
	if err != nil {
		return 0, err // an *actor.ExitError if fx-api failed on this request
	}
	return v.(float64), nil
}

// fxClient calls the external exchange-rate API for the payment workers.
type fxClient struct{ api *upstream }

func (c *fxClient) Receive(ctx actor.Context, msg any) {
	m, ok := msg.(quote)
	if !ok {
		return
	}
	rate, err := c.api.Rate(m.Currency)
	if err != nil {
		ctx.Stop(fmt.Errorf("fx-api: %w", err)) // let it crash: gateway restarts a fresh client
		return
	}
	ctx.Publish(quoteServed{m.Currency})
	_ = ctx.Reply(rate)
}

// upstream stands for the external exchange-rate service: the outside
// world, which fails now and then on its own, and sometimes for a while.
type upstream struct {
	mu       sync.Mutex
	rng      *rand.Rand
	flaky    float64 // share of calls that fail at random
	failNext int     // calls left to fail in the current outage
}

func (u *upstream) Rate(currency string) (float64, error) {
	u.mu.Lock()
	defer u.mu.Unlock()
	if u.failNext > 0 {
		u.failNext--
		return 0, fmt.Errorf("GET /rates/%s: 503 Service Unavailable", currency)
	}
	if u.rng.Float64() < u.flaky {
		return 0, fmt.Errorf("GET /rates/%s: connection reset by peer", currency)
	}
	return 0.9 + u.rng.Float64()/5, nil
}

// Outage makes the next calls fail.
func (u *upstream) Outage(calls int) {
	u.mu.Lock()
	u.failNext = calls
	u.mu.Unlock()
}

// The supervisors' specs, shown at start.
var (
	shopSpec     = supervisor.Spec{Strategy: supervisor.OneForOne, Intensity: 10, Period: 5 * time.Second}
	paymentsSpec = supervisor.Spec{Strategy: supervisor.SimpleOneForOne, Intensity: 10, Period: time.Second}
	gatewaySpec  = supervisor.Spec{Strategy: supervisor.OneForOne, Intensity: 3, Period: 2 * time.Second,
		Escalation: supervisor.Escalate}
)

// shop returns the root supervisor. Every Props.New returns a fresh actor:
// a restart starts from clean state.
func shop(cfg Config, api *upstream) actor.Actor {
	return supervisor.New(shopSpec,
		supervisor.Child{
			ID: "orders",
			Start: actor.PropsOf(func() actor.Actor { return &orders{workers: cfg.Workers} },
				actor.WithName("orders"), actor.WithMailbox(1024, mailbox.Backpressure)),
			Shutdown: supervisor.Timeout(time.Second),
		},
		supervisor.Child{
			ID:   "payments",
			Kind: supervisor.Supervisor,
			Start: actor.PropsOf(func() actor.Actor {
				return supervisor.New(paymentsSpec, supervisor.Child{
					ID:       "payment",
					Shutdown: supervisor.Timeout(time.Second),
					// Each worker gets its slot; a restarted worker gets
					// the same slot, hence the same name.
					StartWith: func(args ...any) actor.Props {
						return actor.PropsOf(func() actor.Actor { return &payment{rates: map[string]float64{}} },
							actor.WithName(fmt.Sprintf("payment-%d", args[0].(int))),
							actor.WithMailbox(256, mailbox.Backpressure))
					},
				})
			}, actor.WithName("payments")),
		},
		supervisor.Child{
			ID:   "gateway",
			Kind: supervisor.Supervisor,
			Start: actor.PropsOf(func() actor.Actor {
				return supervisor.New(gatewaySpec, supervisor.Child{
					ID:       "fx-api",
					Start:    actor.PropsOf(func() actor.Actor { return &fxClient{api: api} }, actor.WithName("fx-api")),
					Shutdown: supervisor.Timeout(time.Second),
				})
			}, actor.WithName("gateway")),
		},
	)
}
