// End-to-end suite: sign-up, sign-in, refresh and token verification through the AWS SDK for
// JavaScript v3 and the two JWT libraries apps use with Cognito: aws-jwt-verify and jose.
//
// The endpoint comes from COG_EMU_ENDPOINT (e.g. http://127.0.0.1:9229); without it every test
// is skipped. COG_EMU_ISSUER_BASE, when set (run.sh: http://localhost:PORT), is what the tokens'
// issuer must start with. The --issuer aws test starts a second server itself, from COG_EMU_BIN
// (default: build/cognito-emu of this checkout), on 127.0.0.1 with --port 0 --db :memory:; it
// is skipped when there is no binary.
// Run with: node --test auth.test.mjs   (Node 18 or later)
import { test, after } from "node:test";
import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { randomBytes } from "node:crypto";
import { existsSync } from "node:fs";
import { dirname, resolve } from "node:path";
import { fileURLToPath } from "node:url";

import {
  CognitoIdentityProviderClient,
  CreateUserPoolCommand,
  CreateUserPoolClientCommand,
  DeleteUserPoolCommand,
  SignUpCommand,
  AdminConfirmSignUpCommand,
  InitiateAuthCommand,
  GetUserCommand,
  GetTokensFromRefreshTokenCommand,
  NotAuthorizedException,
} from "@aws-sdk/client-cognito-identity-provider";
import { JwtVerifier, CognitoJwtVerifier } from "aws-jwt-verify";
import { SimpleJwksCache } from "aws-jwt-verify/jwk";
import { JwtInvalidSignatureError } from "aws-jwt-verify/error";
import * as jose from "jose";

const ENDPOINT = (process.env.COG_EMU_ENDPOINT || "").replace(/\/+$/, "");
const ISSUER_BASE = (process.env.COG_EMU_ISSUER_BASE || "").replace(/\/+$/, "");
const skip = ENDPOINT ? false : "COG_EMU_ENDPOINT is not set";
const TIMEOUT = 60_000;
const HERE = dirname(fileURLToPath(import.meta.url));
const BIN = process.env.COG_EMU_BIN || resolve(HERE, "../../../build/cognito-emu");
const PASSWORD = "Passw0rd!e2e";
const UUID_RE = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

const clients = [];
function idpClient(endpoint) {
  const c = new CognitoIdentityProviderClient({
    endpoint: endpoint || "http://127.0.0.1:9",
    region: "us-east-1",
    credentials: { accessKeyId: "test", secretAccessKey: "test" },
    maxAttempts: 1,
  });
  clients.push(c);
  return c;
}
const idp = idpClient(ENDPOINT);

const cleanups = [];
after(async () => {
  for (const fn of cleanups.reverse()) {
    try {
      await fn();
    } catch {
      // best effort
    }
  }
  for (const c of clients) c.destroy();
});

const unique = (prefix) => `${prefix}-${randomBytes(5).toString("hex")}`;

function decode(token) {
  const [h, p] = token.split(".");
  return {
    header: JSON.parse(Buffer.from(h, "base64url").toString()),
    payload: JSON.parse(Buffer.from(p, "base64url").toString()),
  };
}

// The token with one byte of its payload changed (in the sub claim; the JSON stays valid, so
// only the signature can tell).
function tamper(token) {
  const [h, p, s] = token.split(".");
  const raw = Buffer.from(p, "base64url");
  const i = raw.indexOf('"sub":"') + 7;
  assert.ok(i > 6, "no sub claim");
  raw[i] = raw[i] === 0x30 ? 0x31 : 0x30;
  JSON.parse(raw.toString());
  return `${h}.${raw.toString("base64url")}.${s}`;
}

async function getJson(url) {
  const r = await fetch(url, { signal: AbortSignal.timeout(10_000) });
  assert.equal(r.status, 200, `GET ${url}: ${r.status}`);
  return r.json();
}

// aws-jwt-verify's own fetcher speaks only https (it uses node:https); the emulator serves
// its JWKS over plain http on 127.0.0.1. The library's documented way to fetch differently is
// a custom Fetcher in a SimpleJwksCache: this one uses Node's fetch.
const httpFetcher = {
  async fetch(uri) {
    const r = await fetch(uri, { signal: AbortSignal.timeout(10_000) });
    if (r.status !== 200) throw new Error(`GET ${uri}: ${r.status}`);
    return r.arrayBuffer();
  },
};
const httpJwksCache = () => new SimpleJwksCache({ fetcher: httpFetcher });

// A pool with a public client (password and refresh flows), one confirmed user, signed in.
async function signedInUser(client) {
  const pool = (await client.send(new CreateUserPoolCommand({ PoolName: unique("e2e-js-auth") }))).UserPool;
  cleanups.push(() => client.send(new DeleteUserPoolCommand({ UserPoolId: pool.Id })));
  const app = (
    await client.send(
      new CreateUserPoolClientCommand({
        UserPoolId: pool.Id,
        ClientName: "e2e-js-auth",
        ExplicitAuthFlows: ["ALLOW_USER_PASSWORD_AUTH", "ALLOW_REFRESH_TOKEN_AUTH"],
      }),
    )
  ).UserPoolClient;
  const username = unique("jsuser");
  const email = `${username}@example.com`;
  const signUp = await client.send(
    new SignUpCommand({
      ClientId: app.ClientId,
      Username: username,
      Password: PASSWORD,
      UserAttributes: [{ Name: "email", Value: email }],
    }),
  );
  assert.equal(signUp.UserConfirmed, false);
  assert.match(signUp.UserSub, UUID_RE);
  await client.send(new AdminConfirmSignUpCommand({ UserPoolId: pool.Id, Username: username }));
  const auth = await client.send(
    new InitiateAuthCommand({
      ClientId: app.ClientId,
      AuthFlow: "USER_PASSWORD_AUTH",
      AuthParameters: { USERNAME: username, PASSWORD: PASSWORD },
    }),
  );
  assert.ok(auth.AuthenticationResult, `no AuthenticationResult: ${JSON.stringify(auth)}`);
  return { poolId: pool.Id, clientId: app.ClientId, username, email, sub: signUp.UserSub, tokens: auth.AuthenticationResult };
}

// One user for the tests against the main server, made by the first test that needs it.
let mainUser;
async function mainSignedIn() {
  mainUser ??= signedInUser(idp);
  return mainUser;
}

async function issuerOf(endpoint, poolId) {
  const oidc = await getJson(`${endpoint}/${poolId}/.well-known/openid-configuration`);
  return oidc.issuer;
}

test("core flow: SignUp, AdminConfirmSignUp, InitiateAuth, GetUser, GetTokensFromRefreshToken", { skip, timeout: TIMEOUT }, async () => {
  const u = await mainSignedIn();
  const t = u.tokens;
  assert.equal(t.TokenType, "Bearer");
  assert.equal(t.ExpiresIn, 3600);
  assert.ok(t.AccessToken && t.IdToken && t.RefreshToken);

  const me = await idp.send(new GetUserCommand({ AccessToken: t.AccessToken }));
  assert.equal(me.Username, u.username);
  const attrs = Object.fromEntries(me.UserAttributes.map((a) => [a.Name, a.Value]));
  assert.equal(attrs.sub, u.sub);
  assert.equal(attrs.email, u.email);

  const r = await idp.send(new GetTokensFromRefreshTokenCommand({ ClientId: u.clientId, RefreshToken: t.RefreshToken }));
  const t2 = r.AuthenticationResult;
  assert.ok(t2?.AccessToken && t2?.IdToken, `no tokens: ${JSON.stringify(r)}`);
  assert.equal(t2.RefreshToken, undefined, "no rotation configured: no new refresh token");
  assert.equal(t2.TokenType, "Bearer");
  for (const kind of ["IdToken", "AccessToken"]) {
    const a = decode(t[kind]).payload;
    const b = decode(t2[kind]).payload;
    assert.equal(b.auth_time, a.auth_time, `${kind} auth_time`);
    assert.equal(b.origin_jti, a.origin_jti, `${kind} origin_jti`);
    assert.notEqual(b.jti, a.jti, `${kind} jti`);
    assert.equal(typeof b.iat, "number", `${kind} iat`); // Amplify needs iat in the access token
  }
  const me2 = await idp.send(new GetUserCommand({ AccessToken: t2.AccessToken }));
  assert.equal(me2.Username, u.username);

  await assert.rejects(
    idp.send(new GetUserCommand({ AccessToken: tamper(t.AccessToken) })),
    (e) => e instanceof NotAuthorizedException && e.message === "Invalid Access Token",
  );
  await assert.rejects(
    idp.send(new GetTokensFromRefreshTokenCommand({ ClientId: u.clientId, RefreshToken: "not-a-refresh-token" })),
    (e) => e instanceof NotAuthorizedException && e.message === "Invalid Refresh Token",
  );
});

test("aws-jwt-verify JwtVerifier verifies the ID and access tokens against the emulator's JWKS", { skip, timeout: TIMEOUT }, async () => {
  const u = await mainSignedIn();
  const issuer = await issuerOf(ENDPOINT, u.poolId);
  if (ISSUER_BASE) assert.equal(issuer, `${ISSUER_BASE}/${u.poolId}`);
  const jwksUri = `${ENDPOINT}/${u.poolId}/.well-known/jwks.json`;

  const idVerifier = JwtVerifier.create({ issuer, audience: u.clientId, jwksUri }, { jwksCache: httpJwksCache() });
  const idPayload = await idVerifier.verify(u.tokens.IdToken);
  assert.equal(idPayload.token_use, "id");
  assert.equal(idPayload.sub, u.sub);
  assert.equal(idPayload["cognito:username"], u.username);
  assert.equal(idPayload.email, u.email);

  const accessVerifier = JwtVerifier.create(
    {
      issuer,
      audience: null,
      jwksUri,
      customJwtCheck: ({ payload }) => {
        if (payload.token_use !== "access") throw new Error(`token_use is ${payload.token_use}`);
        if (payload.client_id !== u.clientId) throw new Error(`client_id is ${payload.client_id}`);
      },
    },
    { jwksCache: httpJwksCache() },
  );
  const accessPayload = await accessVerifier.verify(u.tokens.AccessToken);
  assert.equal(accessPayload.username, u.username);
  assert.equal(accessPayload.scope, "aws.cognito.signin.user.admin");
  assert.equal(accessPayload.aud, undefined);

  // The ID verifier refuses the access token (it has no aud), the access one the ID token.
  await assert.rejects(idVerifier.verify(u.tokens.AccessToken));
  await assert.rejects(accessVerifier.verify(u.tokens.IdToken));
});

test("jose createRemoteJWKSet + jwtVerify verifies the ID and access tokens", { skip, timeout: TIMEOUT }, async () => {
  const u = await mainSignedIn();
  const issuer = await issuerOf(ENDPOINT, u.poolId);
  const JWKS = jose.createRemoteJWKSet(new URL(`${ENDPOINT}/${u.poolId}/.well-known/jwks.json`), { timeoutDuration: 10_000 });

  const id = await jose.jwtVerify(u.tokens.IdToken, JWKS, { issuer, audience: u.clientId, algorithms: ["RS256"] });
  assert.equal(id.payload.token_use, "id");
  assert.equal(id.payload.sub, u.sub);
  assert.equal(id.protectedHeader.alg, "RS256");

  const access = await jose.jwtVerify(u.tokens.AccessToken, JWKS, { issuer, algorithms: ["RS256"] });
  assert.equal(access.payload.token_use, "access");
  assert.equal(access.payload.client_id, u.clientId);
  assert.notEqual(access.protectedHeader.kid, id.protectedHeader.kid, "ID and access tokens share a kid");
});

test("a token with one payload byte changed fails both verifiers", { skip, timeout: TIMEOUT }, async () => {
  const u = await mainSignedIn();
  const issuer = await issuerOf(ENDPOINT, u.poolId);
  const jwksUri = `${ENDPOINT}/${u.poolId}/.well-known/jwks.json`;
  const idVerifier = JwtVerifier.create({ issuer, audience: u.clientId, jwksUri }, { jwksCache: httpJwksCache() });
  const accessVerifier = JwtVerifier.create({ issuer, audience: null, jwksUri }, { jwksCache: httpJwksCache() });
  const JWKS = jose.createRemoteJWKSet(new URL(jwksUri), { timeoutDuration: 10_000 });

  await idVerifier.verify(u.tokens.IdToken); // the untouched token passes
  await assert.rejects(idVerifier.verify(tamper(u.tokens.IdToken)), JwtInvalidSignatureError);
  await assert.rejects(accessVerifier.verify(tamper(u.tokens.AccessToken)), JwtInvalidSignatureError);
  await assert.rejects(jose.jwtVerify(tamper(u.tokens.IdToken), JWKS, { issuer, audience: u.clientId }), jose.errors.JWSSignatureVerificationFailed);
  await assert.rejects(jose.jwtVerify(tamper(u.tokens.AccessToken), JWKS, { issuer }), jose.errors.JWSSignatureVerificationFailed);
});

// ---------------------------------------------------------------- a second server, --issuer aws

// Start BIN with args on a free port; resolves to { endpoint, stop() } once it prints its
// ready line, within 15 s.
function startServer(args) {
  return new Promise((resolvePromise, reject) => {
    const child = spawn(BIN, ["--bind", "127.0.0.1", "--port", "0", "--db", ":memory:", "--log-level", "warn", ...args], {
      stdio: ["ignore", "pipe", "pipe"],
    });
    let out = "";
    let err = "";
    const timer = setTimeout(() => {
      child.kill("SIGKILL");
      reject(new Error(`no ready line within 15 s; stdout: ${out}; stderr: ${err}`));
    }, 15_000);
    const exited = new Promise((r) => child.once("exit", (code, signal) => r({ code, signal })));
    const stop = async () => {
      if (child.exitCode !== null || child.signalCode !== null) return exited;
      child.kill("SIGTERM");
      const killer = setTimeout(() => child.kill("SIGKILL"), 5_000);
      const res = await exited;
      clearTimeout(killer);
      return res;
    };
    child.stderr.on("data", (d) => (err += d));
    child.stdout.on("data", (d) => {
      out += d;
      const m = out.match(/^cognito-emu \S+ listening on (http:\/\/\S+)$/m);
      if (m) {
        clearTimeout(timer);
        resolvePromise({ endpoint: m[1], stop, stderr: () => err });
      }
    });
    child.once("error", (e) => {
      clearTimeout(timer);
      reject(e);
    });
    child.once("exit", (code) => {
      clearTimeout(timer);
      reject(new Error(`the server exited ${code} before its ready line; stderr: ${err}`));
    });
  });
}

const noBin = existsSync(BIN) ? false : `no server binary at ${BIN} (set COG_EMU_BIN)`;

test("--issuer aws: CognitoJwtVerifier verifies tokens with the locally served JWKS cached", { skip: skip || noBin, timeout: TIMEOUT }, async () => {
  const srv = await startServer(["--issuer", "aws"]);
  cleanups.push(srv.stop);
  const client = idpClient(srv.endpoint);
  const u = await signedInUser(client);
  const awsIssuer = `https://cognito-idp.us-east-1.amazonaws.com/${u.poolId}`;

  const id = decode(u.tokens.IdToken).payload;
  assert.equal(id.iss, awsIssuer);
  assert.equal(decode(u.tokens.AccessToken).payload.iss, awsIssuer);
  assert.equal(await issuerOf(srv.endpoint, u.poolId), awsIssuer);

  // Served locally, cached into the verifier: nothing is fetched from AWS.
  const jwks = await getJson(`${srv.endpoint}/${u.poolId}/.well-known/jwks.json`);
  const idVerifier = CognitoJwtVerifier.create({ userPoolId: u.poolId, tokenUse: "id", clientId: u.clientId });
  idVerifier.cacheJwks(jwks);
  const payload = await idVerifier.verify(u.tokens.IdToken);
  assert.equal(payload.iss, awsIssuer);
  assert.equal(payload.aud, u.clientId);
  assert.equal(payload["cognito:username"], u.username);

  const accessVerifier = CognitoJwtVerifier.create({ userPoolId: u.poolId, tokenUse: "access", clientId: u.clientId });
  accessVerifier.cacheJwks(jwks);
  const ap = await accessVerifier.verify(u.tokens.AccessToken);
  assert.equal(ap.client_id, u.clientId);
  assert.equal(ap.token_use, "access");

  await assert.rejects(idVerifier.verify(tamper(u.tokens.IdToken)), JwtInvalidSignatureError);
  // The wrong kind of token is refused for its token_use.
  await assert.rejects(idVerifier.verify(u.tokens.AccessToken));

  const res = await srv.stop();
  assert.equal(res.code, 0, `the --issuer aws server exited ${JSON.stringify(res)} on SIGTERM; stderr: ${srv.stderr()}`);
});
