package auditapi

import (
	"context"
	"encoding/json"
	"errors"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/cloudtrail"
	"github.com/aws/aws-sdk-go-v2/service/cloudtrail/types"
	"github.com/aws/smithy-go"
)

func sdkClient(s *testServer, accessKey, secret string) *cloudtrail.Client {
	return cloudtrail.New(cloudtrail.Options{
		Region:       testRegion,
		Credentials:  credentials.NewStaticCredentialsProvider(accessKey, secret, ""),
		BaseEndpoint: aws.String(s.URL),
		// Retries cover transport errors only here (no 5xx or throttling is
		// tested through the SDK): under the full -race suite the client once
		// saw its own connection closed mid-response.
		RetryMaxAttempts: 3,
	})
}

func attr(key types.LookupAttributeKey, value string) []types.LookupAttribute {
	return []types.LookupAttribute{{AttributeKey: key, AttributeValue: aws.String(value)}}
}

// names lists "Name@minute" for the events, to compare pages compactly.
func names(t *testing.T, events []types.Event) []string {
	t.Helper()
	var out []string
	for _, e := range events {
		out = append(out, *e.EventName+"@"+e.EventTime.UTC().Format("15:04"))
	}
	return out
}

func TestSDKLookupEvents(t *testing.T) {
	s := newTestServer(t)
	client := sdkClient(s, testAccessKey, testSecret)
	all, err := client.LookupEvents(t.Context(), &cloudtrail.LookupEventsInput{})
	if err != nil {
		t.Fatal(err)
	}
	decryptID := *all.Events[2].EventId // fixture 5, Decrypt by root
	cases := []struct {
		name  string
		input cloudtrail.LookupEventsInput
		want  []string
	}{
		{name: "no attribute", input: cloudtrail.LookupEventsInput{}, want: []string{"DeleteBucketEncryption@12:07", "GenerateDataKey@12:06",
			"Decrypt@12:05", "GenerateDataKey@12:04", "PutBucketEncryption@12:03", "Decrypt@12:02", "GenerateDataKey@12:01", "CreateKey@12:00"}},
		{name: "EventName", input: cloudtrail.LookupEventsInput{LookupAttributes: attr(types.LookupAttributeKeyEventName, "GenerateDataKey")},
			want: []string{"GenerateDataKey@12:06", "GenerateDataKey@12:04", "GenerateDataKey@12:01"}},
		{name: "EventSource", input: cloudtrail.LookupEventsInput{LookupAttributes: attr(types.LookupAttributeKeyEventSource, "s3.amazonaws.com")},
			want: []string{"DeleteBucketEncryption@12:07", "PutBucketEncryption@12:03"}},
		{name: "Username", input: cloudtrail.LookupEventsInput{LookupAttributes: attr(types.LookupAttributeKeyUsername, "alice")},
			want: []string{"DeleteBucketEncryption@12:07", "GenerateDataKey@12:06", "GenerateDataKey@12:04", "Decrypt@12:02"}},
		{name: "Username root", input: cloudtrail.LookupEventsInput{LookupAttributes: attr(types.LookupAttributeKeyUsername, "root")},
			want: []string{"Decrypt@12:05", "PutBucketEncryption@12:03", "GenerateDataKey@12:01", "CreateKey@12:00"}},
		{name: "AccessKeyId", input: cloudtrail.LookupEventsInput{LookupAttributes: attr(types.LookupAttributeKeyAccessKeyId, "AKIAROOT")},
			want: []string{"Decrypt@12:05", "PutBucketEncryption@12:03", "GenerateDataKey@12:01", "CreateKey@12:00"}},
		{name: "ResourceName key ARN", input: cloudtrail.LookupEventsInput{LookupAttributes: attr(types.LookupAttributeKeyResourceName, keyARN(2))},
			want: []string{"Decrypt@12:05", "GenerateDataKey@12:04"}},
		{name: "ResourceName bucket", input: cloudtrail.LookupEventsInput{LookupAttributes: attr(types.LookupAttributeKeyResourceName, "photos")},
			want: []string{"DeleteBucketEncryption@12:07", "PutBucketEncryption@12:03"}},
		{name: "ResourceType", input: cloudtrail.LookupEventsInput{LookupAttributes: attr(types.LookupAttributeKeyResourceType, "AWS::S3::Bucket")},
			want: []string{"DeleteBucketEncryption@12:07", "PutBucketEncryption@12:03"}},
		{name: "ReadOnly", input: cloudtrail.LookupEventsInput{LookupAttributes: attr(types.LookupAttributeKeyReadOnly, "true")},
			want: []string{"Decrypt@12:05", "Decrypt@12:02"}},
		{name: "EventId", input: cloudtrail.LookupEventsInput{LookupAttributes: attr(types.LookupAttributeKeyEventId, decryptID)},
			want: []string{"Decrypt@12:05"}},
		{name: "time range", input: cloudtrail.LookupEventsInput{StartTime: aws.Time(minute(2)), EndTime: aws.Time(minute(4))},
			want: []string{"GenerateDataKey@12:04", "PutBucketEncryption@12:03", "Decrypt@12:02"}},
		{name: "time range and attribute", input: cloudtrail.LookupEventsInput{StartTime: aws.Time(minute(1)), EndTime: aws.Time(minute(5).Add(30 * time.Second)),
			LookupAttributes: attr(types.LookupAttributeKeyEventName, "Decrypt")},
			want: []string{"Decrypt@12:05", "Decrypt@12:02"}},
		{name: "insight category has no events", input: cloudtrail.LookupEventsInput{EventCategory: types.EventCategoryInsight}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			out, err := client.LookupEvents(t.Context(), &tc.input)
			if err != nil {
				t.Fatalf("LookupEvents: %v", err)
			}
			if got := names(t, out.Events); !slices.Equal(got, tc.want) {
				t.Fatalf("events = %v\nwant %v", got, tc.want)
			}
			if out.NextToken != nil {
				t.Fatalf("unexpected NextToken on a short result")
			}
		})
	}
}

func TestSDKEventShape(t *testing.T) {
	s := newTestServer(t)
	out, err := sdkClient(s, testAccessKey, testSecret).LookupEvents(t.Context(), &cloudtrail.LookupEventsInput{
		LookupAttributes: attr(types.LookupAttributeKeyEventName, "PutBucketEncryption")})
	if err != nil || len(out.Events) != 1 {
		t.Fatalf("LookupEvents = %+v, %v", out, err)
	}
	e := out.Events[0]
	if len(*e.EventId) != 36 || *e.EventSource != "s3.amazonaws.com" || *e.ReadOnly != "false" || *e.AccessKeyId != "AKIAROOT" ||
		*e.Username != "root" || !e.EventTime.Equal(minute(3)) || len(e.Resources) != 1 ||
		*e.Resources[0].ResourceType != "AWS::S3::Bucket" || *e.Resources[0].ResourceName != "photos" {
		t.Fatalf("event = %+v", e)
	}
	var record map[string]any
	if err := json.Unmarshal([]byte(*e.CloudTrailEvent), &record); err != nil {
		t.Fatalf("CloudTrailEvent is not JSON: %v", err)
	}
	if record["eventID"] != *e.EventId || record["eventType"] != "AwsApiCall" || record["awsRegion"] != testRegion ||
		record["recipientAccountId"] != testAccount || record["requestID"] != "req-3" {
		t.Fatalf("CloudTrailEvent = %s", *e.CloudTrailEvent)
	}
}

func TestSDKPagination(t *testing.T) {
	s := newTestServer(t)
	client := sdkClient(s, testAccessKey, testSecret)
	cases := []struct {
		name  string
		input cloudtrail.LookupEventsInput
		pages []int
	}{
		{name: "pages of 3", input: cloudtrail.LookupEventsInput{MaxResults: aws.Int32(3)}, pages: []int{3, 3, 2}},
		{name: "pages of 1 with an attribute", input: cloudtrail.LookupEventsInput{MaxResults: aws.Int32(1),
			LookupAttributes: attr(types.LookupAttributeKeyUsername, "alice")}, pages: []int{1, 1, 1, 1}},
		{name: "pages of 2 in a time range", input: cloudtrail.LookupEventsInput{MaxResults: aws.Int32(2),
			StartTime: aws.Time(minute(1)), EndTime: aws.Time(minute(6))}, pages: []int{2, 2, 2}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			p := cloudtrail.NewLookupEventsPaginator(client, &tc.input)
			var sizes []int
			seen := map[string]bool{}
			for p.HasMorePages() {
				page, err := p.NextPage(t.Context())
				if err != nil {
					t.Fatalf("NextPage: %v", err)
				}
				sizes = append(sizes, len(page.Events))
				for _, e := range page.Events {
					if seen[*e.EventId] {
						t.Fatalf("event %s returned twice", *e.EventId)
					}
					seen[*e.EventId] = true
				}
			}
			if !slices.Equal(sizes, tc.pages) {
				t.Fatalf("page sizes %v, want %v", sizes, tc.pages)
			}
		})
	}
}

func TestSDKErrors(t *testing.T) {
	s := newTestServer(t)
	client := sdkClient(s, testAccessKey, testSecret)
	first, err := client.LookupEvents(t.Context(), &cloudtrail.LookupEventsInput{MaxResults: aws.Int32(2)})
	if err != nil || first.NextToken == nil {
		t.Fatalf("first page: %v", err)
	}
	two := append(attr(types.LookupAttributeKeyEventName, "Decrypt"), attr(types.LookupAttributeKeyUsername, "alice")...)
	cases := []struct {
		name   string
		client *cloudtrail.Client
		input  cloudtrail.LookupEventsInput
		code   string
		typed  any
	}{
		{name: "two attributes", input: cloudtrail.LookupEventsInput{LookupAttributes: two},
			code: "InvalidLookupAttributesException", typed: new(*types.InvalidLookupAttributesException)},
		{name: "unknown attribute", input: cloudtrail.LookupEventsInput{LookupAttributes: attr("Colour", "blue")},
			code: "InvalidLookupAttributesException", typed: new(*types.InvalidLookupAttributesException)},
		{name: "start after end", input: cloudtrail.LookupEventsInput{StartTime: aws.Time(minute(5)), EndTime: aws.Time(minute(1))},
			code: "InvalidTimeRangeException", typed: new(*types.InvalidTimeRangeException)},
		{name: "max results 51", input: cloudtrail.LookupEventsInput{MaxResults: aws.Int32(51)},
			code: "InvalidMaxResultsException", typed: new(*types.InvalidMaxResultsException)},
		{name: "max results 0", input: cloudtrail.LookupEventsInput{MaxResults: aws.Int32(0)},
			code: "InvalidMaxResultsException", typed: new(*types.InvalidMaxResultsException)},
		{name: "token for other parameters", input: cloudtrail.LookupEventsInput{NextToken: first.NextToken,
			LookupAttributes: attr(types.LookupAttributeKeyEventName, "Decrypt")},
			code: "InvalidNextTokenException", typed: new(*types.InvalidNextTokenException)},
		{name: "made-up token", input: cloudtrail.LookupEventsInput{NextToken: aws.String("bm90IGEgdG9rZW4")},
			code: "InvalidNextTokenException", typed: new(*types.InvalidNextTokenException)},
		{name: "bad event category", input: cloudtrail.LookupEventsInput{EventCategory: "management"},
			code: "InvalidEventCategoryException", typed: new(*types.InvalidEventCategoryException)},
		{name: "wrong secret", client: sdkClient(s, testAccessKey, "wrong-secret"), code: "InvalidSignatureException"},
		{name: "unknown access key", client: sdkClient(s, "AKIDUNKNOWN", testSecret), code: "UnrecognizedClientException"},
		// LookupEvents's model lists no AccessDeniedException: the SDK
		// gives a generic API error with the code.
		{name: "not authorized", client: sdkClient(s, readerKey, readerSecret), code: "AccessDeniedException"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			c := client
			if tc.client != nil {
				c = tc.client
			}
			_, err := c.LookupEvents(t.Context(), &tc.input)
			var apiErr smithy.APIError
			if !errors.As(err, &apiErr) || apiErr.ErrorCode() != tc.code || apiErr.ErrorMessage() == "" {
				t.Fatalf("err = %v, want %s with a message", err, tc.code)
			}
			if tc.typed != nil && !errors.As(err, tc.typed) {
				t.Fatalf("err = %T, want the SDK's typed %T", err, tc.typed)
			}
		})
	}
}

func TestSDKOtherOperationsUnsupported(t *testing.T) {
	s := newTestServer(t)
	client := sdkClient(s, testAccessKey, testSecret)
	_, err := client.DescribeTrails(context.Background(), &cloudtrail.DescribeTrailsInput{})
	var unsupported *types.UnsupportedOperationException
	if !errors.As(err, &unsupported) {
		t.Fatalf("DescribeTrails: %v, want UnsupportedOperationException", err)
	}
}

// A caller refused LookupEvents is itself an audit event, naming the
// caller; the refusal reaches root's next lookup.
func TestSDKRefusalIsRecorded(t *testing.T) {
	s := newTestServer(t)
	_, err := sdkClient(s, readerKey, readerSecret).LookupEvents(t.Context(), &cloudtrail.LookupEventsInput{})
	var apiErr smithy.APIError
	if !errors.As(err, &apiErr) || apiErr.ErrorCode() != "AccessDeniedException" || !strings.Contains(apiErr.ErrorMessage(), "user/reader") {
		t.Fatalf("reader's lookup: %v", err)
	}
	out, err := sdkClient(s, testAccessKey, testSecret).LookupEvents(t.Context(), &cloudtrail.LookupEventsInput{
		LookupAttributes: []types.LookupAttribute{{AttributeKey: types.LookupAttributeKeyEventName, AttributeValue: aws.String("LookupEvents")}},
	})
	if err != nil {
		t.Fatal(err)
	}
	if len(out.Events) != 1 || aws.ToString(out.Events[0].Username) != "reader" ||
		!strings.Contains(aws.ToString(out.Events[0].CloudTrailEvent), `"errorCode":"AccessDeniedException"`) {
		t.Fatalf("recorded refusals: %+v", out.Events)
	}
}
