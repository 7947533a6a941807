package daemon

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/cued-dev/cued/daemon/api"
	"github.com/cued-dev/cued/daemon/schedule"
)

// route is one endpoint: a handler per method.
type route map[string]http.HandlerFunc

// routes returns the endpoints of the protocol (docs/protocol.md).
func (d *Daemon) routes() map[string]route {
	verb := func(o op) http.HandlerFunc {
		return func(w http.ResponseWriter, r *http.Request) {
			if !drainBody(w, r) {
				return
			}
			d.answer(w, d.player.do(r.Context(), command{op: o}))
		}
	}
	m := map[string]route{
		"/status":   {http.MethodGet: d.handleStatus},
		"/play":     {http.MethodPost: d.handlePlay},
		"/volume":   {http.MethodPost: d.handleVolume},
		"/reload":   {http.MethodPost: d.handleReload},
		"/routines": {http.MethodGet: d.handleRoutines},
		"/schedule": {http.MethodGet: d.handleSchedule},
		"/events":   {http.MethodGet: d.handleEvents},
	}
	for v, o := range ops {
		m["/"+string(v)] = route{http.MethodPost: verb(o)}
	}
	return m
}

// ServeHTTP routes a request, answering 404 and 405 with a JSON error.
func (d *Daemon) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	rt, ok := d.mux[r.URL.Path]
	if !ok {
		writeError(w, &api.Error{Status: http.StatusNotFound,
			Message: fmt.Sprintf("no endpoint %q (see docs/protocol.md)", r.URL.Path)})
		return
	}
	h, ok := rt[r.Method]
	if !ok {
		var allow []string
		for m := range rt {
			allow = append(allow, m)
		}
		sort.Strings(allow)
		w.Header().Set("Allow", strings.Join(allow, ", "))
		writeError(w, &api.Error{Status: http.StatusMethodNotAllowed,
			Message: fmt.Sprintf("%s %s is not allowed (use %s)", r.Method, r.URL.Path, strings.Join(allow, ", "))})
		return
	}
	h(w, r)
}

func writeJSON(w http.ResponseWriter, code int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(code)
	enc := json.NewEncoder(w)
	enc.Encode(v)
}

func writeError(w http.ResponseWriter, e *api.Error) {
	code := e.Status
	if code == 0 {
		code = http.StatusInternalServerError
	}
	writeJSON(w, code, e)
}

func (d *Daemon) answer(w http.ResponseWriter, r reply) {
	if r.err != nil {
		writeError(w, r.err)
		return
	}
	writeJSON(w, http.StatusOK, r.status)
}

// readBody reads a body of at most api.MaxBody bytes, answering 413 and
// reporting false when it is larger.
func readBody(w http.ResponseWriter, r *http.Request) ([]byte, bool) {
	b, err := io.ReadAll(http.MaxBytesReader(w, r.Body, api.MaxBody))
	var tooBig *http.MaxBytesError
	if errors.As(err, &tooBig) {
		writeError(w, &api.Error{Status: http.StatusRequestEntityTooLarge,
			Message: fmt.Sprintf("request body larger than %d bytes", api.MaxBody)})
		return nil, false
	}
	if err != nil {
		writeError(w, &api.Error{Status: http.StatusBadRequest, Message: "cannot read the request body: " + err.Error()})
		return nil, false
	}
	return b, true
}

// drainBody accepts an empty body or any JSON object for the verbs that
// take none, within the size cap.
func drainBody(w http.ResponseWriter, r *http.Request) bool {
	b, ok := readBody(w, r)
	if !ok {
		return false
	}
	if len(strings.TrimSpace(string(b))) > 0 {
		var v map[string]any
		if err := json.Unmarshal(b, &v); err != nil {
			writeError(w, &api.Error{Status: http.StatusBadRequest, Message: "malformed JSON body: " + err.Error()})
			return false
		}
	}
	return true
}

func (d *Daemon) handleStatus(w http.ResponseWriter, r *http.Request) {
	d.answer(w, d.player.do(r.Context(), command{op: cmdStatus}))
}

func (d *Daemon) handlePlay(w http.ResponseWriter, r *http.Request) {
	b, ok := readBody(w, r)
	if !ok {
		return
	}
	var req api.PlayRequest
	if err := decodeStrict(b, &req); err != nil {
		writeError(w, &api.Error{Status: http.StatusBadRequest, Message: "malformed play request: " + err.Error()})
		return
	}
	d.answer(w, d.player.do(r.Context(), command{op: cmdPlay, play: req}))
}

func (d *Daemon) handleVolume(w http.ResponseWriter, r *http.Request) {
	b, ok := readBody(w, r)
	if !ok {
		return
	}
	var req api.VolumeRequest
	if err := decodeStrict(b, &req); err != nil {
		writeError(w, &api.Error{Status: http.StatusBadRequest, Message: "malformed volume request: " + err.Error() +
			` (want e.g. {"master": -6, "voice": 3}; keys master, voice, pacing, signals, breath, in dB)`})
		return
	}
	d.answer(w, d.player.do(r.Context(), command{op: cmdVolume, volume: req}))
}

// decodeStrict decodes b, when it is not blank, as one JSON value into v,
// refusing unknown keys.
func decodeStrict(b []byte, v any) error {
	if len(strings.TrimSpace(string(b))) == 0 {
		return nil
	}
	dec := json.NewDecoder(strings.NewReader(string(b)))
	dec.DisallowUnknownFields()
	err := dec.Decode(v)
	if err == nil && dec.More() {
		err = errors.New("more than one JSON value")
	}
	return err
}

func (d *Daemon) handleReload(w http.ResponseWriter, r *http.Request) {
	if !drainBody(w, r) {
		return
	}
	res := d.Reload(r.Context())
	writeJSON(w, http.StatusOK, res)
}

func (d *Daemon) handleRoutines(w http.ResponseWriter, r *http.Request) {
	if d.o.Routines == nil {
		writeJSON(w, http.StatusOK, []api.Routine{})
		return
	}
	rs, err := d.o.Routines()
	if err != nil {
		writeError(w, &api.Error{Status: http.StatusInternalServerError, Message: err.Error()})
		return
	}
	if rs == nil {
		rs = []api.Routine{}
	}
	writeJSON(w, http.StatusOK, rs)
}

func (d *Daemon) handleSchedule(w http.ResponseWriter, r *http.Request) {
	n := 5
	if s := r.URL.Query().Get("n"); s != "" {
		v, err := strconv.Atoi(s)
		if err != nil || v < 1 || v > 100 {
			writeError(w, &api.Error{Status: http.StatusBadRequest, Message: "n must be a number from 1 to 100"})
			return
		}
		n = v
	}
	out := []api.Scheduled{}
	for _, o := range schedule.Upcoming(d.sched.Entries(), d.o.Clock.Now(), n) {
		out = append(out, api.Scheduled{At: o.Time, Routine: o.Routine, Mode: o.Mode, Level: o.Level})
	}
	writeJSON(w, http.StatusOK, out)
}

// keepAlive is the interval of SSE comments that keep idle streams open.
const keepAlive = 15 * time.Second

func (d *Daemon) handleEvents(w http.ResponseWriter, r *http.Request) {
	fl, ok := w.(http.Flusher)
	if !ok {
		writeError(w, &api.Error{Status: http.StatusInternalServerError, Message: "streaming unsupported"})
		return
	}
	ch, unsubscribe := d.events.subscribe()
	defer unsubscribe()
	st := d.player.do(r.Context(), command{op: cmdStatus})
	if st.err != nil {
		writeError(w, st.err)
		return
	}
	w.Header().Set("Content-Type", "text/event-stream")
	w.Header().Set("Cache-Control", "no-cache")
	w.WriteHeader(http.StatusOK)
	if writeEvent(w, api.Event{Type: api.EventStatus, Time: d.o.Clock.Now(), Status: st.status}) != nil {
		return
	}
	fl.Flush()
	ka := time.NewTicker(keepAlive)
	defer ka.Stop()
	for {
		select {
		case <-r.Context().Done():
			return
		case e, ok := <-ch:
			if !ok {
				return
			}
			if writeEvent(w, e) != nil {
				return
			}
			fl.Flush()
		case <-ka.C:
			if _, err := io.WriteString(w, ": keep-alive\n\n"); err != nil {
				return
			}
			fl.Flush()
		}
	}
}

// writeEvent writes e in SSE form: "event: TYPE" and one "data:" line.
func writeEvent(w io.Writer, e api.Event) error {
	b, err := json.Marshal(e)
	if err != nil {
		return err
	}
	_, err = fmt.Fprintf(w, "event: %s\ndata: %s\n\n", e.Type, b)
	return err
}
