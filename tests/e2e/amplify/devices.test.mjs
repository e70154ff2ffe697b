// Remembered devices through amazon-cognito-identity-js, unmodified: in a pool that tracks
// devices ("User opt-in") and asks SMS MFA, a sign-in with MFA makes the library confirm the new
// device (ConfirmDevice with its own SRP verifier: userConfirmationNecessary), the app remembers
// it (setDeviceStatusRemembered), getDevice and listDevices show it; after signing out, the next
// sign-in is not asked MFA: the library answers DEVICE_SRP_AUTH and DEVICE_PASSWORD_VERIFIER with
// the device's secret; after forgetDevice the next sign-in asks MFA again.
//
// Run with: COG_EMU_ENDPOINT=http://127.0.0.1:PORT node --test devices.test.mjs (Node 18+)
import { test } from "node:test";
import assert from "node:assert/strict";

import { AuthenticationDetails, CognitoUser, CognitoUserPool } from "amazon-cognito-identity-js";

import { skip, ENDPOINT, makePool, makeUser, idp, unique, sentCode, recordCalls, claims } from "./emu.mjs";

const PASSWORD = "Passw0rd!device";
const opts = { skip, timeout: 60_000 };
const calls = recordCalls();

// A pool that remembers devices on the user's word and requires SMS MFA, and alice in it.
async function devicePool() {
  const { poolId, clientId } = await makePool(
    { DeviceConfiguration: { ChallengeRequiredOnNewDevice: true, DeviceOnlyRememberedOnUserPrompt: true } },
    { ExplicitAuthFlows: ["ALLOW_USER_SRP_AUTH", "ALLOW_REFRESH_TOKEN_AUTH"] },
  );
  await idp("SetUserPoolMfaConfig", {
    UserPoolId: poolId,
    MfaConfiguration: "ON",
    SmsMfaConfiguration: { SmsConfiguration: { SnsCallerArn: "arn:aws:iam::123456789012:role/sns", ExternalId: "x" } },
  });
  const username = unique("alice");
  await makeUser(poolId, username, PASSWORD, [{ Name: "phone_number", Value: "+15555550123" }]);
  const pool = new CognitoUserPool({ UserPoolId: poolId, ClientId: clientId, endpoint: ENDPOINT });
  return { poolId, pool, username };
}

// authenticateUser (USER_SRP_AUTH) answering SMS MFA with the code from the inbox. Resolves to
// { session, userConfirmationNecessary, askedMfa }.
function signIn(user, poolId, username) {
  let askedMfa = false;
  return new Promise((resolve, reject) => {
    const callbacks = {
      onSuccess: (session, userConfirmationNecessary) =>
        resolve({ session, userConfirmationNecessary, askedMfa }),
      onFailure: reject,
      mfaRequired: async () => {
        askedMfa = true;
        try {
          user.sendMFACode(await sentCode(poolId, [username]), callbacks);
        } catch (err) {
          reject(err);
        }
      },
    };
    user.authenticateUser(new AuthenticationDetails({ Username: username, Password: PASSWORD }), callbacks);
  });
}

// A callback-style library method as a promise.
const promised = (fn) =>
  new Promise((resolve, reject) => fn({ onSuccess: resolve, onFailure: reject }));

const challenges = () =>
  calls.filter((c) => c.target.endsWith("RespondToAuthChallenge")).map((c) => c.body.ChallengeName);

test("a remembered device replaces MFA until it is forgotten", opts, async () => {
  const { poolId, pool, username } = await devicePool();

  // First sign-in: MFA, then the library confirms the device NewDeviceMetadata named.
  const first = new CognitoUser({ Username: username, Pool: pool });
  const one = await signIn(first, poolId, username);
  assert.equal(one.askedMfa, true);
  assert.equal(one.userConfirmationNecessary, true);
  assert.match(first.deviceKey, /^us-east-1_[0-9a-f-]{36}$/);
  const deviceKey = first.deviceKey;
  assert.equal(claims(one.session.getAccessToken().getJwtToken()).device_key, deviceKey);
  assert.equal(await promised((cb) => first.setDeviceStatusRemembered(cb)), "SUCCESS");
  const got = await promised((cb) => first.getDevice(cb));
  assert.equal(got.Device.DeviceKey, deviceKey);
  const remembered = got.Device.DeviceAttributes.find((a) => a.Name === "dev:device_remembered_status");
  assert.equal(remembered.Value, "remembered");
  const listed = await new Promise((resolve, reject) =>
    first.listDevices(60, null, { onSuccess: resolve, onFailure: reject }),
  );
  assert.deepEqual(listed.Devices.map((d) => d.DeviceKey), [deviceKey]);
  first.signOut();

  // Second sign-in, a new CognitoUser reading the device from the library's storage: no MFA,
  // the device's SRP instead.
  calls.length = 0;
  const second = new CognitoUser({ Username: username, Pool: pool });
  const two = await signIn(second, poolId, username);
  assert.equal(two.askedMfa, false);
  assert.deepEqual(challenges(), ["PASSWORD_VERIFIER", "DEVICE_SRP_AUTH", "DEVICE_PASSWORD_VERIFIER"]);
  assert.equal(claims(two.session.getAccessToken().getJwtToken()).device_key, deviceKey);
  assert.equal(second.deviceKey, deviceKey);

  // Forgotten: gone for the service, and MFA again (with a new device) at the next sign-in.
  assert.equal(await promised((cb) => second.forgetDevice(cb)), "SUCCESS");
  const gone = await idp("AdminListDevices", { UserPoolId: poolId, Username: username });
  assert.deepEqual(gone.Devices, []);
  second.signOut();
  calls.length = 0;
  const third = new CognitoUser({ Username: username, Pool: pool });
  const three = await signIn(third, poolId, username);
  assert.equal(three.askedMfa, true);
  assert.ok(!challenges().includes("DEVICE_SRP_AUTH"));
  assert.notEqual(third.deviceKey, deviceKey);
});

// The library's own retry after "Device does not exist." (amazon-cognito-identity-js#205):
// it drops its stored device and answers PASSWORD_VERIFIER again with "DEVICE_KEY": null, which
// the emulator takes as absent in a sign-in's parameters (server/aws/params.c).
test("a device forgotten elsewhere: the library drops its stored key and signs in with MFA", opts, async () => {
  const { poolId, pool, username } = await devicePool();
  const first = new CognitoUser({ Username: username, Pool: pool });
  await signIn(first, poolId, username);
  await promised((cb) => first.setDeviceStatusRemembered(cb));
  const stale = first.deviceKey;
  // Forgotten behind the library's back (an administrator): its stored key is now unknown.
  await idp("AdminForgetDevice", { UserPoolId: poolId, Username: username, DeviceKey: stale });
  first.signOut();
  const second = new CognitoUser({ Username: username, Pool: pool });
  calls.length = 0;
  const again = await signIn(second, poolId, username);
  assert.equal(again.askedMfa, true);
  assert.notEqual(second.deviceKey, stale);
  // The retry really happened: two PASSWORD_VERIFIER answers, the second with a null key.
  const verifiers = calls.filter((c) => c.body.ChallengeName === "PASSWORD_VERIFIER");
  assert.equal(verifiers.length, 2);
  assert.equal(verifiers[1].body.ChallengeResponses.DEVICE_KEY, null);
});
