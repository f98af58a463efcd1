package actor_test

import (
	"math"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/airssys/rt/actor"
	"github.com/airssys/rt/mailbox"
)

// Every numeric option is checked against the range the runtime stores it
// in, so no value is silently truncated.
func TestNumericOptionsInRange(t *testing.T) {
	for _, tc := range []struct {
		name string
		opt  actor.Option
		ok   bool
	}{
		{"throughput 1", actor.WithThroughput(1), true},
		{"throughput max", actor.WithThroughput(actor.MaxThroughput), true},
		{"throughput 0", actor.WithThroughput(0), false},
		{"throughput -1", actor.WithThroughput(-1), false},
		{"throughput 1<<32", actor.WithThroughput(1 << 32), false},
		{"throughput max+1", actor.WithThroughput(actor.MaxThroughput + 1), false},
		{"throughput MaxInt", actor.WithThroughput(math.MaxInt), false},
		{"capacity 1", actor.WithMailbox(1, mailbox.Backpressure), true},
		{"capacity MaxInt", actor.WithMailbox(math.MaxInt, mailbox.DropNewest), true},
		{"capacity 0", actor.WithMailbox(0, mailbox.Backpressure), false},
		{"capacity MinInt", actor.WithMailbox(math.MinInt, mailbox.Backpressure), false},
		{"init timeout 0", actor.WithInitTimeout(0), false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := actor.NewConfig(tc.opt)
			if tc.ok {
				require.NoError(t, err)
				return
			}
			require.ErrorIs(t, err, actor.ErrInvalidOption)
		})
	}
}
