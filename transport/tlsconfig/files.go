package tlsconfig

import (
	"crypto/ecdsa"
	"crypto/x509"
	"encoding/pem"
	"fmt"
	"os"
	"path/filepath"
)

// writeKeyPair stores key (mode 0600) and then the certificate (mode 0644).
// Key first: a crash in between leaves a pair that does not match (which
// the next start detects), never a published certificate for a lost key.
func writeKeyPair(dir, keyName, certName string, key *ecdsa.PrivateKey, certDER []byte) error {
	keyDER, err := x509.MarshalPKCS8PrivateKey(key)
	if err != nil {
		return fmt.Errorf("tlsconfig: %w", err)
	}
	defer clear(keyDER)
	if err := writePEM(filepath.Join(dir, keyName), "PRIVATE KEY", keyDER, 0o600); err != nil {
		return err
	}
	return writePEM(filepath.Join(dir, certName), "CERTIFICATE", certDER, 0o644)
}

// writePEM replaces path atomically: a temporary file in the same
// directory, written, synced and renamed over it.
func writePEM(path, blockType string, der []byte, perm os.FileMode) error {
	dir := filepath.Dir(path)
	f, err := os.CreateTemp(dir, "."+filepath.Base(path)+".tmp*")
	if err != nil {
		return fmt.Errorf("tlsconfig: %w", err)
	}
	tmp := f.Name()
	err = f.Chmod(perm)
	if err == nil {
		err = pem.Encode(f, &pem.Block{Type: blockType, Bytes: der})
	}
	if err == nil {
		err = f.Sync()
	}
	if closeErr := f.Close(); err == nil {
		err = closeErr
	}
	if err == nil {
		err = os.Rename(tmp, path)
	}
	if err != nil {
		os.Remove(tmp)
		return fmt.Errorf("tlsconfig: writing %s: %w", path, err)
	}
	return syncDir(dir)
}

// syncDir makes a rename in dir durable.
func syncDir(dir string) error {
	d, err := os.Open(dir)
	if err != nil {
		return fmt.Errorf("tlsconfig: %w", err)
	}
	defer d.Close()
	if err := d.Sync(); err != nil {
		return fmt.Errorf("tlsconfig: syncing %s: %w", dir, err)
	}
	return nil
}
