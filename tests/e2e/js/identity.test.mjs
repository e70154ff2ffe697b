// End-to-end suite: identity pools through the AWS SDK for JavaScript v3. A user signs in to a
// user pool; fromCognitoIdentityPool (@aws-sdk/credential-providers), pointed at the emulator,
// trades the IdToken for temporary credentials (GetId, then GetCredentialsForIdentity), as apps
// and Amplify do; the control API's mapping then names the identity and user behind the access
// key. Also the unauthenticated (guest) flow, Amplify's issuer-based Logins key, and refusals.
//
// The endpoint comes from COG_EMU_ENDPOINT (e.g. http://127.0.0.1:9229); without it every test
// is skipped. Run with: node --test identity.test.mjs   (Node 18 or later)
import { test, after } from "node:test";
import assert from "node:assert/strict";
import { randomBytes } from "node:crypto";

import {
  CognitoIdentityProviderClient,
  CreateUserPoolCommand,
  CreateUserPoolClientCommand,
  DeleteUserPoolCommand,
  SignUpCommand,
  AdminConfirmSignUpCommand,
  InitiateAuthCommand,
} from "@aws-sdk/client-cognito-identity-provider";
import {
  CognitoIdentityClient,
  CreateIdentityPoolCommand,
  DeleteIdentityPoolCommand,
  SetIdentityPoolRolesCommand,
  GetOpenIdTokenCommand,
  NotAuthorizedException,
} from "@aws-sdk/client-cognito-identity";
import { fromCognitoIdentityPool } from "@aws-sdk/credential-providers";

const ENDPOINT = (process.env.COG_EMU_ENDPOINT || "").replace(/\/+$/, "");
const skip = ENDPOINT ? false : "COG_EMU_ENDPOINT is not set";
const TIMEOUT = 60_000;
const REGION = "us-east-1";
const PASSWORD = "Passw0rd!e2e";
const AUTH_ROLE = "arn:aws:iam::123456789012:role/e2e-js-authenticated";
const GUEST_ROLE = "arn:aws:iam::123456789012:role/e2e-js-unauthenticated";
const IDENTITY_RE = /^us-east-1:[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

const sdkConfig = {
  endpoint: ENDPOINT || "http://127.0.0.1:9",
  region: REGION,
  credentials: { accessKeyId: "test", secretAccessKey: "test" },
  maxAttempts: 1,
};
const idp = new CognitoIdentityProviderClient(sdkConfig);
const identity = new CognitoIdentityClient(sdkConfig);

const cleanups = [];
after(async () => {
  for (const fn of cleanups.reverse()) {
    try {
      await fn();
    } catch {
      // best effort
    }
  }
  idp.destroy();
  identity.destroy();
});

const unique = (prefix) => `${prefix}-${randomBytes(5).toString("hex")}`;
const payload = (token) => JSON.parse(Buffer.from(token.split(".")[1], "base64url").toString());

async function getJson(path, expectStatus = 200) {
  const r = await fetch(`${ENDPOINT}${path}`, { signal: AbortSignal.timeout(10_000) });
  assert.equal(r.status, expectStatus, `GET ${path}: ${r.status}`);
  return r.json();
}

// A user pool with a public client and one confirmed, signed-in user; an identity pool that
// trusts that client, with roles.
async function setup() {
  const pool = (await idp.send(new CreateUserPoolCommand({ PoolName: unique("e2e-js-ident") }))).UserPool;
  cleanups.push(() => idp.send(new DeleteUserPoolCommand({ UserPoolId: pool.Id })));
  const app = (
    await idp.send(
      new CreateUserPoolClientCommand({
        UserPoolId: pool.Id,
        ClientName: "e2e-js-ident",
        ExplicitAuthFlows: ["ALLOW_USER_PASSWORD_AUTH", "ALLOW_REFRESH_TOKEN_AUTH"],
      }),
    )
  ).UserPoolClient;
  const username = unique("jsident");
  const signUp = await idp.send(
    new SignUpCommand({
      ClientId: app.ClientId,
      Username: username,
      Password: PASSWORD,
      UserAttributes: [{ Name: "email", Value: `${username}@example.com` }],
    }),
  );
  await idp.send(new AdminConfirmSignUpCommand({ UserPoolId: pool.Id, Username: username }));
  const auth = await idp.send(
    new InitiateAuthCommand({
      ClientId: app.ClientId,
      AuthFlow: "USER_PASSWORD_AUTH",
      AuthParameters: { USERNAME: username, PASSWORD },
    }),
  );
  const providerName = `cognito-idp.${REGION}.amazonaws.com/${pool.Id}`;
  const ip = await identity.send(
    new CreateIdentityPoolCommand({
      IdentityPoolName: unique("e2e_js_ident").replace(/-/g, "_"),
      AllowUnauthenticatedIdentities: true,
      CognitoIdentityProviders: [{ ProviderName: providerName, ClientId: app.ClientId }],
    }),
  );
  cleanups.push(() => identity.send(new DeleteIdentityPoolCommand({ IdentityPoolId: ip.IdentityPoolId })));
  await identity.send(
    new SetIdentityPoolRolesCommand({
      IdentityPoolId: ip.IdentityPoolId,
      Roles: { authenticated: AUTH_ROLE, unauthenticated: GUEST_ROLE },
    }),
  );
  return {
    poolId: pool.Id,
    username,
    sub: signUp.UserSub,
    idToken: auth.AuthenticationResult.IdToken,
    providerName,
    identityPoolId: ip.IdentityPoolId,
  };
}

let shared;
const ready = () => (shared ??= setup());

// The credential provider as apps configure it, pointed at the emulator.
function provider(identityPoolId, logins) {
  return fromCognitoIdentityPool({
    identityPoolId,
    logins,
    clientConfig: { endpoint: ENDPOINT, region: REGION, maxAttempts: 1 },
  });
}

function assertStsShaped(creds) {
  assert.match(creds.accessKeyId, /^ASIA[A-Z0-9]{16}$/);
  assert.match(creds.secretAccessKey, /^[A-Za-z0-9+/]{40}$/);
  assert.ok(creds.sessionToken && creds.sessionToken.length > 100, "a long session token");
  assert.ok(creds.expiration instanceof Date, "expiration is a Date");
  const left = creds.expiration.getTime() - Date.now();
  assert.ok(left > 3500_000 && left <= 3601_000, `expires in an hour (${left} ms)`);
}

test("fromCognitoIdentityPool resolves credentials for a signed-in user", { skip, timeout: TIMEOUT }, async () => {
  const u = await ready();
  const creds = await provider(u.identityPoolId, { [u.providerName]: u.idToken })();
  assertStsShaped(creds);
  assert.match(creds.identityId, IDENTITY_RE);

  // The same user again: the same identity, new credentials.
  const again = await provider(u.identityPoolId, { [u.providerName]: u.idToken })();
  assert.equal(again.identityId, creds.identityId);
  assert.notEqual(again.accessKeyId, creds.accessKeyId);

  // The mapping AWS never gives: access key -> identity and role; identity -> user.
  const key = await getJson(`/_emu/credentials/${creds.accessKeyId}`);
  assert.equal(key.identityId, creds.identityId);
  assert.equal(key.identityPoolId, u.identityPoolId);
  assert.equal(key.roleArn, AUTH_ROLE);
  assert.equal(key.cognitoAuthenticationType, "authenticated");
  assert.equal(key.cognitoAuthenticationProvider, `${u.providerName},${u.providerName}:CognitoSignIn:${u.sub}`);
  const ident = await getJson(`/_emu/identities/${encodeURIComponent(creds.identityId)}`);
  assert.equal(ident.logins.length, 1);
  assert.equal(ident.logins[0].sub, u.sub);
  assert.equal(ident.logins[0].username, u.username);
  const mine = await getJson(`/_emu/user-pools/${u.poolId}/users/${u.username}/identities`);
  assert.deepEqual(
    mine.identities.map((i) => i.identityId),
    [creds.identityId],
  );
});

test("Amplify's Logins key (the token's issuer without its scheme) names the same identity", { skip, timeout: TIMEOUT }, async () => {
  const u = await ready();
  const key = payload(u.idToken).iss.replace(/^https?:\/\//, "");
  const byIssuer = await provider(u.identityPoolId, { [key]: u.idToken })();
  const bySdkKey = await provider(u.identityPoolId, { [u.providerName]: u.idToken })();
  assert.equal(byIssuer.identityId, bySdkKey.identityId);
});

test("a guest (no logins) gets credentials of the unauthenticated role", { skip, timeout: TIMEOUT }, async () => {
  const u = await ready();
  const creds = await provider(u.identityPoolId)();
  assertStsShaped(creds);
  const key = await getJson(`/_emu/credentials/${creds.accessKeyId}`);
  assert.equal(key.roleArn, GUEST_ROLE);
  assert.equal(key.cognitoAuthenticationType, "unauthenticated");
});

test("a forged IdToken is refused with Cognito's error", { skip, timeout: TIMEOUT }, async () => {
  const u = await ready();
  const [h, p, s] = u.idToken.split(".");
  const forged = `${h}.${p}.${s[0] === "A" ? "B" : "A"}${s.slice(1)}`;
  await assert.rejects(
    provider(u.identityPoolId, { [u.providerName]: forged })(),
    (e) => e instanceof NotAuthorizedException && e.message === "Invalid login token. Couldn't verify signed token.",
  );
});

test("GetOpenIdToken's token verifies against the emulator's identity JWKS", { skip, timeout: TIMEOUT }, async () => {
  const u = await ready();
  const creds = await provider(u.identityPoolId, { [u.providerName]: u.idToken })();
  const r = await identity.send(
    new GetOpenIdTokenCommand({ IdentityId: creds.identityId, Logins: { [u.providerName]: u.idToken } }),
  );
  const { createPublicKey, createVerify } = await import("node:crypto");
  const [h, p, s] = r.Token.split(".");
  const header = JSON.parse(Buffer.from(h, "base64url").toString());
  const jwks = await getJson("/_emu/identity/jwks.json");
  const jwk = jwks.keys.find((k) => k.kid === header.kid);
  assert.ok(jwk, "the token's kid is in the JWKS");
  const ok = createVerify("RSA-SHA256")
    .update(`${h}.${p}`)
    .verify(createPublicKey({ key: jwk, format: "jwk" }), Buffer.from(s, "base64url"));
  assert.ok(ok, "the signature verifies");
  const claims = payload(r.Token);
  assert.equal(claims.iss, "https://cognito-identity.amazonaws.com");
  assert.equal(claims.aud, u.identityPoolId);
  assert.equal(claims.sub, creds.identityId);
  assert.deepEqual(claims.amr.slice(0, 2), ["authenticated", u.providerName]);
});
