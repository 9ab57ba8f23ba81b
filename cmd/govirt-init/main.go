// Command govirt-init is the init (PID 1) of govirt appliances. Build it
// with CGO_ENABLED=0 so that it is static; `govirt appliance build` finds
// it through $GOVIRT_INIT, beside the govirt binary, or in
// /usr/lib/govirt, and otherwise compiles the same sources itself.
package main

import "github.com/govirt/govirt/internal/appliance/guestinit"

func main() { guestinit.Main() }
