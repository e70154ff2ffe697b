// End-to-end suite: Amplify v6's signInWithRedirect in a browser app against cognito-emu's
// hosted sign-in pages over the TLS listener. Amplify builds every hosted-UI URL as
// https://<domain>/..., so the domain is "localhost:<tls port>/_domain/<prefix>" and the user
// pools API goes to userPoolEndpoint (plain http on localhost, which Amplify allows).
//
// The test starts its own server (COG_EMU_BIN, default build/cognito-emu) with --port 0
// --tls-port auto --db :memory:, seeds a pool, a prefix domain, a public app client and a user
// through the AWS API, bundles index.html + app.js with esbuild into a temporary folder, serves
// it from another localhost port (so the token call is cross-origin and CORS is real), and
// drives Debian's Chromium through playwright-core as the person signing in: the hosted login
// page, back at the app (Hub event, getCurrentUser, fetchAuthSession), a forced refresh
// (GetTokensFromRefreshToken through userPoolEndpoint), then signOut (RevokeToken, /logout)
// and a sign-in that must show the form again.
//
// Skipped (never faked) without the server binary; the browser tests also without
// /usr/bin/chromium (or CHROMIUM).
// Screenshots go to E2E_ARTIFACTS (default: ./artifacts).
// Run with: node --test hosted-amplify.test.mjs   (Node 20 or later, after npm ci)
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { createServer } from "node:http";
import { request as httpsRequest } from "node:https";
import { createPublicKey, randomBytes, verify } from "node:crypto";
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
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
const skip = existsSync(BIN) ? false : `no server binary at ${BIN} (set COG_EMU_BIN)`;
const noBrowser = skip || (existsSync(CHROMIUM) ? false : `no browser at ${CHROMIUM}`);
const TIMEOUT = 90_000;
const PASSWORD = "Passw0rd!e2e";
const SCOPES = ["aws.cognito.signin.user.admin", "email", "openid", "profile"];

// ------------------------------------------------------------------ the server
// Its ports and certificate come from its stdout:
//   cognito-emu <ver> serving https://<bind>:<port> with certificate <path>
//   cognito-emu <ver> listening on http://<bind>:<port>      (the ready line, last)
// Its stderr (the request log, at info) is kept to see the CORS preflights it answered.
const server = { log: "" };

function startServer() {
  return new Promise((resolveStart, rejectStart) => {
    const proc = spawn(BIN, ["--port", "0", "--tls-port", "auto", "--db", ":memory:", "--log-level", "info"], {
      stdio: ["ignore", "pipe", "pipe"],
    });
    server.proc = proc;
    let out = "";
    const timer = setTimeout(() => rejectStart(new Error(`no ready line within 15 s:\n${out}\n${server.log}`)), 15_000);
    proc.stderr.on("data", (d) => (server.log += d));
    proc.stdout.on("data", (d) => {
      out += d;
      const tls = out.match(/^cognito-emu \S+ serving https:\/\/\S+:(\d+) with certificate (.+)$/m);
      const ready = out.match(/^cognito-emu \S+ listening on http:\/\/\S+:(\d+)$/m);
      if (!ready) return;
      clearTimeout(timer);
      if (!tls) return rejectStart(new Error(`no TLS line before the ready line:\n${out}`));
      server.httpPort = Number(ready[1]);
      server.tlsPort = Number(tls[1]);
      server.cert = tls[2];
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

// One AWS JSON 1.1 call over plain http, by ../amplify/emu.mjs's idp() (it throws the AWS
// error as an Error named after its __type), and its makeUser(). emu.mjs reads COG_EMU_ENDPOINT when it loads (run.sh
// sets it to its own server's): load it once this suite's own server is up.
let idp;
let makeUser;
async function loadHelpers() {
  process.env.COG_EMU_ENDPOINT = `http://127.0.0.1:${server.httpPort}`;
  ({ idp, makeUser } = await import("../amplify/emu.mjs"));
}
const aws = (operation, body) => idp(operation, body);

// GET over the TLS listener, trusting only the certificate the server printed.
function tlsGet(path) {
  return new Promise((ok, ko) => {
    const req = httpsRequest(
      { host: "localhost", port: server.tlsPort, path, ca: readFileSync(server.cert) },
      (res) => {
        let body = "";
        res.on("data", (d) => (body += d));
        res.on("end", () => ok({ status: res.statusCode, body }));
      },
    );
    req.on("error", ko);
    req.end();
  });
}

// The server's request log having a line matching re (it is written after the response went
// out, so it may trail the client by a moment).
async function serverLogged(re) {
  for (let i = 0; i < 50 && !re.test(server.log); i++) await new Promise((r) => setTimeout(r, 100));
  assert.match(server.log, re);
}

// ------------------------------------------------------------------ tokens
function decode(jwt) {
  const [header, payload] = jwt.split(".").slice(0, 2).map((p) => JSON.parse(Buffer.from(p, "base64url")));
  return { header, payload };
}

// The JWT's RS256 signature checked against the pool's JWKS; returns its claims.
function verifyJwt(jwt, jwks) {
  const { header, payload } = decode(jwt);
  assert.equal(header.alg, "RS256");
  const jwk = jwks.keys.find((k) => k.kid === header.kid);
  assert.ok(jwk, `kid ${header.kid} is in the pool's JWKS`);
  const [h, p, s] = jwt.split(".");
  const ok = verify("RSA-SHA256", Buffer.from(`${h}.${p}`), createPublicKey({ key: jwk, format: "jwk" }), Buffer.from(s, "base64url"));
  assert.ok(ok, "the signature verifies");
  assert.ok(payload.exp > Date.now() / 1000, "not expired");
  return payload;
}

// ------------------------------------------------------------------ the app
// index.html, and app.js bundled by esbuild into a temporary folder; config.json tells the app
// where the emulator is.
let appServer;
let bundleDir;
const ctx = {};
let browser;

async function bundleApp() {
  bundleDir = mkdtempSync(join(tmpdir(), "amplify-hosted-"));
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

before(async () => {
  if (skip) return;
  await startServer();
  await loadHelpers();
  await startApp();
  ctx.appUrl = `http://localhost:${appServer.address().port}/`;

  const suffix = randomBytes(4).toString("hex");
  const pool = await aws("CreateUserPool", { PoolName: `amplify-hosted-${suffix}` });
  ctx.pool = pool.UserPool.Id;
  ctx.prefix = `amplify-${suffix}`;
  await aws("CreateUserPoolDomain", { UserPoolId: ctx.pool, Domain: ctx.prefix });
  const client = await aws("CreateUserPoolClient", {
    UserPoolId: ctx.pool,
    ClientName: "amplify-spa",
    GenerateSecret: false,
    AllowedOAuthFlowsUserPoolClient: true,
    AllowedOAuthFlows: ["code"],
    AllowedOAuthScopes: SCOPES,
    SupportedIdentityProviders: ["COGNITO"],
    CallbackURLs: [ctx.appUrl],
    LogoutURLs: [ctx.appUrl],
    ExplicitAuthFlows: ["ALLOW_REFRESH_TOKEN_AUTH"],
  });
  ctx.clientId = client.UserPoolClient.ClientId;
  ctx.username = `bob-${suffix}`;
  ctx.email = `${ctx.username}@example.com`;
  await makeUser(ctx.pool, ctx.username, PASSWORD, [
    { Name: "email", Value: ctx.email },
    { Name: "email_verified", Value: "true" },
  ]);

  ctx.tlsBase = `https://localhost:${server.tlsPort}/_domain/${ctx.prefix}`;
  // The tokens' issuer: the server's default public URL (http, the API port) and the pool.
  ctx.issuer = `http://localhost:${server.httpPort}/${ctx.pool}`;
  ctx.appConfig = {
    userPoolId: ctx.pool,
    userPoolClientId: ctx.clientId,
    userPoolEndpoint: `http://localhost:${server.httpPort}`,
    domain: `localhost:${server.tlsPort}/_domain/${ctx.prefix}`,
    appUrl: ctx.appUrl,
  };
  ctx.jwks = await (await fetch(`http://127.0.0.1:${server.httpPort}/${ctx.pool}/.well-known/jwks.json`)).json();

  if (noBrowser) return;
  await bundleApp();
  mkdirSync(ARTIFACTS, { recursive: true });
  browser = await chromium.launch({
    executablePath: CHROMIUM,
    args: ["--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", "--ignore-certificate-errors"],
  });
  const context = await browser.newContext({ ignoreHTTPSErrors: true });
  ctx.page = await context.newPage();
  // Every request the page makes, with the status it got (requestfailed: status 0), recorded
  // as the response's headers arrive: before the page's code sees its body.
  ctx.requests = [];
  ctx.page.on("response", (res) =>
    ctx.requests.push({ method: res.request().method(), url: res.url(), status: res.status() }),
  );
  ctx.page.on("requestfailed", (req) => ctx.requests.push({ method: req.method(), url: req.url(), status: 0, failure: req.failure()?.errorText }));
});

after(async () => {
  if (browser) await browser.close();
  if (appServer) appServer.close();
  await stopServer();
  if (bundleDir) rmSync(bundleDir, { recursive: true, force: true });
});

// A screenshot once the page has loaded (Chromium refuses one while a navigation commits).
const shot = async (name) => {
  await ctx.page.waitForLoadState("load");
  await ctx.page.screenshot({ path: join(ARTIFACTS, `${name}.png`), fullPage: true });
};
const text = (id) => ctx.page.textContent(`#${id}`);
const json = async (id) => JSON.parse(await text(id));

// The app's #status reaching want, or its #error: the error fails the test with its words.
async function appStatus(want) {
  await ctx.page.waitForFunction(
    (w) => document.getElementById("status")?.textContent === w || document.getElementById("error")?.textContent,
    want,
    { timeout: 20_000 },
  );
  assert.equal(await text("error"), "", "the app reports no error");
  assert.equal(await text("status"), want);
}

// From the app, click sign in: Amplify sends the browser to the hosted page over TLS.
async function clickSignIn() {
  await ctx.page.goto(ctx.appUrl);
  await appStatus("ready");
  await Promise.all([ctx.page.waitForURL((u) => u.href.startsWith(`${ctx.tlsBase}/login`)), ctx.page.click("#sign-in")]);
  await ctx.page.waitForSelector("#signInFormUsername");
}

test("the TLS listener serves the certificate it printed", { skip, timeout: TIMEOUT }, async () => {
  assert.match(readFileSync(server.cert, "utf8"), /-----BEGIN CERTIFICATE-----/);
  const res = await tlsGet(`/${ctx.pool}/.well-known/openid-configuration`);
  assert.equal(res.status, 200);
  // The same document as over http: the issuer (and the endpoints it advertises) are the
  // server's public URL (--public-url), whichever listener answered.
  assert.equal(JSON.parse(res.body).issuer, ctx.issuer);
});

test("signInWithRedirect: the hosted page, back at the app with verified tokens", { skip: noBrowser, timeout: TIMEOUT }, async () => {
  const page = ctx.page;
  await clickSignIn();
  const authorize = ctx.requests.find((r) => r.url.startsWith(`${ctx.tlsBase}/oauth2/authorize?`));
  assert.ok(authorize, "Amplify opened the TLS authorize endpoint");
  const params = new URL(authorize.url).searchParams;
  assert.equal(params.get("client_id"), ctx.clientId);
  assert.equal(params.get("identity_provider"), "COGNITO");
  assert.equal(params.get("response_type"), "code");
  assert.equal(params.get("code_challenge_method"), "S256");
  assert.equal(params.get("redirect_uri"), ctx.appUrl);
  await shot("1-login");

  await page.fill("#signInFormUsername", ctx.username);
  await page.fill("#signInFormPassword", PASSWORD);
  await Promise.all([page.waitForURL((u) => u.href.startsWith(ctx.appUrl)), page.click('[name="signInSubmitButton"]')]);
  await appStatus("signed-in");
  await shot("2-signed-in");

  // Amplify redeemed the code at the TLS token endpoint, cross-origin: the browser sent the
  // preflight (Amplify adds x-amz-user-agent) and the server answered it.
  const token = ctx.requests.find((r) => r.method === "POST" && r.url === `${ctx.tlsBase}/oauth2/token`);
  assert.ok(token, `Amplify called the TLS token endpoint: ${JSON.stringify(ctx.requests.map((r) => r.url))}`);
  assert.equal(token.status, 200);
  await serverLogged(new RegExp(`OPTIONS /_domain/${ctx.prefix}/oauth2/token preflight 200`));

  const events = await json("events");
  assert.ok(events.includes("signInWithRedirect"), `Hub events: ${events}`);
  assert.ok(!events.includes("signInWithRedirect_failure"));

  const user = await json("user");
  assert.equal(user.username, ctx.username);
  const session = await json("session");
  const id = verifyJwt(session.idToken, ctx.jwks);
  const access = verifyJwt(session.accessToken, ctx.jwks);
  assert.equal(user.userId, id.sub);
  assert.equal(session.userSub, id.sub);

  assert.equal(id.iss, ctx.issuer);
  assert.equal(id.aud, ctx.clientId);
  assert.equal(id.token_use, "id");
  assert.equal(id["cognito:username"], ctx.username);
  assert.equal(id.email, ctx.email);
  assert.equal(access.iss, ctx.issuer);
  assert.equal(access.client_id, ctx.clientId);
  assert.equal(access.token_use, "access");
  assert.equal(access.username, ctx.username);
  assert.equal(access.sub, id.sub);
  assert.deepEqual(access.scope.split(" ").sort(), SCOPES);
  // signOut revokes only tokens that carry origin_jti.
  assert.ok(access.origin_jti, "the access token carries origin_jti");
  assert.equal(access.origin_jti, id.origin_jti);
  ctx.signedIn = { sub: id.sub, authTime: id.auth_time, accessToken: session.accessToken };
});

test("fetchAuthSession({ forceRefresh }) refreshes the hosted refresh token through userPoolEndpoint", { skip: noBrowser, timeout: TIMEOUT }, async () => {
  assert.ok(ctx.signedIn, "signed in by the previous test");
  const before = ctx.requests.length;
  await ctx.page.click("#refresh");
  await appStatus("refreshed");
  const session = await json("session");
  const refresh = ctx.requests.slice(before).find((r) => r.method === "POST" && r.url === `http://localhost:${server.httpPort}/`);
  assert.ok(refresh, "Amplify called the user pools API at userPoolEndpoint");
  assert.equal(refresh.status, 200);
  await serverLogged(/POST \/ GetTokensFromRefreshToken 200/);
  const access = verifyJwt(session.accessToken, ctx.jwks);
  assert.notEqual(session.accessToken, ctx.signedIn.accessToken);
  assert.equal(access.sub, ctx.signedIn.sub);
  assert.equal(access.client_id, ctx.clientId);
  const id = verifyJwt(session.idToken, ctx.jwks);
  assert.equal(id.auth_time, ctx.signedIn.authTime);
});

test("signOut revokes the refresh token, goes through /logout, and the next sign-in shows the form", { skip: noBrowser, timeout: TIMEOUT }, async () => {
  assert.ok(ctx.signedIn, "signed in by the first test");
  const page = ctx.page;
  // Amplify keeps the tokens in localStorage; the refresh token is what RevokeToken revokes.
  const refreshToken = await page.evaluate(() => {
    const key = Object.keys(localStorage).find((k) => k.endsWith(".refreshToken"));
    return key ? localStorage.getItem(key) : null;
  });
  assert.ok(refreshToken, "Amplify stored a refresh token");
  await aws("GetTokensFromRefreshToken", { ClientId: ctx.clientId, RefreshToken: refreshToken });

  const before = ctx.requests.length;
  await Promise.all([
    page.waitForRequest((r) => r.url().startsWith(`${ctx.tlsBase}/logout?`)),
    page.click("#sign-out"),
  ]);
  await page.waitForURL((u) => u.href.startsWith(ctx.appUrl));
  await appStatus("ready");
  await shot("3-signed-out");
  const logout = ctx.requests.slice(before).find((r) => r.url.startsWith(`${ctx.tlsBase}/logout?`));
  assert.ok(logout, "the browser went through the TLS /logout endpoint");
  const params = new URL(logout.url).searchParams;
  assert.equal(params.get("client_id"), ctx.clientId);
  assert.equal(params.get("logout_uri"), ctx.appUrl);
  assert.ok(
    ctx.requests.slice(before).some((r) => r.method === "POST" && r.url === `http://localhost:${server.httpPort}/` && r.status === 200),
    "Amplify called RevokeToken at userPoolEndpoint",
  );
  await serverLogged(/POST \/ RevokeToken 200/);
  const stored = await page.evaluate(() => Object.keys(localStorage).filter((k) => k.endsWith(".refreshToken")));
  assert.deepEqual(stored, [], "Amplify cleared its tokens");

  // The refresh token is revoked: both the API and the token endpoint refuse it.
  await assert.rejects(aws("GetTokensFromRefreshToken", { ClientId: ctx.clientId, RefreshToken: refreshToken }), (e) => {
    assert.equal(e.name, "NotAuthorizedException");
    return true;
  });
  const res = await fetch(`http://127.0.0.1:${server.httpPort}/_domain/${ctx.prefix}/oauth2/token`, {
    method: "POST",
    headers: { "Content-Type": "application/x-www-form-urlencoded" },
    body: new URLSearchParams({ grant_type: "refresh_token", client_id: ctx.clientId, refresh_token: refreshToken }),
  });
  assert.equal(res.status, 400);
  assert.equal((await res.json()).error, "invalid_grant");

  // No single sign-on after /logout: the hosted page asks again.
  await clickSignIn();
  await shot("4-login-after-logout");
});
