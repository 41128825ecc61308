package size

import (
	"fmt"
	"strings"

	"github.com/baselab/baselab/harness/images"
	"github.com/baselab/baselab/harness/record"
	"github.com/baselab/baselab/labs/lab"
)

// Table renders size records as the two markdown tables of the lab's
// README: the bases beside the course's numbers, and the apps on them.
func Table(rs []record.Record) string {
	var b strings.Builder
	b.WriteString("| base | stands in for | course says | measured | layers | gzipped |\n|---|---|---|---|---|---|\n")
	for _, r := range rs {
		if app, _ := r.Str("app"); app != Bare || r.Outcome == lab.Error {
			continue
		}
		course := "—"
		if img, ok := r.Str("course_image"); ok {
			course = fmt.Sprintf("%s (%s)", images.Bytes(r.Int("course_bytes")), img)
		}
		gz := "— (save refused)"
		if _, ok := r.Float("compressed_bytes"); ok {
			gz = images.Bytes(r.Int("compressed_bytes"))
		}
		fmt.Fprintf(&b, "| %s | %s | %s | %s | %d | %s |\n", r.Base, images.StandsFor(r.Base, r.Standin), course,
			images.Bytes(r.Int("size_bytes")), r.Int("layers"), gz)
	}
	b.WriteString("\n| app on base | image | over the base | layers | gzipped | start → first response, median (spread) | start call | then the app |\n|---|---|---|---|---|---|---|---|\n")
	for _, r := range rs {
		if app, _ := r.Str("app"); app == Bare || r.Outcome == lab.Error {
			continue
		}
		start, call, ready := r.Outcome, "—", "—"
		if ms, ok := r.Float("start_ms"); ok {
			spread, _ := r.Float("start_spread_ms")
			callMs, _ := r.Float("start_call_ms")
			readyMs, _ := r.Float("ready_after_call_ms")
			start = fmt.Sprintf("%.0f ms (%.0f ms, %d runs)", ms, spread, r.OK)
			call = fmt.Sprintf("%.0f ms", callMs)
			ready = fmt.Sprintf("%.0f ms", readyMs)
		}
		fmt.Fprintf(&b, "| %s | %s | %s | %d | %s | %s | %s | %s |\n", r.Variant, images.Bytes(r.Int("size_bytes")),
			images.Bytes(r.Int("app_bytes")), r.Int("layers"), images.Bytes(r.Int("compressed_bytes")), start, call, ready)
	}
	return b.String()
}

func plural(n int) string {
	if n == 1 {
		return ""
	}
	return "s"
}
