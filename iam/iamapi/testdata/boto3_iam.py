"""Drives Coffer's IAM and STS APIs with boto3 as root, then as a new user.

Environment: ENDPOINT, ACCESS_KEY, SECRET_KEY (root). Prints one JSON
object with what the Go test checks; exits non-zero on any surprise.
"""
import json
import os
import sys

import boto3
from botocore.config import Config
from botocore.exceptions import ClientError

ENDPOINT = os.environ["ENDPOINT"]
CONFIG = Config(retries={"max_attempts": 1})


def client(service, key, secret):
    return boto3.client(service, endpoint_url=ENDPOINT, region_name="us-east-1",
                        aws_access_key_id=key, aws_secret_access_key=secret, config=CONFIG)


def error_of(call, *args, **kwargs):
    try:
        call(*args, **kwargs)
    except ClientError as e:
        return {"code": e.response["Error"]["Code"], "status": e.response["ResponseMetadata"]["HTTPStatusCode"],
                "message": e.response["Error"]["Message"]}
    sys.exit("expected an error from %s" % call.__name__)


root_iam = client("iam", os.environ["ACCESS_KEY"], os.environ["SECRET_KEY"])
out = {}

out["user"] = root_iam.create_user(UserName="bob", Path="/ops/")["User"]["Arn"]
for i in range(3):
    root_iam.create_user(UserName="extra%d" % i)
key = root_iam.create_access_key(UserName="bob")["AccessKey"]
out["key_id"] = key["AccessKeyId"]
out["secret_length"] = len(key["SecretAccessKey"])

document = {"Version": "2012-10-17", "Statement": [{"Sid": "Logs", "Effect": "Allow", "Action": ["s3:PutObject"],
                                                    "Resource": "arn:aws:s3:::logs/*"}]}
root_iam.put_user_policy(UserName="bob", PolicyName="logs", PolicyDocument=json.dumps(document))
got = root_iam.get_user_policy(UserName="bob", PolicyName="logs")["PolicyDocument"]
out["policy_round_trip"] = got == document  # botocore URL-decodes and parses it

users = []
for page in root_iam.get_paginator("list_users").paginate(PaginationConfig={"PageSize": 2}):
    users += [u["UserName"] for u in page["Users"]]
out["users"] = users

out["no_such_entity"] = error_of(root_iam.get_user, UserName="nobody")
out["malformed"] = error_of(root_iam.put_user_policy, UserName="bob", PolicyName="bad", PolicyDocument="{not json")
out["limit"] = (root_iam.create_access_key(UserName="bob") and error_of(root_iam.create_access_key, UserName="bob"))

bob_sts = client("sts", key["AccessKeyId"], key["SecretAccessKey"])
out["identity"] = {k: v for k, v in bob_sts.get_caller_identity().items() if k != "ResponseMetadata"}
bob_iam = client("iam", key["AccessKeyId"], key["SecretAccessKey"])
out["denied"] = error_of(bob_iam.list_users)

root_iam.update_access_key(UserName="bob", AccessKeyId=key["AccessKeyId"], Status="Inactive")
out["inactive"] = error_of(bob_sts.get_caller_identity)
print(json.dumps(out))
