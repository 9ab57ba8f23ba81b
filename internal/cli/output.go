package cli

import (
	"encoding/json"
	"fmt"
	"strings"
	"unicode"
	"unicode/utf8"
)

// textTable is virsh's vshTable: a header row and rows of cells, printed
// left-aligned with three spaces between columns, a leading space, and a
// line of dashes under the header.
type textTable struct {
	rows [][]string
}

func newTable(header ...string) *textTable {
	return &textTable{rows: [][]string{header}}
}

func (t *textTable) add(cells ...string) {
	t.rows = append(t.rows, cells)
}

// safeCell replaces control characters (and a literal "\x") by \xNN escapes
// as virsh does, and returns the cell with its display width.
func safeCell(s string) (string, int) {
	clean := true
	for i := 0; i < len(s); i++ {
		if s[i] < 0x20 || s[i] == 0x7f || s[i] >= 0x80 || (s[i] == '\\' && i+1 < len(s) && s[i+1] == 'x') {
			clean = false
			break
		}
	}
	if clean {
		return s, len(s)
	}
	var b strings.Builder
	width := 0
	for i := 0; i < len(s); {
		c := s[i]
		if (c == '\\' && i+1 < len(s) && s[i+1] == 'x') || c < 0x20 || c == 0x7f {
			fmt.Fprintf(&b, "\\x%02x", c)
			width += 4
			i++
			continue
		}
		r, n := utf8.DecodeRuneInString(s[i:])
		if r == utf8.RuneError && n <= 1 {
			fmt.Fprintf(&b, "\\x%02x", c)
			width += 4
			i++
			continue
		}
		if !unicode.IsPrint(r) {
			for k := 0; k < n; k++ {
				fmt.Fprintf(&b, "\\x%02x", s[i+k])
				width += 4
			}
			i += n
			continue
		}
		b.WriteString(s[i : i+n])
		width += runeWidth(r)
		i += n
	}
	return b.String(), width
}

// runeWidth approximates wcwidth: 2 for East Asian wide characters.
func runeWidth(r rune) int {
	switch {
	case r >= 0x1100 && r <= 0x115f, r >= 0x2e80 && r <= 0xa4cf && r != 0x303f,
		r >= 0xac00 && r <= 0xd7a3, r >= 0xf900 && r <= 0xfaff, r >= 0xfe30 && r <= 0xfe4f,
		r >= 0xff00 && r <= 0xff60, r >= 0xffe0 && r <= 0xffe6, r >= 0x1f300 && r <= 0x1f64f,
		r >= 0x20000 && r <= 0x3fffd:
		return 2
	}
	return 1
}

// render returns the table's text; without header (quiet mode) the column
// widths ignore the header row, as in virsh.
func (t *textTable) render(header bool) string {
	ncol := len(t.rows[0])
	max := make([]int, ncol)
	cells := make([][]string, len(t.rows))
	widths := make([][]int, len(t.rows))
	for i, row := range t.rows {
		cells[i] = make([]string, ncol)
		widths[i] = make([]int, ncol)
		for j := 0; j < ncol && j < len(row); j++ {
			cells[i][j], widths[i][j] = safeCell(row[j])
			if (header || i > 0) && widths[i][j] > max[j] {
				max[j] = widths[i][j]
			}
		}
	}
	var b strings.Builder
	printRow := func(i int) {
		for j := 0; j < ncol; j++ {
			b.WriteByte(' ')
			b.WriteString(cells[i][j])
			if j < ncol-1 {
				b.WriteString(strings.Repeat(" ", max[j]-widths[i][j]+2))
			}
		}
		b.WriteByte('\n')
	}
	if header {
		printRow(0)
		for j := 0; j < ncol; j++ {
			b.WriteString(strings.Repeat("-", max[j]+3))
		}
		b.WriteByte('\n')
	}
	for i := 1; i < len(t.rows); i++ {
		printRow(i)
	}
	return b.String()
}

// printTable prints t to standard output, without its header in quiet mode.
func (s *session) printTable(t *textTable) {
	s.print(t.render(!s.quiet))
}

// wantJSON reports whether the command should print JSON: -o json before
// the command or --output json after it.
func (s *session) wantJSON(c *call) (bool, error) {
	v, ok, err := c.str("output")
	if err != nil {
		return false, err
	}
	if !ok {
		return s.json, nil
	}
	switch v {
	case "json":
		return true, nil
	case "text":
		return false, nil
	}
	return false, fail(errNoCause, "unsupported output format '%s': use text or json", v)
}

// printJSON prints v as indented JSON followed by a newline.
func (s *session) printJSON(v any) error {
	b, err := json.MarshalIndent(v, "", "  ")
	if err != nil {
		return fmt.Errorf("encode JSON: %w", err)
	}
	b = append(b, '\n')
	_, err = s.out.Write(b)
	return err
}

// prettyCapacity scales a byte count to the largest binary unit below it,
// as virsh's vshPrettyCapacity: "B", "KiB", ... "EiB".
func prettyCapacity(v uint64) (float64, string) {
	units := []string{"B", "KiB", "MiB", "GiB", "TiB", "PiB", "EiB"}
	limit := float64(1024)
	f := float64(v)
	for i, u := range units {
		if f < limit || i == len(units)-1 {
			return f / (limit / 1024), u
		}
		limit *= 1024
	}
	return f, "B"
}

// fmtCapacity formats a size as virsh's pool and volume listings do:
// "%.2lf %s".
func fmtCapacity(v uint64) string {
	f, u := prettyCapacity(v)
	return fmt.Sprintf("%.2f %s", f, u)
}

// yesNo returns "yes" or "no".
func yesNo(b bool) string {
	if b {
		return "yes"
	}
	return "no"
}
