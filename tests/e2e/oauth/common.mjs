// What the OAuth suites (hosted.test.mjs, federation.test.mjs) share: where the emulator is,
// the browser, the artifacts folder, an AWS JSON 1.1 call, and a screenshot that waits for
// the page to settle; discovery, the browser, and the end of a pool.
import { randomBytes } from "node:crypto";
import { existsSync, mkdirSync } from "node:fs";
import { createServer } from "node:http";
import { dirname, resolve } from "node:path";
import { fileURLToPath } from "node:url";

import * as client from "openid-client";
import { chromium } from "playwright-core";

export const ENDPOINT = (process.env.COG_EMU_ENDPOINT || "").replace(/\/+$/, "");
export const ISSUER_BASE = (process.env.COG_EMU_ISSUER_BASE || ENDPOINT).replace(/\/+$/, "");
export const CHROMIUM = process.env.CHROMIUM || "/usr/bin/chromium";
const HERE = dirname(fileURLToPath(import.meta.url));
export const ARTIFACTS = resolve(process.env.E2E_ARTIFACTS || resolve(HERE, "artifacts"));
export const skip = ENDPOINT ? false : "COG_EMU_ENDPOINT is not set";
export const noBrowser = skip || (existsSync(CHROMIUM) ? false : `no browser at ${CHROMIUM}`);
export const PASSWORD = "Passw0rd!e2e";

mkdirSync(ARTIFACTS, { recursive: true });

// One AWS JSON 1.1 call to the emulator; throws the AWS error as an Error with .type.
export async function aws(operation, body) {
  const res = await fetch(`${ENDPOINT}/`, {
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
    err.type = json.__type;
    throw err;
  }
  return json;
}

// Save a screenshot of page as ARTIFACTS/<name>.png once the page has loaded. Chromium refuses a
// capture while a navigation is still committing (the redirect that lands on a callback), so a
// refused capture is tried again once the page is loaded; a second refusal fails the test.
export async function shot(page, name, options = {}) {
  const path = resolve(ARTIFACTS, `${name}.png`);
  await page.waitForLoadState("load");
  try {
    await page.screenshot({ path, ...options });
  } catch {
    await page.waitForLoadState("load");
    await new Promise((r) => setTimeout(r, 200));
    await page.screenshot({ path, ...options });
  }
}

// openid-client's configuration of the app client (id, secret) of pool, from discovery at the
// pool's issuer, over plain http on loopback.
export function discover(poolId, clientId, clientSecret) {
  return client.discovery(new URL(`${ISSUER_BASE}/${poolId}`), clientId, clientSecret, undefined, {
    execute: [client.allowInsecureRequests],
  });
}

// Debian's Chromium driven by playwright-core, or null when there is no browser.
export function launchBrowser() {
  if (noBrowser) return null;
  return chromium.launch({
    executablePath: CHROMIUM,
    args: ["--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage"],
  });
}

// Delete pool and its domain (Cognito refuses to delete a pool that still has a domain).
export async function deletePool(poolId, domain) {
  await aws("DeleteUserPoolDomain", { UserPoolId: poolId, Domain: domain });
  await aws("DeleteUserPool", { UserPoolId: poolId });
}

// The app: a tiny HTTP server on loopback whose pages (/cb, /bye...) the browser lands on.
// Resolves to { server, base } with base http://localhost:<port>.
export async function startApp() {
  const server = createServer((req, res) => {
    res.writeHead(200, { "Content-Type": "text/html" });
    res.end(`<!doctype html><title>app</title><p id="landed">${req.url.split("?")[0]}</p>`);
  });
  await new Promise((r) => server.listen(0, "127.0.0.1", r));
  return { server, base: `http://localhost:${server.address().port}` };
}

// A new pool named <name>-<random> with the prefix domain <domainPrefix>-<random>:
// { pool, domain }.
export async function createPoolWithDomain(name, domainPrefix) {
  const suffix = randomBytes(4).toString("hex");
  const created = await aws("CreateUserPool", { PoolName: `${name}-${suffix}` });
  const pool = created.UserPool.Id;
  const domain = `${domainPrefix}-${suffix}`;
  await aws("CreateUserPoolDomain", { UserPoolId: pool, Domain: domain });
  return { pool, domain, suffix };
}
