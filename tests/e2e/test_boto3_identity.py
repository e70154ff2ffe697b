"""End-to-end suite: identity pools through boto3 (cognito-identity), against a running
cognito-emu, as real Amazon Cognito behaves: GetId and GetCredentialsForIdentity validate the
user pool's IdToken and refuse in Cognito's words, identity ids are stable per user and distinct
between users, roles follow the pool's roles and role mappings (by group), and the control API's
mapping (/_emu/identities, /_emu/user-pools/.../identities, /_emu/credentials) names the user
behind an identity or an access key.

The endpoint comes from COG_EMU_ENDPOINT (e.g. http://127.0.0.1:9229); without it every test is
skipped. The expired-token test moves the emulator's clock with POST /_emu/clock and puts it
back; it skips when the server has no clock endpoint. Run with:
    python3 -m pytest -q tests/e2e/test_boto3_identity.py
"""

import base64
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
REGION = "us-east-1"
PASSWORD = "Passw0rd!e2e"
AUTH_ROLE = "arn:aws:iam::123456789012:role/e2e-authenticated"
GUEST_ROLE = "arn:aws:iam::123456789012:role/e2e-unauthenticated"
ADMIN_ROLE = "arn:aws:iam::123456789012:role/e2e-admins"
READER_ROLE = "arn:aws:iam::123456789012:role/e2e-readers"
IDENTITY_RE = re.compile(r"^us-east-1:[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$")

NOT_SUPPORTED = "Token is not from a supported provider of this identity pool."
LOGINS_DONT_MATCH = "Logins don't match. Please include at least one valid login for this identity or identity pool."
UNAUTH_REFUSED = "Unauthenticated access is not supported for this identity pool."
BAD_CONFIG = "Invalid identity pool configuration. Check assigned IAM roles for this pool."
DENIED = "The ambiguous role mapping rules denied this request."

pytestmark = pytest.mark.skipif(not ENDPOINT, reason="COG_EMU_ENDPOINT is not set")


def unique(prefix):
    return f"{prefix}-{uuid.uuid4().hex[:10]}"


def make_client(service):
    import boto3
    from botocore.config import Config

    return boto3.client(
        service,
        endpoint_url=ENDPOINT,
        region_name=REGION,
        aws_access_key_id="test",
        aws_secret_access_key="test",
        config=Config(connect_timeout=5, read_timeout=20, retries={"total_max_attempts": 1}),
    )


@pytest.fixture(scope="module")
def idp():
    return make_client("cognito-idp")


@pytest.fixture(scope="module")
def ci():
    return make_client("cognito-identity")


def strip_meta(resp):
    return {k: v for k, v in resp.items() if k != "ResponseMetadata"}


def expect_error(code, message, fn, **kwargs):
    """Call fn(**kwargs); it must fail with code (HTTP 400) and, unless None, message (a str, or
    a compiled regex the whole message must match)."""
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


def http_json(method, path, body=None):
    """One request to the endpoint: (status, parsed JSON or None)."""
    u = urllib.parse.urlsplit(ENDPOINT)
    conn = http.client.HTTPConnection(u.hostname, u.port or 80, timeout=10)
    try:
        data = json.dumps(body).encode() if body is not None else None
        headers = {"Content-Type": "application/json"} if data is not None else {}
        conn.request(method, path, body=data, headers=headers)
        r = conn.getresponse()
        raw = r.read()
        try:
            return r.status, json.loads(raw)
        except ValueError:
            return r.status, None
    finally:
        conn.close()


def jwt_payload(token):
    p = token.split(".")[1]
    return json.loads(base64.urlsafe_b64decode(p + "=" * (-len(p) % 4)))


def forge(token):
    """token with one character of its signature changed."""
    h, p, s = token.split(".")
    return f"{h}.{p}.{'B' if s[0] == 'A' else 'A'}{s[1:]}"


# ---------------------------------------------------------------------------- fixtures


class World:
    """A user pool with two app clients and users, and a factory of identity pools."""

    def __init__(self, idp, ci):
        self.idp, self.ci = idp, ci
        self.pool_id = idp.create_user_pool(PoolName=unique("e2e-ident"))["UserPool"]["Id"]
        self.client_id = self.new_client()
        self.provider = f"cognito-idp.{REGION}.amazonaws.com/{self.pool_id}"
        self.identity_pools = []
        self.users = {}

    def new_client(self, pool_id=None):
        return self.idp.create_user_pool_client(
            UserPoolId=pool_id or self.pool_id,
            ClientName=unique("e2e-ident"),
            ExplicitAuthFlows=["ALLOW_USER_PASSWORD_AUTH", "ALLOW_REFRESH_TOKEN_AUTH"],
        )["UserPoolClient"]["ClientId"]

    def user(self, name=None, pool_id=None, client_id=None):
        """Sign up and confirm a user; a namespace with username, sub and its tokens."""
        pool_id, client_id = pool_id or self.pool_id, client_id or self.client_id
        username = name or unique("iduser")
        sub = self.idp.sign_up(
            ClientId=client_id,
            Username=username,
            Password=PASSWORD,
            UserAttributes=[{"Name": "email", "Value": f"{username}@example.com"}],
        )["UserSub"]
        self.idp.admin_confirm_sign_up(UserPoolId=pool_id, Username=username)
        u = types.SimpleNamespace(username=username, sub=sub, pool_id=pool_id, client_id=client_id)
        self.sign_in(u)
        return u

    def sign_in(self, u):
        r = self.idp.initiate_auth(
            ClientId=u.client_id,
            AuthFlow="USER_PASSWORD_AUTH",
            AuthParameters={"USERNAME": u.username, "PASSWORD": PASSWORD},
        )["AuthenticationResult"]
        u.id_token, u.access_token = r["IdToken"], r["AccessToken"]
        return u

    def identity_pool(self, guests=False, roles=True, mappings=None, **kwargs):
        ip = self.ci.create_identity_pool(
            IdentityPoolName=unique("e2e_ident").replace("-", "_"),
            AllowUnauthenticatedIdentities=guests,
            CognitoIdentityProviders=[{"ProviderName": self.provider, "ClientId": self.client_id}],
            **kwargs,
        )["IdentityPoolId"]
        self.identity_pools.append(ip)
        if roles:
            args = {"Roles": {"authenticated": AUTH_ROLE, "unauthenticated": GUEST_ROLE}}
            if mappings:
                args["RoleMappings"] = mappings
            self.ci.set_identity_pool_roles(IdentityPoolId=ip, **args)
        return ip

    def logins(self, u, key=None):
        return {key or self.provider: u.id_token}

    def close(self):
        for ip in self.identity_pools:
            try:
                self.ci.delete_identity_pool(IdentityPoolId=ip)
            except Exception:  # noqa: BLE001 - best-effort cleanup
                pass
        try:
            self.idp.delete_user_pool(UserPoolId=self.pool_id)
        except Exception:  # noqa: BLE001
            pass


@pytest.fixture(scope="module")
def world(idp, ci):
    w = World(idp, ci)
    yield w
    w.close()


@pytest.fixture(scope="module")
def alice(world):
    return world.user()


@pytest.fixture(scope="module")
def bob(world):
    return world.user()


# ---------------------------------------------------------------------------- GetId


def test_same_user_same_identity_other_user_other_identity(world, ci, alice, bob):
    ip = world.identity_pool()
    a1 = ci.get_id(IdentityPoolId=ip, Logins=world.logins(alice))["IdentityId"]
    a2 = ci.get_id(IdentityPoolId=ip, Logins=world.logins(world.sign_in(alice)))["IdentityId"]
    b = ci.get_id(IdentityPoolId=ip, Logins=world.logins(bob))["IdentityId"]
    assert IDENTITY_RE.match(a1), a1
    assert a1 == a2
    assert a1 != b


def test_issuer_key_names_the_same_identity(world, ci, alice):
    """Amplify builds the Logins key from the token's iss without its scheme."""
    ip = world.identity_pool()
    key = re.sub(r"^https?://", "", jwt_payload(alice.id_token)["iss"])
    by_issuer = ci.get_id(IdentityPoolId=ip, Logins={key: alice.id_token})["IdentityId"]
    by_sdk_key = ci.get_id(IdentityPoolId=ip, Logins=world.logins(alice))["IdentityId"]
    assert by_issuer == by_sdk_key


def test_forged_token_is_refused(world, ci, alice):
    ip = world.identity_pool()
    expect_error(
        "NotAuthorizedException",
        "Invalid login token. Couldn't verify signed token.",
        ci.get_id,
        IdentityPoolId=ip,
        Logins={world.provider: forge(alice.id_token)},
    )
    expect_error(
        "NotAuthorizedException",
        "Invalid login token. Not a valid OpenId Connect identity token.",
        ci.get_id,
        IdentityPoolId=ip,
        Logins={world.provider: "not-a-jwt"},
    )


def test_expired_token_is_refused(world, ci, alice):
    status, clock = http_json("GET", "/_emu/clock")
    if status != 200:
        pytest.skip("the server has no /_emu/clock endpoint to move time with")
    ip = world.identity_pool()
    exp = jwt_payload(alice.id_token)["exp"]
    status, _ = http_json("POST", "/_emu/clock", {"advanceMs": 3600 * 1000 + 5000})
    assert status == 200
    try:
        expect_error(
            "NotAuthorizedException",
            re.compile(r"Invalid login token\. Token expired: \d+ >= " + str(exp)),
            ci.get_id,
            IdentityPoolId=ip,
            Logins=world.logins(alice),
        )
    finally:
        http_json("POST", "/_emu/clock", {"offsetMs": clock.get("offsetMs", 0)})


def test_token_of_another_user_pool_is_refused(world, idp, ci):
    ip = world.identity_pool()
    other_pool = idp.create_user_pool(PoolName=unique("e2e-ident-other"))["UserPool"]["Id"]
    try:
        carol = world.user(pool_id=other_pool, client_id=world.new_client(other_pool))
        # Under the configured provider's key: the token's issuer is another pool.
        expect_error(
            "NotAuthorizedException",
            "Invalid login token. Issuer doesn't match providerName",
            ci.get_id,
            IdentityPoolId=ip,
            Logins={world.provider: carol.id_token},
        )
        # Under its own pool's key: not a provider of this identity pool.
        expect_error(
            "NotAuthorizedException",
            NOT_SUPPORTED,
            ci.get_id,
            IdentityPoolId=ip,
            Logins={f"cognito-idp.{REGION}.amazonaws.com/{other_pool}": carol.id_token},
        )
    finally:
        idp.delete_user_pool(UserPoolId=other_pool)


def test_token_of_another_app_client_is_refused(world, ci):
    ip = world.identity_pool()
    dave = world.user(client_id=world.new_client())
    expect_error("NotAuthorizedException", NOT_SUPPORTED, ci.get_id, IdentityPoolId=ip, Logins=world.logins(dave))


def test_access_token_is_refused(world, ci, alice):
    ip = world.identity_pool()
    expect_error(
        "NotAuthorizedException",
        "Invalid login token. Missing a required claim: aud",
        ci.get_id,
        IdentityPoolId=ip,
        Logins={world.provider: alice.access_token},
    )


def test_missing_logins_are_refused(world, ci, alice):
    ip = world.identity_pool()
    identity = ci.get_id(IdentityPoolId=ip, Logins=world.logins(alice))["IdentityId"]
    expect_error("NotAuthorizedException", LOGINS_DONT_MATCH, ci.get_credentials_for_identity, IdentityId=identity)


def test_unauthenticated_access_refused(world, ci):
    ip = world.identity_pool(guests=False)
    expect_error("NotAuthorizedException", UNAUTH_REFUSED, ci.get_id, IdentityPoolId=ip)


def test_unauthenticated_access_allowed(world, ci):
    ip = world.identity_pool(guests=True)
    g1 = ci.get_id(IdentityPoolId=ip)["IdentityId"]
    g2 = ci.get_id(IdentityPoolId=ip)["IdentityId"]
    assert g1 != g2, "every unauthenticated GetId makes a new identity"
    creds = ci.get_credentials_for_identity(IdentityId=g1)
    assert creds["IdentityId"] == g1
    status, doc = http_json("GET", f"/_emu/credentials/{creds['Credentials']['AccessKeyId']}")
    assert status == 200 and doc["roleArn"] == GUEST_ROLE and doc["cognitoAuthenticationType"] == "unauthenticated"


def test_unknown_identity_and_pool(world, ci):
    missing = "us-east-1:00000000-0000-4000-8000-000000000000"
    expect_error("ResourceNotFoundException", f"Identity '{missing}' not found.", ci.get_credentials_for_identity, IdentityId=missing)
    expect_error("ResourceNotFoundException", f"IdentityPool '{missing}' not found.", ci.get_id, IdentityPoolId=missing)


# ---------------------------------------------------------------------------- credentials and roles


def test_credentials_look_like_sts_and_are_new_each_call(world, ci, alice):
    ip = world.identity_pool()
    identity = ci.get_id(IdentityPoolId=ip, Logins=world.logins(alice))["IdentityId"]
    r1 = ci.get_credentials_for_identity(IdentityId=identity, Logins=world.logins(alice))
    r2 = ci.get_credentials_for_identity(IdentityId=identity, Logins=world.logins(alice))
    c = r1["Credentials"]
    assert r1["IdentityId"] == identity
    assert re.fullmatch(r"ASIA[A-Z0-9]{16}", c["AccessKeyId"]), c["AccessKeyId"]
    assert re.fullmatch(r"[A-Za-z0-9+/]{40}", c["SecretKey"]), c["SecretKey"]
    assert len(c["SessionToken"]) > 100
    left = c["Expiration"].timestamp() - time.time()
    assert 3500 < left <= 3601, left
    assert r2["Credentials"]["AccessKeyId"] != c["AccessKeyId"]
    assert r2["Credentials"]["SecretKey"] != c["SecretKey"]


def test_no_role_is_a_configuration_error(world, ci, alice):
    ip = world.identity_pool(roles=False)
    identity = ci.get_id(IdentityPoolId=ip, Logins=world.logins(alice))["IdentityId"]
    expect_error(
        "InvalidIdentityPoolConfigurationException",
        BAD_CONFIG,
        ci.get_credentials_for_identity,
        IdentityId=identity,
        Logins=world.logins(alice),
    )


def role_of(resp):
    status, doc = http_json("GET", f"/_emu/credentials/{resp['Credentials']['AccessKeyId']}")
    assert status == 200, doc
    return doc["roleArn"]


def test_role_mapping_by_group(world, idp, ci):
    from botocore.exceptions import ClientError

    try:
        idp.create_group(UserPoolId=world.pool_id, GroupName="admins", RoleArn=ADMIN_ROLE, Precedence=1)
    except ClientError as e:
        if e.response["Error"]["Code"] == "UnsupportedOperationException":
            pytest.skip("user pool groups (CreateGroup) are not implemented in this build")
        raise
    idp.create_group(UserPoolId=world.pool_id, GroupName="readers", RoleArn=READER_ROLE, Precedence=2)
    erin = world.user()
    frank = world.user()
    idp.admin_add_user_to_group(UserPoolId=world.pool_id, Username=erin.username, GroupName="admins")
    idp.admin_add_user_to_group(UserPoolId=world.pool_id, Username=erin.username, GroupName="readers")
    world.sign_in(erin)  # the groups are in the tokens issued from now on
    key = f"{world.provider}:{world.client_id}"
    ip = world.identity_pool(mappings={key: {"Type": "Token", "AmbiguousRoleResolution": "Deny"}})
    e_id = ci.get_id(IdentityPoolId=ip, Logins=world.logins(erin))["IdentityId"]
    f_id = ci.get_id(IdentityPoolId=ip, Logins=world.logins(frank))["IdentityId"]

    # cognito:preferred_role, the role of the group with the best precedence.
    assert role_of(ci.get_credentials_for_identity(IdentityId=e_id, Logins=world.logins(erin))) == ADMIN_ROLE
    # CustomRoleArn, one of cognito:roles.
    r = ci.get_credentials_for_identity(IdentityId=e_id, Logins=world.logins(erin), CustomRoleArn=READER_ROLE)
    assert role_of(r) == READER_ROLE
    expect_error(
        "NotAuthorizedException",
        DENIED,
        ci.get_credentials_for_identity,
        IdentityId=e_id,
        Logins=world.logins(erin),
        CustomRoleArn=AUTH_ROLE,
    )
    # No group, no role in the token: ambiguous, and Deny.
    expect_error("NotAuthorizedException", DENIED, ci.get_credentials_for_identity, IdentityId=f_id, Logins=world.logins(frank))
    ci.set_identity_pool_roles(
        IdentityPoolId=ip,
        Roles={"authenticated": AUTH_ROLE},
        RoleMappings={key: {"Type": "Token", "AmbiguousRoleResolution": "AuthenticatedRole"}},
    )
    assert role_of(ci.get_credentials_for_identity(IdentityId=f_id, Logins=world.logins(frank))) == AUTH_ROLE
    roles = ci.get_identity_pool_roles(IdentityPoolId=ip)
    assert roles["RoleMappings"][key]["AmbiguousRoleResolution"] == "AuthenticatedRole"


def test_role_mapping_rules(world, ci, alice, bob):
    key = f"{world.provider}:{world.client_id}"
    rules = {
        "Rules": [
            {"Claim": "cognito:username", "MatchType": "Equals", "Value": alice.username, "RoleARN": ADMIN_ROLE},
            {"Claim": "email", "MatchType": "Contains", "Value": "@example.", "RoleARN": READER_ROLE},
        ]
    }
    ip = world.identity_pool(mappings={key: {"Type": "Rules", "AmbiguousRoleResolution": "Deny", "RulesConfiguration": rules}})
    a = ci.get_id(IdentityPoolId=ip, Logins=world.logins(alice))["IdentityId"]
    b = ci.get_id(IdentityPoolId=ip, Logins=world.logins(bob))["IdentityId"]
    assert role_of(ci.get_credentials_for_identity(IdentityId=a, Logins=world.logins(alice))) == ADMIN_ROLE
    assert role_of(ci.get_credentials_for_identity(IdentityId=b, Logins=world.logins(bob))) == READER_ROLE
    rules["Rules"].pop()
    ci.set_identity_pool_roles(
        IdentityPoolId=ip,
        Roles={"authenticated": AUTH_ROLE},
        RoleMappings={key: {"Type": "Rules", "AmbiguousRoleResolution": "Deny", "RulesConfiguration": rules}},
    )
    expect_error("NotAuthorizedException", DENIED, ci.get_credentials_for_identity, IdentityId=b, Logins=world.logins(bob))


def test_role_mapping_key_must_name_a_configured_provider(world, ci):
    ip = world.identity_pool()
    expect_error(
        "InvalidParameterException",
        f"({world.provider}) is not a valid RoleMapping ProviderName or is not a configured provider.",
        ci.set_identity_pool_roles,
        IdentityPoolId=ip,
        Roles={"authenticated": AUTH_ROLE},
        RoleMappings={world.provider: {"Type": "Token", "AmbiguousRoleResolution": "Deny"}},
    )


# ---------------------------------------------------------------------------- identities


def test_describe_list_and_delete_identities(world, ci, alice, bob):
    ip = world.identity_pool(guests=True)
    a = ci.get_id(IdentityPoolId=ip, Logins=world.logins(alice))["IdentityId"]
    b = ci.get_id(IdentityPoolId=ip, Logins=world.logins(bob))["IdentityId"]
    g = ci.get_id(IdentityPoolId=ip)["IdentityId"]
    d = ci.describe_identity(IdentityId=a)
    assert d["IdentityId"] == a and d["Logins"] == [world.provider]
    assert d["CreationDate"] <= d["LastModifiedDate"]
    assert "Logins" not in ci.describe_identity(IdentityId=g)
    page = ci.list_identities(IdentityPoolId=ip, MaxResults=2)
    assert [i["IdentityId"] for i in page["Identities"]] == [a, b]
    rest = ci.list_identities(IdentityPoolId=ip, MaxResults=2, NextToken=page["NextToken"])
    assert [i["IdentityId"] for i in rest["Identities"]] == [g] and "NextToken" not in rest
    missing = "us-east-1:00000000-0000-4000-8000-000000000000"
    assert ci.delete_identities(IdentityIdsToDelete=[g, missing])["UnprocessedIdentityIds"] == []
    expect_error("ResourceNotFoundException", f"Identity '{g}' not found.", ci.describe_identity, IdentityId=g)


def test_developer_authenticated_identities(world, ci):
    ip = world.identity_pool(DeveloperProviderName="login.e2e.example")
    one = ci.get_open_id_token_for_developer_identity(IdentityPoolId=ip, Logins={"login.e2e.example": "user-1"})
    again = ci.get_open_id_token_for_developer_identity(IdentityPoolId=ip, Logins={"login.e2e.example": "user-1"})
    two = ci.get_open_id_token_for_developer_identity(IdentityPoolId=ip, Logins={"login.e2e.example": "user-2"})
    assert one["IdentityId"] == again["IdentityId"] != two["IdentityId"]
    claims = jwt_payload(one["Token"])
    assert claims["iss"] == "https://cognito-identity.amazonaws.com"
    assert claims["aud"] == ip and claims["sub"] == one["IdentityId"]
    # The enhanced flow with the developer token.
    creds = ci.get_credentials_for_identity(IdentityId=one["IdentityId"], Logins={"cognito-identity.amazonaws.com": one["Token"]})
    assert role_of(creds) == AUTH_ROLE
    found = ci.lookup_developer_identity(IdentityPoolId=ip, DeveloperUserIdentifier="user-1")
    assert found["IdentityId"] == one["IdentityId"] and found["DeveloperUserIdentifierList"] == ["user-1"]
    expect_error(
        "DeveloperUserAlreadyRegisteredException",
        None,
        ci.get_open_id_token_for_developer_identity,
        IdentityPoolId=ip,
        IdentityId=one["IdentityId"],
        Logins={"login.e2e.example": "user-2"},
    )
    merged = ci.merge_developer_identities(
        IdentityPoolId=ip,
        DeveloperProviderName="login.e2e.example",
        SourceUserIdentifier="user-2",
        DestinationUserIdentifier="user-1",
    )
    assert merged["IdentityId"] == one["IdentityId"]
    assert ci.lookup_developer_identity(IdentityPoolId=ip, DeveloperUserIdentifier="user-2")["IdentityId"] == one["IdentityId"]
    ci.unlink_developer_identity(
        IdentityId=one["IdentityId"],
        IdentityPoolId=ip,
        DeveloperProviderName="login.e2e.example",
        DeveloperUserIdentifier="user-2",
    )
    expect_error("ResourceNotFoundException", None, ci.lookup_developer_identity, IdentityPoolId=ip, DeveloperUserIdentifier="user-2")


# ---------------------------------------------------------------------------- the mapping


def test_mapping_identity_user_and_access_key(world, ci, alice):
    ip = world.identity_pool()
    identity = ci.get_id(IdentityPoolId=ip, Logins=world.logins(alice))["IdentityId"]
    creds = ci.get_credentials_for_identity(IdentityId=identity, Logins=world.logins(alice))

    status, doc = http_json("GET", f"/_emu/identities/{urllib.parse.quote(identity)}")
    assert status == 200, doc
    assert doc["identityId"] == identity and doc["identityPoolId"] == ip and doc["authenticated"] is True
    assert [(l["provider"], l["userPoolId"], l["sub"], l["username"]) for l in doc["logins"]] == [
        (world.provider, world.pool_id, alice.sub, alice.username)
    ]
    assert doc["creationDate"] <= doc["lastModifiedDate"]

    for name in (alice.username, alice.sub):
        status, doc = http_json("GET", f"/_emu/user-pools/{world.pool_id}/users/{name}/identities")
        assert status == 200, doc
        assert doc["username"] == alice.username and doc["sub"] == alice.sub
        assert ip in {i["identityPoolId"] for i in doc["identities"]}
        assert identity in {i["identityId"] for i in doc["identities"]}

    status, doc = http_json("GET", f"/_emu/credentials/{creds['Credentials']['AccessKeyId']}")
    assert status == 200, doc
    assert doc["identityId"] == identity and doc["identityPoolId"] == ip and doc["roleArn"] == AUTH_ROLE
    assert doc["cognitoAuthenticationType"] == "authenticated"
    assert doc["cognitoAuthenticationProvider"] == f"{world.provider},{world.provider}:CognitoSignIn:{alice.sub}"
    assert doc["expiration"] == creds["Credentials"]["Expiration"].timestamp()
    assert doc["expired"] is False

    for path in (
        "/_emu/identities/us-east-1:00000000-0000-4000-8000-000000000000",
        "/_emu/credentials/ASIAAAAAAAAAAAAAAAAA",
        f"/_emu/user-pools/{world.pool_id}/users/nobody-{uuid.uuid4().hex[:6]}/identities",
    ):
        status, doc = http_json("GET", path)
        assert status == 404 and doc["error"] == "NotFound", (path, status, doc)
