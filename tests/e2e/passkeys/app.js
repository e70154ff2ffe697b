// The browser app of passkeys.test.mjs: Amplify v6 configured for cognito-emu's user pools API
// (the values come from /config.json, written by the test), bundled with esbuild at test time.
// The test drives it through window.app: each function is one step an app would take, shows
// its name, its result or error and then what Amplify holds (getCurrentUser, the tokens'
// claims) in the DOM for the screenshot, and resolves to { ok, result } or { ok: false, error }
// (never throws: the test asserts on the error's name and message).
//   #step      the step running or last run         #status  "ready", "signed-in", "signed-out"
//   #result    the step's result (JSON)             #error   the step's error (name: message)
//   #user      getCurrentUser()                     #claims  the ID and access tokens' claims
//   #passkeys  the last listWebAuthnCredentials()   #events  the Hub 'auth' events in order
// rawWebAuthnSignIn is not Amplify: the same ceremony by hand (fetch + navigator.credentials),
// so that the test can ask the authenticator for less than the server demands and see the
// server's own answer.
import { Amplify } from "aws-amplify";
import { Hub } from "aws-amplify/utils";
import {
  associateWebAuthnCredential,
  autoSignIn,
  confirmSignIn,
  confirmSignUp,
  deleteWebAuthnCredential,
  fetchAuthSession,
  getCurrentUser,
  listWebAuthnCredentials,
  signIn,
  signOut,
  signUp,
} from "aws-amplify/auth";

const $ = (id) => document.getElementById(id);
const show = (id, value) => ($(id).textContent = typeof value === "string" ? value : JSON.stringify(value, null, 1));
const events = [];

Hub.listen("auth", ({ payload }) => {
  events.push(payload.event);
  show("events", events);
});

const config = await (await fetch("/config.json")).json();
Amplify.configure({
  Auth: {
    Cognito: {
      userPoolId: config.userPoolId,
      userPoolClientId: config.userPoolClientId,
      userPoolEndpoint: config.userPoolEndpoint,
      signUpVerificationMethod: "code",
      loginWith: { username: true, email: false },
      userAttributes: { email: { required: true } },
      // What Amplify checks preferredChallenge against before it calls the service.
      passwordless: {
        emailOtpEnabled: true,
        webAuthn: { relyingPartyId: config.relyingPartyId, userVerification: "preferred" },
      },
    },
  },
});

// What Amplify holds now: the user and the tokens' claims, or that nobody is signed in.
async function showState() {
  try {
    const user = await getCurrentUser();
    const session = await fetchAuthSession();
    const claims = {
      id: session.tokens?.idToken?.payload,
      access: session.tokens?.accessToken?.payload,
    };
    show("user", user);
    show("claims", claims);
    show("status", "signed-in");
    return { user, claims };
  } catch (err) {
    show("user", `(${err?.name})`);
    show("claims", "");
    show("status", "signed-out");
    return { user: null, claims: null };
  }
}

const errorOf = (err) => ({ name: err?.name || "Error", message: err?.message || String(err) });

// Run one named step: its result or its error, then the state, in the DOM and to the caller.
async function step(name, fn) {
  show("step", `${name}...`);
  show("error", "");
  let out;
  try {
    const result = await fn();
    show("result", result === undefined ? "(done)" : result);
    out = { ok: true, result };
  } catch (err) {
    out = { ok: false, error: errorOf(err) };
    show("result", "");
    show("error", `${out.error.name}: ${out.error.message}`);
  }
  out.state = await showState();
  show("step", name);
  return out;
}

// ------------------------------------------------------------------ by hand (not Amplify)
const b64url = (buf) =>
  btoa(String.fromCharCode(...new Uint8Array(buf))).replace(/\+/g, "-").replace(/\//g, "_").replace(/=+$/, "");
const unb64url = (s) => Uint8Array.from(atob(s.replace(/-/g, "+").replace(/_/g, "/")), (c) => c.charCodeAt(0));

async function cognito(operation, body) {
  const res = await fetch(`${config.userPoolEndpoint}/`, {
    method: "POST",
    headers: {
      "Content-Type": "application/x-amz-json-1.1",
      "X-Amz-Target": `AWSCognitoIdentityProviderService.${operation}`,
    },
    body: JSON.stringify(body),
  });
  return { status: res.status, body: await res.json() };
}

// USER_AUTH with PREFERRED_CHALLENGE WEB_AUTHN, the options' userVerification replaced by uv,
// navigator.credentials.get, and the assertion sent as Amplify sends it. Returns what the
// server answered at each call; throws only what the browser throws.
async function rawWebAuthnSignIn(username, uv) {
  const start = await cognito("InitiateAuth", {
    AuthFlow: "USER_AUTH",
    ClientId: config.userPoolClientId,
    AuthParameters: { USERNAME: username, PREFERRED_CHALLENGE: "WEB_AUTHN" },
  });
  if (start.status !== 200 || start.body.ChallengeName !== "WEB_AUTHN") return { start };
  const options = JSON.parse(start.body.ChallengeParameters.CREDENTIAL_REQUEST_OPTIONS);
  const cred = await navigator.credentials.get({
    publicKey: {
      challenge: unb64url(options.challenge),
      rpId: options.rpId,
      timeout: options.timeout,
      allowCredentials: (options.allowCredentials || []).map((c) => ({ ...c, id: unb64url(c.id) })),
      userVerification: uv,
    },
  });
  const r = cred.response;
  const credential = {
    id: cred.id,
    rawId: b64url(cred.rawId),
    type: cred.type,
    clientExtensionResults: cred.getClientExtensionResults(),
    authenticatorAttachment: cred.authenticatorAttachment ?? undefined,
    response: {
      clientDataJSON: b64url(r.clientDataJSON),
      authenticatorData: b64url(r.authenticatorData),
      signature: b64url(r.signature),
      userHandle: r.userHandle ? b64url(r.userHandle) : undefined,
    },
  };
  const flags = new Uint8Array(r.authenticatorData)[32];
  const respond = await cognito("RespondToAuthChallenge", {
    ChallengeName: "WEB_AUTHN",
    ClientId: config.userPoolClientId,
    Session: start.body.Session,
    ChallengeResponses: { USERNAME: username, CREDENTIAL: JSON.stringify(credential) },
  });
  return { start, options, flags, respond };
}

// ------------------------------------------------------------------ the steps
window.app = {
  signUp: (username, email) =>
    step("signUp (no password)", () =>
      signUp({
        username,
        options: { userAttributes: { email }, autoSignIn: { authFlowType: "USER_AUTH" } },
      }),
    ),
  confirmSignUp: (username, confirmationCode) =>
    step("confirmSignUp", () => confirmSignUp({ username, confirmationCode })),
  autoSignIn: () => step("autoSignIn", () => autoSignIn()),
  signIn: (username, preferredChallenge) =>
    step(`signIn USER_AUTH ${preferredChallenge ?? "(no preference)"}`, () =>
      signIn({ username, options: { authFlowType: "USER_AUTH", preferredChallenge } }),
    ),
  confirmSignIn: (challengeResponse) => step("confirmSignIn", () => confirmSignIn({ challengeResponse })),
  associate: () => step("associateWebAuthnCredential", () => associateWebAuthnCredential()),
  list: () =>
    step("listWebAuthnCredentials", async () => {
      const out = await listWebAuthnCredentials();
      show("passkeys", out);
      // Dates become ISO strings on their way to the test.
      return JSON.parse(JSON.stringify(out));
    }),
  remove: (credentialId) => step("deleteWebAuthnCredential", () => deleteWebAuthnCredential({ credentialId })),
  signOut: () => step("signOut", () => signOut()),
  rawWebAuthnSignIn: (username, uv) =>
    step(`WEB_AUTHN by hand, userVerification ${uv}`, () => rawWebAuthnSignIn(username, uv)),
  showState,
  events: () => events.slice(),
  accessToken: async () => (await fetchAuthSession()).tokens?.accessToken?.toString(),
};

show("step", "configured");
await showState();
show("status", $("status").textContent === "signed-in" ? "signed-in" : "ready");
