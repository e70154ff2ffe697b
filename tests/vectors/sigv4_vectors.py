#!/usr/bin/env python3
"""Print the SigV4 test vectors of tests/check_sigv4.c, made by botocore's own signer.

The emulator signs Lambda Invoke requests itself (crypto/sigv4.c); these vectors come from
botocore (botocore.auth.SigV4Auth), not from our code, so the test checks our signer against
the AWS SDK's. Run it with any botocore to regenerate: python3 tests/vectors/sigv4_vectors.py
"""
import datetime

import botocore
import botocore.auth
import botocore.awsrequest
import botocore.credentials

WHEN = datetime.datetime(2026, 12, 3, 10, 0, 0)


class FixedClock(datetime.datetime):
    @classmethod
    def utcnow(cls):
        return WHEN

    @classmethod
    def now(cls, tz=None):
        return WHEN.replace(tzinfo=tz)


botocore.auth.datetime.datetime = FixedClock
CREDS = botocore.credentials.Credentials("AKIDEXAMPLE", "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY")
CASES = [
    # method, url, body, region, service
    ("POST", "http://localhost:3002/2015-03-31/functions/my-pre-sign-up/invocations?Qualifier=live",
     b'{"version":"1","triggerSource":"PreSignUp_SignUp"}', "us-east-1", "lambda"),
    ("POST", "http://127.0.0.1:4566/2015-03-31/functions/arn%3Aaws%3Alambda%3Aeu-west-1%3A123456789012"
     "%3Afunction%3Afn/invocations", b"{}", "eu-west-1", "lambda"),
    ("GET", "http://localhost:9229/a%20b/c?z=1&a=x%20y&a=b", b"", "us-east-1", "execute-api"),
]
print("botocore", botocore.__version__, WHEN.isoformat() + "Z")
for method, url, body, region, service in CASES:
    req = botocore.awsrequest.AWSRequest(method=method, url=url, data=body,
                                         headers={"Content-Type": "application/json"})
    botocore.auth.SigV4Auth(CREDS, service, region).add_auth(req)
    print(method, url, region, service, body.decode())
    print("  X-Amz-Date:", req.headers["X-Amz-Date"])
    print("  Authorization:", req.headers["Authorization"])
