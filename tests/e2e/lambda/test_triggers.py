"""End-to-end suite: user pool Lambda triggers through boto3, with real Node handlers
(handler.js) run by serverless-offline, as real Amazon Cognito behaves
(the trigger facts in shared/lambda-triggers.md; section numbers below refer to it).

It assumes a running cognito-emu started with --lambda-endpoint pointing at start.sh's runner
(tests/e2e/run.sh does both). Each test makes its own pool, whose LambdaConfig names the
functions by ARN; the emulator calls them by the bare name after ":function:".

Environment:
  COG_EMU_ENDPOINT  the emulator (e.g. http://127.0.0.1:9229); without it every test is skipped.
                    Its control API is at the same origin (/_emu/messages, /_emu/triggers).
  TRIGGER_OUT       the file postConfirmation appends to (default as in handler.js)
  CHALLENGE_OUT     the file createAuthChallenge writes the one-time code to (same)
  AWS_DATA_PATH     tests/e2e/run.sh points it at the repository's cognito-idp model; without it this
                    module lays one out itself, so that Debian's boto3 1.26 knows
                    PreTokenGenerationConfig.

Assumptions about the emulator's control API that are not AWS's and may still change are marked
"ASSUMED SHAPE" where they are asserted:
  GET /_emu/triggers?pool=<id>&source=<triggerSource>
      -> {"invocations": [{id, time, poolId, triggerSource, function, event, response?, error?,
                           durationMs}, ...newest first], "lastId": n}
      function: the LambdaConfig ARN (or the bare name; both are accepted here);
      response: what the function answered, when it answered (also with an error);
      error: {type, message} when the call failed, type the exception the caller got
  GET /_emu/messages?pool=&username=&wait=  (entries as today, plus)
      message: the delivered text with the code filled in; subject: the email subject
"""

import atexit
import base64
import json
import os
import shutil
import tempfile
import urllib.parse
import urllib.request
import uuid

import pytest

ENDPOINT = os.environ.get("COG_EMU_ENDPOINT", "").rstrip("/")
TRIGGER_OUT = os.environ.get("TRIGGER_OUT", "/tmp/cogemu-postconfirmation.jsonl")
CHALLENGE_OUT = os.environ.get("CHALLENGE_OUT", "/tmp/cogemu-challenge.txt")
HERE = os.path.dirname(os.path.abspath(__file__))
MODEL = os.path.join(HERE, "..", "..", "..", "server", "aws", "model", "cognito-idp.json")
MODEL_SUBPATH = os.path.join("cognito-idp", "2016-04-18", "service-2.json")

pytestmark = pytest.mark.skipif(not ENDPOINT, reason="COG_EMU_ENDPOINT is not set")

PASSWORD = "Passw0rd!e2e"
FLOWS = ["ALLOW_USER_PASSWORD_AUTH", "ALLOW_CUSTOM_AUTH", "ALLOW_REFRESH_TOKEN_AUTH", "ALLOW_USER_SRP_AUTH"]
ADMIN_SCOPE = "aws.cognito.signin.user.admin"
LEGACY_USER, LEGACY_PASSWORD = "legacy@example.com", "Legacy-Pass-1"  # handler.js's legacy store


def arn(function):
    """The LambdaConfig ARN of one of serverless.yml's functions."""
    return f"arn:aws:lambda:us-east-1:123456789012:function:{function}"


def _use_repo_model():
    """Make botocore load the repository's model (it must happen before a client is made)."""
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
        # A trigger may take up to Cognito's 5 s; one attempt, so that a failure shows at once.
        config=Config(connect_timeout=5, read_timeout=30, retries={"total_max_attempts": 1}),
    )


class App:
    """A pool with its own LambdaConfig and one public app client."""

    def __init__(self, idp, pool_id, client_id):
        self.idp, self.pool_id, self.client_id = idp, pool_id, client_id

    def sign_up(self, username, **attrs):
        ua = [{"Name": k, "Value": v} for k, v in attrs.items()]
        return self.idp.sign_up(ClientId=self.client_id, Username=username, Password=PASSWORD, UserAttributes=ua)

    def password_auth(self, username, password=PASSWORD):
        return self.idp.initiate_auth(
            ClientId=self.client_id,
            AuthFlow="USER_PASSWORD_AUTH",
            AuthParameters={"USERNAME": username, "PASSWORD": password},
        )

    def user(self, username):
        u = self.idp.admin_get_user(UserPoolId=self.pool_id, Username=username)
        return u["UserStatus"], {a["Name"]: a["Value"] for a in u["UserAttributes"]}


@pytest.fixture
def make_app(idp):
    """make_app(LambdaConfig, **CreateUserPool extras) -> App; every pool is deleted afterwards."""
    made = []

    def make(lambda_config, **pool_kwargs):
        pool = idp.create_user_pool(PoolName=unique("e2e-lambda"), LambdaConfig=lambda_config, **pool_kwargs)
        pool_id = pool["UserPool"]["Id"]
        made.append(pool_id)
        client = idp.create_user_pool_client(UserPoolId=pool_id, ClientName="app", ExplicitAuthFlows=FLOWS)
        return App(idp, pool_id, client["UserPoolClient"]["ClientId"])

    yield make
    for pool_id in made:
        try:
            idp.delete_user_pool(UserPoolId=pool_id)
        except Exception:  # noqa: BLE001 - best-effort cleanup
            pass


def error_of(fn, **kwargs):
    """The (code, message) of the ClientError fn(**kwargs) must raise."""
    from botocore.exceptions import ClientError

    with pytest.raises(ClientError) as info:
        fn(**kwargs)
    return info.value.response["Error"]["Code"], info.value.response["Error"]["Message"]


def control(path):
    """GET a control API path: its JSON document."""
    with urllib.request.urlopen(f"{ENDPOINT}{path}", timeout=40) as resp:
        assert resp.status == 200, path
        return json.load(resp)


def invocations(pool_id, source):
    """The emulator's record of the trigger calls of one pool and triggerSource, newest first."""
    q = urllib.parse.urlencode({"pool": pool_id, "source": source})
    doc = control(f"/_emu/triggers?{q}")
    # ASSUMED SHAPE: {"invocations": [...], "lastId": n}, each entry with these members.
    assert isinstance(doc.get("invocations"), list) and "lastId" in doc, doc
    for inv in doc["invocations"]:
        assert inv["poolId"] == pool_id and inv["triggerSource"] == source, inv
        assert {"id", "time", "function", "event", "durationMs"} <= inv.keys(), inv
        assert "response" in inv or "error" in inv, inv
    return doc["invocations"]


def called(inv, function):
    """Whether a log entry is a call of serverless.yml's function (ASSUMED SHAPE: "function" is
    the ARN from LambdaConfig, or the name the emulator derived from it)."""
    return inv["function"] in (function, arn(function))


def inbox(pool_id, username):
    """The newest message the emulator "sent" to username in pool_id, waiting up to 10 s."""
    q = urllib.parse.urlencode({"pool": pool_id, "username": username, "wait": 10})
    msgs = control(f"/_emu/messages?{q}")["messages"]
    assert msgs, f"no message for {username} in pool {pool_id}"
    return msgs[0]


def post_confirmations(username):
    """The lines postConfirmation wrote for username. Cognito runs the trigger before the
    confirming call returns, so they are there already: no waiting."""
    try:
        with open(TRIGGER_OUT, encoding="utf-8") as f:
            lines = [json.loads(line) for line in f if line.strip()]
    except FileNotFoundError:
        return []
    return [x for x in lines if x["userName"] == username]


def challenge_code():
    """The code createAuthChallenge made last (it runs before InitiateAuth/RespondToAuthChallenge
    returns; the suites of this folder run one at a time, so it is this test's code)."""
    with open(CHALLENGE_OUT, encoding="utf-8") as f:
        return f.read().strip()


def claims(jwt):
    payload = jwt.split(".")[1]
    return json.loads(base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4)))


# ---------------------------------------------------------------------------- PreSignUp (5.1)


def test_pre_sign_up_auto_confirms_and_verifies(make_app):
    # The pool verifies email by code; an auto-confirmed, auto-verified user is sent none.
    app = make_app({"PreSignUp": arn("preSignUp")}, AutoVerifiedAttributes=["email"])
    username = unique("auto")
    resp = app.sign_up(username, email=f"{username}@auto.test")
    assert resp["UserConfirmed"] is True
    assert "CodeDeliveryDetails" not in resp
    status, attrs = app.user(username)
    assert status == "CONFIRMED"
    assert attrs["email_verified"] == "true"


def test_pre_sign_up_refusal_creates_no_user(make_app, idp):
    app = make_app({"PreSignUp": arn("preSignUp")})
    username = unique("blocked")
    code, message = error_of(
        idp.sign_up,
        ClientId=app.client_id,
        Username=username,
        Password=PASSWORD,
        UserAttributes=[{"Name": "email", "Value": f"{username}@blocked.test"}],
    )
    # Trigger name from LambdaConfig, the function's errorMessage, and a final period (section 6).
    assert (code, message) == ("UserLambdaValidationException", "PreSignUp failed with error domain not allowed.")
    assert error_of(idp.admin_get_user, UserPoolId=app.pool_id, Username=username)[0] == "UserNotFoundException"
    # ASSUMED SHAPE: the failed call is in the log with the caller's exception as "error".
    [inv] = invocations(app.pool_id, "PreSignUp_SignUp")
    assert called(inv, "preSignUp")
    assert inv["error"] == {"type": code, "message": message}


# ---------------------------------------------------------------------------- PostConfirmation (5.2)


@pytest.mark.parametrize("how", ["ConfirmSignUp", "AdminConfirmSignUp"])
def test_post_confirmation_after_confirming(make_app, idp, how):
    app = make_app({"PostConfirmation": arn("postConfirmation")}, AutoVerifiedAttributes=["email"])
    username = unique("confirm")
    sub = app.sign_up(username, email=f"{username}@example.com")["UserSub"]
    assert post_confirmations(username) == []  # not confirmed yet
    if how == "ConfirmSignUp":
        code = inbox(app.pool_id, username)["code"]
        idp.confirm_sign_up(ClientId=app.client_id, Username=username, ConfirmationCode=code)
    else:
        idp.admin_confirm_sign_up(UserPoolId=app.pool_id, Username=username)
    [line] = post_confirmations(username)
    assert line["triggerSource"] == "PostConfirmation_ConfirmSignUp"
    assert line["userAttributes"]["cognito:user_status"] == "CONFIRMED"
    assert line["userAttributes"]["sub"] == sub
    assert line["userAttributes"]["email"] == f"{username}@example.com"


def test_post_confirmation_after_auto_confirmed_sign_up(make_app):
    # An auto-confirmed user reaches PostConfirmation within SignUp itself (section 3).
    app = make_app({"PreSignUp": arn("preSignUp"), "PostConfirmation": arn("postConfirmation")})
    username = unique("auto")
    sub = app.sign_up(username, email=f"{username}@auto.test")["UserSub"]
    [line] = post_confirmations(username)
    assert line["triggerSource"] == "PostConfirmation_ConfirmSignUp"
    assert line["userAttributes"]["sub"] == sub
    assert line["userAttributes"]["cognito:user_status"] == "CONFIRMED"


# ---------------------------------------------------------------------------- PreTokenGeneration V2 (5.6)


def test_pre_token_generation_v2_claims_and_scopes(make_app, idp):
    app = make_app({"PreTokenGenerationConfig": {"LambdaVersion": "V2_0", "LambdaArn": arn("preTokenGenerationV2")}})
    username = unique("tokens")
    app.sign_up(username, email=f"{username}@example.com", family_name="Doe")
    idp.admin_confirm_sign_up(UserPoolId=app.pool_id, Username=username)
    result = app.password_auth(username)["AuthenticationResult"]

    id_claims = claims(result["IdToken"])
    assert id_claims["tenant"] == "acme"
    assert "family_name" not in id_claims  # suppressed
    assert id_claims["email"] == f"{username}@example.com"  # the rest stays

    access = claims(result["AccessToken"])
    assert access["plan"] == "pro"
    assert "tenant" not in access  # ID-token overrides stay in the ID token
    scopes = access["scope"].split(" ")
    assert "orders/read" in scopes and ADMIN_SCOPE in scopes

    # ASSUMED SHAPE (log): the V2 event the function received.
    [inv] = invocations(app.pool_id, "TokenGeneration_Authentication")
    assert called(inv, "preTokenGenerationV2")
    assert inv["event"]["version"] == "2"
    assert ADMIN_SCOPE in inv["event"]["request"]["scopes"]


# ---------------------------------------------------------------------------- CustomMessage (5.8)


def test_custom_message_sign_up(make_app, idp):
    # emailMessage/emailSubject are honoured only when the pool sends through its own SES
    # identity (EmailSendingAccount DEVELOPER), section 5.8.
    app = make_app(
        {"CustomMessage": arn("customMessage")},
        AutoVerifiedAttributes=["email"],
        EmailConfiguration={
            "EmailSendingAccount": "DEVELOPER",
            "SourceArn": "arn:aws:ses:us-east-1:123456789012:identity/no-reply@example.com",
        },
    )
    username = unique("msg")
    app.sign_up(username, email=f"{username}@example.com")
    m = inbox(app.pool_id, username)
    # ASSUMED SHAPE: the inbox entry carries the delivered text as "message" and the email
    # subject as "subject"; the handler's "{####}" placeholder is replaced by the code.
    assert m["message"] == f"Your code is {m['code']}"
    assert m["subject"] == "Welcome"
    # The code in the custom text is the one that confirms.
    idp.confirm_sign_up(ClientId=app.client_id, Username=username, ConfirmationCode=m["code"])
    assert app.user(username)[0] == "CONFIRMED"
    # The function got Cognito's placeholder, never the code (section 5.8).
    [inv] = invocations(app.pool_id, "CustomMessage_SignUp")
    assert inv["event"]["request"]["codeParameter"] == "{####}"


# ---------------------------------------------------------------------------- UserMigration (5.7)


def test_user_migration_on_sign_in(make_app):
    app = make_app({"UserMigration": arn("userMigration")})
    first = app.password_auth(LEGACY_USER, LEGACY_PASSWORD)
    assert "AccessToken" in first["AuthenticationResult"]
    status, attrs = app.user(LEGACY_USER)
    assert status == "CONFIRMED"
    assert attrs["email"] == LEGACY_USER and attrs["email_verified"] == "true"

    # The user now exists: a second sign-in checks the stored password, without the trigger.
    second = app.password_auth(LEGACY_USER, LEGACY_PASSWORD)
    assert "AccessToken" in second["AuthenticationResult"]
    # ASSUMED SHAPE (log): one call, the first sign-in's.
    assert len(invocations(app.pool_id, "UserMigration_Authentication")) == 1


def test_user_migration_refused_creates_no_user(make_app, idp):
    app = make_app({"UserMigration": arn("userMigration")})
    # The function throws "Bad password". Which exception the client then sees is not pinned
    # down in the facts file (section 6 gives UserLambdaValidationException; users report
    # Cognito masking migration failures), so only the outcome is checked.
    code, _ = error_of(app.password_auth, username=LEGACY_USER, password="Wrong-Pass-1")
    assert code in {"UserLambdaValidationException", "UserNotFoundException", "NotAuthorizedException"}
    assert error_of(idp.admin_get_user, UserPoolId=app.pool_id, Username=LEGACY_USER)[0] == "UserNotFoundException"
    # The refusal came from the function (not from an emulator that never asked it).
    # ASSUMED SHAPE (log): one call, failed.
    [inv] = invocations(app.pool_id, "UserMigration_Authentication")
    assert called(inv, "userMigration") and "error" in inv
    assert inv["event"]["request"]["password"] == "Wrong-Pass-1"


def test_user_migration_on_forgot_password(make_app, idp):
    app = make_app({"UserMigration": arn("userMigration")})
    resp = idp.forgot_password(ClientId=app.client_id, Username=LEGACY_USER)
    assert resp["CodeDeliveryDetails"]["DeliveryMedium"] == "EMAIL"
    code = inbox(app.pool_id, LEGACY_USER)["code"]
    idp.confirm_forgot_password(
        ClientId=app.client_id, Username=LEGACY_USER, ConfirmationCode=code, Password=PASSWORD
    )
    assert "AccessToken" in app.password_auth(LEGACY_USER, PASSWORD)["AuthenticationResult"]


# ---------------------------------------------------------------------------- custom auth (5.5)


CUSTOM_AUTH = {
    "DefineAuthChallenge": arn("defineAuthChallenge"),
    "CreateAuthChallenge": arn("createAuthChallenge"),
    "VerifyAuthChallengeResponse": arn("verifyAuthChallengeResponse"),
}


def custom_auth_user(app, idp):
    username = unique("otp")
    app.sign_up(username, email=f"{username}@example.com")
    idp.admin_confirm_sign_up(UserPoolId=app.pool_id, Username=username)
    return username


def answer(idp, app, username, session, text):
    return idp.respond_to_auth_challenge(
        ClientId=app.client_id,
        ChallengeName="CUSTOM_CHALLENGE",
        Session=session,
        ChallengeResponses={"USERNAME": username, "ANSWER": text},
    )


def test_custom_auth_one_time_code(make_app, idp):
    app = make_app(CUSTOM_AUTH)
    username = custom_auth_user(app, idp)

    start = idp.initiate_auth(ClientId=app.client_id, AuthFlow="CUSTOM_AUTH", AuthParameters={"USERNAME": username})
    assert start["ChallengeName"] == "CUSTOM_CHALLENGE"
    assert start["ChallengeParameters"]["hint"] == "check the file"  # publicChallengeParameters
    assert "answer" not in start["ChallengeParameters"]  # the private ones stay on the server

    # A wrong answer does not end the flow: Define asks again, Create makes a new code.
    again = answer(idp, app, username, start["Session"], "not-the-code")
    assert again["ChallengeName"] == "CUSTOM_CHALLENGE"
    assert "AuthenticationResult" not in again

    done = answer(idp, app, username, again["Session"], challenge_code())
    tokens = done["AuthenticationResult"]
    assert claims(tokens["IdToken"])["cognito:username"] == username
    assert claims(tokens["AccessToken"])["token_use"] == "access"
    assert "RefreshToken" in tokens

    # ASSUMED SHAPE (log): the last Define call saw both answers, oldest first, with Create's
    # challengeMetadata (section 5.5).
    define = invocations(app.pool_id, "DefineAuthChallenge_Authentication")
    assert len(define) == 3
    assert define[0]["event"]["request"]["session"] == [
        {"challengeName": "CUSTOM_CHALLENGE", "challengeResult": False, "challengeMetadata": "CODE-1"},
        {"challengeName": "CUSTOM_CHALLENGE", "challengeResult": True, "challengeMetadata": "CODE-1"},
    ]
    assert define[-1]["event"]["request"]["session"] == []


def test_custom_auth_fails_after_three_wrong_answers(make_app, idp):
    app = make_app(CUSTOM_AUTH)
    username = custom_auth_user(app, idp)
    resp = idp.initiate_auth(ClientId=app.client_id, AuthFlow="CUSTOM_AUTH", AuthParameters={"USERNAME": username})
    for _ in range(2):
        resp = answer(idp, app, username, resp["Session"], "not-the-code")
        assert resp["ChallengeName"] == "CUSTOM_CHALLENGE"
    # The third failure makes Define answer failAuthentication (section 5.5, step 2).
    code, _ = error_of(answer, idp=idp, app=app, username=username, session=resp["Session"], text="not-the-code")
    assert code == "NotAuthorizedException"

