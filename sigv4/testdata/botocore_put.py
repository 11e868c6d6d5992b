"""Uploads to a Coffer sigv4 test server with botocore (boto3), the way the
aws CLI does. Run by botocore_test.go; arguments come from the environment:
ENDPOINT, CA_BUNDLE ('' for plain http), ACCESS_KEY, SECRET_KEY, REGION,
SIZE. Exit status 0 means every upload was accepted."""
import io
import os
import sys

import boto3
from botocore.config import Config


def data(n):
    return bytes((i * 7 + 3) % 256 for i in range(n))


def main():
    verify = os.environ["CA_BUNDLE"] or None
    client = boto3.client(
        "s3",
        endpoint_url=os.environ["ENDPOINT"],
        aws_access_key_id=os.environ["ACCESS_KEY"],
        aws_secret_access_key=os.environ["SECRET_KEY"],
        region_name=os.environ["REGION"],
        verify=verify,
        config=Config(
            signature_version="s3v4",
            s3={"addressing_style": "path"},
            retries={"max_attempts": 1, "mode": "standard"},
        ),
    )
    size = int(os.environ["SIZE"])
    body = data(size)
    client.put_object(Bucket="bucket", Key="bytes body/ü+x.bin", Body=body)
    client.put_object(Bucket="bucket", Key="file body.bin", Body=io.BytesIO(body))
    client.put_object(Bucket="bucket", Key="sha256.bin", Body=io.BytesIO(body), ChecksumAlgorithm="SHA256")
    client.list_objects_v2(Bucket="bucket", Prefix="a b+c/", Delimiter="/")
    url = client.generate_presigned_url(
        "get_object", Params={"Bucket": "bucket", "Key": "pre signed/ü.txt"}, ExpiresIn=300)
    print(url)


if __name__ == "__main__":
    try:
        main()
    except Exception as e:  # report, then fail the Go test
        print(type(e).__name__, e, file=sys.stderr)
        sys.exit(1)
