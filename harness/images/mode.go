package images

import (
	"fmt"
	"os"
)

// Mode says where images may come from.
type Mode string

// The modes of BASELAB_IMAGES.
const (
	// Auto uses what the engine already has, else pulls, else builds the
	// offline stand-in.
	Auto Mode = "auto"
	// Registry pulls the real image and fails if it cannot.
	Registry Mode = "registry"
	// Local builds stand-ins and never pulls.
	Local Mode = "local"
)

// Environment variables read by the catalog.
const (
	EnvMode   = "BASELAB_IMAGES"
	EnvMirror = "BASELAB_DEBIAN_MIRROR"
)

// ParseMode reads a mode word; "" is Auto.
func ParseMode(s string) (Mode, error) {
	switch Mode(s) {
	case "", Auto:
		return Auto, nil
	case Registry, Local:
		return Mode(s), nil
	}
	return "", fmt.Errorf("%s=%q: want auto, registry or local", EnvMode, s)
}

// ModeFromEnv reads BASELAB_IMAGES.
func ModeFromEnv() (Mode, error) { return ParseMode(os.Getenv(EnvMode)) }
