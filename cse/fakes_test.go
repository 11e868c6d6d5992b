package cse

import (
	"bytes"
	"context"
	"crypto/aes"
	"crypto/cipher"
	"crypto/rand"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"maps"
	"strings"
	"sync"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/kms"
	kmstypes "github.com/aws/aws-sdk-go-v2/service/kms/types"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/aws-sdk-go-v2/service/s3/types"
	"github.com/aws/smithy-go"
)

// fakeS3 is an in-memory S3API that behaves as the SDK presents S3:
// metadata keys come back lowercased, a missing key is *types.NoSuchKey
// (GetObject) or *types.NotFound (HeadObject).
type fakeS3 struct {
	mu      sync.Mutex
	objects map[string]*fakeObject
	uploads map[string]*fakeUpload
	nextID  int
	// fail, when set, may fail an operation ("PutObject", "UploadPart 2", ...).
	fail func(op string) error
	// log of the operations done, in order.
	ops     []string
	aborted []string
	// discard keeps only the length of object bodies (for memory tests).
	discard bool
	// beforePart, when set, runs first in UploadPart, outside the lock (so
	// that it may block or sleep while other parts go on); an error it
	// returns is UploadPart's. afterPart runs after a part is stored.
	beforePart func(ctx context.Context, part int32) error
	afterPart  func(part int32)
	// partCalls lists the part numbers UploadPart was called with, and
	// partsDone those stored, in order; inFlight counts the UploadPart
	// calls under way and maxInFlight the most at once.
	partCalls, partsDone  []int32
	inFlight, maxInFlight int
}

type fakeObject struct {
	body        []byte
	size        int64
	meta        map[string]string
	contentType string
	sse         types.ServerSideEncryption
	parts       []int64 // part sizes when written by multipart
}

type fakeUpload struct {
	bucket, key string
	meta        map[string]string
	contentType string
	parts       map[int32][]byte
	sizes       map[int32]int64
}

var _ S3API = (*fakeS3)(nil)

func newFakeS3() *fakeS3 {
	return &fakeS3{objects: map[string]*fakeObject{}, uploads: map[string]*fakeUpload{}}
}

func (f *fakeS3) record(op string) error {
	f.ops = append(f.ops, op)
	if f.fail != nil {
		return f.fail(op)
	}
	return nil
}

func lowerKeys(m map[string]string) map[string]string {
	out := make(map[string]string, len(m))
	for k, v := range m {
		out[strings.ToLower(k)] = v
	}
	return out
}

func (f *fakeS3) readBody(r io.Reader) ([]byte, int64, error) {
	if f.discard {
		n, err := io.Copy(io.Discard, r)
		return nil, n, err
	}
	b, err := io.ReadAll(r)
	return b, int64(len(b)), err
}

func (f *fakeS3) PutObject(_ context.Context, in *s3.PutObjectInput, _ ...func(*s3.Options)) (*s3.PutObjectOutput, error) {
	body, n, err := f.readBody(in.Body)
	if err != nil {
		return nil, err
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	if err := f.record("PutObject"); err != nil {
		return nil, err
	}
	if in.ContentLength != nil && *in.ContentLength != n {
		return nil, fmt.Errorf("fake s3: ContentLength %d for a %d-byte body", *in.ContentLength, n)
	}
	f.objects[aws.ToString(in.Bucket)+"/"+aws.ToString(in.Key)] = &fakeObject{
		body: body, size: n, meta: lowerKeys(in.Metadata), contentType: aws.ToString(in.ContentType),
		sse: in.ServerSideEncryption,
	}
	return &s3.PutObjectOutput{ETag: aws.String(fmt.Sprintf(`"etag-%d"`, n))}, nil
}

func (f *fakeS3) object(bucket, key *string) (*fakeObject, bool) {
	o, ok := f.objects[aws.ToString(bucket)+"/"+aws.ToString(key)]
	return o, ok
}

func (f *fakeS3) GetObject(_ context.Context, in *s3.GetObjectInput, _ ...func(*s3.Options)) (*s3.GetObjectOutput, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if err := f.record("GetObject"); err != nil {
		return nil, err
	}
	o, ok := f.object(in.Bucket, in.Key)
	if !ok {
		return nil, &types.NoSuchKey{Message: aws.String("The specified key does not exist.")}
	}
	return &s3.GetObjectOutput{
		Body: io.NopCloser(bytes.NewReader(bytes.Clone(o.body))), ContentLength: aws.Int64(o.size),
		Metadata: maps.Clone(o.meta), ContentType: aws.String(o.contentType),
	}, nil
}

func (f *fakeS3) HeadObject(_ context.Context, in *s3.HeadObjectInput, _ ...func(*s3.Options)) (*s3.HeadObjectOutput, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if err := f.record("HeadObject"); err != nil {
		return nil, err
	}
	o, ok := f.object(in.Bucket, in.Key)
	if !ok {
		return nil, &types.NotFound{}
	}
	return &s3.HeadObjectOutput{ContentLength: aws.Int64(o.size), Metadata: maps.Clone(o.meta), ContentType: aws.String(o.contentType)}, nil
}

func (f *fakeS3) CreateMultipartUpload(_ context.Context, in *s3.CreateMultipartUploadInput, _ ...func(*s3.Options)) (*s3.CreateMultipartUploadOutput, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if err := f.record("CreateMultipartUpload"); err != nil {
		return nil, err
	}
	f.nextID++
	id := fmt.Sprintf("upload-%d", f.nextID)
	f.uploads[id] = &fakeUpload{
		bucket: aws.ToString(in.Bucket), key: aws.ToString(in.Key), meta: lowerKeys(in.Metadata),
		contentType: aws.ToString(in.ContentType), parts: map[int32][]byte{}, sizes: map[int32]int64{},
	}
	return &s3.CreateMultipartUploadOutput{UploadId: aws.String(id)}, nil
}

func (f *fakeS3) UploadPart(ctx context.Context, in *s3.UploadPartInput, _ ...func(*s3.Options)) (*s3.UploadPartOutput, error) {
	number := aws.ToInt32(in.PartNumber)
	f.mu.Lock()
	f.partCalls = append(f.partCalls, number)
	f.inFlight++
	f.maxInFlight = max(f.maxInFlight, f.inFlight)
	f.mu.Unlock()
	defer func() {
		f.mu.Lock()
		f.inFlight--
		f.mu.Unlock()
	}()
	if f.beforePart != nil {
		if err := f.beforePart(ctx, number); err != nil {
			return nil, err
		}
	}
	out, err := f.uploadPart(in)
	if err == nil && f.afterPart != nil {
		f.afterPart(number)
	}
	return out, err
}

func (f *fakeS3) uploadPart(in *s3.UploadPartInput) (*s3.UploadPartOutput, error) {
	body, n, err := f.readBody(in.Body)
	if err != nil {
		return nil, err
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	if err := f.record(fmt.Sprintf("UploadPart %d", aws.ToInt32(in.PartNumber))); err != nil {
		return nil, err
	}
	u, ok := f.uploads[aws.ToString(in.UploadId)]
	if !ok {
		return nil, &smithy.GenericAPIError{Code: "NoSuchUpload"}
	}
	u.parts[aws.ToInt32(in.PartNumber)] = body
	u.sizes[aws.ToInt32(in.PartNumber)] = n
	f.partsDone = append(f.partsDone, aws.ToInt32(in.PartNumber))
	return &s3.UploadPartOutput{ETag: aws.String(fmt.Sprintf(`"part-%d"`, aws.ToInt32(in.PartNumber)))}, nil
}

func (f *fakeS3) CompleteMultipartUpload(_ context.Context, in *s3.CompleteMultipartUploadInput, _ ...func(*s3.Options)) (*s3.CompleteMultipartUploadOutput, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if err := f.record("CompleteMultipartUpload"); err != nil {
		return nil, err
	}
	u, ok := f.uploads[aws.ToString(in.UploadId)]
	if !ok {
		return nil, &smithy.GenericAPIError{Code: "NoSuchUpload"}
	}
	o := &fakeObject{meta: u.meta, contentType: u.contentType}
	for i, p := range in.MultipartUpload.Parts {
		if aws.ToInt32(p.PartNumber) != int32(i+1) {
			return nil, &smithy.GenericAPIError{Code: "InvalidPartOrder"}
		}
		o.body = append(o.body, u.parts[int32(i+1)]...)
		o.size += u.sizes[int32(i+1)]
		o.parts = append(o.parts, u.sizes[int32(i+1)])
	}
	f.objects[u.bucket+"/"+u.key] = o
	delete(f.uploads, aws.ToString(in.UploadId))
	return &s3.CompleteMultipartUploadOutput{ETag: aws.String(fmt.Sprintf(`"mpu-%d"`, len(in.MultipartUpload.Parts)))}, nil
}

func (f *fakeS3) AbortMultipartUpload(_ context.Context, in *s3.AbortMultipartUploadInput, _ ...func(*s3.Options)) (*s3.AbortMultipartUploadOutput, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.ops = append(f.ops, "AbortMultipartUpload")
	f.aborted = append(f.aborted, aws.ToString(in.UploadId))
	delete(f.uploads, aws.ToString(in.UploadId))
	return &s3.AbortMultipartUploadOutput{}, nil
}

// stored returns a copy of an object's metadata and body.
func (f *fakeS3) stored(bucket, key string) (map[string]string, []byte, bool) {
	f.mu.Lock()
	defer f.mu.Unlock()
	o, ok := f.objects[bucket+"/"+key]
	if !ok {
		return nil, nil, false
	}
	return maps.Clone(o.meta), bytes.Clone(o.body), true
}

func (f *fakeS3) set(bucket, key string, meta map[string]string, body []byte) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.objects[bucket+"/"+key] = &fakeObject{body: bytes.Clone(body), size: int64(len(body)), meta: lowerKeys(meta)}
}

func (f *fakeS3) remove(bucket, key string) {
	f.mu.Lock()
	defer f.mu.Unlock()
	delete(f.objects, bucket+"/"+key)
}

func (f *fakeS3) count(op string) int {
	f.mu.Lock()
	defer f.mu.Unlock()
	n := 0
	for _, o := range f.ops {
		if o == op || strings.HasPrefix(o, op+" ") {
			n++
		}
	}
	return n
}

// fakeKMS is a KMSAPI with AES-GCM-sealed blobs: a blob names its key's
// ARN and seals the data key under that key's secret with the canonical
// JSON of the encryption context as additional data, so Decrypt fails with
// InvalidCiphertextException on any other context, and with
// IncorrectKeyException when the KeyId given is not the blob's key.
type fakeKMS struct {
	mu       sync.Mutex
	secrets  map[string][]byte // key ARN -> secret
	aliases  map[string]string // alias/name -> key ARN
	disabled map[string]bool
	calls    []string
	// fixed, when set, is the data key and blob GenerateDataKey hands out
	// and the only blob Decrypt accepts besides sealed ones (vectors).
	fixed *fixedDataKey
}

type fixedDataKey struct {
	plaintext, blob []byte
	keyARN          string
	context         map[string]string // the context Decrypt requires
}

var _ KMSAPI = (*fakeKMS)(nil)

const fakeAccount = "arn:aws:kms:us-east-1:111122223333:key/"

func newFakeKMS(keyIDs ...string) *fakeKMS {
	k := &fakeKMS{secrets: map[string][]byte{}, aliases: map[string]string{}, disabled: map[string]bool{}}
	for _, id := range keyIDs {
		secret := make([]byte, 32)
		rand.Read(secret)
		k.secrets[fakeAccount+id] = secret
		k.aliases["alias/"+id] = fakeAccount + id
	}
	return k
}

func (k *fakeKMS) resolve(id string) (string, bool) {
	if _, ok := k.secrets[id]; ok {
		return id, true
	}
	if _, ok := k.secrets[fakeAccount+id]; ok {
		return fakeAccount + id, true
	}
	arn, ok := k.aliases[strings.TrimPrefix(id, "arn:aws:kms:us-east-1:111122223333:")]
	return arn, ok
}

func (k *fakeKMS) aead(arn string) cipher.AEAD {
	block, _ := aes.NewCipher(k.secrets[arn])
	aead, _ := cipher.NewGCM(block)
	return aead
}

func canonicalContext(ec map[string]string) []byte {
	b, _ := json.Marshal(ec)
	return b
}

func (k *fakeKMS) GenerateDataKey(_ context.Context, in *kms.GenerateDataKeyInput, _ ...func(*kms.Options)) (*kms.GenerateDataKeyOutput, error) {
	k.mu.Lock()
	defer k.mu.Unlock()
	k.calls = append(k.calls, "GenerateDataKey")
	if in.KeySpec != kmstypes.DataKeySpecAes256 {
		return nil, &smithy.GenericAPIError{Code: "ValidationException"}
	}
	if k.fixed != nil {
		return &kms.GenerateDataKeyOutput{Plaintext: bytes.Clone(k.fixed.plaintext), CiphertextBlob: bytes.Clone(k.fixed.blob), KeyId: aws.String(k.fixed.keyARN)}, nil
	}
	arn, ok := k.resolve(aws.ToString(in.KeyId))
	if !ok {
		return nil, &kmstypes.NotFoundException{Message: aws.String("key not found")}
	}
	if k.disabled[arn] {
		return nil, &kmstypes.DisabledException{}
	}
	plaintext := make([]byte, 32)
	rand.Read(plaintext)
	nonce := make([]byte, 12)
	rand.Read(nonce)
	blob := append([]byte{byte(len(arn))}, arn...)
	blob = append(blob, nonce...)
	blob = k.aead(arn).Seal(blob, nonce, plaintext, canonicalContext(in.EncryptionContext))
	return &kms.GenerateDataKeyOutput{Plaintext: plaintext, CiphertextBlob: blob, KeyId: aws.String(arn)}, nil
}

func (k *fakeKMS) Decrypt(_ context.Context, in *kms.DecryptInput, _ ...func(*kms.Options)) (*kms.DecryptOutput, error) {
	k.mu.Lock()
	defer k.mu.Unlock()
	k.calls = append(k.calls, "Decrypt")
	blob := in.CiphertextBlob
	if k.fixed != nil && bytes.Equal(blob, k.fixed.blob) {
		if in.KeyId != nil {
			if arn, _ := k.resolve(*in.KeyId); arn != k.fixed.keyARN && *in.KeyId != k.fixed.keyARN {
				return nil, &kmstypes.IncorrectKeyException{}
			}
		}
		if !maps.Equal(in.EncryptionContext, k.fixed.context) {
			return nil, &kmstypes.InvalidCiphertextException{}
		}
		return &kms.DecryptOutput{Plaintext: bytes.Clone(k.fixed.plaintext), KeyId: aws.String(k.fixed.keyARN)}, nil
	}
	if len(blob) < 1 || len(blob) < 1+int(blob[0])+12+16 {
		return nil, &kmstypes.InvalidCiphertextException{}
	}
	arn := string(blob[1 : 1+blob[0]])
	if _, ok := k.secrets[arn]; !ok {
		return nil, &kmstypes.InvalidCiphertextException{}
	}
	if in.KeyId != nil {
		want, ok := k.resolve(*in.KeyId)
		if !ok {
			return nil, &kmstypes.NotFoundException{}
		}
		if want != arn {
			return nil, &kmstypes.IncorrectKeyException{}
		}
	}
	if k.disabled[arn] {
		return nil, &kmstypes.DisabledException{}
	}
	rest := blob[1+blob[0]:]
	plaintext, err := k.aead(arn).Open(nil, rest[:12], rest[12:], canonicalContext(in.EncryptionContext))
	if err != nil {
		return nil, &kmstypes.InvalidCiphertextException{}
	}
	return &kms.DecryptOutput{Plaintext: plaintext, KeyId: aws.String(arn)}, nil
}

func (k *fakeKMS) Encrypt(context.Context, *kms.EncryptInput, ...func(*kms.Options)) (*kms.EncryptOutput, error) {
	return nil, errors.New("fake KMS: Encrypt is not used by cse")
}

func (k *fakeKMS) callCount() int {
	k.mu.Lock()
	defer k.mu.Unlock()
	return len(k.calls)
}
