package observer_test

import (
	"bufio"
	"context"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/airssys/rt/actor"
	"github.com/airssys/rt/observer"
	"github.com/airssys/rt/supervisor"
	"github.com/airssys/rt/system"
)

// waitLimit bounds every wait in these tests: reaching it is a failure.
const waitLimit = 10 * time.Second

// live is a running system with a supervisor "app" (workers db and
// cache) served by an observer mounted at /debug/rt/.
type live struct {
	sys *system.System
	app actor.PID
	srv *httptest.Server
	obs *observer.Observer
}

func newLive(t *testing.T, opts ...observer.Option) *live {
	t.Helper()
	sys := system.New()
	app, err := sys.Spawn(supervisor.New(supervisor.Spec{Intensity: 100, Period: time.Minute},
		supervisor.Child{ID: "db", Start: workerProps()},
		supervisor.Child{ID: "cache", Start: workerProps()}), actor.WithName("app"))
	require.NoError(t, err)
	obs, err := observer.New(sys, append([]observer.Option{observer.WithInterval(20 * time.Millisecond)}, opts...)...)
	require.NoError(t, err)
	mux := http.NewServeMux()
	mux.Handle("/debug/rt/", obs)
	l := &live{sys: sys, app: app, srv: httptest.NewServer(mux), obs: obs}
	t.Cleanup(func() {
		l.srv.Close() // waits for the handlers, streams included
		ctx, cancel := context.WithTimeout(context.Background(), waitLimit)
		defer cancel()
		require.NoError(t, sys.Shutdown(ctx))
	})
	return l
}

func (l *live) get(t *testing.T, path string) (int, string) {
	t.Helper()
	resp, err := http.Get(l.srv.URL + "/debug/rt/" + path)
	require.NoError(t, err)
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	require.NoError(t, err)
	return resp.StatusCode, string(b)
}

func (l *live) post(t *testing.T, form url.Values) (int, string) {
	t.Helper()
	resp, err := http.PostForm(l.srv.URL+"/debug/rt/api/action", form)
	require.NoError(t, err)
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	require.NoError(t, err)
	return resp.StatusCode, string(b)
}

func TestPageIsEmbedded(t *testing.T) {
	l := newLive(t)
	for _, p := range []string{"", "index.html"} {
		code, body := l.get(t, p)
		require.Equal(t, http.StatusOK, code)
		require.Contains(t, body, "<title>rt observer</title>")
		require.Contains(t, body, `new EventSource("api/stream?"`)
		require.NotContains(t, body, "http://", "no CDN: the page loads nothing from elsewhere")
		require.NotContains(t, body, "https://")
	}
	code, _ := l.get(t, "favicon.ico")
	require.Equal(t, http.StatusNotFound, code)
	code, _ = l.get(t, "api/nothing")
	require.Equal(t, http.StatusNotFound, code)
}

func TestTreeEndpoint(t *testing.T) {
	l := newLive(t)
	code, body := l.get(t, "api/tree")
	require.Equal(t, http.StatusOK, code)
	var tree observer.Tree
	require.NoError(t, json.Unmarshal([]byte(body), &tree))
	require.Len(t, tree.Roots, 1)
	app := tree.Roots[0]
	require.Equal(t, l.app.String(), app.PID)
	require.Equal(t, "supervisor", app.Kind)
	require.Equal(t, "one_for_one", app.Strategy)
	require.Len(t, app.Children, 2)
	require.Equal(t, "db", app.Children[0].ID)
	require.Equal(t, "running", app.Children[0].State)

	code, body = l.get(t, "api/tree?format=text&max=1")
	require.Equal(t, http.StatusOK, code)
	require.Contains(t, body, "app "+l.app.String()+" supervisor one_for_one 100/1m0s escalate")
	require.Contains(t, body, "└── … 1 more")

	code, body = l.get(t, "api/tree?format=dot&links=1")
	require.Equal(t, http.StatusOK, code)
	require.True(t, strings.HasPrefix(body, "digraph supervision {"))

	for _, bad := range []string{"api/tree?format=svg", "api/tree?max=-1", "api/tree?max=x"} {
		code, body = l.get(t, bad)
		require.Equal(t, http.StatusBadRequest, code, bad)
		require.Contains(t, body, "observer:")
	}
}

func TestProcessesEndpoint(t *testing.T) {
	l := newLive(t)
	db := childPIDs(t, l.sys, l.app)["db"]
	for range 3 { // db is restarted three times
		mon, err := l.sys.Monitor(db)
		require.NoError(t, err)
		require.NoError(t, l.sys.Send(db, crash{errors.New("boom")}))
		ctx, cancel := context.WithTimeout(context.Background(), waitLimit)
		_, err = mon.Wait(ctx)
		cancel()
		require.NoError(t, err)
		db = waitChild(t, l.sys, l.app, "db", db)
	}
	code, body := l.get(t, "api/processes?sort=restarts&limit=1")
	require.Equal(t, http.StatusOK, code)
	var tb observer.Table
	require.NoError(t, json.Unmarshal([]byte(body), &tb))
	require.Equal(t, 3, tb.Total)
	require.Len(t, tb.Rows, 1)
	require.Equal(t, db.String(), tb.Rows[0].PID)
	require.Equal(t, 3, tb.Rows[0].Restarts)
	require.Equal(t, "running", tb.Rows[0].State)

	code, body = l.get(t, "api/processes?sort=pid&offset=1&limit=5")
	require.Equal(t, http.StatusOK, code)
	require.NoError(t, json.Unmarshal([]byte(body), &tb))
	require.Len(t, tb.Rows, 2)

	for _, bad := range []string{"sort=name", "limit=5000", "offset=-1", "limit=x"} {
		code, body = l.get(t, "api/processes?"+bad)
		require.Equal(t, http.StatusBadRequest, code, bad)
		require.Contains(t, body, "observer:")
	}
}

// waitChild waits until child id of sup runs under a PID other than old.
func waitChild(t *testing.T, sys *system.System, sup actor.PID, id string, old actor.PID) actor.PID {
	t.Helper()
	deadline := time.Now().Add(waitLimit)
	for time.Now().Before(deadline) {
		st, err := sys.Inspect(sup)
		require.NoError(t, err)
		for _, c := range st.Description.(supervisor.Info).Children {
			if c.ID == id && !c.PID.IsZero() && c.PID != old && c.State == supervisor.Running {
				return c.PID
			}
		}
		// The supervisor restarts the child on its own goroutine; asking it
		// (a request) waits for it to have handled the exit.
		_, err = supervisor.CountChildren(context.Background(), sys, sup)
		require.NoError(t, err)
	}
	t.Fatalf("child %s not restarted within %v", id, waitLimit)
	return actor.PID{}
}

func TestStatsEndpoint(t *testing.T) {
	l := newLive(t)
	dead := actor.NewPID(l.app.System(), l.app.ID()+1000)
	require.Error(t, l.sys.Send(dead, "lost"))
	code, body := l.get(t, "api/stats")
	require.Equal(t, http.StatusOK, code)
	var st observer.Stats
	require.NoError(t, json.Unmarshal([]byte(body), &st))
	require.Equal(t, 3, st.Processes)
	require.Equal(t, uint64(1), st.DeadLetters)
	require.Equal(t, uint64(1), st.DeadLettersBy["no_process"])
	require.Len(t, st.DeadLettersBy, len(system.DeadLetterReasons()))
}

// sse reads Server-Sent Events.
type sse struct {
	r *bufio.Reader
}

func (s *sse) next(t *testing.T) (string, string) {
	t.Helper()
	var name, data string
	for {
		line, err := s.r.ReadString('\n')
		require.NoError(t, err, "reading the stream")
		line = strings.TrimRight(line, "\n")
		switch {
		case line == "" && name != "":
			return name, data
		case strings.HasPrefix(line, "event: "):
			name = line[len("event: "):]
		case strings.HasPrefix(line, "data: "):
			data = line[len("data: "):]
		}
	}
}

func (s *sse) until(t *testing.T, name string, ok func(data string) bool) string {
	t.Helper()
	for {
		n, d := s.next(t)
		if n == name && ok(d) {
			return d
		}
	}
}

func openStream(t *testing.T, l *live, query string) (*sse, context.CancelFunc) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), waitLimit)
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, l.srv.URL+"/debug/rt/api/stream?"+query, nil)
	require.NoError(t, err)
	resp, err := http.DefaultClient.Do(req)
	require.NoError(t, err)
	require.Equal(t, "text/event-stream", resp.Header.Get("Content-Type"))
	t.Cleanup(func() { resp.Body.Close() })
	return &sse{r: bufio.NewReader(resp.Body)}, cancel
}

// The stream sends updates and the supervision events of a crash; events
// are collected only while a page is connected, and the subscription goes
// when the last page leaves.
func TestStream(t *testing.T) {
	l := newLive(t)
	code, body := l.get(t, "api/events")
	require.Equal(t, http.StatusOK, code)
	require.JSONEq(t, `{"collecting": false, "events": []}`, body)

	s, cancel := openStream(t, l, "sort=received&limit=2")
	defer cancel()
	var u struct {
		Tree  observer.Tree  `json:"tree"`
		Table observer.Table `json:"table"`
		Stats observer.Stats `json:"stats"`
	}
	_, data := s.next(t)
	require.NoError(t, json.Unmarshal([]byte(data), &u))
	require.Len(t, u.Tree.Roots, 1)
	require.Equal(t, "received", u.Table.Sort)
	require.Len(t, u.Table.Rows, 2)
	require.Equal(t, 3, u.Stats.Processes)
	require.Equal(t, 1, l.obs.Watching())

	cache := childPIDs(t, l.sys, l.app)["cache"]
	require.NoError(t, l.sys.Send(cache, crash{errors.New("boom")}))
	data = s.until(t, "events", func(d string) bool { return strings.Contains(d, "restarted") })
	require.Contains(t, data, `"type":"ChildRestarted"`)
	data = s.until(t, "update", func(d string) bool { return strings.Contains(d, `"restarts":1`) })
	require.NoError(t, json.Unmarshal([]byte(data), &u))
	require.Equal(t, "cache", u.Tree.Roots[0].Children[1].ID)
	require.Equal(t, "running", u.Tree.Roots[0].Children[1].State)
	require.Equal(t, "boom", u.Tree.Roots[0].Children[1].LastExit)

	_, body = l.get(t, "api/events")
	require.Contains(t, body, `"collecting":true`)
	require.Contains(t, body, `"type":"ChildExited"`)

	cancel()
	l.srv.Close() // returns once the stream's handler has ended
	require.Equal(t, 0, l.obs.Watching())
}

// A stream ends once the system has shut down, telling the page so.
func TestStreamEndsWithShutdown(t *testing.T) {
	l := newLive(t)
	s, cancel := openStream(t, l, "")
	defer cancel()
	s.until(t, "update", func(string) bool { return true })
	ctx, stop := context.WithTimeout(context.Background(), waitLimit)
	defer stop()
	require.NoError(t, l.sys.Shutdown(ctx))
	data := s.until(t, "stopped", func(string) bool { return true })
	require.Contains(t, data, "shut down")
	_, err := s.r.ReadString('\n')
	require.ErrorIs(t, err, io.EOF, "the stream ends")
}

func TestActionsOffByDefault(t *testing.T) {
	l := newLive(t)
	db := childPIDs(t, l.sys, l.app)["db"]
	code, body := l.post(t, url.Values{"action": {"kill"}, "pid": {db.String()}})
	require.Equal(t, http.StatusForbidden, code)
	require.Contains(t, body, "WithActions")
	require.True(t, l.sys.Alive(db))
}

func TestActions(t *testing.T) {
	l := newLive(t, observer.WithActions())
	kids := childPIDs(t, l.sys, l.app)

	code, body := l.post(t, url.Values{"action": {"restart"}, "supervisor": {l.app.String()}, "id": {"db"}})
	require.Equal(t, http.StatusOK, code, body)
	require.False(t, l.sys.Alive(kids["db"]))
	require.NotEqual(t, kids["db"], childPIDs(t, l.sys, l.app)["db"])

	mon, err := l.sys.Monitor(kids["cache"])
	require.NoError(t, err)
	code, body = l.post(t, url.Values{"action": {"kill"}, "pid": {kids["cache"].String()}})
	require.Equal(t, http.StatusOK, code, body)
	ctx, cancel := context.WithTimeout(context.Background(), waitLimit)
	defer cancel()
	d, err := mon.Wait(ctx)
	require.NoError(t, err)
	require.ErrorIs(t, d.Reason, actor.Killed)

	other, err := l.sys.Spawn(actor.Func(func(actor.Context, any) {}))
	require.NoError(t, err)
	code, body = l.post(t, url.Values{"action": {"stop"}, "pid": {other.String()}})
	require.Equal(t, http.StatusOK, code, body)
	require.False(t, l.sys.Alive(other))

	tests := []struct {
		form url.Values
		code int
	}{
		{url.Values{"action": {"explode"}}, http.StatusBadRequest},
		{url.Values{"action": {"kill"}, "pid": {"42"}}, http.StatusBadRequest},
		{url.Values{"action": {"stop"}, "pid": {other.String()}}, http.StatusConflict},
		{url.Values{"action": {"restart"}, "supervisor": {l.app.String()}, "id": {"nope"}}, http.StatusConflict},
	}
	for _, tt := range tests {
		code, body := l.post(t, tt.form)
		require.Equal(t, tt.code, code, "%v: %s", tt.form, body)
	}
	resp, err := http.Get(l.srv.URL + "/debug/rt/api/action")
	require.NoError(t, err)
	resp.Body.Close()
	require.Equal(t, http.StatusMethodNotAllowed, resp.StatusCode)
}

func TestNewRefusesBadOptions(t *testing.T) {
	sys := system.New()
	defer func() { require.NoError(t, sys.Shutdown(context.Background())) }()
	for _, o := range []observer.Option{
		observer.WithInterval(time.Millisecond), observer.WithBudget(0), observer.WithBudget(2),
		observer.WithMaxChildren(0), observer.WithEvents(0),
	} {
		_, err := observer.New(sys, o)
		require.ErrorIs(t, err, observer.ErrInvalidOption)
	}
	_, err := observer.New(nil)
	require.ErrorIs(t, err, observer.ErrInvalidOption)
	require.Panics(t, func() { observer.Handler(sys, observer.WithEvents(-1)) })
	require.NotNil(t, observer.Handler(sys))
}

func TestParsePID(t *testing.T) {
	tests := []struct {
		in   string
		want actor.PID
		ok   bool
	}{
		{"<1.42>", actor.NewPID(1, 42), true},
		{" <3.7> ", actor.NewPID(3, 7), true},
		{"<1.0>", actor.PID{}, false},
		{"1.42", actor.PID{}, false},
		{"<1.42", actor.PID{}, false},
		{"<x.1>", actor.PID{}, false},
		{"<70000.1>", actor.PID{}, false},
		{"", actor.PID{}, false},
	}
	for _, tt := range tests {
		got, err := observer.ParsePID(tt.in)
		if !tt.ok {
			require.Error(t, err, tt.in)
			continue
		}
		require.NoError(t, err, tt.in)
		require.Equal(t, tt.want, got)
		require.Equal(t, strings.TrimSpace(tt.in), got.String())
	}
}
