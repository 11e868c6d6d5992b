"""Prints botocore's generate_presigned_post form as JSON, for
clients_test.go. Environment: ACCESS_KEY, SECRET_KEY, REGION."""
import json
import os

import boto3
from botocore.config import Config

client = boto3.client(
    "s3",
    endpoint_url="http://127.0.0.1:9",
    aws_access_key_id=os.environ["ACCESS_KEY"],
    aws_secret_access_key=os.environ["SECRET_KEY"],
    region_name=os.environ["REGION"],
    config=Config(signature_version="s3v4", s3={"addressing_style": "path"}),
)
post = client.generate_presigned_post(
    "bucket",
    "uploads/${filename}",
    Fields={"acl": "private", "Content-Type": "image/png", "x-amz-meta-owner": "Zoë"},
    Conditions=[
        {"acl": "private"},
        ["starts-with", "$Content-Type", "image/"],
        {"x-amz-meta-owner": "Zoë"},
        ["content-length-range", 1, 1024],
    ],
    ExpiresIn=600,
)
print(json.dumps(post))
