"""End-to-end suite: sign-up, sign-in, refresh and tokens through boto3, against a running
cognito-emu, as real Amazon Cognito behaves (../shared/cognito-facts.md).

The endpoint comes from COG_EMU_ENDPOINT (e.g. http://127.0.0.1:9229); without it every test
is skipped. Run with: python3 -m pytest -q tests/e2e/test_boto3_auth.py

Environment:
  COG_EMU_LOG          the server's log file (stderr at --log-level info); the server logs each
                       code it "sends" there. Tests that need a code skip without it (an
                       external server, COG_EMU_ENDPOINT given to run.sh).
  COG_EMU_ISSUER_BASE  the base URL the tokens' issuer must start with (run.sh sets it to
                       http://localhost:PORT, the server's --public-url default); without it the
                       issuer is compared with the pool's openid-configuration only.
  AWS_DATA_PATH        run.sh points it at the repository's model (server/aws/model), so that an
                       old boto3 (Debian's 1.26) knows GetTokensFromRefreshToken; when it does not
                       hold that model, this module lays one out in a temporary directory itself.
"""

import atexit
import base64
import concurrent.futures
import hashlib
import hmac
import http.client
import json
import os
import re
import shutil
import tempfile
import threading
import time
import types
import urllib.parse
import urllib.request
import uuid

import pytest

ENDPOINT = os.environ.get("COG_EMU_ENDPOINT", "").rstrip("/")
LOG_PATH = os.environ.get("COG_EMU_LOG", "")
ISSUER_BASE = os.environ.get("COG_EMU_ISSUER_BASE", "").rstrip("/")
HERE = os.path.dirname(os.path.abspath(__file__))
MODEL = os.path.join(HERE, "..", "..", "server", "aws", "model", "cognito-idp.json")
MODEL_SUBPATH = os.path.join("cognito-idp", "2016-04-18", "service-2.json")

pytestmark = pytest.mark.skipif(not ENDPOINT, reason="COG_EMU_ENDPOINT is not set")

needs_log = pytest.mark.skipif(
    not LOG_PATH, reason="COG_EMU_LOG is not set: no server log to read codes from (external server)"
)

PASSWORD = "Passw0rd!e2e"
DEFAULT_FLOWS = ["ALLOW_USER_PASSWORD_AUTH", "ALLOW_ADMIN_USER_PASSWORD_AUTH", "ALLOW_REFRESH_TOKEN_AUTH"]
UUID_RE = re.compile(r"^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$")
INCORRECT = "Incorrect username or password."
SCOPE = "aws.cognito.signin.user.admin"


def _use_repo_model():
    """Make botocore load the repository's cognito-idp model (before any client is made)."""
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


_use_repo_model()


def unique(prefix):
    return f"{prefix}-{uuid.uuid4().hex[:10]}"


def make_client():
    import boto3
    from botocore.config import Config

    return boto3.client(
        "cognito-idp",
        endpoint_url=ENDPOINT,
        region_name="us-east-1",
        aws_access_key_id="test",
        aws_secret_access_key="test",
        config=Config(
            connect_timeout=5,
            read_timeout=20,
            retries={"total_max_attempts": 1},
            max_pool_connections=64,
        ),
    )


@pytest.fixture(scope="module")
def idp():
    return make_client()


@pytest.fixture
def pools(idp):
    """A factory of user pools (CreateUserPool keyword arguments), all deleted afterwards."""
    made = []

    def make(**kwargs):
        kwargs.setdefault("PoolName", unique("e2e-auth"))
        up = idp.create_user_pool(**kwargs)["UserPool"]
        made.append(up["Id"])
        return up

    yield make
    for pool_id in made:
        try:
            idp.delete_user_pool(UserPoolId=pool_id)
        except Exception:  # noqa: BLE001 - best-effort cleanup
            pass


def new_app(idp, pool_id, **kwargs):
    """An app client of pool_id (CreateUserPoolClient keyword arguments) as a namespace."""
    kwargs.setdefault("ClientName", unique("e2e-auth-client"))
    kwargs.setdefault("ExplicitAuthFlows", DEFAULT_FLOWS)
    c = idp.create_user_pool_client(UserPoolId=pool_id, **kwargs)["UserPoolClient"]
    return types.SimpleNamespace(pool_id=pool_id, client_id=c["ClientId"], secret=c.get("ClientSecret"), client=c)


@pytest.fixture
def app(idp, pools):
    """A default pool (AWS defaults) and a public app client with the password flows."""
    return new_app(idp, pools()["Id"])


def secret_hash(username, app):
    mac = hmac.new(app.secret.encode(), (username + app.client_id).encode(), hashlib.sha256)
    return base64.b64encode(mac.digest()).decode()


def sign_up(idp, app, username, password=PASSWORD, email=None, attrs=None, with_hash=True):
    kwargs = {"ClientId": app.client_id, "Username": username, "Password": password}
    ua = [{"Name": k, "Value": v} for k, v in (attrs or {}).items()]
    if email:
        ua.append({"Name": "email", "Value": email})
    if ua:
        kwargs["UserAttributes"] = ua
    if app.secret and with_hash:
        kwargs["SecretHash"] = secret_hash(username, app)
    return idp.sign_up(**kwargs)


def confirmed_user(idp, app, username=None, email=None, **kwargs):
    """Sign up a user and confirm it as an administrator; returns (username, email, sub)."""
    username = username or unique("user")
    email = email or f"{username}@example.com"
    sub = sign_up(idp, app, username, email=email, **kwargs)["UserSub"]
    idp.admin_confirm_sign_up(UserPoolId=app.pool_id, Username=username)
    return username, email, sub


def password_auth(idp, app, username, password=PASSWORD, hash_for=None):
    params = {"USERNAME": username, "PASSWORD": password}
    if app.secret:
        params["SECRET_HASH"] = secret_hash(hash_for or username, app)
    return idp.initiate_auth(ClientId=app.client_id, AuthFlow="USER_PASSWORD_AUTH", AuthParameters=params)


def tokens_of(resp):
    assert "AuthenticationResult" in resp, f"no AuthenticationResult in {strip_meta(resp)}"
    return resp["AuthenticationResult"]


def strip_meta(resp):
    return {k: v for k, v in resp.items() if k != "ResponseMetadata"}


def expect_error(code, message, fn, **kwargs):
    """Call fn(**kwargs); it must fail with code as HTTP 400, and with message when it is not None
    (a str, or a compiled regex the whole message must match)."""
    from botocore.exceptions import ClientError

    try:
        resp = fn(**kwargs)
    except ClientError as e:
        err = e.response
    else:
        pytest.fail(f"{fn.__name__} succeeded; expected {code}: {strip_meta(resp)}")
    got = (err["Error"].get("Code"), err["Error"].get("Message"))
    assert got[0] == code, f"expected {code} {message!r}, got {got}"
    if isinstance(message, re.Pattern):
        assert message.fullmatch(got[1] or ""), f"expected {code} matching {message.pattern!r}, got {got}"
    elif message is not None:
        assert got[1] == message, f"expected {code} {message!r}, got {got}"
    assert err["ResponseMetadata"]["HTTPStatusCode"] == 400, err["ResponseMetadata"]
    return err["Error"]


def attrs_of(attr_list):
    return {a["Name"]: a["Value"] for a in attr_list}


# ---------------------------------------------------------------------------- JWT helpers


def b64url_decode(s):
    return base64.urlsafe_b64decode(s + "=" * (-len(s) % 4))


def b64url_encode(b):
    return base64.urlsafe_b64encode(b).decode().rstrip("=")


def jwt_decode(token):
    """(header, payload) of a JWT, unverified."""
    parts = token.split(".")
    assert len(parts) == 3, f"not a JWS compact token: {token[:60]}..."
    return json.loads(b64url_decode(parts[0])), json.loads(b64url_decode(parts[1]))


# DER DigestInfo prefix of SHA-256 (RFC 8017 9.2 note 1).
SHA256_DIGEST_INFO = bytes.fromhex("3031300d060960864801650304020105000420")


def rs256_verify(token, jwk):
    """Whether token's RS256 signature verifies with the RSA JWK (RSASSA-PKCS1-v1_5, SHA-256)."""
    h, p, s = token.split(".")
    n = int.from_bytes(b64url_decode(jwk["n"]), "big")
    e = int.from_bytes(b64url_decode(jwk["e"]), "big")
    k = (n.bit_length() + 7) // 8
    sig = b64url_decode(s)
    if len(sig) != k:
        return False
    em = pow(int.from_bytes(sig, "big"), e, n).to_bytes(k, "big")
    t = SHA256_DIGEST_INFO + hashlib.sha256(f"{h}.{p}".encode()).digest()
    return em == b"\x00\x01" + b"\xff" * (k - len(t) - 3) + b"\x00" + t


def tamper(token):
    """token with one byte of its payload changed (in the sub claim; the JSON stays valid)."""
    h, p, s = token.split(".")
    raw = b64url_decode(p)
    i = raw.index(b'"sub":"') + 7
    raw = raw[:i] + (b"0" if raw[i : i + 1] != b"0" else b"1") + raw[i + 1 :]
    json.loads(raw)
    return f"{h}.{b64url_encode(raw)}.{s}"


def http_get(path):
    """GET path on the endpoint: (status, headers, parsed JSON or None)."""
    u = urllib.parse.urlsplit(ENDPOINT)
    conn = http.client.HTTPConnection(u.hostname, u.port or 80, timeout=10)
    try:
        conn.request("GET", path)
        r = conn.getresponse()
        body = r.read()
        try:
            doc = json.loads(body)
        except ValueError:
            doc = None
        return r.status, {k.lower(): v for k, v in r.getheaders()}, doc
    finally:
        conn.close()


def jwks_of(pool_id):
    status, _, doc = http_get(f"/{pool_id}/.well-known/jwks.json")
    assert status == 200, f"GET /{pool_id}/.well-known/jwks.json: {status} {doc}"
    return doc


def issuer_of(pool_id):
    status, _, doc = http_get(f"/{pool_id}/.well-known/openid-configuration")
    assert status == 200, f"GET /{pool_id}/.well-known/openid-configuration: {status} {doc}"
    return doc["issuer"]


# ---------------------------------------------------------------------------- codes from the log


def logged_codes(needles):
    """The 6-digit codes the server logged on lines naming any of needles, oldest first.

    The line format is the server's (server/delivery.c): a line that names the user (or the
    destination) and carries a code. The needles and the timestamp are cut out before looking
    for a lone 6-digit number, so digits in a name are never taken for a code.
    """
    try:
        with open(LOG_PATH, encoding="utf-8", errors="replace") as f:
            text = f.read()
    except OSError:
        return []
    codes = []
    for line in text.splitlines():
        hits = [n for n in needles if n and n in line]
        if not hits:
            continue
        rest = re.sub(r"^\S*\d{4}-\d\d-\d\dT\S+", " ", line)
        for n in sorted(hits, key=len, reverse=True):
            rest = rest.replace(n, " ")
        found = re.findall(r"(?<![0-9A-Za-z])(\d{6})(?![0-9A-Za-z])", rest)
        if found:
            codes.append(found[-1])
    return codes


def wait_for_code(needles, after=0, timeout=5.0):
    """The newest code logged for needles once more than `after` codes have been logged."""
    deadline = time.monotonic() + timeout
    while True:
        codes = logged_codes(needles)
        if len(codes) > after:
            return codes[-1], len(codes)
        if time.monotonic() > deadline:
            tail = ""
            try:
                with open(LOG_PATH, encoding="utf-8", errors="replace") as f:
                    tail = "".join(f.readlines()[-15:])
            except OSError as e:
                tail = str(e)
            pytest.fail(f"no code logged for {needles} within {timeout} s; log tail:\n{tail}")
        time.sleep(0.05)


# ---------------------------------------------------------------------------- the model


def test_boto3_knows_get_tokens_from_refresh_token(idp):
    import botocore

    assert hasattr(idp, "get_tokens_from_refresh_token"), (
        f"botocore {botocore.__version__} lacks GetTokensFromRefreshToken; "
        f"AWS_DATA_PATH={os.environ.get('AWS_DATA_PATH')!r}"
    )


# ---------------------------------------------------------------------------- sign-up


def test_sign_up_then_admin_confirm(idp, app):
    username, email = unique("alice"), unique("alice") + "@example.com"
    r = sign_up(idp, app, username, email=email)
    assert r["ResponseMetadata"]["HTTPStatusCode"] == 200
    assert r["UserConfirmed"] is False
    assert UUID_RE.match(r["UserSub"]), r["UserSub"]

    u = idp.admin_get_user(UserPoolId=app.pool_id, Username=username)
    assert u["Username"] == username
    assert u["UserStatus"] == "UNCONFIRMED"
    assert u["Enabled"] is True
    a = attrs_of(u["UserAttributes"])
    assert a["sub"] == r["UserSub"]
    assert a["email"] == email

    idp.admin_confirm_sign_up(UserPoolId=app.pool_id, Username=username)
    u = idp.admin_get_user(UserPoolId=app.pool_id, Username=username)
    assert u["UserStatus"] == "CONFIRMED"
    assert attrs_of(u["UserAttributes"])["sub"] == r["UserSub"]


def test_confirm_sign_up_of_a_confirmed_user(idp, app):
    username, _, _ = confirmed_user(idp, app)
    expect_error(
        "NotAuthorizedException",
        "User cannot be confirmed. Current status is CONFIRMED",
        idp.confirm_sign_up,
        ClientId=app.client_id,
        Username=username,
        ConfirmationCode="123456",
    )


def test_sign_up_duplicate_username(idp, app):
    username = unique("dup")
    sign_up(idp, app, username)
    expect_error("UsernameExistsException", "User already exists", sign_up, idp=idp, app=app, username=username)


@pytest.mark.parametrize(
    "password, rule",
    [
        ("Pa1!xyz", "Password not long enough"),
        ("passw0rd!e2e", "Password must have uppercase characters"),
        ("PASSW0RD!E2E", "Password must have lowercase characters"),
        ("Password!abc", "Password must have numeric characters"),
        ("Passw0rdXe2e", "Password must have symbol characters"),
    ],
)
def test_sign_up_password_policy(idp, app, password, rule):
    expect_error(
        "InvalidPasswordException",
        f"Password did not conform with policy: {rule}",
        sign_up,
        idp=idp,
        app=app,
        username=unique("weak"),
        password=password,
    )


def test_password_policy_of_the_pool(idp, pools):
    pool = pools(
        Policies={
            "PasswordPolicy": {
                "MinimumLength": 12,
                "RequireUppercase": False,
                "RequireLowercase": True,
                "RequireNumbers": False,
                "RequireSymbols": False,
            }
        }
    )
    a = new_app(idp, pool["Id"])
    expect_error(
        "InvalidPasswordException",
        "Password did not conform with policy: Password not long enough",
        sign_up,
        idp=idp,
        app=a,
        username=unique("short"),
        password="Passw0rd!e2",  # 11 characters
    )
    r = sign_up(idp, a, unique("long"), password="alllowercaseonly")
    assert r["UserConfirmed"] is False


def test_required_schema_attribute(idp, pools):
    pool = pools(
        Schema=[{"Name": "email", "AttributeDataType": "String", "Required": True, "Mutable": True}]
    )
    a = new_app(idp, pool["Id"])
    # Real Cognito has worded this two ways: "email: The attribute is required" (to about 2023)
    # and "emails: The attribute emails is required" (SCIM names, seen since about 2024).
    expect_error(
        "InvalidParameterException",
        re.compile(
            r"Attributes did not conform to the schema: "
            r"(email: The attribute is required|emails: The attribute emails is required)"
        ),
        sign_up,
        idp=idp,
        app=a,
        username=unique("noemail"),
    )
    username = unique("withemail")
    sign_up(idp, a, username, email=f"{username}@example.com")


def test_client_write_attributes(idp, pools):
    pool = pools()
    a = new_app(idp, pool["Id"], WriteAttributes=["email"])
    expect_error(
        "NotAuthorizedException",
        "A client attempted to write unauthorized attribute",
        sign_up,
        idp=idp,
        app=a,
        username=unique("writer"),
        attrs={"name": "Mallory"},
    )
    username = unique("writer")
    sign_up(idp, a, username, email=f"{username}@example.com")


def test_client_read_attributes(idp, pools):
    pool = pools()
    full = new_app(idp, pool["Id"])
    narrow = new_app(idp, pool["Id"], ReadAttributes=["email"])
    username, email, sub = confirmed_user(idp, full, attrs={"name": "Alice Liddell"})

    assert attrs_of(idp.admin_get_user(UserPoolId=pool["Id"], Username=username)["UserAttributes"])["name"] == (
        "Alice Liddell"
    )
    t = tokens_of(password_auth(idp, narrow, username))
    _, claims = jwt_decode(t["IdToken"])
    assert claims.get("email") == email
    assert "name" not in claims, f"the ID token carries an attribute the client may not read: {claims}"
    got = attrs_of(idp.get_user(AccessToken=t["AccessToken"])["UserAttributes"])
    assert got.get("email") == email
    assert "name" not in got, f"GetUser returned an attribute the client may not read: {got}"

    _, claims = jwt_decode(tokens_of(password_auth(idp, full, username))["IdToken"])
    assert claims.get("name") == "Alice Liddell"


# ---------------------------------------------------------------------------- codes (from the log)


@needs_log
def test_sign_up_code_from_log_confirms_and_verifies_email(idp, pools):
    pool = pools(AutoVerifiedAttributes=["email"])
    a = new_app(idp, pool["Id"])
    username = unique("coded")
    email = f"{username}@example.com"
    r = sign_up(idp, a, username, email=email)
    assert r["UserConfirmed"] is False
    cdd = r.get("CodeDeliveryDetails")
    assert cdd, f"no CodeDeliveryDetails: {strip_meta(r)}"
    assert cdd["DeliveryMedium"] == "EMAIL"
    assert cdd["AttributeName"] == "email"
    assert cdd["Destination"] != email and cdd["Destination"].startswith(email[0]), cdd  # masked: a***@e***

    code, _ = wait_for_code([username, email])
    wrong = "000000" if code != "000000" else "111111"
    expect_error(
        "CodeMismatchException",
        "Invalid verification code provided, please try again.",
        idp.confirm_sign_up,
        ClientId=a.client_id,
        Username=username,
        ConfirmationCode=wrong,
    )
    idp.confirm_sign_up(ClientId=a.client_id, Username=username, ConfirmationCode=code)

    u = idp.admin_get_user(UserPoolId=pool["Id"], Username=username)
    assert u["UserStatus"] == "CONFIRMED"
    assert attrs_of(u["UserAttributes"]).get("email_verified") == "true", u["UserAttributes"]

    _, claims = jwt_decode(tokens_of(password_auth(idp, a, username))["IdToken"])
    assert claims.get("email_verified") is True, claims


@needs_log
def test_resend_confirmation_code(idp, pools):
    pool = pools(AutoVerifiedAttributes=["email"])
    a = new_app(idp, pool["Id"])
    username = unique("resend")
    email = f"{username}@example.com"
    sign_up(idp, a, username, email=email)
    _, n = wait_for_code([username, email])

    r = idp.resend_confirmation_code(ClientId=a.client_id, Username=username)
    cdd = r.get("CodeDeliveryDetails")
    assert cdd and cdd["DeliveryMedium"] == "EMAIL" and cdd["AttributeName"] == "email", strip_meta(r)
    code, _ = wait_for_code([username, email], after=n)

    idp.confirm_sign_up(ClientId=a.client_id, Username=username, ConfirmationCode=code)
    assert idp.admin_get_user(UserPoolId=pool["Id"], Username=username)["UserStatus"] == "CONFIRMED"


def test_confirm_sign_up_wrong_code(idp, pools):
    pool = pools(AutoVerifiedAttributes=["email"])
    a = new_app(idp, pool["Id"])
    username = unique("wrongcode")
    email = f"{username}@example.com"
    sign_up(idp, a, username, email=email)
    wrong = "000000"
    if LOG_PATH:
        code, _ = wait_for_code([username, email])
        wrong = "000000" if code != "000000" else "111111"
    expect_error(
        "CodeMismatchException",
        "Invalid verification code provided, please try again.",
        idp.confirm_sign_up,
        ClientId=a.client_id,
        Username=username,
        ConfirmationCode=wrong,
    )
    assert idp.admin_get_user(UserPoolId=pool["Id"], Username=username)["UserStatus"] == "UNCONFIRMED"


def test_confirm_sign_up_unknown_user(idp, pools):
    a = new_app(idp, pools()["Id"], PreventUserExistenceErrors="LEGACY")
    expect_error(
        "UserNotFoundException",
        None,
        idp.confirm_sign_up,
        ClientId=a.client_id,
        Username=unique("nobody"),
        ConfirmationCode="123456",
    )


def move_clock(advance_ms):
    """Move the emulator clock through the control API (POST /_emu/clock)."""
    req = urllib.request.Request(ENDPOINT + "/_emu/clock", method="POST",
                                 data=json.dumps({"advanceMs": advance_ms}).encode())
    with urllib.request.urlopen(req, timeout=10) as resp:
        assert resp.status == 200


def inbox_code(username):
    """The newest code the emulator sent to username (GET /_emu/messages)."""
    query = urllib.parse.urlencode({"username": username, "wait": 5})
    with urllib.request.urlopen(f"{ENDPOINT}/_emu/messages?{query}", timeout=10) as resp:
        messages = json.load(resp)["messages"]
    assert messages, f"no code was sent to {username}"
    return messages[0]["code"]


def test_sign_up_code_expires_after_24_hours(idp, pools):
    pool = pools(AutoVerifiedAttributes=["email"])
    a = new_app(idp, pool["Id"])
    username = unique("expiring")
    sign_up(idp, a, username, email=f"{username}@example.com")
    code = inbox_code(username)
    extra = {"SecretHash": secret_hash(username, a)} if a.secret else {}
    move_clock(24 * 3600 * 1000 + 60_000)
    try:
        expect_error(
            "ExpiredCodeException",
            "Invalid code provided, please request a code again.",
            idp.confirm_sign_up,
            ClientId=a.client_id,
            Username=username,
            ConfirmationCode=code,
            **extra,
        )
    finally:
        move_clock(-(24 * 3600 * 1000 + 60_000))


# ---------------------------------------------------------------------------- sign-in errors


def test_unconfirmed_user_cannot_sign_in(idp, app):
    username = unique("unconfirmed")
    sign_up(idp, app, username)
    expect_error("UserNotConfirmedException", "User is not confirmed.", password_auth, idp=idp, app=app, username=username)


def test_wrong_password(idp, app):
    username, _, _ = confirmed_user(idp, app)
    expect_error("NotAuthorizedException", INCORRECT, password_auth, idp=idp, app=app, username=username, password="Wr0ng!pass")
    expect_error(
        "NotAuthorizedException",
        INCORRECT,
        idp.admin_initiate_auth,
        UserPoolId=app.pool_id,
        ClientId=app.client_id,
        AuthFlow="ADMIN_USER_PASSWORD_AUTH",
        AuthParameters={"USERNAME": username, "PASSWORD": "Wr0ng!pass"},
    )


def test_unknown_user_legacy(idp, pools):
    a = new_app(idp, pools()["Id"], PreventUserExistenceErrors="LEGACY")
    expect_error("UserNotFoundException", "User does not exist.", password_auth, idp=idp, app=a, username=unique("ghost"))
    expect_error(
        "UserNotFoundException",
        "User does not exist.",
        idp.admin_initiate_auth,
        UserPoolId=a.pool_id,
        ClientId=a.client_id,
        AuthFlow="ADMIN_USER_PASSWORD_AUTH",
        AuthParameters={"USERNAME": unique("ghost"), "PASSWORD": PASSWORD},
    )


def test_unknown_user_with_prevent_user_existence_errors(idp, pools):
    a = new_app(idp, pools()["Id"], PreventUserExistenceErrors="ENABLED")
    expect_error("NotAuthorizedException", INCORRECT, password_auth, idp=idp, app=a, username=unique("ghost"))
    username, _, _ = confirmed_user(idp, a)
    expect_error("NotAuthorizedException", INCORRECT, password_auth, idp=idp, app=a, username=username, password="Wr0ng!pass")


def test_initiate_auth_unknown_client(idp):
    client_id = "a" * 26
    expect_error(
        "ResourceNotFoundException",
        f"User pool client {client_id} does not exist.",
        idp.initiate_auth,
        ClientId=client_id,
        AuthFlow="USER_PASSWORD_AUTH",
        AuthParameters={"USERNAME": "x", "PASSWORD": PASSWORD},
    )


def test_disabled_user_cannot_sign_in(idp, app):
    username, _, _ = confirmed_user(idp, app)
    idp.admin_disable_user(UserPoolId=app.pool_id, Username=username)
    expect_error("NotAuthorizedException", "User is disabled.", password_auth, idp=idp, app=app, username=username)
    idp.admin_enable_user(UserPoolId=app.pool_id, Username=username)
    assert tokens_of(password_auth(idp=idp, app=app, username=username))["AccessToken"]


# ---------------------------------------------------------------------------- auth flows


@pytest.mark.parametrize("flow", ["ADMIN_USER_PASSWORD_AUTH", "ADMIN_NO_SRP_AUTH"])
def test_admin_initiate_auth_password_flows(idp, app, flow):
    username, _, sub = confirmed_user(idp, app)
    r = idp.admin_initiate_auth(
        UserPoolId=app.pool_id,
        ClientId=app.client_id,
        AuthFlow=flow,
        AuthParameters={"USERNAME": username, "PASSWORD": PASSWORD},
    )
    t = tokens_of(r)
    assert t["TokenType"] == "Bearer" and t["ExpiresIn"] == 3600
    assert t.get("RefreshToken")
    _, claims = jwt_decode(t["IdToken"])
    assert claims["sub"] == sub and claims["cognito:username"] == username


def test_disabled_auth_flow_is_refused(idp, pools):
    a = new_app(idp, pools()["Id"], ExplicitAuthFlows=["ALLOW_USER_SRP_AUTH", "ALLOW_REFRESH_TOKEN_AUTH"])
    username, _, _ = confirmed_user(idp, a)
    expect_error(
        "InvalidParameterException",
        "USER_PASSWORD_AUTH flow not enabled for this client",
        password_auth,
        idp=idp,
        app=a,
        username=username,
    )
    for flow in ("ADMIN_USER_PASSWORD_AUTH", "ADMIN_NO_SRP_AUTH"):
        expect_error(
            "InvalidParameterException",
            "Auth flow not enabled for this client",
            idp.admin_initiate_auth,
            UserPoolId=a.pool_id,
            ClientId=a.client_id,
            AuthFlow=flow,
            AuthParameters={"USERNAME": username, "PASSWORD": PASSWORD},
        )


def test_user_password_auth_only_client_refuses_admin_flow(idp, pools):
    a = new_app(idp, pools()["Id"], ExplicitAuthFlows=["ALLOW_USER_PASSWORD_AUTH", "ALLOW_REFRESH_TOKEN_AUTH"])
    username, _, _ = confirmed_user(idp, a)
    tokens_of(password_auth(idp, a, username))
    expect_error(
        "InvalidParameterException",
        "Auth flow not enabled for this client",
        idp.admin_initiate_auth,
        UserPoolId=a.pool_id,
        ClientId=a.client_id,
        AuthFlow="ADMIN_USER_PASSWORD_AUTH",
        AuthParameters={"USERNAME": username, "PASSWORD": PASSWORD},
    )


# ---------------------------------------------------------------------------- SECRET_HASH


@pytest.fixture
def secret_app(idp, pools):
    a = new_app(idp, pools()["Id"], GenerateSecret=True)
    assert a.secret, a.client
    return a


def missing_secret(app):
    """Cognito's words when a secret client's request has no SECRET_HASH. Real responses show
    two wordings: "... is configured for secret but secret was not received" (older reports) and
    "... is configured with secret but SECRET_HASH was not received" (reports from 2024-2025)."""
    return re.compile(
        f"Client {re.escape(app.client_id)} is configured "
        r"(for secret but secret was not received|with secret but SECRET_HASH was not received)"
    )


def test_secret_hash_sign_up(idp, secret_app):
    a = secret_app
    username = unique("hashed")
    expect_error(
        "NotAuthorizedException",
        missing_secret(a),
        sign_up,
        idp=idp,
        app=a,
        username=username,
        with_hash=False,
    )
    expect_error(
        "NotAuthorizedException",
        f"Unable to verify secret hash for client {a.client_id}",
        idp.sign_up,
        ClientId=a.client_id,
        Username=username,
        Password=PASSWORD,
        SecretHash=secret_hash(username + "x", a),
    )
    assert sign_up(idp, a, username)["UserConfirmed"] is False


def test_secret_hash_initiate_auth(idp, secret_app):
    a = secret_app
    username, _, _ = confirmed_user(idp, a)
    expect_error(
        "NotAuthorizedException",
        missing_secret(a),
        idp.initiate_auth,
        ClientId=a.client_id,
        AuthFlow="USER_PASSWORD_AUTH",
        AuthParameters={"USERNAME": username, "PASSWORD": PASSWORD},
    )
    expect_error(
        "NotAuthorizedException",
        f"Unable to verify secret hash for client {a.client_id}",
        idp.initiate_auth,
        ClientId=a.client_id,
        AuthFlow="USER_PASSWORD_AUTH",
        AuthParameters={"USERNAME": username, "PASSWORD": PASSWORD, "SECRET_HASH": base64.b64encode(b"x" * 32).decode()},
    )
    t = tokens_of(password_auth(idp, a, username))
    assert jwt_decode(t["IdToken"])[1]["aud"] == a.client_id


def test_secret_hash_admin_initiate_auth(idp, secret_app):
    a = secret_app
    username, _, _ = confirmed_user(idp, a)
    params = {"USERNAME": username, "PASSWORD": PASSWORD}
    expect_error(
        "NotAuthorizedException",
        missing_secret(a),
        idp.admin_initiate_auth,
        UserPoolId=a.pool_id,
        ClientId=a.client_id,
        AuthFlow="ADMIN_USER_PASSWORD_AUTH",
        AuthParameters=params,
    )
    r = idp.admin_initiate_auth(
        UserPoolId=a.pool_id,
        ClientId=a.client_id,
        AuthFlow="ADMIN_USER_PASSWORD_AUTH",
        AuthParameters={**params, "SECRET_HASH": secret_hash(username, a)},
    )
    tokens_of(r)


# ---------------------------------------------------------------------------- tokens


def test_authentication_result_and_token_claims(idp, app):
    username, email, sub = confirmed_user(idp, app)
    before = int(time.time())
    t = tokens_of(password_auth(idp, app, username))
    after = int(time.time())
    assert t["TokenType"] == "Bearer"
    assert t["ExpiresIn"] == 3600
    assert t.get("RefreshToken") and isinstance(t["RefreshToken"], str)

    id_h, idc = jwt_decode(t["IdToken"])
    ac_h, acc = jwt_decode(t["AccessToken"])
    for h in (id_h, ac_h):
        assert h["alg"] == "RS256", h
        assert h.get("kid"), h
    assert id_h["kid"] != ac_h["kid"], "ID and access tokens must be signed with different keys"

    issuer = issuer_of(app.pool_id)
    if ISSUER_BASE:
        assert issuer == f"{ISSUER_BASE}/{app.pool_id}"
    for c in (idc, acc):
        assert c["iss"] == issuer
        assert c["sub"] == sub
        assert c["exp"] - c["iat"] == 3600, (c["iat"], c["exp"])
        assert before - 5 <= c["iat"] <= after + 5, (before, c["iat"], after)
        assert isinstance(c["auth_time"], int) and before - 5 <= c["auth_time"] <= c["iat"]
        for k in ("jti", "origin_jti", "event_id"):
            assert isinstance(c.get(k), str) and UUID_RE.match(c[k]), (k, c.get(k))
    assert idc["jti"] != acc["jti"]
    assert idc["origin_jti"] == acc["origin_jti"]
    assert idc["event_id"] == acc["event_id"]
    assert idc["auth_time"] == acc["auth_time"]

    assert idc["token_use"] == "id"
    assert idc["aud"] == app.client_id
    assert idc["cognito:username"] == username
    assert idc["email"] == email
    if "email_verified" in idc:
        assert isinstance(idc["email_verified"], bool), idc["email_verified"]

    assert acc["token_use"] == "access"
    assert acc["client_id"] == app.client_id
    assert acc["username"] == username
    assert acc["scope"] == SCOPE
    assert "aud" not in acc, acc

    # Both signatures verify with the served JWKS (RS256 checked here by hand) and a changed
    # payload byte does not.
    keys = {k["kid"]: k for k in jwks_of(app.pool_id)["keys"]}
    assert id_h["kid"] in keys and ac_h["kid"] in keys, (id_h, ac_h, list(keys))
    assert rs256_verify(t["IdToken"], keys[id_h["kid"]])
    assert rs256_verify(t["AccessToken"], keys[ac_h["kid"]])
    assert not rs256_verify(t["AccessToken"], keys[id_h["kid"]])
    assert not rs256_verify(tamper(t["IdToken"]), keys[id_h["kid"]])


def test_jwks_and_openid_configuration(idp, app):
    status, headers, jwks = http_get(f"/{app.pool_id}/.well-known/jwks.json")
    assert status == 200, (status, jwks)
    assert headers.get("content-type", "").startswith("application/json"), headers
    keys = jwks["keys"]
    assert len(keys) == 2, keys
    assert len({k["kid"] for k in keys}) == 2
    for k in keys:
        assert k["alg"] == "RS256" and k["kty"] == "RSA" and k["use"] == "sig", k
        assert k["e"] == "AQAB", k
        assert len(b64url_decode(k["n"])) == 256, "RSA-2048"

    status, _, oidc = http_get(f"/{app.pool_id}/.well-known/openid-configuration")
    assert status == 200, (status, oidc)
    assert oidc["issuer"].endswith("/" + app.pool_id), oidc
    if ISSUER_BASE:
        assert oidc["issuer"] == f"{ISSUER_BASE}/{app.pool_id}"
    assert oidc["jwks_uri"] == oidc["issuer"] + "/.well-known/jwks.json", oidc

    # The JWKS is stable: the same keys on a second fetch.
    assert http_get(f"/{app.pool_id}/.well-known/jwks.json")[2] == jwks


def test_token_validity_from_the_client(idp, pools):
    a = new_app(
        idp,
        pools()["Id"],
        AccessTokenValidity=5,
        IdTokenValidity=2,
        TokenValidityUnits={"AccessToken": "minutes", "IdToken": "hours"},
    )
    username, _, _ = confirmed_user(idp, a)
    t = tokens_of(password_auth(idp, a, username))
    assert t["ExpiresIn"] == 300
    _, acc = jwt_decode(t["AccessToken"])
    _, idc = jwt_decode(t["IdToken"])
    assert acc["exp"] - acc["iat"] == 300
    assert idc["exp"] - idc["iat"] == 7200


# ---------------------------------------------------------------------------- refresh


@pytest.mark.parametrize("flow", ["REFRESH_TOKEN_AUTH", "REFRESH_TOKEN"])
def test_refresh_token_auth(idp, app, flow):
    username, _, sub = confirmed_user(idp, app)
    t1 = tokens_of(password_auth(idp, app, username))
    time.sleep(1.1)  # so that a new iat differs from the first
    r = idp.initiate_auth(ClientId=app.client_id, AuthFlow=flow, AuthParameters={"REFRESH_TOKEN": t1["RefreshToken"]})
    t2 = tokens_of(r)
    assert "RefreshToken" not in t2, "a refresh returns no new refresh token"
    assert t2["TokenType"] == "Bearer" and t2["ExpiresIn"] == 3600
    for kind in ("IdToken", "AccessToken"):
        _, c1 = jwt_decode(t1[kind])
        _, c2 = jwt_decode(t2[kind])
        assert c2["sub"] == sub
        assert c2["auth_time"] == c1["auth_time"], kind
        assert c2["origin_jti"] == c1["origin_jti"], kind
        assert c2["jti"] != c1["jti"], kind
        assert c2["iat"] > c1["iat"], kind
    assert idp.get_user(AccessToken=t2["AccessToken"])["Username"] == username


def test_garbage_refresh_token(idp, app):
    expect_error(
        "NotAuthorizedException",
        "Invalid Refresh Token",
        idp.initiate_auth,
        ClientId=app.client_id,
        AuthFlow="REFRESH_TOKEN_AUTH",
        AuthParameters={"REFRESH_TOKEN": "not-a-refresh-token"},
    )
    expect_error(
        "NotAuthorizedException",
        "Invalid Refresh Token",
        idp.get_tokens_from_refresh_token,
        ClientId=app.client_id,
        RefreshToken="not-a-refresh-token",
    )


def test_refresh_token_of_another_client(idp, app):
    other = new_app(idp, app.pool_id)
    username, _, _ = confirmed_user(idp, app)
    rt = tokens_of(password_auth(idp, app, username))["RefreshToken"]
    expect_error(
        "NotAuthorizedException",
        "Invalid Refresh Token",
        idp.initiate_auth,
        ClientId=other.client_id,
        AuthFlow="REFRESH_TOKEN_AUTH",
        AuthParameters={"REFRESH_TOKEN": rt},
    )


def test_get_tokens_from_refresh_token(idp, app):
    username, _, sub = confirmed_user(idp, app)
    t1 = tokens_of(password_auth(idp, app, username))
    r = idp.get_tokens_from_refresh_token(ClientId=app.client_id, RefreshToken=t1["RefreshToken"])
    t2 = tokens_of(r)
    assert "RefreshToken" not in t2, "no rotation configured: no new refresh token"
    assert t2["TokenType"] == "Bearer" and t2["ExpiresIn"] == 3600
    _, i1 = jwt_decode(t1["IdToken"])
    _, i2 = jwt_decode(t2["IdToken"])
    _, a2 = jwt_decode(t2["AccessToken"])
    assert i2["sub"] == sub and i2["aud"] == app.client_id and i2["token_use"] == "id"
    assert a2["token_use"] == "access" and a2["client_id"] == app.client_id and "iat" in a2
    assert i2["auth_time"] == i1["auth_time"] and i2["origin_jti"] == i1["origin_jti"]
    assert idp.get_user(AccessToken=t2["AccessToken"])["Username"] == username


def test_get_tokens_from_refresh_token_with_client_secret(idp, secret_app):
    a = secret_app
    username, _, _ = confirmed_user(idp, a)
    rt = tokens_of(password_auth(idp, a, username))["RefreshToken"]
    err = expect_error("NotAuthorizedException", None, idp.get_tokens_from_refresh_token, ClientId=a.client_id, RefreshToken=rt)
    assert a.client_id in err["Message"], err
    err = expect_error(
        "NotAuthorizedException",
        None,
        idp.get_tokens_from_refresh_token,
        ClientId=a.client_id,
        RefreshToken=rt,
        ClientSecret="x" * 51,
    )
    assert a.client_id in err["Message"], err
    t = tokens_of(idp.get_tokens_from_refresh_token(ClientId=a.client_id, RefreshToken=rt, ClientSecret=a.secret))
    assert jwt_decode(t["IdToken"])[1]["cognito:username"] == username


# ---------------------------------------------------------------------------- GetUser, AdminGetUser


def test_get_user(idp, app):
    username, email, sub = confirmed_user(idp, app)
    t = tokens_of(password_auth(idp, app, username))
    u = idp.get_user(AccessToken=t["AccessToken"])
    assert u["Username"] == username
    a = attrs_of(u["UserAttributes"])
    assert a["sub"] == sub and a["email"] == email


def test_get_user_refuses_forged_tokens(idp, app):
    username, _, _ = confirmed_user(idp, app)
    t = tokens_of(password_auth(idp, app, username))
    access = t["AccessToken"]
    h, p, _ = access.split(".")

    # One payload byte changed, signature kept.
    expect_error("NotAuthorizedException", "Invalid Access Token", idp.get_user, AccessToken=tamper(access))
    # Another user's name in the payload.
    _, claims = jwt_decode(access)
    claims["username"] = "someone-else"
    forged = f"{h}.{b64url_encode(json.dumps(claims).encode())}.{access.split('.')[2]}"
    expect_error("NotAuthorizedException", "Invalid Access Token", idp.get_user, AccessToken=forged)
    # alg "none", no signature.
    none_header = b64url_encode(json.dumps({"alg": "none", "kid": jwt_decode(access)[0]["kid"]}).encode())
    expect_error("NotAuthorizedException", "Invalid Access Token", idp.get_user, AccessToken=f"{none_header}.{p}.")
    # Not a JWT at all.
    expect_error("NotAuthorizedException", "Invalid Access Token", idp.get_user, AccessToken="abc.def.ghi")
    # An ID token is not an access token.
    expect_error("NotAuthorizedException", None, idp.get_user, AccessToken=t["IdToken"])


def test_admin_get_user(idp, app):
    username, email, sub = confirmed_user(idp, app)
    u = idp.admin_get_user(UserPoolId=app.pool_id, Username=username)
    assert u["Username"] == username
    assert u["UserStatus"] == "CONFIRMED"
    assert u["Enabled"] is True
    assert u["UserCreateDate"].tzinfo is not None and u["UserLastModifiedDate"].tzinfo is not None
    a = attrs_of(u["UserAttributes"])
    assert a["sub"] == sub and a["email"] == email
    expect_error("UserNotFoundException", "User does not exist.", idp.admin_get_user, UserPoolId=app.pool_id, Username=unique("nobody"))


# ---------------------------------------------------------------------------- user names


def test_email_as_username(idp, pools):
    pool = pools(UsernameAttributes=["email"])
    a = new_app(idp, pool["Id"])
    email = unique("mail") + "@example.com"
    expect_error("InvalidParameterException", "Username should be an email.", sign_up, idp=idp, app=a, username=unique("notanemail"))

    r = sign_up(idp, a, email, email=email)
    sub = r["UserSub"]
    # The user's username is generated (the sub); the email is how they sign in.
    idp.admin_confirm_sign_up(UserPoolId=pool["Id"], Username=email)
    u = idp.admin_get_user(UserPoolId=pool["Id"], Username=email)
    assert u["Username"] == sub, u["Username"]
    assert attrs_of(u["UserAttributes"])["email"] == email

    t = tokens_of(password_auth(idp, a, email))
    _, idc = jwt_decode(t["IdToken"])
    _, acc = jwt_decode(t["AccessToken"])
    assert idc["cognito:username"] == sub and idc["email"] == email
    assert acc["username"] == sub
    expect_error("UsernameExistsException", None, sign_up, idp=idp, app=a, username=email, email=email)


@needs_log
def test_alias_attributes_sign_in_with_verified_email(idp, pools):
    pool = pools(AliasAttributes=["email"], AutoVerifiedAttributes=["email"])
    a = new_app(idp, pool["Id"], PreventUserExistenceErrors="LEGACY")
    expect_error(
        "InvalidParameterException",
        "Username cannot be of email format, since user pool is configured for email alias.",
        sign_up,
        idp=idp,
        app=a,
        username=unique("x") + "@example.com",
    )

    username = unique("aliased")
    email = f"{username}@example.com"
    sign_up(idp, a, username, email=email)
    code, _ = wait_for_code([username, email])
    idp.confirm_sign_up(ClientId=a.client_id, Username=username, ConfirmationCode=code)

    t = tokens_of(password_auth(idp, a, email))
    _, idc = jwt_decode(t["IdToken"])
    assert idc["cognito:username"] == username
    assert idp.get_user(AccessToken=t["AccessToken"])["Username"] == username

    # An alias counts only once verified: a user confirmed by an administrator (email not
    # verified) cannot sign in with the email.
    other = unique("unverified")
    other_email = f"{other}@example.com"
    sign_up(idp, a, other, email=other_email)
    idp.admin_confirm_sign_up(UserPoolId=pool["Id"], Username=other)
    tokens_of(password_auth(idp, a, other))
    expect_error("UserNotFoundException", "User does not exist.", password_auth, idp=idp, app=a, username=other_email)


def test_case_insensitive_usernames(idp, pools):
    pool = pools(UsernameConfiguration={"CaseSensitive": False})
    a = new_app(idp, pool["Id"])
    username = unique("MixedCase")
    sign_up(idp, a, username)
    expect_error("UsernameExistsException", None, sign_up, idp=idp, app=a, username=username.lower())
    idp.admin_confirm_sign_up(UserPoolId=pool["Id"], Username=username.upper())
    for variant in (username, username.lower(), username.upper()):
        t = tokens_of(password_auth(idp, a, variant))
        assert jwt_decode(t["IdToken"])[1]["cognito:username"].lower() == username.lower()
    assert idp.admin_get_user(UserPoolId=pool["Id"], Username=username.lower())["UserStatus"] == "CONFIRMED"


def test_case_sensitive_usernames_by_default(idp, pools):
    pool = pools()
    a = new_app(idp, pool["Id"], PreventUserExistenceErrors="LEGACY")
    username = unique("MixedCase")
    confirmed_user(idp, a, username=username)
    tokens_of(password_auth(idp, a, username))
    expect_error("UserNotFoundException", "User does not exist.", password_auth, idp=idp, app=a, username=username.lower())
    # Another user may take the lower-case name.
    sign_up(idp, a, username.lower())


# ---------------------------------------------------------------------------- ListUsers


@pytest.fixture
def listed_users(idp, app):
    tag = uuid.uuid4().hex[:8]
    users = {}
    for prefix in ("ann", "bob", "bea", "cat", "dan"):
        username = f"{prefix}-{tag}"
        email = f"{prefix}-{tag}@example.com"
        sign_up(idp, app, username, email=email)
        users[username] = email
    return users


def usernames(resp):
    return sorted(u["Username"] for u in resp["Users"])


def test_list_users_filters(idp, app, listed_users):
    names = sorted(listed_users)
    ann = next(n for n in names if n.startswith("ann-"))
    r = idp.list_users(UserPoolId=app.pool_id, Filter=f'email = "{listed_users[ann]}"')
    assert usernames(r) == [ann]
    u = r["Users"][0]
    assert u["UserStatus"] == "UNCONFIRMED" and u["Enabled"] is True
    assert u["UserCreateDate"].tzinfo is not None and u["UserLastModifiedDate"].tzinfo is not None
    assert attrs_of(u["Attributes"])["email"] == listed_users[ann]

    r = idp.list_users(UserPoolId=app.pool_id, Filter='email ^= "b"')
    assert usernames(r) == sorted(n for n in names if n.startswith("b")), usernames(r)

    r = idp.list_users(UserPoolId=app.pool_id, Filter=f'username = "{ann}"')
    assert usernames(r) == [ann]
    r = idp.list_users(UserPoolId=app.pool_id, Filter='username ^= "cat-"')
    assert usernames(r) == [n for n in names if n.startswith("cat-")]
    r = idp.list_users(UserPoolId=app.pool_id, Filter='email = "nobody@example.com"')
    assert r["Users"] == []
    assert usernames(idp.list_users(UserPoolId=app.pool_id)) == names


def test_list_users_pagination(idp, app, listed_users):
    seen, pages, token = [], 0, None
    while True:
        kwargs = {"UserPoolId": app.pool_id, "Limit": 2}
        if token:
            kwargs["PaginationToken"] = token
        r = idp.list_users(**kwargs)
        pages += 1
        assert len(r["Users"]) <= 2, r["Users"]
        seen += [u["Username"] for u in r["Users"]]
        token = r.get("PaginationToken")
        if not token:
            break
        assert pages < 10, "pagination does not end"
    assert pages == 3, pages
    assert len(seen) == len(set(seen)) == 5, seen
    assert sorted(seen) == sorted(listed_users)


def test_list_users_attributes_to_get(idp, app, listed_users):
    r = idp.list_users(UserPoolId=app.pool_id, AttributesToGet=["email"])
    assert len(r["Users"]) == 5
    for u in r["Users"]:
        assert [a["Name"] for a in u["Attributes"]] == ["email"], u["Attributes"]
        assert u["Attributes"][0]["Value"] == listed_users[u["Username"]]


# ---------------------------------------------------------------------------- NEW_PASSWORD_REQUIRED


def admin_created_user(idp, app, temp="Temp0rary!pw"):
    username = unique("invited")
    email = f"{username}@example.com"
    r = idp.admin_create_user(
        UserPoolId=app.pool_id,
        Username=username,
        TemporaryPassword=temp,
        MessageAction="SUPPRESS",
        UserAttributes=[{"Name": "email", "Value": email}, {"Name": "email_verified", "Value": "true"}],
    )
    u = r["User"]
    assert u["Username"] == username
    assert u["UserStatus"] == "FORCE_CHANGE_PASSWORD"
    assert u["Enabled"] is True
    assert attrs_of(u["Attributes"])["email"] == email
    return username, email, temp


def check_new_password_challenge(r, username):
    assert r.get("ChallengeName") == "NEW_PASSWORD_REQUIRED", strip_meta(r)
    assert r.get("Session"), "no Session"
    assert "AuthenticationResult" not in r
    cp = r["ChallengeParameters"]
    assert cp.get("USER_ID_FOR_SRP") == username, cp
    assert json.loads(cp.get("requiredAttributes", "null")) == [], cp
    assert isinstance(json.loads(cp["userAttributes"]), dict), cp


def test_admin_create_user_new_password_required_respond(idp, app):
    username, email, temp = admin_created_user(idp, app)
    expect_error("NotAuthorizedException", INCORRECT, password_auth, idp=idp, app=app, username=username, password="Wr0ng!temp")

    r = password_auth(idp, app, username, temp)
    check_new_password_challenge(r, username)
    expect_error(
        "InvalidPasswordException",
        "Password did not conform with policy: Password not long enough",
        idp.respond_to_auth_challenge,
        ClientId=app.client_id,
        ChallengeName="NEW_PASSWORD_REQUIRED",
        Session=r["Session"],
        ChallengeResponses={"USERNAME": username, "NEW_PASSWORD": "Sh0rt!"},
    )

    r = password_auth(idp, app, username, temp)
    check_new_password_challenge(r, username)
    new_password = "N3w-Passw0rd!"
    resp = idp.respond_to_auth_challenge(
        ClientId=app.client_id,
        ChallengeName="NEW_PASSWORD_REQUIRED",
        Session=r["Session"],
        ChallengeResponses={"USERNAME": username, "NEW_PASSWORD": new_password},
    )
    t = tokens_of(resp)
    assert t["TokenType"] == "Bearer" and t.get("RefreshToken")
    _, idc = jwt_decode(t["IdToken"])
    assert idc["cognito:username"] == username and idc["email"] == email
    assert idc["email_verified"] is True

    assert idp.admin_get_user(UserPoolId=app.pool_id, Username=username)["UserStatus"] == "CONFIRMED"
    expect_error("NotAuthorizedException", INCORRECT, password_auth, idp=idp, app=app, username=username, password=temp)
    tokens_of(password_auth(idp, app, username, new_password))


def test_admin_create_user_new_password_required_admin_respond(idp, app):
    username, _, temp = admin_created_user(idp, app)
    r = idp.admin_initiate_auth(
        UserPoolId=app.pool_id,
        ClientId=app.client_id,
        AuthFlow="ADMIN_USER_PASSWORD_AUTH",
        AuthParameters={"USERNAME": username, "PASSWORD": temp},
    )
    check_new_password_challenge(r, username)
    new_password = "N3w-Passw0rd!"
    resp = idp.admin_respond_to_auth_challenge(
        UserPoolId=app.pool_id,
        ClientId=app.client_id,
        ChallengeName="NEW_PASSWORD_REQUIRED",
        Session=r["Session"],
        ChallengeResponses={"USERNAME": username, "NEW_PASSWORD": new_password},
    )
    t = tokens_of(resp)
    assert jwt_decode(t["AccessToken"])[1]["username"] == username
    assert idp.admin_get_user(UserPoolId=app.pool_id, Username=username)["UserStatus"] == "CONFIRMED"
    r = idp.admin_initiate_auth(
        UserPoolId=app.pool_id,
        ClientId=app.client_id,
        AuthFlow="ADMIN_USER_PASSWORD_AUTH",
        AuthParameters={"USERNAME": username, "PASSWORD": new_password},
    )
    tokens_of(r)


# ---------------------------------------------------------------------------- concurrency


def test_concurrent_sign_up_of_one_username(idp, app):
    from botocore.exceptions import ClientError

    n = 64
    username = unique("race")
    barrier = threading.Barrier(n, timeout=30)

    def attempt(i):
        barrier.wait()
        try:
            sign_up(idp, app, username, email=f"race{i}@example.com")
            return "ok"
        except ClientError as e:
            return e.response["Error"]["Code"]
        except Exception as e:  # noqa: BLE001 - reported in the assertion
            return f"{type(e).__name__}: {e}"

    with concurrent.futures.ThreadPoolExecutor(max_workers=n) as pool:
        results = list(pool.map(attempt, range(n), timeout=90))
    counts = {r: results.count(r) for r in set(results)}
    assert counts == {"ok": 1, "UsernameExistsException": n - 1}, counts

    r = idp.list_users(UserPoolId=app.pool_id, Filter=f'username = "{username}"')
    assert usernames(r) == [username]
