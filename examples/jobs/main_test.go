package main

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
	"go.uber.org/goleak"
)

func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }

// A burst of poison jobs mixed with healthy ones: every healthy job is
// answered with its result, every poison job with 422, and after the
// graceful shutdown nothing is left running.
func TestPoisonBurst(t *testing.T) {
	ctx, cancel := context.WithCancel(t.Context())
	defer cancel()
	var out bytes.Buffer
	started := make(chan *Service, 1)
	done := make(chan error, 1)
	go func() { done <- run(ctx, "127.0.0.1:0", 4, &out, started) }()
	var svc *Service
	select {
	case svc = <-started:
	case err := <-done:
		t.Fatal(err)
	}

	client := &http.Client{Transport: &http.Transport{MaxIdleConnsPerHost: 32}, Timeout: 10 * time.Second}
	defer client.CloseIdleConnections()
	const poison, healthy, clients = 300, 300, 32
	type result struct {
		input, body string
		code        int
		err         error
	}
	inputs := make(chan string, poison+healthy)
	for i := range poison + healthy {
		if i%2 == 0 {
			inputs <- fmt.Sprint("poison-", i)
		} else {
			inputs <- fmt.Sprint("job-", i)
		}
	}
	close(inputs)
	results := make(chan result, poison+healthy)
	var wg sync.WaitGroup
	for range clients {
		wg.Go(func() {
			for in := range inputs {
				resp, err := client.Get("http://" + svc.Addr() + "/jobs?input=" + url.QueryEscape(in))
				if err != nil {
					results <- result{input: in, err: err}
					continue
				}
				b, err := io.ReadAll(resp.Body)
				resp.Body.Close()
				results <- result{in, string(b), resp.StatusCode, err}
			}
		})
	}
	wg.Wait()
	close(results)
	var answered, refused int
	for r := range results {
		require.NoError(t, r.err, r.input)
		if strings.HasPrefix(r.input, "poison") {
			require.Equal(t, http.StatusUnprocessableEntity, r.code, "%s: %s", r.input, r.body)
			refused++
			continue
		}
		require.Equal(t, http.StatusOK, r.code, "%s: %s", r.input, r.body)
		require.Equal(t, strings.ToUpper(r.input), r.body)
		answered++
	}
	require.Equal(t, healthy, answered, "every healthy job is answered")
	require.Equal(t, poison, refused)
	t.Logf("%d healthy jobs answered, %d poison jobs refused, %d sent again after a neighbour's crash",
		answered, refused, svc.Retries.Load())

	client.CloseIdleConnections()
	cancel() // as SIGINT does
	require.NoError(t, <-done)
	require.Contains(t, out.String(), "jobs: stopped")
	_, err := client.Get("http://" + svc.Addr() + "/jobs?input=late")
	require.Error(t, err, "the server is closed")
}
