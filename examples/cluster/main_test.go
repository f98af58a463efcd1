package main

import (
	"bytes"
	"regexp"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
	"go.uber.org/goleak"
)

func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }

func TestRun(t *testing.T) {
	var out bytes.Buffer
	require.NoError(t, run(&out, 300*time.Millisecond))
	got := regexp.MustCompile(`\d+(\.\d+)?m?s after`).ReplaceAllString(out.String(), "N after")
	got = regexp.MustCompile(`  worker-\d (exited: noconnection|restarted on c)\n`).ReplaceAllString(got, "")
	require.Equal(t, `nodes a, b, c up (heartbeat T=300ms); supervisor on a
before: worker-1 on b, worker-2 on b, worker-3 on c, worker-4 on c
shutting node b down
after: worker-1 on c, worker-2 on c, worker-3 on c, worker-4 on c
summary: node b left; 2 workers exited with noconnection and 2 were restarted on c, N after b was shut down; every job was answered
`, got)
	require.Equal(t, 2, bytes.Count(out.Bytes(), []byte("exited: noconnection")))
	require.Equal(t, 4, bytes.Count(out.Bytes(), []byte("  worker-")), "one exit and one restart line per worker of b")
}

// The three-program mode, with each program's part run here on a
// goroutine: node a starts the server, b and c join it, a stops b and then
// c through their control processes.
func TestRunAsThreePrograms(t *testing.T) {
	url := make(chan string, 1)
	var aOut bytes.Buffer
	aDone := make(chan error, 1)
	go func() { aDone <- runSupervisor(&aOut, 300*time.Millisecond, "127.0.0.1:0", url) }()
	u := <-url
	hosts := make(chan error, 2)
	for _, name := range []string{"b", "c"} {
		go func() {
			var out bytes.Buffer
			hosts <- runWorkers(&out, name, u, 300*time.Millisecond)
		}()
	}
	require.NoError(t, <-aDone)
	require.NoError(t, <-hosts)
	require.NoError(t, <-hosts)
	require.Contains(t, aOut.String(), "after: worker-1 on c, worker-2 on c, worker-3 on c, worker-4 on c")
	require.Contains(t, aOut.String(), "2 workers exited with noconnection and 2 were restarted on c")
}
