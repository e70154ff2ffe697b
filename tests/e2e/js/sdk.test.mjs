// End-to-end suite: the AWS SDK for JavaScript v3 against a running cognito-emu.
//
// The endpoint comes from COG_EMU_ENDPOINT (e.g. http://127.0.0.1:9229); without it every test
// is skipped. Run with: node --test sdk.test.mjs   (Node 18 or later)
import { test, after } from "node:test";
import assert from "node:assert/strict";
import { randomBytes } from "node:crypto";

import {
  CognitoIdentityProviderClient,
  CognitoIdentityProviderServiceException,
  CreateUserPoolCommand,
  DescribeUserPoolCommand,
  ListUserPoolsCommand,
  UpdateUserPoolCommand,
  DeleteUserPoolCommand,
  CreateUserPoolClientCommand,
  DescribeUserPoolClientCommand,
  ListUserPoolClientsCommand,
  UpdateUserPoolClientCommand,
  DeleteUserPoolClientCommand,
  ResourceNotFoundException,
  InvalidParameterException,
  paginateListUserPools,
} from "@aws-sdk/client-cognito-identity-provider";
import {
  CognitoIdentityClient,
  CreateIdentityPoolCommand,
  DescribeIdentityPoolCommand,
  ListIdentityPoolsCommand,
  UpdateIdentityPoolCommand,
  DeleteIdentityPoolCommand,
  ResourceNotFoundException as IdentityResourceNotFoundException,
} from "@aws-sdk/client-cognito-identity";

const ENDPOINT = (process.env.COG_EMU_ENDPOINT || "").replace(/\/+$/, "");
const skip = ENDPOINT ? false : "COG_EMU_ENDPOINT is not set";
const TIMEOUT = 30_000;

const POOL_ID_RE = /^us-east-1_[0-9A-Za-z]{9}$/;
const CLIENT_ID_RE = /^[a-z0-9]{26}$/;
const IDENTITY_POOL_ID_RE = /^us-east-1:[0-9a-f-]{36}$/;
// amazon-cognito-identity-js CognitoUserPool checks this on UserPoolId.
const SDK_POOL_ID_RE = /^[\w-]+_.+$/;

const common = {
  endpoint: ENDPOINT || "http://127.0.0.1:9",
  region: "us-east-1",
  credentials: { accessKeyId: "test", secretAccessKey: "test" },
  maxAttempts: 1,
};
const idp = new CognitoIdentityProviderClient(common);
const identity = new CognitoIdentityClient(common);

after(() => {
  idp.destroy();
  identity.destroy();
});

const unique = (prefix) => `${prefix}-${randomBytes(5).toString("hex")}`;

function assertRecentDate(value, what) {
  assert.ok(value instanceof Date, `${what} is not a Date: ${value}`);
  assert.ok(!Number.isNaN(value.getTime()), `${what} is an invalid Date`);
  assert.ok(Math.abs(Date.now() - value.getTime()) < 3_600_000, `${what} is far from now: ${value.toISOString()}`);
}

// Await a promise that must reject with an error of class cls; returns the error.
async function rejectsWith(promise, cls, name) {
  let err;
  try {
    await promise;
  } catch (e) {
    err = e;
  }
  assert.ok(err, `expected ${name}, but the call succeeded`);
  assert.ok(err instanceof cls, `expected an instance of ${name}, got ${err?.name}: ${err?.message}`);
  assert.equal(err.name, name);
  assert.equal(err.$metadata?.httpStatusCode, 400, `httpStatusCode ${err.$metadata?.httpStatusCode}`);
  assert.ok(err.$metadata?.requestId, "no requestId in $metadata");
  return err;
}

test("user pool create, describe, update, list, delete", { skip, timeout: TIMEOUT }, async () => {
  const name = unique("e2e-js-pool");
  const created = await idp.send(new CreateUserPoolCommand({ PoolName: name }));
  assert.equal(created.$metadata.httpStatusCode, 200);
  assert.ok(created.$metadata.requestId, "no requestId on success");
  const up = created.UserPool;
  try {
    assert.match(up.Id, POOL_ID_RE);
    assert.match(up.Id, SDK_POOL_ID_RE);
    assert.equal(up.Name, name);
    assert.match(up.Arn, new RegExp(`^arn:aws:cognito-idp:us-east-1:\\d{12}:userpool/${up.Id}$`));
    assertRecentDate(up.CreationDate, "CreationDate");
    assertRecentDate(up.LastModifiedDate, "LastModifiedDate");
    const pp = up.Policies.PasswordPolicy;
    assert.equal(pp.MinimumLength, 8);
    assert.equal(pp.RequireUppercase, true);
    assert.equal(pp.RequireLowercase, true);
    assert.equal(pp.RequireNumbers, true);
    assert.equal(pp.RequireSymbols, true);
    assert.equal(pp.TemporaryPasswordValidityDays, 7);
    const attrs = up.SchemaAttributes.map((a) => a.Name);
    assert.ok(attrs.includes("sub") && attrs.includes("email"), `schema: ${attrs}`);

    const described = (await idp.send(new DescribeUserPoolCommand({ UserPoolId: up.Id }))).UserPool;
    assert.equal(described.Id, up.Id);
    assert.equal(described.Name, name);
    assert.equal(described.CreationDate.getTime(), up.CreationDate.getTime());

    await idp.send(
      new UpdateUserPoolCommand({
        UserPoolId: up.Id,
        Policies: {
          PasswordPolicy: {
            MinimumLength: 10,
            RequireUppercase: true,
            RequireLowercase: false,
            RequireNumbers: true,
            RequireSymbols: false,
            TemporaryPasswordValidityDays: 2,
          },
        },
        UserPoolTags: { suite: "js" },
      }),
    );
    const updated = (await idp.send(new DescribeUserPoolCommand({ UserPoolId: up.Id }))).UserPool;
    assert.equal(updated.Policies.PasswordPolicy.MinimumLength, 10);
    assert.equal(updated.Policies.PasswordPolicy.RequireLowercase, false);
    assert.equal(updated.Policies.PasswordPolicy.TemporaryPasswordValidityDays, 2);
    assert.deepEqual(updated.UserPoolTags, { suite: "js" });
    assert.equal(updated.Name, name);

    const listed = (await idp.send(new ListUserPoolsCommand({ MaxResults: 60 }))).UserPools;
    assert.equal(listed.filter((p) => p.Id === up.Id).length, 1);
    assert.equal(listed.find((p) => p.Id === up.Id).Name, name);
  } finally {
    await idp.send(new DeleteUserPoolCommand({ UserPoolId: up.Id }));
  }
  const err = await rejectsWith(
    idp.send(new DescribeUserPoolCommand({ UserPoolId: up.Id })),
    ResourceNotFoundException,
    "ResourceNotFoundException",
  );
  assert.ok(err instanceof CognitoIdentityProviderServiceException);
  assert.equal(err.message, `User pool ${up.Id} does not exist.`);
  const remaining = (await idp.send(new ListUserPoolsCommand({ MaxResults: 60 }))).UserPools;
  assert.equal(remaining.filter((p) => p.Id === up.Id).length, 0);
});

test("DescribeUserPool with a malformed id is InvalidParameterException", { skip, timeout: TIMEOUT }, async () => {
  const err = await rejectsWith(
    idp.send(new DescribeUserPoolCommand({ UserPoolId: "bad" })),
    InvalidParameterException,
    "InvalidParameterException",
  );
  assert.ok(
    err.message.startsWith(
      "1 validation error detected: Value 'bad' at 'userPoolId' failed to satisfy constraint: " +
        "Member must satisfy regular expression pattern: [\\w-]+_[0-9a-zA-Z]+",
    ),
    err.message,
  );
});

test("ListUserPools pagination with paginateListUserPools", { skip, timeout: TIMEOUT }, async () => {
  const prefix = unique("e2e-js-page");
  const ids = [];
  try {
    for (let i = 0; i < 5; i++) {
      ids.push((await idp.send(new CreateUserPoolCommand({ PoolName: `${prefix}-${i}` }))).UserPool.Id);
    }
    const seen = [];
    let pages = 0;
    for await (const page of paginateListUserPools({ client: idp, pageSize: 2 }, {})) {
      pages += 1;
      assert.ok(pages < 1000, "the paginator never ended");
      assert.ok(page.UserPools.length <= 2, `page of ${page.UserPools.length}`);
      for (const p of page.UserPools) {
        assertRecentDate(p.CreationDate, "CreationDate");
        seen.push(p.Id);
      }
    }
    assert.equal(new Set(seen).size, seen.length, `a pool listed twice: ${seen}`);
    for (const id of ids) {
      assert.equal(seen.filter((s) => s === id).length, 1, `${id} in ${seen}`);
    }
    assert.ok(pages >= 3, `5 pools in pages of 2 took ${pages} pages`);
  } finally {
    for (const id of ids) await idp.send(new DeleteUserPoolCommand({ UserPoolId: id }));
  }
});

test("user pool client create, describe, list, update, delete", { skip, timeout: TIMEOUT }, async () => {
  const pool = (await idp.send(new CreateUserPoolCommand({ PoolName: unique("e2e-js-clients") }))).UserPool;
  try {
    const c = (
      await idp.send(
        new CreateUserPoolClientCommand({ UserPoolId: pool.Id, ClientName: "e2e-js-client", GenerateSecret: true }),
      )
    ).UserPoolClient;
    assert.match(c.ClientId, CLIENT_ID_RE);
    assert.equal(c.ClientSecret.length, 51);
    assert.equal(c.UserPoolId, pool.Id);
    assert.equal(c.ClientName, "e2e-js-client");
    assertRecentDate(c.CreationDate, "CreationDate");

    const d = (await idp.send(new DescribeUserPoolClientCommand({ UserPoolId: pool.Id, ClientId: c.ClientId })))
      .UserPoolClient;
    assert.equal(d.ClientId, c.ClientId);
    assert.equal(d.ClientSecret, c.ClientSecret);

    const listed = (await idp.send(new ListUserPoolClientsCommand({ UserPoolId: pool.Id, MaxResults: 10 })))
      .UserPoolClients;
    assert.deepEqual(
      listed.map((x) => [x.ClientId, x.ClientName, x.UserPoolId]),
      [[c.ClientId, "e2e-js-client", pool.Id]],
    );

    const u = (
      await idp.send(
        new UpdateUserPoolClientCommand({
          UserPoolId: pool.Id,
          ClientId: c.ClientId,
          ClientName: "e2e-js-renamed",
          ExplicitAuthFlows: ["ALLOW_USER_SRP_AUTH", "ALLOW_REFRESH_TOKEN_AUTH"],
        }),
      )
    ).UserPoolClient;
    assert.equal(u.ClientName, "e2e-js-renamed");
    const d2 = (await idp.send(new DescribeUserPoolClientCommand({ UserPoolId: pool.Id, ClientId: c.ClientId })))
      .UserPoolClient;
    assert.equal(d2.ClientName, "e2e-js-renamed");
    assert.deepEqual([...d2.ExplicitAuthFlows].sort(), ["ALLOW_REFRESH_TOKEN_AUTH", "ALLOW_USER_SRP_AUTH"]);
    assert.equal(d2.ClientSecret, c.ClientSecret);

    await idp.send(new DeleteUserPoolClientCommand({ UserPoolId: pool.Id, ClientId: c.ClientId }));
    const err = await rejectsWith(
      idp.send(new DescribeUserPoolClientCommand({ UserPoolId: pool.Id, ClientId: c.ClientId })),
      ResourceNotFoundException,
      "ResourceNotFoundException",
    );
    assert.equal(err.message, `User pool client ${c.ClientId} does not exist.`);
  } finally {
    await idp.send(new DeleteUserPoolCommand({ UserPoolId: pool.Id }));
  }
});

test("identity pool create, describe, list, update, delete", { skip, timeout: TIMEOUT }, async () => {
  const name = unique("e2e_js_ip").replace(/-/g, "_");
  const created = await identity.send(
    new CreateIdentityPoolCommand({ IdentityPoolName: name, AllowUnauthenticatedIdentities: true }),
  );
  const id = created.IdentityPoolId;
  try {
    assert.match(id, IDENTITY_POOL_ID_RE);
    assert.equal(created.IdentityPoolName, name);
    assert.equal(created.AllowUnauthenticatedIdentities, true);

    const d = await identity.send(new DescribeIdentityPoolCommand({ IdentityPoolId: id }));
    assert.equal(d.IdentityPoolId, id);
    assert.equal(d.IdentityPoolName, name);
    assert.equal(d.AllowUnauthenticatedIdentities, true);

    const listed = (await identity.send(new ListIdentityPoolsCommand({ MaxResults: 60 }))).IdentityPools;
    assert.deepEqual(
      listed.filter((p) => p.IdentityPoolId === id),
      [{ IdentityPoolId: id, IdentityPoolName: name }],
    );

    const u = await identity.send(
      new UpdateIdentityPoolCommand({
        IdentityPoolId: id,
        IdentityPoolName: `${name}_renamed`,
        AllowUnauthenticatedIdentities: false,
      }),
    );
    assert.equal(u.IdentityPoolName, `${name}_renamed`);
    assert.equal(u.AllowUnauthenticatedIdentities, false);
    const d2 = await identity.send(new DescribeIdentityPoolCommand({ IdentityPoolId: id }));
    assert.equal(d2.IdentityPoolName, `${name}_renamed`);
    assert.equal(d2.AllowUnauthenticatedIdentities, false);
  } finally {
    await identity.send(new DeleteIdentityPoolCommand({ IdentityPoolId: id }));
  }
  const err = await rejectsWith(
    identity.send(new DescribeIdentityPoolCommand({ IdentityPoolId: id })),
    IdentityResourceNotFoundException,
    "ResourceNotFoundException",
  );
  assert.equal(err.message, `IdentityPool '${id}' not found.`);
});
