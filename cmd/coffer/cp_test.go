package main

import (
	"bytes"
	"crypto/rand"
	"crypto/rsa"
	"crypto/x509"
	"encoding/pem"
	"errors"
	"flag"
	"fmt"
	"go/ast"
	"go/parser"
	"go/token"
	"io"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"testing/iotest"

	"github.com/aws/aws-sdk-go-v2/service/s3/types"

	"github.com/cofferlabs/coffer/cse"
)

func TestParseCpArgs(t *testing.T) {
	cases := []struct {
		name     string
		args     []string
		upload   *cpUpload
		download *cpDownload
		check    func(t *testing.T, cmd cpCommand) // more to check on a valid line
		err      string                            // part of the error; "" when valid
	}{
		{name: "plain upload", args: []string{"notes.txt", "s3://b/dir/notes.txt"},
			upload: &cpUpload{from: "notes.txt", to: s3URL{"b", "dir/notes.txt"}}},
		{name: "upload to a prefix takes the file's name", args: []string{"/tmp/x/notes.txt", "s3://b/dir/"},
			upload: &cpUpload{from: "/tmp/x/notes.txt", to: s3URL{"b", "dir/notes.txt"}}},
		{name: "upload to a bucket takes the file's name", args: []string{"notes.txt", "s3://b"},
			upload: &cpUpload{from: "notes.txt", to: s3URL{"b", "notes.txt"}}},
		{name: "upload standard input", args: []string{"-", "s3://b/k"},
			upload: &cpUpload{from: "-", to: s3URL{"b", "k"}}},
		{name: "plain download", args: []string{"s3://b/dir/k.bin", "out.bin"},
			download: &cpDownload{from: s3URL{"b", "dir/k.bin"}, to: "out.bin"}},
		{name: "download to standard output", args: []string{"s3://b/k", "-"},
			download: &cpDownload{from: s3URL{"b", "k"}, to: "-"}},
		{name: "flags after the arguments", args: []string{"f", "s3://b/k", "--cse-kms-key-id", "alias/x", "--cse-context", "a=1"},
			upload: &cpUpload{from: "f", to: s3URL{"b", "k"}},
			check: func(t *testing.T, cmd cpCommand) {
				if cmd.cse.kmsKeyID != "alias/x" || !reflect.DeepEqual(cmd.cse.context, map[string]string{"a": "1"}) {
					t.Fatalf("cse flags %+v", cmd.cse)
				}
			}},
		{name: "flags between the arguments", args: []string{"--endpoint-url=https://127.0.0.1:9443", "f", "--region", "eu-west-1", "s3://b/k", "--profile", "p"},
			upload: &cpUpload{from: "f", to: s3URL{"b", "k"}},
			check: func(t *testing.T, cmd cpCommand) {
				if cmd.aws != (awsFlags{endpoint: "https://127.0.0.1:9443", region: "eu-west-1", profile: "p"}) {
					t.Fatalf("aws flags %+v", cmd.aws)
				}
			}},
		{name: "double dash ends the flags", args: []string{"--", "--odd-name", "s3://b/k"},
			upload: &cpUpload{from: "--odd-name", to: s3URL{"b", "k"}}},
		{name: "repeated context", args: []string{"f", "s3://b/k", "--cse-kms-key-id", "k1", "--cse-context", "project=coffer", "--cse-context", "team=a=b", "--cse-context", "empty="},
			upload: &cpUpload{from: "f", to: s3URL{"b", "k"}},
			check: func(t *testing.T, cmd cpCommand) {
				want := map[string]string{"project": "coffer", "team": "a=b", "empty": ""}
				if !reflect.DeepEqual(cmd.cse.context, want) {
					t.Fatalf("context %v, want %v", cmd.cse.context, want)
				}
			}},
		{name: "v3 in an instruction file", args: []string{"f", "s3://b/k", "--cse-key", "fileb://key.bin", "--cse-format", "v3", "--cse-instruction-file"},
			upload: &cpUpload{from: "f", to: s3URL{"b", "k"}},
			check: func(t *testing.T, cmd cpCommand) {
				if cmd.cse.format != cse.FormatV3 || !cmd.cse.instructionFile || cmd.cse.aesKeyFile != "fileb://key.bin" {
					t.Fatalf("cse flags %+v", cmd.cse)
				}
			}},
		{name: "v2 by default", args: []string{"f", "s3://b/k", "--cse-rsa-key", "pub.pem"},
			upload: &cpUpload{from: "f", to: s3URL{"b", "k"}},
			check: func(t *testing.T, cmd cpCommand) {
				if cmd.cse.format != cse.FormatV2 || cmd.cse.instructionFile || cmd.partSize != defaultPartSize || cmd.concurrency != defaultConcurrency {
					t.Fatalf("cse flags %+v, part size %d, concurrency %d", cmd.cse, cmd.partSize, cmd.concurrency)
				}
			}},
		{name: "any-key download with a context", args: []string{"s3://b/k", "out", "--cse-kms-any-key", "--cse-context", "a=1"},
			download: &cpDownload{from: s3URL{"b", "k"}, to: "out"}},
		{name: "sse pass-through", args: []string{"f", "s3://b/k", "--sse", "aws:kms", "--sse-kms-key-id", "alias/s3"},
			upload: &cpUpload{from: "f", to: s3URL{"b", "k"}},
			check: func(t *testing.T, cmd cpCommand) {
				if cmd.sse != types.ServerSideEncryptionAwsKms || cmd.sseKMSKeyID != "alias/s3" {
					t.Fatalf("sse %q %q", cmd.sse, cmd.sseKMSKeyID)
				}
			}},
		{name: "sse under cse", args: []string{"f", "s3://b/k", "--sse", "AES256", "--cse-kms-key-id", "k1"},
			upload: &cpUpload{from: "f", to: s3URL{"b", "k"}}},
		{name: "plain part size need not be a multiple of 16", args: []string{"f", "s3://b/k", "--part-size", "5242881"},
			upload: &cpUpload{from: "f", to: s3URL{"b", "k"}}},
		{name: "part size", args: []string{"f", "s3://b/k", "--part-size", "8MiB"},
			upload: &cpUpload{from: "f", to: s3URL{"b", "k"}},
			check: func(t *testing.T, cmd cpCommand) {
				if cmd.partSize != 8<<20 {
					t.Fatalf("part size %d", cmd.partSize)
				}
			}},
		{name: "concurrency", args: []string{"f", "s3://b/k", "--cse-key", "fileb://k", "--concurrency", "8"},
			upload: &cpUpload{from: "f", to: s3URL{"b", "k"}},
			check: func(t *testing.T, cmd cpCommand) {
				if cmd.concurrency != 8 {
					t.Fatalf("concurrency %d", cmd.concurrency)
				}
			}},
		{name: "sequential upload", args: []string{"--concurrency=1", "f", "s3://b/k"},
			upload: &cpUpload{from: "f", to: s3URL{"b", "k"}},
			check: func(t *testing.T, cmd cpCommand) {
				if cmd.concurrency != 1 {
					t.Fatalf("concurrency %d", cmd.concurrency)
				}
			}},

		{name: "no arguments", args: nil, err: "takes SRC and DST, got 0"},
		{name: "one argument", args: []string{"s3://b/k"}, err: "takes SRC and DST, got 1"},
		{name: "three arguments", args: []string{"a", "b", "s3://b/k"}, err: "got 3"},
		{name: "local to local", args: []string{"a", "b"}, err: "one of SRC and DST must be s3://"},
		{name: "s3 to s3", args: []string{"s3://a/k", "s3://b/k"}, err: "for S3 to S3"},
		{name: "no bucket", args: []string{"f", "s3:///k"}, err: "names no bucket"},
		{name: "download of a prefix", args: []string{"s3://b/dir/", "out"}, err: "names no object"},
		{name: "download of a bucket", args: []string{"s3://b", "out"}, err: "names no object"},
		{name: "stdin to a prefix", args: []string{"-", "s3://b/dir/"}, err: "needs a key to upload standard input"},
		{name: "unknown flag", args: []string{"f", "s3://b/k", "--recursive"}, err: "flag provided but not defined: -recursive"},
		{name: "two key sources", args: []string{"f", "s3://b/k", "--cse-kms-key-id", "k1", "--cse-key", "fileb://k"}, err: "one key source"},
		{name: "aes and rsa", args: []string{"f", "s3://b/k", "--cse-rsa-key", "k.pem", "--cse-key", "fileb://k"}, err: "one key source"},
		{name: "any key and a key id", args: []string{"s3://b/k", "o", "--cse-kms-any-key", "--cse-kms-key-id", "k1"}, err: "exclude each other"},
		{name: "any key on upload", args: []string{"f", "s3://b/k", "--cse-kms-any-key"}, err: "an upload needs --cse-kms-key-id"},
		{name: "context without kms", args: []string{"f", "s3://b/k", "--cse-key", "fileb://k", "--cse-context", "a=1"}, err: "only KMS wrapping carries"},
		{name: "context alone", args: []string{"f", "s3://b/k", "--cse-context", "a=1"}, err: "only KMS wrapping carries"},
		{name: "context not k=v", args: []string{"f", "s3://b/k", "--cse-kms-key-id", "k1", "--cse-context", "project"}, err: `"project" is not k=v`},
		{name: "context with no key", args: []string{"f", "s3://b/k", "--cse-kms-key-id", "k1", "--cse-context", "=v"}, err: "is not k=v"},
		{name: "context key twice", args: []string{"f", "s3://b/k", "--cse-kms-key-id", "k1", "--cse-context", "a=1", "--cse-context", "a=2"}, err: "a is given twice"},
		{name: "reserved context key", args: []string{"f", "s3://b/k", "--cse-kms-key-id", "k1", "--cse-context", "aws:x-amz-cek-alg=x"}, err: "aws:x-amz-cek-alg is reserved"},
		{name: "legacy reserved context key", args: []string{"f", "s3://b/k", "--cse-kms-key-id", "k1", "--cse-context", "kms_cmk_id=x"}, err: "kms_cmk_id is reserved"},
		{name: "a flag after the double dash is an argument", args: []string{"f", "--", "s3://b/k", "--sse"}, err: "got 3"},
		{name: "unknown format", args: []string{"f", "s3://b/k", "--cse-kms-key-id", "k1", "--cse-format", "v1"}, err: `"v1" is neither v2 nor v3`},
		{name: "format without a key", args: []string{"f", "s3://b/k", "--cse-format", "v3"}, err: "need a key"},
		{name: "instruction file without a key", args: []string{"f", "s3://b/k", "--cse-instruction-file"}, err: "need a key"},
		{name: "format on download", args: []string{"s3://b/k", "o", "--cse-kms-key-id", "k1", "--cse-format", "v3"}, err: "apply to uploads"},
		{name: "instruction file on download", args: []string{"s3://b/k", "o", "--cse-key", "fileb://k", "--cse-instruction-file"}, err: "apply to uploads"},
		{name: "unknown sse", args: []string{"f", "s3://b/k", "--sse", "aws:kms:dsse"}, err: "AES256 or aws:kms"},
		{name: "sse on download", args: []string{"s3://b/k", "o", "--sse", "AES256"}, err: "--sse applies to uploads"},
		{name: "sse key without kms", args: []string{"f", "s3://b/k", "--sse", "AES256", "--sse-kms-key-id", "k"}, err: "goes with --sse aws:kms"},
		{name: "sse key alone", args: []string{"f", "s3://b/k", "--sse-kms-key-id", "k"}, err: "goes with --sse aws:kms"},
		{name: "an empty kms key is not a plain copy", args: []string{"f", "s3://b/k", "--cse-kms-key-id", ""}, err: "--cse-kms-key-id is empty"},
		{name: "an empty aes key file", args: []string{"f", "s3://b/k", "--cse-key="}, err: "--cse-key is empty"},
		{name: "an empty rsa key file", args: []string{"s3://b/k", "o", "--cse-rsa-key", ""}, err: "--cse-rsa-key is empty"},
		{name: "an empty endpoint", args: []string{"f", "s3://b/k", "--endpoint-url", ""}, err: "--endpoint-url is empty"},
		{name: "cse part size not a multiple of 16", args: []string{"f", "s3://b/k", "--cse-key", "fileb://k", "--part-size", "5242881"}, err: "multiple of 16"},
		{name: "part size too small", args: []string{"f", "s3://b/k", "--part-size", "1MiB"}, err: "5MiB to 5GiB"},
		{name: "part size not a size", args: []string{"f", "s3://b/k", "--part-size", "big"}, err: "invalid size"},
		{name: "zero concurrency", args: []string{"f", "s3://b/k", "--concurrency", "0"}, err: "--concurrency 0: at least 1"},
		{name: "negative concurrency", args: []string{"f", "s3://b/k", "--concurrency=-2"}, err: "at least 1"},
		{name: "concurrency not a number", args: []string{"f", "s3://b/k", "--concurrency", "many"}, err: "invalid value"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			cmd, err := parseCpArgs(tc.args)
			if tc.err != "" {
				if err == nil || !strings.Contains(err.Error(), tc.err) {
					t.Fatalf("err = %v, want one saying %q", err, tc.err)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if !reflect.DeepEqual(cmd.upload, tc.upload) || !reflect.DeepEqual(cmd.download, tc.download) {
				t.Fatalf("upload %+v download %+v, want %+v %+v", cmd.upload, cmd.download, tc.upload, tc.download)
			}
			if tc.check != nil {
				tc.check(t, cmd)
			}
		})
	}
	for _, help := range []string{"-h", "--help"} {
		if _, err := parseCpArgs([]string{help}); !errors.Is(err, flag.ErrHelp) {
			t.Fatalf("%s = %v, want flag.ErrHelp", help, err)
		}
	}
}

// TestCpUsageDocumentsEveryFlag: each flag cp accepts is in its --help.
func TestCpUsageDocumentsEveryFlag(t *testing.T) {
	fl := flag.NewFlagSet("cp", flag.ContinueOnError)
	var a awsFlags
	a.register(fl)
	names := []string{"cse-kms-key-id", "cse-kms-any-key", "cse-context", "cse-key", "cse-rsa-key", "cse-format",
		"cse-instruction-file", "sse", "sse-kms-key-id", "part-size", "concurrency", "no-progress"}
	fl.VisitAll(func(f *flag.Flag) { names = append(names, f.Name) })
	for _, name := range names {
		if !strings.Contains(cpUsage, "--"+name+" ") {
			t.Errorf("coffer cp --help does not document --%s", name)
		}
		// and parseCpArgs knows it
		if _, err := parseCpArgs([]string{"--" + name + "=x", "f", "s3://b/k"}); err != nil && strings.Contains(err.Error(), "not defined") {
			t.Errorf("--%s is documented but not accepted", name)
		}
	}
	for _, code := range []int{exitOK, exitFailed, exitUsage, exitTampered, exitKey, exitFormat} {
		if !strings.Contains(cpUsage, fmt.Sprintf("\n  %d  ", code)) {
			t.Errorf("exit code %d is not documented", code)
		}
	}
}

// TestCpCSEFailuresCoverEverySentinel: every Err* variable package cse
// declares has a row in cseFailures, so that its message names it and
// its exit code is the documented one.
func TestCpCSEFailuresCoverEverySentinel(t *testing.T) {
	files, err := filepath.Glob("../../cse/*.go")
	if err != nil || len(files) == 0 {
		t.Fatalf("package cse not found: %v", err)
	}
	fset := token.NewFileSet()
	var sentinels []string
	for _, path := range files {
		if strings.HasSuffix(path, "_test.go") {
			continue
		}
		f, err := parser.ParseFile(fset, path, nil, 0)
		if err != nil {
			t.Fatal(err)
		}
		for _, decl := range f.Decls {
			gen, ok := decl.(*ast.GenDecl)
			if !ok || gen.Tok != token.VAR {
				continue
			}
			for _, spec := range gen.Specs {
				for _, name := range spec.(*ast.ValueSpec).Names {
					if strings.HasPrefix(name.Name, "Err") {
						sentinels = append(sentinels, name.Name)
					}
				}
			}
		}
	}
	rows := map[string]bool{}
	for _, f := range cseFailures {
		rows[f.name] = true
		if !strings.Contains(cpUsage, "cse."+f.name) {
			t.Errorf("cse.%s is not among cp's documented exit codes", f.name)
		}
	}
	for _, s := range sentinels {
		if !rows[s] {
			t.Errorf("cse.%s has no row in cseFailures", s)
		}
	}
	for _, f := range cseFailures {
		wrapped := fmt.Errorf("download of s3://b/k: %w", fmt.Errorf("detail: %w", f.err))
		msg, code := describeFailure(wrapped)
		if code != f.exit || !strings.Contains(msg, "cse."+f.name) || !strings.Contains(msg, "detail") {
			t.Errorf("%s: message %q, exit %d", f.name, msg, code)
		}
	}
	if msg, code := describeFailure(errors.New("connection refused")); code != exitFailed || msg != "connection refused" {
		t.Errorf("a plain error: %q, exit %d", msg, code)
	}
}

func TestCpReadAESKey(t *testing.T) {
	dir := t.TempDir()
	write := func(name string, n int) string {
		path := filepath.Join(dir, name)
		if err := os.WriteFile(path, bytes.Repeat([]byte{7}, n), 0o600); err != nil {
			t.Fatal(err)
		}
		return path
	}
	good := write("good.bin", 32)
	cases := []struct {
		name string
		arg  string
		err  string
	}{
		{name: "fileb", arg: "fileb://" + good},
		{name: "bare path", arg: good},
		{name: "too short", arg: "fileb://" + write("short.bin", 16), err: "holds 16 bytes; an AES-256 key is exactly 32 raw bytes"},
		{name: "base64 text is not raw bytes", arg: "fileb://" + write("b64.txt", 45), err: "holds 45 bytes"},
		{name: "missing", arg: "fileb://" + filepath.Join(dir, "none"), err: "no such file"},
		{name: "empty", arg: "fileb://", err: "needs fileb://FILE"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			key, err := readAESKey(tc.arg)
			if tc.err != "" {
				if err == nil || !strings.Contains(err.Error(), tc.err) {
					t.Fatalf("err = %v, want one saying %q", err, tc.err)
				}
				return
			}
			if err != nil || !bytes.Equal(key, bytes.Repeat([]byte{7}, 32)) {
				t.Fatalf("key %x, err %v", key, err)
			}
		})
	}
}

func TestCpParseRSAKeyPEM(t *testing.T) {
	priv, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		t.Fatal(err)
	}
	small, err := rsa.GenerateKey(rand.Reader, 1024)
	if err != nil {
		t.Fatal(err)
	}
	pkcs8, _ := x509.MarshalPKCS8PrivateKey(priv)
	pkix, _ := x509.MarshalPKIXPublicKey(&priv.PublicKey)
	block := func(typ string, der []byte, headers map[string]string) []byte {
		return pem.EncodeToMemory(&pem.Block{Type: typ, Bytes: der, Headers: headers})
	}
	cert := block("CERTIFICATE", []byte("not parsed"), nil)
	cases := []struct {
		name       string
		pem        []byte
		hasPrivate bool
		err        string
	}{
		{name: "PKCS #1 private", pem: block("RSA PRIVATE KEY", x509.MarshalPKCS1PrivateKey(priv), nil), hasPrivate: true},
		{name: "PKCS #8 private", pem: block("PRIVATE KEY", pkcs8, nil), hasPrivate: true},
		{name: "PKIX public", pem: block("PUBLIC KEY", pkix, nil)},
		{name: "PKCS #1 public", pem: block("RSA PUBLIC KEY", x509.MarshalPKCS1PublicKey(&priv.PublicKey), nil)},
		{name: "key after a certificate", pem: append(cert, block("PUBLIC KEY", pkix, nil)...)},
		{name: "no PEM", pem: []byte("hello"), err: "holds no PEM RSA key"},
		{name: "only a certificate", pem: cert, err: "holds no PEM RSA key"},
		{name: "passphrase-protected PKCS #8", pem: block("ENCRYPTED PRIVATE KEY", []byte{1}, nil), err: "passphrase-protected"},
		{name: "passphrase-protected PKCS #1", pem: block("RSA PRIVATE KEY", []byte{1}, map[string]string{"Proc-Type": "4,ENCRYPTED", "DEK-Info": "AES-128-CBC,00"}), err: "passphrase-protected"},
		{name: "damaged", pem: block("RSA PRIVATE KEY", []byte{1, 2, 3}, nil), err: "RSA PRIVATE KEY block"},
		{name: "too small", pem: block("RSA PRIVATE KEY", x509.MarshalPKCS1PrivateKey(small), nil), err: "1024-bit key; at least 2048"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			k, err := parseRSAKeyPEM("key.pem", tc.pem)
			if tc.err != "" {
				if err == nil || !strings.Contains(err.Error(), tc.err) {
					t.Fatalf("err = %v, want one saying %q", err, tc.err)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if (k.private != nil) != tc.hasPrivate || !k.public.Equal(&priv.PublicKey) {
				t.Fatalf("private %v, public matches %v", k.private != nil, k.public.Equal(&priv.PublicKey))
			}
		})
	}
}

func TestCpWriteFileAtomically(t *testing.T) {
	dir := t.TempDir()
	dest := filepath.Join(dir, "out.bin")
	if err := os.WriteFile(dest, []byte("previous"), 0o644); err != nil {
		t.Fatal(err)
	}
	cases := []struct {
		name string
		src  io.Reader
		want string // dest's content afterwards
		err  bool
	}{
		{name: "a failure at the end leaves dest as it was", src: io.MultiReader(strings.NewReader("half"), iotest.ErrReader(errors.New("tag mismatch"))),
			want: "previous", err: true},
		{name: "a success replaces dest", src: strings.NewReader("verified"), want: "verified"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			err := writeFileAtomically(dest, tc.src, 0o600)
			if (err != nil) != tc.err {
				t.Fatalf("err = %v", err)
			}
			got, _ := os.ReadFile(dest)
			if string(got) != tc.want {
				t.Fatalf("dest holds %q, want %q", got, tc.want)
			}
			entries, _ := os.ReadDir(dir)
			if len(entries) != 1 {
				t.Fatalf("left behind: %v", entries)
			}
		})
	}
	info, err := os.Stat(dest)
	if err != nil || info.Mode().Perm() != 0o600 {
		t.Fatalf("mode %v, %v", info.Mode(), err)
	}
}
