package dnsfaker

import (
	"errors"
	"testing"
	"time"

	"github.com/miekg/dns"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestParseFault(t *testing.T) {
	t.Parallel()
	tests := []struct {
		in        string
		want      Fault
		canonical string
	}{
		{"ok", OK, "ok"},
		{"race", Race, "race"},
		{"race:p=0.3", Fault{Kind: KindRace, P: 0.3}, "race:p=0.3"},
		{"race:inflight=200ms", Fault{Kind: KindRace, Inflight: 200 * time.Millisecond}, "race:inflight=200ms"},
		{"race:p=0.5,inflight=1s", Fault{Kind: KindRace, Inflight: time.Second, P: 0.5}, "race:inflight=1s,p=0.5"},
		{"race:inflight=50ms,p=1", Race, "race"},
		{"race:busy=16", Fault{Kind: KindRace, Busy: 16}, "race:busy=16"},
		{"race:busy=8,p=0.5", Fault{Kind: KindRace, P: 0.5, Busy: 8}, "race:p=0.5,busy=8"},
		{"timeout", Fault{Kind: KindTimeout}, "timeout"},
		{"timeout:AAAA", Fault{Kind: KindTimeout, QType: dns.TypeAAAA}, "timeout:AAAA"},
		{"SERVFAIL:aaaa", Fault{Kind: KindServfail, QType: dns.TypeAAAA}, "servfail:AAAA"},
		{"refused:A", Fault{Kind: KindRefused, QType: dns.TypeA}, "refused:A"},
		{"nxdomain", Fault{Kind: KindNXDomain}, "nxdomain"},
		{"nodata:MX", Fault{Kind: KindNoData, QType: dns.TypeMX}, "nodata:MX"},
		{"delay:2s", Fault{Kind: KindDelay, Delay: 2 * time.Second}, "delay:2s"},
		{"delay:1500ms:AAAA", Fault{Kind: KindDelay, Delay: 1500 * time.Millisecond, QType: dns.TypeAAAA}, "delay:1.5s:AAAA"},
		{"truncate", Fault{Kind: KindTruncate}, "truncate"},
		{"tcponly", Fault{Kind: KindTCPOnly}, "tcponly"},
		{"cname", Fault{Kind: KindCNAME, Chain: DefaultChain}, "cname:10"},
		{"CNAME:3", Fault{Kind: KindCNAME, Chain: 3}, "cname:3"},
		{"overload", Fault{Kind: KindOverload, QPS: 20}, "overload:20"},
		{"overload:2.5", Fault{Kind: KindOverload, QPS: 2.5}, "overload:2.5"},
		{"every", Fault{Kind: KindEvery, N: 2}, "every:2"},
		{"every:5", Fault{Kind: KindEvery, N: 5}, "every:5"},
		{"  ok  ", OK, "ok"},
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			got, err := ParseFault(tt.in)
			require.NoError(t, err)
			assert.Equal(t, tt.want, got)
			assert.Equal(t, tt.canonical, got.String())
			again, err := ParseFault(got.String())
			require.NoError(t, err)
			assert.Equal(t, got, again, "the canonical form reads back")
		})
	}
}

func TestParseFaultRejects(t *testing.T) {
	t.Parallel()
	tests := []struct {
		in      string
		mention string // the error names the problem
		is      error
	}{
		{"rase", `unknown fault "rase"`, ErrUnknownFault},
		{"", `unknown fault ""`, ErrUnknownFault},
		{"servfail:AAA", `unknown qtype "AAA"`, ErrUnknownQType},
		{"delay:2s:AAA", `unknown qtype "AAA"`, ErrUnknownQType},
		{"delay", "delay needs a duration", nil},
		{"delay:soon", `bad delay "soon"`, nil},
		{"delay:-1s", `bad delay "-1s"`, nil},
		{"race:p=0", `bad race probability "0"`, nil},
		{"race:p=1.5", `bad race probability "1.5"`, nil},
		{"race:inflight=0s", `bad race inflight "0s"`, nil},
		{"race:q=1", `unknown race parameter "q"`, nil},
		{"race:busy=0", `bad race busy "0"`, nil},
		{"race:busy=many", `bad race busy "many"`, nil},
		{"race:0.5", `bad race parameter "0.5"`, nil},
		{"race:", "empty parameter", nil},
		{"overload:0", `bad overload rate "0"`, nil},
		{"overload:fast", `bad overload rate "fast"`, nil},
		{"every:0", `bad every period "0"`, nil},
		{"ok:A", "ok takes no parameters", nil},
		{"truncate:A", "truncate takes no parameters", nil},
		{"tcponly:A", "tcponly takes no parameters", nil},
		{"cname:0", `bad cname chain length "0"`, nil},
		{"cname:201", `bad cname chain length "201"`, nil},
		{"cname:long", `bad cname chain length "long"`, nil},
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			_, err := ParseFault(tt.in)
			require.Error(t, err)
			assert.Contains(t, err.Error(), tt.mention)
			assert.Contains(t, err.Error(), `parse fault "`+tt.in+`"`)
			if tt.is != nil {
				assert.True(t, errors.Is(err, tt.is), "errors.Is(%v, %v)", err, tt.is)
			}
		})
	}
}

func TestUnknownFaultListsTheValidOnes(t *testing.T) {
	t.Parallel()
	_, err := ParseFault("rase")
	require.Error(t, err)
	for _, name := range kindNames {
		assert.Contains(t, err.Error(), name)
	}
}

func TestFaultIsText(t *testing.T) {
	t.Parallel()
	var f Fault
	require.NoError(t, f.UnmarshalText([]byte("delay:2s:AAAA")))
	text, err := f.MarshalText()
	require.NoError(t, err)
	assert.Equal(t, "delay:2s:AAAA", string(text))
	assert.Error(t, f.UnmarshalText([]byte("nope")))
}
