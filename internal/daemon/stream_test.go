package daemon_test

import (
	"bytes"
	"context"
	"crypto/rand"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/govirt/govirt/internal/daemon"
	"github.com/govirt/govirt/internal/driver/remote"
	"github.com/govirt/govirt/virt"
)

// streamNode adds streams to the test driver, which has none: volume
// contents kept in memory, and a console whose guest answers every line
// it receives in capitals.
type streamNode struct {
	virt.ConnDriver
	store *volStore
}

type volStore struct {
	mu   sync.Mutex
	data map[string][]byte
}

// withStreams wraps every connection the daemon opens.
func withStreams(store *volStore) func(*daemon.Options) {
	return func(o *daemon.Options) {
		inner := o.Open
		o.Open = func(ctx context.Context, name string, flags virt.OpenFlags) (*virt.Conn, error) {
			c, err := inner(ctx, name, flags)
			if err != nil {
				return nil, err
			}
			return virt.NewConn(&streamConn{ConnDriver: c.Driver(), store: store}, c.ReadOnly()), nil
		}
	}
}

// streamConn forwards the families virsh needs and adds the streams.
type streamConn struct {
	virt.ConnDriver
	store *volStore
}

func (s *streamConn) ds() virt.DomainStore       { return s.ConnDriver.(virt.DomainStore) }
func (s *streamConn) pd() virt.StoragePoolDriver { return s.ConnDriver.(virt.StoragePoolDriver) }
func (s *streamConn) vd() virt.StorageVolDriver  { return s.ConnDriver.(virt.StorageVolDriver) }
func (s *streamConn) sec() virt.DomainSecurity   { return s.ConnDriver.(virt.DomainSecurity) }
func (s *streamConn) LookupDomainByName(ctx context.Context, n string) (virt.DomainRef, error) {
	return s.ds().LookupDomainByName(ctx, n)
}
func (s *streamConn) LookupDomainByUUID(ctx context.Context, u virt.UUID) (virt.DomainRef, error) {
	return s.ds().LookupDomainByUUID(ctx, u)
}
func (s *streamConn) LookupDomainByID(ctx context.Context, id int32) (virt.DomainRef, error) {
	return s.ds().LookupDomainByID(ctx, id)
}
func (s *streamConn) ListDomains(ctx context.Context, f virt.ListDomainsFlags) ([]virt.DomainRef, error) {
	return s.ds().ListDomains(ctx, f)
}
func (s *streamConn) DefineDomain(ctx context.Context, x string, f virt.DefineFlags) (virt.DomainRef, error) {
	return s.ds().DefineDomain(ctx, x, f)
}
func (s *streamConn) UndefineDomain(ctx context.Context, d virt.DomainRef, f virt.UndefineFlags) error {
	return s.ds().UndefineDomain(ctx, d, f)
}
func (s *streamConn) DomainXML(ctx context.Context, d virt.DomainRef, f virt.DomainXMLFlags) (string, error) {
	return s.ds().DomainXML(ctx, d, f)
}
func (s *streamConn) DomainInfo(ctx context.Context, d virt.DomainRef) (virt.DomainInfo, error) {
	return s.ds().DomainInfo(ctx, d)
}
func (s *streamConn) DomainState(ctx context.Context, d virt.DomainRef) (virt.DomainState, int, error) {
	return s.ds().DomainState(ctx, d)
}
func (s *streamConn) DomainFlags(ctx context.Context, d virt.DomainRef) (virt.DomainFlagSet, error) {
	return s.ds().DomainFlags(ctx, d)
}
func (s *streamConn) SetDomainAutostart(ctx context.Context, d virt.DomainRef, on bool) error {
	return s.ds().SetDomainAutostart(ctx, d, on)
}
func (s *streamConn) LookupPoolByName(ctx context.Context, n string) (virt.StoragePoolRef, error) {
	return s.pd().LookupPoolByName(ctx, n)
}
func (s *streamConn) LookupPoolByUUID(ctx context.Context, u virt.UUID) (virt.StoragePoolRef, error) {
	return s.pd().LookupPoolByUUID(ctx, u)
}
func (s *streamConn) ListPools(ctx context.Context, f virt.ListPoolsFlags) ([]virt.StoragePoolRef, error) {
	return s.pd().ListPools(ctx, f)
}
func (s *streamConn) DefinePool(ctx context.Context, x string) (virt.StoragePoolRef, error) {
	return s.pd().DefinePool(ctx, x)
}
func (s *streamConn) CreatePool(ctx context.Context, x string, f uint32) (virt.StoragePoolRef, error) {
	return s.pd().CreatePool(ctx, x, f)
}
func (s *streamConn) UndefinePool(ctx context.Context, p virt.StoragePoolRef) error {
	return s.pd().UndefinePool(ctx, p)
}
func (s *streamConn) PoolXML(ctx context.Context, p virt.StoragePoolRef, f uint32) (string, error) {
	return s.pd().PoolXML(ctx, p, f)
}
func (s *streamConn) PoolInfo(ctx context.Context, p virt.StoragePoolRef) (virt.StoragePoolInfo, error) {
	return s.pd().PoolInfo(ctx, p)
}
func (s *streamConn) PoolFlags(ctx context.Context, p virt.StoragePoolRef) (bool, bool, error) {
	return s.pd().PoolFlags(ctx, p)
}
func (s *streamConn) SetPoolAutostart(ctx context.Context, p virt.StoragePoolRef, on bool) error {
	return s.pd().SetPoolAutostart(ctx, p, on)
}
func (s *streamConn) LookupVolByName(ctx context.Context, p virt.StoragePoolRef, n string) (virt.StorageVolRef, error) {
	return s.vd().LookupVolByName(ctx, p, n)
}
func (s *streamConn) LookupVolByKey(ctx context.Context, k string) (virt.StorageVolRef, error) {
	return s.vd().LookupVolByKey(ctx, k)
}
func (s *streamConn) LookupVolByPath(ctx context.Context, p string) (virt.StorageVolRef, error) {
	return s.vd().LookupVolByPath(ctx, p)
}
func (s *streamConn) ListVols(ctx context.Context, p virt.StoragePoolRef) ([]virt.StorageVolRef, error) {
	return s.vd().ListVols(ctx, p)
}
func (s *streamConn) CreateVol(ctx context.Context, p virt.StoragePoolRef, x string, f uint32) (virt.StorageVolRef, error) {
	return s.vd().CreateVol(ctx, p, x, f)
}
func (s *streamConn) CloneVol(ctx context.Context, p virt.StoragePoolRef, x string, from virt.StorageVolRef, f uint32) (virt.StorageVolRef, error) {
	return s.vd().CloneVol(ctx, p, x, from, f)
}
func (s *streamConn) DeleteVol(ctx context.Context, v virt.StorageVolRef, f uint32) error {
	return s.vd().DeleteVol(ctx, v, f)
}
func (s *streamConn) VolXML(ctx context.Context, v virt.StorageVolRef) (string, error) {
	return s.vd().VolXML(ctx, v)
}
func (s *streamConn) VolInfo(ctx context.Context, v virt.StorageVolRef) (virt.StorageVolInfo, error) {
	return s.vd().VolInfo(ctx, v)
}
func (s *streamConn) VolPath(ctx context.Context, v virt.StorageVolRef) (string, error) {
	return s.vd().VolPath(ctx, v)
}
func (s *streamConn) SecurityModel(ctx context.Context) (virt.SecurityModel, error) {
	return s.sec().SecurityModel(ctx)
}
func (s *streamConn) DomainSecurityLabel(ctx context.Context, d virt.DomainRef) (virt.SecurityLabel, error) {
	return s.sec().DomainSecurityLabel(ctx, d)
}

// UploadVol implements virt.StorageVolStreams: the content replaces the
// volume's once the stream finishes.
func (s *streamConn) UploadVol(ctx context.Context, v virt.StorageVolRef, offset, length uint64, flags uint32) (virt.Stream, error) {
	if _, err := s.vd().VolInfo(ctx, v); err != nil {
		return nil, err
	}
	return &uploadStream{store: s.store, key: v.Key}, nil
}

// DownloadVol implements virt.StorageVolStreams.
func (s *streamConn) DownloadVol(ctx context.Context, v virt.StorageVolRef, offset, length uint64, flags uint32) (virt.Stream, error) {
	if _, err := s.vd().VolInfo(ctx, v); err != nil {
		return nil, err
	}
	s.store.mu.Lock()
	data := s.store.data[v.Key]
	s.store.mu.Unlock()
	return &downloadStream{r: bytes.NewReader(data)}, nil
}

// OpenDomainConsole implements virt.DomainConsole.
func (s *streamConn) OpenDomainConsole(ctx context.Context, d virt.DomainRef, dev string, flags uint32) (virt.Stream, error) {
	if _, err := s.ds().DomainInfo(ctx, d); err != nil {
		return nil, err
	}
	pr, pw := io.Pipe()
	return &echoConsole{pr: pr, pw: pw}, nil
}

type uploadStream struct {
	store *volStore
	key   string
	buf   bytes.Buffer
}

func (u *uploadStream) Read(p []byte) (int, error)  { select {} }
func (u *uploadStream) Write(p []byte) (int, error) { return u.buf.Write(p) }
func (u *uploadStream) Finish() error {
	u.store.mu.Lock()
	defer u.store.mu.Unlock()
	u.store.data[u.key] = bytes.Clone(u.buf.Bytes())
	return nil
}
func (u *uploadStream) Abort() error { return nil }

type downloadStream struct{ r *bytes.Reader }

func (d *downloadStream) Read(p []byte) (int, error)  { return d.r.Read(p) }
func (d *downloadStream) Write(p []byte) (int, error) { return 0, io.ErrClosedPipe }
func (d *downloadStream) Finish() error               { return nil }
func (d *downloadStream) Abort() error                { return nil }

// echoConsole answers what it receives in capitals.
type echoConsole struct {
	pr *io.PipeReader
	pw *io.PipeWriter
}

func (e *echoConsole) Read(p []byte) (int, error) { return e.pr.Read(p) }
func (e *echoConsole) Write(p []byte) (int, error) {
	go e.pw.Write([]byte(strings.ToUpper(string(p))))
	return len(p), nil
}
func (e *echoConsole) Finish() error { e.pw.Close(); return nil }
func (e *echoConsole) Abort() error  { e.pw.CloseWithError(io.ErrClosedPipe); return nil }

// TestVirshVolumeStreams uploads and downloads a 5 MiB volume with the
// real virsh (many STREAM packets each way, with flow control).
func TestVirshVolumeStreams(t *testing.T) {
	store := &volStore{data: map[string][]byte{}}
	d := startDaemon(t, withStreams(store))
	dir := t.TempDir()
	src := make([]byte, 5<<20+123)
	rand.Read(src)
	os.WriteFile(filepath.Join(dir, "in.img"), src, 0o644)
	r := virsh(t, dir, sockURI(d, "test", false),
		"vol-create-as default-pool v1 8M; vol-upload --pool default-pool v1 in.img; vol-download --pool default-pool v1 out.img")
	if r.code != 0 {
		t.Fatalf("virsh: exit %d\n%s%s", r.code, r.stdout, r.stderr)
	}
	got, err := os.ReadFile(filepath.Join(dir, "out.img"))
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(got, src) {
		t.Errorf("downloaded %d bytes that differ from the %d uploaded", len(got), len(src))
	}
	if n := d.Server().Stats().StreamsOpen.Load(); n != 0 {
		t.Errorf("%d streams still open", n)
	}
}

// TestVirshConsole runs `virsh console` on a terminal (script), types a
// line and the escape key, and reads the guest's answer.
func TestVirshConsole(t *testing.T) {
	scriptBin, err := exec.LookPath("script")
	if err != nil {
		t.Fatalf("script (util-linux) is required: %v", err)
	}
	d := startDaemon(t, withStreams(&volStore{data: map[string][]byte{}}))
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	cmd := exec.CommandContext(ctx, scriptBin, "-qfec", needVirsh(t)+" -c '"+sockURI(d, "test", false)+"' console test --force", "/dev/null")
	cmd.Env = []string{"PATH=/usr/bin:/bin", "HOME=" + t.TempDir(), "LANG=C", "TERM=dumb"}
	in, _ := cmd.StdinPipe()
	var out bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &out
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	go func() {
		time.Sleep(500 * time.Millisecond)
		in.Write([]byte("hello govirt\r"))
		time.Sleep(500 * time.Millisecond)
		in.Write([]byte{0x1d}) // ^]
		time.Sleep(200 * time.Millisecond)
		in.Close()
	}()
	err = cmd.Wait()
	s := out.String()
	if !strings.Contains(s, "Connected to domain 'test'") || !strings.Contains(s, "HELLO GOVIRT") {
		t.Errorf("console session (err %v):\n%q", err, s)
	}
	deadline := time.Now().Add(5 * time.Second)
	for d.Server().Stats().StreamsOpen.Load() != 0 {
		if time.Now().After(deadline) {
			t.Fatalf("%d streams still open", d.Server().Stats().StreamsOpen.Load())
		}
		time.Sleep(10 * time.Millisecond)
	}
}

// TestRemoteStreams moves volume data and console bytes through the remote
// driver (the Go client of the same streams).
func TestRemoteStreams(t *testing.T) {
	store := &volStore{data: map[string][]byte{}}
	d := startDaemon(t, withStreams(store))
	var reg virt.Registry
	reg.Register(remote.New())
	ctx := context.Background()
	c, err := reg.Open(ctx, sockURI(d, "test", false), 0)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	p, err := c.LookupStoragePoolByName(ctx, "default-pool")
	if err != nil {
		t.Fatal(err)
	}
	v, err := p.CreateVol(ctx, "<volume><name>s1</name><capacity>8388608</capacity></volume>", 0)
	if err != nil {
		t.Fatal(err)
	}
	src := make([]byte, 3<<20+7)
	rand.Read(src)
	up, err := v.Upload(ctx, 0, 0, 0)
	if err != nil {
		t.Fatal(err)
	}
	if n, err := up.Write(src); err != nil || n != len(src) {
		t.Fatalf("upload wrote %d, %v", n, err)
	}
	if err := up.Finish(); err != nil {
		t.Fatalf("upload finish: %v", err)
	}
	down, err := v.Download(ctx, 0, 0, 0)
	if err != nil {
		t.Fatal(err)
	}
	got, err := io.ReadAll(down)
	if err != nil {
		t.Fatalf("download: %v", err)
	}
	if err := down.Finish(); err != nil {
		t.Fatalf("download finish: %v", err)
	}
	if !bytes.Equal(got, src) {
		t.Errorf("downloaded %d bytes that differ from the %d uploaded", len(got), len(src))
	}

	dom, err := c.LookupDomainByName(ctx, "test")
	if err != nil {
		t.Fatal(err)
	}
	con, err := dom.OpenConsole(ctx, "", virt.ConsoleForce)
	if err != nil {
		t.Fatal(err)
	}
	con.Write([]byte("ping\n"))
	buf := make([]byte, 5)
	if _, err := io.ReadFull(con, buf); err != nil || string(buf) != "PING\n" {
		t.Errorf("console answered %q, %v", buf, err)
	}
	if err := con.Finish(); err != nil {
		t.Errorf("console finish: %v", err)
	}
	// An aborted console leaves nothing open on the daemon.
	con2, err := dom.OpenConsole(ctx, "", 0)
	if err != nil {
		t.Fatal(err)
	}
	con2.Abort()
	deadline := time.Now().Add(5 * time.Second)
	for d.Server().Stats().StreamsOpen.Load() != 0 {
		if time.Now().After(deadline) {
			t.Fatalf("%d streams still open", d.Server().Stats().StreamsOpen.Load())
		}
		time.Sleep(10 * time.Millisecond)
	}
	// The connection still works after the streams.
	if _, err := c.Hostname(ctx); err != nil {
		t.Errorf("after streams: %v", err)
	}
}
