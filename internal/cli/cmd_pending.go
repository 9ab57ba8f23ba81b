package cli

// The commands below are not written yet; each reports so.

func cmdNetUpdate(s *session, c *call) error { return notYet(c) }

func notYet(c *call) error {
	return fail(errNoCause, "command '%s' is not implemented yet", c.def.name)
}
