package tests

import (
	"bytes"
	"context"
	"crypto/sha256"
	"errors"
	"io"
	"maps"
	"path/filepath"
	"strings"
	"testing"

	s3ec "github.com/aws/amazon-s3-encryption-client-go/v3/client"
	"github.com/aws/amazon-s3-encryption-client-go/v3/materials"
	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/kms"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/aws-sdk-go-v2/service/s3/types"

	"github.com/cofferlabs/coffer/cse"
)

// interopRig is one Coffer (HTTPS, with its KMS), a KMS key, and clients.
type interopRig struct {
	s      *tlsServer
	plain  *s3.Client // a plain S3 client: reads what is stored, raw
	kms    *kms.Client
	keyARN string
	bucket string
}

func newInteropRig(t *testing.T) *interopRig {
	t.Helper()
	s := startTLSServer(t)
	pool := trustedPool(t, s.caPath)
	r := &interopRig{s: s, plain: sdkClientAt(s.httpsEndpoint, httpsClient(pool)), kms: kmsClientAt(s.httpsEndpoint, httpsClient(pool)), bucket: "cse-interop"}
	created, err := r.kms.CreateKey(context.Background(), &kms.CreateKeyInput{Description: aws.String("cse interop")})
	if err != nil {
		t.Fatal(err)
	}
	r.keyARN = aws.ToString(created.KeyMetadata.Arn)
	if _, err := r.kms.CreateAlias(context.Background(), &kms.CreateAliasInput{AliasName: aws.String("alias/cse-interop"), TargetKeyId: created.KeyMetadata.KeyId}); err != nil {
		t.Fatal(err)
	}
	if _, err := r.plain.CreateBucket(context.Background(), &s3.CreateBucketInput{Bucket: aws.String(r.bucket)}); err != nil {
		t.Fatal(err)
	}
	return r
}

// awsClient is AWS's S3 Encryption Client v3.2.0 over Coffer.
func (r *interopRig) awsClient(t *testing.T, keyring materials.Keyring) *s3ec.S3EncryptionClientV3 {
	t.Helper()
	cmm, err := materials.NewCryptographicMaterialsManager(keyring)
	if err != nil {
		t.Fatal(err)
	}
	c, err := s3ec.New(sdkClientAt(r.s.httpsEndpoint, httpsClient(trustedPool(t, r.s.caPath))), cmm)
	if err != nil {
		t.Fatal(err)
	}
	return c
}

func (r *interopRig) cseClient(t *testing.T, keyring cse.Keyring, opts cse.Options) *cse.Client {
	t.Helper()
	return cse.New(sdkClientAt(r.s.httpsEndpoint, httpsClient(trustedPool(t, r.s.caPath))), keyring, opts)
}

// raw returns the stored object as a client without decryption sees it.
func (r *interopRig) raw(t *testing.T, key string) ([]byte, map[string]string) {
	t.Helper()
	out, err := r.plain.GetObject(context.Background(), &s3.GetObjectInput{Bucket: aws.String(r.bucket), Key: aws.String(key)})
	if err != nil {
		t.Fatalf("raw GetObject %s: %v", key, err)
	}
	defer out.Body.Close()
	body, err := io.ReadAll(out.Body)
	if err != nil {
		t.Fatal(err)
	}
	return body, out.Metadata
}

// interopPlaintext is recognizable text, so that finding it stored raw
// would be noticed.
func interopPlaintext(name string, n int) []byte {
	marker := []byte("COFFER-CSE-PLAINTEXT-MARKER:" + name + ":")
	return bytes.Repeat(marker, n/len(marker)+1)[:n]
}

func assertNoPlaintext(t *testing.T, stored, plaintext []byte) {
	t.Helper()
	if bytes.Contains(stored, []byte("COFFER-CSE-PLAINTEXT-MARKER")) || (len(plaintext) >= 32 && bytes.Contains(stored, plaintext[:32])) {
		t.Fatal("the stored object holds the plaintext")
	}
}

func readAllClose(t *testing.T, body io.ReadCloser) []byte {
	t.Helper()
	defer body.Close()
	b, err := io.ReadAll(body)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// TestCSEInteropAWSReadsCSE: objects package cse writes through Coffer,
// with Coffer's KMS, are read by AWS's S3 Encryption Client for Go v3.2.0
// (its KMS keyring and its any-key keyring), in V2 and in the
// key-committing V3, with and without an encryption context. The v3 Go
// client has KMS keyrings only, so the AES and RSA wrappings are checked
// by the known answers of package cse instead.
func TestCSEInteropAWSReadsCSE(t *testing.T) {
	r := newInteropRig(t)
	ctx := context.Background()
	awsReaders := map[string]*s3ec.S3EncryptionClientV3{
		"KMS keyring":     r.awsClient(t, materials.NewKmsKeyring(r.kms, r.keyARN)),
		"any-key keyring": r.awsClient(t, materials.NewKmsDecryptOnlyAnyKeyKeyring(r.kms)),
	}
	cases := []struct {
		name    string
		format  cse.Format
		size    int
		context map[string]string
	}{
		{name: "V2 small", format: cse.FormatV2, size: 29},
		{name: "V2 empty", format: cse.FormatV2, size: 0},
		{name: "V2 1 MiB with context", format: cse.FormatV2, size: 1 << 20, context: map[string]string{"project": "coffer", "purpose": "interop"}},
		{name: "V3 small", format: cse.FormatV3, size: 29},
		{name: "V3 300 KiB with context", format: cse.FormatV3, size: 300 << 10, context: map[string]string{"tenant": "acme"}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			key := "cse-wrote/" + strings.ReplaceAll(tc.name, " ", "-")
			plaintext := interopPlaintext(tc.name, tc.size)
			c := r.cseClient(t, cse.NewKMSKeyring(r.kms, "alias/cse-interop"), cse.Options{Format: tc.format})
			put, err := c.Put(ctx, cse.PutInput{Bucket: r.bucket, Key: key, Body: bytes.NewReader(plaintext), Size: int64(tc.size), EncryptionContext: tc.context})
			if err != nil {
				t.Fatalf("cse Put: %v", err)
			}
			if put.Envelope.KMSKeyID != r.keyARN {
				t.Fatalf("Envelope.KMSKeyID = %q, want %q", put.Envelope.KMSKeyID, r.keyARN)
			}
			opCtx := ctx
			if tc.context != nil {
				opCtx = context.WithValue(ctx, s3ec.EncryptionContext, tc.context)
			}
			for name, reader := range awsReaders {
				out, err := reader.GetObject(opCtx, &s3.GetObjectInput{Bucket: aws.String(r.bucket), Key: aws.String(key)})
				if err != nil {
					t.Fatalf("AWS S3EC (%s) GetObject: %v", name, err)
				}
				if got := readAllClose(t, out.Body); !bytes.Equal(got, plaintext) {
					t.Fatalf("AWS S3EC (%s) read %d bytes, not the plaintext", name, len(got))
				}
			}
			stored, meta := r.raw(t, key)
			if len(stored) != tc.size+16 {
				t.Fatalf("stored %d bytes for %d of plaintext", len(stored), tc.size)
			}
			assertNoPlaintext(t, stored, plaintext)
			wantKey := "x-amz-key-v2"
			if tc.format == cse.FormatV3 {
				wantKey = "x-amz-3"
			}
			if meta[wantKey] == "" {
				t.Fatalf("stored metadata lacks %s: %v", wantKey, meta)
			}
		})
	}
}

// TestCSEInteropCSEReadsAWS: objects AWS's S3 Encryption Client v3.2.0
// writes through Coffer are read by package cse, with the KMS keyring (key
// by ARN and by alias) and the any-key keyring; a context given must match.
func TestCSEInteropCSEReadsAWS(t *testing.T) {
	r := newInteropRig(t)
	ctx := context.Background()
	writer := r.awsClient(t, materials.NewKmsKeyring(r.kms, r.keyARN))
	readers := map[string]*cse.Client{
		"KMS keyring by ARN":   r.cseClient(t, cse.NewKMSKeyring(r.kms, r.keyARN), cse.Options{}),
		"KMS keyring by alias": r.cseClient(t, cse.NewKMSKeyring(r.kms, "alias/cse-interop"), cse.Options{}),
		"any-key keyring":      r.cseClient(t, cse.NewKMSKeyring(r.kms, ""), cse.Options{}),
	}
	cases := []struct {
		name    string
		size    int
		context map[string]string
	}{
		{name: "small", size: 29},
		{name: "empty", size: 0},
		{name: "2 MiB with context", size: 2 << 20, context: map[string]string{"project": "coffer", "team": "storage"}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			key := "aws-wrote/" + strings.ReplaceAll(tc.name, " ", "-")
			plaintext := interopPlaintext(tc.name, tc.size)
			opCtx := ctx
			if tc.context != nil {
				opCtx = context.WithValue(ctx, s3ec.EncryptionContext, tc.context)
			}
			if _, err := writer.PutObject(opCtx, &s3.PutObjectInput{Bucket: aws.String(r.bucket), Key: aws.String(key), Body: bytes.NewReader(plaintext)}); err != nil {
				t.Fatalf("AWS S3EC PutObject: %v", err)
			}
			for name, c := range readers {
				out, err := c.Get(ctx, cse.GetInput{Bucket: r.bucket, Key: key, EncryptionContext: tc.context})
				if err != nil {
					t.Fatalf("cse Get (%s): %v", name, err)
				}
				if got := readAllClose(t, out.Body); !bytes.Equal(got, plaintext) {
					t.Fatalf("cse Get (%s): %d bytes, not the plaintext", name, len(got))
				}
				env := out.Envelope
				if env.Format != "V2" || env.ContentAlg != "AES/GCM/NoPadding" || env.WrapAlg != "kms+context" ||
					env.KMSKeyID != r.keyARN || out.Size != int64(tc.size) || env.Location != cse.LocationMetadata {
					t.Fatalf("cse Get (%s): envelope %+v, size %d", name, env, out.Size)
				}
				for k, v := range tc.context {
					if env.Context[k] != v {
						t.Fatalf("cse Get (%s): context %v lacks %s", name, env.Context, k)
					}
				}
			}
			if tc.context != nil {
				wrong := maps.Clone(tc.context)
				wrong["project"] = "other"
				if _, err := readers["any-key keyring"].Get(ctx, cse.GetInput{Bucket: r.bucket, Key: key, EncryptionContext: wrong}); !errors.Is(err, cse.ErrContextMismatch) {
					t.Fatalf("cse Get with another context: %v", err)
				}
			}
			env, err := cse.Inspect(ctx, sdkClientAt(r.s.httpsEndpoint, httpsClient(trustedPool(t, r.s.caPath))), r.bucket, key)
			if err != nil || env.Format != "V2" || env.PlaintextSize != int64(tc.size) {
				t.Fatalf("Inspect: %+v, %v", env, err)
			}
		})
	}
}

// TestCSEInteropRoundTrips: package cse against Coffer alone: every
// wrapping and format, metadata or instruction file, a 64 MiB+ object
// through multipart, SSE layered underneath, and the failures a real KMS
// and a real store produce.
func TestCSEInteropRoundTrips(t *testing.T) {
	r := newInteropRig(t)
	ctx := context.Background()
	aesKey := bytes.Repeat([]byte{0x5a}, 32)
	aesRing, err := cse.NewAESKeyring(aesKey)
	if err != nil {
		t.Fatal(err)
	}
	kmsRing := cse.NewKMSKeyring(r.kms, "alias/cse-interop")
	cases := []struct {
		name    string
		keyring cse.Keyring
		opts    cse.Options
		size    int64
		known   bool
		sse     types.ServerSideEncryption
	}{
		{name: "V2 KMS instruction file", keyring: kmsRing, opts: cse.Options{InstructionFile: true}, size: 1000, known: true},
		{name: "V3 KMS instruction file", keyring: kmsRing, opts: cse.Options{Format: cse.FormatV3, InstructionFile: true}, size: 1000, known: true},
		{name: "V2 AES", keyring: aesRing, size: 100_000, known: true},
		{name: "V3 AES over SSE-KMS", keyring: aesRing, opts: cse.Options{Format: cse.FormatV3}, size: 100_000, known: true, sse: types.ServerSideEncryptionAwsKms},
		{name: "V2 KMS 65 MiB multipart, size unknown", keyring: kmsRing, opts: cse.Options{PartSize: 8 << 20}, size: 65<<20 + 123},
		{name: "V3 AES 20 MiB multipart instruction file", keyring: aesRing, opts: cse.Options{Format: cse.FormatV3, PartSize: 5 << 20, InstructionFile: true}, size: 20<<20 + 7, known: true},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			key := "roundtrip/" + strings.ReplaceAll(tc.name, " ", "-")
			plaintext := interopPlaintext(tc.name, int(tc.size))
			c := r.cseClient(t, tc.keyring, tc.opts)
			in := cse.PutInput{Bucket: r.bucket, Key: key, Body: bytes.NewReader(plaintext), Size: -1, ContentType: "application/x-test",
				Metadata: map[string]string{"origin": "interop"}}
			if tc.known {
				in.Size = tc.size
			}
			if tc.sse != "" {
				in.SSE = func(p *s3.PutObjectInput) { p.ServerSideEncryption = tc.sse }
			}
			if _, err := c.Put(ctx, in); err != nil {
				t.Fatalf("Put: %v", err)
			}
			out, err := c.Get(ctx, cse.GetInput{Bucket: r.bucket, Key: key})
			if err != nil {
				t.Fatalf("Get: %v", err)
			}
			h := sha256.New()
			n, err := io.Copy(h, out.Body)
			out.Body.Close()
			want := sha256.Sum256(plaintext)
			if err != nil || n != tc.size || !bytes.Equal(h.Sum(nil), want[:]) {
				t.Fatalf("Get: %d bytes, %v, digest equal %v", n, err, bytes.Equal(h.Sum(nil), want[:]))
			}
			if out.ContentType != "application/x-test" || out.Metadata["origin"] != "interop" {
				t.Fatalf("Get: content type %q, metadata %v", out.ContentType, out.Metadata)
			}
			stored, _ := r.raw(t, key)
			if int64(len(stored)) != tc.size+16 {
				t.Fatalf("stored %d bytes", len(stored))
			}
			assertNoPlaintext(t, stored, plaintext)
			if tc.opts.InstructionFile {
				file, fileMeta := r.raw(t, key+".instruction")
				if _, ok := fileMeta["x-amz-crypto-instr-file"]; !ok || !bytes.HasPrefix(file, []byte("{")) {
					t.Fatalf("instruction file: metadata %v, body %.40q", fileMeta, file)
				}
			}
			if tc.sse != "" {
				head, err := r.plain.HeadObject(ctx, &s3.HeadObjectInput{Bucket: aws.String(r.bucket), Key: aws.String(key)})
				if err != nil || head.ServerSideEncryption != tc.sse {
					t.Fatalf("HeadObject: %v, SSE %q", err, head.ServerSideEncryption)
				}
			}
		})
	}

	t.Run("AWS S3EC reads the 65 MiB multipart object", func(t *testing.T) {
		key := "roundtrip/V2-KMS-65-MiB-multipart,-size-unknown"
		out, err := r.awsClient(t, materials.NewKmsKeyring(r.kms, r.keyARN)).GetObject(ctx, &s3.GetObjectInput{Bucket: aws.String(r.bucket), Key: aws.String(key)})
		if err != nil {
			t.Fatal(err)
		}
		got := readAllClose(t, out.Body)
		want := interopPlaintext("V2 KMS 65 MiB multipart, size unknown", 65<<20+123)
		if !bytes.Equal(got, want) {
			t.Fatalf("AWS S3EC read %d bytes, not the plaintext", len(got))
		}
	})

	t.Run("a flipped bit in the stored ciphertext", func(t *testing.T) {
		c := r.cseClient(t, kmsRing, cse.Options{})
		key := "tamper/body"
		if _, err := c.Put(ctx, cse.PutInput{Bucket: r.bucket, Key: key, Body: strings.NewReader("attack at dawn"), Size: 14}); err != nil {
			t.Fatal(err)
		}
		stored, meta := r.raw(t, key)
		stored[3] ^= 0x01
		if _, err := r.plain.PutObject(ctx, &s3.PutObjectInput{Bucket: aws.String(r.bucket), Key: aws.String(key), Body: bytes.NewReader(stored), Metadata: meta}); err != nil {
			t.Fatal(err)
		}
		if got, _, err := c.GetAll(ctx, cse.GetInput{Bucket: r.bucket, Key: key}, 1<<10); !errors.Is(err, cse.ErrTampered) || got != nil {
			t.Fatalf("GetAll of a tampered object: %q, %v", got, err)
		}
	})

	t.Run("wrong AES key and disabled KMS key", func(t *testing.T) {
		other, _ := cse.NewAESKeyring(bytes.Repeat([]byte{0x11}, 32))
		if _, err := r.cseClient(t, other, cse.Options{}).Get(ctx, cse.GetInput{Bucket: r.bucket, Key: "roundtrip/V2-AES"}); !errors.Is(err, cse.ErrWrongKey) {
			t.Fatalf("another AES key: %v", err)
		}
		created, err := r.kms.CreateKey(ctx, &kms.CreateKeyInput{Description: aws.String("to disable")})
		if err != nil {
			t.Fatal(err)
		}
		disabled := aws.ToString(created.KeyMetadata.Arn)
		c := r.cseClient(t, cse.NewKMSKeyring(r.kms, disabled), cse.Options{})
		if _, err := c.Put(ctx, cse.PutInput{Bucket: r.bucket, Key: "disabled", Body: strings.NewReader("x"), Size: 1}); err != nil {
			t.Fatal(err)
		}
		if _, err := r.kms.DisableKey(ctx, &kms.DisableKeyInput{KeyId: aws.String(disabled)}); err != nil {
			t.Fatal(err)
		}
		if _, err := c.Get(ctx, cse.GetInput{Bucket: r.bucket, Key: "disabled"}); !errors.Is(err, cse.ErrKMSDenied) {
			t.Fatalf("Get under a disabled key: %v", err)
		}
		if _, err := r.cseClient(t, kmsRing, cse.Options{}).Get(ctx, cse.GetInput{Bucket: r.bucket, Key: "roundtrip/V2-AES"}); !errors.Is(err, cse.ErrWrongKey) {
			t.Fatalf("an AES object with the KMS keyring: %v", err)
		}
	})
}

// TestCSEInteropAWSReadsInstructionFiles: AWS's Go client v3.2.0 reads
// instruction files with an S3 client of its own, built from the default
// configuration (environment), so the environment points it at Coffer.
func TestCSEInteropAWSReadsInstructionFiles(t *testing.T) {
	r := newInteropRig(t)
	ctx := context.Background()
	home := t.TempDir()
	for k, v := range map[string]string{
		"AWS_ACCESS_KEY_ID": rootAccessKey, "AWS_SECRET_ACCESS_KEY": rootSecretKey, "AWS_SESSION_TOKEN": "",
		"AWS_REGION": testRegion, "AWS_ENDPOINT_URL_S3": r.s.endpoint, "AWS_ENDPOINT_URL": "", "AWS_PROFILE": "",
		"AWS_CONFIG_FILE": filepath.Join(home, "config"), "AWS_SHARED_CREDENTIALS_FILE": filepath.Join(home, "credentials"),
	} {
		t.Setenv(k, v)
	}
	reader := r.awsClient(t, materials.NewKmsKeyring(r.kms, r.keyARN))
	for _, format := range []cse.Format{cse.FormatV2, cse.FormatV3} {
		t.Run(format.String(), func(t *testing.T) {
			key := "instruction/" + format.String()
			plaintext := interopPlaintext(key, 5000)
			c := r.cseClient(t, cse.NewKMSKeyring(r.kms, r.keyARN), cse.Options{Format: format, InstructionFile: true})
			if _, err := c.Put(ctx, cse.PutInput{Bucket: r.bucket, Key: key, Body: bytes.NewReader(plaintext), Size: 5000}); err != nil {
				t.Fatal(err)
			}
			out, err := reader.GetObject(ctx, &s3.GetObjectInput{Bucket: aws.String(r.bucket), Key: aws.String(key)})
			if err != nil {
				t.Fatalf("AWS S3EC GetObject: %v", err)
			}
			if got := readAllClose(t, out.Body); !bytes.Equal(got, plaintext) {
				t.Fatalf("AWS S3EC read %d bytes, not the plaintext", len(got))
			}
		})
	}
}
