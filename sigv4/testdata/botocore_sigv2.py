"""Drives a Coffer sigv4 test server with botocore's SigV2 signer. Run by
v2botocore_test.go; settings come from the environment: ENDPOINT,
VHOST_ENDPOINT (a base domain for virtual-hosted URLs), ACCESS_KEY,
SECRET_KEY, SIZE.

  presign   prints, as JSON, presigned URLs made with boto3's default
            configuration: with a custom endpoint in us-east-1, botocore
            presigns with SigV2 (AWSAccessKeyId, Signature, Expires).
  requests  sends header-signed requests with signature_version="s3"
            (Authorization: AWS AccessKeyId:Signature) and exits 0 when
            the server accepted every one.
"""
import json
import os
import sys

import boto3
from botocore.config import Config


def data(n):
    return bytes((i * 7 + 3) % 256 for i in range(n))


def client(endpoint, config=None):
    return boto3.client(
        "s3",
        endpoint_url=endpoint,
        aws_access_key_id=os.environ["ACCESS_KEY"],
        aws_secret_access_key=os.environ["SECRET_KEY"],
        region_name="us-east-1",
        config=config,
    )


def presign():
    s3 = client(os.environ["ENDPOINT"])  # default configuration
    vhost = client(os.environ["VHOST_ENDPOINT"], Config(s3={"addressing_style": "virtual"}))
    urls = {
        "get": s3.generate_presigned_url(
            "get_object", Params={"Bucket": "bucket", "Key": "pre signed/ü+x.txt"}),
        "put": s3.generate_presigned_url(
            "put_object", Params={"Bucket": "bucket", "Key": "upload.bin"}),
        "put_headers": s3.generate_presigned_url(
            "put_object", Params={"Bucket": "bucket", "Key": "typed.txt", "ContentType": "text/plain",
                                  "Metadata": {"color": "blue"}}),
        "get_subresources": s3.generate_presigned_url(
            "get_object", Params={"Bucket": "bucket", "Key": "k",
                                  "ResponseContentDisposition": 'attachment; filename="a b+c.txt"',
                                  "VersionId": "v+1 2"}),
        "head": s3.generate_presigned_url(
            "head_object", Params={"Bucket": "bucket", "Key": "k"}, ExpiresIn=120),
        "virtual_get": vhost.generate_presigned_url(
            "get_object", Params={"Bucket": "vbucket", "Key": "dir/k.txt"}),
    }
    print(json.dumps(urls))


def requests():
    s3 = client(os.environ["ENDPOINT"], Config(
        signature_version="s3",
        s3={"addressing_style": "path"},
        retries={"max_attempts": 1, "mode": "standard"},
    ))
    body = data(int(os.environ["SIZE"]))
    s3.put_object(Bucket="bucket", Key="v2 dir/ü+x.bin", Body=body, ContentType="application/x-test",
                  Metadata={"Color": "blue", "reviewed-by": "joe"})
    s3.get_object(Bucket="bucket", Key="v2 dir/ü+x.bin", Range="bytes=0-9", VersionId="v+1")
    s3.list_objects(Bucket="bucket", Prefix="a b+c/", Delimiter="/")
    s3.delete_objects(Bucket="bucket", Delete={"Objects": [{"Key": "a"}, {"Key": "b c"}]})
    up = s3.create_multipart_upload(Bucket="bucket", Key="mp.bin")
    part = s3.upload_part(Bucket="bucket", Key="mp.bin", UploadId=up["UploadId"], PartNumber=1, Body=body)
    s3.complete_multipart_upload(Bucket="bucket", Key="mp.bin", UploadId=up["UploadId"],
                                 MultipartUpload={"Parts": [{"PartNumber": 1, "ETag": part["ETag"]}]})
    s3.delete_object(Bucket="bucket", Key="v2 dir/ü+x.bin")


if __name__ == "__main__":
    try:
        {"presign": presign, "requests": requests}[sys.argv[1]]()
    except Exception as e:  # report, then fail the Go test
        print(type(e).__name__, e, file=sys.stderr)
        sys.exit(1)
