"""End-to-end suite: remembered devices through boto3 against a running cognito-emu
(../shared/user-auth-passkeys.md section 4): NewDeviceMetadata after a sign-in in a pool that
tracks devices, ConfirmDevice, and the Admin operations AdminGetDevice, AdminListDevices,
AdminUpdateDeviceStatus and AdminForgetDevice with the user's view (GetDevice, ListDevices)
beside them, and "Device does not exist." for a forgotten key, in the operations and in
sign-in. The device SRP sign-in itself is driven by amazon-cognito-identity-js
(amplify/devices.test.mjs). The endpoint comes from COG_EMU_ENDPOINT; without it every test is
skipped.
Run with: python3 -m pytest -q tests/e2e/test_boto3_devices.py
"""

import base64
import re
import secrets

import pytest
from e2elib import NEEDS_ENDPOINT, idp, unique  # noqa: F401

pytest.importorskip("boto3")
from botocore.exceptions import ClientError  # noqa: E402

pytestmark = NEEDS_ENDPOINT

PASSWORD = "Passw0rd!e2e"
FLOWS = ["ALLOW_USER_PASSWORD_AUTH", "ALLOW_REFRESH_TOKEN_AUTH"]
NO_DEVICE = "Device does not exist."


@pytest.fixture
def app(idp):
    """A pool that remembers every confirmed device ("Always"), a password client and alice."""
    pool = idp.create_user_pool(
        PoolName=unique("e2e-devices"), DeviceConfiguration={"DeviceOnlyRememberedOnUserPrompt": False}
    )["UserPool"]
    client = idp.create_user_pool_client(UserPoolId=pool["Id"], ClientName="c", ExplicitAuthFlows=FLOWS)
    idp.admin_create_user(UserPoolId=pool["Id"], Username="alice", MessageAction="SUPPRESS")
    idp.admin_set_user_password(UserPoolId=pool["Id"], Username="alice", Password=PASSWORD, Permanent=True)
    yield {"pool": pool["Id"], "client": client["UserPoolClient"]["ClientId"]}
    idp.delete_user_pool(UserPoolId=pool["Id"])


def sign_in(idp, app, device_key=None):
    params = {"USERNAME": "alice", "PASSWORD": PASSWORD}
    if device_key:
        params["DEVICE_KEY"] = device_key
    return idp.initiate_auth(ClientId=app["client"], AuthFlow="USER_PASSWORD_AUTH", AuthParameters=params)


def verifier_config():
    """A salt and a verifier below the 3072-bit SRP prime, base64 of big-endian bytes."""
    return {
        "Salt": base64.b64encode(secrets.token_bytes(16)).decode(),
        "PasswordVerifier": base64.b64encode(b"\x01" + secrets.token_bytes(255)).decode(),
    }


def new_device(idp, app):
    """Sign in, confirm the device it minted: (device key, access token)."""
    result = sign_in(idp, app)["AuthenticationResult"]
    meta = result["NewDeviceMetadata"]
    assert re.fullmatch(r"us-east-1_[0-9a-f-]{36}", meta["DeviceKey"])
    assert meta["DeviceGroupKey"]
    confirmed = idp.confirm_device(
        AccessToken=result["AccessToken"],
        DeviceKey=meta["DeviceKey"],
        DeviceSecretVerifierConfig=verifier_config(),
        DeviceName="laptop",
    )
    assert confirmed["UserConfirmationNecessary"] is False
    return meta["DeviceKey"], result["AccessToken"]


def attrs(device):
    return {a["Name"]: a["Value"] for a in device["DeviceAttributes"]}


def assert_error(excinfo, code, message=None):
    err = excinfo.value.response["Error"]
    assert err["Code"] == code
    if message is not None:
        assert err["Message"] == message


def test_admin_sees_confirmed_devices_and_changes_them(idp, app):
    key, access = new_device(idp, app)
    device = idp.admin_get_device(UserPoolId=app["pool"], Username="alice", DeviceKey=key)["Device"]
    a = attrs(device)
    assert a["device_name"] == "laptop"
    assert a["device_status"] == "valid"
    assert a["dev:device_remembered_status"] == "remembered"
    assert a["dev:device_owner"] == f"alice.{app['pool']}"
    assert a["dev:device_arn"].endswith(f":owner/alice.{app['pool']}/device/{key}")
    assert device["DeviceCreateDate"] and device["DeviceLastModifiedDate"]
    listed = idp.admin_list_devices(UserPoolId=app["pool"], Username="alice")["Devices"]
    assert [d["DeviceKey"] for d in listed] == [key]
    assert [d["DeviceKey"] for d in idp.list_devices(AccessToken=access, Limit=60)["Devices"]] == [key]

    idp.admin_update_device_status(
        UserPoolId=app["pool"], Username="alice", DeviceKey=key, DeviceRememberedStatus="not_remembered"
    )
    device = idp.admin_get_device(UserPoolId=app["pool"], Username="alice", DeviceKey=key)["Device"]
    assert attrs(device)["dev:device_remembered_status"] == "not_remembered"
    assert idp.list_devices(AccessToken=access)["Devices"] == []
    with pytest.raises(idp.exceptions.ResourceNotFoundException) as e:
        idp.get_device(AccessToken=access, DeviceKey=key)
    assert_error(e, "ResourceNotFoundException", NO_DEVICE)
    # Not every botocore models DeviceKeyExistsException for ConfirmDevice: read the code.
    with pytest.raises(ClientError) as e:
        idp.confirm_device(AccessToken=access, DeviceKey=key, DeviceSecretVerifierConfig=verifier_config())
    assert_error(e, "DeviceKeyExistsException")


def test_forgotten_device_does_not_exist(idp, app):
    key, access = new_device(idp, app)
    # A sign-in naming a remembered device is asked the device's SRP (also without MFA: the
    # emulator's choice, see auth/auth_device.c).
    assert sign_in(idp, app, key)["ChallengeName"] == "DEVICE_SRP_AUTH"
    idp.admin_forget_device(UserPoolId=app["pool"], Username="alice", DeviceKey=key)
    for call in (
        lambda: idp.admin_get_device(UserPoolId=app["pool"], Username="alice", DeviceKey=key),
        lambda: idp.admin_forget_device(UserPoolId=app["pool"], Username="alice", DeviceKey=key),
        lambda: idp.forget_device(AccessToken=access, DeviceKey=key),
        lambda: sign_in(idp, app, key),
    ):
        with pytest.raises(idp.exceptions.ResourceNotFoundException) as e:
            call()
        assert_error(e, "ResourceNotFoundException", NO_DEVICE)
    assert idp.admin_list_devices(UserPoolId=app["pool"], Username="alice")["Devices"] == []


def test_admin_device_operations_name_the_user(idp, app):
    key, _ = new_device(idp, app)
    with pytest.raises(idp.exceptions.UserNotFoundException):
        idp.admin_list_devices(UserPoolId=app["pool"], Username="nobody")
    with pytest.raises(idp.exceptions.UserNotFoundException):
        idp.admin_get_device(UserPoolId=app["pool"], Username="nobody", DeviceKey=key)


def test_confirm_device_refuses_a_zero_verifier(idp, app):
    result = sign_in(idp, app)["AuthenticationResult"]
    with pytest.raises(idp.exceptions.InvalidParameterException):
        idp.confirm_device(
            AccessToken=result["AccessToken"],
            DeviceKey=result["NewDeviceMetadata"]["DeviceKey"],
            DeviceSecretVerifierConfig={"Salt": "AQID", "PasswordVerifier": "AA=="},
        )


def test_untracked_pool_mints_no_device(idp):
    pool = idp.create_user_pool(PoolName=unique("e2e-no-devices"))["UserPool"]
    try:
        client = idp.create_user_pool_client(UserPoolId=pool["Id"], ClientName="c", ExplicitAuthFlows=FLOWS)
        idp.admin_create_user(UserPoolId=pool["Id"], Username="bob", MessageAction="SUPPRESS")
        idp.admin_set_user_password(UserPoolId=pool["Id"], Username="bob", Password=PASSWORD, Permanent=True)
        result = idp.initiate_auth(
            ClientId=client["UserPoolClient"]["ClientId"],
            AuthFlow="USER_PASSWORD_AUTH",
            AuthParameters={"USERNAME": "bob", "PASSWORD": PASSWORD},
        )["AuthenticationResult"]
        assert "NewDeviceMetadata" not in result
    finally:
        idp.delete_user_pool(UserPoolId=pool["Id"])
