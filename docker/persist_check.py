#!/usr/bin/env python3
"""Check that users and signing keys survive a container restart (stdlib only).

    persist_check.py seed   ENDPOINT STATE_FILE   create a pool, client and user; sign in
    persist_check.py verify ENDPOINT STATE_FILE   after a restart: same pool, user, keys

Prints one line per check ("ok ..." / "FAIL ...") and a last line "N passed, N failed".
"""
import base64
import json
import sys
import urllib.error
import urllib.request

PASSWORD = "Persist-1234!"
passed = failed = 0


def check(ok, what):
    global passed, failed
    if ok:
        passed += 1
        print(f"ok {what}")
    else:
        failed += 1
        print(f"FAIL {what}")


def call(endpoint, target, body):
    service = "AWSCognitoIdentityProviderService"
    req = urllib.request.Request(endpoint + "/", data=json.dumps(body).encode(), method="POST",
                                 headers={"Content-Type": "application/x-amz-json-1.1",
                                          "X-Amz-Target": f"{service}.{target}"})
    try:
        with urllib.request.urlopen(req, timeout=10) as resp:
            return resp.status, json.load(resp)
    except urllib.error.HTTPError as err:
        return err.code, json.load(err)


def get_json(url):
    with urllib.request.urlopen(url, timeout=10) as resp:
        return json.load(resp)


def kid_of(token):
    header = token.split(".")[0]
    return json.loads(base64.urlsafe_b64decode(header + "=" * (-len(header) % 4)))["kid"]


def sign_in(endpoint, state):
    status, out = call(endpoint, "AdminInitiateAuth", {
        "UserPoolId": state["pool"], "ClientId": state["client"],
        "AuthFlow": "ADMIN_USER_PASSWORD_AUTH",
        "AuthParameters": {"USERNAME": "persisted", "PASSWORD": PASSWORD}})
    return status, out.get("AuthenticationResult", {})


def seed(endpoint, path):
    _, out = call(endpoint, "CreateUserPool", {"PoolName": "persist"})
    pool = out["UserPool"]["Id"]
    _, out = call(endpoint, "CreateUserPoolClient", {
        "UserPoolId": pool, "ClientName": "persist",
        "ExplicitAuthFlows": ["ALLOW_ADMIN_USER_PASSWORD_AUTH", "ALLOW_REFRESH_TOKEN_AUTH"]})
    client = out["UserPoolClient"]["ClientId"]
    call(endpoint, "SignUp", {"ClientId": client, "Username": "persisted", "Password": PASSWORD})
    call(endpoint, "AdminConfirmSignUp", {"UserPoolId": pool, "Username": "persisted"})
    state = {"pool": pool, "client": client}
    status, result = sign_in(endpoint, state)
    check(status == 200 and "AccessToken" in result, "sign in before the restart")
    state["access_token"] = result.get("AccessToken", "")
    state["refresh_token"] = result.get("RefreshToken", "")
    state["jwks"] = get_json(f"{endpoint}/{pool}/.well-known/jwks.json")
    with open(path, "w") as f:
        json.dump(state, f)


def verify(endpoint, path):
    with open(path) as f:
        state = json.load(f)
    status, _ = call(endpoint, "DescribeUserPool", {"UserPoolId": state["pool"]})
    check(status == 200, "the user pool survived the restart")
    status, out = call(endpoint, "AdminGetUser", {"UserPoolId": state["pool"],
                                                 "Username": "persisted"})
    check(status == 200 and out.get("UserStatus") == "CONFIRMED", "the user survived")
    jwks = get_json(f"{endpoint}/{state['pool']}/.well-known/jwks.json")
    check(jwks == state["jwks"], "the signing keys survived (same JWKS)")
    status, out = call(endpoint, "GetUser", {"AccessToken": state["access_token"]})
    check(status == 200 and out.get("Username") == "persisted",
          "an access token issued before the restart is still accepted")
    status, result = sign_in(endpoint, state)
    check(status == 200 and kid_of(result.get("IdToken", "x.x")) in
          [k["kid"] for k in jwks["keys"]], "the password still works; new tokens use the same keys")
    status, out = call(endpoint, "InitiateAuth", {
        "ClientId": state["client"], "AuthFlow": "REFRESH_TOKEN_AUTH",
        "AuthParameters": {"REFRESH_TOKEN": state["refresh_token"]}})
    check(status == 200, "a refresh token issued before the restart still refreshes")


def main():
    phase, endpoint, path = sys.argv[1:4]
    (seed if phase == "seed" else verify)(endpoint.rstrip("/"), path)
    print(f"{passed} passed, {failed} failed")
    sys.exit(0 if failed == 0 else 1)


if __name__ == "__main__":
    main()
