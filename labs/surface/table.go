package surface

import (
	"fmt"
	"strings"

	"github.com/baselab/baselab/harness/images"
	"github.com/baselab/baselab/harness/record"
	"github.com/baselab/baselab/labs/lab"
)

// Table renders surface records as the markdown table of the lab's README.
func Table(rs []record.Record) string {
	var b strings.Builder
	b.WriteString("| base | stands in for | class | packages (db) | files | removable | shells | package managers | setuid / setgid | world-writable (no sticky) | user | CVEs |\n|---|---|---|---|---|---|---|---|---|---|---|---|\n")
	for _, r := range rs {
		if r.Outcome == lab.Error {
			continue
		}
		user := "root (unset)"
		if u, _ := r.Str("user"); u != "" {
			user = u
		}
		cves := "not counted"
		if _, ok := r.Float("cves"); ok {
			cves = fmt.Sprint(r.Int("cves"))
		}
		db, _ := r.Str("package_db")
		fmt.Fprintf(&b, "| %s | %s | %s | %d (%s) | %d | %s | %s | %s | %d / %d | %d (%d) | %s | %s |\n",
			r.Base, images.StandsFor(r.Base, r.Standin), r.Outcome, r.Int("packages"), db, r.Int("files"),
			images.Bytes(r.Int("removable_bytes")),
			list(r, "shells"), list(r, "package_manager"),
			r.Len("setuid"), r.Len("setgid"), r.Len("world_writable"),
			r.Len("world_writable_nonsticky"), user, cves)
	}
	return b.String()
}

func list(r record.Record, k string) string {
	l := r.Strings(k)
	if len(l) == 0 {
		return "—"
	}
	return strings.Join(l, ", ")
}
