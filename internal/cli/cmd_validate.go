package cli

import (
	"errors"

	"github.com/govirt/govirt/internal/xmldoc"
	"github.com/govirt/govirt/virt"
)

// validateCommands are govirt's schema checks (virt-xml-validate's job),
// listed under the group of the objects they check.
func validateCommands() map[string][]*cmdDef {
	mk := func(name, what, kind string) *cmdDef {
		return &cmdDef{
			name: name,
			help: "validate " + what + " XML against govirt's model of the format",
			desc: "Parse FILE with libvirt's rules for " + what + " XML and report the first error. " +
				"With --strict, also report every element and attribute the format does not know, " +
				"with its line. Prints 'FILE validates' and succeeds when nothing is wrong.",
			opts: spec("file --strict", map[string]string{
				"file":   "file containing the XML document",
				"strict": "also report every element and attribute the format does not know",
			}),
			noConnect: true,
			extension: true,
			run:       func(s *session, c *call) error { return validateFile(s, c, kind) },
		}
	}
	return map[string][]*cmdDef{
		"domain":  {mk("domxml-validate", "domain", virt.XMLKindDomain)},
		"network": {mk("net-validate", "network", virt.XMLKindNetwork)},
		"pool":    {mk("pool-validate", "storage pool", virt.XMLKindPool)},
		"volume":  {mk("vol-validate", "storage volume", virt.XMLKindVolume)},
	}
}

func validateFile(s *session, c *call, kind string) error {
	file, doc, err := s.fileArg(c)
	if err != nil {
		return err
	}
	problems, err := virt.ValidateXML(kind, []byte(doc), c.has("strict"))
	if err != nil {
		var se *xmldoc.SyntaxError
		if errors.As(err, &se) {
			return fail(errNoCause, "%s:%d: %s", file, se.Line, se.Msg)
		}
		return fail(err, "%s fails to validate", file)
	}
	for _, p := range problems {
		s.errorf("%s:%d: %s", file, p.Line, p.Message())
	}
	if len(problems) > 0 {
		return fail(errNoCause, "%s fails to validate: %d unknown element(s) or attribute(s)", file, len(problems))
	}
	s.printf("%s validates\n", file)
	return nil
}
