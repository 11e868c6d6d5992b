package s3api

import (
	"context"
	"net/url"
	"reflect"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/aws-sdk-go-v2/service/s3/types"
)

var listKeys = []string{
	"a.txt", "b/1", "b/2", "b/c/3", "c d/4", "c+d/5", "e€/6", "z",
}

func fillBucket(t testing.TB, client *s3.Client, bucket string, keys []string) {
	t.Helper()
	createBucket(t, client, bucket)
	for _, k := range keys {
		if _, err := client.PutObject(context.Background(), &s3.PutObjectInput{Bucket: aws.String(bucket), Key: aws.String(k), Body: stringsReader(k)}); err != nil {
			t.Fatal(err)
		}
	}
}

func TestSDKListObjectsV2(t *testing.T) {
	env := newTestEnv(t)
	client := env.sdk(t)
	ctx := context.Background()
	fillBucket(t, client, "list", listKeys)

	// Page through everything, two entries at a time, rolling up "/".
	var keys, prefixes []string
	pages := 0
	p := s3.NewListObjectsV2Paginator(client, &s3.ListObjectsV2Input{Bucket: aws.String("list"), Delimiter: aws.String("/"), MaxKeys: aws.Int32(2)})
	for p.HasMorePages() {
		page, err := p.NextPage(ctx)
		if err != nil {
			t.Fatal(err)
		}
		pages++
		if int(aws.ToInt32(page.KeyCount)) != len(page.Contents)+len(page.CommonPrefixes) || aws.ToInt32(page.KeyCount) > 2 {
			t.Errorf("KeyCount %d for %d+%d entries", aws.ToInt32(page.KeyCount), len(page.Contents), len(page.CommonPrefixes))
		}
		for _, o := range page.Contents {
			keys = append(keys, aws.ToString(o.Key))
			if o.LastModified == nil || aws.ToInt64(o.Size) == 0 || o.StorageClass != types.ObjectStorageClassStandard || o.Owner != nil {
				t.Errorf("entry %+v", o)
			}
		}
		for _, cp := range page.CommonPrefixes {
			prefixes = append(prefixes, aws.ToString(cp.Prefix))
		}
	}
	wantKeys := []string{"a.txt", "z"}
	wantPrefixes := []string{"b/", "c d/", "c+d/", "e€/"}
	if !reflect.DeepEqual(keys, wantKeys) || !reflect.DeepEqual(prefixes, wantPrefixes) || pages != 3 {
		t.Fatalf("got keys %q prefixes %q in %d pages", keys, prefixes, pages)
	}

	// Prefix, start-after and fetch-owner.
	out, err := client.ListObjectsV2(ctx, &s3.ListObjectsV2Input{Bucket: aws.String("list"), Prefix: aws.String("b/"), StartAfter: aws.String("b/1"), FetchOwner: aws.Bool(true)})
	if err != nil {
		t.Fatal(err)
	}
	if len(out.Contents) != 2 || aws.ToString(out.Contents[0].Key) != "b/2" || out.Contents[0].Owner == nil || aws.ToString(out.StartAfter) != "b/1" {
		t.Fatalf("start-after: %+v", out)
	}

	// encoding-type=url: keys and prefixes come back encoded.
	out, err = client.ListObjectsV2(ctx, &s3.ListObjectsV2Input{Bucket: aws.String("list"), Delimiter: aws.String("/"), EncodingType: types.EncodingTypeUrl})
	if err != nil {
		t.Fatal(err)
	}
	var decoded []string
	for _, cp := range out.CommonPrefixes {
		raw := aws.ToString(cp.Prefix)
		d, err := url.QueryUnescape(raw)
		if err != nil {
			t.Fatal(err)
		}
		decoded = append(decoded, d)
	}
	if !reflect.DeepEqual(decoded, wantPrefixes) || aws.ToString(out.CommonPrefixes[1].Prefix) != "c+d/" || aws.ToString(out.CommonPrefixes[2].Prefix) != "c%2Bd/" {
		t.Fatalf("encoded prefixes %+v", out.CommonPrefixes)
	}

	// max-keys=0 and the caps.
	out, err = client.ListObjectsV2(ctx, &s3.ListObjectsV2Input{Bucket: aws.String("list"), MaxKeys: aws.Int32(0)})
	if err != nil || len(out.Contents) != 0 || aws.ToBool(out.IsTruncated) {
		t.Fatalf("max-keys=0: %+v %v", out, err)
	}
	out, err = client.ListObjectsV2(ctx, &s3.ListObjectsV2Input{Bucket: aws.String("list"), MaxKeys: aws.Int32(5000)})
	if err != nil || len(out.Contents) != len(listKeys) || aws.ToInt32(out.MaxKeys) != 1000 {
		t.Fatalf("max-keys=5000: %+v %v", out, err)
	}
	_, err = client.ListObjectsV2(ctx, &s3.ListObjectsV2Input{Bucket: aws.String("list"), ContinuationToken: aws.String("!!!")})
	wantCode(t, err, "InvalidArgument")
	_, err = client.ListObjectsV2(ctx, &s3.ListObjectsV2Input{Bucket: aws.String("nolist")})
	wantCode(t, err, "NoSuchBucket")
}

func TestSDKListObjectsV1(t *testing.T) {
	env := newTestEnv(t)
	client := env.sdk(t)
	ctx := context.Background()
	fillBucket(t, client, "listv1", listKeys)

	// Without a delimiter S3 sends no NextMarker: continue from the last key.
	var keys []string
	marker := ""
	for {
		out, err := client.ListObjects(ctx, &s3.ListObjectsInput{Bucket: aws.String("listv1"), Marker: aws.String(marker), MaxKeys: aws.Int32(3)})
		if err != nil {
			t.Fatal(err)
		}
		if out.NextMarker != nil {
			t.Fatalf("NextMarker without delimiter: %q", aws.ToString(out.NextMarker))
		}
		for _, o := range out.Contents {
			keys = append(keys, aws.ToString(o.Key))
			if o.Owner == nil {
				t.Errorf("v1 entries carry the owner")
			}
		}
		if !aws.ToBool(out.IsTruncated) {
			break
		}
		marker = keys[len(keys)-1]
	}
	if !reflect.DeepEqual(keys, listKeys) {
		t.Fatalf("got %q", keys)
	}

	// With a delimiter NextMarker may name a common prefix.
	out, err := client.ListObjects(ctx, &s3.ListObjectsInput{Bucket: aws.String("listv1"), Delimiter: aws.String("/"), MaxKeys: aws.Int32(2)})
	if err != nil {
		t.Fatal(err)
	}
	if !aws.ToBool(out.IsTruncated) || aws.ToString(out.NextMarker) != "b/" {
		t.Fatalf("first page: truncated %v next %q", aws.ToBool(out.IsTruncated), aws.ToString(out.NextMarker))
	}
	out, err = client.ListObjects(ctx, &s3.ListObjectsInput{Bucket: aws.String("listv1"), Delimiter: aws.String("/"), Marker: out.NextMarker})
	if err != nil || len(out.CommonPrefixes) != 3 || aws.ToString(out.CommonPrefixes[0].Prefix) != "c d/" {
		t.Fatalf("second page: %+v %v", out, err)
	}
}
