package ext2

import (
	"encoding/binary"
	"fmt"
	"io"
	"io/fs"
	"os"
	"sort"
	"time"
)

const (
	blockSize      = 4096
	blocksPerGroup = 8 * blockSize
	inodeSize      = 256
	firstIno       = 11
	ptrsPerBlock   = blockSize / 4
	maxGroupInodes = 8 * blockSize
)

// Options tune the image's geometry and identity.
type Options struct {
	// Size is the minimum size of the image in bytes; the image grows
	// beyond it when the files need more. 0: just what the files need
	// plus FreeBytes.
	Size int64
	// FreeBytes is the free space to leave beyond what the files need
	// (default: 10% of the content plus 4 MiB).
	FreeBytes int64
	// FreeInodes is the number of spare inodes (default: 10% plus 256).
	FreeInodes int
	UUID       [16]byte
	Label      string
	// Time stamps the superblock (default: now).
	Time time.Time
	// Progress, when set, is called with the bytes of file data written so far.
	Progress func(written int64)
}

type geometry struct {
	blocks, groups, ipg, itb, gdtBlocks uint32
}

func hasSuper(g uint32) bool {
	if g <= 1 {
		return true
	}
	for _, b := range []uint32{3, 5, 7} {
		x := b
		for x < g {
			x *= b
		}
		if x == g {
			return true
		}
	}
	return false
}

// groupMeta returns the number of metadata blocks at the start of group g.
func (gm *geometry) groupMeta(g uint32) uint32 {
	n := 2 + gm.itb
	if hasSuper(g) {
		n += 1 + gm.gdtBlocks
	}
	return n
}

func (gm *geometry) groupLen(g uint32) uint32 {
	if g == gm.groups-1 {
		return gm.blocks - g*blocksPerGroup
	}
	return blocksPerGroup
}

// dataBlocksFor returns the data and mapping blocks of a file of n data blocks.
func mappingBlocks(n uint32) uint32 {
	var m uint32
	if n > 12 {
		m++
	}
	if n > 12+ptrsPerBlock {
		r := n - 12 - ptrsPerBlock
		if r > ptrsPerBlock*ptrsPerBlock {
			m += 1 + ptrsPerBlock
		} else {
			m += 1 + (r+ptrsPerBlock-1)/ptrsPerBlock
		}
	}
	if n > 12+ptrsPerBlock+ptrsPerBlock*ptrsPerBlock {
		r := n - 12 - ptrsPerBlock - ptrsPerBlock*ptrsPerBlock
		l2 := (r + ptrsPerBlock - 1) / ptrsPerBlock
		m += 1 + (l2+ptrsPerBlock-1)/ptrsPerBlock + l2
	}
	return m
}

func blocksOf(size int64) uint32 { return uint32((size + blockSize - 1) / blockSize) }

// dirEntries lays out a directory's entries into whole blocks.
func dirEntries(n *node) []byte {
	type de struct {
		ino  uint32
		name string
		typ  byte
	}
	ents := []de{{n.ino, ".", 2}, {n.parent.ino, "..", 2}}
	names := make([]string, 0, len(n.children))
	for k := range n.children {
		names = append(names, k)
	}
	sort.Strings(names)
	for _, k := range names {
		c := n.children[k]
		ino := c.ino
		if c.target != nil {
			ino = c.target.ino
		}
		ents = append(ents, de{ino, k, fileType(c.Mode)})
	}
	var out []byte
	blockStart := 0
	lastRec := -1
	for _, e := range ents {
		rec := (8 + len(e.name) + 3) &^ 3
		if len(out)-blockStart+rec > blockSize {
			// Stretch the previous entry to the end of its block.
			binary.LittleEndian.PutUint16(out[lastRec+4:], uint16(blockStart+blockSize-lastRec))
			out = append(out, make([]byte, blockStart+blockSize-len(out))...)
			blockStart = len(out)
		}
		lastRec = len(out)
		var h [8]byte
		binary.LittleEndian.PutUint32(h[0:], e.ino)
		binary.LittleEndian.PutUint16(h[4:], uint16(rec))
		h[6] = byte(len(e.name))
		h[7] = e.typ
		out = append(out, h[:]...)
		out = append(out, e.name...)
		out = append(out, make([]byte, rec-8-len(e.name))...)
	}
	binary.LittleEndian.PutUint16(out[lastRec+4:], uint16(blockStart+blockSize-lastRec))
	out = append(out, make([]byte, blockStart+blockSize-len(out))...)
	if n.isLostFd {
		// Like mke2fs: room for e2fsck to reconnect files without
		// allocating.
		for len(out) < 4*blockSize {
			empty := make([]byte, blockSize)
			binary.LittleEndian.PutUint16(empty[4:], blockSize)
			out = append(out, empty...)
		}
	}
	return out
}

func fileType(m fs.FileMode) byte {
	switch {
	case m.IsRegular():
		return 1
	case m.IsDir():
		return 2
	case m&fs.ModeSymlink != 0:
		return 7
	case m&fs.ModeCharDevice != 0:
		return 3
	case m&fs.ModeDevice != 0:
		return 4
	case m&fs.ModeNamedPipe != 0:
		return 5
	case m&fs.ModeSocket != 0:
		return 6
	}
	return 0
}

func unixMode(m fs.FileMode) uint16 {
	v := uint16(m.Perm())
	if m&fs.ModeSetuid != 0 {
		v |= 0o4000
	}
	if m&fs.ModeSetgid != 0 {
		v |= 0o2000
	}
	if m&fs.ModeSticky != 0 {
		v |= 0o1000
	}
	switch {
	case m.IsRegular():
		v |= 0o100000
	case m.IsDir():
		v |= 0o040000
	case m&fs.ModeSymlink != 0:
		v |= 0o120000
	case m&fs.ModeCharDevice != 0:
		v |= 0o020000
	case m&fs.ModeDevice != 0:
		v |= 0o060000
	case m&fs.ModeNamedPipe != 0:
		v |= 0o010000
	case m&fs.ModeSocket != 0:
		v |= 0o140000
	}
	return v
}

// WriteTo lays the tree out and writes it to f, which it truncates to the
// image size first. It returns the image size in bytes.
func (im *Image) WriteTo(f *os.File, o Options) (int64, error) {
	if o.Time.IsZero() {
		o.Time = time.Now()
	}
	// Inode numbers: root 2, lost+found 11, then depth-first by name.
	var nodes []*node
	next := uint32(firstIno)
	im.walk(func(n *node) {
		if n.target != nil {
			return
		}
		switch {
		case n == im.root:
			n.ino = 2
		case n.isLostFd:
			n.ino = firstIno
		default:
			next++
			n.ino = next
		}
		nodes = append(nodes, n)
	})
	// Link counts.
	for _, n := range nodes {
		n.nlink = 1 + uint32(len(n.links))
		if n.Mode.IsDir() {
			n.nlink = 2
		}
	}
	for _, n := range nodes {
		if n.Mode.IsDir() && n != im.root {
			n.parent.nlink++
		}
	}
	// Data blocks.
	var need uint32
	for _, n := range nodes {
		var nb uint32
		switch {
		case n.Mode.IsDir():
			n.dirBytes = dirEntries(n)
			nb = uint32(len(n.dirBytes) / blockSize)
		case n.Mode.IsRegular():
			nb = blocksOf(n.Size)
		case n.Mode&fs.ModeSymlink != 0 && len(n.Link) >= 60:
			nb = 1
		}
		n.nblocks = nb + mappingBlocks(nb)
		need += n.nblocks
	}
	inodes := uint32(next)
	spare := o.FreeInodes
	if spare == 0 {
		spare = int(inodes)/10 + 256
	}
	inodes += uint32(spare)
	free := o.FreeBytes
	if free == 0 {
		free = int64(need)*blockSize/10 + 4<<20
	}
	want := need + uint32((free+blockSize-1)/blockSize)
	if min := uint32((o.Size + blockSize - 1) / blockSize); min > want {
		want = min
	}
	gm, err := plan(want, need, inodes)
	if err != nil {
		return 0, err
	}
	return int64(gm.blocks) * blockSize, im.write(f, gm, nodes, o)
}

// plan finds a geometry of at least want blocks with room for need data
// blocks and inodes inodes.
func plan(want, need, inodes uint32) (*geometry, error) {
	total := want
	for iter := 0; iter < 64; iter++ {
		g := &geometry{blocks: total}
		g.groups = (total + blocksPerGroup - 1) / blocksPerGroup
		ipg := (inodes + g.groups - 1) / g.groups
		ipg = (ipg + 15) &^ 15
		if ipg < 16 {
			ipg = 16
		}
		if ipg > maxGroupInodes {
			return nil, fmt.Errorf("ext2: too many files (%d inodes)", inodes)
		}
		g.ipg = ipg
		g.itb = ipg * inodeSize / blockSize
		g.gdtBlocks = (g.groups*32 + blockSize - 1) / blockSize
		var meta uint32
		for i := uint32(0); i < g.groups; i++ {
			meta += g.groupMeta(i)
		}
		last := g.groupLen(g.groups - 1)
		if last < g.groupMeta(g.groups-1)+16 {
			total += g.groupMeta(g.groups-1) + 16
			continue
		}
		if need+meta > total {
			total = need + meta
			continue
		}
		return g, nil
	}
	return nil, fmt.Errorf("ext2: no geometry found for %d blocks", want)
}

// allocator hands out data blocks in order, skipping group metadata.
type allocator struct {
	gm   *geometry
	next uint32
	used []uint32 // per group
}

func (a *allocator) alloc() uint32 {
	for {
		g := a.next / blocksPerGroup
		if a.next-g*blocksPerGroup < a.gm.groupMeta(g) {
			a.next = g*blocksPerGroup + a.gm.groupMeta(g)
		}
		b := a.next
		a.next++
		a.used[b/blocksPerGroup]++
		return b
	}
}

// mapFile allocates the data and mapping blocks of a file of nb data
// blocks.
func (a *allocator) mapFile(n *node, nb uint32) {
	n.data = make([]uint32, nb)
	for i := range n.data {
		n.data[i] = a.alloc()
	}
	d := n.data
	for i := 0; i < 12 && i < len(d); i++ {
		n.iblock[i] = d[i]
	}
	if len(d) <= 12 {
		return
	}
	d = d[12:]
	single := func(ptrs []uint32) uint32 {
		b := a.alloc()
		n.meta = append(n.meta, metaBlock{b, ptrs})
		return b
	}
	take := func(k int) []uint32 {
		if k > len(d) {
			k = len(d)
		}
		p := d[:k]
		d = d[k:]
		return p
	}
	n.iblock[12] = single(take(ptrsPerBlock))
	double := func() uint32 {
		var l1 []uint32
		top := a.alloc()
		for len(d) > 0 && len(l1) < ptrsPerBlock {
			l1 = append(l1, single(take(ptrsPerBlock)))
		}
		n.meta = append(n.meta, metaBlock{top, l1})
		return top
	}
	if len(d) > 0 {
		n.iblock[13] = double()
	}
	if len(d) > 0 {
		top := a.alloc()
		var l2 []uint32
		for len(d) > 0 && len(l2) < ptrsPerBlock {
			l2 = append(l2, double())
		}
		n.meta = append(n.meta, metaBlock{top, l2})
		n.iblock[14] = top
	}
}

func (im *Image) write(f *os.File, gm *geometry, nodes []*node, o Options) error {
	if err := f.Truncate(0); err != nil {
		return err
	}
	if err := f.Truncate(int64(gm.blocks) * blockSize); err != nil {
		return fmt.Errorf("ext2: size the image: %w", err)
	}
	a := &allocator{gm: gm, used: make([]uint32, gm.groups)}
	for _, n := range nodes {
		var nb uint32
		switch {
		case n.Mode.IsDir():
			nb = uint32(len(n.dirBytes) / blockSize)
		case n.Mode.IsRegular():
			nb = blocksOf(n.Size)
		case n.Mode&fs.ModeSymlink != 0 && len(n.Link) >= 60:
			nb = 1
		}
		a.mapFile(n, nb)
	}
	if a.next > gm.blocks {
		return ErrNoSpace
	}
	w := &blockWriter{f: f, buf: make([]byte, 0, 1<<20), progress: o.Progress}
	// Data.
	for _, n := range nodes {
		switch {
		case n.Mode.IsDir():
			if err := w.writeBlocks(n.data, n.dirBytes); err != nil {
				return err
			}
		case n.Mode&fs.ModeSymlink != 0 && len(n.Link) >= 60:
			if err := w.writeBlocks(n.data, []byte(n.Link)); err != nil {
				return err
			}
		case n.Mode.IsRegular() && n.Size > 0:
			if err := w.copyFile(n); err != nil {
				return err
			}
		}
		for _, m := range n.meta {
			b := make([]byte, blockSize)
			for i, p := range m.ptrs {
				binary.LittleEndian.PutUint32(b[4*i:], p)
			}
			if err := w.writeBlocks([]uint32{m.block}, b); err != nil {
				return err
			}
		}
	}
	if err := w.flush(); err != nil {
		return err
	}
	// Inode tables, bitmaps, descriptors, superblocks.
	return im.writeMeta(f, gm, a, nodes, o)
}

// blockWriter coalesces writes of consecutive blocks.
type blockWriter struct {
	f        *os.File
	start    uint32 // first block of buf
	buf      []byte
	written  int64
	progress func(int64)
}

func (w *blockWriter) flush() error {
	if len(w.buf) == 0 {
		return nil
	}
	_, err := w.f.WriteAt(w.buf, int64(w.start)*blockSize)
	w.buf = w.buf[:0]
	if err != nil {
		return fmt.Errorf("ext2: write image: %w", err)
	}
	return nil
}

// put queues one block (data shorter than a block is zero-padded).
func (w *blockWriter) put(b uint32, data []byte) error {
	if len(w.buf) > 0 && (w.start+uint32(len(w.buf)/blockSize) != b || len(w.buf)+blockSize > cap(w.buf)) {
		if err := w.flush(); err != nil {
			return err
		}
	}
	if len(w.buf) == 0 {
		w.start = b
	}
	w.buf = append(w.buf, data...)
	if pad := blockSize - len(data); pad > 0 {
		w.buf = append(w.buf, make([]byte, pad)...)
	}
	return nil
}

func (w *blockWriter) writeBlocks(blocks []uint32, data []byte) error {
	for i, b := range blocks {
		end := (i + 1) * blockSize
		if end > len(data) {
			end = len(data)
		}
		if err := w.put(b, data[i*blockSize:end]); err != nil {
			return err
		}
	}
	return nil
}

func (w *blockWriter) copyFile(n *node) error {
	if n.Data != nil {
		if int64(len(n.Data)) != n.Size {
			return fmt.Errorf("ext2: %s: %d bytes of data for size %d", n.Path, len(n.Data), n.Size)
		}
		w.written += n.Size
		return w.writeBlocks(n.data, n.Data)
	}
	if n.Open == nil {
		return fmt.Errorf("ext2: %s: no content", n.Path)
	}
	r, err := n.Open()
	if err != nil {
		return err
	}
	defer r.Close()
	var blk [blockSize]byte
	left := n.Size
	for _, b := range n.data {
		k := int64(blockSize)
		if left < k {
			k = left
		}
		if _, err := io.ReadFull(r, blk[:k]); err != nil {
			return fmt.Errorf("ext2: %s: read: %w (did the file change while building?)", n.Path, err)
		}
		if err := w.put(b, blk[:k]); err != nil {
			return err
		}
		left -= k
	}
	w.written += n.Size
	if w.progress != nil {
		w.progress(w.written)
	}
	return nil
}

func putTime(b []byte, t time.Time) {
	binary.LittleEndian.PutUint32(b, uint32(t.Unix()))
}

// inodeBytes encodes n's inode.
func inodeBytes(n *node) []byte {
	b := make([]byte, inodeSize)
	le := binary.LittleEndian
	le.PutUint16(b[0:], unixMode(n.Mode))
	le.PutUint16(b[2:], uint16(n.UID))
	size := n.Size
	switch {
	case n.Mode.IsDir():
		size = int64(len(n.dirBytes))
	case n.Mode&fs.ModeSymlink != 0:
		size = int64(len(n.Link))
	case !n.Mode.IsRegular():
		size = 0
	}
	le.PutUint32(b[4:], uint32(size))
	le.PutUint32(b[108:], uint32(size>>32))
	mt := n.MTime
	if mt.IsZero() {
		mt = time.Unix(0, 0)
	}
	for _, off := range []int{8, 12, 16} {
		putTime(b[off:], mt)
	}
	le.PutUint16(b[24:], uint16(n.GID))
	le.PutUint16(b[26:], uint16(n.nlink))
	le.PutUint32(b[28:], n.nblocks*(blockSize/512))
	switch {
	case n.Mode&fs.ModeSymlink != 0 && len(n.Link) < 60:
		copy(b[40:100], n.Link)
	case n.Mode&(fs.ModeDevice|fs.ModeCharDevice) != 0:
		if n.Major < 256 && n.Minor < 256 {
			le.PutUint32(b[40:], n.Major<<8|n.Minor)
		} else {
			le.PutUint32(b[44:], (n.Minor&0xff)|(n.Major<<8)|((n.Minor&^0xff)<<12))
		}
	default:
		for i, p := range n.iblock {
			le.PutUint32(b[40+4*i:], p)
		}
	}
	le.PutUint16(b[120:], uint16(n.UID>>16))
	le.PutUint16(b[122:], uint16(n.GID>>16))
	le.PutUint16(b[128:], 32) // i_extra_isize
	ns := uint32(mt.Nanosecond()) << 2
	le.PutUint32(b[132:], ns)
	le.PutUint32(b[136:], ns)
	le.PutUint32(b[140:], ns)
	return b
}

func (im *Image) writeMeta(f *os.File, gm *geometry, a *allocator, nodes []*node, o Options) error {
	le := binary.LittleEndian
	inodesInGroup := make([][]*node, gm.groups)
	dirs := make([]uint32, gm.groups)
	for _, n := range nodes {
		g := (n.ino - 1) / gm.ipg
		if g >= gm.groups {
			return fmt.Errorf("ext2: inode %d beyond the inode tables", n.ino)
		}
		inodesInGroup[g] = append(inodesInGroup[g], n)
		if n.Mode.IsDir() {
			dirs[g]++
		}
	}
	gdt := make([]byte, gm.gdtBlocks*blockSize)
	var freeBlocks, freeInodes uint32
	for g := uint32(0); g < gm.groups; g++ {
		base := g * blocksPerGroup
		meta := gm.groupMeta(g)
		bb := base + meta - 2 - gm.itb
		ib := bb + 1
		it := ib + 1
		// Block bitmap: metadata, then the data blocks the allocator used
		// (always a prefix of the group's data area), padding past the end.
		bm := make([]byte, blockSize)
		usedBlocks := meta + a.used[g]
		glen := gm.groupLen(g)
		for i := uint32(0); i < usedBlocks; i++ {
			bm[i/8] |= 1 << (i % 8)
		}
		for i := glen; i < blocksPerGroup; i++ {
			bm[i/8] |= 1 << (i % 8)
		}
		im2 := make([]byte, blockSize)
		var usedInodes uint32
		for _, n := range inodesInGroup[g] {
			i := n.ino - 1 - g*gm.ipg
			im2[i/8] |= 1 << (i % 8)
		}
		if g == 0 {
			for i := uint32(0); i < firstIno-1; i++ {
				im2[i/8] |= 1 << (i % 8)
			}
		}
		for i := uint32(0); i < gm.ipg; i++ {
			if im2[i/8]&(1<<(i%8)) != 0 {
				usedInodes++
			}
		}
		for i := gm.ipg; i < 8*blockSize; i++ {
			im2[i/8] |= 1 << (i % 8)
		}
		if _, err := f.WriteAt(bm, int64(bb)*blockSize); err != nil {
			return fmt.Errorf("ext2: write bitmap: %w", err)
		}
		if _, err := f.WriteAt(im2, int64(ib)*blockSize); err != nil {
			return fmt.Errorf("ext2: write bitmap: %w", err)
		}
		// Inode table: contiguous runs of used inodes.
		tbl := make([]byte, gm.ipg*inodeSize)
		maxIdx := -1
		for _, n := range inodesInGroup[g] {
			i := int(n.ino - 1 - g*gm.ipg)
			copy(tbl[i*inodeSize:], inodeBytes(n))
			if i > maxIdx {
				maxIdx = i
			}
		}
		if maxIdx >= 0 {
			if _, err := f.WriteAt(tbl[:(maxIdx+1)*inodeSize], int64(it)*blockSize); err != nil {
				return fmt.Errorf("ext2: write inode table: %w", err)
			}
		}
		fb := glen - usedBlocks
		fi := gm.ipg - usedInodes
		freeBlocks += fb
		freeInodes += fi
		d := gdt[g*32:]
		le.PutUint32(d[0:], bb)
		le.PutUint32(d[4:], ib)
		le.PutUint32(d[8:], it)
		le.PutUint16(d[12:], uint16(fb))
		le.PutUint16(d[14:], uint16(fi))
		le.PutUint16(d[16:], uint16(dirs[g]))
	}
	sb := make([]byte, 1024)
	le.PutUint32(sb[0:], gm.ipg*gm.groups)
	le.PutUint32(sb[4:], gm.blocks)
	le.PutUint32(sb[12:], freeBlocks)
	le.PutUint32(sb[16:], freeInodes)
	le.PutUint32(sb[20:], 0) // first data block
	le.PutUint32(sb[24:], 2) // log2(4096/1024)
	le.PutUint32(sb[28:], 2)
	le.PutUint32(sb[32:], blocksPerGroup)
	le.PutUint32(sb[36:], blocksPerGroup)
	le.PutUint32(sb[40:], gm.ipg)
	le.PutUint32(sb[48:], uint32(o.Time.Unix()))
	le.PutUint16(sb[54:], 0xFFFF) // max mount count: never force a check
	le.PutUint16(sb[56:], 0xEF53)
	le.PutUint16(sb[58:], 1) // clean
	le.PutUint16(sb[60:], 1) // continue on errors
	le.PutUint32(sb[64:], uint32(o.Time.Unix()))
	le.PutUint32(sb[76:], 1) // dynamic revision
	le.PutUint32(sb[84:], firstIno)
	le.PutUint16(sb[88:], inodeSize)
	le.PutUint32(sb[96:], 0x2)      // incompat: filetype
	le.PutUint32(sb[100:], 0x1|0x2) // ro_compat: sparse_super, large_file
	copy(sb[104:120], o.UUID[:])
	copy(sb[120:136], o.Label)
	le.PutUint32(sb[264:], uint32(o.Time.Unix()))
	le.PutUint16(sb[348:], 32) // min extra isize
	le.PutUint16(sb[350:], 32) // want extra isize
	for g := uint32(0); g < gm.groups; g++ {
		if !hasSuper(g) {
			continue
		}
		off := int64(g) * blocksPerGroup * blockSize
		le.PutUint16(sb[90:], uint16(g))
		if g == 0 {
			off = 1024
		}
		if _, err := f.WriteAt(sb, off); err != nil {
			return fmt.Errorf("ext2: write superblock: %w", err)
		}
		if _, err := f.WriteAt(gdt, (int64(g)*blocksPerGroup+1)*blockSize); err != nil {
			return fmt.Errorf("ext2: write group descriptors: %w", err)
		}
	}
	return nil
}
