package s3api

import (
	"context"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/aws-sdk-go-v2/service/s3/types"
)

func TestSDKBuckets(t *testing.T) {
	env := newTestEnv(t)
	client := env.sdk(t)
	ctx := context.Background()
	before := time.Now().Add(-time.Second)

	if _, err := client.CreateBucket(ctx, &s3.CreateBucketInput{Bucket: aws.String("alpha")}); err != nil {
		t.Fatal(err)
	}
	_, err := client.CreateBucket(ctx, &s3.CreateBucketInput{Bucket: aws.String("alpha")})
	wantCode(t, err, "BucketAlreadyOwnedByYou")
	_, err = client.CreateBucket(ctx, &s3.CreateBucketInput{Bucket: aws.String("bad..name")})
	wantCode(t, err, "InvalidBucketName")
	_, err = client.CreateBucket(ctx, &s3.CreateBucketInput{Bucket: aws.String("elsewhere"),
		CreateBucketConfiguration: &types.CreateBucketConfiguration{LocationConstraint: types.BucketLocationConstraintEuWest1}})
	wantCode(t, err, "IllegalLocationConstraintException")
	if _, err := client.CreateBucket(ctx, &s3.CreateBucketInput{Bucket: aws.String("beta"),
		CreateBucketConfiguration: &types.CreateBucketConfiguration{LocationConstraint: types.BucketLocationConstraint(testRegion)}}); err != nil {
		t.Fatalf("create with our own region: %v", err)
	}

	head, err := client.HeadBucket(ctx, &s3.HeadBucketInput{Bucket: aws.String("alpha")})
	if err != nil || aws.ToString(head.BucketRegion) != testRegion {
		t.Fatalf("HeadBucket: %+v %v", head, err)
	}
	_, err = client.HeadBucket(ctx, &s3.HeadBucketInput{Bucket: aws.String("missing")})
	wantCode(t, err, "NotFound") // HEAD has no body: the SDK names the status

	list, err := client.ListBuckets(ctx, &s3.ListBucketsInput{})
	if err != nil {
		t.Fatal(err)
	}
	if len(list.Buckets) != 2 || aws.ToString(list.Buckets[0].Name) != "alpha" || aws.ToString(list.Buckets[1].Name) != "beta" {
		t.Fatalf("ListBuckets: %+v", list.Buckets)
	}
	for _, b := range list.Buckets {
		if b.CreationDate == nil || b.CreationDate.Before(before) || aws.ToString(b.BucketRegion) != testRegion {
			t.Errorf("bucket %s: created %v region %v", aws.ToString(b.Name), b.CreationDate, aws.ToString(b.BucketRegion))
		}
	}
	if list.Owner == nil || aws.ToString(list.Owner.DisplayName) != "coffer" {
		t.Errorf("owner %+v", list.Owner)
	}
	page, err := client.ListBuckets(ctx, &s3.ListBucketsInput{MaxBuckets: aws.Int32(1)})
	if err != nil || len(page.Buckets) != 1 || page.ContinuationToken == nil {
		t.Fatalf("paged ListBuckets: %+v %v", page, err)
	}
	page, err = client.ListBuckets(ctx, &s3.ListBucketsInput{MaxBuckets: aws.Int32(1), ContinuationToken: page.ContinuationToken})
	if err != nil || len(page.Buckets) != 1 || aws.ToString(page.Buckets[0].Name) != "beta" {
		t.Fatalf("second page: %+v %v", page, err)
	}

	loc, err := client.GetBucketLocation(ctx, &s3.GetBucketLocationInput{Bucket: aws.String("alpha")})
	if err != nil || loc.LocationConstraint != "" {
		t.Fatalf("GetBucketLocation: %+v %v", loc, err)
	}
	ver, err := client.GetBucketVersioning(ctx, &s3.GetBucketVersioningInput{Bucket: aws.String("alpha")})
	if err != nil || ver.Status != "" {
		t.Fatalf("GetBucketVersioning: %+v %v", ver, err)
	}
	_, err = client.GetBucketPolicy(ctx, &s3.GetBucketPolicyInput{Bucket: aws.String("alpha")})
	wantCode(t, err, "NoSuchBucketPolicy")
	_, err = client.GetBucketLifecycleConfiguration(ctx, &s3.GetBucketLifecycleConfigurationInput{Bucket: aws.String("alpha")})
	wantCode(t, err, "NotImplemented")

	if _, err := client.PutObject(ctx, &s3.PutObjectInput{Bucket: aws.String("alpha"), Key: aws.String("k")}); err != nil {
		t.Fatal(err)
	}
	_, err = client.DeleteBucket(ctx, &s3.DeleteBucketInput{Bucket: aws.String("alpha")})
	wantCode(t, err, "BucketNotEmpty")
	if _, err := client.DeleteObject(ctx, &s3.DeleteObjectInput{Bucket: aws.String("alpha"), Key: aws.String("k")}); err != nil {
		t.Fatal(err)
	}
	if _, err := client.DeleteBucket(ctx, &s3.DeleteBucketInput{Bucket: aws.String("alpha")}); err != nil {
		t.Fatal(err)
	}
	_, err = client.DeleteBucket(ctx, &s3.DeleteBucketInput{Bucket: aws.String("alpha")})
	wantCode(t, err, "NoSuchBucket")
}

func TestSDKVirtualHostedStyle(t *testing.T) {
	env := newTestEnv(t, withDomains("s3.coffer.test"))
	client := env.virtualHostSDK(t, "s3.coffer.test")
	ctx := context.Background()
	if _, err := client.CreateBucket(ctx, &s3.CreateBucketInput{Bucket: aws.String("vhost")}); err != nil {
		t.Fatal(err)
	}
	if _, err := client.PutObject(ctx, &s3.PutObjectInput{Bucket: aws.String("vhost"), Key: aws.String("dir/obj"), Body: stringsReader("virtual")}); err != nil {
		t.Fatal(err)
	}
	out, err := client.GetObject(ctx, &s3.GetObjectInput{Bucket: aws.String("vhost"), Key: aws.String("dir/obj")})
	if err != nil {
		t.Fatal(err)
	}
	if got := string(readAll(t, out.Body)); got != "virtual" {
		t.Fatalf("got %q", got)
	}
	list, err := client.ListObjectsV2(ctx, &s3.ListObjectsV2Input{Bucket: aws.String("vhost")})
	if err != nil || len(list.Contents) != 1 || aws.ToString(list.Contents[0].Key) != "dir/obj" {
		t.Fatalf("list: %+v %v", list, err)
	}
	// The same server still answers path-style requests.
	path := env.sdk(t)
	if _, err := path.HeadObject(ctx, &s3.HeadObjectInput{Bucket: aws.String("vhost"), Key: aws.String("dir/obj")}); err != nil {
		t.Fatal(err)
	}
}
