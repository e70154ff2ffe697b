"""End-to-end suite: the account lifecycle through boto3 against a running cognito-emu, as real
Amazon Cognito behaves (../shared/cognito-facts.md): forgotten and changed passwords, attribute
updates and verification, deletion, global sign-out and token revocation, the administrator's
user operations, custom attributes, and groups with the claims they put in tokens.

The endpoint comes from COG_EMU_ENDPOINT (e.g. http://127.0.0.1:9229); without it every test
is skipped. Run with: python3 -m pytest -q tests/e2e/test_boto3_lifecycle.py

Codes are read from the server's code inbox (GET /_emu/messages, the control API), or, on a
server without it, from its log file COG_EMU_LOG (stderr at --log-level info); tests that need
a code skip when neither is there. Tests that move the emulator's clock (POST /_emu/clock) put
it back afterwards.
"""

import base64
import hashlib
import hmac
import http.client
import json
import os
import re
import time
import types
import urllib.parse
import uuid

import pytest

ENDPOINT = os.environ.get("COG_EMU_ENDPOINT", "").rstrip("/")
LOG_PATH = os.environ.get("COG_EMU_LOG", "")
HERE = os.path.dirname(os.path.abspath(__file__))

pytestmark = pytest.mark.skipif(not ENDPOINT, reason="COG_EMU_ENDPOINT is not set")

PASSWORD = "Passw0rd!e2e"
NEW_PASSWORD = "N3w-passw0rd!e2e"
FLOWS = ["ALLOW_USER_PASSWORD_AUTH", "ALLOW_ADMIN_USER_PASSWORD_AUTH", "ALLOW_REFRESH_TOKEN_AUTH"]
INCORRECT = "Incorrect username or password."
REVOKED = "Access Token has been revoked"
MISMATCH = "Invalid verification code provided, please try again."
EXPIRED = "Invalid code provided, please request a code again."
NO_VERIFIED = "Cannot reset password for the user as there is no registered/verified email or phone_number"
ROLE_A = "arn:aws:iam::123456789012:role/group-a"
ROLE_B = "arn:aws:iam::123456789012:role/group-b"


def unique(prefix):
    return f"{prefix}-{uuid.uuid4().hex[:10]}"


# ---------------------------------------------------------------------------- clients and pools


@pytest.fixture(scope="module")
def idp():
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


@pytest.fixture
def pools(idp):
    """A factory of user pools (CreateUserPool keyword arguments), all deleted afterwards."""
    made = []

    def make(**kwargs):
        kwargs.setdefault("PoolName", unique("e2e-life"))
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
    kwargs.setdefault("ClientName", unique("e2e-life-client"))
    kwargs.setdefault("ExplicitAuthFlows", FLOWS)
    c = idp.create_user_pool_client(UserPoolId=pool_id, **kwargs)["UserPoolClient"]
    return types.SimpleNamespace(pool_id=pool_id, client_id=c["ClientId"], secret=c.get("ClientSecret"))


@pytest.fixture
def app(idp, pools):
    """A pool that auto-verifies email, and a public client with the password flows."""
    return new_app(idp, pools(AutoVerifiedAttributes=["email"])["Id"])


def secret_hash(username, a):
    mac = hmac.new(a.secret.encode(), (username + a.client_id).encode(), hashlib.sha256)
    return base64.b64encode(mac.digest()).decode()


def user(idp, a, username=None, email=None, verified=True, attrs=None):
    """A CONFIRMED user with PASSWORD (AdminCreateUser SUPPRESS + AdminSetUserPassword)."""
    username = username or unique("user")
    ua = [{"Name": k, "Value": v} for k, v in (attrs or {}).items()]
    if email is not False:
        ua.append({"Name": "email", "Value": email or f"{username}@example.com"})
        if verified:
            ua.append({"Name": "email_verified", "Value": "true"})
    idp.admin_create_user(UserPoolId=a.pool_id, Username=username, MessageAction="SUPPRESS", UserAttributes=ua)
    idp.admin_set_user_password(UserPoolId=a.pool_id, Username=username, Password=PASSWORD, Permanent=True)
    return username


def sign_in_call(idp, a, username, password=PASSWORD):
    params = {"USERNAME": username, "PASSWORD": password}
    if a.secret:
        params["SECRET_HASH"] = secret_hash(username, a)
    return idp.initiate_auth(ClientId=a.client_id, AuthFlow="USER_PASSWORD_AUTH", AuthParameters=params)


def sign_in(idp, a, username, password=PASSWORD):
    r = sign_in_call(idp, a, username, password)
    assert "AuthenticationResult" in r, f"no tokens: {r}"
    return r["AuthenticationResult"]


def refresh(idp, a, token):
    return idp.initiate_auth(
        ClientId=a.client_id, AuthFlow="REFRESH_TOKEN_AUTH", AuthParameters={"REFRESH_TOKEN": token}
    )["AuthenticationResult"]


def expect_error(code, message, fn, *args, **kwargs):
    """fn(*args, **kwargs) must fail with code as HTTP 400 (and message, when not None)."""
    from botocore.exceptions import ClientError

    try:
        resp = fn(*args, **kwargs)
    except ClientError as e:
        err = e.response
    else:
        pytest.fail(f"{getattr(fn, '__name__', fn)} succeeded; expected {code}: {resp}")
    got = (err["Error"].get("Code"), err["Error"].get("Message"))
    assert got[0] == code, f"expected {code} {message!r}, got {got}"
    if message is not None:
        assert got[1] == message, f"expected {code} {message!r}, got {got}"
    assert err["ResponseMetadata"]["HTTPStatusCode"] == 400, err["ResponseMetadata"]
    return err["Error"]


def attrs_of(attr_list):
    return {x["Name"]: x["Value"] for x in attr_list}


def get_user_attrs(idp, access):
    return attrs_of(idp.get_user(AccessToken=access)["UserAttributes"])


def admin_attrs(idp, a, username):
    return attrs_of(idp.admin_get_user(UserPoolId=a.pool_id, Username=username)["UserAttributes"])


def claims(token):
    payload = token.split(".")[1]
    return json.loads(base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4)))


# ---------------------------------------------------------------------------- control API: codes, clock


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


_INBOX = {}


def inbox_available():
    if "ok" not in _INBOX:
        status, doc = control("GET", "/_emu/messages?limit=1")
        _INBOX["ok"] = status == 200 and isinstance(doc, dict) and "lastId" in doc
    return _INBOX["ok"]


class Codes:
    """The codes the server sends, from its inbox (or its log). mark() before the action, then
    code(username, kind) for the first code of that user and kind sent after the mark."""

    LINE = re.compile(r"delivery: (\S+) (?:code|temporary password) for user (\S+) of pool (\S+) to .*: (\S+)$")

    def __init__(self, pool_id):
        self.pool_id = pool_id
        self.mark()

    def mark(self):
        if inbox_available():
            self.after = control("GET", "/_emu/messages?limit=1")[1]["lastId"]
        else:
            if not LOG_PATH:
                pytest.skip("no control API inbox and no COG_EMU_LOG to read codes from")
            self.after = len(self._log_lines())

    @staticmethod
    def _log_lines():
        try:
            with open(LOG_PATH, encoding="utf-8", errors="replace") as f:
                return f.read().splitlines()
        except OSError:
            return []

    def code(self, username, kind, timeout=5.0):
        if inbox_available():
            q = urllib.parse.urlencode(
                {"pool": self.pool_id, "username": username, "kind": kind, "after": int(self.after), "wait": timeout}
            )
            status, doc = control("GET", f"/_emu/messages?{q}")
            assert status == 200, (status, doc)
            msgs = sorted(doc.get("messages", []), key=lambda m: m["id"])
            assert msgs, f"no {kind} code for {username} in the inbox"
            return msgs[0]["code"]
        deadline = time.monotonic() + timeout
        while True:
            for line in self._log_lines()[self.after :]:
                m = self.LINE.search(line)
                if m and m.group(1) == kind and m.group(2) == username and m.group(3) == self.pool_id:
                    return m.group(4)
            if time.monotonic() > deadline:
                pytest.fail(f"no {kind} code for {username} in the log")
            time.sleep(0.05)


@pytest.fixture
def clock():
    """Move the emulator's clock with clock(advance_ms); it is put back after the test."""
    status, doc = control("GET", "/_emu/clock")
    if status != 200:
        pytest.skip("the server has no clock API (POST /_emu/clock)")
    saved = doc["offsetMs"]

    def advance(ms):
        s, d = control("POST", "/_emu/clock", {"advanceMs": ms})
        assert s == 200, (s, d)

    yield advance
    control("POST", "/_emu/clock", {"offsetMs": saved})


# ---------------------------------------------------------------------------- ForgotPassword


def test_forgot_password_then_confirm(idp, app):
    name = user(idp, app)
    codes = Codes(app.pool_id)
    r = idp.forgot_password(ClientId=app.client_id, Username=name)
    d = r["CodeDeliveryDetails"]
    assert d["DeliveryMedium"] == "EMAIL" and d["AttributeName"] == "email"
    assert re.fullmatch(r".\*\*\*@.\*\*\*", d["Destination"]), d
    code = codes.code(name, "forgot-password")
    assert re.fullmatch(r"\d{6}", code)

    sign_in(idp, app, name)  # the old password works until the reset is confirmed
    expect_error(
        "CodeMismatchException",
        MISMATCH,
        idp.confirm_forgot_password,
        ClientId=app.client_id,
        Username=name,
        ConfirmationCode="000000" if code != "000000" else "111111",
        Password=NEW_PASSWORD,
    )
    expect_error(
        "InvalidPasswordException",
        "Password did not conform with policy: Password not long enough",
        idp.confirm_forgot_password,
        ClientId=app.client_id,
        Username=name,
        ConfirmationCode=code,
        Password="Sh0rt!",
    )
    idp.confirm_forgot_password(ClientId=app.client_id, Username=name, ConfirmationCode=code, Password=NEW_PASSWORD)
    expect_error("NotAuthorizedException", INCORRECT, sign_in_call, idp, app, name)
    sign_in(idp, app, name, NEW_PASSWORD)
    # the code is used up
    expect_error(
        "CodeMismatchException",
        MISMATCH,
        idp.confirm_forgot_password,
        ClientId=app.client_id,
        Username=name,
        ConfirmationCode=code,
        Password=PASSWORD,
    )


def test_forgot_password_code_expires_after_an_hour(idp, app, clock):
    name = user(idp, app)
    codes = Codes(app.pool_id)
    idp.forgot_password(ClientId=app.client_id, Username=name)
    code = codes.code(name, "forgot-password")
    clock(3600 * 1000 + 5000)
    expect_error(
        "ExpiredCodeException",
        EXPIRED,
        idp.confirm_forgot_password,
        ClientId=app.client_id,
        Username=name,
        ConfirmationCode=code,
        Password=NEW_PASSWORD,
    )


def test_forgot_password_refusals(idp, pools):
    pool = pools(AutoVerifiedAttributes=["email"])
    a = new_app(idp, pool["Id"])
    expect_error(
        "UserNotFoundException",
        "Username/client id combination not found.",
        idp.forgot_password,
        ClientId=a.client_id,
        Username=unique("ghost"),
    )
    expect_error(
        "UserNotFoundException",
        "Username/client id combination not found.",
        idp.confirm_forgot_password,
        ClientId=a.client_id,
        Username=unique("ghost"),
        ConfirmationCode="123456",
        Password=NEW_PASSWORD,
    )
    unverified = user(idp, a, verified=False)
    expect_error("InvalidParameterException", NO_VERIFIED, idp.forgot_password, ClientId=a.client_id, Username=unverified)

    fresh = unique("fresh")
    idp.admin_create_user(
        UserPoolId=a.pool_id,
        Username=fresh,
        MessageAction="SUPPRESS",
        UserAttributes=[{"Name": "email", "Value": f"{fresh}@example.com"}, {"Name": "email_verified", "Value": "true"}],
    )
    expect_error(
        "NotAuthorizedException",
        "User password cannot be reset in the current state.",
        idp.forgot_password,
        ClientId=a.client_id,
        Username=fresh,
    )
    disabled = user(idp, a)
    idp.admin_disable_user(UserPoolId=a.pool_id, Username=disabled)
    expect_error("NotAuthorizedException", "User is disabled.", idp.forgot_password, ClientId=a.client_id, Username=disabled)

    # a client that hides users answers as if a code had been sent
    hiding = new_app(idp, pool["Id"], PreventUserExistenceErrors="ENABLED")
    r = idp.forgot_password(ClientId=hiding.client_id, Username=unique("ghost") + "@example.com")
    assert r["CodeDeliveryDetails"]["DeliveryMedium"] == "EMAIL"
    expect_error(
        "CodeMismatchException",
        MISMATCH,
        idp.confirm_forgot_password,
        ClientId=hiding.client_id,
        Username=unique("ghost"),
        ConfirmationCode="123456",
        Password=NEW_PASSWORD,
    )

    admin_only = new_app(
        idp, pools(AccountRecoverySetting={"RecoveryMechanisms": [{"Name": "admin_only", "Priority": 1}]})["Id"]
    )
    name = user(idp, admin_only)
    expect_error(
        "NotAuthorizedException",
        "Contact administrator to reset password.",
        idp.forgot_password,
        ClientId=admin_only.client_id,
        Username=name,
    )


def test_forgot_password_with_a_secret_client(idp, pools):
    pool = pools(AutoVerifiedAttributes=["email"])
    s = new_app(idp, pool["Id"], GenerateSecret=True)
    name = user(idp, s)
    expect_error(
        "NotAuthorizedException",
        f"Client {s.client_id} is configured for secret but secret was not received",
        idp.forgot_password,
        ClientId=s.client_id,
        Username=name,
    )
    codes = Codes(s.pool_id)
    idp.forgot_password(ClientId=s.client_id, Username=name, SecretHash=secret_hash(name, s))
    code = codes.code(name, "forgot-password")
    idp.confirm_forgot_password(
        ClientId=s.client_id, Username=name, ConfirmationCode=code, Password=NEW_PASSWORD, SecretHash=secret_hash(name, s)
    )
    sign_in(idp, s, name, NEW_PASSWORD)


# ---------------------------------------------------------------------------- ChangePassword


def test_change_password(idp, app):
    name = user(idp, app)
    t = sign_in(idp, app, name)
    expect_error(
        "NotAuthorizedException",
        INCORRECT,
        idp.change_password,
        AccessToken=t["AccessToken"],
        PreviousPassword="Wr0ng!pass",
        ProposedPassword=NEW_PASSWORD,
    )
    expect_error(
        "InvalidPasswordException",
        "Password did not conform with policy: Password must have numeric characters",
        idp.change_password,
        AccessToken=t["AccessToken"],
        PreviousPassword=PASSWORD,
        ProposedPassword="NoNumbers!here",
    )
    expect_error(
        "NotAuthorizedException",
        "Invalid Access Token",
        idp.change_password,
        AccessToken="not.a.token",
        PreviousPassword=PASSWORD,
        ProposedPassword=NEW_PASSWORD,
    )
    idp.change_password(AccessToken=t["AccessToken"], PreviousPassword=PASSWORD, ProposedPassword=NEW_PASSWORD)
    expect_error("NotAuthorizedException", INCORRECT, sign_in_call, idp, app, name)
    sign_in(idp, app, name, NEW_PASSWORD)


# ---------------------------------------------------------------------------- attributes


def test_update_user_attributes_then_verify(idp, app):
    name = user(idp, app)
    t = sign_in(idp, app, name)
    r = idp.update_user_attributes(AccessToken=t["AccessToken"], UserAttributes=[{"Name": "given_name", "Value": "Al"}])
    assert r.get("CodeDeliveryDetailsList", []) == []
    assert get_user_attrs(idp, t["AccessToken"])["given_name"] == "Al"

    codes = Codes(app.pool_id)
    new_email = unique("new") + "@example.org"
    r = idp.update_user_attributes(AccessToken=t["AccessToken"], UserAttributes=[{"Name": "email", "Value": new_email}])
    [d] = r["CodeDeliveryDetailsList"]
    assert d["AttributeName"] == "email" and d["DeliveryMedium"] == "EMAIL"
    a = get_user_attrs(idp, t["AccessToken"])
    assert a["email"] == new_email and a["email_verified"] == "false"
    code = codes.code(name, "verify-attribute")
    expect_error(
        "CodeMismatchException",
        MISMATCH,
        idp.verify_user_attribute,
        AccessToken=t["AccessToken"],
        AttributeName="email",
        Code="000000" if code != "000000" else "111111",
    )
    idp.verify_user_attribute(AccessToken=t["AccessToken"], AttributeName="email", Code=code)
    assert get_user_attrs(idp, t["AccessToken"])["email_verified"] == "true"


def test_get_user_attribute_verification_code(idp, pools, clock):
    a = new_app(idp, pools()["Id"])
    name = user(idp, a, verified=False)
    t = sign_in(idp, a, name)
    codes = Codes(a.pool_id)
    r = idp.get_user_attribute_verification_code(AccessToken=t["AccessToken"], AttributeName="email")
    assert r["CodeDeliveryDetails"]["AttributeName"] == "email"
    code = codes.code(name, "verify-attribute")
    expect_error(
        "InvalidParameterException",
        None,
        idp.get_user_attribute_verification_code,
        AccessToken=t["AccessToken"],
        AttributeName="phone_number",
    )
    expect_error(
        "InvalidParameterException",
        None,
        idp.get_user_attribute_verification_code,
        AccessToken=t["AccessToken"],
        AttributeName="given_name",
    )
    # attribute codes last 24 hours
    clock(24 * 3600 * 1000 + 5000)
    access = refresh(idp, a, t["RefreshToken"])["AccessToken"]
    expect_error("ExpiredCodeException", EXPIRED, idp.verify_user_attribute, AccessToken=access, AttributeName="email", Code=code)


def test_update_user_attributes_refusals(idp, pools):
    pool = pools(
        Schema=[
            {"Name": "email", "Required": True},
            {"Name": "team", "AttributeDataType": "String", "Mutable": False},
        ]
    )
    a = new_app(idp, pool["Id"])
    name = user(idp, a, attrs={"custom:team": "blue"})
    t = sign_in(idp, a, name)
    access = t["AccessToken"]
    update = idp.update_user_attributes
    expect_error(
        "NotAuthorizedException",
        "A client attempted to write unauthorized attribute",
        update,
        AccessToken=access,
        UserAttributes=[{"Name": "email_verified", "Value": "true"}],
    )
    expect_error(
        "InvalidParameterException",
        "Attributes did not conform to the schema: Type for attribute {custom:nope} could not be determined",
        update,
        AccessToken=access,
        UserAttributes=[{"Name": "custom:nope", "Value": "x"}],
    )
    expect_error(
        "InvalidParameterException",
        "Invalid email address format.",
        update,
        AccessToken=access,
        UserAttributes=[{"Name": "email", "Value": "not-an-email"}],
    )
    expect_error(
        "InvalidParameterException",
        "Cannot modify the non-mutable attribute custom:team",
        update,
        AccessToken=access,
        UserAttributes=[{"Name": "custom:team", "Value": "red"}],
    )
    expect_error(
        "InvalidParameterException",
        "Attributes did not conform to the schema: emails: The attribute emails is required",
        update,
        AccessToken=access,
        UserAttributes=[{"Name": "email", "Value": ""}],
    )
    limited = new_app(idp, pool["Id"], WriteAttributes=["email"])
    expect_error(
        "NotAuthorizedException",
        "A client attempted to write unauthorized attribute",
        update,
        AccessToken=sign_in(idp, limited, name)["AccessToken"],
        UserAttributes=[{"Name": "given_name", "Value": "A"}],
    )


def test_unverified_email_is_no_alias_until_verified(idp, pools):
    a = new_app(idp, pools(AliasAttributes=["email"], AutoVerifiedAttributes=["email"])["Id"])
    email = unique("alice") + "@example.com"
    name = user(idp, a, email=email)
    other = user(idp, a)
    t = sign_in(idp, a, email)  # a verified email signs in

    codes = Codes(a.pool_id)
    new_email = unique("alice") + "@example.org"
    idp.update_user_attributes(AccessToken=t["AccessToken"], UserAttributes=[{"Name": "email", "Value": new_email}])
    expect_error("UserNotFoundException", None, sign_in_call, idp, a, email)
    expect_error("UserNotFoundException", None, sign_in_call, idp, a, new_email)
    idp.verify_user_attribute(AccessToken=t["AccessToken"], AttributeName="email", Code=codes.code(name, "verify-attribute"))
    sign_in(idp, a, new_email)

    # another user's verified email can be set, but verifying it collides
    codes.mark()
    idp.update_user_attributes(
        AccessToken=t["AccessToken"], UserAttributes=[{"Name": "email", "Value": f"{other}@example.com"}]
    )
    expect_error(
        "AliasExistsException",
        "An account with the given email already exists.",
        idp.verify_user_attribute,
        AccessToken=t["AccessToken"],
        AttributeName="email",
        Code=codes.code(name, "verify-attribute"),
    )


def test_attributes_require_verification_before_update(idp, pools):
    a = new_app(
        idp,
        pools(
            AutoVerifiedAttributes=["email"],
            UserAttributeUpdateSettings={"AttributesRequireVerificationBeforeUpdate": ["email"]},
        )["Id"],
    )
    email = unique("keep") + "@example.com"
    name = user(idp, a, email=email)
    t = sign_in(idp, a, name)
    codes = Codes(a.pool_id)
    new_email = unique("later") + "@example.org"
    idp.update_user_attributes(AccessToken=t["AccessToken"], UserAttributes=[{"Name": "email", "Value": new_email}])
    attrs = get_user_attrs(idp, t["AccessToken"])
    assert attrs["email"] == email and attrs["email_verified"] == "true"
    idp.verify_user_attribute(AccessToken=t["AccessToken"], AttributeName="email", Code=codes.code(name, "verify-attribute"))
    attrs = get_user_attrs(idp, t["AccessToken"])
    assert attrs["email"] == new_email and attrs["email_verified"] == "true"


def test_delete_user_attributes(idp, app):
    name = user(idp, app, attrs={"given_name": "Al"})
    t = sign_in(idp, app, name)
    idp.delete_user_attributes(AccessToken=t["AccessToken"], UserAttributeNames=["given_name", "email"])
    attrs = get_user_attrs(idp, t["AccessToken"])
    assert "given_name" not in attrs and "email" not in attrs and "email_verified" not in attrs
    expect_error(
        "NotAuthorizedException",
        "A client attempted to write unauthorized attribute",
        idp.delete_user_attributes,
        AccessToken=t["AccessToken"],
        UserAttributeNames=["sub"],
    )


def test_delete_user(idp, app):
    name = user(idp, app)
    t = sign_in(idp, app, name)
    idp.delete_user(AccessToken=t["AccessToken"])
    expect_error("NotAuthorizedException", "User does not exist.", idp.get_user, AccessToken=t["AccessToken"])
    expect_error("NotAuthorizedException", "Invalid Refresh Token", refresh, idp, app, t["RefreshToken"])
    expect_error("UserNotFoundException", "User does not exist.", sign_in_call, idp, app, name)


# ---------------------------------------------------------------------------- revocation


def test_global_sign_out(idp, app):
    name = user(idp, app)
    other_client = new_app(idp, app.pool_id)
    t1 = sign_in(idp, app, name)
    t2 = sign_in(idp, other_client, name)
    refreshed = refresh(idp, app, t1["RefreshToken"])["AccessToken"]
    bob = sign_in(idp, app, user(idp, app))

    idp.global_sign_out(AccessToken=t1["AccessToken"])
    for access in (t1["AccessToken"], t2["AccessToken"], refreshed):
        expect_error("NotAuthorizedException", REVOKED, idp.get_user, AccessToken=access)
    expect_error("NotAuthorizedException", "Refresh Token has been revoked", refresh, idp, app, t1["RefreshToken"])
    expect_error(
        "NotAuthorizedException", "Refresh Token has been revoked", refresh, idp, other_client, t2["RefreshToken"]
    )
    expect_error(
        "NotAuthorizedException",
        REVOKED,
        idp.update_user_attributes,
        AccessToken=t1["AccessToken"],
        UserAttributes=[{"Name": "given_name", "Value": "X"}],
    )
    idp.get_user(AccessToken=bob["AccessToken"])  # another user is untouched
    t3 = sign_in(idp, app, name)  # a new sign-in works at once
    idp.get_user(AccessToken=t3["AccessToken"])
    refresh(idp, app, t3["RefreshToken"])


def test_revoke_token(idp, app):
    name = user(idp, app)
    t1 = sign_in(idp, app, name)
    t2 = sign_in(idp, app, name)
    refreshed = refresh(idp, app, t1["RefreshToken"])["AccessToken"]

    idp.revoke_token(ClientId=app.client_id, Token=t1["RefreshToken"])
    expect_error("NotAuthorizedException", REVOKED, idp.get_user, AccessToken=t1["AccessToken"])
    expect_error("NotAuthorizedException", REVOKED, idp.get_user, AccessToken=refreshed)
    expect_error("NotAuthorizedException", "Refresh Token has been revoked", refresh, idp, app, t1["RefreshToken"])
    idp.get_user(AccessToken=t2["AccessToken"])  # the other session is untouched
    refresh(idp, app, t2["RefreshToken"])
    idp.revoke_token(ClientId=app.client_id, Token=t1["RefreshToken"])  # again: no error
    for token in (t2["AccessToken"], t2["IdToken"]):
        expect_error("UnsupportedTokenTypeException", None, idp.revoke_token, ClientId=app.client_id, Token=token)
    expect_error("ResourceNotFoundException", None, idp.revoke_token, ClientId="a" * 26, Token="x")


def test_revoke_token_client_rules(idp, app):
    name = user(idp, app)
    s = new_app(idp, app.pool_id, GenerateSecret=True)
    t = sign_in(idp, s, name)
    expect_error(
        "UnauthorizedException",
        f"Client {s.client_id} is configured for secret but secret was not received",
        idp.revoke_token,
        ClientId=s.client_id,
        Token=t["RefreshToken"],
    )
    expect_error(
        "UnauthorizedException",
        None,
        idp.revoke_token,
        ClientId=s.client_id,
        Token=t["RefreshToken"],
        ClientSecret="wrong" * 6,
    )
    idp.revoke_token(ClientId=s.client_id, Token=t["RefreshToken"], ClientSecret=s.secret)
    expect_error("NotAuthorizedException", REVOKED, idp.get_user, AccessToken=t["AccessToken"])

    off = new_app(idp, app.pool_id, EnableTokenRevocation=False)
    t = sign_in(idp, off, name)
    expect_error(
        "UnsupportedOperationException", None, idp.revoke_token, ClientId=off.client_id, Token=t["RefreshToken"]
    )


# ---------------------------------------------------------------------------- administrators


@pytest.mark.parametrize(
    "op, extra",
    [
        ("admin_delete_user", {}),
        ("admin_disable_user", {}),
        ("admin_enable_user", {}),
        ("admin_update_user_attributes", {"UserAttributes": [{"Name": "given_name", "Value": "x"}]}),
        ("admin_delete_user_attributes", {"UserAttributeNames": ["given_name"]}),
        ("admin_set_user_password", {"Password": NEW_PASSWORD, "Permanent": True}),
        ("admin_reset_user_password", {}),
        ("admin_user_global_sign_out", {}),
        ("admin_list_groups_for_user", {}),
    ],
)
def test_admin_operations_on_an_unknown_user(idp, app, op, extra):
    expect_error(
        "UserNotFoundException",
        "User does not exist.",
        getattr(idp, op),
        UserPoolId=app.pool_id,
        Username=unique("ghost"),
        **extra,
    )


def test_admin_delete_user(idp, app):
    name = user(idp, app)
    t = sign_in(idp, app, name)
    idp.admin_delete_user(UserPoolId=app.pool_id, Username=name)
    expect_error("UserNotFoundException", "User does not exist.", idp.admin_get_user, UserPoolId=app.pool_id, Username=name)
    expect_error("NotAuthorizedException", "User does not exist.", idp.get_user, AccessToken=t["AccessToken"])
    expect_error(
        "ResourceNotFoundException",
        "User pool us-east-1_nosuchpool does not exist.",
        idp.admin_delete_user,
        UserPoolId="us-east-1_nosuchpool",
        Username=name,
    )


def test_admin_disable_and_enable_user(idp, app, clock):
    name = user(idp, app)
    t = sign_in(idp, app, name)
    clock(2000)  # the sign-out is in a later second than the token
    idp.admin_disable_user(UserPoolId=app.pool_id, Username=name)
    assert idp.admin_get_user(UserPoolId=app.pool_id, Username=name)["Enabled"] is False
    expect_error("NotAuthorizedException", "User is disabled.", sign_in_call, idp, app, name)
    expect_error("NotAuthorizedException", REVOKED, idp.get_user, AccessToken=t["AccessToken"])
    expect_error("NotAuthorizedException", "User is disabled.", refresh, idp, app, t["RefreshToken"])
    idp.admin_enable_user(UserPoolId=app.pool_id, Username=name)
    assert idp.admin_get_user(UserPoolId=app.pool_id, Username=name)["Enabled"] is True
    t2 = sign_in(idp, app, name)
    idp.get_user(AccessToken=t2["AccessToken"])
    expect_error("NotAuthorizedException", REVOKED, idp.get_user, AccessToken=t["AccessToken"])


def test_admin_update_and_delete_user_attributes(idp, app):
    name = user(idp, app)
    codes = Codes(app.pool_id)
    new_email = unique("adm") + "@example.org"
    idp.admin_update_user_attributes(UserPoolId=app.pool_id, Username=name, UserAttributes=[{"Name": "email", "Value": new_email}])
    a = admin_attrs(idp, app, name)
    assert a["email"] == new_email and a["email_verified"] == "false"
    assert re.fullmatch(r"\d{6}", codes.code(name, "verify-attribute"))

    idp.admin_update_user_attributes(
        UserPoolId=app.pool_id,
        Username=name,
        UserAttributes=[
            {"Name": "email", "Value": "verified-" + new_email},
            {"Name": "email_verified", "Value": "true"},
            {"Name": "given_name", "Value": "Alice"},
        ],
    )
    a = admin_attrs(idp, app, name)
    assert a["email"] == "verified-" + new_email and a["email_verified"] == "true" and a["given_name"] == "Alice"

    idp.admin_delete_user_attributes(UserPoolId=app.pool_id, Username=name, UserAttributeNames=["given_name"])
    assert "given_name" not in admin_attrs(idp, app, name)
    expect_error(
        "InvalidParameterException",
        None,
        idp.admin_update_user_attributes,
        UserPoolId=app.pool_id,
        Username=name,
        UserAttributes=[{"Name": "sub", "Value": "x"}],
    )


def test_admin_set_user_password(idp, app, clock):
    name = unique("unconfirmed")
    idp.sign_up(ClientId=app.client_id, Username=name, Password=PASSWORD)
    expect_error(
        "InvalidPasswordException",
        "Password did not conform with policy: Password not long enough",
        idp.admin_set_user_password,
        UserPoolId=app.pool_id,
        Username=name,
        Password="Sh0rt!",
        Permanent=True,
    )
    idp.admin_set_user_password(UserPoolId=app.pool_id, Username=name, Password=NEW_PASSWORD, Permanent=True)
    assert idp.admin_get_user(UserPoolId=app.pool_id, Username=name)["UserStatus"] == "CONFIRMED"
    sign_in(idp, app, name, NEW_PASSWORD)

    idp.admin_set_user_password(UserPoolId=app.pool_id, Username=name, Password="Temp0rary!pw", Permanent=False)
    assert idp.admin_get_user(UserPoolId=app.pool_id, Username=name)["UserStatus"] == "FORCE_CHANGE_PASSWORD"
    r = sign_in_call(idp, app, name, "Temp0rary!pw")
    assert r["ChallengeName"] == "NEW_PASSWORD_REQUIRED"
    r = idp.respond_to_auth_challenge(
        ClientId=app.client_id,
        ChallengeName="NEW_PASSWORD_REQUIRED",
        Session=r["Session"],
        ChallengeResponses={"USERNAME": name, "NEW_PASSWORD": PASSWORD},
    )
    assert "AccessToken" in r["AuthenticationResult"]

    # a temporary password expires after TemporaryPasswordValidityDays (7 by default)
    idp.admin_set_user_password(UserPoolId=app.pool_id, Username=name, Password="Temp0rary!pw", Permanent=False)
    clock(7 * 24 * 3600 * 1000 + 5000)
    expect_error(
        "NotAuthorizedException",
        "Temporary password has expired and must be reset by an administrator.",
        sign_in_call,
        idp,
        app,
        name,
        "Temp0rary!pw",
    )


def test_admin_reset_user_password(idp, app):
    name = user(idp, app)
    codes = Codes(app.pool_id)
    idp.admin_reset_user_password(UserPoolId=app.pool_id, Username=name)
    assert idp.admin_get_user(UserPoolId=app.pool_id, Username=name)["UserStatus"] == "RESET_REQUIRED"
    expect_error("PasswordResetRequiredException", "Password reset required for the user", sign_in_call, idp, app, name)
    expect_error("NotAuthorizedException", INCORRECT, sign_in_call, idp, app, name, "Wr0ng!pass")
    code = codes.code(name, "forgot-password")
    idp.confirm_forgot_password(ClientId=app.client_id, Username=name, ConfirmationCode=code, Password=NEW_PASSWORD)
    assert idp.admin_get_user(UserPoolId=app.pool_id, Username=name)["UserStatus"] == "CONFIRMED"
    sign_in(idp, app, name, NEW_PASSWORD)

    unverified = user(idp, app, verified=False)
    expect_error(
        "InvalidParameterException", NO_VERIFIED, idp.admin_reset_user_password, UserPoolId=app.pool_id, Username=unverified
    )
    fresh = unique("fresh")
    idp.admin_create_user(UserPoolId=app.pool_id, Username=fresh, MessageAction="SUPPRESS")
    expect_error(
        "NotAuthorizedException",
        "User password cannot be reset in the current state.",
        idp.admin_reset_user_password,
        UserPoolId=app.pool_id,
        Username=fresh,
    )


def test_admin_user_global_sign_out(idp, app):
    name = user(idp, app)
    t = sign_in(idp, app, name)
    bob = sign_in(idp, app, user(idp, app))
    idp.admin_user_global_sign_out(UserPoolId=app.pool_id, Username=name)
    expect_error("NotAuthorizedException", REVOKED, idp.get_user, AccessToken=t["AccessToken"])
    expect_error("NotAuthorizedException", "Refresh Token has been revoked", refresh, idp, app, t["RefreshToken"])
    idp.get_user(AccessToken=bob["AccessToken"])


def test_admin_create_user_invitation_resend_and_expiry(idp, pools, clock):
    pool = pools(Policies={"PasswordPolicy": {"MinimumLength": 8, "TemporaryPasswordValidityDays": 1}})
    a = new_app(idp, pool["Id"])
    name = unique("invited")
    codes = Codes(a.pool_id)
    r = idp.admin_create_user(
        UserPoolId=a.pool_id,
        Username=name,
        UserAttributes=[{"Name": "email", "Value": f"{name}@example.com"}],
        DesiredDeliveryMediums=["EMAIL"],
    )
    assert r["User"]["UserStatus"] == "FORCE_CHANGE_PASSWORD"
    first = codes.code(name, "invitation")  # the generated temporary password
    assert sign_in_call(idp, a, name, first)["ChallengeName"] == "NEW_PASSWORD_REQUIRED"
    expect_error(
        "InvalidParameterException",
        "No phone_number provided but desired delivery medium was Sms",
        idp.admin_create_user,
        UserPoolId=a.pool_id,
        Username=unique("nophone"),
        DesiredDeliveryMediums=["SMS"],
    )

    clock(24 * 3600 * 1000 + 5000)
    expect_error(
        "NotAuthorizedException",
        "Temporary password has expired and must be reset by an administrator.",
        sign_in_call,
        idp,
        a,
        name,
        first,
    )
    codes.mark()
    idp.admin_create_user(UserPoolId=a.pool_id, Username=name, MessageAction="RESEND", DesiredDeliveryMediums=["EMAIL"])
    second = codes.code(name, "invitation")
    assert second != first
    assert sign_in_call(idp, a, name, second)["ChallengeName"] == "NEW_PASSWORD_REQUIRED"


def test_add_custom_attributes(idp, app):
    idp.add_custom_attributes(
        UserPoolId=app.pool_id,
        CustomAttributes=[
            {"Name": "team", "AttributeDataType": "String"},
            {"Name": "secret", "AttributeDataType": "String", "DeveloperOnlyAttribute": True},
        ],
    )
    names = {a["Name"] for a in idp.describe_user_pool(UserPoolId=app.pool_id)["UserPool"]["SchemaAttributes"]}
    assert {"custom:team", "dev:custom:secret"} <= names
    name = user(idp, app, attrs={"custom:team": "blue"})
    assert admin_attrs(idp, app, name)["custom:team"] == "blue"
    expect_error(
        "InvalidParameterException",
        "custom:team: Existing attribute already has name custom:team.",
        idp.add_custom_attributes,
        UserPoolId=app.pool_id,
        CustomAttributes=[{"Name": "team", "AttributeDataType": "String"}],
    )
    expect_error(
        "InvalidParameterException",
        "custom:secret: Existing attribute already has name dev:custom:secret.",
        idp.add_custom_attributes,
        UserPoolId=app.pool_id,
        CustomAttributes=[{"Name": "secret", "AttributeDataType": "String", "DeveloperOnlyAttribute": True}],
    )


# ---------------------------------------------------------------------------- groups


def test_group_create_get_update_delete(idp, app):
    g = idp.create_group(UserPoolId=app.pool_id, GroupName="admins", Description="the admins", RoleArn=ROLE_A, Precedence=1)[
        "Group"
    ]
    assert (g["GroupName"], g["UserPoolId"], g["Description"], g["RoleArn"], g["Precedence"]) == (
        "admins",
        app.pool_id,
        "the admins",
        ROLE_A,
        1,
    )
    assert "CreationDate" in g and "LastModifiedDate" in g
    expect_error(
        "GroupExistsException",
        "A group with the name already exists.",
        idp.create_group,
        UserPoolId=app.pool_id,
        GroupName="admins",
    )
    assert idp.get_group(UserPoolId=app.pool_id, GroupName="admins")["Group"]["Description"] == "the admins"
    g = idp.update_group(UserPoolId=app.pool_id, GroupName="admins", Precedence=7)["Group"]
    assert g["Precedence"] == 7 and g["RoleArn"] == ROLE_A and g["Description"] == "the admins"
    idp.delete_group(UserPoolId=app.pool_id, GroupName="admins")
    for fn, extra in (
        (idp.get_group, {}),
        (idp.delete_group, {}),
        (idp.update_group, {"Precedence": 1}),
        (idp.list_users_in_group, {}),
    ):
        expect_error("ResourceNotFoundException", "Group not found.", fn, UserPoolId=app.pool_id, GroupName="admins", **extra)


def test_list_groups_paginates(idp, app):
    for n in ("g1", "g2", "g3"):
        idp.create_group(UserPoolId=app.pool_id, GroupName=n)
    r = idp.list_groups(UserPoolId=app.pool_id, Limit=2)
    assert [g["GroupName"] for g in r["Groups"]] == ["g1", "g2"]
    r = idp.list_groups(UserPoolId=app.pool_id, Limit=2, NextToken=r["NextToken"])
    assert [g["GroupName"] for g in r["Groups"]] == ["g3"] and "NextToken" not in r
    paginator = idp.get_paginator("list_groups")
    names = [g["GroupName"] for page in paginator.paginate(UserPoolId=app.pool_id, PaginationConfig={"PageSize": 1}) for g in page["Groups"]]
    assert names == ["g1", "g2", "g3"]
    expect_error("InvalidParameterException", "Invalid NextToken.", idp.list_groups, UserPoolId=app.pool_id, NextToken="bogus")


def test_group_membership(idp, app):
    alice, bob = user(idp, app), user(idp, app)
    idp.create_group(UserPoolId=app.pool_id, GroupName="readers", Precedence=5)
    idp.create_group(UserPoolId=app.pool_id, GroupName="writers", Precedence=1)
    for u, g in ((alice, "readers"), (alice, "readers"), (alice, "writers"), (bob, "readers")):
        idp.admin_add_user_to_group(UserPoolId=app.pool_id, Username=u, GroupName=g)
    users = idp.list_users_in_group(UserPoolId=app.pool_id, GroupName="readers")["Users"]
    assert [u["Username"] for u in users] == [alice, bob]
    assert attrs_of(users[0]["Attributes"])["email"] == f"{alice}@example.com"
    r = idp.list_users_in_group(UserPoolId=app.pool_id, GroupName="readers", Limit=1)
    assert [u["Username"] for u in r["Users"]] == [alice] and "NextToken" in r
    groups = idp.admin_list_groups_for_user(UserPoolId=app.pool_id, Username=alice)["Groups"]
    assert [g["GroupName"] for g in groups] == ["writers", "readers"]
    idp.admin_remove_user_from_group(UserPoolId=app.pool_id, Username=alice, GroupName="writers")
    groups = idp.admin_list_groups_for_user(UserPoolId=app.pool_id, Username=alice)["Groups"]
    assert [g["GroupName"] for g in groups] == ["readers"]
    expect_error(
        "ResourceNotFoundException",
        "Group not found.",
        idp.admin_add_user_to_group,
        UserPoolId=app.pool_id,
        Username=alice,
        GroupName="nogroup",
    )
    expect_error(
        "UserNotFoundException",
        "User does not exist.",
        idp.admin_add_user_to_group,
        UserPoolId=app.pool_id,
        Username=unique("ghost"),
        GroupName="readers",
    )
    expect_error(
        "ResourceNotFoundException",
        "Group not found.",
        idp.admin_remove_user_from_group,
        UserPoolId=app.pool_id,
        Username=alice,
        GroupName="nogroup",
    )


def test_group_claims_in_tokens(idp, app):
    name = user(idp, app)
    t = sign_in(idp, app, name)
    for c in (claims(t["IdToken"]), claims(t["AccessToken"])):
        assert "cognito:groups" not in c and "cognito:roles" not in c and "cognito:preferred_role" not in c

    idp.create_group(UserPoolId=app.pool_id, GroupName="low", RoleArn=ROLE_B, Precedence=10)
    idp.create_group(UserPoolId=app.pool_id, GroupName="high", RoleArn=ROLE_A, Precedence=2)
    idp.create_group(UserPoolId=app.pool_id, GroupName="norole", Precedence=0)
    for g in ("low", "high", "norole"):
        idp.admin_add_user_to_group(UserPoolId=app.pool_id, Username=name, GroupName=g)
    t = sign_in(idp, app, name)
    id_claims, access_claims = claims(t["IdToken"]), claims(t["AccessToken"])
    assert id_claims["cognito:groups"] == ["norole", "high", "low"]
    assert access_claims["cognito:groups"] == ["norole", "high", "low"]
    assert id_claims["cognito:roles"] == [ROLE_A, ROLE_B]
    assert id_claims["cognito:preferred_role"] == ROLE_A
    assert "cognito:roles" not in access_claims and "cognito:preferred_role" not in access_claims

    # equal best precedence with different roles: no preferred role
    idp.update_group(UserPoolId=app.pool_id, GroupName="low", Precedence=2)
    id_claims = claims(refresh(idp, app, t["RefreshToken"])["IdToken"])
    assert "cognito:preferred_role" not in id_claims
    assert sorted(id_claims["cognito:roles"]) == sorted([ROLE_A, ROLE_B])
