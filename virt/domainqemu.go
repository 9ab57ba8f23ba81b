package virt

import "context"

// DomainAutostarter is implemented by connections whose domains start
// with the host: the daemon calls AutostartDomains once at start-up.
type DomainAutostarter interface {
	// AutostartDomains starts every inactive domain marked autostart and
	// returns the first error (the others still start).
	AutostartDomains(ctx context.Context) error
}

// AutostartDomains starts the domains marked autostart that are not
// running.
func (c *Conn) AutostartDomains(ctx context.Context) error {
	s, err := writeFamily[DomainAutostarter](c, FromDomain, "virConnectAutostartDomains")
	if err != nil {
		return err
	}
	return s.AutostartDomains(ctx)
}
