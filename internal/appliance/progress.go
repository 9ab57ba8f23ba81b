package appliance

import (
	"fmt"
	"io"
	"os"
	"sync"
	"time"
)

// progress reports the stages of a prepare or build. On a terminal it
// redraws one status line; elsewhere it prints one line per stage.
type progress struct {
	w    io.Writer
	tty  bool
	mu   sync.Mutex
	last time.Time
	line bool // a status line is open on a terminal
}

func newProgress(w io.Writer) *progress {
	if w == nil {
		w = io.Discard
	}
	p := &progress{w: w}
	if f, ok := w.(*os.File); ok {
		if st, err := f.Stat(); err == nil && st.Mode()&os.ModeCharDevice != 0 {
			p.tty = true
		}
	}
	return p
}

// stage prints a finished step.
func (p *progress) stage(format string, a ...any) {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.line {
		fmt.Fprint(p.w, "\r\033[K")
		p.line = false
	}
	fmt.Fprintf(p.w, format+"\n", a...)
}

// status redraws the live status line (terminals only, at most 10 times
// a second).
func (p *progress) status(format string, a ...any) {
	if !p.tty {
		return
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	if time.Since(p.last) < 100*time.Millisecond {
		return
	}
	p.last = time.Now()
	fmt.Fprintf(p.w, "\r\033[K"+format, a...)
	p.line = true
}

func (p *progress) warn(format string, a ...any) { p.stage(format, a...) }

func mib(n int64) string { return fmt.Sprintf("%.1f MiB", float64(n)/(1<<20)) }
