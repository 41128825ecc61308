// Package dnsfaker is a fake DNS server that mishandles queries on purpose,
// the way the servers in the course's production stories do.
//
// It answers A and AAAA for every name with documentation addresses
// (192.0.2.0/24, 2001:db8::/32) and applies a fault chosen per name by
// rules: above all race, which loses the second of two queries sent at
// once from one UDP source address:port, as a libc stub resolver sends its
// A and AAAA queries; no off-the-shelf server emulates that. Every query is
// logged with the source port, the fault and what was done, so a lab can
// show both queries of a pair leaving one port, the drop and the resend.
//
// A Server serves UDP and TCP on one port:
//
//	srv := dnsfaker.New(dnsfaker.Config{Default: dnsfaker.Race})
//	if err := srv.Start(ctx, "127.0.0.1:0"); err != nil { ... }
//	defer srv.Close()
//
// See README.md in this folder for the faults, the rules file, the log and
// the HTTP API.
package dnsfaker
