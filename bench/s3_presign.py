#!/usr/bin/env python3
"""bench/s3_presign.py: presigned S3 URLs (SigV4 query authentication) for bench/s3.sh.

Reads object paths ("/bucket/key", one a line, already URI-safe) on stdin and prints, one a line,
the same path with the presigned query string appended ("/bucket/key?X-Amz-Algorithm=..."). Only
the Host header is signed and the payload is UNSIGNED-PAYLOAD, as the AWS SDKs presign; the
server verifies every request's signature.

Protocol: AWS "Authenticating Requests: Using Query Parameters (AWS Signature Version 4)",
https://docs.aws.amazon.com/AmazonS3/latest/API/sigv4-query-string-auth.html
Standard library only (hmac, hashlib).

usage: s3_presign.py --host 127.0.0.1:PORT --akid AKID --secret SECRET --method GET|PUT
                     [--region us-east-1] [--expires 3600] < paths > paths-with-queries
"""

import argparse
import datetime
import hashlib
import hmac
import sys
import urllib.parse


def uri_encode(s: str, keep_slash: bool) -> str:
    # RFC 3986 unreserved characters stay; everything else is %XX (upper case), as SigV4 wants.
    return urllib.parse.quote(s, safe="-_.~" + ("/" if keep_slash else ""))


def signing_key(secret: str, date: str, region: str, service: str) -> bytes:
    key = ("AWS4" + secret).encode()
    for part in (date, region, service, "aws4_request"):
        key = hmac.new(key, part.encode(), hashlib.sha256).digest()
    return key


def presign(path: str, method: str, host: str, akid: str, key: bytes, amz_date: str,
            scope: str, expires: int) -> str:
    query = {
        "X-Amz-Algorithm": "AWS4-HMAC-SHA256",
        "X-Amz-Credential": f"{akid}/{scope}",
        "X-Amz-Date": amz_date,
        "X-Amz-Expires": str(expires),
        "X-Amz-SignedHeaders": "host",
    }
    canonical_query = "&".join(
        f"{uri_encode(k, False)}={uri_encode(v, False)}" for k, v in sorted(query.items()))
    canonical_request = "\n".join(
        [method, path, canonical_query, f"host:{host}", "", "host", "UNSIGNED-PAYLOAD"])
    string_to_sign = "\n".join([
        "AWS4-HMAC-SHA256", amz_date, scope,
        hashlib.sha256(canonical_request.encode()).hexdigest()
    ])
    signature = hmac.new(key, string_to_sign.encode(), hashlib.sha256).hexdigest()
    return f"{path}?{canonical_query}&X-Amz-Signature={signature}"


def main() -> int:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--host", required=True)
    p.add_argument("--akid", required=True)
    p.add_argument("--secret", required=True)
    p.add_argument("--method", required=True, choices=["GET", "PUT", "HEAD", "DELETE"])
    p.add_argument("--region", default="us-east-1")
    p.add_argument("--expires", type=int, default=3600)
    a = p.parse_args()
    now = datetime.datetime.now(datetime.timezone.utc)
    amz_date = now.strftime("%Y%m%dT%H%M%SZ")
    date = amz_date[:8]
    scope = f"{date}/{a.region}/s3/aws4_request"
    key = signing_key(a.secret, date, a.region, "s3")
    out = sys.stdout
    for line in sys.stdin:
        path = line.strip()
        if path:
            out.write(presign(uri_encode(path, True), a.method, a.host, a.akid, key, amz_date,
                              scope, a.expires) + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
