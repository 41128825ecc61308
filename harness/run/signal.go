package run

import (
	"fmt"
	"syscall"
)

// signalOf names the signal behind a shell-style exit code (128+N): the
// engine reports a process killed by SIGSEGV as exit code 139.
func signalOf(code int) string {
	if code <= 128 || code > 128+64 {
		return ""
	}
	n := syscall.Signal(code - 128)
	if name := signalNames[n]; name != "" {
		return name
	}
	return fmt.Sprintf("signal %d", int(n))
}

var signalNames = map[syscall.Signal]string{
	syscall.SIGHUP: "SIGHUP", syscall.SIGINT: "SIGINT", syscall.SIGQUIT: "SIGQUIT", syscall.SIGILL: "SIGILL",
	syscall.SIGTRAP: "SIGTRAP", syscall.SIGABRT: "SIGABRT", syscall.SIGBUS: "SIGBUS", syscall.SIGFPE: "SIGFPE",
	syscall.SIGKILL: "SIGKILL", syscall.SIGSEGV: "SIGSEGV", syscall.SIGPIPE: "SIGPIPE", syscall.SIGALRM: "SIGALRM",
	syscall.SIGTERM: "SIGTERM",
}
