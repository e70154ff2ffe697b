// User pool Lambda triggers, written the way an application would write them, for the
// end-to-end tests of cognito-emu's trigger support (serverless.yml lists them). Each receives
// the Cognito event and returns it with `response` filled in; throwing is how a trigger refuses.
// Two handlers leave a trace in a file, because the tests have no other way to see them:
// postConfirmation (its answer is ignored by Cognito) and createAuthChallenge (the code a real
// app would e-mail).
"use strict";

const crypto = require("node:crypto");
const fs = require("node:fs");

const TRIGGER_OUT = process.env.TRIGGER_OUT || "/tmp/cogemu-postconfirmation.jsonl";
const CHALLENGE_OUT = process.env.CHALLENGE_OUT || "/tmp/cogemu-challenge.txt";

// The one user the "legacy system" of userMigration knows.
const LEGACY_USER = "legacy@example.com";
const LEGACY_PASSWORD = "Legacy-Pass-1";

// How many wrong custom-challenge answers end the sign-in.
const MAX_FAILURES = 3;

const emailOf = (event) => (event.request.userAttributes || {}).email || "";

// PreSignUp: a domain block list and a domain whose users need no confirmation code.
exports.preSignUp = async (event) => {
  const email = emailOf(event);
  if (email.endsWith("@blocked.test")) throw new Error("domain not allowed");
  if (email.endsWith("@auto.test")) {
    event.response.autoConfirmUser = true;
    // Cognito refuses autoVerifyEmail without an email; this branch always has one.
    event.response.autoVerifyEmail = true;
  }
  return event;
};

// PostConfirmation: Cognito ignores the answer, so the test reads this file instead.
exports.postConfirmation = async (event) => {
  const line = JSON.stringify({
    triggerSource: event.triggerSource,
    userName: event.userName,
    userAttributes: event.request.userAttributes,
  });
  fs.appendFileSync(TRIGGER_OUT, line + "\n");
  return event;
};

// PreTokenGeneration, version 2 event (LambdaVersion V2_0): claims for both tokens and a scope.
exports.preTokenGenerationV2 = async (event) => {
  event.response = {
    claimsAndScopeOverrideDetails: {
      idTokenGeneration: {
        claimsToAddOrOverride: { tenant: "acme" },
        claimsToSuppress: ["family_name"],
      },
      accessTokenGeneration: {
        claimsToAddOrOverride: { plan: "pro" },
        scopesToAdd: ["orders/read"],
      },
    },
  };
  return event;
};

// CustomMessage: the sign-up code message only; every other message keeps the pool's template
// (null members of response). codeParameter is Cognito's placeholder, replaced after we return.
exports.customMessage = async (event) => {
  if (event.triggerSource === "CustomMessage_SignUp") {
    const text = `Your code is ${event.request.codeParameter}`;
    event.response.emailSubject = "Welcome";
    event.response.emailMessage = text;
    event.response.smsMessage = text;
  }
  return event;
};

// UserMigration: a "legacy user store" of one user, asked when Cognito does not know the name.
exports.userMigration = async (event) => {
  const known = event.userName === LEGACY_USER;
  const attributes = { email: LEGACY_USER, email_verified: "true" };
  if (event.triggerSource === "UserMigration_Authentication") {
    if (!known || event.request.password !== LEGACY_PASSWORD) throw new Error("Bad password");
    event.response.userAttributes = attributes;
    event.response.finalUserStatus = "CONFIRMED"; // signs in now with the password just checked
    event.response.messageAction = "SUPPRESS"; // no welcome message for a migrated user
    return event;
  }
  if (event.triggerSource === "UserMigration_ForgotPassword") {
    if (!known) throw new Error("User not found");
    // No password here: the user must set one with the reset code, which needs a verified email.
    event.response.userAttributes = attributes;
    event.response.finalUserStatus = "RESET_REQUIRED";
    event.response.messageAction = "SUPPRESS";
    return event;
  }
  return event;
};

// Custom authentication: one-time code, at most MAX_FAILURES wrong answers.
// Define decides from the session (oldest first) what happens next.
exports.defineAuthChallenge = async (event) => {
  const session = event.request.session || [];
  const last = session[session.length - 1];
  const failures = session.filter((s) => s.challengeName === "CUSTOM_CHALLENGE" && !s.challengeResult).length;
  if (last && last.challengeName === "CUSTOM_CHALLENGE" && last.challengeResult === true) {
    event.response.issueTokens = true;
    event.response.failAuthentication = false;
  } else if (failures >= MAX_FAILURES) {
    event.response.issueTokens = false;
    event.response.failAuthentication = true;
  } else {
    // First round, or a wrong answer with tries left: ask (again) with a fresh code.
    event.response.challengeName = "CUSTOM_CHALLENGE";
    event.response.issueTokens = false;
    event.response.failAuthentication = false;
  }
  return event;
};

// Create makes the code. There is no mail delivery here, so the code goes to CHALLENGE_OUT,
// written whole then renamed so that a reader never sees half a file.
exports.createAuthChallenge = async (event) => {
  const code = String(crypto.randomInt(0, 1000000)).padStart(6, "0");
  const tmp = `${CHALLENGE_OUT}.${crypto.randomBytes(4).toString("hex")}.tmp`;
  fs.writeFileSync(tmp, code + "\n");
  fs.renameSync(tmp, CHALLENGE_OUT);
  event.response.publicChallengeParameters = { hint: "check the file" };
  event.response.privateChallengeParameters = { answer: code };
  event.response.challengeMetadata = "CODE-1";
  return event;
};

// Verify compares the answer with what Create kept server-side.
exports.verifyAuthChallengeResponse = async (event) => {
  event.response.answerCorrect = event.request.challengeAnswer === event.request.privateChallengeParameters.answer;
  return event;
};
