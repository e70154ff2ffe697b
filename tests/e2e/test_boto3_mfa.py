"""End-to-end suite: multi-factor authentication and the lockout through boto3 against a running
cognito-emu, as real Amazon Cognito behaves (../shared/cognito-facts.md): the pool's MFA
configuration, TOTP association and verification, the users' MFA preferences, sign-in with the
SOFTWARE_TOKEN_MFA, SMS_MFA, SELECT_MFA_TYPE and MFA_SETUP challenges, and the lockout after
repeated wrong passwords with its recovery once the clock has moved past the back-off.

TOTP codes come from pyotp (Debian's python3-pyotp), an implementation independent of the
server's; SMS codes from the server's code inbox (GET /_emu/messages). The endpoint comes from
COG_EMU_ENDPOINT; without it every test is skipped. Tests that move the emulator's clock
(POST /_emu/clock) put it back afterwards.
Run with: python3 -m pytest -q tests/e2e/test_boto3_mfa.py
"""

import json
import os
import time
import urllib.parse

import pytest
from e2elib import control, unique  # noqa: F401

pyotp = pytest.importorskip("pyotp")

ENDPOINT = os.environ.get("COG_EMU_ENDPOINT", "").rstrip("/")
pytestmark = pytest.mark.skipif(not ENDPOINT, reason="COG_EMU_ENDPOINT is not set")

PASSWORD = "Passw0rd!e2e"
FLOWS = ["ALLOW_USER_PASSWORD_AUTH", "ALLOW_ADMIN_USER_PASSWORD_AUTH", "ALLOW_REFRESH_TOKEN_AUTH"]
SNS = {"SnsCallerArn": "arn:aws:iam::123456789012:role/sns", "ExternalId": "e2e"}
PHONE = "+15555550123"
MISMATCH = "Invalid code received for user"
INCORRECT = "Incorrect username or password."
EXCEEDED = "Password attempts exceeded"


def emulator_now():
    """The emulator's time in seconds (its clock may have been moved)."""
    status, doc = control("GET", "/_emu/clock")
    offset = doc.get("offsetMs", 0) if status == 200 and isinstance(doc, dict) else 0
    return time.time() + offset / 1000.0


def totp_now(secret):
    return pyotp.TOTP(secret).at(emulator_now())


def totp_next(secret):
    """The next step's code, which the window still accepts: a sign-in right after
    VerifySoftwareToken needs it, since a TOTP code answers once."""
    return pyotp.TOTP(secret).at(emulator_now() + 30)


def inbox_code(pool_id, username, after):
    q = urllib.parse.urlencode({"pool": pool_id, "username": username, "kind": "mfa", "after": after, "wait": 5})
    status, doc = control("GET", f"/_emu/messages?{q}")
    if status != 200:
        pytest.skip("the server has no code inbox (GET /_emu/messages)")
    msgs = sorted(doc.get("messages", []), key=lambda m: m["id"])
    assert msgs, f"no mfa code for {username} in the inbox"
    return msgs[0]


def inbox_mark():
    status, doc = control("GET", "/_emu/messages?limit=1")
    if status != 200:
        pytest.skip("the server has no code inbox (GET /_emu/messages)")
    return doc["lastId"]


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
def app(idp):
    """A pool (with SMS settings for SMS MFA) and a password client; deleted afterwards."""
    pool = idp.create_user_pool(PoolName=unique("e2e-mfa"), SmsConfiguration=SNS)["UserPool"]
    client = idp.create_user_pool_client(UserPoolId=pool["Id"], ClientName="c", ExplicitAuthFlows=FLOWS)
    yield {"pool": pool["Id"], "client": client["UserPoolClient"]["ClientId"]}
    idp.delete_user_pool(UserPoolId=pool["Id"])


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


def make_user(idp, app, name, attrs=()):
    idp.admin_create_user(
        UserPoolId=app["pool"], Username=name, MessageAction="SUPPRESS", UserAttributes=list(attrs)
    )
    idp.admin_set_user_password(UserPoolId=app["pool"], Username=name, Password=PASSWORD, Permanent=True)


def sign_in(idp, app, name, password=PASSWORD):
    return idp.initiate_auth(
        ClientId=app["client"], AuthFlow="USER_PASSWORD_AUTH", AuthParameters={"USERNAME": name, "PASSWORD": password}
    )


def answer(idp, app, name, challenge, session, **responses):
    return idp.respond_to_auth_challenge(
        ClientId=app["client"],
        ChallengeName=challenge,
        Session=session,
        ChallengeResponses={"USERNAME": name, **responses},
    )


def error_of(excinfo):
    e = excinfo.value.response["Error"]
    return e["Code"], e["Message"]


def set_mfa(idp, app, mode, sms=False):
    kwargs = {"UserPoolId": app["pool"], "MfaConfiguration": mode, "SoftwareTokenMfaConfiguration": {"Enabled": True}}
    if sms:
        kwargs["SmsMfaConfiguration"] = {"SmsAuthenticationMessage": "Your code is {####}", "SmsConfiguration": SNS}
    return idp.set_user_pool_mfa_config(**kwargs)


def set_up_totp(idp, access):
    secret = idp.associate_software_token(AccessToken=access)["SecretCode"]
    assert len(secret) == 32
    out = idp.verify_software_token(AccessToken=access, UserCode=totp_now(secret), FriendlyDeviceName="phone")
    assert out["Status"] == "SUCCESS"
    return secret


# ---------------------------------------------------------------------------- pool configuration


def test_pool_mfa_config(idp, app):
    got = idp.get_user_pool_mfa_config(UserPoolId=app["pool"])
    assert got["MfaConfiguration"] == "OFF"
    with pytest.raises(idp.exceptions.InvalidParameterException) as e:
        idp.set_user_pool_mfa_config(UserPoolId=app["pool"], MfaConfiguration="ON")
    assert "can't disable all MFAs" in error_of(e)[1]
    with pytest.raises(idp.exceptions.InvalidParameterException) as e:
        idp.set_user_pool_mfa_config(
            UserPoolId=app["pool"], MfaConfiguration="OFF", SoftwareTokenMfaConfiguration={"Enabled": True}
        )
    assert "can't turn off MFA and configure an MFA together" in error_of(e)[1]
    out = set_mfa(idp, app, "OPTIONAL", sms=True)
    assert out["MfaConfiguration"] == "OPTIONAL"
    got = idp.get_user_pool_mfa_config(UserPoolId=app["pool"])
    assert got["SoftwareTokenMfaConfiguration"] == {"Enabled": True}
    assert got["SmsMfaConfiguration"]["SmsAuthenticationMessage"] == "Your code is {####}"
    assert idp.describe_user_pool(UserPoolId=app["pool"])["UserPool"]["MfaConfiguration"] == "OPTIONAL"


# ---------------------------------------------------------------------------- TOTP


def test_totp_association_verification_and_sign_in(idp, app):
    set_mfa(idp, app, "OPTIONAL")
    make_user(idp, app, "alice")
    access = sign_in(idp, app, "alice")["AuthenticationResult"]["AccessToken"]

    with pytest.raises(idp.exceptions.InvalidParameterException):
        idp.set_user_mfa_preference(AccessToken=access, SoftwareTokenMfaSettings={"Enabled": True})
    secret = idp.associate_software_token(AccessToken=access)["SecretCode"]
    wrong = pyotp.TOTP(secret).at(emulator_now() + 600)
    with pytest.raises(idp.exceptions.EnableSoftwareTokenMFAException) as e:
        idp.verify_software_token(AccessToken=access, UserCode=wrong)
    assert error_of(e)[1] == "Code mismatch and fail enable Software Token MFA"
    assert idp.verify_software_token(AccessToken=access, UserCode=totp_now(secret))["Status"] == "SUCCESS"
    idp.set_user_mfa_preference(AccessToken=access, SoftwareTokenMfaSettings={"Enabled": True, "PreferredMfa": True})

    user = idp.admin_get_user(UserPoolId=app["pool"], Username="alice")
    assert user["UserMFASettingList"] == ["SOFTWARE_TOKEN_MFA"]
    assert user["PreferredMfaSetting"] == "SOFTWARE_TOKEN_MFA"
    assert idp.get_user(AccessToken=access)["PreferredMfaSetting"] == "SOFTWARE_TOKEN_MFA"

    first = sign_in(idp, app, "alice")
    assert first["ChallengeName"] == "SOFTWARE_TOKEN_MFA"
    assert "AuthenticationResult" not in first
    with pytest.raises(idp.exceptions.CodeMismatchException) as e:
        answer(idp, app, "alice", "SOFTWARE_TOKEN_MFA", first["Session"], SOFTWARE_TOKEN_MFA_CODE=wrong)
    assert error_of(e)[1] == MISMATCH
    done = answer(
        idp, app, "alice", "SOFTWARE_TOKEN_MFA", first["Session"], SOFTWARE_TOKEN_MFA_CODE=totp_next(secret)
    )
    assert done["AuthenticationResult"]["AccessToken"]

    # Switching TOTP off lets the password alone sign in again (MFA is optional).
    idp.admin_set_user_mfa_preference(
        UserPoolId=app["pool"], Username="alice", SoftwareTokenMfaSettings={"Enabled": False}
    )
    assert "AuthenticationResult" in sign_in(idp, app, "alice")


# ---------------------------------------------------------------------------- SMS and the choice


def test_sms_mfa_with_the_code_from_the_inbox(idp, app):
    set_mfa(idp, app, "OPTIONAL", sms=True)
    make_user(idp, app, "bob", [{"Name": "phone_number", "Value": PHONE}])
    idp.admin_set_user_mfa_preference(UserPoolId=app["pool"], Username="bob", SMSMfaSettings={"Enabled": True})
    mark = inbox_mark()
    first = sign_in(idp, app, "bob")
    assert first["ChallengeName"] == "SMS_MFA"
    assert first["ChallengeParameters"]["CODE_DELIVERY_DELIVERY_MEDIUM"] == "SMS"
    assert first["ChallengeParameters"]["CODE_DELIVERY_DESTINATION"] == "+*******0123"
    msg = inbox_code(app["pool"], "bob", mark)
    assert msg["destination"] == PHONE
    with pytest.raises(idp.exceptions.CodeMismatchException):
        answer(idp, app, "bob", "SMS_MFA", first["Session"], SMS_MFA_CODE="000000" if msg["code"] != "000000" else "111111")
    done = answer(idp, app, "bob", "SMS_MFA", first["Session"], SMS_MFA_CODE=msg["code"])
    assert done["AuthenticationResult"]["IdToken"]


def test_select_mfa_type(idp, app):
    set_mfa(idp, app, "OPTIONAL", sms=True)
    make_user(idp, app, "carol", [{"Name": "phone_number", "Value": PHONE}])
    access = sign_in(idp, app, "carol")["AuthenticationResult"]["AccessToken"]
    secret = set_up_totp(idp, access)
    idp.set_user_mfa_preference(
        AccessToken=access, SMSMfaSettings={"Enabled": True}, SoftwareTokenMfaSettings={"Enabled": True}
    )
    first = sign_in(idp, app, "carol")
    assert first["ChallengeName"] == "SELECT_MFA_TYPE"
    assert json.loads(first["ChallengeParameters"]["MFAS_CAN_CHOOSE"]) == ["SMS_MFA", "SOFTWARE_TOKEN_MFA"]
    second = answer(idp, app, "carol", "SELECT_MFA_TYPE", first["Session"], ANSWER="SOFTWARE_TOKEN_MFA")
    assert second["ChallengeName"] == "SOFTWARE_TOKEN_MFA"
    done = answer(
        idp, app, "carol", "SOFTWARE_TOKEN_MFA", second["Session"], SOFTWARE_TOKEN_MFA_CODE=totp_next(secret)
    )
    assert done["AuthenticationResult"]["AccessToken"]


# ---------------------------------------------------------------------------- MFA_SETUP


def test_mfa_setup_when_mfa_is_required(idp, app):
    set_mfa(idp, app, "ON")
    make_user(idp, app, "dave")
    first = sign_in(idp, app, "dave")
    assert first["ChallengeName"] == "MFA_SETUP"
    assert json.loads(first["ChallengeParameters"]["MFAS_CAN_SETUP"]) == ["SOFTWARE_TOKEN_MFA"]
    assoc = idp.associate_software_token(Session=first["Session"])
    secret, session = assoc["SecretCode"], assoc["Session"]
    with pytest.raises(idp.exceptions.EnableSoftwareTokenMFAException):
        idp.verify_software_token(Session=session, UserCode=pyotp.TOTP(secret).at(emulator_now() + 600))
    verified = idp.verify_software_token(Session=session, UserCode=totp_now(secret))
    assert verified["Status"] == "SUCCESS" and verified["Session"]
    done = answer(idp, app, "dave", "MFA_SETUP", verified["Session"])
    assert done["AuthenticationResult"]["AccessToken"]
    assert sign_in(idp, app, "dave")["ChallengeName"] == "SOFTWARE_TOKEN_MFA"


def test_expired_mfa_session(idp, app, clock):
    set_mfa(idp, app, "ON")
    make_user(idp, app, "erin")
    first = sign_in(idp, app, "erin")
    clock(4 * 60 * 1000)
    with pytest.raises(idp.exceptions.NotAuthorizedException) as e:
        idp.associate_software_token(Session=first["Session"])
    assert error_of(e)[1] == "Invalid session for the user, session is expired."


# ---------------------------------------------------------------------------- lockout


def test_lockout_and_recovery(idp, app, clock):
    make_user(idp, app, "frank")
    for _ in range(5):
        with pytest.raises(idp.exceptions.NotAuthorizedException) as e:
            sign_in(idp, app, "frank", "Wr0ng-password!")
        assert error_of(e)[1] == INCORRECT
    # Locked: even the right password is refused during the back-off (1 s after 5 failures).
    with pytest.raises(idp.exceptions.NotAuthorizedException) as e:
        sign_in(idp, app, "frank")
    assert error_of(e) == ("NotAuthorizedException", EXCEEDED)
    clock(1500)
    assert "AuthenticationResult" in sign_in(idp, app, "frank")
    # The success reset the count: one more failure is only a wrong password.
    with pytest.raises(idp.exceptions.NotAuthorizedException) as e:
        sign_in(idp, app, "frank", "Wr0ng-password!")
    assert error_of(e)[1] == INCORRECT
