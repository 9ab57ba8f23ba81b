package test

import (
	"context"
	"fmt"
	"sync"
	"testing"

	"github.com/govirt/govirt/virt"
)

// TestConcurrentLifecycles runs many domains through their lifecycle at
// once, with listings and lookups alongside (meant for -race).
func TestConcurrentLifecycles(t *testing.T) {
	ctx := context.Background()
	drv := New()
	c := openWith(t, drv, "test:///default", 0)
	defer c.Close()
	evs, _ := c.DomainEvents(ctx) // a subscriber that never reads
	_ = evs
	var wg sync.WaitGroup
	errs := make(chan error, 64)
	for w := 0; w < 8; w++ {
		wg.Add(1)
		go func(w int) {
			defer wg.Done()
			for i := 0; i < 50; i++ {
				name := fmt.Sprintf("c%d-%d", w, i)
				d, err := c.DefineDomain(ctx, fmt.Sprintf(minimalXML, name), 0)
				if err != nil {
					errs <- err
					return
				}
				steps := []func() error{
					func() error { return d.Start(ctx, 0) },
					func() error { return d.Suspend(ctx) },
					func() error { return d.Resume(ctx) },
					func() error { _, err := d.XML(ctx, 0); return err },
					func() error { return d.SetMemory(ctx, 512, virt.AffectLive) },
					func() error { return d.Destroy(ctx, 0) },
					func() error { return d.Undefine(ctx, 0) },
				}
				for _, s := range steps {
					if err := s(); err != nil {
						errs <- fmt.Errorf("%s: %w", name, err)
						return
					}
				}
			}
		}(w)
	}
	wg.Add(1)
	go func() {
		defer wg.Done()
		for i := 0; i < 200; i++ {
			if _, err := c.ListAllDomains(ctx, virt.ListDomainsActive); err != nil {
				errs <- err
				return
			}
			c.LookupDomainByName(ctx, "test")
		}
	}()
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Error(err)
	}
	all, _ := c.ListAllDomains(ctx, 0)
	if len(all) != 1 {
		t.Errorf("domains left: got %d, want 1", len(all))
	}
}
