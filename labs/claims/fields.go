package claims

import (
	"sort"
	"strings"
)

// kind is what a field holds, so that a bound can be checked against it
// before anything runs.
type kind uint8

const (
	kNum  kind = iota // a number (or null: nothing was measured)
	kStr              // a word or text
	kBool             // true or false
	kList             // a list or a map: compared by its length
)

func (k kind) String() string {
	return [...]string{"a number", "a word", "true or false", "a list (compared by its length)"}[k]
}

// common are the fields every lab writes (DESIGN.md, "Result record").
var common = map[string]kind{
	"lab": kStr, "variant": kStr, "base": kStr, "image": kStr, "standin": kBool, "libc": kStr,
	"started": kStr, "tries": kNum, "ok": kNum, "failed": kNum, "p50_ms": kNum, "p95_ms": kNum,
	"max_ms": kNum, "outcome": kStr, "detail": kStr, "evidence": kStr,
}

// labFields are the fields each lab adds, read from the labs' sources
// (labs/<lab>*.go, every r.Set; TestEveryFieldALabSetsIsKnown keeps this
// list honest). A lab not listed here accepts only the common fields.
var labFields = map[string]map[string]kind{
	"dns": {
		"resolver": kStr, "fault": kStr, "options": kStr, "flags": kStr, "name": kStr, "probe_libc": kStr,
		"a_only": kNum, "queries": kNum, "ports": kNum, "timeline": kList, "as_predicted": kBool, "predicted": kStr,
		"clients": kNum, "probability": kNum, "p99_ms": kNum, "stalls": kNum, "run_ms": kList, "timing": kStr,
	},
	"wheel": {
		"base_image": kStr, "exit_code": kNum, "expected": kStr, "extension": kStr, "file": kStr, "install": kStr,
		"interpreter": kStr, "interpreter_in_image": kBool, "mixed_outcomes": kStr, "needed": kList,
		"program_in_image": kBool, "signal": kStr, "unresolved_on_musl": kList, "wheel": kStr, "wheel_tag": kStr,
		"why": kStr, "python": kStr, "ext_suffixes": kList, "package_files": kList, "import_ms": kNum,
		"loaded": kStr, "built_for": kStr, "describe": kStr, "label": kStr, "call_ms": kNum,
		"imports": kList, "musl_strerror_r_is_xsi": kBool,
	},
	"scratch": {
		"adds": kStr, "adds_bytes": kNum, "args": kList, "binary": kStr, "binary_bytes": kNum, "bundle_bytes": kNum,
		"bundle_debian_certs": kNum, "case": kStr, "container_ms": kNum, "container_started": kBool,
		"dockerfile": kStr, "exit_code": kNum, "gid": kNum, "home": kStr, "http_status": kNum, "https_error": kStr,
		"https_ms": kNum, "image_bytes": kNum, "interpreter": kStr, "start_error": kStr, "static": kBool,
		"tz_error": kStr, "uid": kNum, "url": kStr, "user_error": kStr, "user_name": kStr, "zone": kStr,
		"zone_abbrev": kStr, "zone_file_bytes": kNum, "zone_offset_s": kNum, "zoneinfo_file_bytes": kNum,
	},
	"size": {
		"app": kStr, "app_bytes": kNum, "base_size_bytes": kNum, "binary_bytes": kNum, "compressed_bytes": kNum,
		"course_bytes": kNum, "course_image": kStr, "layers": kNum, "size_bytes": kNum, "start_ms": kNum,
		"start_runs_ms": kList, "start_spread_ms": kNum, "start_call_ms": kNum, "go_version": kStr,
		"ready_after_call_ms": kNum,
	},
	"surface": {
		"cve_scanner": kStr, "cves": kNum, "cves_by_severity": kStr, "entries": kNum, "files": kNum,
		"local_files": kNum, "package_db": kStr, "package_manager": kList, "packages": kNum, "runs_as_root": kBool,
		"sbom": kStr, "setgid": kList, "setuid": kList, "shells": kList, "user": kStr, "world_writable": kList,
		"world_writable_nonsticky": kList, "removable": kList, "removable_bytes": kNum,
	},
}

// fieldKind says what a lab's field holds; ok is false for a field the lab
// does not write.
func fieldKind(lab, field string) (kind, bool) {
	if k, ok := common[field]; ok {
		return k, true
	}
	k, ok := labFields[lab][field]
	return k, ok
}

// fieldsOf lists a lab's fields for an error message.
func fieldsOf(lab string) string {
	var out []string
	for f, k := range labFields[lab] {
		if k == kNum || k == kList {
			out = append(out, f)
		}
	}
	sort.Strings(out)
	return "p50_ms, p95_ms, max_ms, tries, ok, failed, outcome" + prefixed(out)
}

func prefixed(xs []string) string {
	if len(xs) == 0 {
		return ""
	}
	return ", " + strings.Join(xs, ", ")
}
