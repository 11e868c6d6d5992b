package s3api

import (
	"bufio"
	"context"
	"encoding/json"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	dto "github.com/prometheus/client_model/go"
)

func TestMetricsAndLogs(t *testing.T) {
	env := newTestEnv(t)
	client := env.sdk(t)
	ctx := context.Background()
	createBucket(t, client, "obs")
	if _, err := client.PutObject(ctx, &s3.PutObjectInput{Bucket: aws.String("obs"), Key: aws.String("k"), Body: stringsReader("twelve bytes")}); err != nil {
		t.Fatal(err)
	}
	out, err := client.GetObject(ctx, &s3.GetObjectInput{Bucket: aws.String("obs"), Key: aws.String("k")})
	if err != nil {
		t.Fatal(err)
	}
	readAll(t, out.Body)
	_, err = client.GetObject(ctx, &s3.GetObjectInput{Bucket: aws.String("obs"), Key: aws.String("missing")})
	wantCode(t, err, "NoSuchKey")

	families, err := env.registry.Gather()
	if err != nil {
		t.Fatal(err)
	}
	byName := map[string]*dto.MetricFamily{}
	for _, f := range families {
		byName[f.GetName()] = f
	}
	counter := func(name string, labels map[string]string) float64 {
		f := byName[name]
		if f == nil {
			t.Fatalf("metric %s not registered", name)
		}
	next:
		for _, m := range f.Metric {
			for _, l := range m.Label {
				if v, ok := labels[l.GetName()]; ok && v != l.GetValue() {
					continue next
				}
			}
			if m.Counter != nil {
				return m.Counter.GetValue()
			}
			return float64(m.Histogram.GetSampleCount())
		}
		return 0
	}
	checks := []struct {
		name   string
		labels map[string]string
		min    float64
	}{
		{"coffer_s3_requests_total", map[string]string{"op": "PutObject", "code": "200"}, 1},
		{"coffer_s3_requests_total", map[string]string{"op": "GetObject", "code": "404"}, 1},
		{"coffer_s3_errors_total", map[string]string{"op": "GetObject", "code": "NoSuchKey"}, 1},
		{"coffer_s3_request_duration_seconds", map[string]string{"op": "CreateBucket"}, 1},
		{"coffer_s3_bytes_received_total", nil, 12},
		{"coffer_s3_bytes_sent_total", nil, 12},
	}
	for _, c := range checks {
		if got := counter(c.name, c.labels); got < c.min {
			t.Errorf("%s%v = %v, want >= %v", c.name, c.labels, got, c.min)
		}
	}

	// One JSON line per request, with names and numbers only.
	logs := env.logs.String()
	for _, secret := range []string{testSecretKey, "Signature=", "X-Amz-Signature", "twelve bytes"} {
		if strings.Contains(logs, secret) {
			t.Errorf("log contains %q", secret)
		}
	}
	lines := 0
	sc := bufio.NewScanner(strings.NewReader(logs))
	for sc.Scan() {
		var line map[string]any
		if err := json.Unmarshal(sc.Bytes(), &line); err != nil {
			t.Fatalf("log line %q: %v", sc.Text(), err)
		}
		lines++
		for _, field := range []string{"request_id", "method", "op", "status", "bytes_in", "bytes_out", "duration", "access_key"} {
			if _, ok := line[field]; !ok {
				t.Errorf("log line without %s: %s", field, sc.Text())
			}
		}
		if line["op"] == "GetObject" && line["key"] == "missing" && line["code"] != "NoSuchKey" {
			t.Errorf("error code not logged: %s", sc.Text())
		}
	}
	if lines != 4 {
		t.Errorf("%d log lines for 4 requests", lines)
	}
}

func TestMetricsShareARegistry(t *testing.T) {
	env := newTestEnv(t)
	// A second handler on the same registry reuses the series instead of
	// failing to register them.
	second := New(Config{Service: cannedService{}, Verifier: testVerifier(), Metrics: env.registry})
	rec := httptest.NewRecorder()
	second.ServeHTTP(rec, signedRequest(t, "GET", "http://localhost/", nil, nil))
	if rec.Code != 200 {
		t.Fatalf("status %d: %s", rec.Code, rec.Body)
	}
	families, err := env.registry.Gather()
	if err != nil {
		t.Fatal(err)
	}
	for _, f := range families {
		if f.GetName() != "coffer_s3_requests_total" {
			continue
		}
		for _, m := range f.Metric {
			for _, l := range m.Label {
				if l.GetName() == "op" && l.GetValue() == "ListBuckets" && m.Counter.GetValue() == 1 {
					return
				}
			}
		}
	}
	t.Fatal("the second handler's request was not counted in the shared registry")
}
