package server

import (
	"context"

	"github.com/govirt/govirt/internal/rpc"
	"github.com/govirt/govirt/internal/rpc/proto"
	"github.com/govirt/govirt/internal/rpc/xdr"
	"github.com/govirt/govirt/virt"
)

// Features (virDrvFeature) clients probe with CONNECT_SUPPORTS_FEATURE.
const (
	FeatureProgramKeepalive    = 10
	FeatureRemoteEventCallback = 14
	FeatureRemoteCloseCallback = 15
	FeatureTypedParamString    = 9
	FeatureNetworkUpdateOrder  = 16
)

// supportedFeatures are answered 1; every other feature 0. Migration and
// FD passing are not implemented, so they are 0.
var supportedFeatures = map[int32]bool{
	FeatureProgramKeepalive:    true,
	FeatureRemoteEventCallback: true,
	FeatureRemoteCloseCallback: true,
	FeatureTypedParamString:    true,
	FeatureNetworkUpdateOrder:  true,
}

func connectHandlers(r registry) {
	r.addRaw(proto.ProcConnectOpen, true, connectOpen)
	r.addRaw(proto.ProcConnectClose, true, func(c *client, ctx context.Context, d *xdr.Decoder) (proto.Encoder, error) {
		c.mu.Lock()
		conn := c.conn
		c.conn = nil
		ev := c.events
		c.events = nil
		c.mu.Unlock()
		if ev != nil {
			ev.stop()
		}
		if conn != nil {
			conn.Close()
		}
		c.closeAfter.Store(true)
		return nil, nil
	})
	r.addRaw(proto.ProcAuthList, true, func(c *client, ctx context.Context, d *xdr.Decoder) (proto.Encoder, error) {
		return &proto.AuthListRet{Types: []int32{0}}, nil
	})
	r.addRaw(proto.ProcConnectSupportsFeature, true, func(c *client, ctx context.Context, d *xdr.Decoder) (proto.Encoder, error) {
		var a proto.ConnectSupportsFeatureArgs
		if err := args(d, &a); err != nil {
			return nil, err
		}
		if a.Feature == FeatureProgramKeepalive {
			c.keepalive.Store(true)
			return &proto.ConnectSupportsFeatureRet{Supported: 1}, nil
		}
		if _, err := c.virtConn(); err != nil {
			return nil, rpc.InternalError("connection not open")
		}
		if supportedFeatures[a.Feature] {
			return &proto.ConnectSupportsFeatureRet{Supported: 1}, nil
		}
		return &proto.ConnectSupportsFeatureRet{Supported: 0}, nil
	})
	void := func(c *client, ctx context.Context, conn *virt.Conn, d *xdr.Decoder) (proto.Encoder, error) {
		return nil, nil
	}
	r.add(proto.ProcConnectRegisterCloseCallback, void)
	r.add(proto.ProcConnectUnregisterCloseCallback, void)

	r.add(proto.ProcConnectGetType, func(c *client, ctx context.Context, conn *virt.Conn, d *xdr.Decoder) (proto.Encoder, error) {
		return &proto.StringRet{Str: conn.Type()}, nil
	})
	r.add(proto.ProcConnectGetVersion, func(c *client, ctx context.Context, conn *virt.Conn, d *xdr.Decoder) (proto.Encoder, error) {
		v, err := conn.Version(ctx)
		if err != nil {
			return nil, err
		}
		return &proto.Uint64Ret{Value: v}, nil
	})
	r.add(proto.ProcConnectGetLibVersion, func(c *client, ctx context.Context, conn *virt.Conn, d *xdr.Decoder) (proto.Encoder, error) {
		return &proto.Uint64Ret{Value: conn.LibVersion()}, nil
	})
	r.add(proto.ProcConnectGetHostname, func(c *client, ctx context.Context, conn *virt.Conn, d *xdr.Decoder) (proto.Encoder, error) {
		h, err := conn.Hostname(ctx)
		if err != nil {
			return nil, err
		}
		return &proto.StringRet{Str: h}, nil
	})
	r.add(proto.ProcConnectGetURI, func(c *client, ctx context.Context, conn *virt.Conn, d *xdr.Decoder) (proto.Encoder, error) {
		return &proto.StringRet{Str: conn.URI()}, nil
	})
	r.add(proto.ProcConnectGetCapabilities, func(c *client, ctx context.Context, conn *virt.Conn, d *xdr.Decoder) (proto.Encoder, error) {
		s, err := conn.Capabilities(ctx)
		if err != nil {
			return nil, err
		}
		return &proto.StringRet{Str: s}, nil
	})
	r.add(proto.ProcConnectIsSecure, func(c *client, ctx context.Context, conn *virt.Conn, d *xdr.Decoder) (proto.Encoder, error) {
		return boolInt(c.info.Secure), nil
	})
	r.add(proto.ProcNodeGetInfo, func(c *client, ctx context.Context, conn *virt.Conn, d *xdr.Decoder) (proto.Encoder, error) {
		ni, err := conn.NodeInfo(ctx)
		if err != nil {
			return nil, err
		}
		return &proto.NodeGetInfoRet{
			Model: ni.Model, Memory: ni.Memory, CPUs: int32(ni.CPUs), MHz: int32(ni.MHz),
			Nodes: int32(ni.Nodes), Sockets: int32(ni.Sockets), Cores: int32(ni.Cores), Threads: int32(ni.Threads),
		}, nil
	})
	r.add(proto.ProcNodeGetSecurityModel, func(c *client, ctx context.Context, conn *virt.Conn, d *xdr.Decoder) (proto.Encoder, error) {
		m, err := conn.SecurityModel(ctx)
		if err != nil {
			return nil, err
		}
		// libvirtd sends the C strings with their NUL terminators.
		return &proto.NodeGetSecurityModelRet{Model: cString(m.Model), DOI: cString(m.DOI)}, nil
	})
	r.add(proto.ProcNodeGetCPUMap, func(c *client, ctx context.Context, conn *virt.Conn, d *xdr.Decoder) (proto.Encoder, error) {
		var a proto.NodeGetCPUMapArgs
		if err := args(d, &a); err != nil {
			return nil, err
		}
		m, err := conn.NodeCPUMap(ctx)
		if err != nil {
			return nil, err
		}
		ret := &proto.NodeGetCPUMapRet{Ret: int32(len(m))}
		if a.NeedMap != 0 {
			ret.Cpumap = bitmap(m, (len(m)+7)/8)
		}
		if a.NeedOnline != 0 {
			for _, on := range m {
				if on {
					ret.Online++
				}
			}
		}
		return ret, nil
	})
}

func connectOpen(c *client, ctx context.Context, d *xdr.Decoder) (proto.Encoder, error) {
	var a proto.ConnectOpenArgs
	if err := args(d, &a); err != nil {
		return nil, err
	}
	c.mu.Lock()
	if c.conn != nil {
		// libvirtd refuses and also drops the open connection.
		conn := c.conn
		c.conn = nil
		c.dropped = true
		c.mu.Unlock()
		conn.Close()
		return nil, rpc.InternalError("connection already open")
	}
	c.mu.Unlock()
	name := c.s.cfg.DefaultURI
	if a.Name != nil && *a.Name != "" {
		name = *a.Name
	}
	if name == "" {
		return nil, rpc.InternalError("connection not open")
	}
	flags := virt.OpenFlags(a.Flags)
	if c.info.ReadOnly {
		flags |= virt.OpenReadOnlyFlag
	}
	conn, err := c.s.cfg.Open(ctx, name, flags)
	if err != nil {
		c.log.Info("open failed", "uri", name, "err", err)
		return nil, err
	}
	c.mu.Lock()
	c.conn = conn
	c.mu.Unlock()
	c.log.Debug("connection opened", "uri", name, "readonly", conn.ReadOnly())
	return nil, nil
}

func cString(s string) []byte {
	b := make([]byte, len(s)+1)
	copy(b, s)
	return b
}

// bitmap packs a CPU map into n bytes, bit i of byte i/8 for CPU i.
func bitmap(m []bool, n int) []byte {
	b := make([]byte, n)
	for i, on := range m {
		if on && i/8 < n {
			b[i/8] |= 1 << (i % 8)
		}
	}
	return b
}
