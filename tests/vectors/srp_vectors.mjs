/*
 * srp_vectors.mjs: the SRP test vectors of tests/check_srp.c, made by a real client
 * (amazon-cognito-identity-js) and not by the emulator's own code.
 *
 * For each fixed (pool id, username, password, salt) it computes x and the verifier v twice:
 *   1. from the formula (../shared/cognito-facts.md 2.3) with Node's BigInt and node:crypto,
 *   2. with amazon-cognito-identity-js's AuthenticationHelper (its padHex, hash, hexHash and
 *      BigInteger.modPow, exactly as getPasswordAuthenticationKey derives x),
 * and refuses to print anything unless both agree. It then runs one whole USER_SRP_AUTH
 * exchange through the library's CognitoUser.authenticateUser with a fake transport: the
 * client's secret a and the clock are fixed, the "server" answers with B = k*v + g^b mod N
 * for a fixed b, and the script captures SRP_A, the client's HKDF key and its
 * PASSWORD_CLAIM_SIGNATURE, and checks that the server-side formula S = (A * v^u)^b mod N
 * gives the same key.
 *
 * The output is C source: paste it between the "generated" markers of tests/check_srp.c and
 * run clang-format on that file (that reproduces the committed file byte for byte).
 * The C tests do not need this script or Node. To rerun it:
 *
 *   mkdir -p /tmp/srpvec && cd /tmp/srpvec && npm init -y >/dev/null &&
 *   npm install amazon-cognito-identity-js@6.3.21 &&
 *   node /path/to/cognito-emu/tests/vectors/srp_vectors.mjs > vectors.c
 *
 * (the package is resolved from the current directory, so run it where it was installed).
 */
import { createRequire } from 'node:module';
import { createHash, createHmac, hkdfSync } from 'node:crypto';
import path from 'node:path';

const require = createRequire(path.join(process.cwd(), 'srp_vectors.cjs'));
const cognito = require('amazon-cognito-identity-js');
const cognitoVersion = require('amazon-cognito-identity-js/package.json').version;
const { AuthenticationHelper, CognitoUser, CognitoUserPool, AuthenticationDetails, DateHelper } =
    cognito;

/* ---- The formula, written independently with BigInt --------------------------------------- */

const N = BigInt(
    '0x' +
        'FFFFFFFFFFFFFFFFC90FDAA22168C234C4C6628B80DC1CD129024E088A67CC74020BBEA63B139B22514A0879' +
        '8E3404DDEF9519B3CD3A431B302B0A6DF25F14374FE1356D6D51C245E485B576625E7EC6F44C42E9A637ED6B' +
        '0BFF5CB6F406B7EDEE386BFB5A899FA5AE9F24117C4B1FE649286651ECE45B3DC2007CB8A163BF0598DA4836' +
        '1C55D39A69163FA8FD24CF5F83655D23DCA3AD961C62F356208552BB9ED529077096966D670C354E4ABC9804' +
        'F1746C08CA18217C32905E462E36CE3BE39E772C180E86039B2783A2EC07A28FB5C55DF06F4C52C9DE2BCBF6' +
        '955817183995497CEA956AE515D2261898FA051015728E5A8AAAC42DAD33170D04507A33A85521ABDF1CBA64' +
        'ECFB850458DBEF0A8AEA71575D060C7DB3970F85A6E1E4C7ABF5AE8CDB0933D71E8C94E04A25619DCEE3D226' +
        '1AD2EE6BF12FFA06D98A0864D87602733EC86A64521F2B18177B200CBBE117577A615D6C770988C0BAD946E2' +
        '08E24FA074E5AB3143DB5BFCE0FD108E4B82D120A93AD2CAFFFFFFFFFFFFFFFF'
);
const g = 2n;

function modPow(base, exp, mod) {
    let result = 1n;
    base %= mod;
    while (exp > 0n) {
        if (exp & 1n) result = (result * base) % mod;
        base = (base * base) % mod;
        exp >>= 1n;
    }
    return result;
}

/* PAD: the bytes of Java's BigInteger.toByteArray() for a non-negative value. */
function pad(x) {
    let hex = x.toString(16);
    if (hex.length % 2) hex = '0' + hex;
    if (/^[89a-f]/.test(hex)) hex = '00' + hex;
    return Buffer.from(hex, 'hex');
}

const sha256 = (buf) => createHash('sha256').update(buf).digest();
const big = (buf) => BigInt('0x' + buf.toString('hex'));

function formulaX(poolName, userId, password, saltHex) {
    const inner = sha256(Buffer.from(poolName + userId + ':' + password, 'utf8'));
    return big(sha256(Buffer.concat([pad(BigInt('0x' + saltHex)), inner])));
}

const k = big(sha256(Buffer.concat([pad(N), pad(g)])));

/* ---- The same through amazon-cognito-identity-js ------------------------------------------ */

function clientX(poolName, userId, password, saltHex) {
    const helper = new AuthenticationHelper(poolName);
    const BigInteger = helper.N.constructor;
    const salt = new BigInteger(saltHex, 16); /* as CognitoUser parses SALT */
    const inner = helper.hash(poolName + userId + ':' + password);
    const x = new BigInteger(helper.hexHash(helper.padHex(salt) + inner), 16);
    let v = null;
    helper.g.modPow(x, helper.N, (err, r) => {
        if (err) throw err;
        v = r;
    });
    if (v === null) throw new Error('modPow did not call back synchronously');
    if (helper.k.toString(16) !== k.toString(16)) throw new Error('k differs from the client');
    return { x: BigInt('0x' + x.toString(16)), v: BigInt('0x' + v.toString(16)) };
}

function vector(name, poolId, userId, password, saltHex) {
    const poolName = poolId.split('_')[1];
    const x = formulaX(poolName, userId, password, saltHex);
    const v = modPow(g, x, N);
    const c = clientX(poolName, userId, password, saltHex);
    if (c.x !== x || c.v !== v) throw new Error(`${name}: the formula and the client disagree`);
    return { name, poolId, userId, password, saltHex, x, v };
}

/* ---- One whole USER_SRP_AUTH exchange with the real CognitoUser --------------------------- */

async function exchange(vec, aHex, bHex, secretBlockB64, timestamp) {
    const BigInteger = new AuthenticationHelper('x').N.constructor;
    AuthenticationHelper.prototype.generateRandomSmallA = () => new BigInteger(aHex, 16);
    DateHelper.prototype.getNowString = () => timestamp;
    let clientKey = null;
    const computehkdf = AuthenticationHelper.prototype.computehkdf;
    AuthenticationHelper.prototype.computehkdf = function (ikm, salt) {
        clientKey = computehkdf.call(this, ikm, salt);
        return clientKey;
    };

    const b = BigInt('0x' + bHex);
    const B = (k * vec.v + modPow(g, b, N)) % N;
    const pool = new CognitoUserPool({ UserPoolId: vec.poolId, ClientId: 'client0000000000000000000' });
    const user = new CognitoUser({ Username: vec.userId, Pool: pool });
    let A = null;
    let responses = null;
    user.client.request = (op, req, cb) => {
        if (op === 'InitiateAuth') {
            A = BigInt('0x' + req.AuthParameters.SRP_A);
            cb(null, {
                ChallengeName: 'PASSWORD_VERIFIER',
                ChallengeParameters: {
                    SALT: vec.saltHex,
                    SRP_B: B.toString(16),
                    SECRET_BLOCK: secretBlockB64,
                    USER_ID_FOR_SRP: vec.userId,
                    USERNAME: vec.userId,
                },
            });
        } else if (op === 'RespondToAuthChallenge') {
            responses = req.ChallengeResponses;
            cb({ code: 'NotAuthorizedException', message: 'stop here' }, null);
        } else {
            throw new Error('unexpected call ' + op);
        }
    };
    await new Promise((resolve) => {
        user.authenticateUser(
            new AuthenticationDetails({ Username: vec.userId, Password: vec.password }),
            { onSuccess: resolve, onFailure: resolve }
        );
    });
    if (A === null || responses === null || clientKey === null)
        throw new Error('the client did not complete the exchange');

    /* The server's side, from the formula. */
    const u = big(sha256(Buffer.concat([pad(A), pad(B)])));
    const S = modPow((A * modPow(vec.v, u, N)) % N, b, N);
    const key = Buffer.from(hkdfSync('sha256', pad(S), pad(u), Buffer.from('Caldera Derived Key'), 16));
    if (!key.equals(Buffer.from(clientKey))) throw new Error('server and client keys differ');
    const poolName = vec.poolId.split('_')[1];
    const signature = createHmac('sha256', key)
        .update(
            Buffer.concat([
                Buffer.from(poolName, 'utf8'),
                Buffer.from(vec.userId, 'utf8'),
                Buffer.from(secretBlockB64, 'base64'),
                Buffer.from(timestamp, 'utf8'),
            ])
        )
        .digest('base64');
    if (signature !== responses.PASSWORD_CLAIM_SIGNATURE)
        throw new Error('the signature differs from the client');
    if (BigInt('0x' + aHex) === 0n || modPow(g, BigInt('0x' + aHex), N) !== A)
        throw new Error('A is not g^a');
    return {
        a: aHex,
        A,
        b: bHex,
        B,
        u,
        S,
        key: key.toString('hex'),
        secretBlock: secretBlockB64,
        timestamp,
        signature: responses.PASSWORD_CLAIM_SIGNATURE,
    };
}

/* ---- Output ------------------------------------------------------------------------------- */

function cstr(s) {
    /* A C string literal; non-ASCII bytes as octal escapes so the file stays ASCII. */
    let out = '';
    for (const byte of Buffer.from(s, 'utf8')) {
        if (byte === 0x22 || byte === 0x5c) out += '\\' + String.fromCharCode(byte);
        else if (byte >= 0x20 && byte < 0x7f) out += String.fromCharCode(byte);
        else out += '\\' + byte.toString(8).padStart(3, '0');
    }
    return '"' + out + '"';
}

function chex(value, indent) {
    const hex = typeof value === 'bigint' ? value.toString(16) : value;
    const lines = hex.match(/.{1,80}/g);
    return lines.map((l) => '"' + l + '"').join('\n' + indent);
}

const vectors = [
    vector('plain', 'us-east-1_ExAmPlE12', 'alice', 'Passw0rd!', '3c0ffee0123456789abcdef0fedcba98'),
    vector('salt_high_bit', 'us-east-1_ExAmPlE12', 'alice', 'Passw0rd!', 'c3d2e1f00f1e2d3c4b5a697887766554'),
    /* 16 bytes whose first is 0: stored as the 30-digit BigInteger hex, PAD gives 00f1... */
    vector('salt_short_high', 'eu-west-1_Zz9', 'bob@example.com', 'Sec ret-1', 'f1e2d3c4b5a6978800112233445566'),
    /* An odd number of hex digits: PAD gives 0a1b...; a non-ASCII password (UTF-8). */
    vector('salt_odd_utf8', 'eu-west-1_Zz9', 'b\u00f6b', 'p\u00e4ssw\u00f6rd\u20ac 1A', 'a1b2c3d4e5f60718293a4b5c6d7e8f9'),
];

const ex = await exchange(
    vectors[0],
    /* a: 128 bytes, as the client draws it */
    '7d2c5e9a1b3f4c6d8e0a2b4c6d8e0f1a3b5c7d9e1f2a4b6c8d0e2f4a6b8c0d2e' +
        '4f6a8b0c2d4e6f8a0b2c4d6e8f0a1b3c5d7e9f1a2b4c6d8e0f2a4b6c8d0e2f4a' +
        '6b8c0d2e4f6a8b0c2d4e6f8a0b2c4d6e8f0a1b3c5d7e9f1a2b4c6d8e0f2a4b6c' +
        '8d0e2f4a6b8c0d2e4f6a8b0c2d4e6f8a0b2c4d6e8f0a1b3c5d7e9f1a2b4c6d8e',
    /* b: the server's secret */
    'e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855' +
        '0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef',
    Buffer.from('an opaque SECRET_BLOCK, as the server sends it').toString('base64'),
    'Tue Mar 5 09:04:07 UTC 2024'
);

const out = [];
out.push(`/* generated by tests/vectors/srp_vectors.mjs with amazon-cognito-identity-js ${cognitoVersion} */`);
out.push(`static const char srp_k_hex[] = "${k.toString(16)}";`);
out.push('');
out.push('static const struct srp_vector srp_vectors[] = {');
for (const v of vectors) {
    out.push(`    {/* ${v.name} */`);
    out.push(`     ${cstr(v.poolId)}, ${cstr(v.userId)}, ${cstr(v.password)},`);
    out.push(`     "${v.saltHex}",`);
    out.push(`     "${v.x.toString(16)}",`);
    out.push(`     ${chex(v.v, '     ')}},`);
}
out.push('};');
out.push('');
out.push('/* One USER_SRP_AUTH exchange with vector 0 (CognitoUser.authenticateUser, fake transport) */');
out.push('static const struct srp_exchange srp_exchange = {');
for (const [name, val] of [
    ['a', ex.a],
    ['A', ex.A],
    ['b', ex.b],
    ['B', ex.B],
    ['u', ex.u],
    ['S', ex.S],
]) {
    out.push(`    /* ${name} */ ${chex(val, '    ')},`);
}
out.push(`    /* key */ "${ex.key}",`);
out.push(`    /* SECRET_BLOCK */ "${ex.secretBlock}",`);
out.push(`    /* TIMESTAMP */ "${ex.timestamp}",`);
out.push(`    /* PASSWORD_CLAIM_SIGNATURE */ "${ex.signature}",`);
out.push('};');
console.log(out.join('\n'));
