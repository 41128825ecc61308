package dnsfaker

import (
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"strconv"
	"time"
)

// maxRulesBody bounds a PUT /rules body; a rules file is a few lines.
const maxRulesBody = 1 << 20

// Handler returns the HTTP API, for another process to read the log and
// change the rules while the server runs:
//
//	GET  /queries?since=TIME&name=NAME  entries as a JSON array; TIME is RFC 3339 or unix µs
//	GET  /counters                      Counters as JSON
//	GET  /rules                         the config as a rules file, the default in a comment
//	PUT  /rules?default=FAULT           replace the rules with a rules file body (POST too)
//	GET  /healthz                       "ok"
//
// The caller decides where it listens; nothing binds it by default.
func (s *Server) Handler() http.Handler {
	mux := http.NewServeMux()
	mux.HandleFunc("GET /queries", s.httpQueries)
	mux.HandleFunc("GET /counters", func(w http.ResponseWriter, r *http.Request) {
		writeJSON(w, s.Counters())
	})
	mux.HandleFunc("GET /rules", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/plain; charset=utf-8")
		io.WriteString(w, s.Rules().String())
	})
	mux.HandleFunc("PUT /rules", s.httpSetRules)
	mux.HandleFunc("POST /rules", s.httpSetRules)
	mux.HandleFunc("GET /healthz", func(w http.ResponseWriter, r *http.Request) {
		io.WriteString(w, "ok\n")
	})
	return mux
}

func (s *Server) httpQueries(w http.ResponseWriter, r *http.Request) {
	var since time.Time
	if v := r.URL.Query().Get("since"); v != "" {
		t, err := parseSince(v)
		if err != nil {
			http.Error(w, err.Error(), http.StatusBadRequest)
			return
		}
		since = t
	}
	name := r.URL.Query().Get("name")
	if name != "" {
		name = normalizeName(name)
	}
	writeJSON(w, s.log.filter(func(e *Entry) bool {
		return !e.Time.Before(since) && (name == "" || e.Name == name)
	}))
}

// parseSince reads RFC 3339 (any fraction) or an integer of unix µs, the
// two forms an Entry carries.
func parseSince(v string) (time.Time, error) {
	if us, err := strconv.ParseInt(v, 10, 64); err == nil {
		return time.UnixMicro(us), nil
	}
	t, err := time.Parse(time.RFC3339Nano, v)
	if err != nil {
		return time.Time{}, fmt.Errorf("parse since %q: want RFC 3339 time or unix microseconds", v)
	}
	return t, nil
}

// httpSetRules replaces the rules, and the default when ?default= is
// given, as one change.
func (s *Server) httpSetRules(w http.ResponseWriter, r *http.Request) {
	cfg := s.Rules()
	if v := r.URL.Query().Get("default"); v != "" {
		f, err := ParseFault(v)
		if err != nil {
			http.Error(w, err.Error(), http.StatusBadRequest)
			return
		}
		cfg.Default = f
	}
	rules, err := ParseRules(http.MaxBytesReader(w, r.Body, maxRulesBody))
	if err != nil {
		http.Error(w, err.Error(), http.StatusBadRequest)
		return
	}
	cfg.Rules = rules
	s.SetRules(cfg)
	w.Header().Set("Content-Type", "text/plain; charset=utf-8")
	io.WriteString(w, cfg.String())
}

func writeJSON(w http.ResponseWriter, v any) {
	w.Header().Set("Content-Type", "application/json")
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	enc.Encode(v)
}
