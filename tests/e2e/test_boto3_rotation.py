"""End-to-end suite: refresh-token rotation and single-use TOTP codes through boto3 against a
running cognito-emu (../shared/user-auth-passkeys.md section 5; issue 15).

Rotation: an app client's RefreshTokenRotation round-trips through Describe; with it ENABLED,
GetTokensFromRefreshToken returns a new refresh token of the same sign-in, the presented one
stays usable RetryGracePeriodSeconds (by the emulator's clock, POST /_emu/clock) and then is
RefreshTokenReuseException; REFRESH_TOKEN_AUTH is refused; RevokeToken kills the family; the
sign-in's lifetime is never extended. TOTP: a code answers once (ExpiredCodeException), codes
from pyotp (Debian's python3-pyotp).

The endpoint comes from COG_EMU_ENDPOINT; without it every test is skipped. Tests that move the
emulator's clock put it back afterwards.
Run with: python3 -m pytest -q tests/e2e/test_boto3_rotation.py
"""

import os

import pytest

from test_boto3_mfa import PASSWORD, clock, idp, make_user, sign_in, totp_now, unique  # noqa: F401

ENDPOINT = os.environ.get("COG_EMU_ENDPOINT", "").rstrip("/")
pytestmark = pytest.mark.skipif(not ENDPOINT, reason="COG_EMU_ENDPOINT is not set")

# The emulator's wordings where Cognito's are undocumented (pinned in tests/check_auth_rotation.c).
REUSED = "Refresh token has been rotated: use the newest refresh token of this sign-in."
NO_FLOW = "Refresh token rotation is enabled for this app client: refresh with GetTokensFromRefreshToken."
USED = "Your software token has already been used once."


def rotating_app(idp, grace, validity_days=30):
    """A pool with user alice and a client that rotates with grace seconds of grace."""
    pool = idp.create_user_pool(PoolName=unique("e2e-rot"))["UserPool"]["Id"]
    client = idp.create_user_pool_client(
        UserPoolId=pool,
        ClientName="c",
        ExplicitAuthFlows=["ALLOW_USER_PASSWORD_AUTH", "ALLOW_REFRESH_TOKEN_AUTH"],
        RefreshTokenValidity=validity_days,
        TokenValidityUnits={"RefreshToken": "days"},
        RefreshTokenRotation={"Feature": "ENABLED", "RetryGracePeriodSeconds": grace},
    )["UserPoolClient"]
    app = {"pool": pool, "client": client["ClientId"]}
    make_user(idp, app, "alice")
    return app


@pytest.fixture
def apps(idp):
    made = []

    def make(grace, validity_days=30):
        made.append(rotating_app(idp, grace, validity_days))
        return made[-1]

    yield make
    for app in made:
        idp.delete_user_pool(UserPoolId=app["pool"])


def refresh(idp, app, token):
    return idp.get_tokens_from_refresh_token(ClientId=app["client"], RefreshToken=token)["AuthenticationResult"]


def error_of(excinfo):
    err = excinfo.value.response["Error"]
    return err["Code"], err["Message"]


def test_setting_round_trips(idp, apps):
    app = apps(15)
    got = idp.describe_user_pool_client(UserPoolId=app["pool"], ClientId=app["client"])["UserPoolClient"]
    assert got["RefreshTokenRotation"] == {"Feature": "ENABLED", "RetryGracePeriodSeconds": 15}
    with pytest.raises(idp.exceptions.InvalidParameterException):
        idp.update_user_pool_client(
            UserPoolId=app["pool"],
            ClientId=app["client"],
            RefreshTokenRotation={"Feature": "ENABLED", "RetryGracePeriodSeconds": 61},
        )


def test_rotation_grace_period_and_reuse(idp, apps, clock):
    app = apps(30)
    first = sign_in(idp, app, "alice")["AuthenticationResult"]["RefreshToken"]
    second = refresh(idp, app, first)
    assert second["RefreshToken"] != first and second["AccessToken"] and second["IdToken"]
    clock(20_000)
    retry = refresh(idp, app, first)  # a retry inside the grace period succeeds
    assert retry["RefreshToken"] not in (first, second["RefreshToken"])
    clock(10_000)
    with pytest.raises(idp.exceptions.RefreshTokenReuseException) as e:
        refresh(idp, app, first)
    assert error_of(e) == ("RefreshTokenReuseException", REUSED)
    assert refresh(idp, app, second["RefreshToken"])["RefreshToken"]


def test_rotation_refuses_refresh_token_auth_and_revocation_kills_the_family(idp, apps):
    app = apps(60)
    first = sign_in(idp, app, "alice")["AuthenticationResult"]["RefreshToken"]
    with pytest.raises(idp.exceptions.NotAuthorizedException) as e:
        idp.initiate_auth(ClientId=app["client"], AuthFlow="REFRESH_TOKEN_AUTH", AuthParameters={"REFRESH_TOKEN": first})
    assert error_of(e)[1] == NO_FLOW
    second = refresh(idp, app, first)["RefreshToken"]
    idp.revoke_token(ClientId=app["client"], Token=first)
    with pytest.raises(idp.exceptions.NotAuthorizedException) as e:
        refresh(idp, app, second)
    assert error_of(e)[1] == "Refresh Token has been revoked"


def test_rotation_never_extends_the_sign_in(idp, apps, clock):
    app = apps(0, validity_days=1)
    token = sign_in(idp, app, "alice")["AuthenticationResult"]["RefreshToken"]
    clock(12 * 3600 * 1000)
    token = refresh(idp, app, token)["RefreshToken"]
    clock(12 * 3600 * 1000)
    with pytest.raises(idp.exceptions.NotAuthorizedException) as e:
        refresh(idp, app, token)
    assert error_of(e)[1] == "Refresh Token has expired"


def test_totp_code_answers_once(idp, apps):
    app = apps(0)
    idp.set_user_pool_mfa_config(
        UserPoolId=app["pool"], MfaConfiguration="OPTIONAL", SoftwareTokenMfaConfiguration={"Enabled": True}
    )
    access = sign_in(idp, app, "alice")["AuthenticationResult"]["AccessToken"]
    secret = idp.associate_software_token(AccessToken=access)["SecretCode"]
    code = totp_now(secret)
    assert idp.verify_software_token(AccessToken=access, UserCode=code)["Status"] == "SUCCESS"
    idp.set_user_mfa_preference(AccessToken=access, SoftwareTokenMfaSettings={"Enabled": True, "PreferredMfa": True})
    first = sign_in(idp, app, "alice")
    assert first["ChallengeName"] == "SOFTWARE_TOKEN_MFA"
    with pytest.raises(idp.exceptions.ExpiredCodeException) as e:
        idp.respond_to_auth_challenge(
            ClientId=app["client"],
            ChallengeName="SOFTWARE_TOKEN_MFA",
            Session=first["Session"],
            ChallengeResponses={"USERNAME": "alice", "SOFTWARE_TOKEN_MFA_CODE": code},
        )
    assert error_of(e) == ("ExpiredCodeException", USED)
