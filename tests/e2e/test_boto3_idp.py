"""End-to-end suite: a user pool's identity providers, classic UI customization and managed login
branding through boto3 against a running cognito-emu, with the rules and errors real Amazon Cognito
applies (../shared/oauth2-hosted-ui.md sections 1.3 and 1.5): Create/Describe/Update/Delete/
ListIdentityProviders, GetIdentityProviderByIdentifier, Set/GetUICustomization,
Create/Describe/DescribeByClient/Update/DeleteManagedLoginBranding, and
AdminLinkProviderForUser / AdminDisableProviderForUser.

The endpoint comes from COG_EMU_ENDPOINT; without it every test is skipped. SetUICustomization
needs a domain on the pool: the tests that set one skip when the server has no
CreateUserPoolDomain yet.
Run with: python3 -m pytest -q tests/e2e/test_boto3_idp.py
"""

import base64
import datetime
import os
import re
import uuid

import pytest
from test_boto3 import make_client, unique  # noqa: E402 (same folder)

ENDPOINT = os.environ.get("COG_EMU_ENDPOINT", "").rstrip("/")
pytestmark = pytest.mark.skipif(not ENDPOINT, reason="COG_EMU_ENDPOINT is not set")

GOOGLE = {"client_id": "gid", "client_secret": "gsecret", "authorize_scopes": "email profile openid"}
OIDC = {
    "client_id": "cid",
    "client_secret": "csecret",
    "authorize_scopes": "openid email",
    "oidc_issuer": "https://idp.example.com",
}
SAML_METADATA = (
    '<md:EntityDescriptor xmlns:md="urn:oasis:names:tc:SAML:2.0:metadata" entityID="urn:idp">'
    "<md:IDPSSODescriptor>"
    '<md:SingleLogoutService Binding="urn:oasis:names:tc:SAML:2.0:bindings:HTTP-Redirect" '
    'Location="https://idp.example.com/slo"/>'
    '<md:SingleSignOnService Binding="urn:oasis:names:tc:SAML:2.0:bindings:HTTP-Redirect" '
    'Location="https://idp.example.com/sso"/>'
    "</md:IDPSSODescriptor></md:EntityDescriptor>"
)
PNG = base64.b64decode("iVBORw0KGgo=")
UUID_RE = re.compile(r"^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$")


def error_of(call, **kwargs):
    """The (code, message) of the ClientError that call(**kwargs) raises."""
    from botocore.exceptions import ClientError

    with pytest.raises(ClientError) as e:
        call(**kwargs)
    return e.value.response["Error"]["Code"], e.value.response["Error"]["Message"]


@pytest.fixture(scope="module")
def idp():
    return make_client("cognito-idp")


@pytest.fixture
def pool(idp):
    """A pool with a custom attribute and one app client; deleted afterwards."""
    p = idp.create_user_pool(
        PoolName=unique("e2e-idp"),
        Schema=[{"Name": "tenant", "AttributeDataType": "String", "Mutable": True}],
    )["UserPool"]
    c = idp.create_user_pool_client(
        UserPoolId=p["Id"], ClientName="web", SupportedIdentityProviders=["COGNITO"]
    )["UserPoolClient"]
    yield {"id": p["Id"], "client": c["ClientId"]}
    # Cognito refuses to delete a pool that still has a domain.
    described = idp.describe_user_pool(UserPoolId=p["Id"])["UserPool"]
    for kind in ("Domain", "CustomDomain"):
        if described.get(kind):
            idp.delete_user_pool_domain(UserPoolId=p["Id"], Domain=described[kind])
    idp.delete_user_pool(UserPoolId=p["Id"])


# ---------------------------------------------------------------- identity providers


def test_google_provider_round_trip(idp, pool):
    created = idp.create_identity_provider(
        UserPoolId=pool["id"],
        ProviderName="Google",
        ProviderType="Google",
        ProviderDetails=GOOGLE,
        AttributeMapping={"email": "email", "custom:tenant": "hd"},
        IdpIdentifiers=["gmail.com"],
    )["IdentityProvider"]
    d = created["ProviderDetails"]
    assert d["authorize_url"] == "https://accounts.google.com/o/oauth2/v2/auth"
    assert d["token_url"] == "https://www.googleapis.com/oauth2/v4/token"
    assert d["oidc_issuer"] == "https://accounts.google.com"
    assert d["client_secret"] == "gsecret"
    assert created["AttributeMapping"] == {"email": "email", "custom:tenant": "hd", "username": "sub"}
    assert isinstance(created["CreationDate"], datetime.datetime)
    assert created["CreationDate"] == created["LastModifiedDate"]

    described = idp.describe_identity_provider(UserPoolId=pool["id"], ProviderName="Google")
    assert described["IdentityProvider"] == created
    by_id = idp.get_identity_provider_by_identifier(UserPoolId=pool["id"], IdpIdentifier="gmail.com")
    assert by_id["IdentityProvider"]["ProviderName"] == "Google"


def create_error(idp, pool, name, ptype, details, **extra):
    """The (code, message) CreateIdentityProvider answers for a provider it refuses."""
    return error_of(
        idp.create_identity_provider,
        UserPoolId=pool["id"],
        ProviderName=name,
        ProviderType=ptype,
        ProviderDetails=details,
        **extra,
    )


def test_provider_refusals(idp, pool):
    invalid = "InvalidParameterException"
    assert create_error(idp, pool, "MyGoogle", "Google", GOOGLE) == (
        invalid,
        "Provider MyGoogle cannot be of type Google.",
    )
    assert create_error(idp, pool, "Google", "Google", {"client_id": "x"}) == (
        invalid,
        "client_id, client_secret and authorize_scopes are all required idp details.",
    )
    assert create_error(idp, pool, "Corp", "OIDC", OIDC, AttributeMapping={"custom:nope": "x"}) == (
        invalid,
        "AttributeMapping contains invalid mapping: [custom:nope]",
    )
    assert create_error(idp, pool, "COGNITO", "OIDC", OIDC)[0] == invalid
    assert create_error(idp, pool, "Okta", "SAML", {"IDPSignout": "true"})[0] == invalid

    idp.create_identity_provider(
        UserPoolId=pool["id"],
        ProviderName="Corp",
        ProviderType="OIDC",
        ProviderDetails=OIDC,
        IdpIdentifiers=["corp"],
    )
    assert create_error(idp, pool, "Corp", "OIDC", OIDC) == (
        "DuplicateProviderException",
        f"Corp already exists in user pool {pool['id']}",
    )
    assert create_error(idp, pool, "Other", "OIDC", OIDC, IdpIdentifiers=["corp"])[0] == invalid


def test_saml_metadata_file_and_url(idp, pool):
    p = idp.create_identity_provider(
        UserPoolId=pool["id"],
        ProviderName="Okta",
        ProviderType="SAML",
        ProviderDetails={"MetadataFile": SAML_METADATA, "IDPSignout": "true"},
    )["IdentityProvider"]
    assert p["ProviderDetails"]["SSORedirectBindingURI"] == "https://idp.example.com/sso"
    assert p["ProviderDetails"]["SLORedirectBindingURI"] == "https://idp.example.com/slo"
    u = idp.create_identity_provider(
        UserPoolId=pool["id"],
        ProviderName="Azure",
        ProviderType="SAML",
        ProviderDetails={"MetadataURL": "https://login.example.com/metadata.xml"},
    )["IdentityProvider"]
    assert u["ProviderDetails"]["MetadataURL"] == "https://login.example.com/metadata.xml"


def test_update_list_and_delete(idp, pool):
    idp.create_identity_provider(
        UserPoolId=pool["id"], ProviderName="Google", ProviderType="Google", ProviderDetails=GOOGLE
    )
    idp.create_identity_provider(
        UserPoolId=pool["id"], ProviderName="Corp", ProviderType="OIDC", ProviderDetails=OIDC
    )
    up = idp.update_identity_provider(
        UserPoolId=pool["id"], ProviderName="Corp", AttributeMapping={"email": "mail"}
    )["IdentityProvider"]
    assert up["ProviderDetails"]["oidc_issuer"] == "https://idp.example.com"  # kept
    assert up["ProviderDetails"]["attributes_url_add_attributes"] == "false"
    assert up["AttributeMapping"]["email"] == "mail"

    first = idp.list_identity_providers(UserPoolId=pool["id"], MaxResults=1)
    assert [p["ProviderName"] for p in first["Providers"]] == ["Google"]
    assert set(first["Providers"][0]) == {"ProviderName", "ProviderType", "LastModifiedDate", "CreationDate"}
    second = idp.list_identity_providers(UserPoolId=pool["id"], MaxResults=60, NextToken=first["NextToken"])
    assert [p["ProviderName"] for p in second["Providers"]] == ["Corp"]
    assert "NextToken" not in second

    idp.update_user_pool_client(
        UserPoolId=pool["id"], ClientId=pool["client"], SupportedIdentityProviders=["COGNITO", "Google"]
    )
    idp.delete_identity_provider(UserPoolId=pool["id"], ProviderName="Google")
    client = idp.describe_user_pool_client(UserPoolId=pool["id"], ClientId=pool["client"])["UserPoolClient"]
    assert client["SupportedIdentityProviders"] == ["COGNITO"]
    for call in (idp.describe_identity_provider, idp.delete_identity_provider, idp.update_identity_provider):
        code, msg = error_of(call, UserPoolId=pool["id"], ProviderName="Google")
        assert code == "ResourceNotFoundException", msg
    code, _ = error_of(idp.get_identity_provider_by_identifier, UserPoolId=pool["id"], IdpIdentifier="none")
    assert code == "ResourceNotFoundException"
    code, _ = error_of(idp.list_identity_providers, UserPoolId="us-east-1_nope")
    assert code == "ResourceNotFoundException"


# ---------------------------------------------------------------- classic UI customization


def with_domain(idp, pool):
    from botocore.exceptions import ClientError

    try:
        idp.create_user_pool_domain(UserPoolId=pool["id"], Domain=unique("e2e-ui"))
    except ClientError as e:
        if e.response["Error"]["Code"] in ("UnsupportedOperationException", "UnknownOperationException"):
            pytest.skip("this server has no CreateUserPoolDomain")
        raise


def test_ui_customization_needs_a_domain(idp, pool):
    code, msg = error_of(idp.set_ui_customization, UserPoolId=pool["id"], ClientId="ALL", CSS=".a {}")
    assert (code, msg) == ("InvalidParameterException", "A domain must be associated with this user pool.")
    empty = idp.get_ui_customization(UserPoolId=pool["id"], ClientId=pool["client"])["UICustomization"]
    assert empty == {"UserPoolId": pool["id"], "ClientId": pool["client"]}
    code, _ = error_of(idp.get_ui_customization, UserPoolId=pool["id"], ClientId="nosuchclient")
    assert code == "ResourceNotFoundException"


def test_ui_customization_client_overrides_pool(idp, pool):
    with_domain(idp, pool)
    ui = idp.set_ui_customization(UserPoolId=pool["id"], ClientId="ALL", CSS=".logo-customizable {}")[
        "UICustomization"
    ]
    assert ui["ClientId"] == "ALL" and ui["CSS"] == ".logo-customizable {}"
    assert re.match(r"^20\d{12}$", ui["CSSVersion"])
    own = idp.set_ui_customization(UserPoolId=pool["id"], ClientId=pool["client"], ImageFile=PNG)[
        "UICustomization"
    ]
    assert own["ImageUrl"].endswith(f"/_emu/ui-image/{pool['id']}/{pool['client']}")
    got = idp.get_ui_customization(UserPoolId=pool["id"], ClientId=pool["client"])["UICustomization"]
    assert got["ClientId"] == pool["client"] and "CSS" not in got
    idp.set_ui_customization(UserPoolId=pool["id"], ClientId=pool["client"])  # removes it
    got = idp.get_ui_customization(UserPoolId=pool["id"], ClientId=pool["client"])["UICustomization"]
    assert got["ClientId"] == "ALL"
    code, _ = error_of(idp.set_ui_customization, UserPoolId=pool["id"], ClientId="nosuchclient", CSS=".a {}")
    assert code == "ResourceNotFoundException"


# ---------------------------------------------------------------- managed login branding


def test_managed_login_branding_life_cycle(idp, pool):
    made = idp.create_managed_login_branding(
        UserPoolId=pool["id"],
        ClientId=pool["client"],
        Settings={"categories": {"global": {"colorSchemeMode": "LIGHT", "spacingDensity": "REGULAR"}}},
        Assets=[{"Category": "FORM_LOGO", "ColorMode": "LIGHT", "Extension": "PNG", "Bytes": PNG}],
    )["ManagedLoginBranding"]
    style_id = made["ManagedLoginBrandingId"]
    assert UUID_RE.match(style_id)
    assert made["UseCognitoProvidedValues"] is False
    assert made["Assets"][0]["Bytes"] == PNG

    code, _ = error_of(
        idp.create_managed_login_branding, UserPoolId=pool["id"], ClientId=pool["client"],
        UseCognitoProvidedValues=True,
    )
    assert code == "ManagedLoginBrandingExistsException"

    by_client = idp.describe_managed_login_branding_by_client(UserPoolId=pool["id"], ClientId=pool["client"])
    assert by_client["ManagedLoginBranding"]["ManagedLoginBrandingId"] == style_id
    up = idp.update_managed_login_branding(
        UserPoolId=pool["id"],
        ManagedLoginBrandingId=style_id,
        Settings={"categories": {"global": {"colorSchemeMode": "DARK"}}},
    )["ManagedLoginBranding"]
    assert up["Settings"]["categories"]["global"] == {"colorSchemeMode": "DARK", "spacingDensity": "REGULAR"}
    assert len(up["Assets"]) == 1
    reset = idp.update_managed_login_branding(
        UserPoolId=pool["id"], ManagedLoginBrandingId=style_id, UseCognitoProvidedValues=True
    )["ManagedLoginBranding"]
    assert reset["UseCognitoProvidedValues"] is True and reset["Assets"] == []
    described = idp.describe_managed_login_branding(UserPoolId=pool["id"], ManagedLoginBrandingId=style_id)
    assert described["ManagedLoginBranding"] == reset

    idp.delete_managed_login_branding(UserPoolId=pool["id"], ManagedLoginBrandingId=style_id)
    code, _ = error_of(idp.describe_managed_login_branding, UserPoolId=pool["id"], ManagedLoginBrandingId=style_id)
    assert code == "ResourceNotFoundException"
    code, _ = error_of(idp.describe_managed_login_branding_by_client, UserPoolId=pool["id"], ClientId=pool["client"])
    assert code == "ResourceNotFoundException"
    code, _ = error_of(idp.delete_managed_login_branding, UserPoolId=pool["id"], ManagedLoginBrandingId=style_id)
    assert code == "ResourceNotFoundException"


def test_managed_login_branding_refusals(idp, pool):
    code, msg = error_of(
        idp.create_managed_login_branding,
        UserPoolId=pool["id"],
        ClientId=pool["client"],
        UseCognitoProvidedValues=True,
        Settings={},
    )
    assert code == "InvalidParameterException", msg
    code, _ = error_of(
        idp.create_managed_login_branding, UserPoolId=pool["id"], ClientId="nosuchclient",
        UseCognitoProvidedValues=True,
    )
    assert code == "ResourceNotFoundException"
    code, _ = error_of(
        idp.update_managed_login_branding,
        UserPoolId=pool["id"],
        ManagedLoginBrandingId="11111111-2222-4333-8444-555555555555",
        UseCognitoProvidedValues=True,
    )
    assert code == "ResourceNotFoundException"


# ---------------------------------------------------------------- linked external identities


def test_link_and_disable_provider_for_user(idp, pool):
    """AdminLinkProviderForUser links a Google identity to a native user (Cognito_Subject and the
    IdP's subject); a second link of it, a missing destination, a Cognito source and a wrong
    attribute name are refused; AdminDisableProviderForUser removes it, and then again says
    the user does not exist (no such linked identity)."""
    idp.create_identity_provider(
        UserPoolId=pool["id"], ProviderName="Google", ProviderType="Google", ProviderDetails=GOOGLE
    )
    for name in ("native", "other"):
        idp.admin_create_user(UserPoolId=pool["id"], Username=name, MessageAction="SUPPRESS")
    google = {
        "ProviderName": "Google",
        "ProviderAttributeName": "Cognito_Subject",
        "ProviderAttributeValue": "1234567890",
    }

    def link(dest, source):
        return idp.admin_link_provider_for_user(
            UserPoolId=pool["id"],
            DestinationUser={"ProviderName": "Cognito", "ProviderAttributeValue": dest},
            SourceUser=source,
        )

    link("native", google)
    link("native", google)  # the same link again changes nothing
    with pytest.raises(idp.exceptions.AliasExistsException):
        link("other", google)
    with pytest.raises(idp.exceptions.UserNotFoundException):
        link("nobody", dict(google, ProviderAttributeValue="2"))
    code, message = error_of(
        idp.admin_link_provider_for_user,
        UserPoolId=pool["id"],
        DestinationUser={"ProviderName": "Cognito", "ProviderAttributeValue": "native"},
        SourceUser={
            "ProviderName": "Cognito",
            "ProviderAttributeName": "Cognito_Subject",
            "ProviderAttributeValue": "other",
        },
    )
    assert code == "InvalidParameterException"
    assert message.startswith("Invalid SourceUser: Cognito users with a username/password")
    code, message = error_of(
        idp.admin_link_provider_for_user,
        UserPoolId=pool["id"],
        DestinationUser={"ProviderName": "Cognito", "ProviderAttributeValue": "native"},
        SourceUser=dict(google, ProviderAttributeName="email"),
    )
    assert code == "InvalidParameterException"
    code, message = error_of(
        idp.admin_link_provider_for_user,
        UserPoolId=pool["id"],
        DestinationUser={"ProviderName": "Cognito", "ProviderAttributeValue": "native"},
        SourceUser=dict(google, ProviderName="Facebook"),
    )
    assert (code, message) == (
        "InvalidParameterException",
        "The provider Facebook does not exist for User Pool %s" % pool["id"],
    )

    # The link shows in the destination's identities attribute, and goes with Disable.
    attrs = {
        a["Name"]: a["Value"]
        for a in idp.admin_get_user(UserPoolId=pool["id"], Username="native")["UserAttributes"]
    }
    assert '"providerName":"Google"' in attrs["identities"].replace(" ", "")
    idp.admin_disable_provider_for_user(UserPoolId=pool["id"], User=google)
    attrs = {
        a["Name"]: a["Value"]
        for a in idp.admin_get_user(UserPoolId=pool["id"], Username="native")["UserAttributes"]
    }
    assert "Google" not in attrs.get("identities", "")
    link("other", google)  # free again
