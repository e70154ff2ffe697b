"""End-to-end suite: passkeys (WebAuthn) through boto3 against a running cognito-emu. A software
authenticator made with python3-cryptography (ES256 keys, a small CBOR writer below, attestation
"none") registers passkeys (StartWebAuthnRegistration, CompleteWebAuthnRegistration), lists
and deletes them, reads the user's auth factors, and signs in with USER_AUTH's WEB_AUTHN
challenge; a flipped signature bit, a wrong origin, a replayed counter and another user's
passkey are refused.

The sign-in tests need USER_AUTH (branch userauth); against a server without it they skip.
The endpoint comes from COG_EMU_ENDPOINT; without it every test is skipped.
Run with: python3 -m pytest -q tests/e2e/test_boto3_webauthn.py
"""

import base64
import hashlib
import json
import os
import struct

import pytest
from e2elib import NEEDS_ENDPOINT, idp, unique  # noqa: F401

ec = pytest.importorskip("cryptography.hazmat.primitives.asymmetric.ec")
hashes = pytest.importorskip("cryptography.hazmat.primitives.hashes")

pytestmark = NEEDS_ENDPOINT

PASSWORD = "Passw0rd!e2e"
RP = "localhost"
ORIGIN = "http://localhost:5173"
FLOWS = ["ALLOW_USER_PASSWORD_AUTH", "ALLOW_USER_AUTH", "ALLOW_REFRESH_TOKEN_AUTH"]


def b64(data):
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


# ---- A minimal CBOR writer (definite lengths: what WebAuthn uses) ---------------------------


def _head(major, n):
    if n < 24:
        return bytes([major << 5 | n])
    for info, fmt in ((24, ">B"), (25, ">H"), (26, ">I"), (27, ">Q")):
        if n < 1 << (8 * struct.calcsize(fmt)):
            return bytes([major << 5 | info]) + struct.pack(fmt, n)
    raise ValueError(n)


def cbor(v):
    if isinstance(v, int):
        return _head(0, v) if v >= 0 else _head(1, -1 - v)
    if isinstance(v, bytes):
        return _head(2, len(v)) + v
    if isinstance(v, str):
        return _head(3, len(v.encode())) + v.encode()
    if isinstance(v, dict):
        return _head(5, len(v)) + b"".join(cbor(k) + cbor(x) for k, x in v.items())
    raise TypeError(v)


class Authenticator:
    """One ES256 passkey, as a platform authenticator with user verification makes it."""

    def __init__(self):
        self.key = ec.generate_private_key(ec.SECP256R1())
        self.cred_id = os.urandom(16)
        self.count = 1

    def _auth_data(self, attested, flags=0x05):
        data = hashlib.sha256(RP.encode()).digest() + bytes([flags | (0x40 if attested else 0)])
        data += struct.pack(">I", self.count)
        if attested:
            nums = self.key.public_key().public_numbers()
            cose = cbor({1: 2, 3: -7, -1: 1, -2: nums.x.to_bytes(32, "big"), -3: nums.y.to_bytes(32, "big")})
            data += b"\0" * 16 + struct.pack(">H", len(self.cred_id)) + self.cred_id + cose
        return data

    @staticmethod
    def _client_data(kind, challenge, origin):
        return json.dumps({"type": kind, "challenge": challenge, "origin": origin, "crossOrigin": False}).encode()

    def register(self, options):
        cd = self._client_data("webauthn.create", options["challenge"], ORIGIN)
        att = cbor({"fmt": "none", "attStmt": {}, "authData": self._auth_data(True)})
        return {
            "id": b64(self.cred_id),
            "rawId": b64(self.cred_id),
            "type": "public-key",
            "authenticatorAttachment": "platform",
            "clientExtensionResults": {},
            "response": {"clientDataJSON": b64(cd), "attestationObject": b64(att), "transports": ["internal"]},
        }

    def assertion(self, options, origin=ORIGIN, flip=False, count=None):
        if count is not None:
            self.count = count
        self.count += 1
        cd = self._client_data("webauthn.get", options["challenge"], origin)
        ad = self._auth_data(False)
        sig = bytearray(self.key.sign(ad + hashlib.sha256(cd).digest(), ec.ECDSA(hashes.SHA256())))
        if flip:
            sig[-1] ^= 1
        return json.dumps(
            {
                "id": b64(self.cred_id),
                "rawId": b64(self.cred_id),
                "type": "public-key",
                "clientExtensionResults": {},
                "response": {"clientDataJSON": b64(cd), "authenticatorData": b64(ad), "signature": b64(bytes(sig))},
            }
        )


@pytest.fixture
def app(idp):
    """A pool with passkeys as a first factor (RP ID localhost) and a client; deleted after."""
    pool = idp.create_user_pool(
        PoolName=unique("e2e-passkey"),
        Policies={"SignInPolicy": {"AllowedFirstAuthFactors": ["PASSWORD", "WEB_AUTHN"]}},
    )["UserPool"]
    idp.set_user_pool_mfa_config(
        UserPoolId=pool["Id"], WebAuthnConfiguration={"RelyingPartyId": RP, "UserVerification": "required"}
    )
    client = idp.create_user_pool_client(UserPoolId=pool["Id"], ClientName="c", ExplicitAuthFlows=FLOWS)
    yield {"pool": pool["Id"], "client": client["UserPoolClient"]["ClientId"]}
    idp.delete_user_pool(UserPoolId=pool["Id"])


def user_token(idp, app, name):
    idp.admin_create_user(UserPoolId=app["pool"], Username=name, MessageAction="SUPPRESS")
    idp.admin_set_user_password(UserPoolId=app["pool"], Username=name, Password=PASSWORD, Permanent=True)
    r = idp.initiate_auth(
        ClientId=app["client"], AuthFlow="USER_PASSWORD_AUTH", AuthParameters={"USERNAME": name, "PASSWORD": PASSWORD}
    )
    return r["AuthenticationResult"]["AccessToken"]


def register(idp, token, auth):
    options = idp.start_web_authn_registration(AccessToken=token)["CredentialCreationOptions"]
    idp.complete_web_authn_registration(AccessToken=token, Credential=auth.register(options))
    return options


def error_code(exc_info):
    return exc_info.value.response["Error"]["Code"]


def test_register_list_factors_delete(idp, app):
    token = user_token(idp, app, "alice")
    auth = Authenticator()
    options = register(idp, token, auth)
    assert options["rp"] == {"id": RP, "name": RP}
    assert [p["alg"] for p in options["pubKeyCredParams"]] == [-7, -257]
    assert options["authenticatorSelection"]["userVerification"] == "required"
    creds = idp.list_web_authn_credentials(AccessToken=token)["Credentials"]
    assert len(creds) == 1
    assert creds[0]["CredentialId"] == b64(auth.cred_id)
    assert creds[0]["RelyingPartyId"] == RP
    assert creds[0]["AuthenticatorAttachment"] == "platform"
    assert creds[0]["AuthenticatorTransports"] == ["internal"]
    factors = idp.get_user_auth_factors(AccessToken=token)
    assert factors["ConfiguredUserAuthFactors"] == ["PASSWORD", "WEB_AUTHN"]
    # The same passkey again: the Start excludes it; completing it anyway is refused.
    options = idp.start_web_authn_registration(AccessToken=token)["CredentialCreationOptions"]
    assert options["excludeCredentials"] == [{"type": "public-key", "id": b64(auth.cred_id)}]
    with pytest.raises(idp.exceptions.ClientError) as e:
        idp.complete_web_authn_registration(AccessToken=token, Credential=auth.register(options))
    assert error_code(e) == "InvalidParameterException"
    with pytest.raises(idp.exceptions.ResourceNotFoundException):
        idp.delete_web_authn_credential(AccessToken=token, CredentialId="nope")
    idp.delete_web_authn_credential(AccessToken=token, CredentialId=b64(auth.cred_id))
    assert idp.list_web_authn_credentials(AccessToken=token)["Credentials"] == []


def test_registration_refusals(idp, app):
    token = user_token(idp, app, "bob")
    auth = Authenticator()
    with pytest.raises(idp.exceptions.ClientError) as e:
        idp.complete_web_authn_registration(AccessToken=token, Credential=auth.register({"challenge": "x"}))
    assert error_code(e) == "WebAuthnChallengeNotFoundException"
    options = idp.start_web_authn_registration(AccessToken=token)["CredentialCreationOptions"]
    cred = auth.register(options)
    cd = json.loads(base64.urlsafe_b64decode(cred["response"]["clientDataJSON"] + "=="))
    cd["origin"] = "https://evil.example"
    cred["response"]["clientDataJSON"] = b64(json.dumps(cd).encode())
    with pytest.raises(idp.exceptions.ClientError) as e:
        idp.complete_web_authn_registration(AccessToken=token, Credential=cred)
    assert error_code(e) == "WebAuthnOriginNotAllowedException"


def web_authn_challenge(idp, app, name):
    """InitiateAuth USER_AUTH preferring WEB_AUTHN: (session, request options); skips the test
    when the server has no USER_AUTH yet."""
    try:
        r = idp.initiate_auth(
            ClientId=app["client"],
            AuthFlow="USER_AUTH",
            AuthParameters={"USERNAME": name, "PREFERRED_CHALLENGE": "WEB_AUTHN"},
        )
    except idp.exceptions.ClientError as exc:
        if "does not implement" in str(exc):
            pytest.skip("this server has no USER_AUTH")
        raise
    assert r["ChallengeName"] == "WEB_AUTHN"
    return r["Session"], json.loads(r["ChallengeParameters"]["CREDENTIAL_REQUEST_OPTIONS"])


def answer(idp, app, name, session, credential):
    return idp.respond_to_auth_challenge(
        ClientId=app["client"],
        ChallengeName="WEB_AUTHN",
        Session=session,
        ChallengeResponses={"USERNAME": name, "CREDENTIAL": credential},
    )


def test_sign_in_with_passkey_and_refusals(idp, app):
    alice, bob = Authenticator(), Authenticator()
    register(idp, user_token(idp, app, "carol"), alice)
    register(idp, user_token(idp, app, "dave"), bob)
    session, options = web_authn_challenge(idp, app, "carol")
    assert options["rpId"] == RP
    assert options["timeout"] == 180000
    assert options["userVerification"] == "required"
    assert options["allowCredentials"] == [{"type": "public-key", "id": b64(alice.cred_id), "transports": ["internal"]}]
    for bad in (
        alice.assertion(options, flip=True),
        alice.assertion(options, origin="https://evil.example"),
        bob.assertion(options),
    ):
        with pytest.raises(idp.exceptions.NotAuthorizedException):
            answer(idp, app, "carol", session, bad)
    seen = alice.count
    r = answer(idp, app, "carol", session, alice.assertion(options))
    assert r["AuthenticationResult"]["AccessToken"]
    session, options = web_authn_challenge(idp, app, "carol")
    with pytest.raises(idp.exceptions.NotAuthorizedException):
        answer(idp, app, "carol", session, alice.assertion(options, count=seen))
