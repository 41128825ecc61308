package dns

import (
	"cmp"
	"fmt"
	"os"
	"slices"
	"strconv"
	"strings"

	"github.com/baselab/baselab/dnsfaker"
)

// A Kubernetes pod's resolv.conf (kubelet's ClusterFirst policy): the pod's
// namespace, the cluster's service and cluster domains, and ndots:5, so
// that any name with fewer than five dots is first tried with every suffix.
// The namespace here is "lab"; the names never leave the lab's network.
var k8sSearch = []string{"lab.svc.cluster.local", "svc.cluster.local", "cluster.local"}

const k8sPreset = "k8s"

// maxSearch is glibc's MAXDNSRCH, the most search domains any of the three
// resolvers reads.
const maxSearch = 6

// filePrefix marks a search cell's options as a user's resolv.conf
// (--resolv-conf FILE): "file:PATH".
const filePrefix = "file:"

// isSearch reports whether a cell's options make it a search cell: the k8s
// preset or a user's resolv.conf.
func isSearch(options string) bool {
	return isK8s(options) || strings.HasPrefix(options, filePrefix)
}

// readResolvConf reads a user's resolv.conf: its search domains and its
// options words. nameserver lines are the lab's to write; domain is the
// one-entry search list of old.
func readResolvConf(path string) (search []string, options string, err error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, "", fmt.Errorf("read --resolv-conf: %w", err)
	}
	var opts []string
	for _, line := range strings.Split(string(b), "\n") {
		f := strings.Fields(strings.SplitN(strings.SplitN(line, "#", 2)[0], ";", 2)[0])
		if len(f) == 0 {
			continue
		}
		switch f[0] {
		case "search", "domain":
			search = f[1:] // the last search or domain line wins in all three resolvers
		case "options":
			opts = append(opts, f[1:]...)
		case "nameserver", "sortlist":
		default:
			return nil, "", fmt.Errorf("read --resolv-conf %s: unknown line %q", path, strings.TrimSpace(line))
		}
	}
	if len(search) == 0 {
		return nil, "", fmt.Errorf("read --resolv-conf %s: no search line: without one there is no walk to measure", path)
	}
	return search, strings.Join(opts, " "), nil
}

// searchList and optionsOf are a search cell's suffixes and options words.
func searchList(options string) []string {
	if p, ok := strings.CutPrefix(options, filePrefix); ok {
		s, _, _ := readResolvConf(p) // checked by Validate
		return s
	}
	return k8sSearch
}

func optionsOf(options string) string {
	if p, ok := strings.CutPrefix(options, filePrefix); ok {
		_, o, _ := readResolvConf(p)
		return o
	}
	return options
}

// isK8s reports whether an options word list uses the k8s preset.
func isK8s(options string) bool {
	for _, w := range strings.Fields(options) {
		if w == k8sPreset {
			return true
		}
	}
	return false
}

// resolvConfBody is what follows the nameserver line for options: the
// preset expands to the search line and ndots:5, and the words after it
// are added, an ndots:N of theirs replacing the 5 as a pod's dnsConfig
// does. Replacing, not appending: musl reads each option with strstr
// (src/network/resolvconf.c __get_resolv_conf), so the first ndots: on the
// line wins there, where glibc and Go take the last — measured, a second
// ndots:1 left musl walking the search list.
func resolvConfBody(options string) string {
	if body, ok := presetBody(options); ok {
		return body
	}
	if strings.HasPrefix(options, filePrefix) {
		s, o := searchList(options), optionsOf(options)
		body := "search " + strings.Join(s, " ") + "\n"
		if o != "" {
			body += "options " + o + "\n"
		}
		return body
	}
	if !isK8s(options) {
		if options == "" {
			return ""
		}
		return "options " + options + "\n"
	}
	opts := []string{"ndots:5"}
	for _, w := range strings.Fields(options) {
		switch {
		case w == k8sPreset:
		case strings.HasPrefix(w, "ndots:"):
			opts[0] = w
		default:
			opts = append(opts, w)
		}
	}
	return "search " + strings.Join(k8sSearch, " ") + "\noptions " + strings.Join(opts, " ") + "\n"
}

// The three ways a program names a host: a short name (a Service in the
// pod's namespace, or a typo), a name with dots (an external host), and a
// fully qualified name with a trailing dot (the fix that needs no config).
var searchForms = []string{"short", "dotted", "fqdn"}

// lookupName is the name a search cell's probe asks for: its cell name
// "c042.dns.test" shortened or rooted as the form says.
func lookupName(cellName, form string) string {
	switch form {
	case "short":
		return strings.SplitN(cellName, ".", 2)[0]
	case "fqdn":
		return cellName + "."
	}
	return cellName
}

// suffixFault is a search cell's fault: FAULT@N puts FAULT on the N-th
// suffixed name (1 = the pod's namespace) and NXDOMAIN, as a cluster
// answers an outside name, on the others; "ok" is NXDOMAIN on every
// suffix. The name itself always answers.
type suffixFault struct {
	fault  string
	suffix int // 1-based; 0 for none
}

func parseSuffixFault(s string) (suffixFault, error) {
	if s == "ok" {
		return suffixFault{fault: "ok"}, nil
	}
	f, n, ok := strings.Cut(s, "@")
	if !ok {
		return suffixFault{}, fmt.Errorf("search fault %q: want FAULT@N (N = 1..%d, the suffix it hits), as in servfail@1, or ok", s, maxSearch)
	}
	i, err := strconv.Atoi(n)
	if err != nil || i < 1 || i > maxSearch {
		return suffixFault{}, fmt.Errorf("search fault %q: the suffix is 1..%d, its place in the search list (k8s: %s)", s, maxSearch, strings.Join(k8sSearch, ", "))
	}
	if _, err := dnsfaker.ParseFault(f); err != nil {
		return suffixFault{}, fmt.Errorf("search fault %q: %w", s, err)
	}
	return suffixFault{fault: f, suffix: i}, nil
}

// searchRules are the rules file lines of a search cell: every name the
// walk may ask, with its fault.
func searchRules(c cell) []string {
	sf, _ := parseSuffixFault(c.fault)
	base := strings.TrimSuffix(lookupName(c.name, c.form), ".")
	out := []string{base + " ok"}
	for i, s := range searchList(c.options) {
		f := "nxdomain"
		if sf.suffix == i+1 {
			f = sf.fault
		}
		out = append(out, base+"."+s+" "+f)
	}
	return out
}

// searchNames are the names a search cell owns in the server's log.
func searchNames(c cell) map[string]bool {
	base := strings.TrimSuffix(lookupName(c.name, c.form), ".")
	m := map[string]bool{base: true}
	for _, s := range searchList(c.options) {
		m[base+"."+s] = true
	}
	return m
}

// walk is the order the resolvers try names in (the same rule in all three:
// musl lookup_name.c name_from_dns_search, glibc resolv/res_query.c
// __res_context_search, Go dnsconfig.go nameList): a rooted name alone; a
// name with at least ndots dots as it is, then with each suffix; any other
// name with each suffix, then as it is.
func walk(name string, search []string, ndots int) []string {
	if strings.HasSuffix(name, ".") {
		return []string{strings.TrimSuffix(name, ".")}
	}
	var suffixed []string
	for _, s := range search {
		suffixed = append(suffixed, name+"."+s)
	}
	if strings.Count(name, ".") >= ndots {
		return append([]string{name}, suffixed...)
	}
	return append(suffixed, name)
}

// predictSearch is what each resolver's source says a search cell does.
// Names is the list of names asked, in order; the answer comes from the
// first name that has one.
func predictSearch(resolver, libc string, c cell) expect {
	opts := optionsOf(c.options)
	rc := parseResolvOptions(opts)
	ndots := 1 // the default of all three without an ndots option
	if isK8s(c.options) {
		ndots = 5
	}
	for _, w := range strings.Fields(opts) {
		if n, ok := strings.CutPrefix(w, "ndots:"); ok {
			ndots, _ = strconv.Atoi(n)
		}
	}
	search := searchList(c.options)
	names := walk(lookupName(c.name, c.form), search, ndots)
	sf, _ := parseSuffixFault(c.fault)
	hit := -1 // index in names of the faulted suffix
	for i, n := range names {
		if sf.suffix > 0 && sf.suffix <= len(search) && n == strings.TrimSuffix(lookupName(c.name, c.form), ".")+"."+search[sf.suffix-1] {
			hit = i
		}
	}
	// The name itself answers: a walk that reaches it succeeds.
	bare := strings.TrimSuffix(lookupName(c.name, c.form), ".")
	reach := 0
	for i, n := range names {
		if n == bare {
			reach = i
		}
	}
	if hit < 0 || hit > reach {
		// The fault is on a name the walk never asks (or asks after the
		// answer): every suffix before the name is NXDOMAIN, which all
		// three go past.
		return expect{Result: "both", Known: true, Names: names[:reach+1], Queries: 2 * (reach + 1),
			Why: fmt.Sprintf("%s: %d names tried (%s), NXDOMAIN on each suffix goes on to the next", resolver, reach+1, strings.Join(names[:reach+1], ", "))}
	}
	tried := names[:hit+1]
	switch resolver {
	case "musl":
		// name_from_dns_search: "if (cnt) return cnt;" — name_from_dns
		// returns 0 only for NXDOMAIN (rcode 3); SERVFAIL and no answer are
		// EAI_AGAIN, NOERROR without addresses EAI_NONAME (1.2.3) or
		// EAI_NODATA (1.2.5): each ends the walk.
		switch sf.fault {
		case "servfail", "timeout":
			return expect{Result: "fail", Code: "EAI_AGAIN", DelayMs: 1000 * rc.timeout, Known: true, Names: tried,
				Why: "musl lookup_name.c name_from_dns_search stops the walk at the first non-NXDOMAIN answer: " + sf.fault + " on " + tried[len(tried)-1] + " is EAI_AGAIN after __res_msend_rc's timeout, and the names after it are never asked"}
		case "nodata":
			code := "EAI_NODATA"
			if !muslTCPFallback(libc) { // 1.2.3 and before
				code = "EAI_NONAME"
			}
			return expect{Result: "fail", Code: code, Known: true, Names: tried,
				Why: "musl name_from_dns_search: NOERROR without addresses on " + tried[len(tried)-1] + " is a final answer (" + code + "): the walk stops"}
		}
	case "glibc":
		// __res_context_search: NO_DATA and HOST_NOT_FOUND keep trying,
		// TRY_AGAIN with rcode SERVFAIL "try next search element"; a
		// timeout is TRY_AGAIN without SERVFAIL: done.
		switch sf.fault {
		case "servfail", "nodata":
			return expect{Result: "both", Known: true, Names: names[:reach+1],
				Why: "glibc resolv/res_query.c __res_context_search: " + sf.fault + " on a suffix goes on to the next search element; the name itself answers"}
		case "timeout":
			// "anything else implies that we're done" ends the search
			// loop, but the name as it is has not been tried yet
			// (tried_as_is is 0), so it is asked after the loop.
			names := append(slices.Clone(tried), bare)
			return expect{Result: "both", DelayMs: rc.attempts * 1000 * rc.timeout, Known: true, Names: names,
				Why: "glibc resolv/res_query.c __res_context_search: a timeout is TRY_AGAIN without rcode SERVFAIL, which ends the search loop after attempts × timeout (send_dg); the name as it is is still asked after the loop, so the suffixes after the dead one are skipped"}
		}
	case "go":
		// goLookupIPCNAMEOrder: an error on one name is kept as lastErr
		// and the loop goes on unless strictErrors (off by default).
		delay := 0.0
		if sf.fault == "timeout" {
			delay = rc.attempts * 1000 * rc.timeout
		}
		switch sf.fault {
		case "servfail", "nodata", "timeout":
			return expect{Result: "both", DelayMs: delay, Known: true, Names: names[:reach+1],
				Why: "Go dnsclient_unix.go goLookupIPCNAMEOrder: " + sf.fault + " on a suffix is remembered and the walk goes on (no strict errors)"}
		}
	}
	return expect{Names: tried, Why: "no prediction from source: measured only"}
}

func sortedByTime(entries []dnsfaker.Entry) []dnsfaker.Entry {
	out := slices.Clone(entries)
	slices.SortStableFunc(out, func(a, b dnsfaker.Entry) int { return cmp.Compare(a.TimeUS, b.TimeUS) })
	return out
}

// namesTried is the distinct names of a lookup's queries, in the order the
// server first saw them.
func namesTried(entries []dnsfaker.Entry) []string {
	var out []string
	seen := map[string]bool{}
	for _, e := range sortedByTime(entries) {
		n := strings.TrimSuffix(e.Name, ".")
		if !seen[n] {
			seen[n] = true
			out = append(out, n)
		}
	}
	return out
}
