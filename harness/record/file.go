package record

import (
	"bufio"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"sync"
)

// FileName is the results file inside an output folder.
const FileName = "results.jsonl"

// Writer appends records to <dir>/results.jsonl; safe for concurrent cells.
type Writer struct {
	mu   sync.Mutex
	f    *os.File
	path string
}

// Create opens dir/results.jsonl for appending, creating dir.
func Create(dir string) (*Writer, error) {
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return nil, fmt.Errorf("create results folder: %w", err)
	}
	p := filepath.Join(dir, FileName)
	f, err := os.OpenFile(p, os.O_CREATE|os.O_WRONLY|os.O_APPEND, 0o644)
	if err != nil {
		return nil, fmt.Errorf("open results: %w", err)
	}
	return &Writer{f: f, path: p}, nil
}

// CheckFresh refuses a results folder that already holds records, unless
// appending is asked for: a report must never mix two runs unknowingly.
func CheckFresh(dir string, appendOK bool) error {
	if appendOK {
		return nil
	}
	p := filepath.Join(dir, FileName)
	st, err := os.Stat(p)
	if err != nil || st.Size() == 0 {
		return nil
	}
	return fmt.Errorf("%s already holds the records of an earlier run: choose another --out, or pass --append to add this run to them", p)
}

// Path is the file written.
func (w *Writer) Path() string { return w.path }

// Write appends one record as one line.
func (w *Writer) Write(r Record) error {
	if len(r.Errors) > 0 {
		// Whatever the lab classified, a record made while the lab itself
		// failed is unusable: no lab can forget to say so.
		r.Outcome = OutcomeError
	}
	b, err := json.Marshal(r)
	if err != nil {
		return fmt.Errorf("encode record %s/%s: %w", r.Lab, r.Variant, err)
	}
	w.mu.Lock()
	defer w.mu.Unlock()
	if _, err := w.f.Write(append(b, '\n')); err != nil {
		return fmt.Errorf("write record: %w", err)
	}
	return nil
}

// Close closes the file.
func (w *Writer) Close() error { return w.f.Close() }

// Read loads every record of a results file (or of dir/results.jsonl).
func Read(path string) ([]Record, error) {
	if st, err := os.Stat(path); err == nil && st.IsDir() {
		path = filepath.Join(path, FileName)
	}
	f, err := os.Open(path)
	if err != nil {
		return nil, fmt.Errorf("open results: %w", err)
	}
	defer f.Close()
	var out []Record
	sc := bufio.NewScanner(f)
	sc.Buffer(make([]byte, 1<<20), 16<<20)
	for n := 1; sc.Scan(); n++ {
		if len(sc.Bytes()) == 0 {
			continue
		}
		var r Record
		if err := json.Unmarshal(sc.Bytes(), &r); err != nil {
			return nil, fmt.Errorf("%s:%d: %w", path, n, err)
		}
		out = append(out, r)
	}
	return out, sc.Err()
}
