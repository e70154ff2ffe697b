// Verify one JWT against a JWKS URL with jose (createRemoteJWKSet + jwtVerify), for the shell
// suites (cli_auth.sh). Runs from tests/e2e/js so that jose resolves from js/node_modules.
//
// Usage: node verify_jwt.mjs TOKEN JWKS_URI ISSUER AUDIENCE
//   AUDIENCE "-" skips the audience check (access tokens have no aud).
// Exit 0: verified; stdout is {"header": {...}, "payload": {...}} as JSON.
// Exit 1: not verified; stderr names jose's error (code, message).
// Exit 2: usage.  Exit 3: jose is not installed (the caller skips).
const [token, jwksUri, issuer, audience] = process.argv.slice(2);
if (!token || !jwksUri || !issuer || !audience) {
  console.error("usage: node verify_jwt.mjs TOKEN JWKS_URI ISSUER AUDIENCE|-");
  process.exit(2);
}

let jose;
try {
  jose = await import("jose");
} catch (e) {
  console.error(`jose is not installed: ${e.message}`);
  process.exit(3);
}

try {
  const jwks = jose.createRemoteJWKSet(new URL(jwksUri), { timeoutDuration: 10_000 });
  const options = { issuer, algorithms: ["RS256"] };
  if (audience !== "-") options.audience = audience;
  const { payload, protectedHeader } = await jose.jwtVerify(token, jwks, options);
  process.stdout.write(JSON.stringify({ header: protectedHeader, payload }) + "\n");
  process.exit(0);
} catch (e) {
  console.error(`not verified: ${e.code || e.name}: ${e.message}`);
  process.exit(1);
}
