"""End-to-end suite: choice-based sign-in (AuthFlow USER_AUTH) and passwordless sign-up through
boto3 against a running cognito-emu (../shared/user-auth-passkeys.md sections 1 and 2):
AvailableChallenges, PREFERRED_CHALLENGE, SELECT_CHALLENGE, PASSWORD in one round trip,
PASSWORD_SRP up to PASSWORD_VERIFIER, EMAIL_OTP and SMS_OTP with 8-digit codes read from the
server's code inbox (GET /_emu/messages), the sessions (a wrong code keeps one, a success spends
it, the clock expires it), the feature plan, and SignUp without a password followed by
ConfirmSignUp and the auto sign-in with its Session.

The endpoint comes from COG_EMU_ENDPOINT; without it every test is skipped. Tests that move the
emulator's clock (POST /_emu/clock) put it back afterwards.
Run with: python3 -m pytest -q tests/e2e/test_boto3_user_auth.py
"""

import secrets

import pytest
from e2elib import NEEDS_ENDPOINT, control, error_of, idp, inbox_code, inbox_mark, unique  # noqa: F401

pytestmark = NEEDS_ENDPOINT

PASSWORD = "Passw0rd!e2e"
FLOWS = ["ALLOW_USER_AUTH", "ALLOW_REFRESH_TOKEN_AUTH"]
FACTORS = ["PASSWORD", "EMAIL_OTP", "SMS_OTP", "WEB_AUTHN"]
PHONE = "+15555550123"
MISMATCH = "Invalid code or auth state for the user."
USED = "Invalid session for the user, session can only be used once."
EXPIRED = "Invalid session for the user, session is expired."
INCORRECT = "Incorrect username or password."


@pytest.fixture
def app(idp):
    """A pool allowing every first factor, with email codes auto-verified, and a USER_AUTH
    client; alice (CONFIRMED, PASSWORD) has an email and a phone number. Deleted afterwards."""
    pool = idp.create_user_pool(
        PoolName=unique("e2e-user-auth"),
        AutoVerifiedAttributes=["email"],
        Policies={"SignInPolicy": {"AllowedFirstAuthFactors": FACTORS}},
    )["UserPool"]
    client = idp.create_user_pool_client(UserPoolId=pool["Id"], ClientName="c", ExplicitAuthFlows=FLOWS)
    a = {"pool": pool["Id"], "client": client["UserPoolClient"]["ClientId"]}
    idp.admin_create_user(
        UserPoolId=a["pool"],
        Username="alice",
        MessageAction="SUPPRESS",
        TemporaryPassword="Temp0rary!e2e",
        UserAttributes=[{"Name": "email", "Value": "alice@example.com"}, {"Name": "phone_number", "Value": PHONE}],
    )
    idp.admin_set_user_password(UserPoolId=a["pool"], Username="alice", Password=PASSWORD, Permanent=True)
    yield a
    idp.delete_user_pool(UserPoolId=a["pool"])


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


def start(idp, app, username, **params):
    return idp.initiate_auth(
        AuthFlow="USER_AUTH", ClientId=app["client"], AuthParameters={"USERNAME": username, **params}
    )


def answer(idp, app, username, name, session, **responses):
    return idp.respond_to_auth_challenge(
        ClientId=app["client"],
        ChallengeName=name,
        Session=session,
        ChallengeResponses={"USERNAME": username, **responses},
    )


def test_select_challenge_then_password(idp, app):
    first = start(idp, app, "alice")
    assert first["ChallengeName"] == "SELECT_CHALLENGE"
    assert first["AvailableChallenges"] == ["PASSWORD_SRP", "PASSWORD", "EMAIL_OTP", "SMS_OTP"]
    assert first["ChallengeParameters"]["USERNAME"] == "alice"
    with pytest.raises(idp.exceptions.InvalidParameterException):
        answer(idp, app, "alice", "SELECT_CHALLENGE", first["Session"], ANSWER="WEB_AUTHN")
    with pytest.raises(idp.exceptions.NotAuthorizedException) as e:
        answer(idp, app, "alice", "SELECT_CHALLENGE", first["Session"], ANSWER="PASSWORD", PASSWORD="nope")
    assert error_of(e)[1] == INCORRECT
    done = answer(idp, app, "alice", "SELECT_CHALLENGE", first["Session"], ANSWER="PASSWORD", PASSWORD=PASSWORD)
    assert done["AuthenticationResult"]["AccessToken"]


def test_preferred_password_in_one_round_trip(idp, app):
    done = start(idp, app, "alice", PREFERRED_CHALLENGE="PASSWORD", PASSWORD=PASSWORD)
    assert done["AuthenticationResult"]["RefreshToken"]
    assert done["AvailableChallenges"] == ["PASSWORD_SRP", "PASSWORD", "EMAIL_OTP", "SMS_OTP"]


def test_preferred_password_srp_asks_the_verifier(idp, app):
    srp_a = "0a" + secrets.token_hex(255)
    first = start(idp, app, "alice", PREFERRED_CHALLENGE="PASSWORD_SRP", SRP_A=srp_a)
    assert first["ChallengeName"] == "PASSWORD_VERIFIER"
    params = first["ChallengeParameters"]
    assert params["USER_ID_FOR_SRP"] == "alice"
    assert params["SALT"] and params["SRP_B"] and params["SECRET_BLOCK"]


def test_email_otp(idp, app):
    mark = inbox_mark()
    first = start(idp, app, "alice", PREFERRED_CHALLENGE="EMAIL_OTP")
    assert first["ChallengeName"] == "EMAIL_OTP"
    assert first["AvailableChallenges"] == ["PASSWORD_SRP", "PASSWORD", "EMAIL_OTP", "SMS_OTP"]
    params = first["ChallengeParameters"]
    assert params["CODE_DELIVERY_DELIVERY_MEDIUM"] == "EMAIL"
    assert params["CODE_DELIVERY_DESTINATION"] == "a***@e***"
    msg = inbox_code(app["pool"], "alice", mark)
    assert len(msg["code"]) == 8 and msg["code"].isdigit()
    wrong = "00000000" if msg["code"] != "00000000" else "11111111"
    for _ in range(3):  # wrong codes keep the session
        with pytest.raises(idp.exceptions.CodeMismatchException) as e:
            answer(idp, app, "alice", "EMAIL_OTP", first["Session"], EMAIL_OTP_CODE=wrong)
        assert error_of(e)[1] == MISMATCH
    done = answer(idp, app, "alice", "EMAIL_OTP", first["Session"], EMAIL_OTP_CODE=msg["code"])
    assert done["AuthenticationResult"]["AccessToken"]
    with pytest.raises(idp.exceptions.NotAuthorizedException) as e:
        answer(idp, app, "alice", "EMAIL_OTP", first["Session"], EMAIL_OTP_CODE=msg["code"])
    assert error_of(e)[1] == USED


def test_sms_otp_through_select_challenge(idp, app):
    first = start(idp, app, "alice")
    mark = inbox_mark()
    second = answer(idp, app, "alice", "SELECT_CHALLENGE", first["Session"], ANSWER="SMS_OTP")
    assert second["ChallengeName"] == "SMS_OTP"
    assert second["ChallengeParameters"]["CODE_DELIVERY_DELIVERY_MEDIUM"] == "SMS"
    msg = inbox_code(app["pool"], "alice", mark)
    assert msg["medium"] == "SMS" and len(msg["code"]) == 8
    done = answer(idp, app, "alice", "SMS_OTP", second["Session"], SMS_OTP_CODE=msg["code"])
    assert done["AuthenticationResult"]["IdToken"]


def test_otp_session_expires(idp, app, clock):
    mark = inbox_mark()
    first = start(idp, app, "alice", PREFERRED_CHALLENGE="EMAIL_OTP")
    msg = inbox_code(app["pool"], "alice", mark)
    clock(3 * 60 * 1000 + 1000)
    with pytest.raises(idp.exceptions.NotAuthorizedException) as e:
        answer(idp, app, "alice", "EMAIL_OTP", first["Session"], EMAIL_OTP_CODE=msg["code"])
    assert error_of(e)[1] == EXPIRED


def test_refusals(idp, app):
    with pytest.raises(idp.exceptions.InvalidParameterException):
        start(idp, app, "alice", PREFERRED_CHALLENGE="SOFTWARE_TOKEN_MFA")
    with pytest.raises(idp.exceptions.UserNotFoundException):
        start(idp, app, "nobody")
    other = idp.create_user_pool_client(
        UserPoolId=app["pool"], ClientName="p", ExplicitAuthFlows=["ALLOW_USER_PASSWORD_AUTH"]
    )["UserPoolClient"]["ClientId"]
    with pytest.raises(idp.exceptions.InvalidParameterException) as e:
        idp.initiate_auth(AuthFlow="USER_AUTH", ClientId=other, AuthParameters={"USERNAME": "alice"})
    assert error_of(e)[1] == "USER_AUTH flow not enabled for this client"


def test_hidden_unknown_user_gets_a_simulated_code_challenge(idp, app):
    hiding = idp.create_user_pool_client(
        UserPoolId=app["pool"], ClientName="h", ExplicitAuthFlows=FLOWS, PreventUserExistenceErrors="ENABLED"
    )["UserPoolClient"]["ClientId"]
    h = {"pool": app["pool"], "client": hiding}
    first = start(idp, h, "bob@example.com", PREFERRED_CHALLENGE="EMAIL_OTP")
    assert first["ChallengeName"] == "EMAIL_OTP"
    assert first["ChallengeParameters"]["CODE_DELIVERY_DESTINATION"] == "b***@e***"
    with pytest.raises(idp.exceptions.CodeMismatchException):
        answer(idp, h, "bob@example.com", "EMAIL_OTP", first["Session"], EMAIL_OTP_CODE="12345678")


def test_sign_in_policy_and_tiers(idp, app):
    pool = idp.describe_user_pool(UserPoolId=app["pool"])["UserPool"]
    assert pool["Policies"]["SignInPolicy"]["AllowedFirstAuthFactors"] == FACTORS
    with pytest.raises(idp.exceptions.InvalidParameterException):
        idp.create_user_pool(
            PoolName=unique("e2e-bad"), Policies={"SignInPolicy": {"AllowedFirstAuthFactors": ["EMAIL_OTP"]}}
        )
    with pytest.raises(idp.exceptions.FeatureUnavailableInTierException):
        idp.create_user_pool(
            PoolName=unique("e2e-lite"),
            UserPoolTier="LITE",
            Policies={"SignInPolicy": {"AllowedFirstAuthFactors": ["PASSWORD", "EMAIL_OTP"]}},
        )
    lite = idp.create_user_pool(PoolName=unique("e2e-lite"), UserPoolTier="LITE")["UserPool"]["Id"]
    try:
        assert idp.describe_user_pool(UserPoolId=lite)["UserPool"]["Policies"]["SignInPolicy"] == {
            "AllowedFirstAuthFactors": ["PASSWORD"]
        }
        with pytest.raises(idp.exceptions.FeatureUnavailableInTierException):
            idp.create_user_pool_client(UserPoolId=lite, ClientName="c", ExplicitAuthFlows=FLOWS)
    finally:
        idp.delete_user_pool(UserPoolId=lite)


def test_passwordless_sign_up_and_auto_sign_in(idp, app):
    mark = inbox_mark()
    up = idp.sign_up(
        ClientId=app["client"], Username="carol", UserAttributes=[{"Name": "email", "Value": "carol@example.com"}]
    )
    assert up["UserConfirmed"] is False and up["Session"]
    code = inbox_code(app["pool"], "carol", mark, kind="sign-up")["code"]
    confirmed = idp.confirm_sign_up(ClientId=app["client"], Username="carol", ConfirmationCode=code)
    session = confirmed["Session"]
    done = idp.initiate_auth(
        AuthFlow="USER_AUTH", ClientId=app["client"], Session=session, AuthParameters={"USERNAME": "carol"}
    )
    assert done["AuthenticationResult"]["AccessToken"]
    with pytest.raises(idp.exceptions.NotAuthorizedException) as e:
        idp.initiate_auth(
            AuthFlow="USER_AUTH", ClientId=app["client"], Session=session, AuthParameters={"USERNAME": "carol"}
        )
    assert error_of(e)[1] == USED
    # carol has no password: only the code factor is hers.
    first = start(idp, app, "carol", PREFERRED_CHALLENGE="PASSWORD", PASSWORD="x")
    assert first["ChallengeName"] == "SELECT_CHALLENGE"
    assert first["AvailableChallenges"] == ["EMAIL_OTP"]


def test_sign_up_needs_a_password_without_passwordless_factors(idp):
    pool = idp.create_user_pool(PoolName=unique("e2e-pw"))["UserPool"]["Id"]
    try:
        client = idp.create_user_pool_client(UserPoolId=pool, ClientName="c", ExplicitAuthFlows=FLOWS)
        with pytest.raises(idp.exceptions.InvalidParameterException):
            idp.sign_up(ClientId=client["UserPoolClient"]["ClientId"], Username="dave")
    finally:
        idp.delete_user_pool(UserPoolId=pool)


def test_admin_create_user_without_password_in_a_passwordless_pool(idp, app):
    idp.admin_create_user(
        UserPoolId=app["pool"],
        Username="dora",
        UserAttributes=[{"Name": "email", "Value": "dora@example.com"}, {"Name": "email_verified", "Value": "true"}],
    )
    assert idp.admin_get_user(UserPoolId=app["pool"], Username="dora")["UserStatus"] == "CONFIRMED"
    mark = inbox_mark()
    first = start(idp, app, "dora", PREFERRED_CHALLENGE="EMAIL_OTP")
    assert first["AvailableChallenges"] == ["EMAIL_OTP"]
    code = inbox_code(app["pool"], "dora", mark)["code"]
    done = answer(idp, app, "dora", "EMAIL_OTP", first["Session"], EMAIL_OTP_CODE=code)
    assert done["AuthenticationResult"]["AccessToken"]
