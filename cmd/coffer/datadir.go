package main

import (
	"crypto/rand"
	"encoding/base32"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"math/big"
	"os"
	"path/filepath"
	"strings"
)

// Files the server keeps in its data dir besides the store itself.
const (
	identityFile    = "identity.json"         // account id
	credentialsFile = "root-credentials.json" // generated root credentials, mode 0600
	rootKeyFile     = "root.key"              // generated root key (embedded default only), mode 0600
)

type identity struct {
	AccountID string `json:"accountId"`
}

// loadIdentity returns the persisted account id, creating it on first start.
// An explicit id replaces the stored one.
func loadIdentity(dir, explicit string) (identity, error) {
	path := filepath.Join(dir, identityFile)
	var id identity
	if err := readJSON(path, &id); err != nil && !errors.Is(err, os.ErrNotExist) {
		return id, err
	}
	switch {
	case explicit != "":
		if !isAccountID(explicit) {
			return id, fmt.Errorf("--account-id must be 12 digits, got %q", explicit)
		}
		if id.AccountID == explicit {
			return id, nil
		}
		id.AccountID = explicit
	case id.AccountID != "":
		return id, nil
	default:
		n, err := rand.Int(rand.Reader, big.NewInt(899999999999))
		if err != nil {
			return id, err
		}
		id.AccountID = fmt.Sprintf("%012d", n.Int64()+100000000000)
	}
	return id, writeJSON(path, id, 0o644)
}

func isAccountID(s string) bool {
	if len(s) != 12 {
		return false
	}
	for _, c := range s {
		if c < '0' || c > '9' {
			return false
		}
	}
	return true
}

type rootCredentials struct {
	AccessKeyID     string `json:"accessKeyId"`
	SecretAccessKey string `json:"secretAccessKey"`
}

// loadRootCredentials takes the root credentials from the environment, or
// from the data dir, generating them on first start. generated reports
// whether they were made just now (and so must be printed once).
func loadRootCredentials(dir string) (creds rootCredentials, generated bool, err error) {
	ak, sk := os.Getenv("COFFER_ROOT_ACCESS_KEY"), os.Getenv("COFFER_ROOT_SECRET_KEY")
	if ak != "" || sk != "" {
		if ak == "" || sk == "" {
			return creds, false, errors.New("set both COFFER_ROOT_ACCESS_KEY and COFFER_ROOT_SECRET_KEY, or neither")
		}
		if len(ak) < 3 || len(sk) < 8 {
			return creds, false, errors.New("root access key must be at least 3 characters and the secret at least 8")
		}
		return rootCredentials{ak, sk}, false, nil
	}
	path := filepath.Join(dir, credentialsFile)
	err = readJSON(path, &creds)
	if err == nil {
		return creds, false, nil
	}
	if !errors.Is(err, os.ErrNotExist) {
		return creds, false, err
	}
	creds.AccessKeyID = "CF" + randomAccessKeyText(18)
	creds.SecretAccessKey = randomText(30)
	return creds, true, writeJSON(path, creds, 0o600)
}

// randomAccessKeyText returns n characters of A-Z and 2-7, like AWS key ids.
func randomAccessKeyText(n int) string {
	b := make([]byte, n)
	if _, err := rand.Read(b); err != nil {
		panic(err)
	}
	return base32.StdEncoding.WithPadding(base32.NoPadding).EncodeToString(b)[:n]
}

// randomText returns base32-ish text of n random bytes, safe in shells.
func randomText(n int) string {
	b := make([]byte, n)
	if _, err := rand.Read(b); err != nil {
		panic(err)
	}
	return strings.TrimRight(base64.RawURLEncoding.EncodeToString(b), "=")
}

// rootKeySource says where the root key came from, for the startup notice.
type rootKeySource int

const (
	rootKeyFromEnv rootKeySource = iota
	rootKeyFromFile
	rootKeyEmbedded
)

// loadRootKey reads the root key from COFFER_ROOT_KEY, --root-key-file, or
// the embedded default in the data dir (generated on first start).
func loadRootKey(dir, file string) ([]byte, rootKeySource, error) {
	if env := os.Getenv("COFFER_ROOT_KEY"); env != "" {
		key, err := decodeRootKey(env)
		if err != nil {
			return nil, 0, fmt.Errorf("COFFER_ROOT_KEY: %w", err)
		}
		return key, rootKeyFromEnv, nil
	}
	if file != "" {
		text, err := os.ReadFile(file)
		if err != nil {
			return nil, 0, fmt.Errorf("--root-key-file: %w", err)
		}
		key, err := decodeRootKey(string(text))
		if err != nil {
			return nil, 0, fmt.Errorf("--root-key-file %s: %w", file, err)
		}
		return key, rootKeyFromFile, nil
	}
	path := filepath.Join(dir, rootKeyFile)
	text, err := os.ReadFile(path)
	if errors.Is(err, os.ErrNotExist) {
		key := make([]byte, 32)
		if _, err := rand.Read(key); err != nil {
			return nil, 0, err
		}
		if err := writeFileAtomic(path, []byte(base64.StdEncoding.EncodeToString(key)+"\n"), 0o600); err != nil {
			return nil, 0, err
		}
		return key, rootKeyEmbedded, nil
	}
	if err != nil {
		return nil, 0, err
	}
	key, err := decodeRootKey(string(text))
	if err != nil {
		return nil, 0, fmt.Errorf("%s: %w", path, err)
	}
	return key, rootKeyEmbedded, nil
}

// decodeRootKey accepts 32 bytes as base64 or as 64 hex digits. The error
// never echoes the input.
func decodeRootKey(text string) ([]byte, error) {
	text = strings.TrimSpace(text)
	if len(text) == 64 {
		if key, err := hex.DecodeString(text); err == nil {
			return key, nil
		}
	}
	key, err := base64.StdEncoding.DecodeString(text)
	if err != nil || len(key) != 32 {
		return nil, errors.New("root key must be 32 bytes, base64 or hex encoded")
	}
	return key, nil
}

func readJSON(path string, v any) error {
	data, err := os.ReadFile(path)
	if err != nil {
		return err
	}
	if err := json.Unmarshal(data, v); err != nil {
		return fmt.Errorf("%s: %w", path, err)
	}
	return nil
}

func writeJSON(path string, v any, perm os.FileMode) error {
	data, err := json.MarshalIndent(v, "", "  ")
	if err != nil {
		return err
	}
	return writeFileAtomic(path, append(data, '\n'), perm)
}

// writeFileAtomic writes via a synced temp file and a rename, then syncs
// the directory, so a crash leaves the old file or the new one.
func writeFileAtomic(path string, data []byte, perm os.FileMode) error {
	tmp, err := os.CreateTemp(filepath.Dir(path), "."+filepath.Base(path)+".tmp*")
	if err != nil {
		return err
	}
	defer os.Remove(tmp.Name())
	if err := tmp.Chmod(perm); err != nil {
		tmp.Close()
		return err
	}
	if _, err := tmp.Write(data); err != nil {
		tmp.Close()
		return err
	}
	if err := tmp.Sync(); err != nil {
		tmp.Close()
		return err
	}
	if err := tmp.Close(); err != nil {
		return err
	}
	if err := os.Rename(tmp.Name(), path); err != nil {
		return err
	}
	d, err := os.Open(filepath.Dir(path))
	if err != nil {
		return err
	}
	defer d.Close()
	return d.Sync()
}
