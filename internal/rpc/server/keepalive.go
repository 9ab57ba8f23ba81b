package server

import (
	"errors"
	"time"

	"github.com/govirt/govirt/internal/rpc"
)

var errKeepalive = errors.New("keepalive timeout: client stopped answering")

type stopper interface{ Stop() }

type tickerStop struct {
	t    *time.Ticker
	done chan struct{}
}

func (t *tickerStop) Stop() {
	t.t.Stop()
	close(t.done)
}

// startKeepalive pings a client that enabled keepalive after each
// KeepaliveInterval of silence and drops it after KeepaliveCount intervals
// without a message, as libvirtd does.
func (c *client) startKeepalive() stopper {
	iv := c.s.cfg.KeepaliveInterval
	if iv < 0 {
		return nil
	}
	t := &tickerStop{t: time.NewTicker(iv), done: make(chan struct{})}
	go func() {
		for {
			select {
			case <-t.done:
				return
			case <-c.ctx.Done():
				return
			case now := <-t.t.C:
				if !c.keepalive.Load() {
					continue
				}
				idle := now.Sub(time.Unix(0, c.lastRecv.Load()))
				if idle >= iv*time.Duration(c.s.cfg.KeepaliveCount) {
					c.log.Warn("dropping client: keepalive timeout", "idle", idle)
					c.s.stats.Dropped.Add(1)
					c.close(errKeepalive)
					return
				}
				if idle >= iv {
					c.s.stats.PingsSent.Add(1)
					c.sendRaw(rpc.Header{Prog: rpc.ProgKeepalive, Vers: rpc.ProtocolVersion, Proc: rpc.KeepalivePing, Type: rpc.Message}, nil)
				}
			}
		}
	}()
	return t
}
