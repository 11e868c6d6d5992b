package tests

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"regexp"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/cloudtrail"
	cttypes "github.com/aws/aws-sdk-go-v2/service/cloudtrail/types"
	"github.com/aws/aws-sdk-go-v2/service/kms"
)

var (
	uuidPattern   = regexp.MustCompile(`^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$`)
	keyARNPattern = regexp.MustCompile(`^arn:aws:kms:` + testRegion + `:([0-9]{12}):key/([0-9a-f-]{36})$`)
)

func kmsClientAt(endpoint string, httpClient aws.HTTPClient) *kms.Client {
	return kms.New(kms.Options{
		BaseEndpoint: aws.String(endpoint),
		Region:       testRegion,
		Credentials:  credentials.NewStaticCredentialsProvider(rootAccessKey, rootSecretKey, ""),
		HTTPClient:   httpClient,
	})
}

func cloudTrailClientAt(endpoint string, httpClient aws.HTTPClient) *cloudtrail.Client {
	return cloudtrail.New(cloudtrail.Options{
		BaseEndpoint: aws.String(endpoint),
		Region:       testRegion,
		Credentials:  credentials.NewStaticCredentialsProvider(rootAccessKey, rootSecretKey, ""),
		HTTPClient:   httpClient,
	})
}

// trailRecord is the part of a CloudTrail record (LookupEvents'
// CloudTrailEvent) the tests read.
type trailRecord struct {
	EventName    string `json:"eventName"`
	EventSource  string `json:"eventSource"`
	UserIdentity struct {
		Type        string `json:"type"`
		ARN         string `json:"arn"`
		AccessKeyID string `json:"accessKeyId"`
		InvokedBy   string `json:"invokedBy"`
	} `json:"userIdentity"`
	SourceIPAddress   string `json:"sourceIPAddress"`
	ErrorCode         string `json:"errorCode"`
	RequestParameters struct {
		KeyID             string            `json:"keyId"`
		EncryptionContext map[string]string `json:"encryptionContext"`
	} `json:"requestParameters"`
	AdditionalEventData map[string]string `json:"additionalEventData"`
	RequestID           string            `json:"requestID"`
	Resources           []struct {
		ARN  string `json:"ARN"`
		Type string `json:"type"`
	} `json:"resources"`
}

// s3ARN is the aws:s3:arn of the encryption context S3 sends the KMS.
func (r trailRecord) s3ARN() string { return r.RequestParameters.EncryptionContext["aws:s3:arn"] }

// lookupAll returns every event LookupEvents finds for one attribute,
// newest first, following NextToken.
func lookupAll(t *testing.T, ct *cloudtrail.Client, key cttypes.LookupAttributeKey, value string) []trailRecord {
	t.Helper()
	pages := cloudtrail.NewLookupEventsPaginator(ct, &cloudtrail.LookupEventsInput{
		LookupAttributes: []cttypes.LookupAttribute{{AttributeKey: key, AttributeValue: aws.String(value)}},
		MaxResults:       aws.Int32(50),
	})
	var records []trailRecord
	for pages.HasMorePages() {
		page, err := pages.NextPage(context.Background())
		if err != nil {
			t.Fatalf("LookupEvents %s=%s: %v", key, value, err)
		}
		for _, e := range page.Events {
			var r trailRecord
			if err := json.Unmarshal([]byte(aws.ToString(e.CloudTrailEvent)), &r); err != nil {
				t.Fatalf("CloudTrailEvent is not JSON (%v): %s", err, aws.ToString(e.CloudTrailEvent))
			}
			if r.EventName != aws.ToString(e.EventName) {
				t.Fatalf("LookupEvents names %q, its record %q", aws.ToString(e.EventName), r.EventName)
			}
			records = append(records, r)
		}
	}
	return records
}

// awaitTrail flushes the audit trail as far as now: it makes a KMS call
// with a unique encryption context and polls LookupEvents until that call
// is listed. The trail is written in order, so every event recorded
// before is then visible too.
func awaitTrail(t *testing.T, kc *kms.Client, ct *cloudtrail.Client, keyID string) {
	t.Helper()
	nonce := make([]byte, 8)
	_, _ = rand.Read(nonce)
	marker := hex.EncodeToString(nonce)
	if _, err := kc.Encrypt(context.Background(), &kms.EncryptInput{KeyId: aws.String(keyID), Plaintext: []byte("barrier"),
		EncryptionContext: map[string]string{"coffer-test-barrier": marker}}); err != nil {
		t.Fatal(err)
	}
	deadline := time.Now().Add(30 * time.Second)
	for {
		out, err := ct.LookupEvents(context.Background(), &cloudtrail.LookupEventsInput{
			LookupAttributes: []cttypes.LookupAttribute{{AttributeKey: cttypes.LookupAttributeKeyEventName, AttributeValue: aws.String("Encrypt")}},
			MaxResults:       aws.Int32(5),
		})
		if err != nil {
			t.Fatal(err)
		}
		for _, e := range out.Events {
			var r trailRecord
			if json.Unmarshal([]byte(aws.ToString(e.CloudTrailEvent)), &r) == nil && r.RequestParameters.EncryptionContext["coffer-test-barrier"] == marker {
				return
			}
		}
		if time.Now().After(deadline) {
			t.Fatal("the audit trail did not list a KMS call within 30 s")
		}
		time.Sleep(50 * time.Millisecond)
	}
}
