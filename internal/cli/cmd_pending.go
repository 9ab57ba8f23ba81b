package cli

// The commands below are not written yet; each reports so.

func cmdCheckpointCreate(s *session, c *call) error   { return notYet(c) }
func cmdCheckpointCreateAs(s *session, c *call) error { return notYet(c) }
func cmdCheckpointDelete(s *session, c *call) error   { return notYet(c) }
func cmdCheckpointDumpxml(s *session, c *call) error  { return notYet(c) }
func cmdCheckpointEdit(s *session, c *call) error     { return notYet(c) }
func cmdCheckpointInfo(s *session, c *call) error     { return notYet(c) }
func cmdCheckpointList(s *session, c *call) error     { return notYet(c) }
func cmdCheckpointParent(s *session, c *call) error   { return notYet(c) }
func cmdNetUpdate(s *session, c *call) error          { return notYet(c) }
func cmdSnapshotEdit(s *session, c *call) error       { return notYet(c) }

func notYet(c *call) error {
	return fail(errNoCause, "command '%s' is not implemented yet", c.def.name)
}
