package dnsfaker_test

import (
	"context"
	"fmt"
	"log"
	"strings"

	"github.com/baselab/baselab/dnsfaker"
	"github.com/miekg/dns"
)

func ExampleParseFault() {
	for _, s := range []string{"race", "race:p=0.3,inflight=200ms", "servfail:aaaa", "delay:1500ms:AAAA", "overload"} {
		f, err := dnsfaker.ParseFault(s)
		if err != nil {
			log.Fatal(err)
		}
		fmt.Printf("%-26s -> %s\n", s, f)
	}
	_, err := dnsfaker.ParseFault("servfail:AAA")
	fmt.Println(err)
	// Output:
	// race                       -> race
	// race:p=0.3,inflight=200ms  -> race:inflight=200ms,p=0.3
	// servfail:aaaa              -> servfail:AAAA
	// delay:1500ms:AAAA          -> delay:1.5s:AAAA
	// overload                   -> overload:20
	// parse fault "servfail:AAA": unknown qtype "AAA" (e.g. A, AAAA, MX, TXT)
}

func ExampleParseRules() {
	rules, err := dnsfaker.ParseRules(strings.NewReader(`
# the names of one lab, one fault each; the first match wins
pair.race.test   race
*.race.test      race:p=0.5
*.sf.test        servfail:AAAA
`))
	if err != nil {
		log.Fatal(err)
	}
	for _, r := range rules {
		fmt.Println(r)
	}
	_, err = dnsfaker.ParseRules(strings.NewReader("a.test ok\nb.test rase\n"))
	fmt.Println(err)
	// Output:
	// pair.race.test. race
	// *.race.test. race:p=0.5
	// *.sf.test. servfail:AAAA
	// line 2: parse fault "rase": unknown fault "rase" (valid: ok, race[:inflight=DURATION,p=PROB,busy=K], timeout[:QTYPE], servfail[:QTYPE], refused[:QTYPE], nxdomain[:QTYPE], nodata[:QTYPE], delay:DURATION[:QTYPE], truncate, tcponly, cname[:N], overload[:QPS], every[:N])
}

func ExampleServer() {
	srv := dnsfaker.New(dnsfaker.Config{
		Rules: []dnsfaker.Rule{{Name: "*.sf.test", Fault: dnsfaker.Fault{Kind: dnsfaker.KindServfail}}},
	})
	if err := srv.Start(context.Background(), "127.0.0.1:0"); err != nil {
		log.Fatal(err)
	}
	defer srv.Close()

	c := new(dns.Client)
	for _, name := range []string{"www.example.org.", "db.sf.test."} {
		m := new(dns.Msg)
		m.SetQuestion(name, dns.TypeA)
		resp, _, err := c.Exchange(m, srv.Addr())
		if err != nil {
			log.Fatal(err)
		}
		fmt.Println(dns.RcodeToString[resp.Rcode], resp.Answer)
	}
	for _, e := range srv.Log() {
		fmt.Println(e.Name, e.QType, e.Fault, e.Action)
	}
	// Output:
	// NOERROR [www.example.org.	0	IN	A	192.0.2.135]
	// SERVFAIL []
	// www.example.org. A ok answered
	// db.sf.test. A servfail servfail
}
