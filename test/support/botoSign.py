"""Signs requests with botocore, the signer boto3 and the AWS CLI use, for test/auth.test.ts.

stdin: a JSON list of {method, url, headers, body_b64, access_key, secret_key, region, service}.
stdout: a JSON list of the signed headers (what botocore would put on the wire), one per request.
`client` mode (argv[1] == "client") instead calls ListIndices with a real boto3 client:
stdin {endpoint, access_key, secret_key, region}; stdout {"ok": true} or {"code", "message"}.
"""
import base64
import json
import sys


def sign(requests):
    from botocore.auth import SigV4Auth
    from botocore.awsrequest import AWSRequest
    from botocore.credentials import Credentials

    out = []
    for r in requests:
        request = AWSRequest(
            method=r["method"],
            url=r["url"],
            data=base64.b64decode(r["body_b64"]),
            headers=r["headers"],
        )
        SigV4Auth(Credentials(r["access_key"], r["secret_key"]), r["service"], r["region"]).add_auth(request)
        out.append(dict(request.headers.items()))
    return out


def client(spec):
    import boto3
    from botocore.config import Config
    from botocore.exceptions import ClientError

    kendra = boto3.client(
        "kendra",
        endpoint_url=spec["endpoint"],
        region_name=spec["region"],
        aws_access_key_id=spec["access_key"],
        aws_secret_access_key=spec["secret_key"],
        config=Config(retries={"max_attempts": 1}),
    )
    try:
        kendra.list_indices(MaxResults=5)
        return {"ok": True}
    except ClientError as e:
        return {"code": e.response["Error"]["Code"], "message": e.response["Error"]["Message"]}


if __name__ == "__main__":
    spec = json.load(sys.stdin)
    result = client(spec) if sys.argv[1:] == ["client"] else sign(spec)
    json.dump(result, sys.stdout)
