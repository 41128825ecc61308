package doctor

import (
	"archive/tar"
	"bytes"
	"errors"
	"strings"
	"testing"

	"github.com/baselab/baselab/harness/rootfs"
	"github.com/stretchr/testify/assert"
)

// An unreadable layer reaches doctor as an export stream that breaks: the
// engine's export is the only reader, and no engine lets one build a layer
// it then cannot export, so the stream is broken here, the way a cut
// export or a corrupt layer arrives (rootfs's own test holds the reader to
// both). It must be one line and ErrBadImage (exit 3).
func TestBrokenLayerIsOneLineBadImage(t *testing.T) {
	var whole bytes.Buffer
	tw := tar.NewWriter(&whole)
	body := strings.Repeat("\x7fELF", 512)
	_ = tw.WriteHeader(&tar.Header{Name: "app", Mode: 0o755, Size: int64(len(body)), Typeflag: tar.TypeReg})
	_, _ = tw.Write([]byte(body))
	_ = tw.Close()
	for _, c := range []struct {
		name   string
		stream []byte
	}{
		{"a layer cut inside a program", whole.Bytes()[:512+300]},
		{"a layer that is not tar", []byte(strings.Repeat("garbage\n", 200))},
	} {
		t.Run(c.name, func(t *testing.T) {
			im := &Image{Ref: "team/app:broken"}
			err := im.read(func() (*rootfs.FS, error) {
				return rootfs.ReadTar(bytes.NewReader(c.stream), rootfs.Options{KeepFile: keep})
			})
			assert.True(t, errors.Is(err, ErrBadImage), "%v", err)
			assert.NotContains(t, err.Error(), "\n")
			assert.Contains(t, err.Error(), "team/app:broken")
		})
	}
	// The whole stream is read: the same path works, so the cases above
	// fail for the break, not for the reader.
	im := &Image{Ref: "team/app:whole"}
	err := im.read(func() (*rootfs.FS, error) {
		return rootfs.ReadTar(bytes.NewReader(whole.Bytes()), rootfs.Options{KeepFile: keep})
	})
	assert.False(t, errors.Is(err, ErrBadImage) && strings.Contains(err.Error(), "broken stream"), "%v", err)
}

func TestJudgeable(t *testing.T) {
	for _, c := range []struct {
		os, arch string
		ok       bool
	}{
		{"linux", "amd64", true}, {"", "", true},
		{"windows", "amd64", false}, {"linux", "arm64", false}, {"linux", "arm", false},
	} {
		err := judgeable("x", c.os, c.arch)
		assert.Equal(t, c.ok, err == nil, "%s/%s: %v", c.os, c.arch, err)
		if err != nil {
			assert.True(t, errors.Is(err, ErrBadImage))
		}
	}
}
