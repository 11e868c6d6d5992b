package main

import (
	"bytes"
	"context"
	"crypto/rsa"
	"crypto/x509"
	"encoding/pem"
	"errors"
	"flag"
	"fmt"
	"os"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/config"
	"github.com/aws/aws-sdk-go-v2/service/kms"
	"github.com/aws/aws-sdk-go-v2/service/s3"

	"github.com/cofferlabs/coffer/cse"
)

// This file holds what `coffer cp` and `coffer cse inspect` share: the AWS
// connection flags, the clients built from them, the keys read for
// client-side encryption, and the exit code each failure maps to.

// awsFlags are the connection flags, named as the aws CLI names them.
type awsFlags struct {
	endpoint string
	caBundle string
	region   string
	profile  string
}

func (f *awsFlags) register(fl *flag.FlagSet) {
	fl.StringVar(&f.endpoint, "endpoint-url", "", "S3 and KMS endpoint (e.g. https://127.0.0.1:9443)")
	fl.StringVar(&f.caBundle, "ca-bundle", "", "PEM file of CA certificates to trust for https")
	fl.StringVar(&f.region, "region", "", "region to sign for")
	fl.StringVar(&f.profile, "profile", "", "named profile of ~/.aws/config and ~/.aws/credentials")
}

// defaultRegion signs requests when neither --region nor the environment
// or profile names one: Coffer's default region.
const defaultRegion = "us-east-1"

// awsClients are the S3 client, and the KMS client for the KMS keyring,
// both pointed at --endpoint-url when it is given.
type awsClients struct {
	s3  *s3.Client
	kms *kms.Client
}

// connect loads the standard AWS configuration (environment, shared
// config and credentials files, --profile) with the flags on top, and
// checks that it found credentials before any request is made.
func (f awsFlags) connect(ctx context.Context) (awsClients, error) {
	var opts []func(*config.LoadOptions) error
	if f.region != "" {
		opts = append(opts, config.WithRegion(f.region))
	}
	if f.profile != "" {
		opts = append(opts, config.WithSharedConfigProfile(f.profile))
	}
	if f.endpoint != "" {
		opts = append(opts, config.WithBaseEndpoint(f.endpoint))
	}
	if f.caBundle != "" {
		pemBytes, err := os.ReadFile(f.caBundle)
		if err != nil {
			return awsClients{}, fmt.Errorf("--ca-bundle: %w", err)
		}
		opts = append(opts, config.WithCustomCABundle(bytes.NewReader(pemBytes)))
	}
	cfg, err := config.LoadDefaultConfig(ctx, opts...)
	if err != nil {
		return awsClients{}, fmt.Errorf("loading the AWS configuration: %w", err)
	}
	if cfg.Region == "" {
		cfg.Region = defaultRegion
	}
	credCtx, cancel := context.WithTimeout(ctx, 30*time.Second)
	defer cancel()
	if _, err := cfg.Credentials.Retrieve(credCtx); err != nil {
		return awsClients{}, fmt.Errorf("no AWS credentials (set AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY, or use --profile): %w", err)
	}
	// An explicit endpoint (the flag, or AWS_ENDPOINT_URL and its kin) is
	// an S3-compatible store such as Coffer: address buckets by path,
	// which works for every bucket name without DNS.
	pathStyle := cfg.BaseEndpoint != nil
	return awsClients{
		s3: s3.NewFromConfig(cfg, func(o *s3.Options) {
			o.UsePathStyle = o.UsePathStyle || pathStyle
			// A multipart object has no whole-object checksum to validate;
			// the SDK would say so on stderr at every download.
			o.DisableLogOutputChecksumValidationSkipped = true
		}),
		kms: kms.NewFromConfig(cfg),
	}, nil
}

// parseInterleaved parses args with fl, letting flags come before,
// between and after the positional arguments, as the aws CLI does; "--"
// makes everything after it positional. It returns the positional
// arguments in order.
func parseInterleaved(fl *flag.FlagSet, args []string) ([]string, error) {
	var positional []string
	rest := args
	for len(rest) > 0 {
		if err := fl.Parse(rest); err != nil {
			return nil, err
		}
		left := fl.Args()
		if consumed := len(rest) - len(left); consumed > 0 && rest[consumed-1] == "--" {
			return append(positional, left...), nil
		}
		if len(left) == 0 {
			break
		}
		positional = append(positional, left[0])
		rest = left[1:]
	}
	return positional, nil
}

// s3URL is a parsed s3://bucket/key.
type s3URL struct {
	bucket string
	key    string
}

func (u s3URL) String() string { return "s3://" + u.bucket + "/" + u.key }

// parseS3URL splits s3://bucket/key; ok is false when s does not start
// with s3://.
func parseS3URL(s string) (u s3URL, ok bool, err error) {
	rest, ok := strings.CutPrefix(s, "s3://")
	if !ok {
		return s3URL{}, false, nil
	}
	u.bucket, u.key, _ = strings.Cut(rest, "/")
	if u.bucket == "" {
		return u, true, fmt.Errorf("%q names no bucket: write s3://BUCKET/KEY", s)
	}
	return u, true, nil
}

// readAESKey reads a 32-byte AES key from fileb://PATH (or PATH): raw
// bytes, nothing else, so that no encoding can be misread as key material.
func readAESKey(arg string) ([]byte, error) {
	path := strings.TrimPrefix(arg, "fileb://")
	if path == "" {
		return nil, errors.New("--cse-key needs fileb://FILE, a file of 32 raw bytes")
	}
	info, err := os.Stat(path)
	if err != nil {
		return nil, fmt.Errorf("--cse-key: %w", err)
	}
	if info.Size() != 32 {
		return nil, fmt.Errorf("--cse-key: %s holds %d bytes; an AES-256 key is exactly 32 raw bytes (head -c 32 /dev/urandom > key.bin)", path, info.Size())
	}
	key, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("--cse-key: %w", err)
	}
	if len(key) != 32 {
		return nil, fmt.Errorf("--cse-key: %s changed while it was read", path)
	}
	return key, nil
}

// rsaKey is what --cse-rsa-key holds: a private key, or for uploads only,
// a public key.
type rsaKey struct {
	private *rsa.PrivateKey // nil when the file holds a public key
	public  *rsa.PublicKey
}

// newRSAKeyring makes the RSA-OAEP keyring for k: from a public key, one
// that can only encrypt.
func newRSAKeyring(k rsaKey) (cse.Keyring, error) {
	if k.private == nil {
		return cse.NewRSAEncryptOnlyKeyring(k.public) // uploads only
	}
	return cse.NewRSAKeyring(k.private)
}

// minRSABits is the smallest RSA modulus accepted for wrapping data keys.
const minRSABits = 2048

// readRSAKey reads the first key in a PEM file: a private key (PKCS #1
// "RSA PRIVATE KEY" or PKCS #8 "PRIVATE KEY") or a public key (PKIX
// "PUBLIC KEY" or PKCS #1 "RSA PUBLIC KEY").
func readRSAKey(path string) (rsaKey, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return rsaKey{}, fmt.Errorf("--cse-rsa-key: %w", err)
	}
	return parseRSAKeyPEM(path, data)
}

func parseRSAKeyPEM(path string, data []byte) (rsaKey, error) {
	for {
		var block *pem.Block
		block, data = pem.Decode(data)
		if block == nil {
			return rsaKey{}, fmt.Errorf("--cse-rsa-key: %s holds no PEM RSA key", path)
		}
		var k rsaKey
		var err error
		switch block.Type {
		case "RSA PRIVATE KEY":
			if _, encrypted := block.Headers["DEK-Info"]; encrypted {
				return rsaKey{}, fmt.Errorf("--cse-rsa-key: %s is passphrase-protected; write it out unprotected for the copy (openssl pkey -in %s -out plain.pem)", path, path)
			}
			k.private, err = x509.ParsePKCS1PrivateKey(block.Bytes)
		case "PRIVATE KEY":
			var parsed any
			if parsed, err = x509.ParsePKCS8PrivateKey(block.Bytes); err == nil {
				var ok bool
				if k.private, ok = parsed.(*rsa.PrivateKey); !ok {
					return rsaKey{}, fmt.Errorf("--cse-rsa-key: %s holds a %T, not an RSA key", path, parsed)
				}
			}
		case "ENCRYPTED PRIVATE KEY":
			return rsaKey{}, fmt.Errorf("--cse-rsa-key: %s is passphrase-protected; write it out unprotected for the copy (openssl pkey -in %s -out plain.pem)", path, path)
		case "PUBLIC KEY":
			var parsed any
			if parsed, err = x509.ParsePKIXPublicKey(block.Bytes); err == nil {
				var ok bool
				if k.public, ok = parsed.(*rsa.PublicKey); !ok {
					return rsaKey{}, fmt.Errorf("--cse-rsa-key: %s holds a %T, not an RSA key", path, parsed)
				}
			}
		case "RSA PUBLIC KEY":
			k.public, err = x509.ParsePKCS1PublicKey(block.Bytes)
		default:
			continue // e.g. a certificate or parameters before the key
		}
		if err != nil {
			return rsaKey{}, fmt.Errorf("--cse-rsa-key: %s: %s block: %w", path, block.Type, err)
		}
		if k.private != nil {
			k.public = &k.private.PublicKey
		}
		if bits := k.public.N.BitLen(); bits < minRSABits {
			return rsaKey{}, fmt.Errorf("--cse-rsa-key: %s is a %d-bit key; at least %d bits are needed", path, bits, minRSABits)
		}
		return k, nil
	}
}

// Exit codes of `coffer cp` and `coffer cse inspect`, documented in their
// usage texts.
const (
	exitOK       = 0
	exitFailed   = 1 // anything else: S3, the network, a local file
	exitUsage    = 2 // the command line is wrong
	exitTampered = 3 // cse.ErrTampered: authentication failed, nothing written
	exitKey      = 4 // the key or the context does not open the object
	exitFormat   = 5 // the object is not client-side encrypted in a format read here
)

// cseFailures maps the library's typed errors, in order, to a name the
// message shows, an exit code and what it means for the user. A test
// fails when a sentinel of package cse has no row.
var cseFailures = []struct {
	err     error
	name    string
	exit    int
	meaning string
}{
	{cse.ErrTampered, "ErrTampered", exitTampered, "the ciphertext or its envelope was changed after encryption"},
	{cse.ErrContextMismatch, "ErrContextMismatch", exitKey, "the encryption context given is not the one the object was written with"},
	{cse.ErrWrongKey, "ErrWrongKey", exitKey, "the key given does not open the object's data key"},
	{cse.ErrKMSDenied, "ErrKMSDenied", exitKey, "the KMS refused to unwrap or generate the data key"},
	{cse.ErrNotEncrypted, "ErrNotEncrypted", exitFormat, "the object has no client-side encryption envelope, in its metadata or in an instruction file"},
	{cse.ErrMissingMetadata, "ErrMissingMetadata", exitFormat, "the object's envelope is missing or incomplete"},
	{cse.ErrUnsupportedFormat, "ErrUnsupportedFormat", exitFormat, "the object's format or algorithm is not one read here"},
}

// describeFailure renders err for the user, with a second line naming
// the library's typed error when it is one, and gives the exit code.
func describeFailure(err error) (string, int) {
	for _, f := range cseFailures {
		if errors.Is(err, f.err) {
			return fmt.Sprintf("%v\n  cse.%s: %s", err, f.name, f.meaning), f.exit
		}
	}
	return err.Error(), exitFailed
}

// ensure the clients satisfy what the library needs of them.
var (
	_ cse.S3API  = (*s3.Client)(nil)
	_ cse.KMSAPI = (*kms.Client)(nil)
)

// refuseEmptyFlags refuses a flag given an empty value rather than ignore
// it: --cse-kms-key-id "$KEY" with KEY unset must not turn into a
// plaintext upload.
func refuseEmptyFlags(fl *flag.FlagSet) error {
	var err error
	fl.Visit(func(f *flag.Flag) {
		if err == nil && f.Value.String() == "" {
			err = fmt.Errorf("--%s is empty", f.Name)
		}
	})
	return err
}
