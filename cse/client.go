package cse

import (
	"bytes"
	"context"
	"crypto/rand"
	"errors"
	"fmt"
	"io"
	"maps"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/aws-sdk-go-v2/service/s3/types"
	"github.com/aws/smithy-go"
)

// S3API is the subset of *s3.Client the library uses (so tests can wrap it).
type S3API interface {
	PutObject(ctx context.Context, in *s3.PutObjectInput, optFns ...func(*s3.Options)) (*s3.PutObjectOutput, error)
	GetObject(ctx context.Context, in *s3.GetObjectInput, optFns ...func(*s3.Options)) (*s3.GetObjectOutput, error)
	HeadObject(ctx context.Context, in *s3.HeadObjectInput, optFns ...func(*s3.Options)) (*s3.HeadObjectOutput, error)
	CreateMultipartUpload(ctx context.Context, in *s3.CreateMultipartUploadInput, optFns ...func(*s3.Options)) (*s3.CreateMultipartUploadOutput, error)
	UploadPart(ctx context.Context, in *s3.UploadPartInput, optFns ...func(*s3.Options)) (*s3.UploadPartOutput, error)
	CompleteMultipartUpload(ctx context.Context, in *s3.CompleteMultipartUploadInput, optFns ...func(*s3.Options)) (*s3.CompleteMultipartUploadOutput, error)
	AbortMultipartUpload(ctx context.Context, in *s3.AbortMultipartUploadInput, optFns ...func(*s3.Options)) (*s3.AbortMultipartUploadOutput, error)
}

// DefaultPartSize is the multipart part size when Options.PartSize is 0.
const DefaultPartSize = 16 << 20

// DefaultConcurrency is the number of parts uploaded at once when
// Options.Concurrency is 0.
const DefaultConcurrency = 2

// maxParts is S3's limit on the parts of one upload.
const maxParts = 10000

// Options configure a Client.
type Options struct {
	// Format is what Put writes (FormatV2 by default). Get reads V2 and
	// V3 whatever it says.
	Format Format
	// InstructionFile makes Put store the envelope in "<key>.instruction"
	// (marked with the user metadata x-amz-crypto-instr-file: "") instead
	// of the object's metadata: all of it for V2; for V3 the object keeps
	// x-amz-c, x-amz-d and x-amz-i. Get finds instruction files by itself.
	InstructionFile bool
	// PartSize is the multipart part size, a multiple of 16 (S3 wants at
	// least 5 MiB); 0 means DefaultPartSize. Bodies larger than one part are
	// uploaded with multipart.
	PartSize int64
	// Concurrency is how many parts of a multipart upload go up at once;
	// 0 means DefaultConcurrency. Encryption stays sequential (GCM is one
	// stream): each part is uploaded while the next ones are encrypted,
	// with at most Concurrency+1 part buffers in memory. 1 encrypts and
	// uploads one part after the other with one buffer.
	Concurrency int
	// AllowLegacyV1 lets Get read legacy objects for migration: V1
	// (AES/CBC/PKCS5Padding content, AES/ECB-wrapped key) and the legacy
	// "kms" wrapping (with AES/CBC or AES/GCM content). AES/CBC content is
	// not authenticated: a changed ciphertext yields changed plaintext, and
	// only a broken padding is noticed.
	AllowLegacyV1 bool
}

// Client encrypts objects before they reach S3 and decrypts them after,
// in the format of the AWS S3 Encryption Client. It is safe for concurrent
// use.
type Client struct {
	s3      S3API
	keyring Keyring
	opts    Options
	rand    io.Reader
	// newBuffer, when set, allocates part buffers (tests count them).
	newBuffer func(size int64) []byte
}

// New returns a Client that stores objects through s3 with data keys
// wrapped by keyring.
func New(s3 S3API, keyring Keyring, opts Options) *Client {
	return &Client{s3: s3, keyring: keyring, opts: opts, rand: rand.Reader}
}

// PutInput is one object to encrypt and store.
type PutInput struct {
	Bucket, Key string
	Body        io.Reader
	// Size is the plaintext length, or -1 if unknown. A known size is
	// checked: a body of another length fails the Put (and any multipart
	// upload is aborted).
	Size int64
	// EncryptionContext is added to the KMS encryption context (KMS keyring
	// only); it must not use the reserved keys aws:x-amz-cek-alg and
	// kms_cmk_id.
	EncryptionContext map[string]string
	ContentType       string
	// Metadata is extra user metadata; keys starting with x-amz- belong to
	// the envelope and are refused.
	Metadata map[string]string
	// SSE optionally layers server-side encryption under the client-side
	// encryption: it is called on a PutObjectInput whose SSE fields are
	// then copied to every request that writes the object (PutObject,
	// CreateMultipartUpload, UploadPart for SSE-C, the instruction file).
	SSE func(*s3.PutObjectInput)
}

// PutOutput reports what Put stored.
type PutOutput struct {
	ETag     string
	Envelope Envelope
}

// GetInput names an object to read and decrypt.
type GetInput struct {
	Bucket, Key string
	// EncryptionContext, when not nil, must equal the stored context less
	// the reserved keys (aws:x-amz-cek-alg, kms_cmk_id), or Get fails with
	// ErrContextMismatch. For the AES and RSA keyrings the stored material
	// description must equal it (nil means {}), since nothing else
	// authenticates it.
	EncryptionContext map[string]string
	// SSE optionally sets request fields such as SSE-C keys on the
	// GetObject of the object and of its instruction file.
	SSE func(*s3.GetObjectInput)
}

// GetOutput is a decrypting stream of one object.
type GetOutput struct {
	// Body is the plaintext, decrypted as it is read, in constant memory.
	// Bytes are returned before the object's authentication tag (at its
	// very end) has been checked: they are NOT authenticated until Read
	// returns io.EOF. If the tag, the key commitment or the length does
	// not verify, Read returns an error wrapping ErrTampered instead of
	// io.EOF, and every byte read before must be discarded (the last chunk
	// is withheld, never returned). Write to a temporary file and keep it
	// only after io.EOF, or use GetAll for objects that fit in memory.
	// Legacy AES/CBC content (Options.AllowLegacyV1) is never authenticated.
	// Close it when done.
	Body io.ReadCloser
	// Size is the plaintext length when known (the envelope's
	// x-amz-unencrypted-content-length, or computed from Content-Length),
	// else -1.
	Size        int64
	Envelope    Envelope
	ContentType string
	// Metadata is the object's user metadata without the envelope.
	Metadata map[string]string
}

// Put encrypts in.Body with a fresh data key and stores it. Bodies larger
// than Options.PartSize go up with multipart, the parts encrypted as one
// continuous GCM stream in order and the tag at the end of the last part,
// up to Options.Concurrency parts uploading while the next is encrypted; a
// failed multipart upload is aborted once no part is in flight, and Put
// returns the first error.
func (c *Client) Put(ctx context.Context, in PutInput) (*PutOutput, error) {
	partSize, err := c.checkPut(in)
	if err != nil {
		return nil, err
	}
	cek := cekGCM
	if c.opts.Format == FormatV3 {
		cek = cekV3
	}
	wk, err := c.keyring.wrap(ctx, wrapRequest{format: c.opts.Format, cekAlg: cek, context: in.EncryptionContext, rand: c.rand})
	if err != nil {
		return nil, err
	}
	defer clear(wk.dataKey)
	env := &envelope{
		format: c.opts.Format.String(), cekAlg: cek, wrapAlg: wk.wrapAlg, edk: wk.edk,
		context: wk.context, plainLen: in.Size, location: LocationMetadata,
	}
	if c.opts.InstructionFile {
		env.location = LocationInstructionFile
	}
	var sr *sealReader
	body := in.Body
	if in.Size >= 0 {
		body = io.LimitReader(body, in.Size+1) // one byte more reveals a longer body
	}
	switch c.opts.Format {
	case FormatV2:
		env.iv = make([]byte, gcmIVSize)
		if _, err := io.ReadFull(c.rand, env.iv); err != nil {
			return nil, fmt.Errorf("cse: generating an IV: %w", err)
		}
		sr, err = newSealReader(body, wk.dataKey, env.iv, nil)
	case FormatV3:
		env.iv = make([]byte, v3MessageIDSize)
		if _, err := io.ReadFull(c.rand, env.iv); err != nil {
			return nil, fmt.Errorf("cse: generating a message ID: %w", err)
		}
		var prk, dek []byte
		if env.commitment, prk, err = v3Commitment(wk.dataKey, env.iv); err != nil {
			return nil, err
		}
		dek, err = v3ContentKey(prk)
		clear(prk)
		if err != nil {
			return nil, err
		}
		sr, err = newSealReader(body, dek, v3Nonce, v3SuiteID)
		clear(dek)
	}
	if err != nil {
		return nil, err
	}

	up := &upload{c: c, in: in, env: env, sr: sr, partSize: partSize}
	etag, err := up.run(ctx)
	if err != nil {
		return nil, err
	}
	pub := env.public()
	pub.KMSKeyID = wk.kmsKeyID
	pub.PlaintextSize = sr.plaintextLen()
	return &PutOutput{ETag: etag, Envelope: pub}, nil
}

func (c *Client) checkPut(in PutInput) (int64, error) {
	if in.Bucket == "" || in.Key == "" {
		return 0, errors.New("cse: Put needs a bucket and a key")
	}
	if in.Body == nil {
		return 0, errors.New("cse: Put needs a body")
	}
	if c.opts.Format != FormatV2 && c.opts.Format != FormatV3 {
		return 0, fmt.Errorf("cse: unknown format %v", c.opts.Format)
	}
	if in.Size < -1 || in.Size > gcmMaxPlaintext {
		return 0, fmt.Errorf("cse: a body of %d bytes cannot be encrypted (at most %d)", in.Size, int64(gcmMaxPlaintext))
	}
	partSize := c.opts.PartSize
	if partSize == 0 {
		partSize = DefaultPartSize
	}
	if partSize < gcmBlockSize || partSize%gcmBlockSize != 0 {
		return 0, fmt.Errorf("cse: the part size must be a positive multiple of 16, not %d", partSize)
	}
	if c.opts.Concurrency < 0 {
		return 0, fmt.Errorf("cse: the concurrency must be 0 (the default, %d) or more, not %d", DefaultConcurrency, c.opts.Concurrency)
	}
	if in.Size > partSize*maxParts {
		return 0, fmt.Errorf("cse: %d bytes need more than %d parts of %d bytes", in.Size, maxParts, partSize)
	}
	for k := range in.Metadata {
		if strings.HasPrefix(strings.ToLower(k), "x-amz-") {
			return 0, fmt.Errorf("cse: user metadata key %q: keys starting with x-amz- belong to the encryption envelope", k)
		}
	}
	return partSize, nil
}

// upload writes one encrypted object: one PutObject, or a multipart upload
// whose parts are consecutive slices of the ciphertext stream.
type upload struct {
	c        *Client
	in       PutInput
	env      *envelope
	sr       *sealReader
	partSize int64
	sse      s3.PutObjectInput // the SSE fields in.SSE sets
}

func (u *upload) run(ctx context.Context) (string, error) {
	if u.in.SSE != nil {
		u.in.SSE(&u.sse)
	}
	// One buffer: a part plus 17 bytes, so that a full buffer proves the
	// plaintext is longer than one part (ciphertext = plaintext + 16).
	bufSize := u.partSize + gcmTagSize + 1
	if u.in.Size >= 0 && u.in.Size <= u.partSize {
		bufSize = u.in.Size + gcmTagSize + 1
	}
	buf := u.newBuffer(bufSize)
	n, ended, err := u.fill(buf, 0)
	if err != nil {
		return "", err
	}
	if ended {
		if u.env.plainLen < 0 {
			u.env.plainLen = u.sr.plaintextLen()
		}
		if err := u.checkLength(); err != nil {
			return "", err
		}
		meta, file := buildEnvelope(u.env, u.c.opts.InstructionFile)
		etag, err := u.putObject(ctx, buf[:n], meta)
		if err != nil {
			return "", err
		}
		return etag, u.putInstructionFile(ctx, file)
	}
	if u.in.Size >= 0 && u.in.Size <= u.partSize {
		return "", fmt.Errorf("cse: the body is longer than the %d bytes its Size says", u.in.Size)
	}
	return u.multipart(ctx, buf, n)
}

// fill reads ciphertext into buf[from:]; ended reports the end of the stream.
func (u *upload) fill(buf []byte, from int) (n int, ended bool, err error) {
	m, err := io.ReadFull(u.sr, buf[from:])
	switch {
	case err == io.EOF || err == io.ErrUnexpectedEOF:
		return from + m, true, nil
	case err != nil:
		return 0, false, fmt.Errorf("cse: reading the body: %w", err)
	}
	return from + m, false, nil
}

func (u *upload) checkLength() error {
	if u.in.Size >= 0 && u.sr.plaintextLen() != u.in.Size {
		return fmt.Errorf("cse: the body is not %d bytes long as its Size says", u.in.Size)
	}
	return nil
}

func (u *upload) userMetadata(envelope map[string]string) map[string]string {
	meta := maps.Clone(u.in.Metadata)
	if meta == nil {
		meta = map[string]string{}
	}
	maps.Copy(meta, envelope)
	return meta
}

func (u *upload) putObject(ctx context.Context, body []byte, envelope map[string]string) (string, error) {
	in := u.sse
	in.Bucket, in.Key = aws.String(u.in.Bucket), aws.String(u.in.Key)
	in.Body, in.ContentLength = bytes.NewReader(body), aws.Int64(int64(len(body)))
	in.Metadata = u.userMetadata(envelope)
	if u.in.ContentType != "" {
		in.ContentType = aws.String(u.in.ContentType)
	}
	out, err := u.c.s3.PutObject(ctx, &in)
	if err != nil {
		return "", fmt.Errorf("cse: PutObject s3://%s/%s: %w", u.in.Bucket, u.in.Key, err)
	}
	return aws.ToString(out.ETag), nil
}

// putInstructionFile stores the envelope's instruction file, if any. The
// object is written first: until the file exists, Get reports
// ErrMissingMetadata rather than reading an envelope without its object.
func (u *upload) putInstructionFile(ctx context.Context, file map[string]string) error {
	if file == nil {
		return nil
	}
	body := encodeInstructionFile(file)
	in := u.sse
	in.Bucket, in.Key = aws.String(u.in.Bucket), aws.String(u.in.Key+instructionSuffix)
	in.Body, in.ContentLength = bytes.NewReader(body), aws.Int64(int64(len(body)))
	in.Metadata = map[string]string{instructionMarker: ""}
	if _, err := u.c.s3.PutObject(ctx, &in); err != nil {
		return fmt.Errorf("cse: PutObject of the instruction file s3://%s/%s: %w", u.in.Bucket, u.in.Key+instructionSuffix, err)
	}
	return nil
}

func (u *upload) multipart(ctx context.Context, buf []byte, n int) (etag string, err error) {
	meta, file := buildEnvelope(u.env, u.c.opts.InstructionFile)
	create := &s3.CreateMultipartUploadInput{
		Bucket: aws.String(u.in.Bucket), Key: aws.String(u.in.Key), Metadata: u.userMetadata(meta),
		ServerSideEncryption: u.sse.ServerSideEncryption, SSEKMSKeyId: u.sse.SSEKMSKeyId,
		SSEKMSEncryptionContext: u.sse.SSEKMSEncryptionContext, BucketKeyEnabled: u.sse.BucketKeyEnabled,
		SSECustomerAlgorithm: u.sse.SSECustomerAlgorithm, SSECustomerKey: u.sse.SSECustomerKey,
		SSECustomerKeyMD5: u.sse.SSECustomerKeyMD5,
	}
	if u.in.ContentType != "" {
		create.ContentType = aws.String(u.in.ContentType)
	}
	created, err := u.c.s3.CreateMultipartUpload(ctx, create)
	if err != nil {
		return "", fmt.Errorf("cse: CreateMultipartUpload s3://%s/%s: %w", u.in.Bucket, u.in.Key, err)
	}
	uploadID := created.UploadId
	defer func() {
		if err != nil {
			u.abort(ctx, uploadID)
		}
	}()

	var parts []types.CompletedPart
	if workers := u.concurrency(); workers == 1 {
		parts, err = u.sequentialParts(ctx, uploadID, buf, n)
	} else {
		parts, err = u.pipelinedParts(ctx, uploadID, buf, n, workers)
	}
	if err != nil {
		return "", err
	}
	if err := u.checkLength(); err != nil {
		return "", err
	}
	out, err := u.c.s3.CompleteMultipartUpload(ctx, &s3.CompleteMultipartUploadInput{
		Bucket: aws.String(u.in.Bucket), Key: aws.String(u.in.Key), UploadId: uploadID,
		MultipartUpload:      &types.CompletedMultipartUpload{Parts: parts},
		SSECustomerAlgorithm: u.sse.SSECustomerAlgorithm, SSECustomerKey: u.sse.SSECustomerKey,
		SSECustomerKeyMD5: u.sse.SSECustomerKeyMD5,
	})
	if err != nil {
		return "", fmt.Errorf("cse: CompleteMultipartUpload s3://%s/%s: %w", u.in.Bucket, u.in.Key, err)
	}
	if file != nil && u.env.format == "V2" && u.env.plainLen < 0 {
		// The length was unknown when the metadata was written; the
		// instruction file is written last and can carry it.
		u.env.plainLen = u.sr.plaintextLen()
		_, file = buildEnvelope(u.env, true)
	}
	if err := u.putInstructionFile(ctx, file); err != nil {
		return "", err
	}
	return aws.ToString(out.ETag), nil
}

func (u *upload) uploadPart(ctx context.Context, uploadID *string, number int32, part []byte) (types.CompletedPart, error) {
	out, err := u.c.s3.UploadPart(ctx, &s3.UploadPartInput{
		Bucket: aws.String(u.in.Bucket), Key: aws.String(u.in.Key), UploadId: uploadID,
		PartNumber: aws.Int32(number), Body: bytes.NewReader(part), ContentLength: aws.Int64(int64(len(part))),
		SSECustomerAlgorithm: u.sse.SSECustomerAlgorithm, SSECustomerKey: u.sse.SSECustomerKey,
		SSECustomerKeyMD5: u.sse.SSECustomerKeyMD5,
	})
	if err != nil {
		return types.CompletedPart{}, fmt.Errorf("cse: UploadPart %d of s3://%s/%s: %w", number, u.in.Bucket, u.in.Key, err)
	}
	return types.CompletedPart{
		PartNumber: aws.Int32(number), ETag: out.ETag,
		ChecksumCRC32: out.ChecksumCRC32, ChecksumCRC32C: out.ChecksumCRC32C, ChecksumCRC64NVME: out.ChecksumCRC64NVME,
		ChecksumSHA1: out.ChecksumSHA1, ChecksumSHA256: out.ChecksumSHA256,
	}, nil
}

// abort gives up an upload, even when ctx is already cancelled.
func (u *upload) abort(ctx context.Context, uploadID *string) {
	ctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), time.Minute)
	defer cancel()
	_, _ = u.c.s3.AbortMultipartUpload(ctx, &s3.AbortMultipartUploadInput{
		Bucket: aws.String(u.in.Bucket), Key: aws.String(u.in.Key), UploadId: uploadID,
	})
}

// Get fetches an object and returns a stream of its plaintext. The
// envelope is read from the object's metadata or, when that holds none,
// from its instruction file; the data key is unwrapped before Get returns,
// so a wrong key, a KMS denial or a context mismatch fail here, while a
// changed ciphertext fails at the end of GetOutput.Body.
func (c *Client) Get(ctx context.Context, in GetInput) (*GetOutput, error) {
	if in.Bucket == "" || in.Key == "" {
		return nil, errors.New("cse: Get needs a bucket and a key")
	}
	gin := &s3.GetObjectInput{}
	if in.SSE != nil {
		in.SSE(gin)
	}
	gin.Bucket, gin.Key = aws.String(in.Bucket), aws.String(in.Key)
	out, err := c.s3.GetObject(ctx, gin)
	if err != nil {
		return nil, fmt.Errorf("cse: GetObject s3://%s/%s: %w", in.Bucket, in.Key, err)
	}
	result, err := c.open(ctx, in, out)
	if err != nil {
		out.Body.Close()
		return nil, err
	}
	return result, nil
}

func (c *Client) open(ctx context.Context, in GetInput, out *s3.GetObjectOutput) (*GetOutput, error) {
	env, userMeta, err := loadEnvelope(ctx, c.s3, in.Bucket, in.Key, out.Metadata, in.SSE)
	if err != nil {
		return nil, err
	}
	if !env.authenticated() && !c.opts.AllowLegacyV1 {
		return nil, fmt.Errorf("%w: %s content is unauthenticated and read only with Options.AllowLegacyV1", ErrUnsupportedFormat, env.cekAlg)
	}
	size, err := plaintextSize(env, out.ContentLength)
	if err != nil {
		return nil, err
	}
	if err := checkContext(env, in.EncryptionContext); err != nil {
		return nil, err
	}
	key, err := c.keyring.unwrap(ctx, env, c.opts.AllowLegacyV1)
	if err != nil {
		return nil, err
	}
	defer clear(key.dataKey)
	plain, err := openContent(env, key.dataKey, out.Body, size)
	if err != nil {
		return nil, err
	}
	pub := env.public()
	if key.kmsKeyID != "" {
		pub.KMSKeyID = key.kmsKeyID
	}
	pub.PlaintextSize = size
	return &GetOutput{
		Body:     readCloser{Reader: plain, Closer: out.Body},
		Size:     size,
		Envelope: pub, ContentType: aws.ToString(out.ContentType), Metadata: userMeta,
	}, nil
}

type readCloser struct {
	io.Reader
	io.Closer
}

// GetAll reads an object of at most maxSize plaintext bytes into memory
// and returns its plaintext only once all of it is authenticated (for
// legacy AES/CBC content: once its padding and length check). Larger
// objects fail before any is read when their size is known.
func (c *Client) GetAll(ctx context.Context, in GetInput, maxSize int64) ([]byte, *Envelope, error) {
	out, err := c.Get(ctx, in)
	if err != nil {
		return nil, nil, err
	}
	defer out.Body.Close()
	if out.Size > maxSize {
		return nil, nil, fmt.Errorf("cse: s3://%s/%s has %d bytes, more than %d", in.Bucket, in.Key, out.Size, maxSize)
	}
	data, err := io.ReadAll(io.LimitReader(out.Body, maxSize+1))
	if err != nil {
		clear(data)
		return nil, nil, err
	}
	if int64(len(data)) > maxSize {
		clear(data)
		return nil, nil, fmt.Errorf("cse: s3://%s/%s has more than %d bytes", in.Bucket, in.Key, maxSize)
	}
	return data, &out.Envelope, nil
}

// plaintextSize checks the stored ciphertext length against the envelope
// and returns the plaintext length (or -1).
func plaintextSize(env *envelope, contentLength *int64) (int64, error) {
	if contentLength == nil {
		return env.plainLen, nil
	}
	cl := *contentLength
	if !env.authenticated() {
		if cl < 16 || cl%16 != 0 || (env.plainLen >= 0 && cl != (env.plainLen/16+1)*16) {
			return 0, fmt.Errorf("%w: %d bytes of AES/CBC ciphertext for %d bytes of plaintext", ErrTampered, cl, env.plainLen)
		}
		return env.plainLen, nil
	}
	if cl < gcmTagSize {
		return 0, fmt.Errorf("%w: the object is %d bytes, shorter than its authentication tag", ErrTampered, cl)
	}
	if env.plainLen >= 0 && cl != env.plainLen+gcmTagSize {
		return 0, fmt.Errorf("%w: the object is %d bytes, the envelope says %d bytes of plaintext", ErrTampered, cl, env.plainLen)
	}
	return cl - gcmTagSize, nil
}

// checkContext compares the caller's context with the stored one. For KMS
// wrapping KMS itself authenticates the stored context, so the comparison
// only applies when the caller gives one; the raw keyrings' material
// description is authenticated by nothing, so it must be what the caller
// expects ({} unless given).
func checkContext(env *envelope, given map[string]string) error {
	stored := maps.Clone(env.context)
	kmsWrapped := env.wrapAlg == wrapKMSEC || env.wrapAlg == wrapKMS
	if kmsWrapped {
		delete(stored, contextCEKKey)
		delete(stored, contextCMKKey)
		if given == nil {
			return nil
		}
	}
	if !maps.Equal(stored, given) && (len(stored) != 0 || len(given) != 0) {
		if kmsWrapped {
			return fmt.Errorf("%w: the encryption context given (%d keys) is not the object's (%d keys, reserved keys aside)", ErrContextMismatch, len(given), len(stored))
		}
		return fmt.Errorf("%w: the object's material description (%d keys) is not the one given (%d keys)", ErrContextMismatch, len(stored), len(given))
	}
	return nil
}

// Inspect reads the envelope (object metadata or instruction file) without
// decrypting anything or calling a KMS.
func Inspect(ctx context.Context, client S3API, bucket, key string) (*Envelope, error) {
	if bucket == "" || key == "" {
		return nil, errors.New("cse: Inspect needs a bucket and a key")
	}
	head, err := client.HeadObject(ctx, &s3.HeadObjectInput{Bucket: aws.String(bucket), Key: aws.String(key)})
	if err != nil {
		return nil, fmt.Errorf("cse: HeadObject s3://%s/%s: %w", bucket, key, err)
	}
	env, _, err := loadEnvelope(ctx, client, bucket, key, head.Metadata, nil)
	if err != nil {
		return nil, err
	}
	pub := env.public()
	if pub.PlaintextSize < 0 && env.authenticated() && head.ContentLength != nil && *head.ContentLength >= gcmTagSize {
		pub.PlaintextSize = *head.ContentLength - gcmTagSize
	}
	return &pub, nil
}

// loadEnvelope finds and parses an object's envelope: in its metadata, or
// else in its instruction file. It also returns the user metadata that is
// not part of the envelope.
func loadEnvelope(ctx context.Context, client S3API, bucket, key string, metadata map[string]string, sse func(*s3.GetObjectInput)) (*envelope, map[string]string, error) {
	meta, err := normalizeMetadata(metadata)
	if err != nil {
		return nil, nil, err
	}
	userMeta := map[string]string{}
	for k, v := range meta {
		if !strings.HasPrefix(k, "x-amz-") {
			userMeta[k] = v
		}
	}
	format, err := detectFormat(meta)
	if err != nil {
		return nil, nil, err
	}
	if format != "" {
		env, err := parseEnvelope(meta, format, LocationMetadata)
		return env, userMeta, err
	}
	if partialEnvelope(meta) {
		return nil, nil, fmt.Errorf("%w: the metadata of s3://%s/%s holds part of an envelope", ErrMissingMetadata, bucket, key)
	}
	file, err := readInstructionFile(ctx, client, bucket, key+instructionSuffix, sse)
	if err != nil {
		return nil, nil, err
	}
	if file == nil {
		if hasAny(meta, objectSideV3Keys...) {
			return nil, nil, fmt.Errorf("%w: s3://%s/%s has V3 keys but no instruction file", ErrMissingMetadata, bucket, key)
		}
		return nil, nil, fmt.Errorf("%w: s3://%s/%s has no envelope and no instruction file", ErrNotEncrypted, bucket, key)
	}
	merged, err := mergeInstructionFile(meta, file)
	if err != nil {
		return nil, nil, err
	}
	if format, err = detectFormat(merged); err != nil {
		return nil, nil, err
	}
	if format == "" {
		return nil, nil, fmt.Errorf("%w: the instruction file of s3://%s/%s is incomplete", ErrMissingMetadata, bucket, key)
	}
	env, err := parseEnvelope(merged, format, LocationInstructionFile)
	return env, userMeta, err
}

// readInstructionFile returns the mapkeys of an instruction file, or nil
// if there is none.
func readInstructionFile(ctx context.Context, client S3API, bucket, key string, sse func(*s3.GetObjectInput)) (map[string]string, error) {
	in := &s3.GetObjectInput{}
	if sse != nil {
		sse(in)
	}
	in.Bucket, in.Key = aws.String(bucket), aws.String(key)
	out, err := client.GetObject(ctx, in)
	if err != nil {
		if isNotFound(err) {
			return nil, nil
		}
		return nil, fmt.Errorf("cse: GetObject of the instruction file s3://%s/%s: %w", bucket, key, err)
	}
	defer out.Body.Close()
	body, err := io.ReadAll(io.LimitReader(out.Body, maxInstructionFile+1))
	if err != nil {
		return nil, fmt.Errorf("cse: reading the instruction file s3://%s/%s: %w", bucket, key, err)
	}
	if len(body) > maxInstructionFile {
		return nil, fmt.Errorf("%w: the instruction file s3://%s/%s is larger than %d bytes", ErrTampered, bucket, key, maxInstructionFile)
	}
	return parseInstructionFile(body)
}

func isNotFound(err error) bool {
	var noKey *types.NoSuchKey
	if errors.As(err, &noKey) {
		return true
	}
	var apiErr smithy.APIError
	return errors.As(err, &apiErr) && (apiErr.ErrorCode() == "NoSuchKey" || apiErr.ErrorCode() == "NotFound")
}
