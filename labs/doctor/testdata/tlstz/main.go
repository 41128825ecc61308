// Command tlstz does what the scratch lab's program does, by flag: an
// HTTPS handshake and a time-zone load. doctor reads that it can.
package main

import (
	"crypto/tls"
	"fmt"
	"os"
	"time"
)

func main() {
	if len(os.Args) > 1 {
		c, err := tls.Dial("tcp", os.Args[1], nil)
		if err != nil {
			fmt.Println(err)
			os.Exit(1)
		}
		c.Close()
	}
	loc, err := time.LoadLocation(os.Getenv("ZONE"))
	fmt.Println(loc, err)
}
