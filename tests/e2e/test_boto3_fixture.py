"""End-to-end suite for the test fixture features (issue 7), CI-style: boto3 against a server
started WITH the example fixtures (fixtures/example.json), plus the control API under /_emu.

This module starts its own server (the shared one of run.sh has no fixtures):
    $COG_EMU_BIN --port 0 --db :memory: --fixtures fixtures/example.json --threads 4
COG_EMU_BIN defaults to build/cognito-emu; without a binary every test is skipped.

The flow the issue asks for: sign in as a seeded user; sign up a new user, read its code from
the inbox (with a wait), confirm; move the clock past the access token's expiry and see
GetUser refuse it with "Access Token has expired"; refresh; reset and see the fixture state
again, and the new user gone. Run with: python3 -m pytest -q tests/e2e/test_boto3_fixture.py
"""

import atexit
import base64
import concurrent.futures
import hashlib
import hmac
import json
import os
import re
import shutil
import subprocess
import tempfile
import threading
import time
import urllib.error
import urllib.request
import uuid

import pytest

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.abspath(os.path.join(HERE, "..", ".."))
BIN = os.environ.get("COG_EMU_BIN") or os.path.join(ROOT, "build", "cognito-emu")
EXAMPLE = os.path.join(ROOT, "fixtures", "example.json")
MODEL = os.path.join(ROOT, "server", "aws", "model", "cognito-idp.json")
MODEL_SUBPATH = os.path.join("cognito-idp", "2016-04-18", "service-2.json")

POOL = "us-east-1_Example01"
PUBLIC_CLIENT = "examplepublicclient0000001"
SECRET_CLIENT = "examplesecretclient0000001"
SECRET = "th5why1uivjsfpzt0fxidik2y58lxlfzkmjp3g4bm3l11ape0au"
ALICE_SUB = "0c6b2a3e-5d4f-4e1a-9b8c-7d6e5f4a3b21"
ALICE_PASSWORD = "Passw0rd!alice"
DOMAIN = "example"
API = "https://api.example.com"

pytestmark = pytest.mark.skipif(not os.access(BIN, os.X_OK), reason=f"no server binary at {BIN}")


def _use_repo_model():
    """Make botocore load the repository's cognito-idp model (GetTokensFromRefreshToken etc.)."""
    for d in filter(None, os.environ.get("AWS_DATA_PATH", "").split(os.pathsep)):
        if os.path.isfile(os.path.join(os.path.expanduser(d), MODEL_SUBPATH)):
            return
    if not os.path.isfile(MODEL):
        return
    d = tempfile.mkdtemp(prefix="cognito-emu-model-")
    atexit.register(shutil.rmtree, d, True)
    os.makedirs(os.path.dirname(os.path.join(d, MODEL_SUBPATH)))
    os.symlink(MODEL, os.path.join(d, MODEL_SUBPATH))
    old = os.environ.get("AWS_DATA_PATH")
    os.environ["AWS_DATA_PATH"] = d + (os.pathsep + old if old else "")


_use_repo_model()


# ---------------------------------------------------------------------------- the server


class Server:
    """The emulator started with the example fixtures, on a free port."""

    def __init__(self):
        self.log = tempfile.NamedTemporaryFile(prefix="cognito-emu-fixture-", suffix=".log", delete=False)
        self.proc = subprocess.Popen(
            [BIN, "--port", "0", "--db", ":memory:", "--fixtures", EXAMPLE, "--threads", "4",
             "--log-level", "info"],
            stdout=subprocess.PIPE, stderr=self.log, text=True)
        line = [None]
        reader = threading.Thread(target=lambda: line.__setitem__(0, self.proc.stdout.readline()), daemon=True)
        reader.start()
        reader.join(15)
        m = re.match(r"^cognito-emu \S+ listening on (http://\S+)$", (line[0] or "").strip())
        if not m:
            self.stop()
            with open(self.log.name) as f:
                raise RuntimeError(f"the server did not start; its log:\n{f.read()}")
        self.endpoint = m.group(1)

    def stop(self):
        if self.proc.poll() is None:
            self.proc.terminate()
            try:
                return self.proc.wait(10)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
                return None
        return self.proc.returncode


@pytest.fixture(scope="module")
def server():
    srv = Server()
    yield srv
    code = srv.stop()
    os.unlink(srv.log.name)
    assert code == 0, f"the server exited {code} on SIGTERM"


def make_client(endpoint, service="cognito-idp"):
    import boto3
    from botocore.config import Config

    return boto3.client(
        service,
        endpoint_url=endpoint,
        region_name="us-east-1",
        aws_access_key_id="test",
        aws_secret_access_key="test",
        config=Config(connect_timeout=5, read_timeout=40, retries={"total_max_attempts": 1}),
    )


@pytest.fixture(scope="module")
def idp(server):
    return make_client(server.endpoint)


def control(server, method, path, body=None):
    """A control API call: (status, parsed JSON answer)."""
    data = None if body is None else json.dumps(body).encode()
    req = urllib.request.Request(server.endpoint + path, data=data, method=method,
                                 headers={"Content-Type": "application/json"})
    try:
        with urllib.request.urlopen(req, timeout=40) as r:
            return r.status, json.loads(r.read())
    except urllib.error.HTTPError as e:
        return e.code, json.loads(e.read())


def unique(prefix):
    return f"{prefix}-{uuid.uuid4().hex[:10]}"


def secret_hash(username):
    mac = hmac.new(SECRET.encode(), (username + SECRET_CLIENT).encode(), hashlib.sha256)
    return base64.b64encode(mac.digest()).decode()


def jwt_payload(token):
    part = token.split(".")[1]
    return json.loads(base64.urlsafe_b64decode(part + "=" * (-len(part) % 4)))


def error_of(fn, **kwargs):
    from botocore.exceptions import ClientError

    with pytest.raises(ClientError) as e:
        fn(**kwargs)
    return e.value.response["Error"]["Code"], e.value.response["Error"]["Message"]


def sign_in(idp, username="alice", password=ALICE_PASSWORD):
    r = idp.initiate_auth(ClientId=PUBLIC_CLIENT, AuthFlow="USER_PASSWORD_AUTH",
                          AuthParameters={"USERNAME": username, "PASSWORD": password})
    return r["AuthenticationResult"]


def sign_up(idp, username):
    return idp.sign_up(ClientId=PUBLIC_CLIENT, Username=username, Password="Passw0rd!new",
                       UserAttributes=[{"Name": "email", "Value": f"{username}@example.com"}])


def last_message_id(server):
    status, body = control(server, "GET", "/_emu/messages?limit=1")
    assert status == 200, body
    return body["lastId"]


# ---------------------------------------------------------------------------- the tests


def test_seeded_user_signs_in_with_fixed_ids(idp):
    tokens = sign_in(idp)
    claims = jwt_payload(tokens["IdToken"])
    assert claims["sub"] == ALICE_SUB
    assert claims["aud"] == PUBLIC_CLIENT
    assert claims["iss"].endswith("/" + POOL)
    assert idp.get_user(AccessToken=tokens["AccessToken"])["Username"] == "alice"

    # The confidential client, with its fixed secret.
    r = idp.admin_initiate_auth(UserPoolId=POOL, ClientId=SECRET_CLIENT, AuthFlow="ADMIN_USER_PASSWORD_AUTH",
                                AuthParameters={"USERNAME": "alice", "PASSWORD": ALICE_PASSWORD,
                                                "SECRET_HASH": secret_hash("alice")})
    assert jwt_payload(r["AuthenticationResult"]["AccessToken"])["client_id"] == SECRET_CLIENT

    groups = idp.admin_list_groups_for_user(UserPoolId=POOL, Username="alice")["Groups"]
    assert sorted(g["GroupName"] for g in groups) == ["admins", "readers"]


def test_seeded_domain_resource_server_and_oauth_client(idp):
    """The hosted pages' setup comes from the fixture alone: no API call made it."""
    assert idp.describe_user_pool(UserPoolId=POOL)["UserPool"]["Domain"] == DOMAIN
    desc = idp.describe_user_pool_domain(Domain=DOMAIN)["DomainDescription"]
    assert desc["UserPoolId"] == POOL and desc["Status"] == "ACTIVE"

    server = idp.describe_resource_server(UserPoolId=POOL, Identifier=API)["ResourceServer"]
    assert server["Name"] == "example api"
    assert sorted(s["ScopeName"] for s in server["Scopes"]) == ["read", "write"]

    client = idp.describe_user_pool_client(UserPoolId=POOL, ClientId=PUBLIC_CLIENT)["UserPoolClient"]
    assert client["AllowedOAuthFlowsUserPoolClient"] is True
    assert client["AllowedOAuthFlows"] == ["code"]
    assert client["AllowedOAuthScopes"] == ["openid", "email", "profile", API + "/read"]
    assert client["CallbackURLs"] == ["http://localhost:3000/callback"]
    assert client["SupportedIdentityProviders"] == ["COGNITO"]
    assert "ClientSecret" not in client

    ui = idp.get_ui_customization(UserPoolId=POOL)["UICustomization"]
    assert "banner-customizable" in ui["CSS"]


def test_seeded_force_change_password_user_is_challenged(idp):
    r = idp.initiate_auth(ClientId=PUBLIC_CLIENT, AuthFlow="USER_PASSWORD_AUTH",
                          AuthParameters={"USERNAME": "bob", "PASSWORD": "TempPassw0rd!bob"})
    assert r["ChallengeName"] == "NEW_PASSWORD_REQUIRED"


def test_sign_up_code_comes_from_the_inbox(server, idp):
    username = unique("dave")
    mark = last_message_id(server)
    sign_up(idp, username)
    status, body = control(server, "GET", f"/_emu/messages?username={username}&after={mark}&wait=10")
    assert status == 200, body
    [message] = body["messages"]
    assert message["kind"] == "sign-up"
    assert message["poolId"] == POOL
    assert message["medium"] == "EMAIL"
    assert message["destination"] == f"{username}@example.com"
    assert re.fullmatch(r"[0-9]{6}", message["code"])
    idp.confirm_sign_up(ClientId=PUBLIC_CLIENT, Username=username, ConfirmationCode=message["code"])
    assert idp.admin_get_user(UserPoolId=POOL, Username=username)["UserStatus"] == "CONFIRMED"
    assert sign_in(idp, username, "Passw0rd!new")["AccessToken"]


def test_wait_answers_with_the_next_code_as_it_arrives(server, idp):
    username = unique("erin")
    mark = last_message_id(server)
    with concurrent.futures.ThreadPoolExecutor(1) as pool:
        t0 = time.monotonic()
        waiting = pool.submit(control, server, "GET",
                              f"/_emu/messages?username={username}&after={mark}&wait=20")
        time.sleep(0.3)
        assert not waiting.done()
        # A fresh client (a new connection): a waiting request occupies its worker thread, and a
        # keep-alive connection that thread serves would wait with it (README, control API).
        sign_up(make_client(server.endpoint), username)
        status, body = waiting.result(timeout=25)
    assert status == 200, body
    assert time.monotonic() - t0 < 15
    assert [m["username"] for m in body["messages"]] == [username]

    # Nothing arrives: an empty list when the wait is over.
    status, body = control(server, "GET", "/_emu/messages?username=nobody&wait=0.2")
    assert (status, body["messages"]) == (200, [])


def test_moved_clock_expires_the_access_token_and_refresh_works(server, idp):
    tokens = sign_in(idp)
    exp = jwt_payload(tokens["AccessToken"])["exp"]
    status, clock = control(server, "POST", "/_emu/clock", {"advanceMs": 3601 * 1000})
    assert status == 200 and clock["offsetMs"] == 3601 * 1000
    try:
        assert clock["now"] / 1000 > exp
        assert error_of(idp.get_user, AccessToken=tokens["AccessToken"]) == (
            "NotAuthorizedException", "Access Token has expired")
        refreshed = idp.initiate_auth(ClientId=PUBLIC_CLIENT, AuthFlow="REFRESH_TOKEN_AUTH",
                                      AuthParameters={"REFRESH_TOKEN": tokens["RefreshToken"]})
        access = refreshed["AuthenticationResult"]["AccessToken"]
        # Minted under the moved clock: it carries the clock's times.
        assert abs(jwt_payload(access)["iat"] - clock["now"] / 1000) < 60
        assert idp.get_user(AccessToken=access)["Username"] == "alice"
    finally:
        status, clock = control(server, "POST", "/_emu/clock", {"offsetMs": 0})
    assert clock["offsetMs"] == 0


def test_export_is_a_fixture_document(server):
    status, doc = control(server, "GET", "/_emu/export")
    assert status == 200
    assert doc["version"] == 1
    [pool] = [p for p in doc["userPools"] if p["id"] == POOL]
    assert {c["id"] for c in pool["clients"]} == {PUBLIC_CLIENT, SECRET_CLIENT}
    [alice] = [u for u in pool["users"] if u["username"] == "alice"]
    assert alice["sub"] == ALICE_SUB
    assert "password" not in alice and set(alice["passwordVerifier"]) == {"salt", "verifier"}
    assert sorted(alice["groups"]) == ["admins", "readers"]
    assert pool["domain"] == DOMAIN
    assert [s["identifier"] for s in pool["resourceServers"]] == [API]
    [web] = [c for c in pool["clients"] if c["id"] == PUBLIC_CLIENT]
    assert web["settings"]["CallbackURLs"] == ["http://localhost:3000/callback"]


def test_reset_brings_back_the_fixture_state(server, idp):
    username = unique("frank")
    sign_up(idp, username)
    extra = idp.create_user_pool(PoolName=unique("extra"))["UserPool"]["Id"]
    idp.admin_disable_user(UserPoolId=POOL, Username="alice")
    # A pool with a domain, which DeleteUserPool would refuse: a reset drops it all the same.
    idp.create_user_pool_domain(UserPoolId=extra, Domain=unique("extra"))
    idp.delete_user_pool_domain(UserPoolId=POOL, Domain=DOMAIN)
    control(server, "POST", "/_emu/clock", {"advanceMs": 60000})

    status, body = control(server, "POST", "/_emu/reset")
    assert status == 200, body
    assert body["fixtures"] == [EXAMPLE]
    assert body["created"] == {"userPools": 1, "clients": 2, "groups": 2, "users": 3, "identityPools": 1,
                               "domains": 1, "resourceServers": 1, "identityProviders": 0,
                               "uiCustomizations": 1}

    assert error_of(idp.admin_get_user, UserPoolId=POOL, Username=username)[0] == "UserNotFoundException"
    assert [p["Id"] for p in idp.list_user_pools(MaxResults=60)["UserPools"]] == [POOL]
    assert extra != POOL
    assert idp.admin_get_user(UserPoolId=POOL, Username="alice")["Enabled"] is True
    assert idp.describe_user_pool_domain(Domain=DOMAIN)["DomainDescription"]["UserPoolId"] == POOL
    assert sign_in(idp)["AccessToken"]
    assert control(server, "GET", "/_emu/clock")[1]["offsetMs"] == 0
    assert control(server, "GET", "/_emu/messages")[1]["messages"] == []
