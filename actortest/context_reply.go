package actortest

import (
	"context"

	"github.com/airssys/rt/actor"
)

// Forwarded is a message the handler passed on with Forward (or a Held
// message's Forward): Request says the reply obligation went with it.
type Forwarded struct {
	To      actor.PID
	Msg     any
	Sender  actor.PID
	Request bool
}

// Refused is a message the handler gave up with Refuse (or a Held
// message's Refuse).
type Refused struct {
	Msg    any
	Reason error
}

// Forward implements actor.Context: it records the current message in
// Forwarded, with the Request if it is still unanswered (which then goes
// with it). As the runtime does, a forward that cannot be made (a zero
// PID: actor.ErrZeroPID; a Request forwarded to its own requester:
// actor.ErrRequestSelf) is recorded in Refused with that error, the dead
// letter and the failed request the runtime would make, and returned.
func (c *Context) Forward(to actor.PID) error {
	var err error
	switch {
	case to.IsZero():
		err = actor.ErrZeroPID
	case c.request && to == c.sender:
		err = actor.ErrRequestSelf
	}
	if err != nil {
		c.Refused = append(c.Refused, Refused{Msg: c.msg, Reason: err})
		c.request = false
		return err
	}
	c.Forwarded = append(c.Forwarded, Forwarded{To: to, Msg: c.msg, Sender: c.sender, Request: c.request})
	c.request = false
	return nil
}

// ReplyLater implements actor.Context: it takes the reply to the current
// Request out of the handler as a *DeferredReply, recorded in Deferred;
// actor.ErrNoRequest if the message came without a Request or it was
// answered.
func (c *Context) ReplyLater() (actor.Deferred, error) {
	if !c.request {
		return nil, actor.ErrNoRequest
	}
	c.request = false
	d := &DeferredReply{sender: c.sender, ctx: c.Context()}
	c.Deferred = append(c.Deferred, d)
	return d, nil
}

// Refuse implements actor.Context: it records the current message and
// reason in Refused; an unanswered Request counts as answered.
func (c *Context) Refuse(reason error) error {
	if reason == nil {
		return actor.ErrNilReason
	}
	c.Refused = append(c.Refused, Refused{Msg: c.msg, Reason: reason})
	c.request = false
	return nil
}

// Hold implements actor.Context: it takes the current message, its sender
// and its Request (if unanswered) out of the handler as a *HeldMessage,
// recorded in Held.
func (c *Context) Hold() (actor.Held, error) {
	h := &HeldMessage{c: c, msg: c.msg, sender: c.sender, request: c.request}
	c.request = false
	c.Held = append(c.Held, h)
	return h, nil
}

// Backlog implements actor.Context: it returns Backlogs[pid].
func (c *Context) Backlog(pid actor.PID) int { return c.Backlogs[pid] }

// DeferredReply is the recording Context's actor.Deferred. Replies holds
// what was answered, in order (the first settles it; later calls return
// actor.ErrReplied and are recorded too).
type DeferredReply struct {
	Replies []any
	sender  actor.PID
	ctx     context.Context
}

// Reply records msg; every call after the first returns actor.ErrReplied.
func (d *DeferredReply) Reply(msg any) error {
	d.Replies = append(d.Replies, msg)
	if len(d.Replies) > 1 {
		return actor.ErrReplied
	}
	return nil
}

// Context returns the recording Context's own context.
func (d *DeferredReply) Context() context.Context { return d.ctx }

// Sender returns the requester.
func (d *DeferredReply) Sender() actor.PID { return d.sender }

// HeldMessage is the recording Context's actor.Held: its Forward and
// Refuse are recorded in the Context's Forwarded and Refused, its Reply in
// Replies.
type HeldMessage struct {
	Replies []any
	c       *Context
	msg     any
	sender  actor.PID
	request bool
	settled bool
}

// Message returns the message held.
func (h *HeldMessage) Message() any { return h.msg }

// Sender returns its original sender.
func (h *HeldMessage) Sender() actor.PID { return h.sender }

// Forward records the message in the Context's Forwarded, with the Request
// on the first Forward; after Reply or Refuse it returns actor.ErrReplied.
func (h *HeldMessage) Forward(to actor.PID) error {
	if h.settled {
		return actor.ErrReplied
	}
	if to.IsZero() {
		return actor.ErrZeroPID
	}
	h.c.Forwarded = append(h.c.Forwarded, Forwarded{To: to, Msg: h.msg, Sender: h.sender, Request: h.request})
	h.request = false
	return nil
}

// Reply records msg in Replies; actor.ErrNoRequest if there is no Request
// left to answer.
func (h *HeldMessage) Reply(msg any) error {
	if !h.request {
		return actor.ErrNoRequest
	}
	h.request, h.settled = false, true
	h.Replies = append(h.Replies, msg)
	return nil
}

// Refuse records the message and reason in the Context's Refused; after
// Reply or Refuse it returns actor.ErrReplied.
func (h *HeldMessage) Refuse(reason error) error {
	if h.settled {
		return actor.ErrReplied
	}
	if reason == nil {
		return actor.ErrNilReason
	}
	h.settled, h.request = true, false
	h.c.Refused = append(h.c.Refused, Refused{Msg: h.msg, Reason: reason})
	return nil
}
