// The custom authentication flow (CUSTOM_AUTH) as a browser app drives it with
// amazon-cognito-identity-js, against cognito-emu calling this folder's Define / Create / Verify
// auth challenge handlers (handler.js) through serverless-offline: initiateAuth, the
// customChallenge callback, sendCustomChallengeAnswer, onSuccess with a session.
//
// The one-time code a real app would e-mail is read from the file createAuthChallenge writes
// (CHALLENGE_OUT, default as in handler.js). The pools and users are made with raw API calls
// (../amplify/emu.mjs, the helpers of the other real-client suites); the library does only
// what an app does.
//
// Run with: COG_EMU_ENDPOINT=http://127.0.0.1:PORT node --test custom_auth.test.mjs, the emulator
// started with --lambda-endpoint at start.sh's runner (tests/e2e/run.sh does all of it).
import { test } from "node:test";
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";

import {
  AuthenticationDetails,
  CognitoUser,
  CognitoUserPool,
  CognitoUserSession,
} from "amazon-cognito-identity-js";

import { ENDPOINT, skip, makePool, idp, unique, recordCalls, claims } from "../amplify/emu.mjs";

const CHALLENGE_OUT = process.env.CHALLENGE_OUT || "/tmp/cogemu-challenge.txt";
const PASSWORD = "Passw0rd!e2e";
const opts = { skip, timeout: 60_000 };
const calls = recordCalls();

const arn = (fn) => `arn:aws:lambda:us-east-1:123456789012:function:${fn}`;

// createAuthChallenge runs before the call that asks the challenge returns, and the suites of
// this folder run one at a time: the file holds the code of the challenge just received.
const lastCode = () => readFileSync(CHALLENGE_OUT, "utf8").trim();

// A pool whose custom auth triggers are the handlers, a client allowing the flow, and a
// confirmed user (the flow itself never asks for the password).
async function setUp() {
  const { poolId, clientId } = await makePool(
    {
      LambdaConfig: {
        DefineAuthChallenge: arn("defineAuthChallenge"),
        CreateAuthChallenge: arn("createAuthChallenge"),
        VerifyAuthChallengeResponse: arn("verifyAuthChallengeResponse"),
      },
    },
    {
      ExplicitAuthFlows: [
        "ALLOW_USER_PASSWORD_AUTH",
        "ALLOW_CUSTOM_AUTH",
        "ALLOW_REFRESH_TOKEN_AUTH",
        "ALLOW_USER_SRP_AUTH",
      ],
    },
  );
  const username = unique("otp");
  await idp("SignUp", {
    ClientId: clientId,
    Username: username,
    Password: PASSWORD,
    UserAttributes: [{ Name: "email", Value: `${username}@example.com` }],
  });
  await idp("AdminConfirmSignUp", { UserPoolId: poolId, Username: username });
  const pool = new CognitoUserPool({ UserPoolId: poolId, ClientId: clientId, endpoint: ENDPOINT });
  return { poolId, username, pool };
}

// Sign in with CUSTOM_AUTH, answering each challenge with answers.shift() (or, once they run
// out, the code from the file). Resolves to { session, challenges } (every customChallenge's
// parameters, in order).
function customSignIn(user, username, answers = []) {
  const challenges = [];
  return new Promise((resolve, reject) => {
    const callbacks = {
      customChallenge(parameters) {
        challenges.push(parameters);
        const answer = answers.length ? answers.shift() : lastCode();
        user.sendCustomChallengeAnswer(answer, callbacks);
      },
      onSuccess: (session) => resolve({ session, challenges }),
      onFailure: reject,
    };
    user.initiateAuth(new AuthenticationDetails({ Username: username }), callbacks);
  });
}

const targets = () => calls.map((c) => c.target.split(".")[1]);

test("CUSTOM_AUTH with amazon-cognito-identity-js", opts, async (t) => {
  const { username, pool } = await setUp();

  await t.test("the right code signs in", async () => {
    const user = new CognitoUser({ Username: username, Pool: pool });
    user.setAuthenticationFlowType("CUSTOM_AUTH");
    calls.length = 0;
    const { session, challenges } = await customSignIn(user, username);

    // One challenge, with createAuthChallenge's public parameters only.
    assert.equal(challenges.length, 1);
    assert.equal(challenges[0].hint, "check the file");
    assert.equal(challenges[0].answer, undefined);
    assert.deepEqual(targets(), ["InitiateAuth", "RespondToAuthChallenge"]);
    assert.equal(calls[0].body.AuthFlow, "CUSTOM_AUTH");
    assert.equal(calls[1].body.ChallengeName, "CUSTOM_CHALLENGE");

    assert.ok(session instanceof CognitoUserSession);
    assert.ok(session.isValid());
    assert.equal(claims(session.getIdToken().getJwtToken())["cognito:username"], username);
    assert.equal(claims(session.getAccessToken().getJwtToken()).token_use, "access");
    assert.ok(session.getRefreshToken().getToken());
    assert.equal(user.getSignInUserSession(), session);
  });

  await t.test("a wrong code is asked again, then the right one signs in", async () => {
    const user = new CognitoUser({ Username: username, Pool: pool });
    user.setAuthenticationFlowType("CUSTOM_AUTH");
    calls.length = 0;
    const { session, challenges } = await customSignIn(user, username, ["not-the-code"]);
    assert.equal(challenges.length, 2);
    assert.deepEqual(targets(), ["InitiateAuth", "RespondToAuthChallenge", "RespondToAuthChallenge"]);
    assert.ok(session.isValid());
  });

  await t.test("three wrong codes fail the sign-in", async () => {
    const user = new CognitoUser({ Username: username, Pool: pool });
    user.setAuthenticationFlowType("CUSTOM_AUTH");
    const wrong = ["no-1", "no-2", "no-3"];
    await assert.rejects(customSignIn(user, username, wrong), { code: "NotAuthorizedException" });
  });
});
