// Amplify v6 (aws-amplify) and refresh-token rotation, in Node: on an app client with
// RefreshTokenRotation ENABLED, each fetchAuthSession({ forceRefresh: true }) calls
// GetTokensFromRefreshToken, gets new tokens of the same sign-in and a new refresh token,
// which Amplify keeps and presents the next time; the rotated-out one is then spent
// (RetryGracePeriodSeconds 0). Its own file: Amplify is a singleton, and a second
// configuration in amplify.test.mjs would inherit the first one's token store.
//
// Run with (Node 18+):
//   COG_EMU_ENDPOINT=http://127.0.0.1:PORT node --test rotation.test.mjs
import "./node-shims.mjs"; // first: Web Crypto for Node 18 (see the file)
import { test } from "node:test";
import assert from "node:assert/strict";

import { Amplify } from "aws-amplify";
import { signIn, signOut, fetchAuthSession } from "aws-amplify/auth";

import { ENDPOINT, skip, makePool, makeUser, call, unique, recordCalls, claims, sleep } from "./emu.mjs";

const PASSWORD = "Passw0rd!amplify";
const calls = recordCalls();

test("Amplify v6: refresh-token rotation", { skip, timeout: 60_000 }, async () => {
  const { poolId, clientId } = await makePool(
    {},
    { RefreshTokenRotation: { Feature: "ENABLED", RetryGracePeriodSeconds: 0 } },
  );
  const username = unique("rot");
  await makeUser(poolId, username, PASSWORD);
  Amplify.configure({
    Auth: { Cognito: { userPoolId: poolId, userPoolClientId: clientId, userPoolEndpoint: ENDPOINT } },
  });
  assert.equal((await signIn({ username, password: PASSWORD })).isSignedIn, true);
  const first = (await fetchAuthSession()).tokens;
  calls.length = 0;
  const second = (await fetchAuthSession({ forceRefresh: true })).tokens;
  // Amplify's deDupeAsyncFunction forgets its in-flight refresh a microtask after answering
  // it: a refresh asked at once would get the same answer again without calling.
  await sleep(20);
  const third = (await fetchAuthSession({ forceRefresh: true })).tokens;
  const refreshes = calls.filter((c) => c.target.endsWith(".GetTokensFromRefreshToken"));
  assert.equal(refreshes.length, 2, calls.map((c) => c.target).join());
  // The second refresh presents the token the first one returned: Amplify stored the rotation.
  const [r0, r1] = refreshes.map((c) => c.body.RefreshToken);
  assert.notEqual(r1, r0);
  const origin = claims(first.accessToken.toString()).origin_jti;
  const jtis = [first, second, third].map((t) => claims(t.accessToken.toString()).jti);
  assert.equal(new Set(jtis).size, 3, "three different access tokens");
  for (const t of [second, third]) assert.equal(claims(t.accessToken.toString()).origin_jti, origin);
  // With no grace period the rotated-out tokens are spent at once.
  for (const spent of [r0, r1]) {
    const { status, body } = await call("idp", "GetTokensFromRefreshToken", { ClientId: clientId, RefreshToken: spent });
    assert.equal(status, 400);
    assert.equal(body.__type, "RefreshTokenReuseException");
  }
  await signOut();
});
