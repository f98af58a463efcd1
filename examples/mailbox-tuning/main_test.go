package main

import (
	"bytes"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"
	"go.uber.org/goleak"

	"github.com/airssys/rt/mailbox"
)

func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }

func TestRun(t *testing.T) {
	var out bytes.Buffer
	cfg := config{
		messages:   2000,
		work:       200,
		capacities: []int{16, 1024},
		policies:   []mailbox.Policy{mailbox.Backpressure, mailbox.DropNewest, mailbox.DropOldest},
	}
	require.NoError(t, run(&out, cfg)) // run checks handled + dropped == sent itself

	rows := map[string][]string{}
	for _, line := range strings.Split(out.String(), "\n") {
		f := strings.Fields(line)
		if len(f) == 8 && f[0] != "policy" {
			rows[f[0]+"/"+f[1]] = f
		}
	}
	require.Len(t, rows, 6, out.String())
	for _, capacity := range []string{"16", "1024"} {
		bp := rows["backpressure/"+capacity]
		require.Equal(t, "2000", bp[2], "backpressure handles every message")
		require.Equal(t, "0", bp[3], "backpressure drops nothing")
		require.Equal(t, "1999", rows["drop-oldest/"+capacity][4], "drop-oldest always keeps the newest message")
	}
	require.Contains(t, out.String(), "Every dropped message is a dead letter")
}
