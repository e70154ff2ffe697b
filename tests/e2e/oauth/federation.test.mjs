// End-to-end suite: federation, the way a person meets it. The test starts a real OpenID
// Provider (oidc-provider from npm) on loopback and makes it an OIDC identity provider of a
// pool by its issuer alone, so that the emulator's real leg runs: discovery, the redirect to
// the provider's authorization endpoint, the code exchange at its token endpoint
// (client_secret_basic or client_secret_post, as its discovery document says), the ID token
// checked against its JWKS (signature, iss, aud, nonce, exp), and its userinfo endpoint for
// the claims the ID token leaves out. Debian's Chromium, driven by playwright-core, is the
// person on the provider's own login and consent pages (its devInteractions); openid-client
// is the app redeeming the emulator's code. Google cannot be reached: it goes through the
// emulator's mock page (/_mock-idp/Google/authorize), whose form the person fills.
//
// The endpoint comes from COG_EMU_ENDPOINT and the tokens' issuer base from
// COG_EMU_ISSUER_BASE (see hosted.test.mjs); without the endpoint every test is skipped, and
// without /usr/bin/chromium the browser tests are. Screenshots go to E2E_ARTIFACTS.
// With COG_EMU_ISOLATED set (an emulator in a container), the tests of the real provider skip.
// The browser is kept on loopback: every request elsewhere (oidc-provider's pages import a
// web font) is aborted.
// Run with: node --test federation.test.mjs   (Node 20 or later)
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { createServer } from "node:http";
import { randomBytes } from "node:crypto";

import * as client from "openid-client";
import Provider from "oidc-provider";

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

// An emulator in a container (docker/test.sh sets COG_EMU_ISOLATED) cannot reach a provider
// this suite starts on the host's loopback: the real OIDC leg is then skipped, never faked.
const noProvider =
  noBrowser ||
  (process.env.COG_EMU_ISOLATED
    ? "the emulator runs isolated (COG_EMU_ISOLATED) and cannot reach this host's loopback"
    : false);
const TIMEOUT = 90_000;

// The people the OpenID Provider knows: whatever login is typed on its page is the subject.
function account(sub) {
  return {
    sub,
    email: `${sub}@idp.example`,
    email_verified: true,
    name: `Person ${sub}`,
  };
}

// A real OpenID Provider on 127.0.0.1 and a free port, with one confidential client for the
// emulator's domain. authMethod is the only client authentication it accepts and advertises.
async function startProvider(redirectUri, authMethod) {
  const server = createServer();
  await new Promise((r) => server.listen(0, "127.0.0.1", r));
  const issuer = `http://127.0.0.1:${server.address().port}`;
  const clientId = `emu-${randomBytes(4).toString("hex")}`;
  const clientSecret = randomBytes(24).toString("base64url");
  const provider = new Provider(issuer, {
    clients: [
      {
        client_id: clientId,
        client_secret: clientSecret,
        redirect_uris: [redirectUri],
        grant_types: ["authorization_code"],
        response_types: ["code"],
        token_endpoint_auth_method: authMethod,
      },
    ],
    clientAuthMethods: [authMethod],
    claims: { openid: ["sub"], email: ["email", "email_verified"], profile: ["name"] },
    async findAccount(_ctx, id) {
      return { accountId: id, claims: async () => account(id) };
    },
    // Cognito sends no PKCE to an IdP; oidc-provider asks for it of public clients only.
    pkce: { required: () => false },
    cookies: { keys: [randomBytes(16).toString("hex")] },
    features: { devInteractions: { enabled: true } },
  });
  // Not behind a proxy; quiet about the development-only interactions.
  provider.on("server_error", (_ctx, err) => console.error("oidc-provider:", err));
  server.on("request", provider.callback());
  return { server, issuer, clientId, clientSecret };
}

// The app: a tiny HTTP server on loopback whose /cb page the browser lands on.
let app;
let appBase;
const ctx = {};
let browser;
let idp; // the OpenID Provider with client_secret_basic
let idpPost; // a second one that takes client_secret_post only

before(async () => {
  if (skip) return;
  ({ server: app, base: appBase } = await startApp());
  const { pool, domain } = await createPoolWithDomain("fed-e2e", "fed");
  ctx.pool = pool;
  ctx.domain = domain;
  // The domain's endpoints in the path form, as discovery advertises them.
  const idpResponse = `${ISSUER_BASE}/_domain/${ctx.domain}/oauth2/idpresponse`;
  idp = await startProvider(idpResponse, "client_secret_basic");
  idpPost = await startProvider(idpResponse, "client_secret_post");

  const oidc = (name, p) =>
    aws("CreateIdentityProvider", {
      UserPoolId: ctx.pool,
      ProviderName: name,
      ProviderType: "OIDC",
      ProviderDetails: {
        client_id: p.clientId,
        client_secret: p.clientSecret,
        authorize_scopes: "openid email profile",
        attributes_request_method: "GET",
        oidc_issuer: p.issuer,
      },
      AttributeMapping: { email: "email", name: "name", username: "sub" },
    });
  await oidc("LocalOP", idp);
  await oidc("PostOP", idpPost);
  await aws("CreateIdentityProvider", {
    UserPoolId: ctx.pool,
    ProviderName: "Google",
    ProviderType: "Google",
    ProviderDetails: { client_id: "google-client", client_secret: "google-secret", authorize_scopes: "openid email profile" },
    AttributeMapping: { email: "email", name: "name", username: "sub" },
  });
  const web = await aws("CreateUserPoolClient", {
    UserPoolId: ctx.pool,
    ClientName: "web",
    GenerateSecret: true,
    AllowedOAuthFlowsUserPoolClient: true,
    AllowedOAuthFlows: ["code"],
    AllowedOAuthScopes: ["openid", "email", "profile"],
    SupportedIdentityProviders: ["COGNITO", "LocalOP", "PostOP", "Google"],
    CallbackURLs: [`${appBase}/cb`],
  });
  ctx.client = web.UserPoolClient;

  ctx.issuer = `${ISSUER_BASE}/${ctx.pool}`;
  ctx.config = await discover(ctx.pool, ctx.client.ClientId, ctx.client.ClientSecret);
  browser = await launchBrowser();
});

after(async () => {
  if (browser) await browser.close();
  if (app) app.close();
  for (const p of [idp, idpPost]) if (p) p.server.close();
  if (ctx.pool) await deletePool(ctx.pool, ctx.domain);
});

// A browser page of its own (own cookies) that never leaves loopback.
async function newPage() {
  const context = await browser.newContext();
  await context.route(
    (url) => !["127.0.0.1", "localhost"].includes(url.hostname),
    (route) => route.abort(),
  );
  return context.newPage();
}

// A new authorization request: its URL and the values the callback is checked against.
async function authorization(extra = {}) {
  const verifier = client.randomPKCECodeVerifier();
  const request = { verifier, state: client.randomState(), nonce: client.randomNonce() };
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

function redeem(callback, request) {
  return client.authorizationCodeGrant(ctx.config, callback, {
    pkceCodeVerifier: request.verifier,
    expectedState: request.state,
    expectedNonce: request.nonce,
    idTokenExpected: true,
  });
}

const atApp = (u) => u.href.startsWith(`${appBase}/cb`);

// On the OpenID Provider's pages: log in as login when it asks, consent when it asks, until
// the browser is back at the app. Returns the callback URL.
async function throughProvider(page, p, login, label) {
  for (let step = 0; step < 4 && !atApp(new URL(page.url())); step++) {
    await page.waitForURL((u) => atApp(u) || u.href.startsWith(`${p.issuer}/interaction/`));
    if (atApp(new URL(page.url()))) break;
    await page.waitForSelector('button[type="submit"]');
    const isLogin = (await page.locator('input[name="login"]').count()) > 0;
    await shot(page, `${label}-${isLogin ? "login" : "consent"}`, { fullPage: true });
    if (isLogin) {
      await page.fill('input[name="login"]', login);
      await page.fill('input[name="password"]', "anything");
    }
    await Promise.all([page.waitForNavigation(), page.click('button[type="submit"]')]);
  }
  await page.waitForURL(atApp);
  await shot(page, `${label}-callback`);
  return new URL(page.url());
}

// The checks every federated sign-in through provider name as sub ends with.
async function checkFederated(tokens, name, sub, issuer, providerType) {
  const claims = tokens.claims();
  assert.equal(claims["cognito:username"], `${name}_${sub}`);
  assert.equal(claims.email, `${sub}@${providerType === "OIDC" ? "idp.example" : "gmail.example"}`);
  assert.ok(claims["cognito:groups"].includes(`${ctx.pool}_${name}`), JSON.stringify(claims));
  const identities = claims.identities;
  assert.equal(identities.length, 1, JSON.stringify(identities));
  assert.equal(identities[0].providerName, name);
  assert.equal(identities[0].providerType, providerType);
  assert.equal(identities[0].userId, sub);
  if (issuer !== undefined) assert.equal(identities[0].issuer, issuer);
  const user = await aws("AdminGetUser", { UserPoolId: ctx.pool, Username: `${name}_${sub}` });
  assert.equal(user.UserStatus, "EXTERNAL_PROVIDER");
  return claims;
}

test("identity_provider=LocalOP: the real OIDC leg against oidc-provider (client_secret_basic)", { skip: noProvider, timeout: TIMEOUT }, async () => {
  const page = await newPage();
  const sub = `op-${randomBytes(3).toString("hex")}`;
  const request = await authorization({ identity_provider: "LocalOP" });
  await page.goto(request.url.href);
  const callback = await throughProvider(page, idp, sub, "oidc-basic");
  assert.equal(callback.searchParams.get("state"), request.state, callback.href);
  assert.ok(callback.searchParams.get("code"), callback.href);
  const tokens = await redeem(callback, request);
  const claims = await checkFederated(tokens, "LocalOP", sub, idp.issuer, "OIDC");
  assert.equal(claims.name, `Person ${sub}`);
  assert.equal(claims.nonce, request.nonce);
  ctx.opSub = sub;
  ctx.opUserSub = claims.sub;

  // The emulator's hosted session: a new authorization comes back with no page at all.
  const sso = await authorization();
  await page.goto(sso.url.href);
  await page.waitForURL(atApp);
  assert.equal((await redeem(new URL(page.url()), sso)).claims().sub, claims.sub);
  await page.context().close();

  // Another browser: the same person through the sign-in page's button (no identity_provider).
  const other = await newPage();
  const again = await authorization();
  await other.goto(again.url.href);
  await other.waitForSelector("text=Continue with LocalOP");
  await shot(other, "oidc-buttons", { fullPage: true });
  await other.click("text=Continue with LocalOP");
  const back = await throughProvider(other, idp, sub, "oidc-button");
  const second = await redeem(back, again);
  const claims2 = await checkFederated(second, "LocalOP", sub, idp.issuer, "OIDC");
  assert.equal(claims2.sub, claims.sub);
  await other.context().close();
});

test("identity_provider=PostOP: a provider that takes client_secret_post only", { skip: noProvider, timeout: TIMEOUT }, async () => {
  const page = await newPage();
  const sub = `post-${randomBytes(3).toString("hex")}`;
  const request = await authorization({ identity_provider: "PostOP" });
  await page.goto(request.url.href);
  const callback = await throughProvider(page, idpPost, sub, "oidc-post");
  assert.ok(callback.searchParams.get("code"), callback.href);
  await checkFederated(await redeem(callback, request), "PostOP", sub, idpPost.issuer, "OIDC");
  await page.context().close();
});

test("AdminLinkProviderForUser: the provider's identity signs in as the native user", { skip: noProvider, timeout: TIMEOUT }, async () => {
  // A new identity (the one above already is a user of its own, which linking refuses).
  const sub = `link-${randomBytes(3).toString("hex")}`;
  const username = `native-${randomBytes(3).toString("hex")}`;
  await aws("AdminCreateUser", {
    UserPoolId: ctx.pool,
    Username: username,
    MessageAction: "SUPPRESS",
    UserAttributes: [
      { Name: "email", Value: `${username}@example.com` },
      { Name: "email_verified", Value: "true" },
    ],
  });
  await aws("AdminSetUserPassword", { UserPoolId: ctx.pool, Username: username, Password: PASSWORD, Permanent: true });
  const native = await aws("AdminGetUser", { UserPoolId: ctx.pool, Username: username });
  await aws("AdminLinkProviderForUser", {
    UserPoolId: ctx.pool,
    DestinationUser: { ProviderName: "Cognito", ProviderAttributeValue: username },
    SourceUser: { ProviderName: "LocalOP", ProviderAttributeName: "Cognito_Subject", ProviderAttributeValue: sub },
  });

  const page = await newPage();
  const request = await authorization({ identity_provider: "LocalOP" });
  await page.goto(request.url.href);
  const callback = await throughProvider(page, idp, sub, "oidc-link");
  const claims = (await redeem(callback, request)).claims();
  assert.equal(claims["cognito:username"], username);
  assert.equal(claims.sub, native.UserAttributes.find((a) => a.Name === "sub").Value);
  await assert.rejects(aws("AdminGetUser", { UserPoolId: ctx.pool, Username: `LocalOP_${sub}` }), (e) => e.type === "UserNotFoundException");
  await page.context().close();
});

test("identity_provider=Google: the emulator's mock page stands in for Google", { skip: noBrowser, timeout: TIMEOUT }, async () => {
  const page = await newPage();
  const sub = `${Date.now()}${randomBytes(2).readUInt16BE()}`;
  const request = await authorization({ identity_provider: "Google" });
  await page.goto(request.url.href);
  await page.waitForURL((u) => u.pathname.startsWith("/_mock-idp/Google/authorize"));
  await page.waitForSelector('input[name="sub"]');
  await shot(page, "mock-google", { fullPage: true });
  await page.fill('input[name="sub"]', sub);
  await page.fill('input[name="email"]', `${sub}@gmail.example`);
  await page.fill('input[name="name"]', "Gee Mail");
  await Promise.all([page.waitForURL(atApp), page.click('button[type="submit"]')]);
  const callback = new URL(page.url());
  assert.equal(callback.searchParams.get("state"), request.state);
  const claims = await checkFederated(await redeem(callback, request), "Google", sub, undefined, "Google");
  assert.equal(claims.name, "Gee Mail");
  await page.context().close();
});
