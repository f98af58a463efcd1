package observer

import (
	"context"
	_ "embed"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/airssys/rt/actor"
	"github.com/airssys/rt/supervisor"
	"github.com/airssys/rt/system"
)

//go:embed page/index.html
var page []byte

// ServeHTTP serves, relative to where the Observer is mounted:
//
//	./                     the page (HTML, its script and style inline)
//	./api/tree             the tree: ?format=json (default), text or dot; &links=1; &max=N children per node
//	./api/processes        the process table: ?sort=mailbox|received|restarts|pid&offset=&limit= (limit ≤ 1000)
//	./api/stats            the counters, dead letters by reason
//	./api/events           the recent supervision events (kept only while a page is connected)
//	./api/stream           Server-Sent Events: "update" (tree, table, stats), "stats" between updates, "events", "stopped"
//	./api/action           POST action=stop|kill (&pid=<1.5>) or restart (&supervisor=<1.1>&id=cache); 403 unless WithActions
//
// Every endpoint reads one snapshot; none sends a message to an observed
// process except the actions. The stream runs on the request's goroutine
// and ends when the request ends or the system has shut down.
func (o *Observer) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	p := r.URL.Path
	i := strings.LastIndex(p, "/api/")
	if i < 0 {
		if strings.HasSuffix(p, "/") || strings.HasSuffix(p, "/index.html") || p == "" {
			w.Header().Set("Content-Type", "text/html; charset=utf-8")
			w.Header().Set("Cache-Control", "no-store")
			_, _ = w.Write(page)
			return
		}
		http.NotFound(w, r)
		return
	}
	switch p[i+len("/api/"):] {
	case "tree":
		o.serveTree(w, r)
	case "processes":
		q, err := parseTableQuery(r)
		if err != nil {
			http.Error(w, err.Error(), http.StatusBadRequest)
			return
		}
		snap, _ := o.snapshot(o.cfg.interval / 2)
		writeJSON(w, buildTable(snap, q))
	case "stats":
		writeJSON(w, statsOf(o.sys.Stats()))
	case "events":
		o.collect()
		writeJSON(w, map[string]any{"collecting": o.Watching() > 0, "events": nonNil(o.eventsSince(0))})
	case "stream":
		o.serveStream(w, r)
	case "action":
		o.serveAction(w, r)
	default:
		http.NotFound(w, r)
	}
}

func nonNil(e []Event) []Event {
	if e == nil {
		return []Event{}
	}
	return e
}

func writeJSON(w http.ResponseWriter, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("Cache-Control", "no-store")
	enc := json.NewEncoder(w)
	enc.SetEscapeHTML(false)
	_ = enc.Encode(v)
}

func (o *Observer) serveTree(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	opts := TreeOptions{Links: q.Get("links") == "1" || q.Get("links") == "true"}
	if m := q.Get("max"); m != "" {
		n, err := strconv.Atoi(m)
		if err != nil || n < 0 {
			http.Error(w, "observer: max must be a count of children, 0 for all", http.StatusBadRequest)
			return
		}
		opts.MaxChildren = n
	}
	snap, _ := o.snapshot(o.cfg.interval / 2)
	t := BuildTree(snap, opts)
	switch q.Get("format") {
	case "", "json":
		w.Header().Set("Content-Type", "application/json")
		_ = WriteJSON(w, t)
	case "text":
		w.Header().Set("Content-Type", "text/plain; charset=utf-8")
		_ = WriteText(w, t)
	case "dot":
		w.Header().Set("Content-Type", "text/vnd.graphviz; charset=utf-8")
		_ = WriteDOT(w, t, DOTOptions{Links: opts.Links})
	default:
		http.Error(w, "observer: format must be json, text or dot", http.StatusBadRequest)
	}
}

// Stats is the system's counters as the endpoints serve them.
type Stats struct {
	Processes       int               `json:"processes"`
	DeadLetters     uint64            `json:"dead_letters"`
	DeadLettersBy   map[string]uint64 `json:"dead_letters_by"`
	CrashedMessages uint64            `json:"crashed_messages"`
}

func statsOf(st system.Stats) Stats {
	out := Stats{Processes: st.Processes, DeadLetters: st.DeadLetters, CrashedMessages: st.CrashedMessages,
		DeadLettersBy: make(map[string]uint64)}
	for _, r := range system.DeadLetterReasons() {
		out.DeadLettersBy[r.String()] = st.DeadLettersBy[r]
	}
	return out
}

// update is what the stream sends as an "update" event.
type update struct {
	At     time.Time `json:"at"`
	Tree   *Tree     `json:"tree"`
	Table  Table     `json:"table"`
	Stats  Stats     `json:"stats"`
	NextMS int64     `json:"next_ms"` // when the next update comes
	CostMS float64   `json:"cost_ms"` // what computing this one took
	// Actions says whether the action endpoint is enabled.
	Actions bool `json:"actions"`
}

func (o *Observer) serveStream(w http.ResponseWriter, r *http.Request) {
	fl, ok := w.(http.Flusher)
	if !ok {
		http.Error(w, "observer: streaming unsupported by this server", http.StatusInternalServerError)
		return
	}
	q, err := parseTableQuery(r)
	if err != nil {
		http.Error(w, err.Error(), http.StatusBadRequest)
		return
	}
	h := w.Header()
	h.Set("Content-Type", "text/event-stream")
	h.Set("Cache-Control", "no-store")
	h.Set("X-Accel-Buffering", "no")
	o.join()
	defer o.leave()
	tick := time.NewTicker(o.cfg.interval)
	defer tick.Stop()
	var seq uint64
	var next time.Time
	for {
		live := o.collect()
		if now := time.Now(); !now.Before(next) {
			start := now
			snap, _ := o.snapshot(o.cfg.interval / 2)
			u := update{At: snap.At, Tree: BuildTree(snap, TreeOptions{MaxChildren: o.cfg.maxChildren}),
				Table: buildTable(snap, q), Stats: statsOf(snap.Stats), Actions: o.cfg.actions}
			cost := time.Since(start)
			wait := max(o.cfg.interval, time.Duration(float64(cost)/o.cfg.budget))
			next = start.Add(wait)
			u.NextMS, u.CostMS = wait.Milliseconds(), float64(cost.Microseconds())/1000
			if writeEvent(w, "update", u) != nil {
				return
			}
		} else if writeEvent(w, "stats", statsOf(o.sys.Stats())) != nil {
			// Between updates, the counters: read from atomics, cheap.
			return
		}
		if evs := o.eventsSince(seq); len(evs) > 0 {
			seq = evs[len(evs)-1].Seq
			if writeEvent(w, "events", evs) != nil {
				return
			}
		}
		if !live {
			_ = writeEvent(w, "stopped", map[string]string{"reason": "the system has shut down"})
			fl.Flush()
			return
		}
		fl.Flush()
		select {
		case <-r.Context().Done():
			return
		case <-tick.C:
		}
	}
}

func writeEvent(w http.ResponseWriter, name string, v any) error {
	b, err := json.Marshal(v)
	if err != nil {
		return err
	}
	_, err = fmt.Fprintf(w, "event: %s\ndata: %s\n\n", name, b)
	return err
}

// actionTimeout bounds an action's wait for the process or supervisor.
const actionTimeout = 10 * time.Second

func (o *Observer) serveAction(w http.ResponseWriter, r *http.Request) {
	if !o.cfg.actions {
		http.Error(w, "observer: actions are disabled; build the handler with observer.WithActions() to enable them", http.StatusForbidden)
		return
	}
	if r.Method != http.MethodPost {
		w.Header().Set("Allow", http.MethodPost)
		http.Error(w, "observer: actions are POST requests", http.StatusMethodNotAllowed)
		return
	}
	ctx, cancel := context.WithTimeout(r.Context(), actionTimeout)
	defer cancel()
	var err error
	switch a := r.FormValue("action"); a {
	case "stop", "kill":
		var pid actor.PID
		if pid, err = ParsePID(r.FormValue("pid")); err == nil {
			if a == "kill" {
				err = o.sys.Kill(pid)
			} else {
				err = o.sys.Stop(ctx, pid)
			}
		}
	case "restart":
		var sup actor.PID
		id := r.FormValue("id")
		if sup, err = ParsePID(r.FormValue("supervisor")); err == nil {
			if err = supervisor.TerminateChild(ctx, o.sys, sup, id); err == nil {
				_, err = supervisor.RestartChild(ctx, o.sys, sup, id)
			}
		}
	default:
		http.Error(w, fmt.Sprintf("observer: unknown action %q: want stop, kill or restart", a), http.StatusBadRequest)
		return
	}
	if err != nil {
		code := http.StatusConflict
		if errors.Is(err, errBadPID) {
			code = http.StatusBadRequest
		}
		http.Error(w, err.Error(), code)
		return
	}
	writeJSON(w, map[string]string{"ok": r.FormValue("action")})
}

var errBadPID = errors.New("observer: a PID is written <system.id>, such as <1.42>")

// ParsePID reads a PID as PID.String writes it, such as <1.42>. It
// returns an error wrapping a description of the form for anything else.
func ParsePID(s string) (actor.PID, error) {
	in := strings.TrimSuffix(strings.TrimPrefix(strings.TrimSpace(s), "<"), ">")
	sysPart, idPart, ok := strings.Cut(in, ".")
	if !ok || len(in) != len(strings.TrimSpace(s))-2 {
		return actor.PID{}, fmt.Errorf("%w: got %q", errBadPID, s)
	}
	n, err1 := strconv.ParseUint(sysPart, 10, 16)
	id, err2 := strconv.ParseUint(idPart, 10, 48)
	if err1 != nil || err2 != nil || id == 0 {
		return actor.PID{}, fmt.Errorf("%w: got %q", errBadPID, s)
	}
	return actor.NewPID(uint16(n), id), nil
}
