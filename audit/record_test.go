package audit

import (
	"encoding/json"
	"strings"
	"testing"
	"time"

	"github.com/cofferlabs/coffer"
)

// vectorRecord is the frozen encoding of vectorEvent: the CloudTrail shape
// of a KMS call S3 made for an IAM user over TLS.
const vectorRecord = `{"eventVersion":"1.08","userIdentity":{"type":"IAMUser","principalId":"AIDAALICE","arn":"arn:aws:iam::111122223333:user/alice","accountId":"111122223333","accessKeyId":"AKIAALICE","userName":"alice","invokedBy":"s3.amazonaws.com"},"eventTime":"2025-03-01T12:00:00Z","eventSource":"kms.amazonaws.com","eventName":"GenerateDataKey","awsRegion":"eu-west-1","sourceIPAddress":"s3.amazonaws.com","userAgent":"s3.amazonaws.com","requestParameters":{"encryptionContext":{"aws:s3:arn":"arn:aws:s3:::bucket/key"},"keyId":"alias/aws/s3","keySpec":"AES_256"},"responseElements":null,"additionalEventData":{"callerSourceIPAddress":"192.0.2.7","callerUserAgent":"aws-sdk-go-v2"},"requestID":"req-1","eventID":"5d0f7c2c-0d5b-4c5e-9f43-3c0a1f7f2b11","readOnly":true,"resources":[{"ARN":"arn:aws:kms:eu-west-1:111122223333:key/1234abcd-12ab-34cd-56ef-1234567890ab","accountId":"111122223333","type":"AWS::KMS::Key"}],"eventType":"AwsApiCall","managementEvent":true,"recipientAccountId":"111122223333","eventCategory":"Management","tlsDetails":{"tlsVersion":"TLSv1.3","cipherSuite":"TLS_AES_128_GCM_SHA256","clientProvidedHostHeader":"coffer.example"}}`

var vectorEvent = coffer.AuditEvent{
	Time:        time.Date(2025, 3, 1, 12, 0, 0, 500, time.UTC),
	EventSource: "kms.amazonaws.com",
	EventName:   "GenerateDataKey",
	Principal:   alice,
	Request: coffer.RequestInfo{RequestID: "req-1", SourceIP: "192.0.2.7", UserAgent: "aws-sdk-go-v2",
		SecureTransport: true, ViaService: "s3.amazonaws.com",
		TLSVersion: "TLSv1.3", CipherSuite: "TLS_AES_128_GCM_SHA256", Host: "coffer.example"},
	ReadOnly:  true,
	Resources: []coffer.AuditResource{{Type: "AWS::KMS::Key", ARN: "arn:aws:kms:eu-west-1:111122223333:key/1234abcd-12ab-34cd-56ef-1234567890ab"}},
	Parameters: map[string]any{"keyId": "alias/aws/s3", "keySpec": "AES_256",
		"encryptionContext": map[string]string{"aws:s3:arn": "arn:aws:s3:::bucket/key"}},
}

var vectorEnv = recordEnv{region: "eu-west-1", accountID: testAccount, eventID: "5d0f7c2c-0d5b-4c5e-9f43-3c0a1f7f2b11"}

func TestRecordVector(t *testing.T) {
	if got := string(encodeRecord(newRecord(vectorEvent, vectorEnv))); got != vectorRecord {
		t.Fatalf("encoded\n%s\nwant\n%s", got, vectorRecord)
	}
}

// decoded is a record as a generic JSON object, for field checks.
func decoded(t *testing.T, e coffer.AuditEvent) map[string]any {
	t.Helper()
	b := encodeRecord(newRecord(e, recordEnv{region: "eu-west-1", accountID: testAccount, eventID: "id", now: epoch}))
	if len(b) > maxRecordBytes {
		t.Fatalf("record of %d bytes exceeds %d", len(b), maxRecordBytes)
	}
	var m map[string]any
	if err := json.Unmarshal(b, &m); err != nil {
		t.Fatalf("record is not JSON: %v\n%s", err, b)
	}
	return m
}

func field(m map[string]any, path ...string) any {
	var v any = m
	for _, p := range path {
		obj, ok := v.(map[string]any)
		if !ok {
			return nil
		}
		v = obj[p]
	}
	return v
}

func TestRecordShape(t *testing.T) {
	huge := map[string]any{"blob": strings.Repeat("x", 40<<10)}
	long := strings.Repeat("\x01", 10<<10)
	cases := []struct {
		name  string
		event coffer.AuditEvent
		want  map[string]any // dotted path -> value; nil value means absent
	}{
		{name: "root", event: kmsEvent(0, "CreateKey", rootUser, 1), want: map[string]any{
			"userIdentity.type": "Root", "userIdentity.principalId": testAccount, "userIdentity.accessKeyId": "AKIAROOT",
			"userIdentity.userName": nil, "eventType": "AwsApiCall", "sourceIPAddress": "192.0.2.7",
			"resources.0.accountId": testAccount, "tlsDetails": nil, "eventTime": "2025-03-01T12:00:00Z",
			"awsRegion": "eu-west-1", "recipientAccountId": testAccount, "readOnly": false,
		}},
		{name: "IAM user", event: kmsEvent(1, "Decrypt", alice, 1), want: map[string]any{
			"userIdentity.type": "IAMUser", "userIdentity.userName": "alice", "userIdentity.arn": alice.ARN,
			"readOnly": true, "userIdentity.invokedBy": nil,
		}},
		{name: "anonymous", event: coffer.AuditEvent{EventSource: "s3.amazonaws.com", EventName: "GetObject",
			Principal: coffer.Principal{Anonymous: true}, ErrorCode: "AccessDenied", ErrorMessage: "Access Denied",
			Details: map[string]string{"denySid": "DenyAll"}},
			want: map[string]any{"userIdentity.type": "AWSAccount", "userIdentity.accountId": "ANONYMOUS_PRINCIPAL",
				"errorCode": "AccessDenied", "errorMessage": "Access Denied", "additionalEventData.denySid": "DenyAll",
				"eventTime": "2025-03-01T12:00:00Z", "requestParameters": nil}},
		{name: "service event", event: coffer.AuditEvent{EventSource: "kms.amazonaws.com", EventName: "RotateKey"},
			want: map[string]any{"userIdentity.type": "AWSService", "userIdentity.invokedBy": "kms.amazonaws.com",
				"eventType": "AwsServiceEvent"}},
		{name: "S3 over TLS without details", event: s3Event(2, "PutBucketEncryption", rootUser, "photos"),
			want: map[string]any{"tlsDetails.tlsVersion": nil, "resources.0.accountId": testAccount,
				"resources.0.type": "AWS::S3::Bucket", "requestParameters.bucketName": "photos"}},
		{name: "oversized parameters are omitted", event: coffer.AuditEvent{EventSource: "s3.amazonaws.com",
			EventName: "PutBucketPolicy", Principal: rootUser, Parameters: huge},
			want: map[string]any{"requestParameters": nil,
				"additionalEventData.requestParametersOmitted": "the record exceeded 32 KiB"}},
		{name: "unencodable parameters are omitted", event: coffer.AuditEvent{EventSource: "s3.amazonaws.com",
			EventName: "PutBucketPolicy", Principal: rootUser, Parameters: map[string]any{"f": func() {}}},
			want: map[string]any{"requestParameters": nil,
				"additionalEventData.requestParametersOmitted": "not representable as JSON"}},
		{name: "oversized text is shortened", event: coffer.AuditEvent{EventSource: "s3.amazonaws.com",
			EventName: "PutObject", Principal: rootUser, ErrorMessage: long, Request: coffer.RequestInfo{UserAgent: long}},
			want: map[string]any{"additionalEventData.recordTruncated": "true", "errorMessage": strings.Repeat("\x01", 100)}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			m := decoded(t, tc.event)
			for path, want := range tc.want {
				got := lookupPath(m, path)
				if want == nil && got != nil || want != nil && got != want {
					t.Errorf("%s = %#v, want %#v", path, got, want)
				}
			}
			if m["eventID"] != "id" || m["eventVersion"] != "1.08" || m["managementEvent"] != true {
				t.Errorf("fixed members wrong: %v", m)
			}
		})
	}
}

// lookupPath follows a dotted path; numeric parts index arrays.
func lookupPath(m map[string]any, path string) any {
	var v any = m
	for _, p := range strings.Split(path, ".") {
		switch x := v.(type) {
		case map[string]any:
			v = x[p]
		case []any:
			if len(p) != 1 || p[0] < '0' || int(p[0]-'0') >= len(x) {
				return nil
			}
			v = x[p[0]-'0']
		default:
			return nil
		}
	}
	return v
}

func TestContextFillsMissingFacts(t *testing.T) {
	l := openLog(t, t.TempDir(), testOptions())
	ctx := coffer.WithPrincipal(coffer.WithRequestInfo(t.Context(), coffer.RequestInfo{SourceIP: "203.0.113.5", RequestID: "ctx-req"}), alice)
	l.Record(ctx, coffer.AuditEvent{EventSource: "kms.amazonaws.com", EventName: "ListKeys", ReadOnly: true})
	page, err := l.Lookup(t.Context(), Query{})
	if err != nil || len(page.Events) != 1 {
		t.Fatalf("Lookup = %v, %v", page, err)
	}
	var m map[string]any
	if err := json.Unmarshal(page.Events[0].Record, &m); err != nil {
		t.Fatal(err)
	}
	if field(m, "userIdentity", "userName") != "alice" || m["sourceIPAddress"] != "203.0.113.5" || m["requestID"] != "ctx-req" {
		t.Fatalf("context facts not used: %s", page.Events[0].Record)
	}
}
