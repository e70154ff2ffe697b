// Helpers shared by the real-client suites of this directory: raw AWS JSON 1.1 calls to the
// emulator (to make pools, clients and users; the clients under test do only what an app does),
// the confirmation code the emulator "sent", and a record of the operations a client called.
//
// The endpoint comes from COG_EMU_ENDPOINT (run.sh sets it); without it the suites skip.
// Codes come from the control API's inbox (GET /_emu/messages) when the server has it, else from
// the server's log, whose path run.sh exports as COG_EMU_LOG (delivery.c logs one line per code:
// "delivery: <kind> code for user <username> of pool <pool> to <medium> <destination> ...:
// <code>").
import { randomBytes } from "node:crypto";
import { readFileSync } from "node:fs";

export const ENDPOINT = (process.env.COG_EMU_ENDPOINT || "").replace(/\/+$/, "");
export const LOG = process.env.COG_EMU_LOG || "";
export const skip = ENDPOINT ? false : "COG_EMU_ENDPOINT is not set";
export const REGION = "us-east-1";

const PREFIX = {
  idp: "AWSCognitoIdentityProviderService",
  identity: "AWSCognitoIdentityService",
};

export const unique = (prefix) => `${prefix}-${randomBytes(5).toString("hex")}`;

// POST one operation; resolves to { status, body } whatever the outcome.
export async function call(service, operation, input) {
  const res = await fetch(`${ENDPOINT}/`, {
    method: "POST",
    headers: {
      "Content-Type": "application/x-amz-json-1.1",
      "X-Amz-Target": `${PREFIX[service]}.${operation}`,
    },
    body: JSON.stringify(input),
  });
  const text = await res.text();
  return { status: res.status, body: text ? JSON.parse(text) : {} };
}

// The same, throwing an Error named after the __type when the call fails.
export async function idp(operation, input) {
  const { status, body } = await call("idp", operation, input);
  if (status !== 200) {
    const err = new Error(`${operation}: ${body.__type}: ${body.message}`);
    err.name = body.__type;
    throw err;
  }
  return body;
}

// A user pool and an app client (no secret: neither JS client computes SECRET_HASH for
// USER_SRP_AUTH's challenge without extra code). Returns { poolId, clientId }.
export async function makePool(poolInput = {}, clientInput = {}) {
  const { UserPool } = await idp("CreateUserPool", { PoolName: unique("srp"), ...poolInput });
  const { UserPoolClient } = await idp("CreateUserPoolClient", {
    UserPoolId: UserPool.Id,
    ClientName: "web",
    ...clientInput,
  });
  return { poolId: UserPool.Id, clientId: UserPoolClient.ClientId };
}

// A confirmed user with a permanent password and the given attributes ([{ Name, Value }]), made
// by an administrator (no message sent).
export async function makeUser(poolId, username, password, attributes = []) {
  await idp("AdminCreateUser", {
    UserPoolId: poolId,
    Username: username,
    MessageAction: "SUPPRESS",
    UserAttributes: attributes,
  });
  await idp("AdminSetUserPassword", { UserPoolId: poolId, Username: username, Password: password, Permanent: true });
}

export const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

// A six-digit code among the string members of a message object (any key containing "code").
function codeIn(message) {
  for (const [k, v] of Object.entries(message || {})) {
    if (typeof v === "string" && /code/i.test(k) && /^\d{6}$/.test(v)) return v;
  }
  return null;
}

// The newest confirmation code sent to one of names (a username, the user's sub, or its email)
// in pool, waiting up to 10 s for it. Throws when there is none.
export async function sentCode(poolId, names) {
  const deadline = Date.now() + 10_000;
  while (Date.now() < deadline) {
    for (const name of names) {
      // The inbox of the control API, when this server has it.
      const res = await fetch(
        `${ENDPOINT}/_emu/messages?username=${encodeURIComponent(name)}`,
      ).catch(() => null);
      if (res && res.status === 200) {
        const body = await res.json().catch(() => null);
        const list = Array.isArray(body) ? body : (body && (body.Messages || body.messages)) || [];
        for (const m of list) {
          const code = codeIn(m);
          if (code) return code;
        }
      }
    }
    if (LOG) {
      const lines = readFileSync(LOG, "utf8").split("\n").reverse();
      for (const line of lines) {
        if (!line.includes("delivery:") || !line.includes(` of pool ${poolId} `)) continue;
        if (!names.some((n) => line.includes(` ${n} `))) continue;
        const m = line.match(/: (\d{6})$/);
        if (m) return m[1];
      }
    }
    await sleep(100);
  }
  throw new Error(`no code for ${names.join(" / ")} in the inbox or ${LOG || "(no COG_EMU_LOG)"}`);
}

// Record the AWS operations made through the global fetch (both clients use it): a list of
// { target, body } that the tests read to tell which flow a client really used.
export function recordCalls() {
  const calls = [];
  const realFetch = globalThis.fetch;
  globalThis.fetch = async (input, init = {}) => {
    try {
      const target = new Headers(init.headers || {}).get("x-amz-target");
      if (target) calls.push({ target, body: init.body ? JSON.parse(init.body) : {} });
    } catch {
      // not a JSON call: not recorded
    }
    return realFetch(input, init);
  };
  return calls;
}

// The payload of a JWT.
export const claims = (jwt) => JSON.parse(Buffer.from(jwt.split(".")[1], "base64url").toString());
