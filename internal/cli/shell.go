package cli

import (
	"bufio"
	"io"
	"os"
	"strings"
)

// isTerminal reports whether r is a terminal (a character device).
func isTerminal(r io.Reader) bool {
	f, ok := r.(*os.File)
	if !ok {
		return false
	}
	st, err := f.Stat()
	return err == nil && st.Mode()&os.ModeCharDevice != 0
}

// prompt returns the shell prompt: '#' for read-write, '>' for read-only.
func (s *session) prompt() string {
	if s.readOnly {
		return progName + " > "
	}
	return progName + " # "
}

// shell runs the interactive shell: a banner, then one command line per
// input line until quit or end of input. When standard input is not a
// terminal, each line is echoed after the prompt, as readline does, so a
// transcript reads like a session.
func (s *session) shell() int {
	s.interactive = true
	tty := isTerminal(s.in)
	if !s.quiet {
		s.printf("Welcome to %s, the virtualization interactive terminal.\n\n", progName)
		s.print("Type:  'help' for help with commands\n       'quit' to quit\n\n")
	}
	r := bufio.NewReader(s.in)
	for {
		s.print(s.prompt())
		s.flush()
		line, err := r.ReadString('\n')
		if line == "" && err != nil {
			break
		}
		line = strings.TrimSuffix(line, "\n")
		if !tty {
			s.print(line + "\n")
		}
		calls, perr := parseCommands(s.tab, &stringLexer{s: line})
		if perr != nil {
			s.report(perr)
		} else if _, quit := s.run(calls); quit {
			break
		}
		if err != nil {
			s.print(s.prompt())
			break
		}
	}
	s.print("\n")
	return 0
}
