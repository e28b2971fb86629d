package e2e

import (
	"bytes"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"net"
	"os"
	"testing"
	"time"
)

// TestCertificateReload: cert-manager rotates the serving certificate in place; new
// connections get the new certificate, open keep-alive connections are not dropped.
func TestCertificateReload(t *testing.T) {
	s := startServer(t, serverOptions{reloadInterval: "200ms"})
	oldCA, err := os.ReadFile(s.caFile())
	if err != nil {
		t.Fatal(err)
	}
	oldPool := loadPool(t, s.caFile())

	// Client A: a keep-alive connection verified with the old CA.
	clientA := newTransport(oldPool)
	defer clientA.CloseIdleConnections()
	ct := &connTrace{}
	cA := &httpClient{tr: clientA}
	if _, err := tracedPost(cA.client(), s, ct, reviewWithUID(t, "allow-v1.json", "e2e-certA-1"), "e2e-certA-1"); err != nil {
		t.Fatalf("client A before rotation: %v", err)
	}

	genCerts(t, s.certDir, true)
	newCA, err := os.ReadFile(s.caFile())
	if err != nil {
		t.Fatal(err)
	}
	if bytes.Equal(oldCA, newCA) {
		t.Fatalf("FORCE=1 gen-certs.sh did not make a new CA")
	}
	newPool := loadPool(t, s.caFile())

	handshake := func(pool *x509.CertPool) error {
		conn, err := tls.DialWithDialer(&net.Dialer{Timeout: 5 * time.Second}, "tcp", s.addr, tlsConfig(pool))
		if err != nil {
			return err
		}
		return conn.Close()
	}
	time.Sleep(300 * time.Millisecond) // more than one reload interval
	if !eventually(5*time.Second, func() bool { return handshake(newPool) == nil }) {
		t.Fatalf("a new connection does not verify with the new CA 5s after rotation: %v\nlogs:\n%s",
			handshake(newPool), s.stderr.String())
	}
	err = handshake(oldPool)
	var unknown x509.UnknownAuthorityError
	if err == nil {
		t.Errorf("a new connection still verifies with the old CA after rotation")
	} else if !errors.As(err, &unknown) {
		t.Errorf("old CA handshake failed with %v, want an unknown-authority error", err)
	}

	// Client A's kept-alive connection still works, on the same connection.
	reused, err := tracedPost(cA.client(), s, ct, reviewWithUID(t, "deny-v1.json", "e2e-certA-2"), "e2e-certA-2")
	if err != nil {
		t.Fatalf("client A after rotation: %v", err)
	}
	if !reused {
		t.Errorf("client A needed a new connection after rotation: open connections were dropped")
	}

	// The expiry gauge follows the loaded certificate.
	samples := parseMetrics(t, s.scrape(t))
	if v := sum(samples, "preflight_tls_certificate_expiry_timestamp_seconds", nil); v < float64(time.Now().Unix()) {
		t.Errorf("preflight_tls_certificate_expiry_timestamp_seconds = %v, want a future time", v)
	}
	requireHealthy(t, s)
}
