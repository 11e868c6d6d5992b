package sse

import (
	"context"
	"errors"
	"fmt"
	"regexp"
	"strings"

	"github.com/cofferlabs/coffer"
)

// kmsKeyARNPattern is the shape UpdateObjectEncryption requires of its key
// (botocore's NonEmptyKmsKeyArnString): a full key ARN, no id or alias.
var kmsKeyARNPattern = regexp.MustCompile(`^arn:aws[a-zA-Z0-9-]*:kms:[a-z0-9-]+:([0-9]{12}):key/[a-zA-Z0-9-]+$`)

// UpdateObjectEncryption re-wraps an object's data key for SSE-KMS under
// the key ARN enc names, with or without a bucket key, leaving its data
// and everything the API reports but the encryption unchanged: for an
// SSE-S3 object that includes its ETag, which stays the plaintext MD5.
// It costs one KMS call to open the old key (none for SSE-S3) and one to
// seal the new one (none when a cached bucket key serves).
func (s *Service) UpdateObjectEncryption(ctx context.Context, bucket, key string, enc coffer.EncryptionRequest) (coffer.ObjectInfo, error) {
	info, from, err := s.updateObjectEncryption(ctx, bucket, key, enc)
	s.auditUpdateEncryption(ctx, bucket, key, enc, from, info, err)
	return info, err
}

func (s *Service) updateObjectEncryption(ctx context.Context, bucket, key string, enc coffer.EncryptionRequest) (coffer.ObjectInfo, coffer.EncryptionInfo, error) {
	if err := coffer.ValidateObjectKey(key); err != nil {
		return coffer.ObjectInfo{}, coffer.EncryptionInfo{}, err
	}
	target, err := s.updateTarget(enc)
	if err != nil {
		return coffer.ObjectInfo{}, coffer.EncryptionInfo{}, err
	}
	if _, err := s.bucket(ctx, bucket); err != nil {
		return coffer.ObjectInfo{}, coffer.EncryptionInfo{}, err
	}
	info, from, err := s.rewrapOnce(ctx, bucket, key, target)
	if errors.Is(err, coffer.ErrConcurrentUpdate) {
		// Replaced while we re-wrapped: re-wrap what replaced it.
		info, from, err = s.rewrapOnce(ctx, bucket, key, target)
	}
	return info, from, err
}

// rewrapOnce opens the current record's data key and stores it sealed as
// target says, provided the object was not replaced meanwhile.
func (s *Service) rewrapOnce(ctx context.Context, bucket, key string, target kmsRequest) (coffer.ObjectInfo, coffer.EncryptionInfo, error) {
	rec, err := s.store.GetObject(ctx, bucket, key)
	if err != nil {
		return coffer.ObjectInfo{}, coffer.EncryptionInfo{}, err
	}
	return s.rewrapRecord(ctx, rec, target)
}

// rewrapRecord re-wraps the data key of rec, as read from the store. A
// failure to open the current key comes back as a *sourceKeyError, so a
// bulk re-key can pass over that object and go on.
func (s *Service) rewrapRecord(ctx context.Context, rec coffer.ObjectRecord, target kmsRequest) (coffer.ObjectInfo, coffer.EncryptionInfo, error) {
	from := rec.Encryption
	if from.Type != coffer.SSES3 && from.Type != coffer.SSEKMS {
		return coffer.ObjectInfo{}, from, &sourceKeyError{invalidUpdate("The UpdateObjectEncryption operation doesn't support source objects with the encryption type DSSE-KMS or SSE-C. Only source objects encrypted with SSE-S3 or SSE-KMS are supported.")}
	}
	dataKey, err := s.openDataKeyOf(ctx, bindingOf(rec), rec.SealedKey, nil)
	if err != nil {
		return coffer.ObjectInfo{}, from, &sourceKeyError{err}
	}
	defer clear(dataKey)
	if from.Type == coffer.SSEKMS {
		// The object's own context stays with it: GETs replay it.
		parsed, err := parseKMSSealed(rec.SealedKey)
		if err != nil {
			return coffer.ObjectInfo{}, from, &sourceKeyError{sealedKeyError(bindingOf(rec), err)}
		}
		target.Context, _ = decodeContext(parsed.context)
	}
	rec.Encryption = coffer.EncryptionInfo{Type: coffer.SSEKMS}
	sealed, info, err := s.sealDataKey(ctx, bindingOf(rec), writeEncryption{Type: coffer.SSEKMS, KMS: target}, dataKey)
	if err != nil {
		return coffer.ObjectInfo{}, from, err
	}
	rec.Encryption, rec.SealedKey = info, sealed
	if err := s.store.UpdateObject(ctx, rec); err != nil {
		return coffer.ObjectInfo{}, from, err
	}
	return rec.Info(), from, nil
}

// updateTarget checks what UpdateObjectEncryption may change an object
// to: SSE-KMS under a full key ARN of this account.
func (s *Service) updateTarget(enc coffer.EncryptionRequest) (kmsRequest, error) {
	switch {
	case enc.Type == coffer.SSEC || enc.Type == sseDSSE || enc.CustomerKey != nil:
		return kmsRequest{}, invalidUpdate("The UpdateObjectEncryption operation doesn't support updating the encryption type to DSSE-KMS or SSE-C. Modify the request to specify SSE-KMS for the updated encryption type, and then try again.")
	case enc.Type != coffer.SSEKMS:
		return kmsRequest{}, invalidUpdate("Requests that modify an object encryption configuration require a valid new encryption type. Valid values are SSEKMS. Modify the request to specify SSE-KMS for the updated encryption type, and then try again.")
	case enc.KMSKeyID == "":
		return kmsRequest{}, invalidUpdate("Requests that modify an object's encryption type to SSE-KMS require an AWS KMS key Amazon Resource Name (ARN). Modify the request to specify a KMS key ARN, and then try again.")
	case len(enc.KMSContext) > 0:
		return kmsRequest{}, invalidUpdate("Requests that modify an object encryption configuration take no encryption context.")
	}
	m := kmsKeyARNPattern.FindStringSubmatch(enc.KMSKeyID)
	if m == nil || len(enc.KMSKeyID) > maxKeyARNBytes {
		return kmsRequest{}, invalidUpdate("Requests that modify an object's encryption type to SSE-KMS require a valid AWS KMS key Amazon Resource Name (ARN). Confirm that you have a correctly formatted KMS key ARN in your request, and then try again.")
	}
	if s.opts.AccountID != "" && m[1] != s.opts.AccountID {
		return kmsRequest{}, &coffer.ArgumentError{Code: "AccessDenied", Name: "KMSKeyArn",
			Message: "The AWS KMS key in the request must be owned by the same account as the bucket. Modify the request to specify a KMS key from the same account, and then try again."}
	}
	if s.kms == nil {
		return kmsRequest{}, fmt.Errorf("sse: SSE-KMS without a KMS: %w", coffer.ErrNotImplemented)
	}
	bucketKey := enc.BucketKeyEnabled != nil && *enc.BucketKeyEnabled
	return kmsRequest{KeyID: enc.KMSKeyID, BucketKey: bucketKey}, nil
}

func invalidUpdate(message string) error {
	return &coffer.ArgumentError{Code: "InvalidRequest", Name: "ObjectEncryption", Message: message}
}

// auditUpdateEncryption records the re-keying of an object, successful or
// not: what it was, what it became, who asked.
func (s *Service) auditUpdateEncryption(ctx context.Context, bucket, key string, enc coffer.EncryptionRequest, from coffer.EncryptionInfo, to coffer.ObjectInfo, err error) {
	if s.opts.Auditor == nil {
		return
	}
	principal, _ := coffer.PrincipalFrom(ctx)
	params := map[string]any{"bucketName": bucket, "key": key, "kmsKeyArn": enc.KMSKeyID}
	if enc.BucketKeyEnabled != nil {
		params["bucketKeyEnabled"] = *enc.BucketKeyEnabled
	}
	if from.Type != "" {
		params["previousEncryption"] = string(from.Type)
		if from.KMSKeyARN != "" {
			params["previousKmsKeyArn"] = from.KMSKeyARN
		}
	}
	event := coffer.AuditEvent{
		Time: s.now(), EventSource: s3ServicePrincipal, EventName: "UpdateObjectEncryption",
		Principal: principal, Request: coffer.RequestInfoFrom(ctx),
		Resources:  []coffer.AuditResource{{Type: "AWS::S3::Object", ARN: objectARN(bucket, key)}},
		Parameters: params,
	}
	if err == nil {
		event.Resources = append(event.Resources, coffer.AuditResource{Type: "AWS::KMS::Key", ARN: to.Encryption.KMSKeyARN})
	} else {
		event.ErrorCode, event.ErrorMessage = auditError(err)
	}
	s.opts.Auditor.Record(ctx, event)
}

// auditError names a failure for the audit trail without internals: the
// KMS's or the argument's own code and message, or the sentinel's name.
func auditError(err error) (code, message string) {
	var kmsErr *coffer.KMSError
	if errors.As(err, &kmsErr) {
		return "KMS." + kmsErr.Code, kmsErr.Message
	}
	var arg *coffer.ArgumentError
	if errors.As(err, &arg) {
		if arg.Code != "" {
			return arg.Code, arg.Message
		}
		return "InvalidArgument", arg.Message
	}
	for _, known := range []struct {
		err  error
		code string
	}{
		{coffer.ErrNoSuchKey, "NoSuchKey"}, {coffer.ErrNoSuchBucket, "NoSuchBucket"},
		{coffer.ErrNotImplemented, "NotImplemented"}, {coffer.ErrInvalidObjectName, "InvalidArgument"},
		{coffer.ErrKeyTooLong, "KeyTooLongError"},
	} {
		if errors.Is(err, known.err) {
			return known.code, strings.TrimSpace(known.err.Error())
		}
	}
	return "InternalError", "internal error"
}
