package cli

// The commands below are not written yet; each reports so.

func cmdAttachDevice(s *session, c *call) error             { return notYet(c) }
func cmdAttachDisk(s *session, c *call) error               { return notYet(c) }
func cmdAttachInterface(s *session, c *call) error          { return notYet(c) }
func cmdBlockcommit(s *session, c *call) error              { return notYet(c) }
func cmdBlockcopy(s *session, c *call) error                { return notYet(c) }
func cmdBlockjob(s *session, c *call) error                 { return notYet(c) }
func cmdBlockpull(s *session, c *call) error                { return notYet(c) }
func cmdBlockresize(s *session, c *call) error              { return notYet(c) }
func cmdChangeMedia(s *session, c *call) error              { return notYet(c) }
func cmdDetachDevice(s *session, c *call) error             { return notYet(c) }
func cmdDetachDeviceAlias(s *session, c *call) error        { return notYet(c) }
func cmdDetachDisk(s *session, c *call) error               { return notYet(c) }
func cmdDetachInterface(s *session, c *call) error          { return notYet(c) }
func cmdDomdisplay(s *session, c *call) error               { return notYet(c) }
func cmdDomifSetlink(s *session, c *call) error             { return notYet(c) }
func cmdDompmsuspend(s *session, c *call) error             { return notYet(c) }
func cmdDompmwakeup(s *session, c *call) error              { return notYet(c) }
func cmdLxcEnterNamespace(s *session, c *call) error        { return notYet(c) }
func cmdMigrate(s *session, c *call) error                  { return notYet(c) }
func cmdMigrateSetmaxdowntime(s *session, c *call) error    { return notYet(c) }
func cmdMigrateGetmaxdowntime(s *session, c *call) error    { return notYet(c) }
func cmdMigrateCompcache(s *session, c *call) error         { return notYet(c) }
func cmdMigrateSetspeed(s *session, c *call) error          { return notYet(c) }
func cmdMigrateGetspeed(s *session, c *call) error          { return notYet(c) }
func cmdMigratePostcopy(s *session, c *call) error          { return notYet(c) }
func cmdQemuAttach(s *session, c *call) error               { return notYet(c) }
func cmdQemuMonitorCommand(s *session, c *call) error       { return notYet(c) }
func cmdQemuMonitorEvent(s *session, c *call) error         { return notYet(c) }
func cmdQemuAgentCommand(s *session, c *call) error         { return notYet(c) }
func cmdTtyconsole(s *session, c *call) error               { return notYet(c) }
func cmdUpdateDevice(s *session, c *call) error             { return notYet(c) }
func cmdUpdateMemoryDevice(s *session, c *call) error       { return notYet(c) }
func cmdVncdisplay(s *session, c *call) error               { return notYet(c) }
func cmdDomblkthreshold(s *session, c *call) error          { return notYet(c) }
func cmdDomFdAssociate(s *session, c *call) error           { return notYet(c) }
func cmdCheckpointCreate(s *session, c *call) error         { return notYet(c) }
func cmdCheckpointCreateAs(s *session, c *call) error       { return notYet(c) }
func cmdCheckpointDelete(s *session, c *call) error         { return notYet(c) }
func cmdCheckpointDumpxml(s *session, c *call) error        { return notYet(c) }
func cmdCheckpointEdit(s *session, c *call) error           { return notYet(c) }
func cmdCheckpointInfo(s *session, c *call) error           { return notYet(c) }
func cmdCheckpointList(s *session, c *call) error           { return notYet(c) }
func cmdCheckpointParent(s *session, c *call) error         { return notYet(c) }
func cmdNwfilterDefine(s *session, c *call) error           { return notYet(c) }
func cmdNwfilterDumpxml(s *session, c *call) error          { return notYet(c) }
func cmdNwfilterEdit(s *session, c *call) error             { return notYet(c) }
func cmdNwfilterList(s *session, c *call) error             { return notYet(c) }
func cmdNwfilterUndefine(s *session, c *call) error         { return notYet(c) }
func cmdNwfilterBindingCreate(s *session, c *call) error    { return notYet(c) }
func cmdNwfilterBindingDelete(s *session, c *call) error    { return notYet(c) }
func cmdNwfilterBindingDumpxml(s *session, c *call) error   { return notYet(c) }
func cmdNwfilterBindingList(s *session, c *call) error      { return notYet(c) }
func cmdNetDhcpLeases(s *session, c *call) error            { return notYet(c) }
func cmdNetUpdate(s *session, c *call) error                { return notYet(c) }
func cmdNetPortList(s *session, c *call) error              { return notYet(c) }
func cmdNetPortCreate(s *session, c *call) error            { return notYet(c) }
func cmdNetPortDumpxml(s *session, c *call) error           { return notYet(c) }
func cmdNetPortDelete(s *session, c *call) error            { return notYet(c) }
func cmdSecretDefine(s *session, c *call) error             { return notYet(c) }
func cmdSecretDumpxml(s *session, c *call) error            { return notYet(c) }
func cmdSecretEvent(s *session, c *call) error              { return notYet(c) }
func cmdSecretGetValue(s *session, c *call) error           { return notYet(c) }
func cmdSecretList(s *session, c *call) error               { return notYet(c) }
func cmdSecretSetValue(s *session, c *call) error           { return notYet(c) }
func cmdSecretUndefine(s *session, c *call) error           { return notYet(c) }
func cmdSnapshotEdit(s *session, c *call) error             { return notYet(c) }
func cmdBackupBegin(s *session, c *call) error              { return notYet(c) }
func cmdBackupDumpxml(s *session, c *call) error            { return notYet(c) }

func notYet(c *call) error {
	return fail(errNoCause, "command '%s' is not implemented yet", c.def.name)
}
