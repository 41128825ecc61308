package dns

import "github.com/baselab/baselab/labs/lab"

// fields are the fields the lab writes beyond the common ones: a matrix
// cell's first, then an under-load cell's, then the ones only some cells
// carry. Claims and the report read them from here.
var fields = []lab.Field{
	{Name: "resolver", Kind: lab.Str, Meaning: "the stub resolver under test: musl, glibc or go (user for --image)"},
	{Name: "fault", Kind: lab.Str, Meaning: "the dnsfaker fault the cell's name gets (race:p=P under load)"},
	{Name: "options", Kind: lab.Str, Meaning: `the resolv.conf options line ("" for none)`},
	{Name: "flags", Kind: lab.Str, Meaning: "the getaddrinfo hints the probe passes: none or addrconfig"},
	{Name: "a_only", Kind: lab.Num, Meaning: "lookups that returned the IPv4 address alone"},
	{Name: "queries", Kind: lab.Num, Meaning: "queries the server saw for the cell's name"},
	{Name: "ports", Kind: lab.Num, Meaning: "source address:ports (per transport) those queries came from"},
	{Name: "timeline", Kind: lab.List, Meaning: "the slowest lookup as the server saw it: per query t_ms from the lookup's start, port, transport, qtype, action"},
	{Name: "clients", Kind: lab.Num, Meaning: "under load: concurrent clients, each one long-lived probe process"},
	{Name: "probability", Kind: lab.Num, Meaning: "under load: how likely race loses the second query of a same-port pair"},
	{Name: "p99_ms", Kind: lab.Num, Meaning: "under load: 99th percentile of the lookups' times, in ms"},
	{Name: "stalls", Kind: lab.Num, Meaning: "under load: lookups that took 1000 ms or more"},
	{Name: "name", Kind: lab.Str, Meaning: "the cell's own query name (c042.dns.test): the server faults each name its own way"},
	{Name: "probe_libc", Kind: lab.Str, Meaning: "the libc the probe says it ran with"},
	{Name: "addresses", Kind: lab.Num, Meaning: "addresses (A + AAAA) a successful lookup returned: the most of the cell's lookups"},
	{Name: "predicted_addresses", Kind: lab.Num, Meaning: "addresses the source predicts one lookup returns (musl: MAXADDRS 48, or what the truncated UDP answers held)"},
	{Name: "form", Kind: lab.Str, Meaning: "search cells (--options k8s): how the host is named: short, dotted or fqdn (trailing dot)"},
	{Name: "lookup_name", Kind: lab.Str, Meaning: "search cells: the name the probe looks up"},
	{Name: "resolv_conf", Kind: lab.Str, Meaning: "search cells: the resolv.conf after its nameserver line"},
	{Name: "names_tried", Kind: lab.List, Meaning: "search cells: the names the slowest lookup asked, in the order the server saw them"},
	{Name: "queries_per_lookup", Kind: lab.Num, Meaning: "search cells: queries the server saw per lookup"},
	{Name: "predicted_names", Kind: lab.List, Meaning: "search cells: the names the source says the walk asks, in order"},
	{Name: "predicted_queries", Kind: lab.Num, Meaning: "search cells: queries per lookup the source predicts (when every suffix is NXDOMAIN)"},
	{Name: "lab_late", Kind: lab.Num, Meaning: "musl cells: lookups left out because the server's log shows musl asking again for an answer already sent (it reached the resolver late: the lab's noise, not the resolver's)"},
	{Name: "as_predicted", Kind: lab.Bool, Meaning: "the cell matches what its resolver's source predicts (only where the source predicts)"},
	{Name: "predicted", Kind: lab.Str, Meaning: "what the source predicts: the class after ~N ms"},
	{Name: "run_ms", Kind: lab.List, Meaning: "--image: each run of your command, container start included, in ms"},
	{Name: "timing", Kind: lab.Str, Meaning: "--image: how the lookup times were taken (the command's own run time, by a static timer inside the container)"},
	{Name: "command_ms", Kind: lab.List, Meaning: "--image: each run of your command as the timer inside the container measured it, in ms (p50_ms and the rest summarise these)"},
	{Name: "outputs", Kind: lab.List, Meaning: "--image: the last line each run of your command printed on stdout"},
}
