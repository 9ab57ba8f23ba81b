package rpctest

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/pem"
	"fmt"
	"math/big"
	"net"
	"os"
	"path/filepath"
	"sync/atomic"
	"time"
)

// CA is a certificate authority for TLS tests, writing certificates in
// libvirt's layout.
type CA struct {
	// File is the CA certificate (cacert.pem).
	File string
	cert *x509.Certificate
	key  *ecdsa.PrivateKey
}

var serial atomic.Int64

func writePEM(path, typ string, der []byte) error {
	if err := os.MkdirAll(filepath.Dir(path), 0o700); err != nil {
		return err
	}
	return os.WriteFile(path, pem.EncodeToMemory(&pem.Block{Type: typ, Bytes: der}), 0o600)
}

// NewCA creates a CA whose certificate is written to dir/cacert.pem.
func NewCA(dir string) (*CA, error) {
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		return nil, err
	}
	tmpl := &x509.Certificate{
		SerialNumber:          big.NewInt(serial.Add(1) + time.Now().UnixNano()),
		Subject:               pkix.Name{Organization: []string{"govirt test"}, CommonName: "govirt test CA"},
		NotBefore:             time.Now().Add(-time.Hour),
		NotAfter:              time.Now().Add(24 * time.Hour),
		IsCA:                  true,
		BasicConstraintsValid: true,
		KeyUsage:              x509.KeyUsageCertSign | x509.KeyUsageDigitalSignature,
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		return nil, err
	}
	cert, err := x509.ParseCertificate(der)
	if err != nil {
		return nil, err
	}
	ca := &CA{File: filepath.Join(dir, "cacert.pem"), cert: cert, key: key}
	return ca, writePEM(ca.File, "CERTIFICATE", der)
}

// Issue writes a certificate and key for cn signed by the CA: a server
// certificate for localhost and 127.0.0.1, or a client one.
func (ca *CA) Issue(cn string, server bool, certPath, keyPath string) error {
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		return err
	}
	tmpl := &x509.Certificate{
		SerialNumber: big.NewInt(serial.Add(1) + time.Now().UnixNano()),
		Subject:      pkix.Name{Country: []string{"GB"}, Organization: []string{"govirt test"}, CommonName: cn},
		NotBefore:    time.Now().Add(-time.Hour),
		NotAfter:     time.Now().Add(24 * time.Hour),
		KeyUsage:     x509.KeyUsageDigitalSignature | x509.KeyUsageKeyEncipherment,
	}
	if server {
		tmpl.ExtKeyUsage = []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth}
		tmpl.DNSNames = []string{"localhost"}
		tmpl.IPAddresses = []net.IP{net.ParseIP("127.0.0.1")}
	} else {
		tmpl.ExtKeyUsage = []x509.ExtKeyUsage{x509.ExtKeyUsageClientAuth}
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, ca.cert, &key.PublicKey, ca.key)
	if err != nil {
		return err
	}
	kder, err := x509.MarshalECPrivateKey(key)
	if err != nil {
		return err
	}
	if err := writePEM(certPath, "CERTIFICATE", der); err != nil {
		return err
	}
	return writePEM(keyPath, "EC PRIVATE KEY", kder)
}

// ClientDir writes a folder for libvirt's pkipath= URI parameter:
// cacert.pem (trusting trust), clientcert.pem and clientkey.pem (issued by
// ca for cn).
func ClientDir(dir string, trust, ca *CA, cn string) error {
	b, err := os.ReadFile(trust.File)
	if err != nil {
		return err
	}
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return err
	}
	if err := os.WriteFile(filepath.Join(dir, "cacert.pem"), b, 0o600); err != nil {
		return fmt.Errorf("write CA: %w", err)
	}
	return ca.Issue(cn, false, filepath.Join(dir, "clientcert.pem"), filepath.Join(dir, "clientkey.pem"))
}
