package run

import "strings"

// ExecNotFound reports whether text is the runtime saying it could not exec
// the container's program: the file is missing, or (far more often in these
// labs) its ELF interpreter is — a glibc binary on musl or on scratch. The
// kernel answers ENOENT for both, and each runtime words it its own way:
//
//	runc ≥ 1.1, as container output:  exec /app: no such file or directory
//	runc < 1.1, as container output:  standard_init_linux.go:228: exec user process caused: no such file or directory
//	runc, as the engine's start error: ... unable to start container process: exec: "/app": stat /app: no such file or directory: unknown
//	                                   ... starting container process caused: exec: "bash": executable file not found in $PATH: unknown
//	crun ≥ 1.5:                       exec container process (missing dynamic library?) `/app`: No such file or directory
//	crun < 1.5:                       exec container process `/app`: No such file or directory
//	crun, program absent:             executable file `/app` not found: No such file or directory
//
// The texts are in the tests, each from the runtime that printed it.
func ExecNotFound(text string) bool {
	t := strings.ToLower(text)
	if strings.Contains(t, "executable file not found in $path") {
		return true
	}
	if !strings.Contains(t, "no such file or directory") {
		return false
	}
	for _, line := range strings.Split(t, "\n") {
		line = strings.TrimSpace(line)
		if !strings.Contains(line, "no such file or directory") {
			continue
		}
		switch {
		case strings.HasPrefix(line, "exec "), // runc ≥ 1.1
			strings.Contains(line, "exec user process caused"), // runc < 1.1
			strings.Contains(line, `exec: "`),                  // runc's start error
			strings.Contains(line, "exec container process"),   // crun
			strings.Contains(line, "executable file `"):        // crun, program absent
			return true
		}
	}
	return false
}

// RefusedByImage reports whether an engine's start error is the runtime
// refusing what the image asks for — its program or that program's loader is
// missing (ExecNotFound), not executable, of another architecture, or its
// user does not exist — rather than the engine failing. Only the former is
// a lab's data.
func RefusedByImage(text string) bool {
	if ExecNotFound(text) {
		return true
	}
	t := strings.ToLower(text)
	for _, s := range []string{"unable to find user", "no matching entries in passwd file", "exec format error",
		"permission denied", "is a directory", "not a directory"} {
		if strings.Contains(t, s) {
			return true
		}
	}
	return false
}

// FirstLine is the first non-blank line of s, trimmed; "(no output)" when
// there is none: what a record quotes of a program's output.
func FirstLine(s string) string {
	for _, l := range strings.Split(s, "\n") {
		if l = strings.TrimSpace(l); l != "" {
			return l
		}
	}
	return "(no output)"
}
