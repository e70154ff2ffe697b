// Amplify v6 (aws-amplify, the library Amplify apps use) against the emulator, in Node, with
// the configuration an app gives it plus userPoolEndpoint and identityPoolEndpoint: signUp ->
// confirmSignUp with the code the emulator sent -> signIn (USER_SRP_AUTH, Amplify's default) ->
// fetchAuthSession (tokens, and identity-pool credentials) -> fetchUserAttributes -> token
// refresh (fetchAuthSession({ forceRefresh: true }), which calls GetTokensFromRefreshToken) ->
// signOut.
//
// Identity-pool credentials need GetId and GetCredentialsForIdentity. When the server answers
// them with UnsupportedOperationException the identity pool is left out of the configuration
// and that one check is skipped, saying why; the tokens are always checked.
//
// Run with (Node 18+):
//   COG_EMU_ENDPOINT=http://127.0.0.1:PORT COG_EMU_LOG=server.log node --test amplify.test.mjs
import "./node-shims.mjs"; // first: Web Crypto for Node 18 (see the file)
import { test } from "node:test";
import assert from "node:assert/strict";

import { Amplify } from "aws-amplify";
import {
  signUp,
  confirmSignUp,
  signIn,
  signOut,
  getCurrentUser,
  fetchAuthSession,
  fetchUserAttributes,
} from "aws-amplify/auth";

import {
  ENDPOINT,
  REGION,
  skip,
  makePool,
  call,
  sentCode,
  unique,
  recordCalls,
  claims,
} from "./emu.mjs";

const PASSWORD = "Passw0rd!amplify";
const TIMEOUT = 60_000;
const UUID_RE = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;
const calls = recordCalls();
const targetsOf = (list) => list.map((c) => c.target.split(".")[1]);

// Why identity-pool credentials cannot be fetched from this server, or null when they can.
async function identityPoolsMissing() {
  const id = `${REGION}:00000000-0000-4000-8000-000000000000`;
  for (const [op, input] of [
    ["GetId", { IdentityPoolId: id }],
    ["GetCredentialsForIdentity", { IdentityId: id }],
  ]) {
    const { body } = await call("identity", op, input);
    if (body.__type === "UnsupportedOperationException") return `${op}: ${body.message}`;
  }
  return null;
}

test("Amplify v6: sign-up to sign-out with SRP", { skip, timeout: TIMEOUT }, async (t) => {
  // A pool as Amplify apps make them: sign-in by email, email verified with a code.
  const { poolId, clientId } = await makePool({
    UsernameAttributes: ["email"],
    AutoVerifiedAttributes: ["email"],
  });
  const noIdentity = await identityPoolsMissing();
  let identityPoolId;
  if (!noIdentity) {
    const { status, body } = await call("identity", "CreateIdentityPool", {
      IdentityPoolName: unique("srp").replace(/-/g, "_"),
      AllowUnauthenticatedIdentities: false,
      CognitoIdentityProviders: [
        { ProviderName: `cognito-idp.${REGION}.amazonaws.com/${poolId}`, ClientId: clientId },
      ],
    });
    assert.equal(status, 200, JSON.stringify(body));
    identityPoolId = body.IdentityPoolId;
    // Without a role for signed-in users Cognito refuses credentials
    // (InvalidIdentityPoolConfigurationException), as real pools need one.
    const roles = await call("identity", "SetIdentityPoolRoles", {
      IdentityPoolId: identityPoolId,
      Roles: { authenticated: "arn:aws:iam::123456789012:role/srp-e2e-authenticated" },
    });
    assert.equal(roles.status, 200, JSON.stringify(roles.body));
  }
  Amplify.configure({
    Auth: {
      Cognito: {
        userPoolId: poolId,
        userPoolClientId: clientId,
        userPoolEndpoint: ENDPOINT,
        identityPoolEndpoint: ENDPOINT,
        ...(identityPoolId ? { identityPoolId } : {}),
        loginWith: { email: true },
        signUpVerificationMethod: "code",
      },
    },
  });
  const email = `${unique("amy")}@example.com`;
  let userId, tokens;

  await t.test("signUp sends a code", async () => {
    const result = await signUp({
      username: email,
      password: PASSWORD,
      options: { userAttributes: { email } },
    });
    assert.equal(result.isSignUpComplete, false);
    assert.equal(result.nextStep.signUpStep, "CONFIRM_SIGN_UP");
    assert.equal(result.nextStep.codeDeliveryDetails.deliveryMedium, "EMAIL");
    assert.match(result.userId, UUID_RE);
    userId = result.userId;
  });

  await t.test("confirmSignUp with the code the emulator sent", async () => {
    const code = await sentCode(poolId, [userId, email]);
    const result = await confirmSignUp({ username: email, confirmationCode: code });
    assert.equal(result.isSignUpComplete, true);
    assert.equal(result.nextStep.signUpStep, "DONE");
  });

  await t.test("signIn with a wrong password is refused", async () => {
    await assert.rejects(signIn({ username: email, password: "Wr0ng!password" }), (err) => {
      assert.equal(err.name, "NotAuthorizedException");
      assert.equal(err.message, "Incorrect username or password.");
      return true;
    });
  });

  await t.test("signIn uses USER_SRP_AUTH and signs in", async () => {
    calls.length = 0;
    const result = await signIn({ username: email, password: PASSWORD });
    assert.equal(result.isSignedIn, true);
    assert.equal(result.nextStep.signInStep, "DONE");
    const auth = calls.filter((c) => /InitiateAuth|RespondToAuthChallenge/.test(c.target));
    assert.deepEqual(targetsOf(auth), ["InitiateAuth", "RespondToAuthChallenge"]);
    assert.equal(auth[0].body.AuthFlow, "USER_SRP_AUTH");
    assert.equal(auth[0].body.AuthParameters.PASSWORD, undefined);
    assert.equal(auth[1].body.ChallengeName, "PASSWORD_VERIFIER");
    const user = await getCurrentUser();
    assert.equal(user.userId, userId);
    assert.match(user.username, UUID_RE);
    assert.equal(user.signInDetails.loginId, email);
    assert.equal(user.signInDetails.authFlowType, "USER_SRP_AUTH");
  });

  await t.test("fetchAuthSession: tokens", async () => {
    const session = await fetchAuthSession();
    tokens = session.tokens;
    assert.ok(tokens?.accessToken && tokens?.idToken, "both tokens");
    assert.equal(session.userSub, userId);
    assert.equal(tokens.idToken.payload.email, email);
    assert.equal(tokens.idToken.payload.aud, clientId);
    assert.equal(tokens.accessToken.payload.client_id, clientId);
    assert.equal(tokens.accessToken.payload.token_use, "access");
  });

  await t.test(
    "fetchAuthSession: identity-pool credentials",
    { skip: noIdentity ? `the server lacks ${noIdentity}` : false },
    async () => {
      const session = await fetchAuthSession();
      assert.match(session.identityId, /^us-east-1:[0-9a-f-]+$/);
      assert.ok(session.credentials.accessKeyId);
      assert.ok(session.credentials.secretAccessKey);
      assert.ok(session.credentials.sessionToken);
      assert.ok(session.credentials.expiration instanceof Date);
    },
  );
  if (noIdentity) {
    t.diagnostic(`identity-pool credentials not checked: the server lacks ${noIdentity}`);
  }

  await t.test("fetchUserAttributes", async () => {
    const attrs = await fetchUserAttributes();
    assert.equal(attrs.email, email);
    assert.equal(attrs.email_verified, "true");
    assert.equal(attrs.sub, userId);
  });

  await t.test("fetchAuthSession({ forceRefresh: true }) refreshes the tokens", async () => {
    calls.length = 0;
    const session = await fetchAuthSession({ forceRefresh: true });
    assert.ok(targetsOf(calls).includes("GetTokensFromRefreshToken"), targetsOf(calls).join());
    const before = claims(tokens.accessToken.toString());
    const after = claims(session.tokens.accessToken.toString());
    assert.notEqual(after.jti, before.jti);
    assert.equal(after.auth_time, before.auth_time);
    assert.equal(after.origin_jti, before.origin_jti);
    assert.equal(session.tokens.idToken.payload.email, email);
  });

  await t.test("signOut", async () => {
    await signOut();
    await assert.rejects(getCurrentUser(), { name: "UserUnAuthenticatedException" });
    const session = await fetchAuthSession();
    assert.equal(session.tokens, undefined);
  });
});
