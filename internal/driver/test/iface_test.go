package test

import (
	"context"
	"errors"
	"testing"

	"github.com/govirt/govirt/virt"
)

func TestHostInterfaces(t *testing.T) {
	ctx := context.Background()
	c := openDefault(t)
	all, err := c.ListAllInterfaces(ctx, 0)
	if err != nil || len(all) != 1 || all[0].Name() != "eth1" || all[0].MAC() != "aa:bb:cc:dd:ee:ff" {
		t.Fatalf("ListAllInterfaces = %v, %v; want eth1 aa:bb:cc:dd:ee:ff", all, err)
	}
	if in, err := c.ListAllInterfaces(ctx, virt.ListInterfacesInactive); err != nil || len(in) != 0 {
		t.Errorf("inactive interfaces = %v, %v; want none", in, err)
	}
	i, err := c.LookupInterfaceByMAC(ctx, "AA:BB:CC:DD:EE:FF")
	if err != nil || i.Name() != "eth1" {
		t.Fatalf("LookupInterfaceByMAC = %v, %v", i, err)
	}
	if on, err := i.IsActive(ctx); err != nil || !on {
		t.Errorf("IsActive = %v, %v; want true", on, err)
	}
	_, err = c.LookupInterfaceByName(ctx, "nosuch")
	want := "Interface not found: no interface with matching name 'nosuch'"
	if !errors.Is(err, virt.ErrNoInterface) || err.Error() != want {
		t.Errorf("lookup of a missing interface: got %v, want %q", err, want)
	}
}
