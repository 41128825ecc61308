// Command app is the exercise 4 samples' program: run as app URL ZONE it
// GETs URL and loads ZONE, printing "https STATUS" and "zone ZONE ABBREV"
// (for 2024-07-01 12:00 UTC), each failure on stderr; it exits 1 when
// either failed. The samples share it.
package main

import (
	"fmt"
	"io"
	"net/http"
	"os"
	"time"
)

func main() {
	if len(os.Args) != 3 {
		fmt.Fprintln(os.Stderr, "usage: app URL ZONE")
		os.Exit(2)
	}
	failed := false
	c := &http.Client{Timeout: 10 * time.Second}
	if resp, err := c.Get(os.Args[1]); err != nil {
		fmt.Println("https error")
		fmt.Fprintln(os.Stderr, err)
		failed = true
	} else {
		_, _ = io.Copy(io.Discard, resp.Body)
		_ = resp.Body.Close()
		fmt.Printf("https %d\n", resp.StatusCode)
	}
	if loc, err := time.LoadLocation(os.Args[2]); err != nil {
		fmt.Println("zone error")
		fmt.Fprintln(os.Stderr, err)
		failed = true
	} else {
		abbrev, _ := time.Date(2024, 7, 1, 12, 0, 0, 0, time.UTC).In(loc).Zone()
		fmt.Printf("zone %s %s\n", os.Args[2], abbrev)
	}
	if failed {
		os.Exit(1)
	}
}
