package images

import (
	"bufio"
	"bytes"
	"context"
	"fmt"
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"strings"

	"github.com/moby/moby/client"
)

// bootstrap builds a Debian root on the host with debootstrap and imports it:
// with no registry, the first image can only come from the host.
func (c *Catalog) bootstrap(ctx context.Context, spec Spec, ref string, labels map[string]string) error {
	if _, err := exec.LookPath("debootstrap"); err != nil {
		return fmt.Errorf("debootstrap not found: install it with `apt-get install debootstrap`, or set %s=registry", EnvMode)
	}
	if os.Geteuid() != 0 {
		return fmt.Errorf("debootstrap needs root: run as root, or set %s=registry", EnvMode)
	}
	dir, err := os.MkdirTemp("", "baselab-bootstrap-")
	if err != nil {
		return err
	}
	defer os.RemoveAll(dir)
	script, err := fs.ReadFile(c.files, "bootstrap.sh")
	if err != nil {
		return err
	}
	scriptPath := filepath.Join(dir, "bootstrap.sh")
	if err := os.WriteFile(scriptPath, script, 0o755); err != nil {
		return err
	}
	out := filepath.Join(dir, "rootfs.tar")
	b := spec.Bootstrap
	cmd := exec.CommandContext(ctx, "sh", scriptPath, b.Variant, b.Suite, out, c.mirror)
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		return err
	}
	if err := cmd.Start(); err != nil {
		return fmt.Errorf("start debootstrap: %w", err)
	}
	sc := bufio.NewScanner(stdout)
	for sc.Scan() {
		fmt.Fprintf(c.progress, "%s: %s\n", spec.Key, sc.Text())
	}
	if err := cmd.Wait(); err != nil {
		return fmt.Errorf("debootstrap %s %s: %w\n%s", b.Variant, b.Suite, err, tail(stderr.String(), 40))
	}
	f, err := os.Open(out)
	if err != nil {
		return err
	}
	defer f.Close()
	changes := []string{`CMD ["bash"]`, "ENV PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"}
	for k, v := range labels {
		changes = append(changes, fmt.Sprintf("LABEL %s=%q", k, v))
	}
	fmt.Fprintf(c.progress, "%s: importing root filesystem as %s\n", spec.Key, ref)
	res, err := c.eng.API.ImageImport(ctx, client.ImageImportSource{Source: f, SourceName: "-"}, ref,
		client.ImageImportOptions{Changes: changes, Message: "baselab " + string(spec.Key) + " stand-in"})
	if err != nil {
		return fmt.Errorf("import rootfs: %w", err)
	}
	defer res.Close()
	return decodeStream(res, &bytes.Buffer{}, nil)
}

// hostMirror picks the Debian mirror: BASELAB_DEBIAN_MIRROR, else the first
// Debian archive in the host's apt sources, else "" (debootstrap's default).
// Reading it from configuration keeps every host name out of the code.
func hostMirror() string {
	if m := os.Getenv(EnvMirror); m != "" {
		return m
	}
	for _, name := range aptSourceFiles() {
		if m := mirrorIn(name); m != "" {
			return m
		}
	}
	return ""
}

func aptSourceFiles() []string {
	files := []string{"/etc/apt/sources.list"}
	more, _ := filepath.Glob("/etc/apt/sources.list.d/*.sources")
	files = append(files, more...)
	more, _ = filepath.Glob("/etc/apt/sources.list.d/*.list")
	return append(files, more...)
}

// mirrorIn returns the first URI in an apt source file (one-line or deb822
// form) whose suite list names a Debian release rather than security.
func mirrorIn(name string) string {
	f, err := os.Open(name)
	if err != nil {
		return ""
	}
	defer f.Close()
	return parseMirror(f)
}

func parseMirror(r interface{ Read([]byte) (int, error) }) string {
	sc := bufio.NewScanner(r)
	var uri string
	for sc.Scan() {
		line := strings.TrimSpace(sc.Text())
		switch {
		case strings.HasPrefix(line, "deb "):
			f := strings.Fields(line)
			// deb [opts] URI SUITE COMPONENTS...
			for i := 1; i < len(f)-1; i++ {
				if strings.HasPrefix(f[i], "[") {
					continue
				}
				if isDebianArchive(f[i]) && !strings.Contains(f[i+1], "security") {
					return f[i]
				}
				break
			}
		case strings.HasPrefix(line, "URIs:"):
			uri = strings.TrimSpace(strings.TrimPrefix(line, "URIs:"))
		case strings.HasPrefix(line, "Suites:") && uri != "":
			if isDebianArchive(uri) && !strings.Contains(line, "security") {
				return strings.Fields(uri)[0]
			}
		case line == "":
			uri = ""
		}
	}
	return ""
}

// isDebianArchive keeps third-party repositories (nodesource ...) and the
// security archive out: debootstrap needs the main archive's layout.
func isDebianArchive(uri string) bool {
	u := strings.TrimSuffix(uri, "/")
	return strings.HasSuffix(u, "/debian")
}
