package install

// genCA and genSignedCert for the test renderer (chartrender_test.go), written on Go's
// crypto/x509 to the behaviour sprig v3 documents for Helm templates (not sprig's code):
//
//   genCA CN DAYS                               a self-signed CA: RSA 2048, CA:TRUE, key usages
//                                               certSign/digitalSignature/keyEncipherment,
//                                               valid from now for DAYS days
//   genSignedCert CN IPS DNSNAMES DAYS CA       a certificate for CN with the IP and DNS SANs,
//                                               extended usages serverAuth and clientAuth,
//                                               RSA 2048, signed by CA (the result of genCA)
//
// Both return an object with .Cert and .Key, PEM text ("CERTIFICATE", "RSA PRIVATE KEY").

import (
	"crypto/rand"
	"crypto/rsa"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/pem"
	"errors"
	"fmt"
	"math/big"
	"net"
	"time"
)

// certKeyPair is what genCA and genSignedCert return to templates.
type certKeyPair struct {
	Cert string
	Key  string
}

func newSerial() (*big.Int, error) {
	return rand.Int(rand.Reader, new(big.Int).Lsh(big.NewInt(1), 128))
}

func encodePair(der []byte, key *rsa.PrivateKey) certKeyPair {
	return certKeyPair{
		Cert: string(pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der})),
		Key: string(pem.EncodeToMemory(&pem.Block{Type: "RSA PRIVATE KEY",
			Bytes: x509.MarshalPKCS1PrivateKey(key)})),
	}
}

func genCA(cn string, days int) (certKeyPair, error) {
	key, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		return certKeyPair{}, err
	}
	serial, err := newSerial()
	if err != nil {
		return certKeyPair{}, err
	}
	now := time.Now()
	tmpl := &x509.Certificate{
		SerialNumber:          serial,
		Subject:               pkix.Name{CommonName: cn},
		NotBefore:             now,
		NotAfter:              now.Add(time.Duration(days) * 24 * time.Hour),
		KeyUsage:              x509.KeyUsageCertSign | x509.KeyUsageDigitalSignature | x509.KeyUsageKeyEncipherment,
		BasicConstraintsValid: true,
		IsCA:                  true,
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		return certKeyPair{}, err
	}
	return encodePair(der, key), nil
}

func parsePair(p certKeyPair) (*x509.Certificate, *rsa.PrivateKey, error) {
	certBlock, _ := pem.Decode([]byte(p.Cert))
	keyBlock, _ := pem.Decode([]byte(p.Key))
	if certBlock == nil || keyBlock == nil {
		return nil, nil, errors.New("genSignedCert: the CA is not PEM")
	}
	cert, err := x509.ParseCertificate(certBlock.Bytes)
	if err != nil {
		return nil, nil, err
	}
	key, err := x509.ParsePKCS1PrivateKey(keyBlock.Bytes)
	return cert, key, err
}

func genSignedCert(cn string, ips, dnsNames []interface{}, days int, ca certKeyPair) (certKeyPair, error) {
	caCert, caKey, err := parsePair(ca)
	if err != nil {
		return certKeyPair{}, err
	}
	key, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		return certKeyPair{}, err
	}
	serial, err := newSerial()
	if err != nil {
		return certKeyPair{}, err
	}
	now := time.Now()
	tmpl := &x509.Certificate{
		SerialNumber:          serial,
		Subject:               pkix.Name{CommonName: cn},
		NotBefore:             now,
		NotAfter:              now.Add(time.Duration(days) * 24 * time.Hour),
		KeyUsage:              x509.KeyUsageDigitalSignature | x509.KeyUsageKeyEncipherment,
		ExtKeyUsage:           []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth, x509.ExtKeyUsageClientAuth},
		BasicConstraintsValid: true,
	}
	for _, ip := range ips {
		parsed := net.ParseIP(fmt.Sprint(ip))
		if parsed == nil {
			return certKeyPair{}, fmt.Errorf("genSignedCert: %v is not an IP address", ip)
		}
		tmpl.IPAddresses = append(tmpl.IPAddresses, parsed)
	}
	for _, name := range dnsNames {
		tmpl.DNSNames = append(tmpl.DNSNames, fmt.Sprint(name))
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, caCert, &key.PublicKey, caKey)
	if err != nil {
		return certKeyPair{}, err
	}
	return encodePair(der, key), nil
}
