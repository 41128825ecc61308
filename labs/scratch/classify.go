package scratch

import (
	"fmt"
	"strings"

	"github.com/baselab/baselab/harness/run"
	"github.com/baselab/baselab/labs/lab"
)

// Classify names what a step's container run shows and the evidence for it.
func Classify(res run.Result) (outcome, evidence string) {
	return classify(res, parse(res.Stdout))
}

// classify goes in the order of the program's life: the engine starts it,
// the kernel execs it, then its checks run.
func classify(res run.Result, checks map[string]Check) (outcome, evidence string) {
	if !res.Started {
		if strings.Contains(res.StartError, "unable to find user") {
			return UnknownUser, res.StartError
		}
		if run.ExecNotFound(res.StartError) {
			return lab.ExecNotFound, res.StartError
		}
		return lab.Unexpected, res.StartError
	}
	exit := fmt.Sprintf("exit code %d", res.ExitCode)
	if len(checks) == 0 {
		text := run.FirstLine(res.Stderr + "\n" + res.Stdout)
		if run.ExecNotFound(text) {
			return lab.ExecNotFound, text + " (" + exit + ")"
		}
		return lab.Unexpected, text + " (" + exit + ")"
	}
	if h, ok := checks["https"]; ok && !h.OK {
		if strings.Contains(h.Error, "x509: certificate signed by unknown authority") ||
			strings.Contains(h.Error, "x509: failed to load system roots") {
			return X509Unknown, h.Error + " (" + exit + ")"
		}
		return lab.Unexpected, h.Error + " (" + exit + ")"
	}
	if ch, ok := checks["chain"]; ok && !ch.OK {
		if strings.Contains(ch.Error, "x509: certificate signed by unknown authority") {
			return X509Unknown, "public chain: " + ch.Error + " (" + exit + ")"
		}
		return lab.Unexpected, "public chain: " + ch.Error + " (" + exit + ")"
	}
	if z, ok := checks["tz"]; ok && !z.OK {
		if strings.Contains(z.Error, "unknown time zone") {
			return UnknownZone, z.Error + " (" + exit + ")"
		}
		return lab.Unexpected, z.Error + " (" + exit + ")"
	}
	if d, ok := checks["done"]; res.ExitCode == 0 && ok && d.OK {
		return lab.Works, exit
	}
	return lab.Unexpected, run.FirstLine(res.Stderr) + " (" + exit + ")"
}
