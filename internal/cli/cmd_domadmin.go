package cli

import (
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"strconv"
	"strings"
	"time"

	"github.com/govirt/govirt/virt"
)

// saveFlags reads --bypass-cache, --running, --paused and --reset-nvram.
func saveFlags(c *call) uint32 {
	var flags uint32
	if c.has("bypass-cache") {
		flags |= virt.SaveBypassCache
	}
	if c.has("running") {
		flags |= virt.SaveRunning
	}
	if c.has("paused") {
		flags |= virt.SavePaused
	}
	if c.has("reset-nvram") {
		flags |= virt.SaveResetNvram
	}
	return flags
}

// xmlOption reads the file named by a string option such as --xml.
func (s *session) xmlOption(c *call, name string) (string, error) {
	path, ok, err := c.str(name)
	if err != nil || !ok {
		return "", err
	}
	return s.readFile(path)
}

// progress prints virsh's job progress line, which goes to standard
// error.
func (s *session) progress(label string) {
	s.flush()
	fmt.Fprintf(s.errw, "\r%s: [100 %%]", label)
}

func cmdSave(s *session, c *call) error {
	d, name, err := s.domainArg(c, "domain")
	if err != nil {
		return err
	}
	to, _, err := c.str("file")
	if err != nil {
		return err
	}
	dxml, err := s.xmlOption(c, "xml")
	if err != nil {
		return err
	}
	if err := d.Save(s.ctx, s.path(to), dxml, saveFlags(c)); err != nil {
		return fail(err, "Failed to save domain '%s' to %s", name, to)
	}
	if c.has("verbose") {
		s.progress("Save")
	}
	s.extraf("\nDomain '%s' saved to %s\n", name, to)
	return nil
}

func cmdRestore(s *session, c *call) error {
	from, _, err := c.str("file")
	if err != nil {
		return err
	}
	dxml, err := s.xmlOption(c, "xml")
	if err != nil {
		return err
	}
	if err := s.conn.RestoreDomain(s.ctx, s.path(from), dxml, saveFlags(c)); err != nil {
		return fail(err, "Failed to restore domain from %s", from)
	}
	s.extraf("Domain restored from %s\n", from)
	return nil
}

func cmdSaveImageDumpxml(s *session, c *call) error {
	file, _, err := c.str("file")
	if err != nil {
		return err
	}
	var flags uint32
	if c.has("security-info") {
		flags |= 1
	}
	x, err := s.conn.SaveImageXML(s.ctx, s.path(file), flags)
	if err != nil {
		return err
	}
	return s.printXML(c, x)
}

func cmdSaveImageDefine(s *session, c *call) error {
	file, _, err := c.str("file")
	if err != nil {
		return err
	}
	if err := c.exclusive("running", "paused"); err != nil {
		return err
	}
	dxml, err := s.xmlOption(c, "xml")
	if err != nil {
		return err
	}
	if err := s.conn.DefineSaveImageXML(s.ctx, s.path(file), dxml, saveFlags(c)); err != nil {
		return fail(err, "Failed to update %s", file)
	}
	s.extraf("State file %s updated.\n", file)
	return nil
}

func cmdSaveImageEdit(s *session, c *call) error {
	file, _, err := c.str("file")
	if err != nil {
		return err
	}
	if err := c.exclusive("running", "paused"); err != nil {
		return err
	}
	flags := saveFlags(c)
	orig, err := s.conn.SaveImageXML(s.ctx, s.path(file), 1)
	if err != nil {
		return err
	}
	changed, err := s.edit(orig, func(doc string) error {
		return s.conn.DefineSaveImageXML(s.ctx, s.path(file), doc, flags)
	})
	if err != nil {
		return fail(err, "Failed to update %s", file)
	}
	if !changed && flags == 0 {
		s.extraf("Saved image %s XML configuration not changed.\n", file)
		return nil
	}
	s.extraf("State file %s edited.\n", file)
	return nil
}

// dumpFormats are the core dump formats virsh knows, by number.
var dumpFormats = []string{"elf", "kdump-zlib", "kdump-lzo", "kdump-snappy", "win-dmp"}

func cmdDump(s *session, c *call) error {
	d, name, err := s.domainArg(c, "domain")
	if err != nil {
		return err
	}
	to, _, err := c.str("file")
	if err != nil {
		return err
	}
	var flags uint32
	for _, f := range []struct {
		opt  string
		flag uint32
	}{{"live", virt.DumpLive}, {"crash", virt.DumpCrash}, {"bypass-cache", virt.DumpBypassCache},
		{"reset", virt.DumpReset}, {"memory-only", virt.DumpMemoryOnly}} {
		if c.has(f.opt) {
			flags |= f.flag
		}
	}
	format, hasFormat, err := c.str("format")
	if err != nil {
		return err
	}
	var fmtNum uint32
	if hasFormat {
		if flags&virt.DumpMemoryOnly == 0 {
			return fail(errNoCause, "--format only works with --memory-only")
		}
		i := indexOf(dumpFormats, format)
		if i < 0 {
			return fail(errNoCause, "format '%s' is not supported, expecting 'kdump-zlib', 'kdump-lzo', 'kdump-snappy', 'win-dmp' or 'elf'", format)
		}
		fmtNum = uint32(i)
	}
	if err := d.CoreDump(s.ctx, s.path(to), fmtNum, flags); err != nil {
		return fail(err, "Failed to core dump domain '%s' to %s", name, to)
	}
	if c.has("verbose") {
		s.progress("Dump")
	}
	s.extraf("\nDomain '%s' dumped to %s\n", name, to)
	return nil
}

func cmdScreenshot(s *session, c *call) error {
	d, name, err := s.domainArg(c, "domain")
	if err != nil {
		return err
	}
	file, hasFile, err := c.str("file")
	if err != nil {
		return err
	}
	screen, _, err := c.uint("screen")
	if err != nil {
		return err
	}
	mime, st, err := d.Screenshot(s.ctx, uint32(screen), 0)
	if err != nil {
		return fail(err, "could not take a screenshot of %s", name)
	}
	defer st.Finish()
	if !hasFile {
		ext := ".png"
		if mime == "image/x-portable-pixmap" {
			ext = ".ppm"
		}
		file = name + "-" + time.Now().Format("2006-01-02-15:04:05") + ext
	}
	f, err := os.OpenFile(s.path(file), os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o666)
	if errors.Is(err, os.ErrExist) {
		f, err = os.OpenFile(s.path(file), os.O_WRONLY|os.O_TRUNC, 0o666)
	}
	if err != nil {
		return fail(errNoCause, "cannot create file %s", file)
	}
	if _, err := io.Copy(f, st); err != nil {
		f.Close()
		os.Remove(s.path(file))
		return fail(errNoCause, "cannot receive data from volume %s", name)
	}
	if err := f.Close(); err != nil {
		return fail(errNoCause, "cannot close file %s", file)
	}
	s.extraf("Screenshot saved to %s, with type of %s", file, mime)
	return nil
}

func cmdManagedsaveDumpxml(s *session, c *call) error {
	d, _, err := s.domainArg(c, "domain")
	if err != nil {
		return err
	}
	var flags uint32
	if c.has("security-info") {
		flags |= 1
	}
	x, err := d.ManagedSaveXML(s.ctx, flags)
	if err != nil {
		return err
	}
	return s.printXML(c, x)
}

func cmdManagedsaveDefine(s *session, c *call) error {
	if err := c.exclusive("running", "paused"); err != nil {
		return err
	}
	d, name, err := s.domainArg(c, "domain")
	if err != nil {
		return err
	}
	dxml, err := s.xmlOption(c, "xml")
	if err != nil {
		return err
	}
	if err := d.DefineManagedSaveXML(s.ctx, dxml, saveFlags(c)); err != nil {
		return fail(err, "Failed to update %s XML configuration", name)
	}
	s.extraf("Managed save state file of domain '%s' updated.\n", name)
	return nil
}

func cmdManagedsaveEdit(s *session, c *call) error {
	if err := c.exclusive("running", "paused"); err != nil {
		return err
	}
	d, name, err := s.domainArg(c, "domain")
	if err != nil {
		return err
	}
	flags := saveFlags(c)
	orig, err := d.ManagedSaveXML(s.ctx, 1)
	if err != nil {
		return err
	}
	changed, err := s.edit(orig, func(doc string) error { return d.DefineManagedSaveXML(s.ctx, doc, flags) })
	if err != nil {
		return fail(err, "Failed to update %s XML configuration", name)
	}
	if !changed && flags == 0 {
		s.extraf("Managed save image of domain '%s' XML configuration not changed.\n", name)
		return nil
	}
	s.extraf("Managed save image of Domain '%s' XML configuration edited.\n", name)
	return nil
}

// edit lets the user change doc in their editor ($VISUAL, $EDITOR, else
// vi) and hands the result to define; changed is false when the file
// came back as it went out (define is then not called).
func (s *session) edit(doc string, define func(string) error) (changed bool, err error) {
	f, err := os.CreateTemp(os.Getenv("TMPDIR"), "virsh*.xml")
	if err != nil {
		return false, fail(errNoCause, "could not create temporary file: %s", strerror(err))
	}
	name := f.Name()
	defer os.Remove(name)
	if _, err := f.WriteString(doc); err != nil {
		f.Close()
		return false, fail(errNoCause, "%s: write: %s", name, strerror(err))
	}
	if err := f.Close(); err != nil {
		return false, fail(errNoCause, "%s: close: %s", name, strerror(err))
	}
	editor := os.Getenv("VISUAL")
	if editor == "" {
		editor = os.Getenv("EDITOR")
	}
	if editor == "" {
		editor = "vi"
	}
	s.flush()
	// A plain editor name runs directly; anything else goes through sh.
	cmd := exec.CommandContext(s.ctx, editor, name)
	shown := editor + " " + name
	if strings.Trim(editor, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789_./-") != "" {
		cmd = exec.CommandContext(s.ctx, "sh", "-c", editor+" "+shellQuote(name))
		shown = "sh -c '" + editor + " " + name + "'"
	}
	cmd.Stdin, cmd.Stdout, cmd.Stderr = os.Stdin, os.Stdout, s.errw
	if err := cmd.Run(); err != nil {
		var ee *exec.ExitError
		if errors.As(err, &ee) {
			return false, fail(errNoCause, "internal error: Child process (%s) unexpected exit status %d", shown, ee.ExitCode())
		}
		return false, fail(errNoCause, "internal error: Child process (%s) failed: %s", shown, err)
	}
	b, err := os.ReadFile(name)
	if err != nil {
		return false, fail(errNoCause, "%s: read: %s", name, strerror(err))
	}
	if string(b) == doc {
		return false, nil
	}
	return true, define(string(b))
}

// editDefinition runs the editor on orig and defines what comes back with
// define, as the *-edit commands do. It prints "<what> XML configuration
// not changed." with name, or "... edited." with the name nameOf reads
// from the new definition; what holds the name's verb ("Network %s").
func editDefinition[T any](s *session, orig string, define func(doc string) (T, error), nameOf func(T) string, what, name string) error {
	var edited T
	changed, err := s.edit(orig, func(doc string) error {
		var err error
		edited, err = define(doc)
		return err
	})
	if err != nil {
		return err
	}
	if !changed {
		s.extraf(what+" XML configuration not changed.\n", name)
		return nil
	}
	s.extraf(what+" XML configuration edited.\n", nameOf(edited))
	return nil
}

func cmdEdit(s *session, c *call) error {
	d, name, err := s.domainArg(c, "domain")
	if err != nil {
		return err
	}
	orig, err := d.XML(s.ctx, virt.XMLSecure|virt.XMLInactive)
	if err != nil {
		return err
	}
	flags := virt.DefineValidate
	if c.has("skip-validate") {
		flags = 0
	}
	define := func(doc string) (*virt.Domain, error) { return s.conn.DefineDomain(s.ctx, doc, flags) }
	return editDefinition(s, orig, define, (*virt.Domain).Name, "Domain '%s'", name)
}

func cmdDomrename(s *session, c *call) error {
	d, name, err := s.domainArg(c, "domain")
	if err != nil {
		return err
	}
	newName, _, err := c.str("new-name")
	if err != nil {
		return err
	}
	if err := d.Rename(s.ctx, newName, 0); err != nil {
		return err
	}
	_ = name
	s.extraf("Domain successfully renamed\n")
	return nil
}

func cmdMetadata(s *session, c *call) error {
	edit, set, rem := c.has("edit"), c.has("set"), c.has("remove")
	for _, p := range [][2]string{{"edit", "set"}, {"remove", "set"}, {"remove", "edit"}} {
		if err := c.exclusive(p[0], p[1]); err != nil {
			return err
		}
	}
	flags, _, err := modifyFlags(c)
	if err != nil {
		return err
	}
	d, _, err := s.domainArg(c, "domain")
	if err != nil {
		return err
	}
	uri, _, err := c.str("uri")
	if err != nil {
		return err
	}
	key, hasKey, err := c.str("key")
	if err != nil {
		return err
	}
	text, _, err := c.str("set")
	if err != nil {
		return err
	}
	if (set || edit) && !hasKey {
		return fail(errNoCause, "namespace key is required when modifying metadata")
	}
	switch {
	case set || rem:
		if err := d.SetMetadata(s.ctx, virt.MetadataElement, text, key, uri, flags); err != nil {
			return err
		}
		if rem {
			s.extraf("%s\n", "Metadata removed")
		} else {
			s.extraf("%s\n", "Metadata modified")
		}
	case edit:
		orig, err := d.Metadata(s.ctx, virt.MetadataElement, uri, flags)
		if err != nil {
			if !errors.Is(err, virt.ErrNoDomainMetadata) {
				return err
			}
			orig = "\n"
		}
		changed, err := s.edit(orig, func(doc string) error {
			return d.SetMetadata(s.ctx, virt.MetadataElement, doc, key, uri, flags)
		})
		if err != nil {
			return err
		}
		if !changed {
			s.extraf("%s\n", "Metadata not changed")
			return nil
		}
		s.extraf("%s\n", "Metadata modified")
	default:
		data, err := d.Metadata(s.ctx, virt.MetadataElement, uri, flags)
		if err != nil {
			return err
		}
		s.printf("%s\n", data)
	}
	return nil
}

// lifecycleTypes and lifecycleActionNames are set-lifecycle-action's
// words.
var (
	lifecycleTypes       = []string{"poweroff", "reboot", "crash"}
	lifecycleActionNames = []string{"destroy", "restart", "rename-restart", "preserve", "coredump-destroy", "coredump-restart"}
)

func cmdSetLifecycleAction(s *session, c *call) error {
	flags, _, err := modifyFlags(c)
	if err != nil {
		return err
	}
	d, _, err := s.domainArg(c, "domain")
	if err != nil {
		return err
	}
	typ, _, err := c.str("type")
	if err != nil {
		return err
	}
	action, _, err := c.str("action")
	if err != nil {
		return err
	}
	t := indexOf(lifecycleTypes, typ)
	if t < 0 {
		return fail(errNoCause, "Invalid lifecycle type '%s'.", typ)
	}
	a := indexOf(lifecycleActionNames, action)
	if a < 0 {
		return fail(errNoCause, "Invalid lifecycle action '%s'.", action)
	}
	if err := d.SetLifecycleAction(s.ctx, uint32(t), uint32(a), flags); err != nil {
		return fail(err, "Unable to change lifecycle action.")
	}
	return nil
}

func cmdInjectNmi(s *session, c *call) error {
	d, _, err := s.domainArg(c, "domain")
	if err != nil {
		return err
	}
	return d.InjectNMI(s.ctx, 0)
}

// keyCodesets are libvirt's key code sets by number.
var keyCodesets = []string{"linux", "xt", "atset1", "atset2", "atset3", "os_x", "xt_kbd", "usb", "win32", "qnum"}

// linuxKeys are the Linux input key codes send-key knows by name.
var linuxKeys = func() map[string]int {
	m := map[string]int{"KEY_RESERVED": 0, "KEY_ESC": 1, "KEY_MINUS": 12, "KEY_EQUAL": 13, "KEY_BACKSPACE": 14,
		"KEY_TAB": 15, "KEY_LEFTBRACE": 26, "KEY_RIGHTBRACE": 27, "KEY_ENTER": 28, "KEY_LEFTCTRL": 29,
		"KEY_SEMICOLON": 39, "KEY_APOSTROPHE": 40, "KEY_GRAVE": 41, "KEY_LEFTSHIFT": 42, "KEY_BACKSLASH": 43,
		"KEY_COMMA": 51, "KEY_DOT": 52, "KEY_SLASH": 53, "KEY_RIGHTSHIFT": 54, "KEY_KPASTERISK": 55,
		"KEY_LEFTALT": 56, "KEY_SPACE": 57, "KEY_CAPSLOCK": 58, "KEY_NUMLOCK": 69, "KEY_SCROLLLOCK": 70,
		"KEY_F11": 87, "KEY_F12": 88, "KEY_KPENTER": 96, "KEY_RIGHTCTRL": 97, "KEY_KPSLASH": 98,
		"KEY_SYSRQ": 99, "KEY_RIGHTALT": 100, "KEY_HOME": 102, "KEY_UP": 103, "KEY_PAGEUP": 104,
		"KEY_LEFT": 105, "KEY_RIGHT": 106, "KEY_END": 107, "KEY_DOWN": 108, "KEY_PAGEDOWN": 109,
		"KEY_INSERT": 110, "KEY_DELETE": 111, "KEY_POWER": 116, "KEY_PAUSE": 119, "KEY_LEFTMETA": 125,
		"KEY_RIGHTMETA": 126, "KEY_COMPOSE": 127}
	for i, k := range "1234567890" {
		m["KEY_"+string(k)] = 2 + i
	}
	for i, row := range []string{"QWERTYUIOP", "ASDFGHJKL", "ZXCVBNM"} {
		base := []int{16, 30, 44}[i]
		for j, k := range row {
			m["KEY_"+string(k)] = base + j
		}
	}
	for i := 1; i <= 10; i++ {
		m["KEY_F"+strconv.Itoa(i)] = 58 + i
	}
	return m
}()

func cmdSendKey(s *session, c *call) error {
	d, _, err := s.domainArg(c, "domain")
	if err != nil {
		return err
	}
	codeset, ok, err := c.str("codeset")
	if err != nil {
		return err
	}
	if !ok {
		codeset = "linux"
	}
	holdtime, _, err := c.int("holdtime")
	if err != nil {
		return err
	}
	if codeset == "rfb" {
		codeset = "qnum"
	}
	cs := indexOf(keyCodesets, codeset)
	if cs < 0 {
		return fail(errNoCause, "unknown codeset: '%s'", codeset)
	}
	var keys []uint32
	for _, k := range c.argv("keycode") {
		if len(keys) == 16 {
			return fail(errNoCause, "too many keycodes")
		}
		if n, err := strconv.ParseInt(k, 0, 32); err == nil && n >= 0 && n <= 0xffff {
			keys = append(keys, uint32(n))
			continue
		}
		code, known := linuxKeys[k]
		if cs != 0 || !known {
			return fail(errNoCause, "invalid keycode: '%s'", k)
		}
		keys = append(keys, uint32(code))
	}
	return d.SendKey(s.ctx, uint32(cs), uint32(holdtime), keys, 0)
}

// processSignals are libvirt's guest process signal names by number.
var processSignals = strings.Fields(`nop hup int quit ill trap abrt bus fpe kill usr1 segv usr2 pipe alrm term
stkflt chld cont stop tstp ttin ttou urg xcpu xfsz vtalrm prof winch poll pwr sys`)

// signalNumber reads a signal name ("term", "SIGTERM") or number.
func signalNumber(name string) (int, bool) {
	if n, err := strconv.Atoi(name); err == nil && n >= 0 {
		return n, true
	}
	lower := strings.ToLower(name)
	lower = strings.TrimPrefix(lower, "sig")
	if i := indexOf(processSignals, lower); i >= 0 {
		return i, true
	}
	if strings.HasPrefix(lower, "rt") {
		if n, err := strconv.Atoi(lower[2:]); err == nil && n >= 0 && n <= 32 {
			return 32 + n, true
		}
	}
	return 0, false
}

func cmdSendProcessSignal(s *session, c *call) error {
	d, _, err := s.domainArg(c, "domain")
	if err != nil {
		return err
	}
	pid, _, err := c.int64("pid")
	if err != nil {
		return fail(errNoCause, "malformed PID value: %s", optText(c, "pid"))
	}
	name, _, err := c.str("signame")
	if err != nil {
		return err
	}
	sig, ok := signalNumber(name)
	if !ok {
		return fail(errNoCause, "malformed signal name: %s", name)
	}
	return d.SendProcessSignal(s.ctx, pid, uint32(sig), 0)
}

// optText returns the text given for an option, or "".
func optText(c *call, name string) string {
	if v, ok := c.find(name); ok {
		return v.data
	}
	return ""
}
