package images

import "fmt"

// Describe names an image the way a record's detail does: its key and what
// it is — a registry image, a stand-in for one, or a baselab-only image.
func (im Image) Describe() string {
	if !im.Standin {
		return string(im.Key) + " (" + im.Ref + ")"
	}
	if im.StandinFor == "" {
		return string(im.Key) + " (baselab image)"
	}
	return string(im.Key) + " (stand-in for " + im.StandinFor + ")"
}

// StandsFor says what a record's base is, for a table's "stands in for"
// column: the registry image it stands in for, or itself.
func StandsFor(base string, standin bool) string {
	s, err := Lookup(Key(base))
	switch {
	case err != nil:
		return "—"
	case s.Registry == "":
		return "— (no registry image: built here as it is)"
	case standin:
		return s.StandinFor() + " (stand-in)"
	}
	return "itself (registry image)"
}

// Bytes prints an image or file size in kB or MB, one decimal: the unit the
// course gives its image sizes in.
func Bytes(b int64) string {
	switch {
	case b == 0:
		return "0 B"
	case b < 1_000_000:
		return fmt.Sprintf("%.1f kB", float64(b)/1e3)
	}
	return fmt.Sprintf("%.1f MB", float64(b)/1e6)
}
