// amazon-cognito-identity-js against the emulator, unmodified: authenticateUser with its default
// flow (USER_SRP_AUTH: InitiateAuth, then RespondToAuthChallenge PASSWORD_VERIFIER with the
// library's own SRP arithmetic), a wrong password, getSession, refreshSession,
// getUserAttributes, signOut, a new-password challenge, a pool that signs in by email, and
// PreventUserExistenceErrors.
//
// Run with: COG_EMU_ENDPOINT=http://127.0.0.1:PORT node --test identity-js.test.mjs (Node 18+)
import { test } from "node:test";
import assert from "node:assert/strict";

import {
  AuthenticationDetails,
  CognitoUser,
  CognitoUserPool,
  CognitoUserSession,
} from "amazon-cognito-identity-js";

import { ENDPOINT, skip, makePool, idp, unique, recordCalls, claims } from "./emu.mjs";

const PASSWORD = "Passw0rd!srp";
const TIMEOUT = 60_000;
const opts = { skip, timeout: TIMEOUT };
const calls = recordCalls();

function userPool(poolId, clientId) {
  return new CognitoUserPool({ UserPoolId: poolId, ClientId: clientId, endpoint: ENDPOINT });
}

// authenticateUser as a promise: { session } or { newPassword: { userAttributes, ... } }.
function authenticate(user, username, password) {
  return new Promise((resolve, reject) => {
    user.authenticateUser(new AuthenticationDetails({ Username: username, Password: password }), {
      onSuccess: (session) => resolve({ session }),
      onFailure: reject,
      newPasswordRequired: (userAttributes, requiredAttributes) =>
        resolve({ newPassword: { userAttributes, requiredAttributes } }),
    });
  });
}

const promisify =
  (fn) =>
  (...args) =>
    new Promise((resolve, reject) =>
      fn(...args, (err, value) => (err ? reject(err) : resolve(value))),
    );

// A confirmed user made through the API: SignUp, then AdminConfirmSignUp.
async function confirmedUser(poolId, clientId, username, attributes = {}) {
  await idp("SignUp", {
    ClientId: clientId,
    Username: username,
    Password: PASSWORD,
    UserAttributes: Object.entries(attributes).map(([Name, Value]) => ({ Name, Value })),
  });
  await idp("AdminConfirmSignUp", { UserPoolId: poolId, Username: username });
}

const targetsOf = (list) => list.map((c) => c.target.split(".")[1]);

test("amazon-cognito-identity-js", opts, async (t) => {
  const { poolId, clientId } = await makePool();
  const pool = userPool(poolId, clientId);
  const username = unique("alice");
  await confirmedUser(poolId, clientId, username, { email: `${username}@example.com` });
  let session;

  await t.test("authenticateUser signs in with USER_SRP_AUTH", async () => {
    const user = new CognitoUser({ Username: username, Pool: pool });
    assert.equal(user.getAuthenticationFlowType(), "USER_SRP_AUTH");
    calls.length = 0;
    ({ session } = await authenticate(user, username, PASSWORD));
    assert.ok(session instanceof CognitoUserSession);
    assert.ok(session.isValid());
    // What went over the wire: the SRP exchange, not a password.
    assert.deepEqual(targetsOf(calls), ["InitiateAuth", "RespondToAuthChallenge"]);
    assert.equal(calls[0].body.AuthFlow, "USER_SRP_AUTH");
    assert.match(calls[0].body.AuthParameters.SRP_A, /^[0-9a-f]{500,}$/);
    assert.equal(calls[0].body.AuthParameters.PASSWORD, undefined);
    assert.equal(calls[1].body.ChallengeName, "PASSWORD_VERIFIER");
    assert.match(
      calls[1].body.ChallengeResponses.TIMESTAMP,
      /^\w{3} \w{3} [1-9]\d? \d\d:\d\d:\d\d UTC \d{4}$/,
    );
    const id = claims(session.getIdToken().getJwtToken());
    assert.equal(id["cognito:username"], username);
    assert.equal(id.aud, clientId);
    assert.equal(id.token_use, "id");
    assert.equal(claims(session.getAccessToken().getJwtToken()).client_id, clientId);
  });

  await t.test("a wrong password is refused", async () => {
    const user = new CognitoUser({ Username: username, Pool: pool });
    await assert.rejects(authenticate(user, username, "Wr0ng!password"), (err) => {
      assert.equal(err.code, "NotAuthorizedException");
      assert.equal(err.message, "Incorrect username or password.");
      return true;
    });
  });

  await t.test("getSession reads the stored session back", async () => {
    const current = pool.getCurrentUser();
    assert.ok(current, "the signed-in user is remembered");
    assert.equal(current.getUsername(), username);
    const again = await promisify(current.getSession.bind(current))();
    assert.ok(again.isValid());
    assert.equal(again.getAccessToken().getJwtToken(), session.getAccessToken().getJwtToken());
  });

  await t.test("refreshSession gets new tokens with the same auth_time", async () => {
    const current = pool.getCurrentUser();
    await promisify(current.getSession.bind(current))();
    calls.length = 0;
    const fresh = await promisify(current.refreshSession.bind(current))(session.getRefreshToken());
    assert.deepEqual(targetsOf(calls), ["InitiateAuth"]);
    assert.equal(calls[0].body.AuthFlow, "REFRESH_TOKEN_AUTH");
    const before = claims(session.getAccessToken().getJwtToken());
    const after = claims(fresh.getAccessToken().getJwtToken());
    assert.notEqual(after.jti, before.jti);
    assert.equal(after.auth_time, before.auth_time);
    assert.equal(after.origin_jti, before.origin_jti);
    session = fresh;
  });

  await t.test("getUserAttributes reads the user with the access token", async () => {
    const current = pool.getCurrentUser();
    await promisify(current.getSession.bind(current))();
    const attrs = await promisify(current.getUserAttributes.bind(current))();
    const byName = Object.fromEntries(attrs.map((a) => [a.getName(), a.getValue()]));
    assert.equal(byName.email, `${username}@example.com`);
    assert.match(byName.sub, /^[0-9a-f-]{36}$/);
  });

  await t.test("signOut forgets the session", async () => {
    const current = pool.getCurrentUser();
    current.signOut();
    assert.equal(pool.getCurrentUser(), null);
  });
});

test("amazon-cognito-identity-js: a temporary password asks for a new one", opts, async () => {
  const { poolId, clientId } = await makePool();
  const pool = userPool(poolId, clientId);
  const username = unique("temp");
  await idp("AdminCreateUser", {
    UserPoolId: poolId,
    Username: username,
    TemporaryPassword: PASSWORD,
    MessageAction: "SUPPRESS",
  });
  const user = new CognitoUser({ Username: username, Pool: pool });
  const first = await authenticate(user, username, PASSWORD);
  assert.ok(first.newPassword, "NEW_PASSWORD_REQUIRED after the SRP verifier");
  const newPassword = "N3w-Passw0rd!srp";
  const session = await new Promise((resolve, reject) =>
    user.completeNewPasswordChallenge(newPassword, {}, { onSuccess: resolve, onFailure: reject }),
  );
  assert.ok(session.isValid());
  // The new password signs in with SRP; the temporary one no longer does.
  const again = new CognitoUser({ Username: username, Pool: pool });
  assert.ok((await authenticate(again, username, newPassword)).session.isValid());
  await assert.rejects(authenticate(again, username, PASSWORD), { code: "NotAuthorizedException" });
});

test("amazon-cognito-identity-js: a pool that signs in by email", opts, async () => {
  const { poolId, clientId } = await makePool({ UsernameAttributes: ["email"] });
  const pool = userPool(poolId, clientId);
  const email = `${unique("erin")}@example.com`;
  await confirmedUser(poolId, clientId, email, { email });
  const user = new CognitoUser({ Username: email, Pool: pool });
  const { session } = await authenticate(user, email, PASSWORD);
  // USER_ID_FOR_SRP is the user's UUID username, which the library then signs with.
  const id = claims(session.getIdToken().getJwtToken());
  assert.match(id["cognito:username"], /^[0-9a-f-]{36}$/);
  assert.equal(id.email, email);
  assert.equal(user.getUsername(), id["cognito:username"]);
});

test("amazon-cognito-identity-js: unknown users", opts, async () => {
  const nobody = ({ poolId, clientId }) =>
    authenticate(
      new CognitoUser({ Username: "nobody", Pool: userPool(poolId, clientId) }),
      "nobody",
      PASSWORD,
    );
  await assert.rejects(nobody(await makePool()), {
    code: "UserNotFoundException",
    message: "User does not exist.",
  });
  // PreventUserExistenceErrors: a challenge like a real one, refused at the verifier.
  const hiding = await makePool({}, { PreventUserExistenceErrors: "ENABLED" });
  calls.length = 0;
  await assert.rejects(nobody(hiding), {
    code: "NotAuthorizedException",
    message: "Incorrect username or password.",
  });
  assert.deepEqual(targetsOf(calls), ["InitiateAuth", "RespondToAuthChallenge"]);
});
