package cli

import (
	"errors"
	"fmt"
	"math"
	"sort"
	"strconv"
	"strings"

	"github.com/govirt/govirt/internal/xmldoc"
	"github.com/govirt/govirt/virt"
)

// Lookup methods for domains, as virsh's VIRSH_BYID, VIRSH_BYUUID and
// VIRSH_BYNAME.
const (
	byID = 1 << iota
	byUUID
	byName
	byAny = byID | byUUID | byName
)

// lookupDomainBy resolves a domain trying only the methods in by.
func (s *session) lookupDomainBy(name string, by int) (*virt.Domain, error) {
	if by&byID != 0 {
		if id, err := strconv.ParseInt(name, 10, 32); err == nil && id >= 0 {
			if d, err := s.conn.LookupDomainByID(s.ctx, int32(id)); err == nil {
				return d, nil
			}
		}
	}
	if by&byUUID != 0 && len(name) == uuidLen {
		if d, err := s.conn.LookupDomainByUUIDString(s.ctx, name); err == nil {
			return d, nil
		}
	}
	if by&byName != 0 {
		if d, err := s.conn.LookupDomainByName(s.ctx, name); err == nil {
			return d, nil
		}
	}
	return nil, fail(errNoCause, "failed to get domain '%s'", name)
}

// domainState returns a domain's state and reason, falling back to the
// state in its info when the driver cannot tell the reason.
func (s *session) domainState(d *virt.Domain) (virt.DomainState, int, error) {
	st, reason, err := d.State(s.ctx)
	if err == nil {
		return st, reason, nil
	}
	if !errors.Is(err, virt.ErrNoSupport) {
		return 0, 0, err
	}
	info, ierr := d.Info(s.ctx)
	if ierr != nil {
		return 0, 0, ierr
	}
	return info.State, 0, nil
}

// reasonNames gives virsh's words for the reasons of each state.
var reasonNames = map[virt.DomainState][]string{
	virt.DomainNoState: {"unknown"},
	virt.DomainRunning: {"unknown", "booted", "migrated", "restored", "from snapshot", "unpaused",
		"migration canceled", "save canceled", "event wakeup", "crashed", "post-copy", "post-copy failed"},
	virt.DomainBlocked: {"unknown"},
	virt.DomainPaused: {"unknown", "user", "migrating", "saving", "dumping", "I/O error", "watchdog",
		"from snapshot", "shutting down", "creating snapshot", "crashed", "starting up", "post-copy",
		"post-copy failed", "api error"},
	virt.DomainShutdown: {"unknown", "user"},
	virt.DomainShutoff: {"unknown", "shutdown", "destroyed", "crashed", "migrated", "saved", "failed",
		"from snapshot", "daemon"},
	virt.DomainCrashed:     {"unknown", "panicked"},
	virt.DomainPMSuspended: {"unknown"},
}

func reasonString(st virt.DomainState, reason int) string {
	names := reasonNames[st]
	if reason >= 0 && reason < len(names) {
		return names[reason]
	}
	return "unknown"
}

// stateString is virsh's name of a state ("no state" for unknown ones).
func stateString(st virt.DomainState) string {
	if st < virt.DomainNoState || st > virt.DomainPMSuspended {
		return "no state"
	}
	return st.String()
}

// idString is a domain ID as virsh prints it: "-" when not running.
func idString(id int32) string {
	if id < 0 {
		return "-"
	}
	return strconv.Itoa(int(id))
}

// domainJSON is the stable JSON shape of a domain in "list -o json".
type domainJSON struct {
	ID         *int32 `json:"id"`
	Name       string `json:"name"`
	UUID       string `json:"uuid"`
	State      string `json:"state"`
	Persistent bool   `json:"persistent"`
	Autostart  bool   `json:"autostart"`
	Title      string `json:"title,omitempty"`
}

func cmdList(s *session, c *call) error {
	managed := c.has("managed-save")
	optTitle := c.has("title")
	optTable := c.has("table")
	optUUID := c.has("uuid")
	optName := c.has("name")
	optID := c.has("id")

	flags := virt.ListDomainsActive
	if c.has("inactive") || c.has("state-shutoff") {
		flags = virt.ListDomainsInactive
	}
	if c.has("all") {
		flags = virt.ListDomainsActive | virt.ListDomainsInactive
	}
	for _, f := range []struct {
		opt  string
		flag virt.ListDomainsFlags
	}{
		{"persistent", virt.ListDomainsPersistent},
		{"transient", virt.ListDomainsTransient},
		{"with-managed-save", virt.ListDomainsManagedSave},
		{"without-managed-save", virt.ListDomainsNoManagedSave},
		{"autostart", virt.ListDomainsAutostart},
		{"no-autostart", virt.ListDomainsNoAutostart},
		{"with-snapshot", virt.ListDomainsHasSnapshot},
		{"without-snapshot", virt.ListDomainsNoSnapshot},
		{"with-checkpoint", virt.ListDomainsHasCheckpoint},
		{"without-checkpoint", virt.ListDomainsNoCheckpoint},
		{"state-running", virt.ListDomainsRunning},
		{"state-paused", virt.ListDomainsPaused},
		{"state-shutoff", virt.ListDomainsShutoff},
		{"state-other", virt.ListDomainsOther},
	} {
		if c.has(f.opt) {
			flags |= f.flag
		}
	}
	if err := c.exclusive("table", "name"); err != nil {
		return err
	}
	if err := c.exclusive("table", "uuid"); err != nil {
		return err
	}
	if err := c.exclusive("table", "id"); err != nil {
		return err
	}
	asJSON, err := s.wantJSON(c)
	if err != nil {
		return err
	}
	if !optUUID && !optName && !optID {
		optTable = true
	}
	doms, err := s.conn.ListAllDomains(s.ctx, flags)
	if err != nil {
		return fail(err, "Failed to list domains")
	}
	sortDomains(doms)

	if asJSON {
		out := make([]domainJSON, 0, len(doms))
		for _, d := range doms {
			st, _, err := s.domainState(d)
			if err != nil {
				continue
			}
			j := domainJSON{Name: d.Name(), UUID: d.UUID().String(), State: stateString(st)}
			if id := d.ID(); id >= 0 {
				j.ID = &id
			}
			if fl, err := d.Flags(s.ctx); err == nil {
				j.Persistent, j.Autostart = fl.Persistent, fl.Autostart
			}
			if optTitle {
				j.Title, _ = domainTitle(s, d)
			}
			out = append(out, j)
		}
		return s.printJSON(out)
	}

	var t *textTable
	if optTable {
		switch {
		case optTitle && !optUUID:
			t = newTable("Id", "Name", "State", "Title")
		case optUUID && !optTitle:
			t = newTable("Id", "Name", "State", "UUID")
		case optUUID && optTitle:
			t = newTable("Id", "Name", "State", "Title", "UUID")
		default:
			t = newTable("Id", "Name", "State")
		}
	}
	var b strings.Builder
	for _, d := range doms {
		id := d.ID()
		if optTable {
			st, _, err := s.domainState(d)
			if err != nil {
				continue // gone in the meantime
			}
			state := stateString(st)
			if managed && st == virt.DomainShutoff {
				if fl, err := d.Flags(s.ctx); err == nil && fl.ManagedSave {
					state = "saved"
				}
			}
			row := []string{idString(id), d.Name(), state}
			if optTitle {
				title, err := domainTitle(s, d)
				if err != nil {
					return err
				}
				row = append(row, title)
			}
			if optUUID {
				row = append(row, d.UUID().String())
			}
			t.add(row...)
			continue
		}
		sep := ""
		if optUUID {
			b.WriteString(d.UUID().String())
			sep = " "
		}
		if optID {
			if id < 0 && !optUUID && !optName {
				continue
			}
			b.WriteString(sep + idString(id))
			sep = " "
		}
		if optName {
			b.WriteString(sep + d.Name())
		}
		b.WriteByte('\n')
	}
	if optTable {
		s.printTable(t)
	} else {
		s.print(b.String())
	}
	return nil
}

// sortDomains orders domains as virsh lists them: running ones by ID, then
// the others by name, ignoring case.
func sortDomains(doms []*virt.Domain) {
	sort.SliceStable(doms, func(i, j int) bool {
		a, b := doms[i].ID(), doms[j].ID()
		switch {
		case a >= 0 && b >= 0:
			return a < b
		case a >= 0:
			return true
		case b >= 0:
			return false
		}
		return strings.ToLower(doms[i].Name()) < strings.ToLower(doms[j].Name())
	})
}

// domainXMLTree returns the parsed XML description of d.
func (s *session) domainXMLTree(d *virt.Domain, flags virt.DomainXMLFlags) (*xmldoc.Node, error) {
	x, err := d.XML(s.ctx, flags)
	if err != nil {
		return nil, err
	}
	root, err := xmldoc.Parse([]byte(x))
	if err != nil {
		return nil, fmt.Errorf("parse the XML of domain '%s': %w", d.Name(), err)
	}
	return root, nil
}

// domainTitle returns the <title> of a domain, or "".
func domainTitle(s *session, d *virt.Domain) (string, error) {
	root, err := s.domainXMLTree(d, 0)
	if err != nil {
		return "", err
	}
	if t := root.Child("title"); t != nil {
		return t.Text, nil
	}
	return "", nil
}

// dominfoJSON is the stable JSON shape of "dominfo -o json".
type dominfoJSON struct {
	ID             *int32  `json:"id"`
	Name           string  `json:"name"`
	UUID           string  `json:"uuid"`
	OSType         string  `json:"os_type,omitempty"`
	State          string  `json:"state"`
	CPUs           uint16  `json:"cpus"`
	CPUTime        float64 `json:"cpu_time_seconds"`
	MaxMemoryKiB   uint64  `json:"max_memory_kib"`
	UsedMemoryKiB  uint64  `json:"used_memory_kib"`
	Persistent     *bool   `json:"persistent"`
	Autostart      *bool   `json:"autostart"`
	ManagedSave    *bool   `json:"managed_save"`
	SecurityModel  string  `json:"security_model,omitempty"`
	SecurityDOI    string  `json:"security_doi,omitempty"`
	SecurityLabel  string  `json:"security_label,omitempty"`
	SecurityEnforc *bool   `json:"security_enforcing,omitempty"`
}

func cmdDominfo(s *session, c *call) error {
	asJSON, err := s.wantJSON(c)
	if err != nil {
		return err
	}
	d, _, err := s.domainArg(c, "domain")
	if err != nil {
		return err
	}
	var j dominfoJSON
	var b strings.Builder
	line := func(label, value string) { fmt.Fprintf(&b, "%-15s %s\n", label, value) }

	id := d.ID()
	if id >= 0 {
		j.ID = &id
	}
	line("Id:", idString(id))
	j.Name = d.Name()
	line("Name:", j.Name)
	j.UUID = d.UUID().String()
	line("UUID:", j.UUID)
	fl, ferr := d.Flags(s.ctx)
	if ferr == nil && fl.OSType != "" {
		j.OSType = fl.OSType
		line("OS Type:", fl.OSType)
	}
	var result error
	if info, err := d.Info(s.ctx); err == nil {
		j.State, j.CPUs = stateString(info.State), info.NrVirtCPU
		line("State:", j.State)
		line("CPU(s):", strconv.Itoa(int(info.NrVirtCPU)))
		if info.CPUTime != 0 {
			j.CPUTime = float64(info.CPUTime) / 1e9
			line("CPU time:", fmt.Sprintf("%.1fs", j.CPUTime))
		}
		j.MaxMemoryKiB, j.UsedMemoryKiB = info.MaxMem, info.Memory
		if info.MaxMem != math.MaxUint64 {
			line("Max memory:", fmt.Sprintf("%d KiB", info.MaxMem))
		} else {
			line("Max memory:", "no limit")
		}
		line("Used memory:", fmt.Sprintf("%d KiB", info.Memory))
	} else {
		result = err
	}
	if ferr != nil {
		line("Persistent:", "unknown")
		line("Managed save:", "unknown")
	} else {
		j.Persistent, j.Autostart, j.ManagedSave = &fl.Persistent, &fl.Autostart, &fl.ManagedSave
		line("Persistent:", yesNo(fl.Persistent))
		if fl.Autostart {
			line("Autostart:", "enable")
		} else {
			line("Autostart:", "disable")
		}
		line("Managed save:", yesNo(fl.ManagedSave))
	}
	model, err := s.conn.SecurityModel(s.ctx)
	switch {
	case err != nil && !errors.Is(err, virt.ErrNoSupport):
		s.flushDominfo(asJSON, &b, nil)
		return err
	case err == nil && model.Model != "":
		j.SecurityModel, j.SecurityDOI = model.Model, model.DOI
		line("Security model:", model.Model)
		line("Security DOI:", model.DOI)
		label, err := d.SecurityLabel(s.ctx)
		if err != nil {
			s.flushDominfo(asJSON, &b, nil)
			return err
		}
		if label.Label != "" {
			enf := "permissive"
			if label.Enforcing {
				enf = "enforcing"
			}
			j.SecurityLabel, j.SecurityEnforc = label.Label, &label.Enforcing
			line("Security label:", fmt.Sprintf("%s (%s)", label.Label, enf))
		}
	}
	if err := s.flushDominfo(asJSON, &b, &j); err != nil {
		return err
	}
	return result
}

// flushDominfo prints what dominfo gathered, as text or (when j is given)
// as JSON.
func (s *session) flushDominfo(asJSON bool, b *strings.Builder, j *dominfoJSON) error {
	if !asJSON {
		s.print(b.String())
		return nil
	}
	if j == nil {
		return nil
	}
	return s.printJSON(j)
}

// domstateJSON is the JSON shape of "domstate -o json".
type domstateJSON struct {
	State  string `json:"state"`
	Reason string `json:"reason"`
}

func cmdDomstate(s *session, c *call) error {
	asJSON, err := s.wantJSON(c)
	if err != nil {
		return err
	}
	d, _, err := s.domainArg(c, "domain")
	if err != nil {
		return err
	}
	st, reason, err := s.domainState(d)
	if err != nil {
		return err
	}
	switch {
	case asJSON:
		return s.printJSON(domstateJSON{State: stateString(st), Reason: reasonString(st, reason)})
	case c.has("reason"):
		s.printf("%s (%s)\n", stateString(st), reasonString(st, reason))
	default:
		s.printf("%s\n", stateString(st))
	}
	return nil
}

func cmdDomid(s *session, c *call) error {
	name, _, err := c.str("domain")
	if err != nil {
		return err
	}
	d, err := s.lookupDomainBy(name, byName|byUUID)
	if err != nil {
		return err
	}
	s.printf("%s\n", idString(d.ID()))
	return nil
}

func cmdDomname(s *session, c *call) error {
	name, _, err := c.str("domain")
	if err != nil {
		return err
	}
	d, err := s.lookupDomainBy(name, byID|byUUID)
	if err != nil {
		return err
	}
	s.printf("%s\n", d.Name())
	return nil
}

func cmdDomuuid(s *session, c *call) error {
	name, _, err := c.str("domain")
	if err != nil {
		return err
	}
	d, err := s.lookupDomainBy(name, byName|byID)
	if err != nil {
		return err
	}
	s.printf("%s\n", d.UUID())
	return nil
}

func cmdDumpxml(s *session, c *call) error {
	var flags virt.DomainXMLFlags
	if c.has("inactive") {
		flags |= virt.XMLInactive
	}
	if c.has("security-info") {
		flags |= virt.XMLSecure
	}
	if c.has("update-cpu") {
		flags |= virt.XMLUpdateCPU
	}
	if c.has("migratable") {
		flags |= virt.XMLMigratable
	}
	d, _, err := s.domainArg(c, "domain")
	if err != nil {
		return err
	}
	x, err := d.XML(s.ctx, flags)
	if err != nil {
		return err
	}
	return s.printXML(c, x)
}

func cmdDesc(s *session, c *call) error {
	flags, _, err := modifyFlags(c)
	if err != nil {
		return err
	}
	d, _, err := s.domainArg(c, "domain")
	if err != nil {
		return err
	}
	title := c.has("title")
	kind := virt.MetadataDescription
	what := "description"
	if title {
		kind, what = virt.MetadataTitle, "title"
	}
	words := c.argv("new-desc")
	if c.has("edit") || len(words) > 0 {
		text := strings.Join(words, " ")
		if c.has("edit") {
			cur, err := s.description(d, kind, flags)
			if err != nil {
				return err
			}
			changed, err := s.edit(cur, func(doc string) error {
				text = strings.TrimRight(doc, "\n")
				return nil
			})
			if err != nil {
				return err
			}
			if !changed {
				if title {
					s.extraf("%s", "Domain title not changed")
				} else {
					s.extraf("%s", "Domain description not changed")
				}
				return nil
			}
		}
		if err := d.SetMetadata(s.ctx, kind, text, "", "", flags); err != nil {
			return fail(err, "Failed to set new domain %s", what)
		}
		if title {
			s.extraf("%s", "Domain title updated successfully")
		} else {
			s.extraf("%s", "Domain description updated successfully")
		}
		return nil
	}
	text, err := s.description(d, kind, flags)
	if err != nil {
		return err
	}
	switch {
	case text != "":
		s.print(text)
	case title:
		s.extraf("No title for domain: %s", d.Name())
	default:
		s.extraf("No description for domain: %s", d.Name())
	}
	return nil
}

// description returns a domain's description or title as virsh's
// virshGetDomainDescription does: from the metadata API, else from the
// domain XML.
func (s *session) description(d *virt.Domain, kind int, flags virt.ModifyFlags) (string, error) {
	text, err := d.Metadata(s.ctx, kind, "", flags)
	if err == nil {
		return text, nil
	}
	if errors.Is(err, virt.ErrNoDomainMetadata) {
		return "", nil
	}
	if !errors.Is(err, virt.ErrNoSupport) {
		return "", err
	}
	var xflags virt.DomainXMLFlags
	if flags&virt.AffectConfig != 0 {
		xflags = virt.XMLInactive
	}
	root, err := s.domainXMLTree(d, xflags)
	if err != nil {
		return "", err
	}
	name := "description"
	if kind == virt.MetadataTitle {
		name = "title"
	}
	if n := root.Child(name); n != nil {
		return n.Text, nil
	}
	return "", nil
}
