// Test vectors for device SRP, made by amazon-cognito-identity-js itself (not by the emulator):
// prints the C constants of tests/check_device_srp.c. Everything random in the library is made
// deterministic: crypto.getRandomValues (the device's random password, its salt, the client's
// secret a) returns a fixed stream, and Date a fixed time (TIMESTAMP).
//
//   1. AuthenticationHelper.generateHashDevice(DeviceGroupKey, DeviceKey), as the library calls it
//      after a sign-in with NewDeviceMetadata: the random password, and ConfirmDevice's Salt and
//      PasswordVerifier encoded as CognitoUser does (base64 of the padded hex).
//   2. CognitoUser.getDeviceResponse against a fake service client: DEVICE_SRP_AUTH's SRP_A, then,
//      given a B made from the verifier and a fixed server secret b (B = k*v + g^b mod N, with the
//      library's BigInteger and k), a fixed SALT and SECRET_BLOCK, the library's
//      DEVICE_PASSWORD_VERIFIER response: TIMESTAMP and PASSWORD_CLAIM_SIGNATURE.
//
// Run: node device-srp-vectors.mjs (after npm install here).
import {
  AuthenticationHelper,
  CognitoUser,
  CognitoUserPool,
} from "amazon-cognito-identity-js";
import BigIntegerModule from "amazon-cognito-identity-js/lib/BigInteger.js";
import { createHash } from "node:crypto";

const BigInteger = BigIntegerModule.default ?? BigIntegerModule;

// A fixed "random" stream: SHA-256 of a counter.
let counter = 0;
globalThis.crypto.getRandomValues = (array) => {
  const bytes = new Uint8Array(array.buffer, array.byteOffset, array.byteLength);
  for (let i = 0; i < bytes.length; i += 32) {
    const block = createHash("sha256").update(`cognito-emu device srp ${counter++}`).digest();
    bytes.set(block.subarray(0, Math.min(32, bytes.length - i)), i);
  }
  return array;
};
const FIXED_NOW = Date.UTC(2026, 11, 3, 9, 5, 7); // Thu Dec 3 09:05:07 UTC 2026
const RealDate = Date;
globalThis.Date = class extends RealDate {
  constructor(...args) {
    super(...(args.length ? args : [FIXED_NOW]));
  }
  static now() {
    return FIXED_NOW;
  }
};

const GROUP_KEY = "-wt2ha1Zd";
const DEVICE_KEY = "us-east-1_fec070d2-3b6f-4a1e-9c0d-5e2f8a7b6c41";
const SERVER_B_SECRET = "2f6a1c9e8d7b5a4f3e2d1c0b9a8f7e6d5c4b3a29181716151413121110090807";
const SECRET_BLOCK = Buffer.from(
  Array.from({ length: 96 }, (_, i) => (i * 37 + 11) & 0xff),
).toString("base64");

function hashDevice() {
  const helper = new AuthenticationHelper(GROUP_KEY);
  return new Promise((resolve, reject) =>
    helper.generateHashDevice(GROUP_KEY, DEVICE_KEY, (err) => {
      if (err) return reject(err);
      resolve({
        password: helper.getRandomPassword(),
        saltHex: helper.getSaltDevices(),
        verifierHex: helper.getVerifierDevices(),
        salt64: Buffer.from(helper.getSaltDevices(), "hex").toString("base64"),
        verifier64: Buffer.from(helper.getVerifierDevices(), "hex").toString("base64"),
        helper,
      });
    }),
  );
}

// B = (k*v + g^b) mod N with the library's group and BigInteger.
function serverB(helper, verifierHex) {
  const v = new BigInteger(verifierHex, 16);
  const b = new BigInteger(SERVER_B_SECRET, 16);
  return new Promise((resolve, reject) =>
    helper.g.modPow(b, helper.N, (err, gb) =>
      err ? reject(err) : resolve(helper.k.multiply(v).add(gb).mod(helper.N)),
    ),
  );
}

// CognitoUser.getDeviceResponse with a client that answers DEVICE_SRP_AUTH with our B.
function deviceClaim(device, B) {
  const pool = new CognitoUserPool({ UserPoolId: "us-east-1_AbCdEfGhI", ClientId: "client" });
  const user = new CognitoUser({ Username: "alice", Pool: pool });
  const seen = {};
  user.deviceKey = DEVICE_KEY;
  user.deviceGroupKey = GROUP_KEY;
  user.randomPassword = device.password;
  user.Session = "session-1";
  user.client = {
    request(op, body, cb) {
      if (body.ChallengeName === "DEVICE_SRP_AUTH") {
        seen.srpA = body.ChallengeResponses.SRP_A;
        return cb(null, {
          ChallengeName: "DEVICE_PASSWORD_VERIFIER",
          Session: "session-2",
          ChallengeParameters: {
            SALT: device.saltHex,
            SRP_B: B.toString(16),
            SECRET_BLOCK,
            USERNAME: "alice",
            DEVICE_KEY,
          },
        });
      }
      seen.claim = body.ChallengeResponses;
      return cb({ code: "Stop", message: "vectors taken" });
    },
  };
  return new Promise((resolve) =>
    user.getDeviceResponse({ onFailure: () => resolve(seen), onSuccess: () => resolve(seen) }),
  );
}

const device = await hashDevice();
const B = await serverB(device.helper, device.verifierHex);
const seen = await deviceClaim(device, B);
const c = (name, value) => console.log(`static const char ${name}[] = "${value}";`);
c("GROUP_KEY", GROUP_KEY);
c("DEVICE_KEY", DEVICE_KEY);
c("PASSWORD", device.password);
c("SALT_B64", device.salt64);
c("SALT_HEX", device.saltHex);
c("VERIFIER_B64", device.verifier64);
c("VERIFIER_HEX", device.verifierHex);
c("SERVER_b", SERVER_B_SECRET);
c("SERVER_B", B.toString(16));
c("CLIENT_A", seen.srpA);
c("SECRET_BLOCK", SECRET_BLOCK);
c("TIMESTAMP", seen.claim.TIMESTAMP);
c("SIGNATURE", seen.claim.PASSWORD_CLAIM_SIGNATURE);
