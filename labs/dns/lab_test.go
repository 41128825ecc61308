package dns_test

import (
	"bytes"
	"context"
	"io"
	"os"
	"strings"
	"testing"

	"github.com/baselab/baselab/labs/dns"
	"github.com/baselab/baselab/labs/lab"
	"github.com/spf13/pflag"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// bound returns the lab with its flags set from args, as `baselab run dns`
// sets them.
func bound(t *testing.T, args ...string) lab.Lab {
	t.Helper()
	l := dns.New()
	fs := pflag.NewFlagSet("dns", pflag.ContinueOnError)
	fs.SetOutput(io.Discard)
	l.Config.Bind(fs)
	require.NoError(t, fs.Parse(args))
	return l
}

func TestVariantsAreListedWithoutDocker(t *testing.T) {
	vs := dns.New().Variants()
	// 5 bases × 7 faults × (5 options + addrconfig without options), the
	// two size faults (tcponly, cname) with no options only, then 5 bases ×
	// 3 client counts under load.
	// alpine-3.17 (musl 1.2.3) takes the options only where alpine does not
	// answer for it: none, and the hints (when alpine is in the run); and no
	// load cells beside alpine's (the same retry loop at both versions).
	assert.Len(t, vs, 5*7*6+7*2+6*2*2+5*3)
	assert.NotContains(t, vs, "load/alpine-3.17/c32")
	assert.Contains(t, vs, "alpine-3.17/tcponly/none/none")
	assert.NotContains(t, vs, "alpine/cname/use-vc/none")
	assert.Contains(t, vs, "alpine/race/none/none")
	assert.Contains(t, vs, "slim/race/timeout:1+attempts:2/none")
	assert.Contains(t, vs, "slim/race/none/addrconfig")
	assert.Contains(t, vs, "load/scratch/c32")

	vs = bound(t, "--bases", "alpine", "--faults", "race", "--options", "none,single-request", "--load=false").Variants()
	assert.Equal(t, []string{"alpine/race/none/none", "alpine/race/none/addrconfig", "alpine/race/single-request/none"}, vs,
		"the variants follow the flags")

	vs = bound(t, "--image", "app:testdata", "--probe", "getent ahosts {name}", "--faults", "race", "--options", "none").Variants()
	assert.Equal(t, []string{"image/race/none"}, vs, "a user's image: its own cells, no load cells")
}

func TestValidateRefusesInOneLineBeforeDocker(t *testing.T) {
	cases := []struct {
		name string
		args []string
		only []string
		want string
	}{
		{"a wrong --faults", []string{"--faults", "race,explode"}, nil, "explode"},
		{"a wrong --bases", []string{"--bases", "ubuntu"}, nil, "ubuntu"},
		{"a --variant no cell has", nil, []string{"alpine/explode/*"}, "no variant"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			err := bound(t, c.args...).Validate(c.only)
			require.Error(t, err)
			assert.Contains(t, err.Error(), c.want)
			assert.NotContains(t, err.Error(), "\n", "one line")
		})
	}
	assert.NoError(t, dns.New().Validate([]string{"alpine/race/*/*", "load/*/c8"}))
}

func TestOnlyAndShortChooseTheCellsBeforeAnythingStarts(t *testing.T) {
	// No engine in Env: a run that selects no cell must return before it
	// needs one.
	var progress bytes.Buffer
	env := &lab.Env{Progress: &progress, Short: true, Only: []string{"slim/timeout:AAAA/none/none"}}
	recs, err := bound(t).Run(context.Background(), env)
	require.NoError(t, err)
	assert.Empty(t, recs)
	assert.Equal(t, "dns: --short skips slim/timeout:AAAA/none/none (expected 76 s)\n", progress.String(),
		"a skipped cell is named, with why")

	progress.Reset()
	env = &lab.Env{Progress: &progress, Only: []string{"nothing/*"}}
	recs, err = bound(t).Run(context.Background(), env)
	require.NoError(t, err)
	assert.Empty(t, recs)
	assert.False(t, strings.Contains(progress.String(), "skips"))
}

func TestResolvConfPresetsAndFiles(t *testing.T) {
	dir := t.TempDir()
	write := func(name, body string) string {
		p := dir + "/" + name
		require.NoError(t, os.WriteFile(p, []byte(body), 0o644))
		return p
	}
	pod := write("pod.conf", "nameserver 10.96.0.10\nsearch team.svc.cluster.local svc.cluster.local cluster.local corp.example.test\noptions ndots:5 timeout:2\n")
	vs := bound(t, "--bases", "alpine", "--options", "none", "--faults", "ok", "--flags", "none", "--load=false",
		"--resolv-conf", pod, "--search-faults", "servfail@4").Variants()
	assert.Equal(t, []string{"alpine/ok/none/none", "alpine/servfail@4/file/short", "alpine/servfail@4/file/dotted", "alpine/servfail@4/file/fqdn"}, vs,
		"a user's resolv.conf: its own search cells, the fourth suffix is the site domain")

	cases := []struct {
		name string
		args []string
		want string
	}{
		{"a missing file", []string{"--resolv-conf", dir + "/none.conf"}, "no such file"},
		{"a file without a search line", []string{"--resolv-conf", write("flat.conf", "nameserver 192.0.2.1\n")}, "no search line"},
		{"a line resolv.conf does not have", []string{"--resolv-conf", write("typo.conf", "serach a.test\n")}, "unknown line"},
		{"an unknown option in the file", []string{"--resolv-conf", write("opt.conf", "search a.test\noptions ndots:2 fast\n")}, `unknown option "fast"`},
		{"a suffix past the search list's limit", []string{"--options", "k8s", "--search-faults", "servfail@7"}, "the suffix is 1..6"},
		{"a search fault without its suffix", []string{"--options", "k8s", "--search-faults", "servfail"}, "want FAULT@N"},
		{"a search fault dnsfaker does not know", []string{"--options", "k8s", "--search-faults", "explode@1"}, "explode"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			err := bound(t, c.args...).Validate(nil)
			require.Error(t, err)
			assert.Contains(t, err.Error(), c.want)
			assert.NotContains(t, err.Error(), "\n", "one line")
		})
	}
}
