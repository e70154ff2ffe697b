// Amplify v6 choice-based sign-in (USER_AUTH) against the emulator, in Node: signIn with
// preferredChallenge EMAIL_OTP -> confirmSignIn with the 8-digit code from the emulator's inbox;
// and passwordless signUp (no password) -> confirmSignUp -> autoSignIn, which sends
// InitiateAuth USER_AUTH with ConfirmSignUp's Session (../shared/user-auth-passkeys.md 1.8, 2.2).
//
// Run with (Node 18+):
//   COG_EMU_ENDPOINT=http://127.0.0.1:PORT node --test user-auth.test.mjs
import "./node-shims.mjs"; // first: Web Crypto for Node 18 (see the file)
import { test } from "node:test";
import assert from "node:assert/strict";

import { Amplify } from "aws-amplify";
import { signUp, confirmSignUp, autoSignIn, signIn, confirmSignIn, signOut, getCurrentUser } from "aws-amplify/auth";

import { ENDPOINT, skip, makePool, makeUser, sentCode, unique, recordCalls, sleep } from "./emu.mjs";

const PASSWORD = "Passw0rd!amplify";
const TIMEOUT = 60_000;
const FLOWS = ["ALLOW_USER_AUTH", "ALLOW_USER_SRP_AUTH", "ALLOW_REFRESH_TOKEN_AUTH"];
const calls = recordCalls();

// The newest 8-digit sign-in code the inbox holds for username (kind "mfa"), waiting for it.
async function signInCode(username) {
  const deadline = Date.now() + 10_000;
  while (Date.now() < deadline) {
    const res = await fetch(`${ENDPOINT}/_emu/messages?kind=mfa&username=${encodeURIComponent(username)}`);
    assert.equal(res.status, 200, "the server has no code inbox");
    const body = await res.json();
    const code = (body.messages || []).map((m) => m.code).find((c) => /^\d{8}$/.test(c || ""));
    if (code) return code;
    await sleep(100);
  }
  throw new Error(`no sign-in code for ${username}`);
}

function configure(poolId, clientId) {
  Amplify.configure({
    Auth: {
      Cognito: {
        userPoolId: poolId,
        userPoolClientId: clientId,
        userPoolEndpoint: ENDPOINT,
        loginWith: { email: true },
        signUpVerificationMethod: "code",
      },
    },
  });
}

test("Amplify v6: USER_AUTH with EMAIL_OTP", { skip, timeout: TIMEOUT }, async () => {
  const { poolId, clientId } = await makePool(
    { Policies: { SignInPolicy: { AllowedFirstAuthFactors: ["PASSWORD", "EMAIL_OTP"] } } },
    { ExplicitAuthFlows: FLOWS },
  );
  configure(poolId, clientId);
  const username = unique("otto");
  await makeUser(poolId, username, PASSWORD, [{ Name: "email", Value: `${username}@example.com` }]);

  calls.length = 0;
  const first = await signIn({ username, options: { authFlowType: "USER_AUTH", preferredChallenge: "EMAIL_OTP" } });
  assert.equal(first.isSignedIn, false);
  assert.equal(first.nextStep.signInStep, "CONFIRM_SIGN_IN_WITH_EMAIL_CODE");
  assert.equal(first.nextStep.codeDeliveryDetails.deliveryMedium, "EMAIL");
  assert.equal(calls[0].body.AuthFlow, "USER_AUTH");
  assert.equal(calls[0].body.AuthParameters.PREFERRED_CHALLENGE, "EMAIL_OTP");

  await assert.rejects(confirmSignIn({ challengeResponse: "00000000" }), (err) => {
    assert.equal(err.name, "CodeMismatchException");
    return true;
  });
  // The session survives a wrong code.
  const done = await confirmSignIn({ challengeResponse: await signInCode(username) });
  assert.equal(done.isSignedIn, true);
  assert.equal((await getCurrentUser()).username, username);
  await signOut();
});

test("Amplify v6: passwordless signUp, confirmSignUp, autoSignIn", { skip, timeout: TIMEOUT }, async () => {
  const { poolId, clientId } = await makePool(
    {
      AutoVerifiedAttributes: ["email"],
      Policies: { SignInPolicy: { AllowedFirstAuthFactors: ["PASSWORD", "EMAIL_OTP"] } },
    },
    { ExplicitAuthFlows: FLOWS },
  );
  configure(poolId, clientId);
  const username = unique("pia");
  const email = `${username}@example.com`;

  const up = await signUp({
    username,
    options: { userAttributes: { email }, autoSignIn: { authFlowType: "USER_AUTH" } },
  });
  assert.equal(up.nextStep.signUpStep, "CONFIRM_SIGN_UP");
  const code = await sentCode(poolId, [username, up.userId, email]);
  const confirmed = await confirmSignUp({ username, confirmationCode: code });
  assert.equal(confirmed.nextStep.signUpStep, "COMPLETE_AUTO_SIGN_IN");

  calls.length = 0;
  const result = await autoSignIn();
  assert.equal(result.isSignedIn, true);
  const init = calls.find((c) => /InitiateAuth/.test(c.target));
  assert.equal(init.body.AuthFlow, "USER_AUTH");
  assert.ok(init.body.Session, "autoSignIn sends ConfirmSignUp's Session");
  assert.equal((await getCurrentUser()).username, username);
  await signOut();
});
