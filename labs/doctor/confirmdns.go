package doctor

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"github.com/baselab/baselab/harness/record"
	"github.com/baselab/baselab/labs/dns"
	"github.com/baselab/baselab/labs/lab"
)

// The faults a dns-option-ignored finding runs under: race, where the
// finding predicts a stall (the option would have prevented it, or
// shortened it, had it been read), and ok, the control, where nothing is
// lost and no resolver waits on a timer.
const (
	dnsFault   = "race"
	dnsControl = "ok"
)

// orderFault is what DNS answers, under --in-hosts, for a name the
// container's /etc/hosts has: NXDOMAIN. A files-first lookup never asks;
// a DNS-first one asks, and with glibc's built-in "dns
// [!UNAVAIL=return] files" the NOTFOUND ends the lookup before the file
// is read (nss/nsswitch.c: NOTFOUND is not UNAVAIL, so return).
const orderFault = "nxdomain"

// probeHint is the line a DNS finding gets without --probe.
const probeHint = "not run: needs --probe CMD: a lookup under the DNS lab's faults needs your lookup command ({name} for the name), e.g. baselab doctor --confirm --probe 'python3 -S -c \"import socket,sys; socket.getaddrinfo(sys.argv[1], 443)\" {name}' IMAGE"

// byProbe confirms a DNS finding by running the user's lookup command in
// the image under the DNS lab's faults, through the lab's --image/--probe
// mode (its server, its static timer inside the container, its noise
// floor and its judge), with the prediction of the image's C library.
func (c *confirmer) byProbe(ctx context.Context, r *Report, f Finding) (string, error) {
	if c.probe == "" {
		return probeHint, nil
	}
	if f.Face == FaceDNSOrder {
		return c.confirmOrder(ctx, r)
	}
	// musl reads no environment at all (src/network/resolvconf.c
	// __get_resolv_conf reads /etc/resolv.conf only), so the lookup runs
	// as with no options line: the prediction is the one with none.
	want, why, known := dns.Predict(r.Libc, dnsFault, "")
	if !known || want == 0 {
		return fmt.Sprintf("not run: the DNS lab predicts no stall under %s for %s (%s), so a run could not tell the option read from ignored", dnsFault, libcName(r.Libc), why), nil
	}
	cfg := dns.DefaultConfig()
	cfg.Image, cfg.Probe, cfg.Libc = r.Image, c.probe, r.Libc
	cfg.Options, cfg.Load, cfg.Tries, cfg.Faults = []string{"none"}, false, probeTries, []string{dnsControl, dnsFault}
	recs, err := dns.Run(ctx, c.env, cfg)
	if errors.Is(err, dns.ErrProbe) {
		return "not run: " + err.Error(), nil
	}
	if err != nil {
		return "", err
	}
	got := map[string]record.Record{}
	for _, rec := range recs {
		fault, _ := rec.Str("fault")
		got[fault] = rec
	}
	return judgeIgnored(got[dnsFault], got[dnsControl], want), nil
}

// judgeIgnored reads the DNS lab's verdicts on the two cells: confirmed
// when the lookup under race waited musl's resend as the source predicts
// (the lab's judge: within its tolerance, every lookup too) and the
// control under ok was fast, as predicted — so the wait is the fault's
// and the resolver's, not the command's.
func judgeIgnored(race, ctl record.Record, wantMs float64) string {
	ms := func(rec record.Record) string {
		if rec.P50ms == nil {
			return "no timing"
		}
		return fmt.Sprintf("%.0f ms", *rec.P50ms)
	}
	cell := func(rec record.Record) string {
		if rec.Outcome == "" {
			return "no record"
		}
		s := rec.Outcome + ", " + ms(rec)
		if len(rec.Errors) > 0 {
			s += ": " + strings.Join(rec.Errors, "; ")
		}
		return s
	}
	raceOK, raceJudged := race.Bool("as_predicted")
	ctlOK, ctlJudged := ctl.Bool("as_predicted")
	// The lab's judge makes no comparison inside the run's noise floor
	// (labs/dns/floor.go): no as_predicted, and a Detail that says so.
	inconclusive := func(rec record.Record) bool {
		_, judged := rec.Bool("as_predicted")
		return rec.Outcome == lab.Inconclusive || !judged && strings.HasPrefix(rec.Detail, "INCONCLUSIVE")
	}
	switch {
	case race.Outcome == "" || ctl.Outcome == "" || race.Outcome == lab.Error || ctl.Outcome == lab.Error:
		return fmt.Sprintf("not confirmed: the lab could not measure it (%s %s; %s %s)", dnsFault, cell(race), dnsControl, cell(ctl))
	case inconclusive(ctl) || inconclusive(race):
		why := race.Detail
		if inconclusive(ctl) {
			why = ctl.Detail
		}
		return fmt.Sprintf("not confirmed: inconclusive: this run's noise reached the lab's lines (%s %s; %s %s): %s",
			dnsFault, cell(race), dnsControl, cell(ctl), why)
	case !ctlJudged || !ctlOK || !strings.HasSuffix(ctl.Outcome, "-fast"):
		return fmt.Sprintf("not confirmed: the control under %s was not fast as predicted (%s: %s), so a wait under %s would say nothing", dnsControl, cell(ctl), ctl.Detail, dnsFault)
	case strings.HasSuffix(race.Outcome, "-fast"):
		return fmt.Sprintf("not confirmed: under %s your command took %s, fast (control %s): its lookup waited on no resend — the option took effect, or the command asks one query (AF_INET, AI_ADDRCONFIG) or resolves by itself", dnsFault, ms(race), ms(ctl))
	case !raceJudged || !raceOK:
		return fmt.Sprintf("not confirmed: under %s %s, not the predicted %.0f ms: %s", dnsFault, cell(race), wantMs, race.Detail)
	}
	return fmt.Sprintf("confirmed: under %s your command took %s (median of %d, timed inside the container), the %.0f ms musl waits to resend (timeout/attempts): the option was not read; %s under %s (the control)",
		dnsFault, ms(race), race.Tries, wantMs, ms(ctl), dnsControl)
}

// confirmOrder runs the user's lookup with each cell's name in the
// container's /etc/hosts and NXDOMAIN from DNS (the DNS lab's --in-hosts),
// and reads the server's log: a lookup that reads the file first sends no
// query for a name the file has, one that asks DNS first does.
func (c *confirmer) confirmOrder(ctx context.Context, r *Report) (string, error) {
	cfg := dns.DefaultConfig()
	cfg.Image, cfg.Probe, cfg.InHosts = r.Image, c.probe, true
	cfg.Options, cfg.Load, cfg.Tries, cfg.Faults = []string{"none"}, false, probeTries, []string{orderFault}
	recs, err := dns.Run(ctx, c.env, cfg)
	if errors.Is(err, dns.ErrProbe) {
		return "not run: " + err.Error(), nil
	}
	if err != nil {
		return "", err
	}
	for _, rec := range recs {
		if in, _ := rec.Bool("in_hosts"); in {
			return judgeOrder(rec), nil
		}
	}
	return "not confirmed: the lab made no record of the lookup with the name in /etc/hosts", nil
}

// judgeOrder is confirmed when every run asked DNS for a name /etc/hosts
// had (the server's log, not a timing: no noise floor to reach), and says
// whether the lookups then failed — glibc's "[!UNAVAIL=return]" ending the
// lookup on DNS's NXDOMAIN — or answered from the file after it.
func judgeOrder(rec record.Record) string {
	asked, _ := rec.Float("asked_dns")
	n := rec.Tries
	switch {
	case rec.Outcome == "" || rec.Outcome == lab.Error || n == 0:
		return fmt.Sprintf("not confirmed: the lab could not measure it (%s)", strings.Join(rec.Errors, "; "))
	case asked == 0:
		return fmt.Sprintf("not confirmed: with the name in /etc/hosts and %s from DNS, none of %d runs asked DNS (%d answered): the file is read first", orderFault, n, rec.OK)
	case int(asked) < n:
		return fmt.Sprintf("not confirmed: %d of %d runs asked DNS for a name /etc/hosts has: the order is not the same every run", int(asked), n)
	case rec.Failed == n:
		return fmt.Sprintf("confirmed: with the name in /etc/hosts and %s from DNS, every run of %d asked DNS first (%d queries for the name) and failed (%s): DNS's answer ended the lookup and /etc/hosts was never read", orderFault, n, rec.Int("queries"), rec.Evidence)
	}
	return fmt.Sprintf("confirmed: with the name in /etc/hosts, every run of %d asked DNS first (%d queries for the name; %d of the runs then answered, from the file after DNS's %s)", n, rec.Int("queries"), rec.OK, orderFault)
}
