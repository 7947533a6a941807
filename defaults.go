// Package cued holds the project's documented defaults. The CLI lives in
// cmd/cued and the daemon in package daemon (cmd/cued wires it to its
// config); this package only embeds config.yaml so that the file users
// read and the defaults the binary uses are one and the same.
package cued

import _ "embed"

// DefaultConfig is config.yaml from the repository root, the documented
// default configuration. Every key a user may set appears in it.
//
//go:embed config.yaml
var DefaultConfig []byte
