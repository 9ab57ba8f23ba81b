package daemon

import (
	"context"
	"sync"
)

// Pool is a bounded worker pool: at most Workers calls run at once, plus
// up to Prio more for high-priority calls (destroy, define, undefine,
// autostart: they never wait on a guest) when every ordinary worker is
// busy, as libvirtd's prio_workers are. It implements server.Executor.
type Pool struct {
	jobs chan func()
	prio chan func()
	wg   sync.WaitGroup
	stop chan struct{}
	once sync.Once
}

// NewPool starts workers ordinary and prio priority workers.
func NewPool(workers, prio int) *Pool {
	p := &Pool{jobs: make(chan func()), prio: make(chan func()), stop: make(chan struct{})}
	run := func(ch chan func()) {
		defer p.wg.Done()
		for {
			select {
			case job := <-ch:
				job()
			case <-p.stop:
				return
			}
		}
	}
	p.wg.Add(workers + prio)
	for i := 0; i < workers; i++ {
		go run(p.jobs)
	}
	for i := 0; i < prio; i++ {
		go run(p.prio)
	}
	return p
}

// Execute hands job to a free worker, waiting for one until ctx ends.
func (p *Pool) Execute(ctx context.Context, high bool, job func()) error {
	if high {
		select {
		case p.jobs <- job:
			return nil
		case p.prio <- job:
			return nil
		case <-ctx.Done():
			return context.Cause(ctx)
		case <-p.stop:
			return errStopped
		}
	}
	select {
	case p.jobs <- job:
		return nil
	case <-ctx.Done():
		return context.Cause(ctx)
	case <-p.stop:
		return errStopped
	}
}

// Close stops the workers once their current jobs return.
func (p *Pool) Close() {
	p.once.Do(func() { close(p.stop) })
	p.wg.Wait()
}
