package s3api

import (
	"bytes"
	"context"
	"encoding/base64"
	"encoding/json"
	"maps"
	"strings"
	"sync"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/aws-sdk-go-v2/service/s3/types"

	"github.com/cofferlabs/coffer"
)

// kmsEnv is a TLS endpoint with the fake KMS behind SSE-KMS and a bucket
// named "kms".
func kmsEnv(t *testing.T, opts ...envOption) (*testEnv, *fakeKMS, *s3.Client) {
	t.Helper()
	km := newFakeKMS()
	env := newTestEnv(t, append([]envOption{withKMS(km)}, opts...)...)
	client := env.sdk(t)
	createBucket(t, client, "kms")
	return env, km, client
}

func decodeContextHeader(t *testing.T, v *string) map[string]string {
	t.Helper()
	raw, err := base64.StdEncoding.DecodeString(aws.ToString(v))
	var ec map[string]string
	if err != nil || json.Unmarshal(raw, &ec) != nil {
		t.Fatalf("context header %q is not base64 JSON", aws.ToString(v))
	}
	return ec
}

// TestSDKSSEKMS puts, reads, heads and copies SSE-KMS objects with the key
// named every way S3 accepts; responses carry the full ARN, writes the
// context the KMS was given, and the KMS is called as the root, via S3,
// with the request's facts.
func TestSDKSSEKMS(t *testing.T) {
	_, km, client := kmsEnv(t)
	ctx := context.Background()
	arn := km.createKey()
	km.alias("alias/app", arn)
	cases := []struct {
		name  string
		keyID *string
		want  func() string
	}{
		{"key id", aws.String(arn[strings.LastIndex(arn, "/")+1:]), func() string { return arn }},
		{"key ARN", aws.String(arn), func() string { return arn }},
		{"alias", aws.String("alias/app"), func() string { return arn }},
		{"alias ARN", aws.String("arn:aws:kms:" + testRegion + ":" + testAccount + ":alias/app"), func() string { return arn }},
		{"default aws/s3 key", nil, km.awsS3Key},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			data := randomBytes(200<<10, 7)
			userContext := base64.StdEncoding.EncodeToString([]byte(`{"app":"coffer"}`))
			put, err := client.PutObject(ctx, &s3.PutObjectInput{
				Bucket: aws.String("kms"), Key: aws.String("obj"), Body: bytes.NewReader(data),
				ServerSideEncryption: types.ServerSideEncryptionAwsKms, SSEKMSKeyId: tc.keyID, SSEKMSEncryptionContext: aws.String(userContext),
			})
			if err != nil {
				t.Fatal(err)
			}
			if put.ServerSideEncryption != types.ServerSideEncryptionAwsKms || aws.ToString(put.SSEKMSKeyId) != tc.want() || aws.ToBool(put.BucketKeyEnabled) {
				t.Fatalf("PUT answered %s %s bucket key %v", put.ServerSideEncryption, aws.ToString(put.SSEKMSKeyId), aws.ToBool(put.BucketKeyEnabled))
			}
			wantEC := map[string]string{"app": "coffer", "aws:s3:arn": "arn:aws:s3:::kms/obj"}
			if got := decodeContextHeader(t, put.SSEKMSEncryptionContext); !maps.Equal(got, wantEC) {
				t.Fatalf("PUT context %v, want %v", got, wantEC)
			}
			if aws.ToString(put.ETag) == `"`+md5Hex(data)+`"` {
				t.Fatal("an SSE-KMS ETag must not be the MD5")
			}
			call := km.last()
			if call.Op != "GenerateDataKey" || !maps.Equal(call.Context, wantEC) || call.Principal.ARN != "arn:aws:iam::"+testAccount+":root" ||
				call.Principal.AccessKeyID != testAccessKey || call.Info.ViaService != "s3.amazonaws.com" || !call.Info.SecureTransport ||
				call.Info.SignatureVersion != 4 || call.Info.SourceIP != "127.0.0.1" || call.Info.RequestID == "" {
				t.Fatalf("the KMS saw %+v", call)
			}

			decrypts := km.count("Decrypt")
			got, err := client.GetObject(ctx, &s3.GetObjectInput{Bucket: aws.String("kms"), Key: aws.String("obj")})
			if err != nil {
				t.Fatal(err)
			}
			if !bytes.Equal(readAll(t, got.Body), data) || got.ServerSideEncryption != types.ServerSideEncryptionAwsKms || aws.ToString(got.SSEKMSKeyId) != tc.want() {
				t.Fatalf("GET: %s %s", got.ServerSideEncryption, aws.ToString(got.SSEKMSKeyId))
			}
			head, err := client.HeadObject(ctx, &s3.HeadObjectInput{Bucket: aws.String("kms"), Key: aws.String("obj")})
			if err != nil {
				t.Fatal(err)
			}
			if aws.ToString(head.SSEKMSKeyId) != tc.want() || aws.ToString(head.ETag) != aws.ToString(put.ETag) {
				t.Fatalf("HEAD: %s %s", aws.ToString(head.SSEKMSKeyId), aws.ToString(head.ETag))
			}
			if n := km.count("Decrypt") - decrypts; n != 1 {
				t.Fatalf("GET and HEAD made %d Decrypt calls, want 1", n)
			}

			copied, err := client.CopyObject(ctx, &s3.CopyObjectInput{
				Bucket: aws.String("kms"), Key: aws.String("copy"), CopySource: aws.String("kms/obj"),
				ServerSideEncryption: types.ServerSideEncryptionAwsKms, SSEKMSKeyId: tc.keyID,
			})
			if err != nil {
				t.Fatal(err)
			}
			wantCopyEC := map[string]string{"aws:s3:arn": "arn:aws:s3:::kms/copy"} // the source's context is not copied
			if aws.ToString(copied.SSEKMSKeyId) != tc.want() || !maps.Equal(decodeContextHeader(t, copied.SSEKMSEncryptionContext), wantCopyEC) {
				t.Fatalf("copy: %s %v", aws.ToString(copied.SSEKMSKeyId), aws.ToString(copied.SSEKMSEncryptionContext))
			}
			back, err := client.GetObject(ctx, &s3.GetObjectInput{Bucket: aws.String("kms"), Key: aws.String("copy")})
			if err != nil || !bytes.Equal(readAll(t, back.Body), data) {
				t.Fatalf("copy reads back wrong: %v", err)
			}
		})
	}
}

// TestSSEKMSResponseHeaders checks on the wire what the SDK hides: GET and
// HEAD never carry the context header, and bucket-key-enabled appears
// only when true.
func TestSSEKMSResponseHeaders(t *testing.T) {
	env, km, client := kmsEnv(t)
	arn := km.createKey()
	_, err := client.PutObject(context.Background(), &s3.PutObjectInput{
		Bucket: aws.String("kms"), Key: aws.String("k"), Body: strings.NewReader("v"),
		ServerSideEncryption: types.ServerSideEncryptionAwsKms, SSEKMSKeyId: aws.String(arn),
		SSEKMSEncryptionContext: aws.String(base64.StdEncoding.EncodeToString([]byte(`{"a":"b"}`))),
	})
	if err != nil {
		t.Fatal(err)
	}
	for _, method := range []string{"GET", "HEAD"} {
		resp, _ := do(t, env.server.Client(), signedRequest(t, method, env.url("/kms/k"), nil, nil))
		h := resp.Header
		if resp.StatusCode != 200 || h.Get(hdrSSE) != "aws:kms" || h.Get(hdrSSEKMSKeyID) != arn || h.Get(hdrSSEContext) != "" || h.Get(hdrSSEBucketKey) != "" {
			t.Fatalf("%s: %d %v", method, resp.StatusCode, h)
		}
	}
}

// TestSDKSSEKMSMultipart: the upload's encryption shows on create, every
// part and completion; the object reads back whole and by part.
func TestSDKSSEKMSMultipart(t *testing.T) {
	_, km, client := kmsEnv(t)
	ctx := context.Background()
	arn := km.createKey()
	up, err := client.CreateMultipartUpload(ctx, &s3.CreateMultipartUploadInput{
		Bucket: aws.String("kms"), Key: aws.String("big"),
		ServerSideEncryption: types.ServerSideEncryptionAwsKms, SSEKMSKeyId: aws.String(arn), BucketKeyEnabled: aws.Bool(true),
	})
	if err != nil {
		t.Fatal(err)
	}
	if aws.ToString(up.SSEKMSKeyId) != arn || !aws.ToBool(up.BucketKeyEnabled) ||
		!maps.Equal(decodeContextHeader(t, up.SSEKMSEncryptionContext), map[string]string{"aws:s3:arn": "arn:aws:s3:::kms"}) {
		t.Fatalf("create: %s %v %s", aws.ToString(up.SSEKMSKeyId), aws.ToBool(up.BucketKeyEnabled), aws.ToString(up.SSEKMSEncryptionContext))
	}
	parts := [][]byte{randomBytes(5<<20, 1), randomBytes(1<<20, 2)}
	var completed []types.CompletedPart
	for i, data := range parts {
		p, err := client.UploadPart(ctx, &s3.UploadPartInput{
			Bucket: aws.String("kms"), Key: aws.String("big"), UploadId: up.UploadId, PartNumber: aws.Int32(int32(i + 1)), Body: bytes.NewReader(data),
		})
		if err != nil {
			t.Fatal(err)
		}
		if p.ServerSideEncryption != types.ServerSideEncryptionAwsKms || aws.ToString(p.SSEKMSKeyId) != arn || !aws.ToBool(p.BucketKeyEnabled) {
			t.Fatalf("part %d: %s %s", i+1, p.ServerSideEncryption, aws.ToString(p.SSEKMSKeyId))
		}
		completed = append(completed, types.CompletedPart{PartNumber: aws.Int32(int32(i + 1)), ETag: p.ETag})
	}
	done, err := client.CompleteMultipartUpload(ctx, &s3.CompleteMultipartUploadInput{
		Bucket: aws.String("kms"), Key: aws.String("big"), UploadId: up.UploadId,
		MultipartUpload: &types.CompletedMultipartUpload{Parts: completed},
	})
	if err != nil {
		t.Fatal(err)
	}
	if done.ServerSideEncryption != types.ServerSideEncryptionAwsKms || aws.ToString(done.SSEKMSKeyId) != arn || !strings.HasSuffix(aws.ToString(done.ETag), `-2"`) {
		t.Fatalf("complete: %s %s %s", done.ServerSideEncryption, aws.ToString(done.SSEKMSKeyId), aws.ToString(done.ETag))
	}
	got, err := client.GetObject(ctx, &s3.GetObjectInput{Bucket: aws.String("kms"), Key: aws.String("big")})
	if err != nil || !bytes.Equal(readAll(t, got.Body), append(bytes.Clone(parts[0]), parts[1]...)) {
		t.Fatalf("GET: %v", err)
	}
	if g := km.count("GenerateDataKey"); g != 1 {
		t.Fatalf("%d GenerateDataKey calls for a bucket-key upload", g)
	}
}

// TestSDKBucketEncryption: the bucket encryption API round-trips a rule
// with a bucket key; writes that name no encryption take it, and with the
// bucket key many PUTs cost one KMS call; deleting it restores SSE-S3.
func TestSDKBucketEncryption(t *testing.T) {
	_, km, client := kmsEnv(t)
	ctx := context.Background()
	arn := km.createKey()
	km.alias("alias/bucket-default", arn)

	got, err := client.GetBucketEncryption(ctx, &s3.GetBucketEncryptionInput{Bucket: aws.String("kms")})
	if err != nil {
		t.Fatal(err)
	}
	if rules := got.ServerSideEncryptionConfiguration.Rules; len(rules) != 1 || rules[0].ApplyServerSideEncryptionByDefault.SSEAlgorithm != types.ServerSideEncryptionAes256 ||
		rules[0].BucketKeyEnabled == nil || *rules[0].BucketKeyEnabled {
		t.Fatalf("new bucket: %+v", rules)
	}
	_, err = client.PutBucketEncryption(ctx, &s3.PutBucketEncryptionInput{
		Bucket: aws.String("kms"),
		ServerSideEncryptionConfiguration: &types.ServerSideEncryptionConfiguration{Rules: []types.ServerSideEncryptionRule{{
			ApplyServerSideEncryptionByDefault: &types.ServerSideEncryptionByDefault{SSEAlgorithm: types.ServerSideEncryptionAwsKms, KMSMasterKeyID: aws.String("alias/bucket-default")},
			BucketKeyEnabled:                   aws.Bool(true),
			BlockedEncryptionTypes:             &types.BlockedEncryptionTypes{EncryptionType: []types.EncryptionType{types.EncryptionTypeSseC}},
		}}},
	})
	if err != nil {
		t.Fatal(err)
	}
	got, err = client.GetBucketEncryption(ctx, &s3.GetBucketEncryptionInput{Bucket: aws.String("kms")})
	if err != nil {
		t.Fatal(err)
	}
	rule := got.ServerSideEncryptionConfiguration.Rules[0]
	if rule.ApplyServerSideEncryptionByDefault.SSEAlgorithm != types.ServerSideEncryptionAwsKms || aws.ToString(rule.ApplyServerSideEncryptionByDefault.KMSMasterKeyID) != "alias/bucket-default" ||
		!aws.ToBool(rule.BucketKeyEnabled) || rule.BlockedEncryptionTypes == nil || len(rule.BlockedEncryptionTypes.EncryptionType) != 1 {
		t.Fatalf("rule %+v", rule)
	}

	for i := 0; i < 50; i++ {
		put, err := client.PutObject(ctx, &s3.PutObjectInput{Bucket: aws.String("kms"), Key: aws.String("d" + string(rune('a'+i%26))), Body: strings.NewReader("x")})
		if err != nil {
			t.Fatal(err)
		}
		if put.ServerSideEncryption != types.ServerSideEncryptionAwsKms || aws.ToString(put.SSEKMSKeyId) != arn || !aws.ToBool(put.BucketKeyEnabled) {
			t.Fatalf("default PUT: %s %s %v", put.ServerSideEncryption, aws.ToString(put.SSEKMSKeyId), aws.ToBool(put.BucketKeyEnabled))
		}
	}
	if n := km.count("GenerateDataKey"); n != 1 {
		t.Fatalf("%d GenerateDataKey calls for 50 PUTs with a bucket key", n)
	}
	if call := km.last(); !maps.Equal(call.Context, map[string]string{"aws:s3:arn": "arn:aws:s3:::kms"}) {
		t.Fatalf("bucket key context %v", call.Context)
	}

	if _, err := client.DeleteBucketEncryption(ctx, &s3.DeleteBucketEncryptionInput{Bucket: aws.String("kms")}); err != nil {
		t.Fatal(err)
	}
	got, err = client.GetBucketEncryption(ctx, &s3.GetBucketEncryptionInput{Bucket: aws.String("kms")})
	if err != nil || got.ServerSideEncryptionConfiguration.Rules[0].ApplyServerSideEncryptionByDefault.SSEAlgorithm != types.ServerSideEncryptionAes256 {
		t.Fatalf("after delete: %+v %v", got, err)
	}
	put, err := client.PutObject(ctx, &s3.PutObjectInput{Bucket: aws.String("kms"), Key: aws.String("plain"), Body: strings.NewReader("x")})
	if err != nil || put.ServerSideEncryption != types.ServerSideEncryptionAes256 || aws.ToString(put.ETag) != `"`+md5Hex([]byte("x"))+`"` {
		t.Fatalf("after delete: %+v %v", put, err)
	}
}

// TestSDKUpdateObjectEncryption moves an SSE-S3 object to SSE-KMS, then to
// another key with a bucket key, without changing its ETag, data or
// checksum.
func TestSDKUpdateObjectEncryption(t *testing.T) {
	_, km, client := kmsEnv(t)
	ctx := context.Background()
	first, second := km.createKey(), km.createKey()
	data := randomBytes(100<<10, 3)
	put, err := client.PutObject(ctx, &s3.PutObjectInput{Bucket: aws.String("kms"), Key: aws.String("doc"), Body: bytes.NewReader(data), ChecksumAlgorithm: types.ChecksumAlgorithmCrc32c})
	if err != nil {
		t.Fatal(err)
	}
	for _, step := range []struct {
		arn       string
		bucketKey *bool
	}{{first, nil}, {second, aws.Bool(true)}} {
		_, err := client.UpdateObjectEncryption(ctx, &s3.UpdateObjectEncryptionInput{
			Bucket: aws.String("kms"), Key: aws.String("doc"),
			ObjectEncryption: &types.ObjectEncryptionMemberSSEKMS{Value: types.SSEKMSEncryption{KMSKeyArn: aws.String(step.arn), BucketKeyEnabled: step.bucketKey}},
		})
		if err != nil {
			t.Fatal(err)
		}
		head, err := client.HeadObject(ctx, &s3.HeadObjectInput{Bucket: aws.String("kms"), Key: aws.String("doc"), ChecksumMode: types.ChecksumModeEnabled})
		if err != nil {
			t.Fatal(err)
		}
		if head.ServerSideEncryption != types.ServerSideEncryptionAwsKms || aws.ToString(head.SSEKMSKeyId) != step.arn ||
			aws.ToBool(head.BucketKeyEnabled) != aws.ToBool(step.bucketKey) || aws.ToString(head.ETag) != aws.ToString(put.ETag) ||
			aws.ToString(head.ChecksumCRC32C) != aws.ToString(put.ChecksumCRC32C) {
			t.Fatalf("after re-keying to %s: %s %s %s", step.arn, head.ServerSideEncryption, aws.ToString(head.SSEKMSKeyId), aws.ToString(head.ETag))
		}
		got, err := client.GetObject(ctx, &s3.GetObjectInput{Bucket: aws.String("kms"), Key: aws.String("doc")})
		if err != nil || !bytes.Equal(readAll(t, got.Body), data) {
			t.Fatalf("GET after re-keying: %v", err)
		}
	}
	_, err = client.UpdateObjectEncryption(ctx, &s3.UpdateObjectEncryptionInput{
		Bucket: aws.String("kms"), Key: aws.String("doc"),
		ObjectEncryption: &types.ObjectEncryptionMemberSSEKMS{Value: types.SSEKMSEncryption{KMSKeyArn: aws.String("alias/not-an-arn")}},
	})
	wantCode(t, err, "InvalidRequest")
	_, err = client.UpdateObjectEncryption(ctx, &s3.UpdateObjectEncryptionInput{
		Bucket: aws.String("kms"), Key: aws.String("missing"),
		ObjectEncryption: &types.ObjectEncryptionMemberSSEKMS{Value: types.SSEKMSEncryption{KMSKeyArn: aws.String(first)}},
	})
	wantCode(t, err, "NoSuchKey")
}

// TestSDKSSEKMSErrors: the KMS's refusals reach SDK clients as S3 does
// them, and a refused write leaves nothing behind.
func TestSDKSSEKMSErrors(t *testing.T) {
	auditor := &recordingAuditor{}
	_, km, client := kmsEnv(t, withAuditor(auditor))
	ctx := context.Background()
	arn := km.createKey()
	if _, err := client.PutObject(ctx, &s3.PutObjectInput{
		Bucket: aws.String("kms"), Key: aws.String("existing"), Body: strings.NewReader("v"),
		ServerSideEncryption: types.ServerSideEncryptionAwsKms, SSEKMSKeyId: aws.String(arn),
	}); err != nil {
		t.Fatal(err)
	}
	putKMS := func(keyID string) error {
		_, err := client.PutObject(ctx, &s3.PutObjectInput{
			Bucket: aws.String("kms"), Key: aws.String("new"), Body: strings.NewReader("v"),
			ServerSideEncryption: types.ServerSideEncryptionAwsKms, SSEKMSKeyId: aws.String(keyID),
		})
		return err
	}
	getExisting := func() error {
		_, err := client.GetObject(ctx, &s3.GetObjectInput{Bucket: aws.String("kms"), Key: aws.String("existing")})
		return err
	}
	cases := []struct {
		name    string
		setup   func()
		undo    func()
		call    func() error
		code    string
		message string
	}{
		{name: "missing key", call: func() error { return putKMS("11111111-2222-3333-4444-555555555555") }, code: "KMS.NotFoundException",
			message: "Key 'arn:aws:kms:us-east-1:" + testAccount + ":key/11111111-2222-3333-4444-555555555555' does not exist"},
		{name: "missing alias", call: func() error { return putKMS("alias/none") }, code: "KMS.NotFoundException"},
		{name: "disabled key on PUT", setup: func() { km.setState(arn, "Disabled") }, undo: func() { km.setState(arn, "Enabled") },
			call: func() error { return putKMS(arn) }, code: "KMS.DisabledException", message: arn + " is disabled."},
		{name: "disabled key on GET", setup: func() { km.setState(arn, "Disabled") }, undo: func() { km.setState(arn, "Enabled") },
			call: getExisting, code: "KMS.DisabledException", message: arn + " is disabled."},
		{name: "pending deletion on GET", setup: func() { km.setState(arn, "PendingDeletion") }, undo: func() { km.setState(arn, "Enabled") },
			call: getExisting, code: "KMS.KMSInvalidStateException"},
		{name: "caller may not use the key", setup: func() { km.allowOnly(arn, "arn:aws:iam::"+testAccount+":user/someone-else") },
			undo: func() { km.allowOnly(arn, "arn:aws:iam::"+testAccount+":root") }, call: getExisting, code: "AccessDenied"},
		{name: "throttled", setup: func() { km.failWith("GenerateDataKey", "ThrottlingException") }, undo: func() { km.failWith("GenerateDataKey", "") },
			call: func() error { return putKMS(arn) }, code: "SlowDown"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			if tc.setup != nil {
				tc.setup()
				defer tc.undo()
			}
			err := tc.call()
			wantCode(t, err, tc.code)
			if tc.message != "" && !strings.Contains(err.Error(), tc.message) {
				t.Fatalf("message of %v, want %q", err, tc.message)
			}
			if _, err := client.HeadObject(ctx, &s3.HeadObjectInput{Bucket: aws.String("kms"), Key: aws.String("new")}); apiCode(err) != "NotFound" {
				t.Fatalf("a refused PUT left an object: %v", err)
			}
		})
	}
	if ev := auditor.find("GetObject"); ev == nil || ev.ErrorCode != "AccessDenied" || ev.Principal.ARN != "arn:aws:iam::"+testAccount+":root" {
		t.Fatalf("the KMS's denial was not audited: %+v", ev)
	}
}

// recordingAuditor keeps the events it is given.
type recordingAuditor struct {
	mu     sync.Mutex
	events []coffer.AuditEvent
}

func (a *recordingAuditor) Record(_ context.Context, e coffer.AuditEvent) {
	a.mu.Lock()
	defer a.mu.Unlock()
	a.events = append(a.events, e)
}

// find returns the last event named name, nil if none.
func (a *recordingAuditor) find(name string) *coffer.AuditEvent {
	a.mu.Lock()
	defer a.mu.Unlock()
	for i := len(a.events) - 1; i >= 0; i-- {
		if a.events[i].EventName == name {
			e := a.events[i]
			return &e
		}
	}
	return nil
}
