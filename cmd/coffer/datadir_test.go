package main

import (
	"encoding/base64"
	"encoding/hex"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestDecodeRootKey(t *testing.T) {
	key := make([]byte, 32)
	for i := range key {
		key[i] = byte(i)
	}
	cases := []struct {
		name    string
		text    string
		wantErr bool
	}{
		{name: "base64", text: base64.StdEncoding.EncodeToString(key)},
		{name: "base64 with newline", text: base64.StdEncoding.EncodeToString(key) + "\n"},
		{name: "hex", text: hex.EncodeToString(key)},
		{name: "too short", text: base64.StdEncoding.EncodeToString(key[:16]), wantErr: true},
		{name: "not encoded", text: "this is not a key at all", wantErr: true},
		{name: "empty", text: "", wantErr: true},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			got, err := decodeRootKey(tc.text)
			if tc.wantErr {
				if err == nil {
					t.Fatal("want an error")
				}
				if strings.Contains(err.Error(), strings.TrimSpace(tc.text)) && tc.text != "" {
					t.Fatalf("error echoes the key text: %v", err)
				}
				return
			}
			if err != nil || string(got) != string(key) {
				t.Fatalf("got %x, %v", got, err)
			}
		})
	}
}

func TestLoadRootKeyEmbeddedIsGeneratedOnceWithMode0600(t *testing.T) {
	t.Setenv("COFFER_ROOT_KEY", "")
	dir := t.TempDir()
	first, source, err := loadRootKey(dir, "")
	if err != nil || source != rootKeyEmbedded || len(first) != 32 {
		t.Fatalf("first load: %d bytes, source %v, %v", len(first), source, err)
	}
	info, err := os.Stat(filepath.Join(dir, rootKeyFile))
	if err != nil || info.Mode().Perm() != 0o600 {
		t.Fatalf("root key file: %v, %v", info, err)
	}
	second, _, err := loadRootKey(dir, "")
	if err != nil || string(first) != string(second) {
		t.Fatal("the embedded root key changed between loads")
	}
}

func TestLoadRootKeyPrefersEnvironmentThenFile(t *testing.T) {
	dir := t.TempDir()
	fileKey := strings.Repeat("ab", 32)
	path := filepath.Join(dir, "key")
	if err := os.WriteFile(path, []byte(fileKey), 0o600); err != nil {
		t.Fatal(err)
	}
	t.Setenv("COFFER_ROOT_KEY", "")
	got, source, err := loadRootKey(dir, path)
	if err != nil || source != rootKeyFromFile || hex.EncodeToString(got) != fileKey {
		t.Fatalf("file: %x %v %v", got, source, err)
	}
	envKey := strings.Repeat("cd", 32)
	t.Setenv("COFFER_ROOT_KEY", envKey)
	got, source, err = loadRootKey(dir, path)
	if err != nil || source != rootKeyFromEnv || hex.EncodeToString(got) != envKey {
		t.Fatalf("env: %x %v %v", got, source, err)
	}
	if _, err := os.Stat(filepath.Join(dir, rootKeyFile)); !os.IsNotExist(err) {
		t.Fatal("a root key was written to the data dir although one was given")
	}
}

func TestLoadIdentity(t *testing.T) {
	dir := t.TempDir()
	first, err := loadIdentity(dir, "")
	if err != nil || !isAccountID(first.AccountID) {
		t.Fatalf("generated %q, %v", first.AccountID, err)
	}
	again, err := loadIdentity(dir, "")
	if err != nil || again.AccountID != first.AccountID {
		t.Fatalf("not persisted: %q then %q", first.AccountID, again.AccountID)
	}
	explicit, err := loadIdentity(dir, "123456789012")
	if err != nil || explicit.AccountID != "123456789012" {
		t.Fatalf("explicit: %q, %v", explicit.AccountID, err)
	}
	if _, err := loadIdentity(dir, "12345"); err == nil {
		t.Fatal("a 5-digit account id was accepted")
	}
}

func TestLoadRootCredentials(t *testing.T) {
	t.Run("generated once", func(t *testing.T) {
		t.Setenv("COFFER_ROOT_ACCESS_KEY", "")
		t.Setenv("COFFER_ROOT_SECRET_KEY", "")
		dir := t.TempDir()
		first, generated, err := loadRootCredentials(dir)
		if err != nil || !generated || first.AccessKeyID == "" || len(first.SecretAccessKey) < 30 {
			t.Fatalf("first: %+v generated=%v %v", first.AccessKeyID, generated, err)
		}
		second, generated, err := loadRootCredentials(dir)
		if err != nil || generated || second != first {
			t.Fatalf("second load generated=%v changed=%v %v", generated, second != first, err)
		}
		info, _ := os.Stat(filepath.Join(dir, credentialsFile))
		if info.Mode().Perm() != 0o600 {
			t.Fatalf("credentials file mode %v", info.Mode().Perm())
		}
	})
	t.Run("from environment", func(t *testing.T) {
		t.Setenv("COFFER_ROOT_ACCESS_KEY", "admin")
		t.Setenv("COFFER_ROOT_SECRET_KEY", "secret-secret")
		dir := t.TempDir()
		creds, generated, err := loadRootCredentials(dir)
		if err != nil || generated || creds.AccessKeyID != "admin" {
			t.Fatalf("%+v %v %v", creds.AccessKeyID, generated, err)
		}
		if _, err := os.Stat(filepath.Join(dir, credentialsFile)); !os.IsNotExist(err) {
			t.Fatal("environment credentials were written to disk")
		}
	})
	t.Run("half set is refused", func(t *testing.T) {
		t.Setenv("COFFER_ROOT_ACCESS_KEY", "admin")
		t.Setenv("COFFER_ROOT_SECRET_KEY", "")
		if _, _, err := loadRootCredentials(t.TempDir()); err == nil {
			t.Fatal("want an error")
		}
	})
}

func TestParseSize(t *testing.T) {
	cases := []struct {
		in      string
		want    int64
		wantErr bool
	}{
		{in: "4KiB", want: 4096},
		{in: "1MiB", want: 1 << 20},
		{in: "64MiB", want: 64 << 20},
		{in: "5GiB", want: 5 << 30},
		{in: "1000", want: 1000},
		{in: "10MB", want: 10_000_000},
		{in: "-1", wantErr: true},
		{in: "lots", wantErr: true},
	}
	for _, tc := range cases {
		t.Run(tc.in, func(t *testing.T) {
			got, err := parseSize(tc.in)
			if (err != nil) != tc.wantErr || got != tc.want {
				t.Fatalf("parseSize(%q) = %d, %v", tc.in, got, err)
			}
		})
	}
}
