package dns

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestSplitWordsQuotesLikeAShell(t *testing.T) {
	cases := []struct {
		name string
		in   string
		want []string
		err  string
	}{
		{"plain words", "getent ahosts api.example.test", []string{"getent", "ahosts", "api.example.test"}, ""},
		{"single quotes keep spaces and double quotes", `python3 -c 'import socket; socket.getaddrinfo("x.test", 80)'`,
			[]string{"python3", "-c", `import socket; socket.getaddrinfo("x.test", 80)`}, ""},
		{"double quotes honour escaped quotes", `node -e "require(\"dns\")"`, []string{"node", "-e", `require("dns")`}, ""},
		{"quotes join a word", `a'b c'd`, []string{"ab cd"}, ""},
		{"an unterminated quote is an error", `sh -c 'oops`, nil, "unterminated"},
		{"nothing is an error", "   ", nil, "empty"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			got, err := splitWords(c.in)
			if c.err != "" {
				require.Error(t, err)
				assert.Contains(t, err.Error(), c.err)
				return
			}
			require.NoError(t, err)
			assert.Equal(t, c.want, got)
		})
	}
}
