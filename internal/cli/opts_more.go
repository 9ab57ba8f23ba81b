package cli

// int64 returns a long long option (virsh's vshCommandOptLongLong).
func (c *call) int64(name string) (int64, bool, error) {
	v, ok := c.find(name)
	if !ok {
		return 0, false, nil
	}
	n, err := parseCInt(v.data, 64)
	if err != nil {
		return 0, false, malformed(v.data, name)
	}
	return n, true, nil
}

// uint64 returns an unsigned long long option; negative numbers are
// refused (virsh's vshCommandOptULongLong).
func (c *call) uint64(name string) (uint64, bool, error) {
	v, ok := c.find(name)
	if !ok {
		return 0, false, nil
	}
	n, err := parseCUint(v.data, 64)
	if err != nil {
		return 0, false, malformed(v.data, name)
	}
	return n, true, nil
}
