package daemon

import (
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"errors"
	"fmt"
	"os"
	"path"
	"strings"
)

// ServerTLSConfig builds the TLS listener's configuration from libvirt's
// certificate layout: cert_file and key_file are the server's identity,
// ca_file the CA clients' certificates must chain to, crl_file an optional
// revocation list. Clients must present a certificate the CA signed unless
// tls_no_verify_certificate is set.
func ServerTLSConfig(cfg Config) (*tls.Config, error) {
	cert, err := tls.LoadX509KeyPair(cfg.CertFile, cfg.KeyFile)
	if err != nil {
		return nil, fmt.Errorf("load server certificate: %w", err)
	}
	pool, err := loadCAPool(cfg.CAFile)
	if err != nil {
		return nil, err
	}
	tc := &tls.Config{
		Certificates: []tls.Certificate{cert},
		ClientCAs:    pool,
		MinVersion:   tls.VersionTLS12,
		ClientAuth:   tls.RequireAndVerifyClientCert,
		// No TLS 1.3 session tickets: libvirt's client reads the one-byte
		// confirmation right after the handshake and fails on a ticket
		// record arriving first.
		SessionTicketsDisabled: true,
	}
	if cfg.TLSNoVerifyCertificate {
		tc.ClientAuth = tls.RequestClientCert
	}
	if cfg.CRLFile != "" {
		der, err := os.ReadFile(cfg.CRLFile)
		if err != nil {
			return nil, fmt.Errorf("read CRL: %w", err)
		}
		crl, err := parseCRL(der)
		if err != nil {
			return nil, err
		}
		revoked := map[string]bool{}
		for _, e := range crl.RevokedCertificateEntries {
			revoked[e.SerialNumber.String()] = true
		}
		tc.VerifyPeerCertificate = func(raw [][]byte, chains [][]*x509.Certificate) error {
			for _, ch := range chains {
				for _, c := range ch {
					if revoked[c.SerialNumber.String()] {
						return fmt.Errorf("certificate %s is revoked", c.Subject)
					}
				}
			}
			return nil
		}
	}
	return tc, nil
}

func loadCAPool(file string) (*x509.CertPool, error) {
	pem, err := os.ReadFile(file)
	if err != nil {
		return nil, fmt.Errorf("read CA certificate: %w", err)
	}
	pool := x509.NewCertPool()
	if !pool.AppendCertsFromPEM(pem) {
		return nil, fmt.Errorf("no certificate in %s", file)
	}
	return pool, nil
}

func parseCRL(b []byte) (*x509.RevocationList, error) {
	if blk, _ := pemDecode(b); blk != nil {
		b = blk
	}
	crl, err := x509.ParseRevocationList(b)
	if err != nil {
		return nil, fmt.Errorf("parse CRL: %w", err)
	}
	return crl, nil
}

// checkPeerDN applies tls_allowed_dn_list: the client certificate's
// distinguished name must match one of the glob patterns. libvirt writes
// DNs in certificate order ("C=GB,O=Example,CN=client"); patterns in the
// reverse (RFC 4514) order match too.
func checkPeerDN(tc *tls.Conn, cfg Config) error {
	if cfg.TLSNoVerifyCertificate || len(cfg.TLSAllowedDNList) == 0 {
		return nil
	}
	certs := tc.ConnectionState().PeerCertificates
	if len(certs) == 0 {
		return errors.New("no client certificate")
	}
	for _, dn := range dnStrings(certs[0].Subject) {
		for _, pat := range cfg.TLSAllowedDNList {
			if ok, _ := path.Match(pat, dn); ok {
				return nil
			}
		}
	}
	return fmt.Errorf("client certificate DN %q is not in tls_allowed_dn_list", certs[0].Subject.String())
}

// dnStrings returns a name in certificate order and in RFC 4514 order.
func dnStrings(n pkix.Name) []string {
	rfc := n.String()
	parts := strings.Split(rfc, ",")
	for i, j := 0, len(parts)-1; i < j; i, j = i+1, j-1 {
		parts[i], parts[j] = parts[j], parts[i]
	}
	return []string{strings.Join(parts, ","), rfc}
}
