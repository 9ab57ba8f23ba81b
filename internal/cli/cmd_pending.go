package cli

// The commands below are not written yet; each reports so.

func cmdCheckpointCreate(s *session, c *call) error       { return notYet(c) }
func cmdCheckpointCreateAs(s *session, c *call) error     { return notYet(c) }
func cmdCheckpointDelete(s *session, c *call) error       { return notYet(c) }
func cmdCheckpointDumpxml(s *session, c *call) error      { return notYet(c) }
func cmdCheckpointEdit(s *session, c *call) error         { return notYet(c) }
func cmdCheckpointInfo(s *session, c *call) error         { return notYet(c) }
func cmdCheckpointList(s *session, c *call) error         { return notYet(c) }
func cmdCheckpointParent(s *session, c *call) error       { return notYet(c) }
func cmdNwfilterDefine(s *session, c *call) error         { return notYet(c) }
func cmdNwfilterDumpxml(s *session, c *call) error        { return notYet(c) }
func cmdNwfilterEdit(s *session, c *call) error           { return notYet(c) }
func cmdNwfilterList(s *session, c *call) error           { return notYet(c) }
func cmdNwfilterUndefine(s *session, c *call) error       { return notYet(c) }
func cmdNwfilterBindingCreate(s *session, c *call) error  { return notYet(c) }
func cmdNwfilterBindingDelete(s *session, c *call) error  { return notYet(c) }
func cmdNwfilterBindingDumpxml(s *session, c *call) error { return notYet(c) }
func cmdNwfilterBindingList(s *session, c *call) error    { return notYet(c) }
func cmdNetDhcpLeases(s *session, c *call) error          { return notYet(c) }
func cmdNetUpdate(s *session, c *call) error              { return notYet(c) }
func cmdNetPortList(s *session, c *call) error            { return notYet(c) }
func cmdNetPortCreate(s *session, c *call) error          { return notYet(c) }
func cmdNetPortDumpxml(s *session, c *call) error         { return notYet(c) }
func cmdNetPortDelete(s *session, c *call) error          { return notYet(c) }
func cmdSecretDefine(s *session, c *call) error           { return notYet(c) }
func cmdSecretDumpxml(s *session, c *call) error          { return notYet(c) }
func cmdSecretEvent(s *session, c *call) error            { return notYet(c) }
func cmdSecretGetValue(s *session, c *call) error         { return notYet(c) }
func cmdSecretList(s *session, c *call) error             { return notYet(c) }
func cmdSecretSetValue(s *session, c *call) error         { return notYet(c) }
func cmdSecretUndefine(s *session, c *call) error         { return notYet(c) }
func cmdSnapshotEdit(s *session, c *call) error           { return notYet(c) }

func notYet(c *call) error {
	return fail(errNoCause, "command '%s' is not implemented yet", c.def.name)
}
