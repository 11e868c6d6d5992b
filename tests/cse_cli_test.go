package tests

import (
	"bytes"
	"context"
	"crypto/rand"
	"crypto/rsa"
	"crypto/x509"
	"encoding/base64"
	"encoding/json"
	"encoding/pem"
	"errors"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/aws-sdk-go-v2/service/s3/types"
)

// plaintextMarker is written into every test file, so that finding it in
// what the server stores would show plaintext reached the server.
const plaintextMarker = "COFFER-CSE-PLAINTEXT-MARKER"

// cseCLI is the coffer client (cp, cse inspect) pointed at one TLS server,
// with credentials from the environment as a user would have them.
type cseCLI struct {
	s   *tlsServer
	env []string
	dir string // scratch files
}

func newCSECLI(t *testing.T, s *tlsServer) *cseCLI {
	t.Helper()
	c := &cseCLI{s: s, dir: t.TempDir()}
	c.env = append(c.baseEnv(), "AWS_ACCESS_KEY_ID="+rootAccessKey, "AWS_SECRET_ACCESS_KEY="+rootSecretKey, "AWS_REGION="+testRegion)
	return c
}

// baseEnv is the environment without any AWS setting but a config and
// credentials file of the test's own (empty until written), and no
// instance metadata service to wait for.
func (c *cseCLI) baseEnv() []string {
	var env []string
	for _, kv := range os.Environ() {
		if !strings.HasPrefix(kv, "AWS_") && !strings.HasPrefix(kv, "GORACE=") {
			env = append(env, kv)
		}
	}
	// The race-built client would otherwise sleep a second at every exit.
	gorace := strings.TrimSpace(os.Getenv("GORACE") + " atexit_sleep_ms=0")
	return append(env, "AWS_CONFIG_FILE="+filepath.Join(c.dir, "aws-config"),
		"AWS_SHARED_CREDENTIALS_FILE="+filepath.Join(c.dir, "aws-credentials"), "AWS_EC2_METADATA_DISABLED=true", "GORACE="+gorace)
}

// cofferRun is one run of the coffer binary.
type cofferRun struct {
	code           int
	stdout, stderr string
}

// run runs `coffer args... --endpoint-url E --ca-bundle CA` with stdin.
func (c *cseCLI) run(t *testing.T, stdin io.Reader, env []string, args ...string) cofferRun {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
	defer cancel()
	args = append(args, "--endpoint-url", c.s.httpsEndpoint, "--ca-bundle", c.s.caPath)
	cmd := exec.CommandContext(ctx, cofferBinary, args...)
	cmd.Env = env
	cmd.Stdin = stdin
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	err := cmd.Run()
	var exit *exec.ExitError
	if err != nil && !errors.As(err, &exit) {
		t.Fatalf("coffer %s: %v", strings.Join(args, " "), err)
	}
	return cofferRun{code: cmd.ProcessState.ExitCode(), stdout: stdout.String(), stderr: stderr.String()}
}

// ok runs coffer with the test's credentials and fails the test unless it
// exits 0.
func (c *cseCLI) ok(t *testing.T, args ...string) cofferRun {
	t.Helper()
	r := c.run(t, nil, c.env, args...)
	if r.code != 0 {
		t.Fatalf("coffer %s: exit %d\n%s", strings.Join(args, " "), r.code, r.stderr)
	}
	return r
}

// fails runs coffer, which must exit with code and say each of want on stderr.
func (c *cseCLI) fails(t *testing.T, code int, want []string, args ...string) cofferRun {
	t.Helper()
	r := c.run(t, nil, c.env, args...)
	if r.code != code {
		t.Fatalf("coffer %s: exit %d, want %d\n%s", strings.Join(args, " "), r.code, code, r.stderr)
	}
	for _, w := range want {
		if !strings.Contains(r.stderr, w) {
			t.Fatalf("coffer %s: stderr lacks %q:\n%s", strings.Join(args, " "), w, r.stderr)
		}
	}
	return r
}

// file writes a plaintext of size bytes holding plaintextMarker.
func (c *cseCLI) file(t *testing.T, name string, size int) (string, []byte) {
	t.Helper()
	data := randomBytes(name, size)
	for off := 0; off+len(plaintextMarker) <= size; off += 1 << 20 {
		copy(data[off:], plaintextMarker)
	}
	path := filepath.Join(c.dir, name)
	if err := os.WriteFile(path, data, 0o600); err != nil {
		t.Fatal(err)
	}
	return path, data
}

// write writes data to a scratch file and returns its path.
func (c *cseCLI) write(t *testing.T, name string, data []byte) string {
	t.Helper()
	path := filepath.Join(c.dir, name)
	if err := os.WriteFile(path, data, 0o600); err != nil {
		t.Fatal(err)
	}
	return path
}

// cseKeys are the keys of every kind the tests use.
type cseKeys struct {
	kmsKeyID, kmsARN, kmsAlias string
	otherKMSKeyID              string
	aesKey, otherAESKey        string // fileb:// paths
	rsaPrivate, rsaPublic      string // PEM paths
	otherRSAPrivate            string
}

// cseFixture starts a TLS server with a bucket and the keys.
func cseFixture(t *testing.T) (*cseCLI, *s3.Client, cseKeys, string) {
	t.Helper()
	s := startTLSServer(t)
	c := newCSECLI(t, s)
	cli := newCLISession(t, s.httpsEndpoint, s.caPath)
	var keys cseKeys
	var created struct{ KeyMetadata struct{ KeyId, Arn string } }
	cli.json(t, &created, "kms", "create-key", "--description", "cse cli")
	keys.kmsKeyID, keys.kmsARN, keys.kmsAlias = created.KeyMetadata.KeyId, created.KeyMetadata.Arn, "alias/cse-cli"
	cli.ok(t, "kms", "create-alias", "--alias-name", keys.kmsAlias, "--target-key-id", keys.kmsKeyID)
	cli.json(t, &created, "kms", "create-key", "--description", "another")
	keys.otherKMSKeyID = created.KeyMetadata.KeyId
	const bucket = "cse-cli"
	cli.ok(t, "s3api", "create-bucket", "--bucket", bucket)

	keys.aesKey = "fileb://" + c.write(t, "aes.key", randomBytes("aes key", 32))
	keys.otherAESKey = "fileb://" + c.write(t, "other-aes.key", randomBytes("other aes key", 32))
	priv, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		t.Fatal(err)
	}
	other, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		t.Fatal(err)
	}
	pkcs8, err := x509.MarshalPKCS8PrivateKey(priv)
	if err != nil {
		t.Fatal(err)
	}
	pub, err := x509.MarshalPKIXPublicKey(&priv.PublicKey)
	if err != nil {
		t.Fatal(err)
	}
	keys.rsaPrivate = c.write(t, "rsa.pem", pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: pkcs8}))
	keys.rsaPublic = c.write(t, "rsa.pub.pem", pem.EncodeToMemory(&pem.Block{Type: "PUBLIC KEY", Bytes: pub}))
	keys.otherRSAPrivate = c.write(t, "other-rsa.pem", pem.EncodeToMemory(&pem.Block{Type: "RSA PRIVATE KEY", Bytes: x509.MarshalPKCS1PrivateKey(other)}))
	return c, sdkClientAt(s.httpsEndpoint, httpsClient(trustedPool(t, s.caPath))), keys, bucket
}

// inspected is `coffer cse inspect --json`'s output.
type inspected struct {
	Object            string            `json:"object"`
	Format            string            `json:"format"`
	ContentAlgorithm  string            `json:"contentAlgorithm"`
	WrappingAlgorithm string            `json:"wrappingAlgorithm"`
	KMSKeyID          string            `json:"kmsKeyId"`
	Context           map[string]string `json:"context"`
	ContextKind       string            `json:"contextKind"`
	MetadataLocation  string            `json:"metadataLocation"`
	InstructionFile   string            `json:"instructionFile"`
	PlaintextSize     *int64            `json:"plaintextSize"`
}

// TestCSECLIRoundTrips uploads with `coffer cp --cse-*` in every key
// kind, format and envelope location, checks what the server stores is
// ciphertext (read raw with the aws CLI), what `coffer cse inspect`
// shows, and that `coffer cp` downloads the same bytes.
func TestCSECLIRoundTrips(t *testing.T) {
	c, raw, keys, bucket := cseFixture(t)
	cli := newCLISession(t, c.s.httpsEndpoint, c.s.caPath)
	cases := []struct {
		name        string
		size        int
		upload      []string // --cse-* flags for the upload
		download    []string // and for the download
		format      string   // V2, V3
		wrap        string
		context     map[string]string // the user's context (KMS) shown by inspect, besides aws:x-amz-cek-alg
		instruction bool
		stdio       bool // upload from stdin, download to stdout
	}{
		{name: "kms alias with context v2", size: 100_000,
			upload:   []string{"--cse-kms-key-id", keys.kmsAlias, "--cse-context", "project=coffer", "--cse-context", "purpose=cli test"},
			download: []string{"--cse-kms-key-id", keys.kmsAlias, "--cse-context", "project=coffer", "--cse-context", "purpose=cli test"},
			format:   "V2", wrap: "kms+context", context: map[string]string{"project": "coffer", "purpose": "cli test"}},
		{name: "kms arn v3, any-key download", size: 4096,
			upload:   []string{"--cse-kms-key-id", keys.kmsARN, "--cse-format", "v3", "--cse-context", "project=coffer"},
			download: []string{"--cse-kms-any-key"},
			format:   "V3", wrap: "kms+context", context: map[string]string{"project": "coffer"}},
		{name: "kms key id, no context, empty file", size: 0,
			upload: []string{"--cse-kms-key-id", keys.kmsKeyID}, download: []string{"--cse-kms-key-id", keys.kmsKeyID},
			format: "V2", wrap: "kms+context", context: map[string]string{}},
		{name: "aes v2", size: 65_537, upload: []string{"--cse-key", keys.aesKey}, download: []string{"--cse-key", keys.aesKey},
			format: "V2", wrap: "AES/GCM"},
		{name: "aes v3", size: 65_537, upload: []string{"--cse-key", keys.aesKey, "--cse-format", "v3"}, download: []string{"--cse-key", keys.aesKey},
			format: "V3", wrap: "AES/GCM"},
		{name: "rsa private key v2", size: 1000, upload: []string{"--cse-rsa-key", keys.rsaPrivate}, download: []string{"--cse-rsa-key", keys.rsaPrivate},
			format: "V2", wrap: "RSA-OAEP-SHA1"},
		{name: "rsa public key uploads v3", size: 1000, upload: []string{"--cse-rsa-key", keys.rsaPublic, "--cse-format", "v3"},
			download: []string{"--cse-rsa-key", keys.rsaPrivate}, format: "V3", wrap: "RSA-OAEP-SHA1"},
		{name: "kms instruction file v2", size: 5000,
			upload:   []string{"--cse-kms-key-id", keys.kmsAlias, "--cse-instruction-file", "--cse-context", "where=instruction"},
			download: []string{"--cse-kms-key-id", keys.kmsAlias, "--cse-context", "where=instruction"},
			format:   "V2", wrap: "kms+context", context: map[string]string{"where": "instruction"}, instruction: true},
		{name: "aes instruction file v3", size: 5000, upload: []string{"--cse-key", keys.aesKey, "--cse-instruction-file", "--cse-format", "v3"},
			download: []string{"--cse-key", keys.aesKey}, format: "V3", wrap: "AES/GCM", instruction: true},
		{name: "multipart kms v2", size: 12<<20 + 123, upload: []string{"--cse-kms-key-id", keys.kmsAlias, "--part-size", "5MiB"},
			download: []string{"--cse-kms-key-id", keys.kmsAlias}, format: "V2", wrap: "kms+context", context: map[string]string{}},
		{name: "multipart aes v3", size: 11 << 20, upload: []string{"--cse-key", keys.aesKey, "--cse-format", "v3", "--part-size", "5MiB"},
			download: []string{"--cse-key", keys.aesKey}, format: "V3", wrap: "AES/GCM"},
		{name: "stdin to stdout, multipart", size: 6<<20 + 1, upload: []string{"--cse-kms-key-id", keys.kmsAlias, "--part-size", "5MiB"},
			download: []string{"--cse-kms-key-id", keys.kmsAlias}, format: "V2", wrap: "kms+context", context: map[string]string{}, stdio: true},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			name := strings.ReplaceAll(tc.name, " ", "-")
			src, data := c.file(t, name+".src", tc.size)
			key := "round/" + name
			url := "s3://" + bucket + "/" + key
			if tc.stdio {
				r := c.run(t, bytes.NewReader(data), c.env, append([]string{"cp", "-", url}, tc.upload...)...)
				if r.code != 0 {
					t.Fatalf("upload from stdin: exit %d\n%s", r.code, r.stderr)
				}
			} else {
				c.ok(t, append([]string{"cp", src, url}, tc.upload...)...)
			}

			// What the server stores, read raw with the aws CLI.
			rawPath := filepath.Join(c.dir, name+".raw")
			var head struct {
				ContentLength int64
				Metadata      map[string]string
			}
			cli.json(t, &head, "s3api", "get-object", "--bucket", bucket, "--key", key, rawPath)
			stored, err := os.ReadFile(rawPath)
			if err != nil {
				t.Fatal(err)
			}
			if len(stored) != tc.size+16 || bytes.Contains(stored, []byte(plaintextMarker)) || (tc.size > 0 && bytes.Equal(stored[:tc.size], data)) {
				t.Fatalf("stored %d bytes (want %d, ciphertext and tag); plaintext marker present: %v", len(stored), tc.size+16,
					bytes.Contains(stored, []byte(plaintextMarker)))
			}
			envelope := head.Metadata
			if tc.instruction {
				instr := filepath.Join(c.dir, name+".instruction")
				cli.ok(t, "s3api", "get-object", "--bucket", bucket, "--key", key+".instruction", instr)
				b, err := os.ReadFile(instr)
				if err != nil {
					t.Fatal(err)
				}
				envelope = map[string]string{}
				if err := json.Unmarshal(b, &envelope); err != nil {
					t.Fatalf("instruction file %q: %v", b, err)
				}
			}
			wrapped := map[string]string{"V2": "x-amz-key-v2", "V3": "x-amz-3"}[tc.format]
			if edk, err := base64.StdEncoding.DecodeString(envelope[wrapped]); err != nil || len(edk) == 0 {
				t.Fatalf("envelope lacks %s: %v", wrapped, envelope)
			}
			if tc.instruction {
				if _, inMeta := head.Metadata[wrapped]; inMeta {
					t.Fatalf("the wrapped key is in the object's metadata too: %v", head.Metadata)
				}
			}

			// What inspect shows, without a key.
			var got inspected
			out := c.ok(t, "cse", "inspect", "--json", url)
			if err := json.Unmarshal([]byte(out.stdout), &got); err != nil {
				t.Fatalf("inspect --json printed %q: %v", out.stdout, err)
			}
			location := map[bool]string{false: "metadata", true: "instruction-file"}[tc.instruction]
			if got.Format != tc.format || got.WrappingAlgorithm != tc.wrap || got.MetadataLocation != location || got.Object != url {
				t.Fatalf("inspect: %+v", got)
			}
			if tc.instruction && got.InstructionFile != key+".instruction" {
				t.Fatalf("inspect names the instruction file %q", got.InstructionFile)
			}
			wantContent := map[string]string{"V2": "AES/GCM/NoPadding", "V3": "115"}[tc.format]
			if got.ContentAlgorithm != wantContent {
				t.Fatalf("inspect: content algorithm %q, want %q", got.ContentAlgorithm, wantContent)
			}
			if got.PlaintextSize != nil && *got.PlaintextSize != int64(tc.size) {
				t.Fatalf("inspect: plaintext size %d, want %d", *got.PlaintextSize, tc.size)
			}
			if tc.context != nil {
				if got.ContextKind != "encryption-context" || got.Context[cekAlgContextKey] != wantContent {
					t.Fatalf("inspect: %s %v lacks %s=%s", got.ContextKind, got.Context, cekAlgContextKey, wantContent)
				}
				for k, v := range tc.context {
					if got.Context[k] != v {
						t.Fatalf("inspect: context %v lacks %s=%s", got.Context, k, v)
					}
				}
			}

			// And back.
			if tc.stdio {
				r := c.run(t, nil, c.env, append([]string{"cp", url, "-"}, tc.download...)...)
				if r.code != 0 || r.stdout != string(data) {
					t.Fatalf("download to stdout: exit %d, %d bytes, equal %v\n%s", r.code, len(r.stdout), r.stdout == string(data), r.stderr)
				}
				return
			}
			dest := filepath.Join(c.dir, name+".out")
			c.ok(t, append([]string{"cp", url, dest}, tc.download...)...)
			back, err := os.ReadFile(dest)
			if err != nil || !bytes.Equal(back, data) {
				t.Fatalf("downloaded %d bytes (%v), equal %v", len(back), err, bytes.Equal(back, data))
			}
			if info, _ := os.Stat(dest); info.Mode().Perm() != 0o600 {
				t.Fatalf("decrypted file mode %v, want 0600", info.Mode().Perm())
			}
		})
	}

	t.Run("inspect text", func(t *testing.T) {
		src, _ := c.file(t, "inspect-text.src", 29)
		c.ok(t, "cp", src, "s3://"+bucket+"/inspect/text", "--cse-kms-key-id", keys.kmsAlias, "--cse-context", "team=storage")
		out := c.ok(t, "cse", "inspect", "s3://"+bucket+"/inspect/text").stdout
		for _, want := range []string{"s3://" + bucket + "/inspect/text\n", "format:", " V2\n", "wrapping algorithm:", " kms+context\n",
			"encryption context:", "team=storage", "envelope in:", " object metadata\n", "plaintext size:", " 29 bytes\n"} {
			if !strings.Contains(out, want) {
				t.Fatalf("inspect output lacks %q:\n%s", want, out)
			}
		}
	})

	t.Run("sse under cse", func(t *testing.T) {
		src, data := c.file(t, "sse-under.src", 1000)
		url := "s3://" + bucket + "/sse/under"
		c.ok(t, "cp", src, url, "--cse-key", keys.aesKey, "--sse", "aws:kms", "--sse-kms-key-id", keys.kmsAlias)
		h, err := raw.HeadObject(context.Background(), &s3.HeadObjectInput{Bucket: aws.String(bucket), Key: aws.String("sse/under")})
		if err != nil || h.ServerSideEncryption != types.ServerSideEncryptionAwsKms || aws.ToString(h.SSEKMSKeyId) != keys.kmsARN {
			t.Fatalf("head: %v %+v", err, h)
		}
		dest := filepath.Join(c.dir, "sse-under.out")
		c.ok(t, "cp", url, dest, "--cse-key", keys.aesKey)
		if back, _ := os.ReadFile(dest); !bytes.Equal(back, data) {
			t.Fatal("round trip under SSE-KMS changed the data")
		}
	})

	t.Run("a named pipe as SRC: size unknown", func(t *testing.T) {
		fifo := filepath.Join(c.dir, "pipe")
		if err := syscall.Mkfifo(fifo, 0o600); err != nil {
			t.Fatal(err)
		}
		data := randomBytes("pipe", 70_000)
		go func() {
			f, err := os.OpenFile(fifo, os.O_WRONLY, 0)
			if err != nil {
				return // the test fails below
			}
			f.Write(data)
			f.Close()
		}()
		url := "s3://" + bucket + "/pipe/obj"
		c.ok(t, "cp", fifo, url, "--cse-key", keys.aesKey)
		r := c.run(t, nil, c.env, "cp", url, "-", "--cse-key", keys.aesKey)
		if r.code != 0 || r.stdout != string(data) {
			t.Fatalf("pipe round trip: exit %d, %d bytes\n%s", r.code, len(r.stdout), r.stderr)
		}
	})

	t.Run("into a directory", func(t *testing.T) {
		src, data := c.file(t, "dir-src.bin", 10)
		c.ok(t, "cp", src, "s3://"+bucket+"/dir/", "--cse-key", keys.aesKey) // takes the file's name
		outDir := filepath.Join(c.dir, "downloads")
		if err := os.Mkdir(outDir, 0o700); err != nil {
			t.Fatal(err)
		}
		c.ok(t, "cp", "s3://"+bucket+"/dir/dir-src.bin", outDir, "--cse-key", keys.aesKey)
		if back, _ := os.ReadFile(filepath.Join(outDir, "dir-src.bin")); !bytes.Equal(back, data) {
			t.Fatal("download into a directory")
		}
	})
}

// cekAlgContextKey is the encryption context entry the format adds.
const cekAlgContextKey = "aws:x-amz-cek-alg"

// TestCSECLITampered changes one byte of the ciphertext, or one envelope
// value, with the SDK or the aws CLI: the download fails with a typed
// error, leaves no destination file (and no temporary file) behind, and a
// file already at the destination is untouched.
func TestCSECLITampered(t *testing.T) {
	c, raw, keys, bucket := cseFixture(t)
	cli := newCLISession(t, c.s.httpsEndpoint, c.s.caPath)
	ctx := context.Background()
	flip := func(b []byte, i int) []byte {
		b = bytes.Clone(b)
		b[i] ^= 0x01
		return b
	}
	cases := []struct {
		name        string
		size        int
		upload      []string
		download    []string
		instruction bool
		// tamper returns the new body and metadata of the object (or of
		// its instruction file's JSON, for instruction-file cases).
		tamper func(body []byte, meta map[string]string) ([]byte, map[string]string)
		code   int
		errs   []string // in stderr
	}{
		{name: "first ciphertext byte, v2 kms", size: 3000, upload: []string{"--cse-kms-key-id", keys.kmsAlias}, download: []string{"--cse-kms-key-id", keys.kmsAlias},
			tamper: func(b []byte, m map[string]string) ([]byte, map[string]string) { return flip(b, 0), m },
			code:   3, errs: []string{"cse.ErrTampered"}},
		{name: "last tag byte, v3 aes", size: 3000, upload: []string{"--cse-key", keys.aesKey, "--cse-format", "v3"}, download: []string{"--cse-key", keys.aesKey},
			tamper: func(b []byte, m map[string]string) ([]byte, map[string]string) { return flip(b, len(b)-1), m },
			code:   3, errs: []string{"cse.ErrTampered"}},
		{name: "a byte of a multipart object", size: 11 << 20, upload: []string{"--cse-key", keys.aesKey, "--part-size", "5MiB"}, download: []string{"--cse-key", keys.aesKey},
			tamper: func(b []byte, m map[string]string) ([]byte, map[string]string) { return flip(b, 7<<20), m },
			code:   3, errs: []string{"cse.ErrTampered"}},
		{name: "the iv, v2 rsa", size: 3000, upload: []string{"--cse-rsa-key", keys.rsaPrivate}, download: []string{"--cse-rsa-key", keys.rsaPrivate},
			tamper: func(b []byte, m map[string]string) ([]byte, map[string]string) {
				iv, _ := base64.StdEncoding.DecodeString(m["x-amz-iv"])
				m["x-amz-iv"] = base64.StdEncoding.EncodeToString(flip(iv, 0))
				return b, m
			},
			code: 3, errs: []string{"cse.ErrTampered"}},
		{name: "the key commitment, v3 kms", size: 3000, upload: []string{"--cse-kms-key-id", keys.kmsAlias, "--cse-format", "v3"}, download: []string{"--cse-kms-key-id", keys.kmsAlias},
			tamper: func(b []byte, m map[string]string) ([]byte, map[string]string) {
				d, _ := base64.StdEncoding.DecodeString(m["x-amz-d"])
				m["x-amz-d"] = base64.StdEncoding.EncodeToString(flip(d, 3))
				return b, m
			},
			code: 3, errs: []string{"cse.ErrTampered"}},
		{name: "the stored context, v2 kms", size: 3000,
			upload: []string{"--cse-kms-key-id", keys.kmsAlias, "--cse-context", "tenant=a"}, download: []string{"--cse-kms-key-id", keys.kmsAlias},
			tamper: func(b []byte, m map[string]string) ([]byte, map[string]string) {
				m["x-amz-matdesc"] = strings.Replace(m["x-amz-matdesc"], `"tenant":"a"`, `"tenant":"b"`, 1)
				return b, m
			},
			code: 4, errs: []string{"cse.Err"}},
		{name: "the wrapped key in an instruction file, v2 aes", size: 3000, instruction: true,
			upload: []string{"--cse-key", keys.aesKey, "--cse-instruction-file"}, download: []string{"--cse-key", keys.aesKey},
			tamper: func(b []byte, m map[string]string) ([]byte, map[string]string) {
				edk, _ := base64.StdEncoding.DecodeString(m["x-amz-key-v2"])
				m["x-amz-key-v2"] = base64.StdEncoding.EncodeToString(flip(edk, len(edk)/2))
				return b, m
			},
			code: 4, errs: []string{"cse.Err"}},
		{name: "the envelope removed", size: 3000, upload: []string{"--cse-key", keys.aesKey}, download: []string{"--cse-key", keys.aesKey},
			tamper: func(b []byte, m map[string]string) ([]byte, map[string]string) { return b, map[string]string{} },
			code:   5, errs: []string{"cse.Err"}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			name := strings.NewReplacer(" ", "-", ",", "").Replace(tc.name)
			src, data := c.file(t, name+".src", tc.size)
			key := "tampered/" + name
			url := "s3://" + bucket + "/" + key
			c.ok(t, append([]string{"cp", src, url}, tc.upload...)...)
			dest := filepath.Join(c.dir, name+".out")
			c.ok(t, append([]string{"cp", url, dest}, tc.download...)...) // untampered: fine
			if back, _ := os.ReadFile(dest); !bytes.Equal(back, data) {
				t.Fatal("untampered round trip")
			}
			os.Remove(dest)

			target := key
			if tc.instruction {
				target = key + ".instruction"
			}
			got, err := raw.GetObject(ctx, &s3.GetObjectInput{Bucket: aws.String(bucket), Key: aws.String(target)})
			if err != nil {
				t.Fatal(err)
			}
			body, err := io.ReadAll(got.Body)
			got.Body.Close()
			if err != nil {
				t.Fatal(err)
			}
			if tc.instruction {
				var env map[string]string
				if err := json.Unmarshal(body, &env); err != nil {
					t.Fatal(err)
				}
				_, env = tc.tamper(nil, env)
				if body, err = json.Marshal(env); err != nil {
					t.Fatal(err)
				}
			} else {
				body, got.Metadata = tc.tamper(body, got.Metadata)
			}
			if _, err := raw.PutObject(ctx, &s3.PutObjectInput{Bucket: aws.String(bucket), Key: aws.String(target),
				Body: bytes.NewReader(body), Metadata: got.Metadata}); err != nil {
				t.Fatal(err)
			}

			downloads := filepath.Join(c.dir, name+"-downloads")
			if err := os.Mkdir(downloads, 0o700); err != nil {
				t.Fatal(err)
			}
			fresh := filepath.Join(downloads, "fresh.out")
			c.fails(t, tc.code, tc.errs, append([]string{"cp", url, fresh}, tc.download...)...)
			existing := filepath.Join(downloads, "existing.out")
			if err := os.WriteFile(existing, []byte("keep me"), 0o600); err != nil {
				t.Fatal(err)
			}
			c.fails(t, tc.code, tc.errs, append([]string{"cp", url, existing}, tc.download...)...)
			entries, _ := os.ReadDir(downloads)
			if len(entries) != 1 || entries[0].Name() != "existing.out" {
				t.Fatalf("left in the download directory: %v", entries)
			}
			if kept, _ := os.ReadFile(existing); string(kept) != "keep me" {
				t.Fatalf("the existing file became %q", kept)
			}
			r := c.run(t, nil, c.env, append([]string{"cp", url, "-"}, tc.download...)...)
			if r.code != tc.code || r.stdout != "" {
				t.Fatalf("download to stdout: exit %d, %d bytes written", r.code, len(r.stdout))
			}
		})
	}

	t.Run("metadata replaced with the aws CLI", func(t *testing.T) {
		src, _ := c.file(t, "cli-tamper.src", 2000)
		url := "s3://" + bucket + "/tampered/cli"
		c.ok(t, "cp", src, url, "--cse-key", keys.aesKey)
		var head struct{ Metadata map[string]string }
		cli.json(t, &head, "s3api", "head-object", "--bucket", bucket, "--key", "tampered/cli")
		head.Metadata["x-amz-unencrypted-content-length"] = "1999"
		iv, _ := base64.StdEncoding.DecodeString(head.Metadata["x-amz-iv"])
		head.Metadata["x-amz-iv"] = base64.StdEncoding.EncodeToString(flip(iv, len(iv)-1))
		cli.ok(t, "s3api", "copy-object", "--bucket", bucket, "--key", "tampered/cli", "--copy-source", bucket+"/tampered/cli",
			"--metadata-directive", "REPLACE", "--metadata", cliJSON(t, head.Metadata))
		dest := filepath.Join(c.dir, "cli-tamper.out")
		c.fails(t, 3, []string{"cse.ErrTampered", dest + " was not written"}, "cp", url, dest, "--cse-key", keys.aesKey)
		if _, err := os.Stat(dest); !errors.Is(err, os.ErrNotExist) {
			t.Fatalf("destination after a failed download: %v", err)
		}
	})
}

// TestCSECLIWrongKeys: a key or context that does not open the object is
// a typed error with its exit code, and writes nothing.
func TestCSECLIWrongKeys(t *testing.T) {
	c, _, keys, bucket := cseFixture(t)
	put := func(t *testing.T, key string, flags ...string) string {
		src, _ := c.file(t, strings.ReplaceAll(key, "/", "-")+".src", 2000)
		url := "s3://" + bucket + "/" + key
		c.ok(t, append([]string{"cp", src, url}, flags...)...)
		return url
	}
	plainSrc, plainData := c.file(t, "plain.src", 500)
	c.ok(t, "cp", plainSrc, "s3://"+bucket+"/wrong/plain")
	cases := []struct {
		name   string
		upload []string // nil: the plain object
		get    []string
		code   int
		errs   []string
	}{
		{name: "another aes key", upload: []string{"--cse-key", keys.aesKey}, get: []string{"--cse-key", keys.otherAESKey},
			code: 4, errs: []string{"cse.ErrWrongKey"}},
		{name: "another aes key v3", upload: []string{"--cse-key", keys.aesKey, "--cse-format", "v3"}, get: []string{"--cse-key", keys.otherAESKey},
			code: 4, errs: []string{"cse.ErrWrongKey"}},
		{name: "another rsa key", upload: []string{"--cse-rsa-key", keys.rsaPublic}, get: []string{"--cse-rsa-key", keys.otherRSAPrivate},
			code: 4, errs: []string{"cse.ErrWrongKey"}},
		{name: "aes key for a kms object", upload: []string{"--cse-kms-key-id", keys.kmsAlias}, get: []string{"--cse-key", keys.aesKey},
			code: 4, errs: []string{"cse.ErrWrongKey"}},
		{name: "another kms key", upload: []string{"--cse-kms-key-id", keys.kmsAlias}, get: []string{"--cse-kms-key-id", keys.otherKMSKeyID},
			code: 4, errs: []string{"cse.Err"}},
		{name: "wrong context", upload: []string{"--cse-kms-key-id", keys.kmsAlias, "--cse-context", "tenant=a"},
			get: []string{"--cse-kms-key-id", keys.kmsAlias, "--cse-context", "tenant=b"}, code: 4, errs: []string{"cse.ErrContextMismatch"}},
		{name: "missing context entry", upload: []string{"--cse-kms-key-id", keys.kmsAlias, "--cse-context", "tenant=a", "--cse-context", "env=prod"},
			get: []string{"--cse-kms-any-key", "--cse-context", "tenant=a"}, code: 4, errs: []string{"cse.ErrContextMismatch"}},
		{name: "a plain object", get: []string{"--cse-key", keys.aesKey}, code: 5, errs: []string{"cse.ErrNotEncrypted"}},
		{name: "a public key cannot decrypt", upload: []string{"--cse-rsa-key", keys.rsaPublic}, get: []string{"--cse-rsa-key", keys.rsaPublic},
			code: 1, errs: []string{"holds a public key; decrypting needs the private key"}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			url := "s3://" + bucket + "/wrong/plain"
			if tc.upload != nil {
				url = put(t, "wrong/"+strings.ReplaceAll(tc.name, " ", "-"), tc.upload...)
			}
			dest := filepath.Join(c.dir, "wrong.out")
			c.fails(t, tc.code, tc.errs, append([]string{"cp", url, dest}, tc.get...)...)
			if _, err := os.Stat(dest); !errors.Is(err, os.ErrNotExist) {
				t.Fatalf("destination after a failed download: %v", err)
			}
		})
	}

	t.Run("inspect of a plain object", func(t *testing.T) {
		c.fails(t, 5, []string{"cse.ErrNotEncrypted"}, "cse", "inspect", "s3://"+bucket+"/wrong/plain")
	})
	t.Run("plain download of an encrypted object is its ciphertext, with a note", func(t *testing.T) {
		url := put(t, "wrong/no-key", "--cse-key", keys.aesKey)
		dest := filepath.Join(c.dir, "no-key.out")
		r := c.ok(t, "cp", url, dest)
		if !strings.Contains(r.stderr, "is client-side encrypted") {
			t.Fatalf("no note on stderr: %q", r.stderr)
		}
		if b, _ := os.ReadFile(dest); len(b) != 2016 || bytes.Contains(b, []byte(plaintextMarker)) {
			t.Fatalf("plain download of an encrypted object: %d bytes", len(b))
		}
	})
	t.Run("the plain object round trips", func(t *testing.T) {
		dest := filepath.Join(c.dir, "plain.out")
		c.ok(t, "cp", "s3://"+bucket+"/wrong/plain", dest)
		if b, _ := os.ReadFile(dest); !bytes.Equal(b, plainData) {
			t.Fatal("plain round trip")
		}
	})
}

// TestCSECLICredentials: the standard AWS sources: a named profile in
// the shared credentials file, and a clear failure without any.
func TestCSECLICredentials(t *testing.T) {
	c, _, keys, bucket := cseFixture(t)
	src, data := c.file(t, "profile.src", 100)
	c.write(t, "aws-credentials", []byte("[coffer-test]\naws_access_key_id = "+rootAccessKey+"\naws_secret_access_key = "+rootSecretKey+"\n"))
	c.write(t, "aws-config", []byte("[profile coffer-test]\nregion = "+testRegion+"\n"))
	noEnvCreds := c.baseEnv()
	url := "s3://" + bucket + "/profile/obj"
	if r := c.run(t, nil, noEnvCreds, "cp", src, url, "--profile", "coffer-test", "--cse-kms-key-id", keys.kmsAlias); r.code != 0 {
		t.Fatalf("upload with --profile: exit %d\n%s", r.code, r.stderr)
	}
	dest := filepath.Join(c.dir, "profile.out")
	if r := c.run(t, nil, append(noEnvCreds, "AWS_PROFILE=coffer-test"), "cp", url, dest, "--cse-kms-key-id", keys.kmsAlias); r.code != 0 {
		t.Fatalf("download with AWS_PROFILE: exit %d\n%s", r.code, r.stderr)
	}
	if b, _ := os.ReadFile(dest); !bytes.Equal(b, data) {
		t.Fatal("round trip with a profile")
	}
	os.Remove(filepath.Join(c.dir, "aws-credentials"))
	r := c.run(t, nil, noEnvCreds, "cp", src, url, "--cse-kms-key-id", keys.kmsAlias)
	if r.code != 1 || !strings.Contains(r.stderr, "no AWS credentials") {
		t.Fatalf("without credentials: exit %d\n%s", r.code, r.stderr)
	}
}

// TestCpPlain: without --cse-* flags cp is a plain copy, with --sse
// passed through, multipart above the part size.
func TestCpPlain(t *testing.T) {
	c, raw, keys, bucket := cseFixture(t)
	cases := []struct {
		name  string
		size  int
		flags []string
		sse   types.ServerSideEncryption
	}{
		{name: "default", size: 1000, sse: types.ServerSideEncryptionAes256},
		{name: "sse-s3", size: 1000, flags: []string{"--sse", "AES256"}, sse: types.ServerSideEncryptionAes256},
		{name: "sse-kms", size: 1000, flags: []string{"--sse", "aws:kms", "--sse-kms-key-id", keys.kmsAlias}, sse: types.ServerSideEncryptionAwsKms},
		{name: "multipart sse-s3", size: 11<<20 + 5, flags: []string{"--sse", "AES256", "--part-size", "5MiB"}, sse: types.ServerSideEncryptionAes256},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			src, data := c.file(t, tc.name+".src", tc.size)
			key := "plain/" + tc.name + ".txt"
			url := "s3://" + bucket + "/" + key
			c.ok(t, append([]string{"cp", src, url}, tc.flags...)...)
			h, err := raw.HeadObject(context.Background(), &s3.HeadObjectInput{Bucket: aws.String(bucket), Key: aws.String(key)})
			if err != nil || h.ServerSideEncryption != tc.sse || aws.ToInt64(h.ContentLength) != int64(tc.size) || aws.ToString(h.ContentType) != "text/plain; charset=utf-8" {
				t.Fatalf("head: %v, sse %q, length %d, type %q", err, h.ServerSideEncryption, aws.ToInt64(h.ContentLength), aws.ToString(h.ContentType))
			}
			if tc.size > 5<<20 && !strings.Contains(aws.ToString(h.ETag), "-") {
				t.Fatalf("ETag %s is not a multipart ETag", aws.ToString(h.ETag))
			}
			dest := filepath.Join(c.dir, tc.name+".out")
			c.ok(t, "cp", url, dest)
			if back, _ := os.ReadFile(dest); !bytes.Equal(back, data) {
				t.Fatal("plain round trip")
			}
			r := c.run(t, nil, c.env, "cp", url, "-")
			if r.code != 0 || r.stdout != string(data) {
				t.Fatalf("to stdout: exit %d, %d bytes", r.code, len(r.stdout))
			}
		})
	}
	t.Run("help documents the exit codes", func(t *testing.T) {
		r := c.run(t, nil, c.env, "cp", "--help")
		if r.code != 0 || !strings.Contains(r.stdout, "Exit codes:") || !strings.Contains(r.stdout, "cse.ErrTampered") {
			t.Fatalf("cp --help: exit %d\n%s", r.code, r.stdout)
		}
	})
	t.Run("a usage error exits 2", func(t *testing.T) {
		c.fails(t, 2, []string{"one key source"}, "cp", "x", "s3://"+bucket+"/k", "--cse-key", keys.aesKey, "--cse-kms-key-id", "k")
	})
	t.Run("a missing object exits 1", func(t *testing.T) {
		c.fails(t, 1, []string{"NoSuchKey"}, "cp", "s3://"+bucket+"/plain/none", filepath.Join(c.dir, "none.out"))
	})
}
