"""What the boto3 suites of tests/e2e share: the endpoint (COG_EMU_ENDPOINT; without it every
test of a suite that uses `pytestmark = e2elib.NEEDS_ENDPOINT` is skipped), the repository's
cognito-idp model for botocore (Debian's botocore predates USER_AUTH, passkeys and devices), a
cognito-idp client fixture, unique names, the control API and its code inbox, and the code
and message of a ClientError. Suites import what they use: `from e2elib import idp, ...`.
"""

import atexit
import http.client
import json
import os
import shutil
import tempfile
import urllib.parse
import uuid

import pytest

ENDPOINT = os.environ.get("COG_EMU_ENDPOINT", "").rstrip("/")
NEEDS_ENDPOINT = pytest.mark.skipif(not ENDPOINT, reason="COG_EMU_ENDPOINT is not set")

HERE = os.path.dirname(os.path.abspath(__file__))
MODEL = os.path.join(HERE, "..", "..", "server", "aws", "model", "cognito-idp.json")
MODEL_SUBPATH = os.path.join("cognito-idp", "2016-04-18", "service-2.json")


def use_repo_model():
    """Make botocore load the repository's cognito-idp model (call before any client is made),
    unless AWS_DATA_PATH already provides one (run.sh does)."""
    for d in filter(None, os.environ.get("AWS_DATA_PATH", "").split(os.pathsep)):
        if os.path.isfile(os.path.join(os.path.expanduser(d), MODEL_SUBPATH)):
            return
    if not os.path.isfile(MODEL):
        return
    d = tempfile.mkdtemp(prefix="cognito-emu-model-")
    atexit.register(shutil.rmtree, d, True)
    os.makedirs(os.path.dirname(os.path.join(d, MODEL_SUBPATH)))
    os.symlink(os.path.abspath(MODEL), os.path.join(d, MODEL_SUBPATH))
    old = os.environ.get("AWS_DATA_PATH")
    os.environ["AWS_DATA_PATH"] = d + (os.pathsep + old if old else "")


def unique(prefix):
    return f"{prefix}-{uuid.uuid4().hex[:10]}"


@pytest.fixture(scope="module")
def idp():
    """A cognito-idp client of the emulator, with the repository's model."""
    use_repo_model()
    import boto3
    from botocore.config import Config

    return boto3.client(
        "cognito-idp",
        endpoint_url=ENDPOINT,
        region_name="us-east-1",
        aws_access_key_id="test",
        aws_secret_access_key="test",
        config=Config(connect_timeout=5, read_timeout=20, retries={"total_max_attempts": 1}),
    )


def control(method, path, body=None):
    """A request to the control API: (status, parsed JSON or None)."""
    u = urllib.parse.urlsplit(ENDPOINT)
    conn = http.client.HTTPConnection(u.hostname, u.port or 80, timeout=40)
    try:
        data = json.dumps(body).encode() if body is not None else None
        conn.request(method, path, body=data, headers={"Content-Type": "application/json"} if data else {})
        r = conn.getresponse()
        raw = r.read()
        try:
            return r.status, json.loads(raw)
        except ValueError:
            return r.status, None
    finally:
        conn.close()


def inbox_mark():
    """The id of the newest message in the inbox: codes sent after it are the test's."""
    status, doc = control("GET", "/_emu/messages?limit=1")
    if status != 200:
        pytest.skip("the server has no code inbox (GET /_emu/messages)")
    return doc["lastId"]


def inbox_code(pool_id, username, after, kind="mfa"):
    """The first message of kind sent to username after message id after."""
    q = urllib.parse.urlencode({"pool": pool_id, "username": username, "kind": kind, "after": after, "wait": 5})
    status, doc = control("GET", f"/_emu/messages?{q}")
    assert status == 200, (status, doc)
    msgs = sorted(doc.get("messages", []), key=lambda m: m["id"])
    assert msgs, f"no {kind} code for {username} in the inbox"
    return msgs[0]


def error_of(excinfo):
    """The (Code, Message) of the ClientError a pytest.raises caught."""
    err = excinfo.value.response["Error"]
    return err["Code"], err["Message"]
