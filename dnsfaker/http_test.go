package dnsfaker

import (
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/miekg/dns"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// httpDo sends a request to the API and returns the status and body.
func httpDo(t testing.TB, method, u, body string) (int, string) {
	t.Helper()
	req, err := http.NewRequest(method, u, strings.NewReader(body))
	require.NoError(t, err)
	resp, err := http.DefaultClient.Do(req)
	require.NoError(t, err)
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	require.NoError(t, err)
	return resp.StatusCode, string(b)
}

func TestHTTPAPI(t *testing.T) {
	t.Parallel()
	srv := startServer(t, Config{})
	api := httptest.NewServer(srv.Handler())
	t.Cleanup(api.Close)

	code, body := httpDo(t, "GET", api.URL+"/healthz", "")
	assert.Equal(t, http.StatusOK, code)
	assert.Equal(t, "ok\n", body)

	start := time.Now()
	_, err := ask(t, srv.Addr(), query{name: "one.api.test", qtype: dns.TypeA}, 2*time.Second)
	require.NoError(t, err)
	_, err = ask(t, srv.Addr(), query{name: "two.api.test", qtype: dns.TypeAAAA}, 2*time.Second)
	require.NoError(t, err)

	t.Run("queries for a name", func(t *testing.T) {
		code, body := httpDo(t, "GET", api.URL+"/queries?name=TWO.api.test", "")
		require.Equal(t, http.StatusOK, code, body)
		var entries []Entry
		require.NoError(t, json.Unmarshal([]byte(body), &entries))
		require.Len(t, entries, 1)
		assert.Equal(t, "two.api.test.", entries[0].Name)
		assert.Equal(t, "AAAA", entries[0].QType)
	})
	t.Run("queries since a time, in RFC 3339 or µs", func(t *testing.T) {
		for _, since := range []string{start.Format(time.RFC3339Nano), strconv.FormatInt(start.UnixMicro(), 10)} {
			code, body := httpDo(t, "GET", api.URL+"/queries?since="+url.QueryEscape(since), "")
			require.Equal(t, http.StatusOK, code, body)
			var entries []Entry
			require.NoError(t, json.Unmarshal([]byte(body), &entries))
			assert.Len(t, entries, 2, since)
		}
		code, body := httpDo(t, "GET", api.URL+"/queries?since="+url.QueryEscape(time.Now().Add(time.Hour).Format(time.RFC3339)), "")
		require.Equal(t, http.StatusOK, code)
		assert.Equal(t, "[]\n", body)
	})
	t.Run("a bad since is a 400 that says why", func(t *testing.T) {
		code, body := httpDo(t, "GET", api.URL+"/queries?since=yesterday", "")
		assert.Equal(t, http.StatusBadRequest, code)
		assert.Contains(t, body, `parse since "yesterday"`)
	})
	t.Run("counters", func(t *testing.T) {
		code, body := httpDo(t, "GET", api.URL+"/counters", "")
		require.Equal(t, http.StatusOK, code)
		var c Counters
		require.NoError(t, json.Unmarshal([]byte(body), &c))
		assert.GreaterOrEqual(t, c.Queries, uint64(2))
		assert.GreaterOrEqual(t, c.Actions[ActionAnswered], uint64(2))
	})
}

func TestHTTPChangesRulesAtRuntime(t *testing.T) {
	t.Parallel()
	srv := startServer(t, Config{})
	api := httptest.NewServer(srv.Handler())
	t.Cleanup(api.Close)

	code, body := httpDo(t, "PUT", api.URL+"/rules?default=servfail", "*.nx.test nxdomain\n")
	require.Equal(t, http.StatusOK, code, body)
	assert.Equal(t, "# default: servfail\n*.nx.test. nxdomain\n", body)

	resp, err := ask(t, srv.Addr(), query{name: "a.nx.test", qtype: dns.TypeA}, 2*time.Second)
	require.NoError(t, err)
	assert.Equal(t, dns.RcodeNameError, resp.Rcode)
	resp, err = ask(t, srv.Addr(), query{name: "other.test", qtype: dns.TypeA}, 2*time.Second)
	require.NoError(t, err)
	assert.Equal(t, dns.RcodeServerFailure, resp.Rcode)

	// POST works too; without ?default= the default stays.
	code, _ = httpDo(t, "POST", api.URL+"/rules", "# nothing but a comment\n")
	require.Equal(t, http.StatusOK, code)
	code, body = httpDo(t, "GET", api.URL+"/rules", "")
	require.Equal(t, http.StatusOK, code)
	assert.Equal(t, "# default: servfail\n", body)

	code, body = httpDo(t, "PUT", api.URL+"/rules", "a.test ok\nb.test rase\n")
	assert.Equal(t, http.StatusBadRequest, code)
	assert.Contains(t, body, "line 2:")
	code, body = httpDo(t, "PUT", api.URL+"/rules?default=nope", "")
	assert.Equal(t, http.StatusBadRequest, code)
	assert.Contains(t, body, `unknown fault "nope"`)
	assert.Equal(t, "# default: servfail\n", srv.Rules().String(), "a bad request changes nothing")
}
