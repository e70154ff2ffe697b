"""End-to-end suite: boto3/botocore and raw HTTP against a running cognito-emu.

The endpoint comes from COG_EMU_ENDPOINT (e.g. http://127.0.0.1:9229); without it every test
is skipped. Run with: python3 -m pytest -q tests/e2e/test_boto3.py

The raw-HTTP tests send what no SDK would (bad targets, bad bodies, a body over the cap) and
check that every error still has the AWS JSON 1.1 shape; the last test checks that the server
still answers after all of them.
"""

import datetime
import http.client
import json
import os
import re
import urllib.parse
import uuid

import pytest

ENDPOINT = os.environ.get("COG_EMU_ENDPOINT", "").rstrip("/")

pytestmark = pytest.mark.skipif(not ENDPOINT, reason="COG_EMU_ENDPOINT is not set")

POOL_ID_RE = re.compile(r"^us-east-1_[0-9A-Za-z]{9}$")
CLIENT_ID_RE = re.compile(r"^[a-z0-9]{26}$")
IDENTITY_POOL_ID_RE = re.compile(r"^us-east-1:[0-9a-f-]{36}$")
# What the SDKs themselves check (aws-sdk-cpp/botocore models, amazon-cognito-identity-js).
SDK_POOL_ID_RE = re.compile(r"^[\w-]+_[0-9a-zA-Z]+$")
SDK_IDENTITY_POOL_ID_RE = re.compile(r"^[\w-]+:[0-9a-f-]+$")

IDP_PREFIX = "AWSCognitoIdentityProviderService"
IDENTITY_PREFIX = "AWSCognitoIdentityService"
AMZ_JSON = "application/x-amz-json-1.1"

BAD_ID_MESSAGE = (
    "1 validation error detected: Value 'bad' at 'userPoolId' failed to satisfy constraint: "
    "Member must satisfy regular expression pattern: [\\w-]+_[0-9a-zA-Z]+"
)


def unique(prefix):
    return f"{prefix}-{uuid.uuid4().hex[:10]}"


def make_client(service, region="us-east-1"):
    import boto3
    from botocore.config import Config

    return boto3.client(
        service,
        endpoint_url=ENDPOINT,
        region_name=region,
        aws_access_key_id="test",
        aws_secret_access_key="test",
        config=Config(
            connect_timeout=5,
            read_timeout=20,
            retries={"total_max_attempts": 1},
        ),
    )


@pytest.fixture(scope="module")
def idp():
    return make_client("cognito-idp")


@pytest.fixture(scope="module")
def identity():
    return make_client("cognito-identity")


@pytest.fixture
def pool(idp):
    """A fresh user pool, deleted afterwards (if the test did not delete it)."""
    created = idp.create_user_pool(PoolName=unique("e2e-boto3"))["UserPool"]
    yield created
    try:
        idp.delete_user_pool(UserPoolId=created["Id"])
    except idp.exceptions.ResourceNotFoundException:
        pass


def assert_aware_datetime(value, what):
    assert isinstance(value, datetime.datetime), f"{what} is {type(value).__name__}: {value!r}"
    assert value.tzinfo is not None, f"{what} has no timezone"
    now = datetime.datetime.now(datetime.timezone.utc)
    assert abs((now - value).total_seconds()) < 3600, f"{what} is far from now: {value}"


def assert_request_id(response, what):
    headers = response["ResponseMetadata"]["HTTPHeaders"]
    assert headers.get("x-amzn-requestid"), f"{what}: no x-amzn-requestid header in {headers}"
    assert response["ResponseMetadata"].get("RequestId") == headers["x-amzn-requestid"]


def assert_client_error(err, code, status=400):
    resp = err.response
    assert resp["Error"]["Code"] == code, resp
    assert resp["ResponseMetadata"]["HTTPStatusCode"] == status, resp["ResponseMetadata"]
    assert_request_id(resp, code)
    etype = resp["ResponseMetadata"]["HTTPHeaders"].get("x-amzn-errortype", "")
    assert etype.split(":")[0] == code, f"x-amzn-errortype is {etype!r}"


# ---------------------------------------------------------------------------- user pools


def test_create_user_pool_fields(idp):
    name = unique("e2e-boto3-create")
    resp = idp.create_user_pool(PoolName=name)
    assert_request_id(resp, "CreateUserPool")
    assert resp["ResponseMetadata"]["HTTPStatusCode"] == 200
    up = resp["UserPool"]
    try:
        assert POOL_ID_RE.match(up["Id"]), up["Id"]
        assert SDK_POOL_ID_RE.match(up["Id"])
        assert up["Name"] == name
        assert re.match(r"^arn:aws:cognito-idp:us-east-1:\d{12}:userpool/" + up["Id"] + "$", up["Arn"])
        assert_aware_datetime(up["CreationDate"], "CreationDate")
        assert_aware_datetime(up["LastModifiedDate"], "LastModifiedDate")
        pp = up["Policies"]["PasswordPolicy"]
        assert pp["MinimumLength"] == 8
        assert pp["RequireUppercase"] is True
        assert pp["RequireLowercase"] is True
        assert pp["RequireNumbers"] is True
        assert pp["RequireSymbols"] is True
        assert pp["TemporaryPasswordValidityDays"] == 7
        attrs = {a["Name"]: a for a in up["SchemaAttributes"]}
        assert "email" in attrs and "sub" in attrs, sorted(attrs)
        assert attrs["sub"]["AttributeDataType"] == "String"
        assert attrs["sub"]["Mutable"] is False
        assert attrs["sub"]["Required"] is True
        assert attrs["email"]["AttributeDataType"] == "String"
    finally:
        idp.delete_user_pool(UserPoolId=up["Id"])


def test_describe_user_pool_matches_create(idp, pool):
    resp = idp.describe_user_pool(UserPoolId=pool["Id"])
    assert_request_id(resp, "DescribeUserPool")
    up = resp["UserPool"]
    assert up["Id"] == pool["Id"]
    assert up["Name"] == pool["Name"]
    assert up["Arn"] == pool["Arn"]
    assert up["CreationDate"] == pool["CreationDate"]
    assert_aware_datetime(up["LastModifiedDate"], "LastModifiedDate")
    assert up["Policies"]["PasswordPolicy"]["MinimumLength"] == 8
    names = [a["Name"] for a in up["SchemaAttributes"]]
    assert "email" in names and "sub" in names
    assert len(names) == len(set(names)), f"duplicate schema attributes: {names}"


def test_update_user_pool(idp, pool):
    resp = idp.update_user_pool(
        UserPoolId=pool["Id"],
        Policies={
            "PasswordPolicy": {
                "MinimumLength": 12,
                "RequireUppercase": False,
                "RequireLowercase": True,
                "RequireNumbers": True,
                "RequireSymbols": False,
                "TemporaryPasswordValidityDays": 3,
            }
        },
        UserPoolTags={"env": "e2e", "suite": "boto3"},
    )
    assert resp["ResponseMetadata"]["HTTPStatusCode"] == 200
    up = idp.describe_user_pool(UserPoolId=pool["Id"])["UserPool"]
    pp = up["Policies"]["PasswordPolicy"]
    assert pp["MinimumLength"] == 12
    assert pp["RequireUppercase"] is False
    assert pp["RequireSymbols"] is False
    assert pp["TemporaryPasswordValidityDays"] == 3
    assert up["UserPoolTags"] == {"env": "e2e", "suite": "boto3"}
    assert up["Name"] == pool["Name"]
    assert up["LastModifiedDate"] >= up["CreationDate"]


def test_list_user_pools_pagination(idp):
    prefix = unique("e2e-boto3-page")
    ids = [idp.create_user_pool(PoolName=f"{prefix}-{i}")["UserPool"]["Id"] for i in range(5)]
    try:
        # By hand, following NextToken.
        seen = []
        kwargs = {"MaxResults": 2}
        for _ in range(1000):
            page = idp.list_user_pools(**kwargs)
            assert len(page["UserPools"]) <= 2, page["UserPools"]
            for p in page["UserPools"]:
                assert SDK_POOL_ID_RE.match(p["Id"])
                assert_aware_datetime(p["CreationDate"], "CreationDate")
                assert_aware_datetime(p["LastModifiedDate"], "LastModifiedDate")
            seen += [p["Id"] for p in page["UserPools"]]
            token = page.get("NextToken")
            if not token:
                break
            kwargs["NextToken"] = token
        else:
            pytest.fail("NextToken never ended")
        assert len(seen) == len(set(seen)), f"a pool listed twice: {seen}"
        for pid in ids:
            assert seen.count(pid) == 1, f"{pid} seen {seen.count(pid)} times in {seen}"

        # With botocore's paginator.
        seen = []
        pager = idp.get_paginator("list_user_pools")
        for page in pager.paginate(PaginationConfig={"PageSize": 2}):
            assert len(page["UserPools"]) <= 2
            seen += [p["Id"] for p in page["UserPools"]]
        assert len(seen) == len(set(seen)), f"a pool listed twice: {seen}"
        assert set(ids) <= set(seen)
        names = {p["Name"] for p in idp.list_user_pools(MaxResults=60)["UserPools"]}
        assert {f"{prefix}-{i}" for i in range(5)} <= names
    finally:
        for pid in ids:
            idp.delete_user_pool(UserPoolId=pid)


def test_delete_user_pool_then_not_found(idp):
    up = idp.create_user_pool(PoolName=unique("e2e-boto3-del"))["UserPool"]
    resp = idp.delete_user_pool(UserPoolId=up["Id"])
    assert resp["ResponseMetadata"]["HTTPStatusCode"] == 200
    with pytest.raises(idp.exceptions.ResourceNotFoundException) as exc:
        idp.describe_user_pool(UserPoolId=up["Id"])
    assert exc.value.response["Error"]["Message"] == f"User pool {up['Id']} does not exist."
    assert_client_error(exc.value, "ResourceNotFoundException")
    listed = [p["Id"] for p in idp.list_user_pools(MaxResults=60)["UserPools"]]
    assert up["Id"] not in listed
    with pytest.raises(idp.exceptions.ResourceNotFoundException):
        idp.delete_user_pool(UserPoolId=up["Id"])


def test_describe_user_pool_bad_id(idp):
    with pytest.raises(idp.exceptions.InvalidParameterException) as exc:
        idp.describe_user_pool(UserPoolId="bad")
    msg = exc.value.response["Error"]["Message"]
    assert msg.startswith(BAD_ID_MESSAGE), msg
    assert_client_error(exc.value, "InvalidParameterException")


def test_region_from_sigv4_scope():
    eu = make_client("cognito-idp", region="eu-west-1")
    up = eu.create_user_pool(PoolName=unique("e2e-boto3-eu"))["UserPool"]
    try:
        assert re.match(r"^eu-west-1_[0-9A-Za-z]{9}$", up["Id"]), up["Id"]
        assert up["Arn"].startswith("arn:aws:cognito-idp:eu-west-1:"), up["Arn"]
        assert eu.describe_user_pool(UserPoolId=up["Id"])["UserPool"]["Id"] == up["Id"]
    finally:
        eu.delete_user_pool(UserPoolId=up["Id"])


# ---------------------------------------------------------------------------- app clients


def test_user_pool_client_crud(idp, pool):
    resp = idp.create_user_pool_client(
        UserPoolId=pool["Id"], ClientName="e2e-boto3-client", GenerateSecret=True
    )
    c = resp["UserPoolClient"]
    assert CLIENT_ID_RE.match(c["ClientId"]), c["ClientId"]
    assert len(c["ClientSecret"]) == 51, c["ClientSecret"]
    assert c["UserPoolId"] == pool["Id"]
    assert c["ClientName"] == "e2e-boto3-client"
    assert_aware_datetime(c["CreationDate"], "CreationDate")
    assert_aware_datetime(c["LastModifiedDate"], "LastModifiedDate")

    d = idp.describe_user_pool_client(UserPoolId=pool["Id"], ClientId=c["ClientId"])["UserPoolClient"]
    assert d["ClientId"] == c["ClientId"]
    assert d["ClientSecret"] == c["ClientSecret"]
    assert d["ClientName"] == "e2e-boto3-client"
    assert d["CreationDate"] == c["CreationDate"]

    # A second client without a secret.
    c2 = idp.create_user_pool_client(UserPoolId=pool["Id"], ClientName="e2e-boto3-public")[
        "UserPoolClient"
    ]
    assert CLIENT_ID_RE.match(c2["ClientId"])
    assert "ClientSecret" not in c2
    assert c2["ClientId"] != c["ClientId"]

    listed = idp.list_user_pool_clients(UserPoolId=pool["Id"], MaxResults=10)["UserPoolClients"]
    assert sorted(x["ClientId"] for x in listed) == sorted([c["ClientId"], c2["ClientId"]])
    for x in listed:
        assert x["UserPoolId"] == pool["Id"]
        assert x["ClientName"] in ("e2e-boto3-client", "e2e-boto3-public")
        assert "ClientSecret" not in x

    u = idp.update_user_pool_client(
        UserPoolId=pool["Id"],
        ClientId=c["ClientId"],
        ClientName="e2e-boto3-renamed",
        ExplicitAuthFlows=["ALLOW_USER_PASSWORD_AUTH", "ALLOW_REFRESH_TOKEN_AUTH"],
    )["UserPoolClient"]
    assert u["ClientName"] == "e2e-boto3-renamed"
    d = idp.describe_user_pool_client(UserPoolId=pool["Id"], ClientId=c["ClientId"])["UserPoolClient"]
    assert d["ClientName"] == "e2e-boto3-renamed"
    assert sorted(d["ExplicitAuthFlows"]) == ["ALLOW_REFRESH_TOKEN_AUTH", "ALLOW_USER_PASSWORD_AUTH"]
    assert d["ClientSecret"] == c["ClientSecret"]
    assert d["LastModifiedDate"] >= d["CreationDate"]

    idp.delete_user_pool_client(UserPoolId=pool["Id"], ClientId=c["ClientId"])
    with pytest.raises(idp.exceptions.ResourceNotFoundException) as exc:
        idp.describe_user_pool_client(UserPoolId=pool["Id"], ClientId=c["ClientId"])
    assert_client_error(exc.value, "ResourceNotFoundException")
    assert exc.value.response["Error"]["Message"] == f"User pool client {c['ClientId']} does not exist."
    listed = idp.list_user_pool_clients(UserPoolId=pool["Id"], MaxResults=10)["UserPoolClients"]
    assert [x["ClientId"] for x in listed] == [c2["ClientId"]]


def test_client_in_missing_pool(idp):
    with pytest.raises(idp.exceptions.ResourceNotFoundException) as exc:
        idp.create_user_pool_client(UserPoolId="us-east-1_000000000", ClientName="x")
    assert_client_error(exc.value, "ResourceNotFoundException")


# ---------------------------------------------------------------------------- identity pools


def test_identity_pool_crud(identity, idp, pool):
    client = idp.create_user_pool_client(UserPoolId=pool["Id"], ClientName="e2e-ip")["UserPoolClient"]
    provider = f"cognito-idp.us-east-1.amazonaws.com/{pool['Id']}"
    name = unique("e2e_boto3_ip").replace("-", "_")
    created = identity.create_identity_pool(
        IdentityPoolName=name,
        AllowUnauthenticatedIdentities=True,
        CognitoIdentityProviders=[
            {"ProviderName": provider, "ClientId": client["ClientId"], "ServerSideTokenCheck": False}
        ],
    )
    assert_request_id(created, "CreateIdentityPool")
    ipid = created["IdentityPoolId"]
    try:
        assert IDENTITY_POOL_ID_RE.match(ipid), ipid
        assert SDK_IDENTITY_POOL_ID_RE.match(ipid)
        assert created["IdentityPoolName"] == name
        assert created["AllowUnauthenticatedIdentities"] is True
        assert created["CognitoIdentityProviders"][0]["ProviderName"] == provider
        assert created["CognitoIdentityProviders"][0]["ClientId"] == client["ClientId"]

        d = identity.describe_identity_pool(IdentityPoolId=ipid)
        assert d["IdentityPoolId"] == ipid
        assert d["IdentityPoolName"] == name
        assert d["AllowUnauthenticatedIdentities"] is True
        assert d["CognitoIdentityProviders"] == created["CognitoIdentityProviders"]

        listed = identity.list_identity_pools(MaxResults=60)["IdentityPools"]
        assert [x for x in listed if x["IdentityPoolId"] == ipid] == [
            {"IdentityPoolId": ipid, "IdentityPoolName": name}
        ]

        u = identity.update_identity_pool(
            IdentityPoolId=ipid,
            IdentityPoolName=name + "_renamed",
            AllowUnauthenticatedIdentities=False,
        )
        assert u["IdentityPoolName"] == name + "_renamed"
        assert u["AllowUnauthenticatedIdentities"] is False
        d = identity.describe_identity_pool(IdentityPoolId=ipid)
        assert d["IdentityPoolName"] == name + "_renamed"
        assert d["AllowUnauthenticatedIdentities"] is False
    finally:
        identity.delete_identity_pool(IdentityPoolId=ipid)

    with pytest.raises(identity.exceptions.ResourceNotFoundException) as exc:
        identity.describe_identity_pool(IdentityPoolId=ipid)
    assert exc.value.response["Error"]["Message"] == f"IdentityPool '{ipid}' not found."
    assert_client_error(exc.value, "ResourceNotFoundException")


def test_list_identity_pools_pagination(identity):
    prefix = unique("e2e_boto3_ippage").replace("-", "_")
    ids = [
        identity.create_identity_pool(IdentityPoolName=f"{prefix}_{i}", AllowUnauthenticatedIdentities=False)[
            "IdentityPoolId"
        ]
        for i in range(3)
    ]
    try:
        seen = []
        kwargs = {"MaxResults": 1}
        for _ in range(1000):
            page = identity.list_identity_pools(**kwargs)
            assert len(page["IdentityPools"]) <= 1
            seen += [p["IdentityPoolId"] for p in page["IdentityPools"]]
            if not page.get("NextToken"):
                break
            kwargs["NextToken"] = page["NextToken"]
        else:
            pytest.fail("NextToken never ended")
        assert len(seen) == len(set(seen)), seen
        assert set(ids) <= set(seen)
    finally:
        for i in ids:
            identity.delete_identity_pool(IdentityPoolId=i)


def test_identity_pool_region_from_sigv4_scope():
    eu = make_client("cognito-identity", region="eu-west-1")
    ipid = eu.create_identity_pool(IdentityPoolName="e2e_eu", AllowUnauthenticatedIdentities=False)[
        "IdentityPoolId"
    ]
    try:
        assert re.match(r"^eu-west-1:[0-9a-f-]{36}$", ipid), ipid
    finally:
        eu.delete_identity_pool(IdentityPoolId=ipid)


# ---------------------------------------------------------------------------- raw HTTP


class Raw:
    def __init__(self, status, headers, body):
        self.status = status
        self.headers = headers  # http.client.HTTPMessage: case-insensitive
        self.body = body

    def json(self):
        return json.loads(self.body.decode("utf-8"))

    def __repr__(self):
        return f"HTTP {self.status} {dict(self.headers)} {self.body[:500]!r}"


def raw(method="POST", path="/", headers=None, body=b""):
    u = urllib.parse.urlsplit(ENDPOINT)
    conn = http.client.HTTPConnection(u.hostname, u.port or 80, timeout=20)
    try:
        if isinstance(body, str):
            body = body.encode("utf-8")
        conn.request(method, path, body=body if method != "GET" else None, headers=headers or {})
        r = conn.getresponse()
        return Raw(r.status, r.headers, r.read())
    finally:
        conn.close()


def amz(target, body, extra=None):
    headers = {"Content-Type": AMZ_JSON}
    if target is not None:
        headers["X-Amz-Target"] = target
    headers.update(extra or {})
    return raw("POST", "/", headers, body)


def normalized_type(t):
    return t.split("#")[-1].split(":")[0]


def assert_aws_error(r, status=400, error_type=None):
    assert r.status == status, r
    ctype = r.headers.get("Content-Type", "")
    assert ctype.split(";")[0].strip() == AMZ_JSON, r
    assert r.headers.get("x-amzn-RequestId"), r
    etype = r.headers.get("x-amzn-ErrorType")
    assert etype, r
    body = r.json()
    assert set(body) == {"__type", "message"}, r
    assert isinstance(body["__type"], str) and body["__type"], r
    assert isinstance(body["message"], str), r
    assert normalized_type(etype) == normalized_type(body["__type"]), r
    if error_type is not None:
        assert normalized_type(body["__type"]) == error_type, r
    return body


def test_raw_valid_request_headers():
    r = amz(f"{IDP_PREFIX}.ListUserPools", '{"MaxResults": 5}')
    assert r.status == 200, r
    assert r.headers.get("Content-Type", "").split(";")[0] == AMZ_JSON, r
    assert r.headers.get("x-amzn-RequestId"), r
    assert isinstance(r.json().get("UserPools"), list), r


def test_raw_unknown_operation():
    assert_aws_error(amz(f"{IDP_PREFIX}.NoSuchThing", "{}"), 400, "UnknownOperationException")
    assert_aws_error(amz(f"{IDENTITY_PREFIX}.NoSuchThing", "{}"), 400, "UnknownOperationException")


def test_raw_missing_target():
    assert_aws_error(amz(None, "{}"), 400)


def test_raw_malformed_target():
    assert_aws_error(amz(IDP_PREFIX, "{}"), 400)
    assert_aws_error(amz("", "{}"), 400)
    assert_aws_error(amz("NoSuchService.ListUserPools", '{"MaxResults": 5}'), 400)


def test_raw_body_not_json():
    assert_aws_error(amz(f"{IDP_PREFIX}.ListUserPools", "{"), 400, "SerializationException")


def test_raw_body_json_array():
    assert_aws_error(amz(f"{IDP_PREFIX}.ListUserPools", "[]"), 400, "SerializationException")


def test_raw_wrong_member_type():
    assert_aws_error(amz(f"{IDP_PREFIX}.CreateUserPool", '{"PoolName": 5}'), 400, "SerializationException")


def test_raw_body_over_one_mebibyte():
    body = '{"PoolName": "' + "x" * (1024 * 1024 + 16) + '"}'
    r = amz(f"{IDP_PREFIX}.CreateUserPool", body)
    assert_aws_error(r, 413, "RequestEntityTooLargeException")


def test_raw_chunked_body_over_one_mebibyte():
    # No Content-Length: the cap must hold while the body streams in.
    u = urllib.parse.urlsplit(ENDPOINT)
    conn = http.client.HTTPConnection(u.hostname, u.port or 80, timeout=20)
    chunks = [b'{"PoolName": "'] + [b"x" * 65536] * 17 + [b'"}']
    try:
        conn.request(
            "POST",
            "/",
            body=iter(chunks),
            headers={"Content-Type": AMZ_JSON, "X-Amz-Target": f"{IDP_PREFIX}.CreateUserPool"},
            encode_chunked=True,
        )
        r = conn.getresponse()
        resp = Raw(r.status, r.headers, r.read())
    finally:
        conn.close()
    assert_aws_error(resp, 413, "RequestEntityTooLargeException")


def test_raw_error_message_header():
    # Real Cognito also sends the message in x-amzn-ErrorMessage (Amplify and others read it).
    r = amz(f"{IDP_PREFIX}.DescribeUserPool", '{"UserPoolId": "us-east-1_000000000"}')
    body = assert_aws_error(r, 400, "ResourceNotFoundException")
    assert r.headers.get("x-amzn-ErrorMessage") == body["message"], r


def test_raw_missing_required_member():
    # CreateUserPool without PoolName: a validation error, AWS-shaped.
    assert_aws_error(amz(f"{IDP_PREFIX}.CreateUserPool", "{}"), 400, "InvalidParameterException")


def test_raw_not_found_is_aws_shaped():
    body = assert_aws_error(
        amz(f"{IDP_PREFIX}.DescribeUserPool", '{"UserPoolId": "us-east-1_000000000"}'),
        400,
        "ResourceNotFoundException",
    )
    assert body["message"] == "User pool us-east-1_000000000 does not exist."


REQUESTED_HEADERS = [
    "x-amz-target",
    "x-amz-user-agent",
    "content-type",
    "amz-sdk-invocation-id",
    "amz-sdk-request",
    "authorization",
    "x-amz-date",
    "x-amz-security-token",
    "x-amz-content-sha256",
    "cache-control",
]
ORIGIN = "http://localhost:3000"


def header_set(value):
    return {h.strip().lower() for h in (value or "").split(",") if h.strip()}


def test_cors_preflight():
    r = raw(
        "OPTIONS",
        "/",
        {
            "Origin": ORIGIN,
            "Access-Control-Request-Method": "POST",
            "Access-Control-Request-Headers": ",".join(REQUESTED_HEADERS),
        },
    )
    assert 200 <= r.status < 300, r
    assert r.headers.get("Access-Control-Allow-Origin") in (ORIGIN, "*"), r
    assert "POST" in {m.upper() for m in header_set(r.headers.get("Access-Control-Allow-Methods"))}, r
    allowed = header_set(r.headers.get("Access-Control-Allow-Headers"))
    missing = [h for h in REQUESTED_HEADERS if h not in allowed]
    assert not missing, f"Allow-Headers lacks {missing}: {r}"
    exposed = header_set(r.headers.get("Access-Control-Expose-Headers"))
    for h in ("x-amzn-requestid", "x-amzn-errortype", "x-amzn-errormessage"):
        assert h in exposed, f"Expose-Headers lacks {h}: {r}"


def test_cors_on_post():
    r = amz(f"{IDP_PREFIX}.ListUserPools", '{"MaxResults": 1}', {"Origin": ORIGIN})
    assert r.status == 200, r
    assert r.headers.get("Access-Control-Allow-Origin") in (ORIGIN, "*"), r
    # Browsers read Expose-Headers from the actual response, not the preflight.
    exposed = header_set(r.headers.get("Access-Control-Expose-Headers"))
    for h in ("x-amzn-requestid", "x-amzn-errortype", "x-amzn-errormessage"):
        assert h in exposed, f"Expose-Headers lacks {h}: {r}"


def test_cors_on_error():
    r = amz(f"{IDP_PREFIX}.DescribeUserPool", '{"UserPoolId": "us-east-1_000000000"}', {"Origin": ORIGIN})
    assert_aws_error(r, 400, "ResourceNotFoundException")
    assert r.headers.get("Access-Control-Allow-Origin") in (ORIGIN, "*"), r


def test_health():
    r = raw("GET", "/health")
    assert r.status == 200, r
    assert "json" in r.headers.get("Content-Type", ""), r
    assert isinstance(r.json(), dict), r


def test_unknown_path_is_404():
    r = raw("GET", "/no/such/path")
    assert r.status == 404, r
    json.loads(r.body.decode("utf-8"))


def test_zz_server_still_answers(idp):
    """Runs last (pytest keeps file order): the bad inputs above did not break the server."""
    resp = idp.list_user_pools(MaxResults=5)
    assert resp["ResponseMetadata"]["HTTPStatusCode"] == 200
    r = amz(f"{IDP_PREFIX}.ListUserPools", '{"MaxResults": 5}')
    assert r.status == 200, r
    assert raw("GET", "/health").status == 200
