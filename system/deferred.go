package system

import (
	"context"
	"sync/atomic"

	"github.com/airssys/rt/actor"
)

// replyLater takes the reply to the Request p is handling out of the
// handler. The request keeps watching p, so p's exit fails it.
func (p *process) replyLater() (actor.Deferred, error) {
	req := p.cur.req
	if req == nil || p.replied {
		return nil, actor.ErrNoRequest
	}
	p.replied = true
	return &deferred{req: req, to: p.cur.from, by: p}, nil
}

// deferred is a reply taken with ReplyLater.
type deferred struct {
	req  *request
	to   actor.PID // the requester, for the dead letters
	by   *process
	done atomic.Bool
}

func (d *deferred) Reply(msg any) error {
	if !d.done.CompareAndSwap(false, true) {
		return actor.ErrReplied
	}
	if !d.req.settle(msg, nil) {
		d.by.sys.deadLetter(d.to, d.by.pid, msg, actor.ErrNoRequest)
	}
	return nil
}

func (d *deferred) Context() context.Context { return d.req.ctx }

func (d *deferred) Sender() actor.PID { return d.to }
