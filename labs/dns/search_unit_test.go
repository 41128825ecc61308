package dns

import (
	"testing"

	"github.com/stretchr/testify/assert"
)

func TestK8sPresetWritesAPodsResolvConf(t *testing.T) {
	cases := []struct{ options, want string }{
		{"k8s", "search lab.svc.cluster.local svc.cluster.local cluster.local\noptions ndots:5\n"},
		// Replaced, not appended: musl takes the first ndots: on the line.
		{"k8s ndots:1", "search lab.svc.cluster.local svc.cluster.local cluster.local\noptions ndots:1\n"},
		{"k8s timeout:1 attempts:2", "search lab.svc.cluster.local svc.cluster.local cluster.local\noptions ndots:5 timeout:1 attempts:2\n"},
		{"single-request", "options single-request\n"},
		{"", ""},
	}
	for _, c := range cases {
		assert.Equal(t, c.want, resolvConfBody(c.options), c.options)
	}
}

func TestWalkOrderIsTheSameRuleInAllThree(t *testing.T) {
	s := []string{"a.test", "b.test"}
	assert.Equal(t, []string{"x.a.test", "x.b.test", "x"}, walk("x", s, 5), "a short name: suffixes first")
	assert.Equal(t, []string{"x.y.z.a.test", "x.y.z.b.test", "x.y.z"}, walk("x.y.z", s, 5), "two dots under ndots:5: suffixes first")
	assert.Equal(t, []string{"x.y.z", "x.y.z.a.test", "x.y.z.b.test"}, walk("x.y.z", s, 1), "ndots:1: as it is first")
	assert.Equal(t, []string{"x.y.z"}, walk("x.y.z.", s, 5), "a trailing dot: no search")
}
