"""End-to-end suite: the OAuth 2.0 management operations through boto3 against a running
cognito-emu, as real Amazon Cognito behaves (../shared/oauth2-hosted-ui.md 1.1, 1.2, 1.4):
user pool domains (prefix and custom), resource servers and their custom scopes, and the app
client's OAuth settings with every validation rule.

The endpoint comes from COG_EMU_ENDPOINT (e.g. http://127.0.0.1:9229); without it every test
is skipped. Run with: python3 -m pytest -q tests/e2e/test_boto3_oauth_admin.py
"""

import os
import re
import uuid

import pytest

ENDPOINT = os.environ.get("COG_EMU_ENDPOINT", "").rstrip("/")

pytestmark = pytest.mark.skipif(not ENDPOINT, reason="COG_EMU_ENDPOINT is not set")

CERT = "arn:aws:acm:us-east-1:123456789012:certificate/11111111-2222-3333-4444-555555555555"
CLOUDFRONT = re.compile(r"^d[a-z0-9]{13}\.cloudfront\.net$")


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
        config=Config(connect_timeout=5, read_timeout=20, retries={"total_max_attempts": 1}),
    )


@pytest.fixture
def pools(idp):
    """A factory of user pools, deleted afterwards with their domains (Cognito refuses to
    delete a pool that still has one)."""
    made = []

    def make(**kwargs):
        kwargs.setdefault("PoolName", unique("e2e-oauth"))
        up = idp.create_user_pool(**kwargs)["UserPool"]
        made.append(up["Id"])
        return up["Id"]

    yield make
    for pool_id in made:
        try:
            pool = idp.describe_user_pool(UserPoolId=pool_id)["UserPool"]
            for key in ("Domain", "CustomDomain"):
                if key in pool:
                    idp.delete_user_pool_domain(UserPoolId=pool_id, Domain=pool[key])
            idp.delete_user_pool(UserPoolId=pool_id)
        except Exception:  # noqa: BLE001 - best-effort cleanup
            pass


def error(excinfo):
    """(code, message) of a botocore ClientError."""
    e = excinfo.value.response["Error"]
    return e["Code"], e["Message"]


# ---------------------------------------------------------------------------- domains


def test_prefix_domain_create_describe_delete(idp, pools):
    pool_id = pools()
    prefix = unique("e2e")
    out = idp.create_user_pool_domain(UserPoolId=pool_id, Domain=prefix)
    assert out["ManagedLoginVersion"] == 1
    assert "CloudFrontDomain" not in out

    d = idp.describe_user_pool_domain(Domain=prefix)["DomainDescription"]
    assert d["UserPoolId"] == pool_id
    assert d["Domain"] == prefix
    assert re.fullmatch(r"\d{12}", d["AWSAccountId"])
    assert d["S3Bucket"] == "aws-cognito-prod-iad-assets"
    assert CLOUDFRONT.match(d["CloudFrontDistribution"])
    assert re.fullmatch(r"\d{14}", d["Version"])
    assert d["Status"] == "ACTIVE"
    assert d["CustomDomainConfig"] == {}
    assert d["ManagedLoginVersion"] == 1

    assert idp.describe_user_pool(UserPoolId=pool_id)["UserPool"]["Domain"] == prefix

    # A pool with a domain cannot be deleted.
    with pytest.raises(idp.exceptions.InvalidParameterException) as e:
        idp.delete_user_pool(UserPoolId=pool_id)
    assert "has a domain configured" in error(e)[1]

    idp.delete_user_pool_domain(UserPoolId=pool_id, Domain=prefix)
    assert idp.describe_user_pool_domain(Domain=prefix)["DomainDescription"] == {}
    assert "Domain" not in idp.describe_user_pool(UserPoolId=pool_id)["UserPool"]


def test_custom_domain_and_prefix_coexist(idp, pools):
    pool_id = pools()
    prefix = unique("e2e")
    fqdn = f"{unique('auth')}.example.com"
    idp.create_user_pool_domain(UserPoolId=pool_id, Domain=prefix)
    out = idp.create_user_pool_domain(
        UserPoolId=pool_id, Domain=fqdn, CustomDomainConfig={"CertificateArn": CERT}
    )
    assert CLOUDFRONT.match(out["CloudFrontDomain"])
    d = idp.describe_user_pool_domain(Domain=fqdn)["DomainDescription"]
    assert d["CustomDomainConfig"] == {"CertificateArn": CERT}
    assert d["CloudFrontDistribution"] == out["CloudFrontDomain"]
    pool = idp.describe_user_pool(UserPoolId=pool_id)["UserPool"]
    assert pool["Domain"] == prefix
    assert pool["CustomDomain"] == fqdn

    with pytest.raises(idp.exceptions.InvalidParameterException) as e:
        idp.create_user_pool_domain(UserPoolId=pool_id, Domain=unique("e2e"))
    assert error(e)[1] == "User pool already has a domain configured."


def test_domain_errors(idp, pools):
    pool_id, other = pools(), pools()
    prefix = unique("e2e")
    idp.create_user_pool_domain(UserPoolId=pool_id, Domain=prefix)

    with pytest.raises(idp.exceptions.InvalidParameterException) as e:
        idp.create_user_pool_domain(UserPoolId=other, Domain=prefix)
    assert error(e)[1] == "Domain already associated with another user pool."
    for word in ("aws", "amazon", "cognito"):
        with pytest.raises(idp.exceptions.InvalidParameterException) as e:
            idp.create_user_pool_domain(UserPoolId=other, Domain=f"my{word}app")
        assert error(e)[1] == f"Domain cannot contain reserved word: {word}"
    with pytest.raises(idp.exceptions.InvalidParameterException) as e:
        idp.create_user_pool_domain(UserPoolId=other, Domain="Bad_Prefix")
    assert "regular expression pattern" in error(e)[1]
    with pytest.raises(idp.exceptions.ResourceNotFoundException):
        idp.create_user_pool_domain(UserPoolId="us-east-1_nothere00", Domain=unique("e2e"))
    with pytest.raises(idp.exceptions.InvalidParameterException) as e:
        idp.delete_user_pool_domain(UserPoolId=other, Domain=prefix)
    assert error(e)[1] == "No such domain or user pool exists."


def test_update_domain(idp, pools):
    pool_id = pools()
    prefix = unique("e2e")
    fqdn = f"{unique('login')}.example.org"
    idp.create_user_pool_domain(UserPoolId=pool_id, Domain=prefix)
    idp.create_user_pool_domain(
        UserPoolId=pool_id, Domain=fqdn, CustomDomainConfig={"CertificateArn": CERT}
    )

    out = idp.update_user_pool_domain(UserPoolId=pool_id, Domain=prefix, ManagedLoginVersion=2)
    assert out["ManagedLoginVersion"] == 2
    d = idp.describe_user_pool_domain(Domain=prefix)["DomainDescription"]
    assert d["ManagedLoginVersion"] == 2

    with pytest.raises(idp.exceptions.InvalidParameterException) as e:
        idp.update_user_pool_domain(UserPoolId=pool_id, Domain=fqdn)
    assert error(e)[1] == "Cannot convert custom domain to prefix domain."
    new_cert = CERT.replace("11111111", "99999999")
    out = idp.update_user_pool_domain(
        UserPoolId=pool_id, Domain=fqdn, CustomDomainConfig={"CertificateArn": new_cert}
    )
    assert CLOUDFRONT.match(out["CloudFrontDomain"])
    d = idp.describe_user_pool_domain(Domain=fqdn)["DomainDescription"]
    assert d["CustomDomainConfig"]["CertificateArn"] == new_cert


def test_managed_login_needs_a_tier_above_lite(idp, pools):
    lite = pools(UserPoolTier="LITE")
    with pytest.raises(idp.exceptions.FeatureUnavailableInTierException):
        idp.create_user_pool_domain(UserPoolId=lite, Domain=unique("e2e"), ManagedLoginVersion=2)
    out = idp.create_user_pool_domain(UserPoolId=pools(), Domain=unique("e2e"), ManagedLoginVersion=2)
    assert out["ManagedLoginVersion"] == 2


def test_unknown_domain_describes_as_empty(idp):
    assert idp.describe_user_pool_domain(Domain=unique("nobody"))["DomainDescription"] == {}


# ---------------------------------------------------------------------------- resource servers


SCOPES = [
    {"ScopeName": "read", "ScopeDescription": "Read"},
    {"ScopeName": "write", "ScopeDescription": "Write"},
]


def test_resource_server_operations(idp, pools):
    pool_id = pools()
    rs = idp.create_resource_server(
        UserPoolId=pool_id, Identifier="https://api.example.com", Name="api", Scopes=SCOPES
    )["ResourceServer"]
    assert rs == {
        "UserPoolId": pool_id,
        "Identifier": "https://api.example.com",
        "Name": "api",
        "Scopes": SCOPES,
    }
    assert (
        idp.describe_resource_server(UserPoolId=pool_id, Identifier="https://api.example.com")[
            "ResourceServer"
        ]
        == rs
    )

    with pytest.raises(idp.exceptions.InvalidParameterException) as e:
        idp.create_resource_server(UserPoolId=pool_id, Identifier="https://api.example.com", Name="x")
    assert error(e)[1] == f"https://api.example.com already exists in user pool {pool_id}."
    with pytest.raises(idp.exceptions.InvalidParameterException):
        idp.create_resource_server(
            UserPoolId=pool_id,
            Identifier="bad",
            Name="bad",
            Scopes=[{"ScopeName": "a/b", "ScopeDescription": "slash"}],
        )

    out = idp.update_resource_server(
        UserPoolId=pool_id, Identifier="https://api.example.com", Name="renamed", Scopes=SCOPES[:1]
    )["ResourceServer"]
    assert out["Name"] == "renamed" and out["Scopes"] == SCOPES[:1]

    for i in range(5):
        idp.create_resource_server(UserPoolId=pool_id, Identifier=f"api{i}", Name="n")
    seen, token, pages = [], None, 0
    while True:
        kwargs = {"NextToken": token} if token else {}
        page = idp.list_resource_servers(UserPoolId=pool_id, MaxResults=2, **kwargs)
        seen += [r["Identifier"] for r in page["ResourceServers"]]
        pages += 1
        token = page.get("NextToken")
        if not token:
            break
    assert sorted(seen) == sorted(["https://api.example.com"] + [f"api{i}" for i in range(5)])
    assert pages == 3
    with pytest.raises(idp.exceptions.InvalidParameterException):
        idp.list_resource_servers(UserPoolId=pool_id, MaxResults=51)

    idp.delete_resource_server(UserPoolId=pool_id, Identifier="api0")
    with pytest.raises(idp.exceptions.ResourceNotFoundException) as e:
        idp.describe_resource_server(UserPoolId=pool_id, Identifier="api0")
    assert error(e)[1] == "Resource server api0 does not exist."
    with pytest.raises(idp.exceptions.ResourceNotFoundException):
        idp.delete_resource_server(UserPoolId=pool_id, Identifier="api0")
    with pytest.raises(idp.exceptions.ResourceNotFoundException):
        idp.update_resource_server(UserPoolId=pool_id, Identifier="api0", Name="n")
    with pytest.raises(idp.exceptions.ResourceNotFoundException):
        idp.list_resource_servers(UserPoolId="us-east-1_nothere00", MaxResults=10)


# ---------------------------------------------------------------------------- app client OAuth


@pytest.fixture
def oauth_pool(idp, pools):
    pool_id = pools()
    idp.create_resource_server(
        UserPoolId=pool_id, Identifier="orders", Name="orders", Scopes=SCOPES
    )
    return pool_id


def test_client_oauth_settings_accepted(idp, oauth_pool):
    c = idp.create_user_pool_client(
        UserPoolId=oauth_pool,
        ClientName="web",
        AllowedOAuthFlowsUserPoolClient=True,
        AllowedOAuthFlows=["code", "implicit"],
        AllowedOAuthScopes=["openid", "email", "orders/read"],
        CallbackURLs=["https://app.example.com/cb", "http://localhost:3000/cb", "myapp://cb"],
        LogoutURLs=["http://127.0.0.1:8080/bye"],
        DefaultRedirectURI="https://app.example.com/cb",
        SupportedIdentityProviders=["COGNITO"],
    )["UserPoolClient"]
    assert c["AllowedOAuthFlows"] == ["code", "implicit"]
    assert c["AllowedOAuthScopes"] == ["openid", "email", "orders/read"]
    assert c["DefaultRedirectURI"] == "https://app.example.com/cb"

    m2m = idp.create_user_pool_client(
        UserPoolId=oauth_pool,
        ClientName="m2m",
        GenerateSecret=True,
        AllowedOAuthFlowsUserPoolClient=True,
        AllowedOAuthFlows=["client_credentials"],
        AllowedOAuthScopes=["orders/read", "orders/write"],
    )["UserPoolClient"]
    assert m2m["AllowedOAuthFlows"] == ["client_credentials"]

    # Empty OAuth lists are left out, as AWS does.
    plain = idp.create_user_pool_client(
        UserPoolId=oauth_pool, ClientName="plain", CallbackURLs=[], AllowedOAuthScopes=[]
    )["UserPoolClient"]
    assert "CallbackURLs" not in plain and "AllowedOAuthScopes" not in plain


REFUSED = [
    (
        dict(AllowedOAuthFlowsUserPoolClient=True, AllowedOAuthScopes=["openid"]),
        "InvalidParameterException",
        "AllowedOAuthFlows and AllowedOAuthScopes are required if user pool client is allowed to "
        "use OAuth flows.",
    ),
    (
        dict(AllowedOAuthFlowsUserPoolClient=True, AllowedOAuthFlows=["code"], AllowedOAuthScopes=["openid"]),
        "InvalidOAuthFlowException",
        "CallbackUrls can not be empty when code flow or implicit flow is selected",
    ),
    (
        dict(
            GenerateSecret=True,
            AllowedOAuthFlowsUserPoolClient=True,
            AllowedOAuthFlows=["client_credentials", "code"],
            AllowedOAuthScopes=["orders/read"],
            CallbackURLs=["https://a.example.com"],
        ),
        "InvalidOAuthFlowException",
        "client_credentials flow can not be selected along with code flow or implicit flow.",
    ),
    (
        dict(
            AllowedOAuthFlowsUserPoolClient=True,
            AllowedOAuthFlows=["client_credentials"],
            AllowedOAuthScopes=["orders/read"],
        ),
        "InvalidOAuthFlowException",
        "client_credentials flow can not be selected if client does not have a client secret.",
    ),
    (
        dict(
            GenerateSecret=True,
            AllowedOAuthFlowsUserPoolClient=True,
            AllowedOAuthFlows=["client_credentials"],
            AllowedOAuthScopes=["openid"],
        ),
        "InvalidOAuthFlowException",
        "openid is not supported with client_credentials flow",
    ),
    (
        dict(
            AllowedOAuthFlowsUserPoolClient=True,
            AllowedOAuthFlows=["code"],
            AllowedOAuthScopes=["orders/delete"],
            CallbackURLs=["https://a.example.com"],
        ),
        "ScopeDoesNotExistException",
        "Invalid scope requested: orders/delete",
    ),
    (
        dict(CallbackURLs=["http://localhost.com/"]),
        "InvalidParameterException",
        "http://localhost.com/ cannot use the HTTP protocol.",
    ),
    (
        dict(CallbackURLs=["https://a.example.com/#x"]),
        "InvalidParameterException",
        "https://a.example.com/#x is not a valid URL: a redirect URL must be absolute and must not "
        "have a fragment.",
    ),
    (
        dict(CallbackURLs=["https://a.example.com/cb"], DefaultRedirectURI="https://b.example.com/cb"),
        "InvalidParameterException",
        "DefaultRedirectURI https://b.example.com/cb must be one of the CallbackURLs.",
    ),
]


@pytest.mark.parametrize("settings,code,message", REFUSED)
def test_client_oauth_settings_refused(idp, oauth_pool, settings, code, message):
    from botocore.exceptions import ClientError

    with pytest.raises(ClientError) as e:
        idp.create_user_pool_client(UserPoolId=oauth_pool, ClientName="bad", **settings)
    assert error(e) == (code, message)


def test_client_unknown_identity_provider(idp, oauth_pool):
    with pytest.raises(idp.exceptions.InvalidParameterException) as e:
        idp.create_user_pool_client(
            UserPoolId=oauth_pool, ClientName="c", SupportedIdentityProviders=["COGNITO", "Google"]
        )
    assert error(e)[1] == f"The provider Google does not exist for User Pool {oauth_pool}"


def test_update_client_applies_the_rules(idp, oauth_pool):
    c = idp.create_user_pool_client(UserPoolId=oauth_pool, ClientName="c")["UserPoolClient"]
    with pytest.raises(idp.exceptions.InvalidOAuthFlowException):
        idp.update_user_pool_client(
            UserPoolId=oauth_pool,
            ClientId=c["ClientId"],
            AllowedOAuthFlowsUserPoolClient=True,
            AllowedOAuthFlows=["client_credentials"],
            AllowedOAuthScopes=["orders/read"],
        )
    out = idp.update_user_pool_client(
        UserPoolId=oauth_pool,
        ClientId=c["ClientId"],
        AllowedOAuthFlowsUserPoolClient=True,
        AllowedOAuthFlows=["code"],
        AllowedOAuthScopes=["openid", "orders/write"],
        CallbackURLs=["https://app.example.com/cb"],
    )["UserPoolClient"]
    assert out["AllowedOAuthScopes"] == ["openid", "orders/write"]
