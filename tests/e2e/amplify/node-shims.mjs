// What Amplify v6 expects of a browser and Node 18 lacks, kept as small as it can be.
// Import it before aws-amplify (ES modules run their imports in order).
//
// Web Crypto: Amplify draws its SRP secret and ids from globalThis.crypto.getRandomValues
// (@aws-amplify/core getCrypto(), which throws "Cannot resolve the `crypto` function from the
// environment." without it). Node 19+ has the global; Node 18, Debian 12's, has the same object
// only as node:crypto's webcrypto.
//
// Nothing else is needed: fetch, Headers, TextEncoder, atob and btoa are Node 18 globals, and
// Amplify's token storage falls back to memory when there is no window.localStorage.
import { webcrypto } from "node:crypto";

if (!globalThis.crypto) globalThis.crypto = webcrypto;
