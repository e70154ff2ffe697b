// End-to-end suite: the OAuth 2.0 / OpenID Connect side of a user pool, the way a server-side
// web app meets it. openid-client (the relying party) discovers the pool, builds the
// authorization URL with PKCE S256, state and nonce; Debian's Chromium, driven by
// playwright-core, is the person who signs in on the hosted page; openid-client redeems the
// code and checks the ID token itself; jose and aws-jwt-verify verify both tokens again.
// Then userInfo, refresh, single sign-on, revocation, logout, and the error paths.
//
// The endpoint comes from COG_EMU_ENDPOINT (e.g. http://127.0.0.1:9229) and the tokens' issuer
// base from COG_EMU_ISSUER_BASE (run.sh: http://localhost:PORT); without the endpoint every
// test is skipped, and without /usr/bin/chromium the browser tests are (never faked).
// Screenshots go to E2E_ARTIFACTS (default: ./artifacts).
// Run with: node --test hosted.test.mjs   (Node 20 or later)
import { test, before, after } from "node:test";
import assert from "node:assert/strict";

import * as client from "openid-client";
import * as jose from "jose";
import { JwtVerifier } from "aws-jwt-verify";

import {
  ISSUER_BASE,
  PASSWORD,
  aws,
  createPoolWithDomain,
  deletePool,
  discover,
  launchBrowser,
  noBrowser,
  shot,
  skip,
  startApp,
} from "./common.mjs";

const TIMEOUT = 60_000;

// The app: a tiny HTTP server on loopback whose /cb and /bye pages the browser lands on.
let app;
let appBase;
// The pool, its domain, clients and user, made once for the suite.
const ctx = {};
let browser;

before(async () => {
  if (skip) return;
  ({ server: app, base: appBase } = await startApp());
  const { pool, domain, suffix } = await createPoolWithDomain("oauth-e2e", "e2e");
  ctx.pool = pool;
  ctx.domain = domain;
  await aws("CreateResourceServer", {
    UserPoolId: ctx.pool,
    Identifier: "https://api.example.com",
    Name: "api",
    Scopes: [{ ScopeName: "read", ScopeDescription: "read things" }],
  });
  const web = await aws("CreateUserPoolClient", {
    UserPoolId: ctx.pool,
    ClientName: "web",
    GenerateSecret: true,
    AllowedOAuthFlowsUserPoolClient: true,
    AllowedOAuthFlows: ["code"],
    AllowedOAuthScopes: ["openid", "email", "profile", "https://api.example.com/read"],
    SupportedIdentityProviders: ["COGNITO"],
    CallbackURLs: [`${appBase}/cb`],
    LogoutURLs: [`${appBase}/bye`],
  });
  ctx.client = web.UserPoolClient;
  const m2m = await aws("CreateUserPoolClient", {
    UserPoolId: ctx.pool,
    ClientName: "m2m",
    GenerateSecret: true,
    AllowedOAuthFlowsUserPoolClient: true,
    AllowedOAuthFlows: ["client_credentials"],
    AllowedOAuthScopes: ["https://api.example.com/read"],
  });
  ctx.m2m = m2m.UserPoolClient;
  ctx.username = `alice-${suffix}`;
  ctx.email = `${ctx.username}@example.com`;
  await aws("AdminCreateUser", {
    UserPoolId: ctx.pool,
    Username: ctx.username,
    MessageAction: "SUPPRESS",
    UserAttributes: [
      { Name: "email", Value: ctx.email },
      { Name: "email_verified", Value: "true" },
      { Name: "name", Value: "Alice Example" },
    ],
  });
  await aws("AdminSetUserPassword", {
    UserPoolId: ctx.pool,
    Username: ctx.username,
    Password: PASSWORD,
    Permanent: true,
  });

  ctx.issuer = `${ISSUER_BASE}/${ctx.pool}`;
  ctx.config = await discover(ctx.pool, ctx.client.ClientId, ctx.client.ClientSecret);
  browser = await launchBrowser();
});

after(async () => {
  if (browser) await browser.close();
  if (app) app.close();
  if (ctx.pool) await deletePool(ctx.pool, ctx.domain);
});

// A new authorization request: its URL and the values the callback is checked against.
async function authorization(extra = {}) {
  const verifier = client.randomPKCECodeVerifier();
  const request = {
    verifier,
    state: client.randomState(),
    nonce: client.randomNonce(),
  };
  request.url = client.buildAuthorizationUrl(ctx.config, {
    redirect_uri: `${appBase}/cb`,
    scope: "openid email profile",
    code_challenge: await client.calculatePKCECodeChallenge(verifier),
    code_challenge_method: "S256",
    state: request.state,
    nonce: request.nonce,
    ...extra,
  });
  return request;
}

// Sign in on the hosted page in page; returns the callback URL the browser landed on.
async function signInOnPage(page, request, label) {
  await page.goto(request.url.href);
  await page.waitForSelector("#signInFormUsername");
  await shot(page, `${label}-login`, { fullPage: true });
  await page.fill("#signInFormUsername", ctx.username);
  await page.fill("#signInFormPassword", PASSWORD);
  await Promise.all([
    page.waitForURL((u) => u.href.startsWith(`${appBase}/cb`)),
    page.click('[name="signInSubmitButton"]'),
  ]);
  await shot(page, `${label}-callback`);
  return new URL(page.url());
}

function redeem(callback, request) {
  return client.authorizationCodeGrant(ctx.config, callback, {
    pkceCodeVerifier: request.verifier,
    expectedState: request.state,
    expectedNonce: request.nonce,
    idTokenExpected: true,
  });
}

test("discovery advertises the domain's endpoints, all reachable", { skip, timeout: TIMEOUT }, async () => {
  const meta = ctx.config.serverMetadata();
  const base = `${ISSUER_BASE}/_domain/${ctx.domain}`;
  assert.equal(meta.issuer, ctx.issuer);
  assert.equal(meta.authorization_endpoint, `${base}/oauth2/authorize`);
  assert.equal(meta.token_endpoint, `${base}/oauth2/token`);
  assert.equal(meta.userinfo_endpoint, `${base}/oauth2/userInfo`);
  assert.equal(meta.revocation_endpoint, `${base}/oauth2/revoke`);
  assert.equal(meta.end_session_endpoint, `${base}/logout`);
  // Cognito's document has no PKCE or grant type lists: openid-client cannot tell PKCE works.
  assert.equal(meta.code_challenge_methods_supported, undefined);
  assert.equal(meta.grant_types_supported, undefined);
});

test("a person signs in on the hosted page; the code becomes verified tokens", { skip: noBrowser, timeout: TIMEOUT }, async () => {
  const page = await browser.newPage();
  const request = await authorization();
  const callback = await signInOnPage(page, request, "code-flow");
  assert.equal(callback.searchParams.get("state"), request.state);
  assert.match(callback.searchParams.get("code"), /^[0-9a-f-]{36}$/);

  // openid-client checks iss, aud, nonce, exp and the signature itself.
  const tokens = await redeem(callback, request);
  assert.equal(tokens.token_type.toLowerCase(), "bearer");
  assert.ok(tokens.refresh_token);
  const idClaims = tokens.claims();
  assert.equal(idClaims["cognito:username"], ctx.username);
  assert.equal(idClaims.email, ctx.email);
  assert.equal(idClaims.nonce, request.nonce);
  assert.equal(idClaims.token_use, "id");

  // jose, against the advertised JWKS.
  const jwks = jose.createRemoteJWKSet(new URL(ctx.config.serverMetadata().jwks_uri));
  const id = await jose.jwtVerify(tokens.id_token, jwks, {
    issuer: ctx.issuer,
    audience: ctx.client.ClientId,
  });
  assert.equal(id.payload.sub, idClaims.sub);
  const access = await jose.jwtVerify(tokens.access_token, jwks, { issuer: ctx.issuer });
  assert.equal(access.payload.token_use, "access");
  assert.equal(access.payload.client_id, ctx.client.ClientId);
  assert.equal(access.payload.username, ctx.username);
  assert.equal(access.payload.version, 2);
  assert.deepEqual(access.payload.scope.split(" ").sort(), ["email", "openid", "profile"]);

  // aws-jwt-verify's generic verifier (its fetcher needs https: hand it the JWKS).
  const verifier = JwtVerifier.create({
    issuer: ctx.issuer,
    audience: ctx.client.ClientId,
    jwksUri: ctx.config.serverMetadata().jwks_uri,
  });
  verifier.cacheJwks(await (await fetch(ctx.config.serverMetadata().jwks_uri)).json());
  const verified = await verifier.verify(tokens.id_token);
  assert.equal(verified.sub, idClaims.sub);

  // userInfo by the access token's scopes.
  const info = await client.fetchUserInfo(ctx.config, tokens.access_token, idClaims.sub);
  assert.equal(info.email, ctx.email);
  assert.equal(info.name, "Alice Example");

  // Refresh keeps the sign-in's auth_time.
  const refreshed = await client.refreshTokenGrant(ctx.config, tokens.refresh_token);
  assert.equal(refreshed.claims().auth_time, idClaims.auth_time);

  // Single sign-on: a second authorization comes back with a code and no form.
  const again = await authorization();
  await page.goto(again.url.href);
  await page.waitForURL((u) => u.href.startsWith(`${appBase}/cb`));
  const sso = await redeem(new URL(page.url()), again);
  assert.equal(sso.claims().sub, idClaims.sub);
  assert.equal(sso.claims().auth_time, idClaims.auth_time);

  // Revocation: the refresh token stops working.
  await client.tokenRevocation(ctx.config, tokens.refresh_token, { token_type_hint: "refresh_token" });
  await assert.rejects(client.refreshTokenGrant(ctx.config, tokens.refresh_token), (e) => {
    assert.equal(e.error, "invalid_grant");
    return true;
  });

  // Logout: Cognito's (not OIDC's) parameters; then the form is back.
  const logout = new URL(ctx.config.serverMetadata().end_session_endpoint);
  logout.searchParams.set("client_id", ctx.client.ClientId);
  logout.searchParams.set("logout_uri", `${appBase}/bye`);
  await page.goto(logout.href);
  await page.waitForURL((u) => u.href.startsWith(`${appBase}/bye`));
  const afterLogout = await authorization();
  await page.goto(afterLogout.url.href);
  await page.waitForSelector("#signInFormUsername");
  await shot(page, "after-logout");
  await page.close();
});

test("a wrong password stays on the page with Cognito's words", { skip: noBrowser, timeout: TIMEOUT }, async () => {
  const page = await browser.newPage();
  const request = await authorization();
  await page.goto(request.url.href);
  await page.fill("#signInFormUsername", ctx.username);
  await page.fill("#signInFormPassword", "wrong-password");
  await page.click('[name="signInSubmitButton"]');
  await page.waitForSelector("text=Incorrect username or password.");
  await shot(page, "wrong-password", { fullPage: true });
  assert.ok(!page.url().startsWith(appBase));
  await page.close();
});

test("an unregistered redirect_uri lands on the error page, never at the app", { skip: noBrowser, timeout: TIMEOUT }, async () => {
  const page = await browser.newPage();
  const request = await authorization({ redirect_uri: "http://localhost:1/elsewhere" });
  const res = await page.goto(request.url.href);
  assert.equal(res.status(), 400);
  assert.match(await page.content(), /An error was encountered with the requested page\./);
  assert.ok(!page.url().startsWith("http://localhost:1/"));
  await shot(page, "redirect-mismatch");
  await page.close();
});

test("a code is redeemed once, and only with its verifier", { skip: noBrowser, timeout: TIMEOUT }, async () => {
  const page = await browser.newPage();
  const request = await authorization({ prompt: "login" });
  const callback = await signInOnPage(page, request, "one-time-code");
  await assert.rejects(
    redeem(callback, { ...request, verifier: client.randomPKCECodeVerifier() }),
    (e) => e.error === "invalid_grant",
  );
  // The failed attempt used the code up, as Cognito's codes are single-use.
  await assert.rejects(redeem(callback, request), (e) => e.error === "invalid_grant");
  await page.close();
});

test("client_credentials gives an access token with the custom scope only", { skip, timeout: TIMEOUT }, async () => {
  const m2m = await client.discovery(
    new URL(ctx.issuer),
    ctx.m2m.ClientId,
    ctx.m2m.ClientSecret,
    undefined,
    { execute: [client.allowInsecureRequests] },
  );
  const tokens = await client.clientCredentialsGrant(m2m, { scope: "https://api.example.com/read" });
  assert.equal(tokens.id_token, undefined);
  assert.equal(tokens.refresh_token, undefined);
  const jwks = jose.createRemoteJWKSet(new URL(ctx.config.serverMetadata().jwks_uri));
  const { payload } = await jose.jwtVerify(tokens.access_token, jwks, { issuer: ctx.issuer });
  assert.equal(payload.scope, "https://api.example.com/read");
  assert.equal(payload.client_id, ctx.m2m.ClientId);
  assert.equal(payload.sub, ctx.m2m.ClientId);
  await assert.rejects(client.clientCredentialsGrant(m2m, { scope: "openid" }), (e) => e.error === "invalid_scope");
});
