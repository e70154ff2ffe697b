// End-to-end suite: choice-based sign-in (USER_AUTH), passwordless sign-up with auto sign-in,
// EMAIL_OTP and passkeys through Amplify v6 in a browser app, against cognito-emu.
//
// The test starts its own server (COG_EMU_BIN, default build/cognito-emu) with --port 0
// --db :memory:, makes a pool whose first factors are PASSWORD, EMAIL_OTP and WEB_AUTHN with
// the WebAuthn relying party "localhost" (SetUserPoolMfaConfig) and a public client allowing
// USER_AUTH, bundles index.html + app.js with esbuild into a temporary folder and serves it from
// another localhost port (http://localhost is a secure context, so the browser offers
// WebAuthn, and every user pools call is cross-origin: CORS is real). Debian's Chromium, driven
// by playwright-core, runs the app; passkeys live in the DevTools virtual authenticator
// (WebAuthn.addVirtualAuthenticator: CTAP2, internal, resident keys, user verification).
// Codes come from the server's code inbox (GET /_emu/messages).
//
// One person's story, in order (each test needs the previous ones): signUp without a password
// (autoSignIn USER_AUTH) -> confirmSignUp with the emailed code -> autoSignIn -> signed in;
// associateWebAuthnCredential -> listWebAuthnCredentials; signOut -> signIn EMAIL_OTP ->
// confirmSignIn with the code; signOut -> signIn WEB_AUTHN; signIn with no preference ->
// SELECT_CHALLENGE -> confirmSignIn('WEB_AUTHN'); negative cases (another
// authenticator without the passkey; UserVerification required and an authenticator that does
// not verify the user, through Amplify and by hand so that the server's own refusal shows);
// deleteWebAuthnCredential -> an empty list and no WEB_AUTHN offered any more.
// Each step asserts on real state: what Amplify holds (getCurrentUser, the tokens' claims),
// what the server holds (AdminGetUser, the list), what went over the wire, and what the
// authenticator holds (WebAuthn.getCredentials).
//
// Skipped (never faked) without the server binary or without /usr/bin/chromium (or CHROMIUM).
// Screenshots of every step go to E2E_ARTIFACTS (default: ./artifacts).
// Run with: node --test passkeys.test.mjs   (Node 20 or later, after npm ci)
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { createServer } from "node:http";
import { randomBytes } from "node:crypto";
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";

import { build } from "esbuild";
import { chromium } from "playwright-core";

const HERE = dirname(fileURLToPath(import.meta.url));
const ROOT = resolve(HERE, "../../..");
const BIN = resolve(process.env.COG_EMU_BIN || join(ROOT, "build/cognito-emu"));
const CHROMIUM = process.env.CHROMIUM || "/usr/bin/chromium";
const ARTIFACTS = resolve(process.env.E2E_ARTIFACTS || join(HERE, "artifacts"));
const skip = existsSync(BIN) ? (existsSync(CHROMIUM) ? false : `no browser at ${CHROMIUM}`) : `no server binary at ${BIN} (set COG_EMU_BIN)`;
const TIMEOUT = 120_000;
const RP_ID = "localhost";

// ------------------------------------------------------------------ the server
// Its port comes from its ready line "cognito-emu <ver> listening on http://<bind>:<port>";
// its stderr (the request log, at info) is kept to see the CORS preflights it answered.
const server = { log: "" };

function startServer() {
  return new Promise((resolveStart, rejectStart) => {
    const proc = spawn(BIN, ["--port", "0", "--db", ":memory:", "--log-level", "info"], {
      stdio: ["ignore", "pipe", "pipe"],
    });
    server.proc = proc;
    let out = "";
    const timer = setTimeout(() => rejectStart(new Error(`no ready line within 15 s:\n${out}\n${server.log}`)), 15_000);
    proc.stderr.on("data", (d) => (server.log += d));
    proc.stdout.on("data", (d) => {
      out += d;
      const ready = out.match(/^cognito-emu \S+ listening on http:\/\/\S+:(\d+)$/m);
      if (!ready) return;
      clearTimeout(timer);
      server.port = Number(ready[1]);
      resolveStart();
    });
    proc.on("exit", (code) => {
      clearTimeout(timer);
      rejectStart(new Error(`the server exited ${code}:\n${out}\n${server.log}`));
    });
  });
}

async function stopServer() {
  const proc = server.proc;
  if (!proc || proc.exitCode !== null) return;
  const exited = new Promise((r) => proc.once("exit", r));
  proc.kill("SIGTERM");
  await Promise.race([exited, new Promise((r) => setTimeout(r, 5000))]);
  if (proc.exitCode === null) proc.kill("SIGKILL");
}

const api = () => `http://127.0.0.1:${server.port}`;

// One AWS JSON 1.1 call (the administrator's side: pools, clients, AdminGetUser); throws the
// AWS error as an Error named after its __type.
async function aws(operation, body) {
  const res = await fetch(`${api()}/`, {
    method: "POST",
    headers: {
      "Content-Type": "application/x-amz-json-1.1",
      "X-Amz-Target": `AWSCognitoIdentityProviderService.${operation}`,
    },
    body: JSON.stringify(body),
  });
  const json = await res.json();
  if (!res.ok) {
    const err = new Error(`${operation}: ${json.__type}: ${json.message}`);
    err.name = json.__type;
    throw err;
  }
  return json;
}

// The code inbox: the newest message id, and the one message sent to username after mark.
async function inboxMark() {
  const res = await fetch(`${api()}/_emu/messages?limit=1`);
  assert.equal(res.status, 200, "the server has the code inbox (GET /_emu/messages)");
  return (await res.json()).lastId;
}

async function inboxMessage(username, after) {
  const q = new URLSearchParams({ pool: ctx.pool, username, after: String(after), wait: "10" });
  const res = await fetch(`${api()}/_emu/messages?${q}`);
  assert.equal(res.status, 200);
  const { messages } = await res.json();
  assert.equal(messages.length, 1, `one message to ${username}: ${JSON.stringify(messages)}`);
  return messages[0];
}

// The server's request log having a line matching re (written after the response went out).
async function serverLogged(re) {
  for (let i = 0; i < 50 && !re.test(server.log); i++) await new Promise((r) => setTimeout(r, 100));
  assert.match(server.log, re);
}

const claimsOf = (jwt) => JSON.parse(Buffer.from(jwt.split(".")[1], "base64url"));
const b64ToB64url = (s) => Buffer.from(s, "base64").toString("base64url");

// ------------------------------------------------------------------ the app
let appServer;
let bundleDir;
let browser;
const ctx = {};

async function bundleApp() {
  bundleDir = mkdtempSync(join(tmpdir(), "passkeys-"));
  await build({
    entryPoints: [join(HERE, "app.js")],
    bundle: true,
    format: "esm",
    platform: "browser",
    target: "es2022",
    outfile: join(bundleDir, "app.js"),
    logLevel: "warning",
  });
}

function startApp() {
  const files = {
    "/": ["text/html", () => readFileSync(join(HERE, "index.html"))],
    "/app.js": ["text/javascript", () => readFileSync(join(bundleDir, "app.js"))],
    "/config.json": ["application/json", () => JSON.stringify(ctx.appConfig)],
  };
  appServer = createServer((req, res) => {
    const file = files[new URL(req.url, "http://x").pathname];
    if (!file) {
      res.writeHead(404).end();
      return;
    }
    res.writeHead(200, { "Content-Type": file[0], "Cache-Control": "no-store" });
    res.end(file[1]());
  });
  return new Promise((r) => appServer.listen(0, "127.0.0.1", r));
}

// The options of the DevTools virtual authenticator (§3.8 of the facts): Cognito demands a
// resident key, and user verification is what UserVerification=required checks.
const AUTHENTICATOR = {
  protocol: "ctap2",
  ctap2Version: "ctap2_1",
  transport: "internal",
  hasResidentKey: true,
  hasUserVerification: true,
  isUserVerified: true,
  automaticPresenceSimulation: true,
};

// A fresh browser context (its own storage: a separate Amplify), the app loaded in it, a
// DevTools session with the WebAuthn domain on and one virtual authenticator, and a record of
// the user pools calls the page made: { page, cdp, authenticatorId, calls }.
// calls() resolves to [{ target, request, status, body }] in the order the responses came.
async function openApp() {
  const context = await browser.newContext();
  const page = await context.newPage();
  const pending = [];
  page.on("response", (res) => {
    const req = res.request();
    const target = req.headers()["x-amz-target"];
    if (req.method() !== "POST" || !target) return;
    pending.push(
      res
        .text()
        .catch(() => "")
        .then((text) => ({
          target: target.replace(/^AWSCognitoIdentityProviderService\./, ""),
          request: JSON.parse(req.postData() || "{}"),
          status: res.status(),
          body: text ? JSON.parse(text) : {},
        })),
    );
  });
  page.on("pageerror", (err) => console.log(`page error: ${err.message}`));
  const cdp = await context.newCDPSession(page);
  await cdp.send("WebAuthn.enable");
  const { authenticatorId } = await cdp.send("WebAuthn.addVirtualAuthenticator", { options: AUTHENTICATOR });
  await page.goto(ctx.appUrl);
  await page.waitForFunction(() => window.app && document.getElementById("status").textContent === "ready");
  const calls = async (since = 0) => (await Promise.all(pending)).slice(since);
  return { context, page, cdp, authenticatorId, calls, count: () => pending.length };
}

// Run one app step (window.app[name](...args)) in a; its { ok, result | error, state }.
const run = (a, name, ...args) => a.page.evaluate(([n, xs]) => window.app[n](...xs), [name, args]);

// The calls a made since mark, for target.
async function callsTo(a, mark, target) {
  return (await a.calls(mark)).filter((c) => c.target === target);
}

const shot = async (a, name) => {
  await a.page.screenshot({ path: join(ARTIFACTS, `${name}.png`), fullPage: true });
};

// The step succeeded; its error otherwise shown in the assertion message.
function ok(out, what) {
  assert.ok(out.ok, `${what}: ${JSON.stringify(out.error)}`);
  return out.result;
}

// Signed in as the person: Amplify's user and the tokens' claims say so. Returns the claims.
function assertSignedIn(out) {
  const { user, claims } = out.state;
  assert.ok(user, "getCurrentUser() answers");
  assert.equal(user.username, ctx.username);
  assert.equal(user.userId, ctx.sub);
  assert.equal(claims.id["cognito:username"], ctx.username);
  assert.equal(claims.id.sub, ctx.sub);
  assert.equal(claims.id.email, ctx.email);
  assert.equal(claims.id.email_verified, true);
  assert.equal(claims.id.aud, ctx.clientId);
  assert.equal(claims.id.token_use, "id");
  assert.equal(claims.id.iss, ctx.issuer);
  assert.equal(claims.access.username, ctx.username);
  assert.equal(claims.access.sub, ctx.sub);
  assert.equal(claims.access.client_id, ctx.clientId);
  assert.equal(claims.access.token_use, "access");
  assert.equal(claims.access.iss, ctx.issuer);
  return claims;
}

function assertSignedOut(out) {
  assert.equal(out.state.user, null, "nobody is signed in");
}

// signOut through Amplify (RevokeToken), after which nobody is signed in.
async function signOut(a) {
  const out = await run(a, "signOut");
  ok(out, "signOut");
  assertSignedOut(out);
}

// The user's sign-in factors as the server sees them (GetUserAuthFactors with the access
// token Amplify holds in a), sorted.
async function authFactors(a) {
  const AccessToken = await a.page.evaluate(() => window.app.accessToken());
  assert.ok(AccessToken, "Amplify holds an access token");
  const out = await aws("GetUserAuthFactors", { AccessToken });
  assert.equal(out.Username, ctx.username);
  return (out.ConfiguredUserAuthFactors || []).slice().sort();
}

// The authenticator's credentials (WebAuthn.getCredentials).
const credentialsIn = async (a, id = a.authenticatorId) =>
  (await a.cdp.send("WebAuthn.getCredentials", { authenticatorId: id })).credentials;

async function setUserVerification(uv) {
  await aws("SetUserPoolMfaConfig", {
    UserPoolId: ctx.pool,
    MfaConfiguration: "OFF",
    WebAuthnConfiguration: { RelyingPartyId: RP_ID, UserVerification: uv },
  });
  const mfa = await aws("GetUserPoolMfaConfig", { UserPoolId: ctx.pool });
  assert.equal(mfa.WebAuthnConfiguration?.RelyingPartyId, RP_ID);
  assert.equal(mfa.WebAuthnConfiguration?.UserVerification, uv);
}

// One test of the story; when it fails, the app's page as it stands is saved as
// failed-<n>.png next to the step screenshots.
let stories = 0;
function story(name, fn) {
  const n = ++stories;
  test(name, { skip, timeout: TIMEOUT }, async () => {
    try {
      await fn();
    } catch (err) {
      if (ctx.a) await shot(ctx.a, `failed-${String(n).padStart(2, "0")}`).catch(() => {});
      throw err;
    }
  });
}

before(async () => {
  if (skip) return;
  await startServer();
  await startApp();
  ctx.appUrl = `http://localhost:${appServer.address().port}/`;

  const suffix = randomBytes(4).toString("hex");
  const pool = await aws("CreateUserPool", {
    PoolName: `passkeys-${suffix}`,
    AutoVerifiedAttributes: ["email"],
    Policies: { SignInPolicy: { AllowedFirstAuthFactors: ["PASSWORD", "EMAIL_OTP", "WEB_AUTHN"] } },
  });
  ctx.pool = pool.UserPool.Id;
  const described = await aws("DescribeUserPool", { UserPoolId: ctx.pool });
  assert.deepEqual(described.UserPool.Policies.SignInPolicy.AllowedFirstAuthFactors.slice().sort(), ["EMAIL_OTP", "PASSWORD", "WEB_AUTHN"]);
  await setUserVerification("preferred");
  const client = await aws("CreateUserPoolClient", {
    UserPoolId: ctx.pool,
    ClientName: "passkeys-spa",
    GenerateSecret: false,
    ExplicitAuthFlows: ["ALLOW_USER_AUTH", "ALLOW_REFRESH_TOKEN_AUTH"],
  });
  ctx.clientId = client.UserPoolClient.ClientId;
  ctx.username = `pat-${suffix}`;
  ctx.email = `${ctx.username}@example.com`;
  // The tokens' issuer: the server's default public URL (http://localhost:<port>) and the pool.
  ctx.issuer = `http://localhost:${server.port}/${ctx.pool}`;
  ctx.appConfig = {
    userPoolId: ctx.pool,
    userPoolClientId: ctx.clientId,
    userPoolEndpoint: `http://localhost:${server.port}`,
    relyingPartyId: RP_ID,
  };

  await bundleApp();
  // This run's screenshots only: the previous run's go first.
  mkdirSync(ARTIFACTS, { recursive: true });
  for (const f of readdirSync(ARTIFACTS)) if (f.endsWith(".png")) rmSync(join(ARTIFACTS, f));
  browser = await chromium.launch({
    executablePath: CHROMIUM,
    args: ["--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", "--no-first-run", "--disable-background-networking", "--disable-component-update", "--disable-sync"],
  });
  ctx.a = await openApp();
});

after(async () => {
  if (browser) await browser.close();
  if (appServer) appServer.close();
  await stopServer();
  if (bundleDir) rmSync(bundleDir, { recursive: true, force: true });
});

story("signUp without a password, confirmSignUp with the emailed code, autoSignIn (USER_AUTH with ConfirmSignUp's Session)", async () => {
  const a = ctx.a;
  await shot(a, "01-app-ready");
  let mark = await inboxMark();
  const up = ok(await run(a, "signUp", ctx.username, ctx.email), "signUp");
  assert.equal(up.isSignUpComplete, false);
  assert.equal(up.nextStep.signUpStep, "CONFIRM_SIGN_UP");
  assert.equal(up.nextStep.codeDeliveryDetails.deliveryMedium, "EMAIL");
  ctx.sub = up.userId;
  assert.match(ctx.sub, /^[0-9a-f-]{36}$/);
  const [signUp] = await callsTo(a, 0, "SignUp");
  assert.equal(signUp.status, 200, JSON.stringify(signUp.body));
  assert.equal("Password" in signUp.request, false, "Amplify sent no Password");
  assert.equal(signUp.body.UserConfirmed, false);
  assert.equal(typeof signUp.body.Session, "string", "SignUp returns a Session (the client allows USER_AUTH)");
  await serverLogged(/OPTIONS \/ preflight 200/);
  const pending = await aws("AdminGetUser", { UserPoolId: ctx.pool, Username: ctx.username });
  assert.equal(pending.UserStatus, "UNCONFIRMED");
  await shot(a, "02-signed-up");

  const msg = await inboxMessage(ctx.username, mark);
  assert.equal(msg.kind, "sign-up");
  assert.equal(msg.destination, ctx.email);
  assert.match(msg.code, /^\d{6}$/);
  let n = a.count();
  const confirmedOut = await run(a, "confirmSignUp", ctx.username, msg.code);
  const confirmed = ok(confirmedOut, "confirmSignUp");
  assert.equal(confirmed.isSignUpComplete, true);
  assert.equal(confirmed.nextStep.signUpStep, "COMPLETE_AUTO_SIGN_IN");
  const [confirm] = await callsTo(a, n, "ConfirmSignUp");
  assert.equal(confirm.status, 200, JSON.stringify(confirm.body));
  assert.equal(confirm.request.ConfirmationCode, msg.code);
  assert.equal(typeof confirm.body.Session, "string", "ConfirmSignUp returns a Session even when sent none");
  const user = await aws("AdminGetUser", { UserPoolId: ctx.pool, Username: ctx.username });
  assert.equal(user.UserStatus, "CONFIRMED");
  assert.ok(user.UserAttributes.some((x) => x.Name === "email_verified" && x.Value === "true"));
  assertSignedOut(confirmedOut);
  await shot(a, "03-confirmed");

  n = a.count();
  mark = await inboxMark();
  const signedInOut = await run(a, "autoSignIn");
  const signedIn = ok(signedInOut, "autoSignIn");
  assert.equal(signedIn.isSignedIn, true);
  assert.equal(signedIn.nextStep.signInStep, "DONE");
  const [initiate] = await callsTo(a, n, "InitiateAuth");
  assert.equal(initiate.request.AuthFlow, "USER_AUTH");
  assert.equal(initiate.request.AuthParameters.USERNAME, ctx.username);
  assert.equal(initiate.request.Session, confirm.body.Session, "autoSignIn sent ConfirmSignUp's Session");
  assert.equal(initiate.status, 200, JSON.stringify(initiate.body));
  assert.ok(initiate.body.AuthenticationResult, "tokens at once: the confirmation code was the first factor");
  const claims = assertSignedIn(signedInOut);
  ctx.authTime = claims.id.auth_time;
  assert.ok((await a.page.evaluate(() => window.app.events())).includes("signedIn"));
  // No code was sent to sign in.
  const after = await (await fetch(`${api()}/_emu/messages?${new URLSearchParams({ pool: ctx.pool, username: ctx.username, after: String(mark) })}`)).json();
  assert.deepEqual(after.messages, []);
  await shot(a, "04-auto-signed-in");
});

story("associateWebAuthnCredential with the virtual authenticator; listWebAuthnCredentials shows it", async () => {
  const a = ctx.a;
  assert.ok(ctx.sub, "signed in by the previous test");
  const n = a.count();
  ok(await run(a, "associate"), "associateWebAuthnCredential");
  const [start] = await callsTo(a, n, "StartWebAuthnRegistration");
  assert.equal(start.status, 200, JSON.stringify(start.body));
  const options = start.body.CredentialCreationOptions;
  assert.equal(options.rp.id, RP_ID);
  assert.equal(options.user.name, ctx.username);
  assert.equal(options.authenticatorSelection.residentKey, "required");
  assert.ok(options.pubKeyCredParams.some((p) => p.alg === -7), "ES256 offered");
  const [complete] = await callsTo(a, n, "CompleteWebAuthnRegistration");
  assert.equal(complete.status, 200, JSON.stringify(complete.body));
  assert.equal(complete.request.Credential.type, "public-key");

  // The authenticator holds one resident key for localhost, its user handle the one the server
  // gave (user.id: base64url of the user's sub, §3.2 of the facts).
  const held = await credentialsIn(a);
  assert.equal(held.length, 1);
  assert.equal(held[0].rpId, RP_ID);
  assert.equal(held[0].isResidentCredential, true);
  assert.equal(b64ToB64url(held[0].userHandle), options.user.id);
  assert.equal(Buffer.from(held[0].userHandle, "base64").toString(), ctx.sub);
  ctx.credentialId = b64ToB64url(held[0].credentialId);
  assert.equal(complete.request.Credential.rawId, ctx.credentialId);
  ctx.signCount = held[0].signCount;
  await shot(a, "05-passkey-registered");

  const list = ok(await run(a, "list"), "listWebAuthnCredentials");
  assert.equal(list.credentials.length, 1, JSON.stringify(list));
  const [c] = list.credentials;
  assert.equal(c.credentialId, ctx.credentialId);
  assert.equal(c.relyingPartyId, RP_ID);
  assert.equal(c.authenticatorAttachment, "platform");
  assert.ok(c.authenticatorTransports.includes("internal"), JSON.stringify(c.authenticatorTransports));
  assert.ok(c.friendlyCredentialName, "a friendly name");
  assert.ok(Math.abs(Date.parse(c.createdAt) - Date.now()) < 60_000, `createdAt ${c.createdAt} is now`);
  assertSignedIn(await run(a, "showState").then((state) => ({ state })));
  // A code by email and the passkey; no password (§3.3 of the facts).
  assert.deepEqual(await authFactors(a), ["EMAIL_OTP", "WEB_AUTHN"]);
  await shot(a, "06-passkey-listed");
});

story("signOut; signIn USER_AUTH with EMAIL_OTP and the code from the inbox", async () => {
  const a = ctx.a;
  assert.ok(ctx.credentialId, "a passkey registered by the previous test");
  await signOut(a);
  await shot(a, "07-signed-out");

  const mark = await inboxMark();
  const n = a.count();
  const out = await run(a, "signIn", ctx.username, "EMAIL_OTP");
  const next = ok(out, "signIn EMAIL_OTP");
  assert.equal(next.isSignedIn, false);
  assert.equal(next.nextStep.signInStep, "CONFIRM_SIGN_IN_WITH_EMAIL_CODE");
  assert.equal(next.nextStep.codeDeliveryDetails.deliveryMedium, "EMAIL");
  assert.ok(next.nextStep.codeDeliveryDetails.destination.includes("*"), "the destination is masked");
  const [initiate] = await callsTo(a, n, "InitiateAuth");
  assert.equal(initiate.request.AuthFlow, "USER_AUTH");
  assert.equal(initiate.request.AuthParameters.PREFERRED_CHALLENGE, "EMAIL_OTP");
  assert.equal(initiate.body.ChallengeName, "EMAIL_OTP");
  // What this user can do: an email and a passkey, no password (§1.3, §2.1 of the facts).
  const available = initiate.body.AvailableChallenges;
  assert.ok(available.includes("EMAIL_OTP") && available.includes("WEB_AUTHN"), JSON.stringify(available));
  assert.ok(!available.includes("PASSWORD") && !available.includes("PASSWORD_SRP"), `a password-less user: ${available}`);
  await shot(a, "08-email-otp-asked");

  const msg = await inboxMessage(ctx.username, mark);
  assert.equal(msg.destination, ctx.email);
  assert.match(msg.code, /^\d{8}$/, "sign-in codes have 8 digits");
  const doneOut = await run(a, "confirmSignIn", msg.code);
  const done = ok(doneOut, "confirmSignIn");
  assert.equal(done.isSignedIn, true);
  assert.equal(done.nextStep.signInStep, "DONE");
  const [respond] = await callsTo(a, n, "RespondToAuthChallenge");
  assert.equal(respond.request.ChallengeName, "EMAIL_OTP");
  assert.equal(respond.request.ChallengeResponses.EMAIL_OTP_CODE, msg.code);
  const claims = assertSignedIn(doneOut);
  assert.ok(claims.id.auth_time >= ctx.authTime);
  await shot(a, "09-signed-in-email-otp");
});

story("signOut; signIn USER_AUTH with WEB_AUTHN and the passkey", async () => {
  const a = ctx.a;
  await signOut(a);
  const n = a.count();
  const doneOut = await run(a, "signIn", ctx.username, "WEB_AUTHN");
  const done = ok(doneOut, "signIn WEB_AUTHN");
  assert.equal(done.isSignedIn, true);
  assert.equal(done.nextStep.signInStep, "DONE");
  const [initiate] = await callsTo(a, n, "InitiateAuth");
  assert.equal(initiate.body.ChallengeName, "WEB_AUTHN", JSON.stringify(initiate.body));
  const options = JSON.parse(initiate.body.ChallengeParameters.CREDENTIAL_REQUEST_OPTIONS);
  assert.equal(options.rpId, RP_ID);
  assert.equal(options.userVerification, "preferred");
  assert.deepEqual(options.allowCredentials.map((c) => c.id), [ctx.credentialId]);
  const [respond] = await callsTo(a, n, "RespondToAuthChallenge");
  assert.equal(respond.request.ChallengeName, "WEB_AUTHN");
  const assertion = JSON.parse(respond.request.ChallengeResponses.CREDENTIAL);
  assert.equal(assertion.rawId, ctx.credentialId);
  assert.equal(JSON.parse(Buffer.from(assertion.response.clientDataJSON, "base64url")).challenge, options.challenge);
  assert.equal(respond.status, 200, JSON.stringify(respond.body));
  assertSignedIn(doneOut);
  // The authenticator counted the use.
  const [held] = await credentialsIn(a);
  assert.ok(held.signCount > ctx.signCount, `signCount ${held.signCount} > ${ctx.signCount}`);
  ctx.signCount = held.signCount;
  await shot(a, "10-signed-in-passkey");
});

story("signIn USER_AUTH with no preference: SELECT_CHALLENGE, then confirmSignIn('WEB_AUTHN')", async () => {
  const a = ctx.a;
  await signOut(a);
  const n = a.count();
  const choose = ok(await run(a, "signIn", ctx.username, undefined), "signIn USER_AUTH");
  assert.equal(choose.isSignedIn, false);
  assert.equal(choose.nextStep.signInStep, "CONTINUE_SIGN_IN_WITH_FIRST_FACTOR_SELECTION");
  assert.deepEqual(choose.nextStep.availableChallenges.slice().sort(), ["EMAIL_OTP", "WEB_AUTHN"]);
  const [initiate] = await callsTo(a, n, "InitiateAuth");
  assert.equal("PREFERRED_CHALLENGE" in initiate.request.AuthParameters, false);
  assert.equal(initiate.body.ChallengeName, "SELECT_CHALLENGE");
  await shot(a, "11-select-challenge");

  const doneOut = await run(a, "confirmSignIn", "WEB_AUTHN");
  const done = ok(doneOut, "confirmSignIn WEB_AUTHN");
  assert.equal(done.isSignedIn, true);
  const responds = await callsTo(a, n, "RespondToAuthChallenge");
  assert.deepEqual(
    responds.map((c) => [c.request.ChallengeName, c.request.ChallengeResponses.ANSWER, c.status]),
    [
      ["SELECT_CHALLENGE", "WEB_AUTHN", 200],
      ["WEB_AUTHN", undefined, 200],
    ],
  );
  assert.equal(responds[0].body.ChallengeName, "WEB_AUTHN");
  assertSignedIn(doneOut);
  const [held] = await credentialsIn(a);
  assert.ok(held.signCount > ctx.signCount, `signCount ${held.signCount} > ${ctx.signCount}`);
  ctx.signCount = held.signCount;
  await shot(a, "12-signed-in-passkey-chosen");
});

story("another authenticator, without the passkey, cannot sign in with WEB_AUTHN", async () => {
  // A second browser (its own storage and its own virtual authenticator, holding nothing).
  const b = await openApp();
  try {
    assert.deepEqual(await credentialsIn(b), []);
    const out = await run(b, "signIn", ctx.username, "WEB_AUTHN");
    assert.equal(out.ok, false, `refused: ${JSON.stringify(out.result)}`);
    // The browser finds no allowed credential and rejects (NotAllowedError), which Amplify names.
    assert.equal(out.error.name, "PasskeyAuthenticationCanceled", JSON.stringify(out.error));
    assertSignedOut(out);
    const [initiate] = await callsTo(b, 0, "InitiateAuth");
    assert.equal(initiate.body.ChallengeName, "WEB_AUTHN");
    assert.deepEqual(await callsTo(b, 0, "RespondToAuthChallenge"), [], "no assertion was sent");
    await shot(b, "13-other-authenticator-refused");
  } finally {
    await b.context.close();
  }
});

story("UserVerification required: an authenticator that does not verify the user is refused, by the browser and by the server", async () => {
  const a = ctx.a;
  await signOut(a);
  await setUserVerification("required");
  await a.cdp.send("WebAuthn.setUserVerified", { authenticatorId: a.authenticatorId, isUserVerified: false });
  try {
    // Through Amplify: the options demand verification, the authenticator cannot give it.
    let n = a.count();
    const out = await run(a, "signIn", ctx.username, "WEB_AUTHN");
    assert.equal(out.ok, false, `refused: ${JSON.stringify(out.result)}`);
    assert.equal(out.error.name, "PasskeyAuthenticationCanceled", JSON.stringify(out.error));
    assertSignedOut(out);
    const [initiate] = await callsTo(a, n, "InitiateAuth");
    assert.equal(JSON.parse(initiate.body.ChallengeParameters.CREDENTIAL_REQUEST_OPTIONS).userVerification, "required");
    await shot(a, "14-uv-required-amplify-refused");

    // By hand, asking the authenticator for no verification: the assertion lacks the UV flag
    // and the server itself refuses it.
    n = a.count();
    const raw = ok(await run(a, "rawWebAuthnSignIn", ctx.username, "discouraged"), "the ceremony by hand");
    assert.equal(raw.flags & 0x04, 0, "UV flag clear");
    assert.equal(raw.flags & 0x01, 0x01, "UP flag set");
    assert.equal(raw.respond.status, 400, JSON.stringify(raw.respond.body));
    assert.equal(raw.respond.body.__type, "NotAuthorizedException", JSON.stringify(raw.respond.body));
    assert.equal(raw.respond.body.AuthenticationResult, undefined);
    assertSignedOut(await run(a, "showState").then((state) => ({ state })));
    await shot(a, "15-uv-required-server-refused");

    // The same by hand with a verifying authenticator: accepted (the refusal was the UV flag).
    await a.cdp.send("WebAuthn.setUserVerified", { authenticatorId: a.authenticatorId, isUserVerified: true });
    const good = ok(await run(a, "rawWebAuthnSignIn", ctx.username, "required"), "the ceremony by hand, verified");
    assert.equal(good.flags & 0x04, 0x04, "UV flag set");
    assert.equal(good.respond.status, 200, JSON.stringify(good.respond.body));
    assert.equal(claimsOf(good.respond.body.AuthenticationResult.AccessToken).sub, ctx.sub);
  } finally {
    await a.cdp.send("WebAuthn.setUserVerified", { authenticatorId: a.authenticatorId, isUserVerified: true });
    await setUserVerification("preferred");
  }
});

story("deleteWebAuthnCredential: the list is empty and WEB_AUTHN is no longer offered", async () => {
  const a = ctx.a;
  ok(await run(a, "signIn", ctx.username, "WEB_AUTHN"), "signIn WEB_AUTHN");
  assertSignedIn(await run(a, "showState").then((state) => ({ state })));
  ok(await run(a, "remove", ctx.credentialId), "deleteWebAuthnCredential");
  const list = ok(await run(a, "list"), "listWebAuthnCredentials");
  assert.deepEqual(list.credentials, []);
  assert.deepEqual(await authFactors(a), ["EMAIL_OTP"]);
  await shot(a, "16-passkey-deleted");

  // Without a passkey the preference falls back to the choice of what is left (§1.4).
  await signOut(a);
  const n = a.count();
  const next = ok(await run(a, "signIn", ctx.username, "WEB_AUTHN"), "signIn WEB_AUTHN without a passkey");
  assert.equal(next.isSignedIn, false);
  assert.equal(next.nextStep.signInStep, "CONTINUE_SIGN_IN_WITH_FIRST_FACTOR_SELECTION");
  assert.ok(!next.nextStep.availableChallenges.includes("WEB_AUTHN"), JSON.stringify(next.nextStep));
  assert.ok(next.nextStep.availableChallenges.includes("EMAIL_OTP"), JSON.stringify(next.nextStep));
  const [initiate] = await callsTo(a, n, "InitiateAuth");
  assert.equal(initiate.body.ChallengeName, "SELECT_CHALLENGE");
  assert.deepEqual(await callsTo(a, n, "RespondToAuthChallenge"), []);
  await shot(a, "17-no-passkey-select-challenge");
});
