package sse

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"time"

	"github.com/cofferlabs/coffer"
)

// kmsRequest is what an SSE-KMS write asks of the KMS.
type kmsRequest struct {
	KeyID     string            // as the client gave it; "" means alias/aws/s3
	Context   map[string]string // the caller's additional context
	BucketKey bool
}

// kmsSealer is SSE-KMS: an object's random data key is sealed under a
// key-encryption key (KEK) that the KMS generates and protects. Without a
// bucket key the KEK is a KMS data key for the object alone (its context
// names the object); with one it is the bucket's key (its context names
// the bucket), kept in memory per caller for a bounded time. Every KMS
// call acts as the caller in ctx, via S3.
type kmsSealer struct {
	km     coffer.KeyManager
	random io.Reader
	// writeKeys holds bucket keys for new objects, by bucket, key id as
	// requested, caller and caller context; readKeys holds bucket keys
	// opened for reads, by blob, context and caller.
	writeKeys *keyCache
	readKeys  *keyCache
}

func newKMSSealer(km coffer.KeyManager, ttl time.Duration, now func() time.Time) *kmsSealer {
	return &kmsSealer{
		km: km, random: rand.Reader,
		writeKeys: newKeyCache(ttl, maxCachedKeys, now),
		readKeys:  newKeyCache(ttl, maxCachedKeys, now),
	}
}

// seal seals dataKey for b under the KEK req calls for and returns the
// sealed blob with the ARN of the KMS key behind it: one KMS call
// (GenerateDataKey), or none when a cached bucket key serves.
func (k *kmsSealer) seal(ctx context.Context, b keyBinding, req kmsRequest, dataKey []byte) ([]byte, string, error) {
	if err := checkKMSCaller(ctx); err != nil {
		return nil, "", err
	}
	userContext, err := encodeContext(req.Context)
	if err != nil {
		return nil, "", fmt.Errorf("sse: caller's encryption context: %w", err)
	}
	source := keySourceObject
	var kek cachedKEK
	if req.BucketKey {
		source = keySourceBucket
		id := cacheID("w", b.Bucket, req.KeyID, callerARN(ctx), string(userContext))
		kek, err = k.writeKeys.get(ctx, id, func() (cachedKEK, error) {
			return k.generate(ctx, req.KeyID, kmsContext(req.Context, bucketARN(b.Bucket)))
		})
	} else {
		kek, err = k.generate(ctx, req.KeyID, kmsContext(req.Context, objectARN(b.Bucket, b.Key)))
	}
	if err != nil {
		return nil, "", err
	}
	header, err := encodeKMSHeader(source, kek.keyARN, userContext, kek.blob)
	if err != nil {
		return nil, "", err
	}
	nonce := make([]byte, gcmNonceSize)
	if err := readRandom(k.random, nonce); err != nil {
		return nil, "", err
	}
	return sealKMSDataKey(kek.kek, header, b, dataKey, nonce), kek.keyARN, nil
}

// generate asks the KMS for a fresh KEK bound to ec.
func (k *kmsSealer) generate(ctx context.Context, keyID string, ec map[string]string) (cachedKEK, error) {
	plain, blob, keyARN, err := k.km.GenerateDataKey(viaS3(ctx), keyID, ec)
	if err != nil {
		return cachedKEK{}, fmt.Errorf("sse: KMS GenerateDataKey: %w", err)
	}
	defer clear(plain)
	kek, err := deriveKEK(plain)
	if err != nil {
		return cachedKEK{}, err
	}
	return cachedKEK{kek: kek, keyARN: keyARN, blob: blob}, nil
}

// open unseals the data key of an SSE-KMS blob: one KMS call (Decrypt), or
// none when the caller opened the same bucket key within the TTL.
func (k *kmsSealer) open(ctx context.Context, b keyBinding, sealed []byte) ([]byte, error) {
	parsed, err := parseKMSSealed(sealed)
	if err != nil {
		return nil, sealedKeyError(b, err)
	}
	if err := checkKMSCaller(ctx); err != nil {
		return nil, err
	}
	user, _ := decodeContext(parsed.context) // parseKMSSealed checked it
	scope := objectARN(b.Bucket, b.Key)
	if parsed.source == keySourceBucket {
		scope = bucketARN(b.Bucket)
	}
	ec := kmsContext(user, scope)
	decrypt := func() (cachedKEK, error) { return k.decrypt(ctx, b, parsed, ec) }
	var kek cachedKEK
	if parsed.source == keySourceBucket {
		ecBytes, _ := encodeContext(ec)
		blobSum := sha256.Sum256(parsed.blob)
		kek, err = k.readKeys.get(ctx, cacheID("r", string(blobSum[:]), string(ecBytes), callerARN(ctx)), decrypt)
	} else {
		kek, err = decrypt()
	}
	if err != nil {
		return nil, err
	}
	if kek.keyARN != parsed.keyARN {
		return nil, sealedKeyError(b, errors.New("the KMS blob belongs to another key than the record names"))
	}
	key, err := openKMSDataKey(kek.kek, parsed, b)
	if err != nil {
		return nil, sealedKeyError(b, err)
	}
	return key, nil
}

// decrypt asks the KMS to open a KEK. A blob the KMS cannot open for
// this context is a broken record, not the client's mistake.
func (k *kmsSealer) decrypt(ctx context.Context, b keyBinding, parsed kmsSealed, ec map[string]string) (cachedKEK, error) {
	plain, keyARN, err := k.km.Decrypt(viaS3(ctx), parsed.blob, ec)
	if err != nil {
		var kmsErr *coffer.KMSError
		if errors.As(err, &kmsErr) && (kmsErr.Code == "InvalidCiphertextException" || kmsErr.Code == "IncorrectKeyException") {
			return cachedKEK{}, sealedKeyError(b, fmt.Errorf("KMS refused the stored blob (%s)", kmsErr.Code))
		}
		return cachedKEK{}, fmt.Errorf("sse: KMS Decrypt: %w", err)
	}
	defer clear(plain)
	kek, err := deriveKEK(plain)
	if err != nil {
		return cachedKEK{}, err
	}
	return cachedKEK{kek: kek, keyARN: keyARN, blob: parsed.blob}, nil
}

// callerARN names the caller a cached bucket key was released to; "" for
// internal callers, which carry no principal.
func callerARN(ctx context.Context) string {
	p, _ := coffer.PrincipalFrom(ctx)
	return p.ARN
}

// cacheID joins fields with a length before each, so no two field lists
// give one id.
func cacheID(fields ...string) string {
	var out []byte
	for _, f := range fields {
		out = binary.BigEndian.AppendUint32(out, uint32(len(f)))
		out = append(out, f...)
	}
	return string(out)
}
