// Satchel interop driver: an independent OpenID4VP 1.0 verifier for tests/test_interop_openid4vp_wallet.py.
//
//   node verifier.mjs < config.json
//
// Animo's @openid4vc/openid4vp (Openid4vpVerifier, the library inside Credo's @credo-ts/openid4vc)
// makes the Authorization Request with a DCQL query and reads the wallet's answer (direct_post, or
// direct_post.jwt decrypted with jose). The presentations are checked by independent libraries:
// SD-JWT VCs by @sd-jwt/core (issuer signature, Key Binding JWT nonce and sd_hash; aud checked
// here), ldp_vc presentations by Digital Bazaar's jsonld-signatures with the eddsa-rdfc-2022
// cryptosuite (authentication proof purpose with challenge = nonce and domain = client_id; the
// credential inside with assertionMethod), jwt_vc_json VP-JWTs by jose (nonce, aud; holder and
// issuer did:key). JSON-LD contexts come only from Satchel's bundle, DIDs only from did:key /
// did:jwk themselves. Nothing leaves the machine: outgoing sockets throw.
//
// config.json: {"prefix": "decentralized_identifier" | "x509_san_dns" | "redirect_uri",
//   "response_mode": "direct_post" | "direct_post.jwt", "dcql_query": {...}, "client_name": "...",
//   "issuer_jwk": {...}           the SD-JWT issuer's public key
//   "x509": {"key_pem": "...", "x5c": ["<base64 DER>", ...], "dns": "127.0.0.1"}   for x509_san_dns
//   "client_id": "..."            to override the client_id the link and the request name
//   "request_uri_method": "post"  optional; "sign_with_other_key": true to sign with a key the DID does not have}
// Prints one line {"link": "openid4vp://?...", "base": "http://127.0.0.1:PORT", "client_id": "..."}, then serves
//   GET|POST /request   the signed Request Object (application/oauth-authz-req+jwt)
//   POST /response      the wallet's answer: 200 {"redirect_uri"} when every presentation verifies, else 400
//   GET /results        every answer received: {"results": [{accepted, errors, disclosed, state}]}

import crypto from 'node:crypto';
import fs from 'node:fs';
import http from 'node:http';
import https from 'node:https';
import net from 'node:net';
import path from 'node:path';
import tls from 'node:tls';
import { fileURLToPath } from 'node:url';

const here = path.dirname(fileURLToPath(import.meta.url));
const contextsDir = path.resolve(here, '..', '..', '..', 'credentials', '_jsonld', 'contexts');

function blocked(what) {
  return () => { throw new Error(`network blocked by verifier.mjs (${what})`); };
}
net.Socket.prototype.connect = blocked('net.Socket.connect');
net.connect = net.createConnection = blocked('net.connect');
tls.connect = blocked('tls.connect');
http.request = http.get = blocked('http.request');
https.request = https.get = blocked('https.request');
globalThis.fetch = blocked('fetch');

const { Openid4vpVerifier } = await import('@openid4vc/openid4vp');
const { setGlobalConfig } = await import('@openid4vc/utils');
setGlobalConfig({ allowInsecureUrls: true });  // the verifier serves plain http on loopback only
const jose = await import('jose');
const { SDJwtInstance } = await import('@sd-jwt/core');
const { digest } = await import('@sd-jwt/crypto-nodejs');
const { default: jsigs } = await import('jsonld-signatures');
const { DataIntegrityProof } = await import('@digitalbazaar/data-integrity');
const { cryptosuite: eddsaRdfc2022 } = await import('@digitalbazaar/eddsa-rdfc-2022-cryptosuite');
const Ed25519Multikey = await import('@digitalbazaar/ed25519-multikey');
const { purposes: { AuthenticationProofPurpose, AssertionProofPurpose } } = jsigs;

const read = async () => {
  const chunks = [];
  for await (const chunk of process.stdin) chunks.push(chunk);
  return JSON.parse(Buffer.concat(chunks).toString('utf8'));
};
const config = await read();

// -- keys and signatures -------------------------------------------------------------------------

function verifyJws(jwk, alg, data, signatureB64url) {
  const key = crypto.createPublicKey({ key: jwk, format: 'jwk' });
  const signature = Buffer.from(signatureB64url, 'base64url');
  const hash = { ES256: 'sha256', ES384: 'sha384', EdDSA: null }[alg];
  if (hash === undefined) return false;
  return crypto.verify(hash, Buffer.from(data), hash ? { key, dsaEncoding: 'ieee-p1363' } : key, signature);
}

async function signJwt(header, payload, privateKey) {
  return new jose.SignJWT(payload).setProtectedHeader(header).sign(privateKey);
}

// -- JSON-LD: bundled contexts and did:key ---------------------------------------------------------

const index = JSON.parse(fs.readFileSync(path.join(contextsDir, 'index.json'), 'utf8'));
const MULTIKEY_V1 = 'https://w3id.org/security/multikey/v1';

function didKeyDocument(did) {
  const multibase = did.slice('did:key:'.length);
  const id = `${did}#${multibase}`;
  return {
    '@context': ['https://www.w3.org/ns/did/v1', MULTIKEY_V1], id: did,
    verificationMethod: [{ id, type: 'Multikey', controller: did, publicKeyMultibase: multibase }],
    assertionMethod: [id], authentication: [id],
  };
}

async function documentLoader(url) {
  if (url.startsWith('did:key:z6Mk')) {
    const [did, fragment] = url.split('#');
    const doc = didKeyDocument(did);
    const document = fragment ? { '@context': MULTIKEY_V1, ...doc.verificationMethod[0] } : doc;
    return { contextUrl: null, documentUrl: url, document };
  }
  const entry = index[url];
  if (!entry) throw new Error(`not bundled and not a did:key: ${url}`);
  const document = JSON.parse(fs.readFileSync(path.join(contextsDir, entry.file), 'utf8'));
  return { contextUrl: null, documentUrl: url, document };
}

// -- the request ---------------------------------------------------------------------------------

const server = http.createServer();
await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
const base = `http://127.0.0.1:${server.address().port}`;
const responseUri = `${base}/response`;
const requestUri = `${base}/request`;

const encryption = await jose.generateKeyPair('ECDH-ES', { crv: 'P-256', extractable: true });
const encryptionJwk = { ...(await jose.exportJWK(encryption.publicKey)), kid: 'enc-1', use: 'enc', alg: 'ECDH-ES' };

let clientId;
let signer;  // {header, key}
if (config.prefix === 'decentralized_identifier') {
  const keys = await jose.generateKeyPair('ES256', { extractable: true });
  const did = 'did:jwk:' + Buffer.from(JSON.stringify(await jose.exportJWK(keys.publicKey))).toString('base64url');
  clientId = `decentralized_identifier:${did}`;
  const other = config.sign_with_other_key ? (await jose.generateKeyPair('ES256')).privateKey : keys.privateKey;
  signer = { jwtSigner: { method: 'did', alg: 'ES256', didUrl: `${did}#0` }, key: other };
} else if (config.prefix === 'x509_san_dns') {
  clientId = `x509_san_dns:${config.x509.dns}`;
  const key = crypto.createPrivateKey(config.x509.key_pem);
  signer = { jwtSigner: { method: 'x5c', alg: 'ES256', x5c: config.x509.x5c, kid: undefined }, key };
} else {
  clientId = `redirect_uri:${responseUri}`;
}
clientId = config.client_id ?? clientId;

const callbacks = {
  signJwt: async (jwtSigner, { header, payload }) => {
    const jwt = await signJwt(header, payload, signer.key);
    return { jwt, signerJwk: undefined };
  },
  decryptJwe: async (jwe) => {
    try {
      const { plaintext } = await jose.compactDecrypt(jwe, encryption.privateKey);
      return { decrypted: true, payload: new TextDecoder().decode(plaintext), decryptionJwk: encryptionJwk };
    } catch {
      return { decrypted: false };
    }
  },
  hash: (data, alg) => crypto.createHash(alg.replace('-', '').toLowerCase()).update(data).digest(),
  generateRandom: (n) => crypto.randomBytes(n),
};

const verifier = new Openid4vpVerifier({ callbacks });
const mode = config.response_mode ?? 'direct_post';
const clientMetadata = {
  client_name: config.client_name ?? 'Interop Verifier',
  vp_formats_supported: { 'dc+sd-jwt': {}, ldp_vc: {} },
  ...(mode === 'direct_post.jwt' ? { jwks: { keys: [encryptionJwk] }, encrypted_response_enc_values_supported: ['A128GCM'] } : {}),
};
const payload = {
  response_type: 'vp_token', client_id: clientId, response_uri: responseUri, response_mode: mode,
  nonce: crypto.randomBytes(16).toString('base64url'), state: crypto.randomBytes(8).toString('base64url'),
  dcql_query: config.dcql_query, client_metadata: clientMetadata,
};
const created = await verifier.createOpenId4vpAuthorizationRequest({
  authorizationRequestPayload: payload,
  ...(signer ? { jar: { jwtSigner: signer.jwtSigner, requestUri, expiresInSeconds: 300,
                        additionalJwtPayload: { aud: 'https://self-issued.me/v2' } } } : {}),
});
let link = created.authorizationRequest;
if (config.request_uri_method === 'post') link += '&request_uri_method=post';
const requestPayload = created.authorizationRequestPayload;

async function signedRequestObject(walletNonce) {
  if (walletNonce === undefined) return created.jar.authorizationRequestJwt;
  // §5.10: the wallet's nonce goes into a request object made for this fetch
  const header = { ...jose.decodeProtectedHeader(created.jar.authorizationRequestJwt) };
  const claims = { ...jose.decodeJwt(created.jar.authorizationRequestJwt), wallet_nonce: walletNonce };
  return signJwt(header, claims, signer.key);
}

// -- verifying what the wallet sends ---------------------------------------------------------------

async function verifySdJwt(presentation) {
  const sdjwt = new SDJwtInstance({
    hasher: digest,
    verifier: async (data, sig) => verifyJws(config.issuer_jwk, 'ES256', data, sig),
    kbVerifier: async (data, sig, claims) => {
      const [header] = data.split('.');
      const { alg } = JSON.parse(Buffer.from(header, 'base64url').toString('utf8'));
      return verifyJws(claims.cnf.jwk, alg, data, sig);
    },
  });
  const result = await sdjwt.verify(presentation, { keyBindingNonce: requestPayload.nonce });
  if (result.kb.payload.aud !== clientId) throw new Error(`KB-JWT aud is ${result.kb.payload.aud}, not ${clientId}`);
  return result.payload;
}

async function verifyLdp(presentation) {
  const suite = new DataIntegrityProof({ cryptosuite: eddsaRdfc2022 });
  const purpose = new AuthenticationProofPurpose({ challenge: requestPayload.nonce, domain: clientId });
  const vp = await jsigs.verify(presentation, { suite, purpose, documentLoader });
  if (!vp.verified) throw new Error(`presentation: ${vp.error?.errors?.map((e) => e.message).join('; ') ?? vp.error}`);
  for (const vc of [presentation.verifiableCredential].flat()) {
    const checked = await jsigs.verify(vc, { suite: new DataIntegrityProof({ cryptosuite: eddsaRdfc2022 }),
      purpose: new AssertionProofPurpose(), documentLoader });
    if (!checked.verified) throw new Error(`credential: ${checked.error?.errors?.map((e) => e.message).join('; ')}`);
  }
  return presentation.verifiableCredential;
}

// did:key Ed25519 (multicodec 0xed01 + 32 bytes, base58btc): the key is the identifier.
const B58 = '123456789ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz';
function base58(text) {
  let n = 0n;
  for (const ch of text) n = n * 58n + BigInt(B58.indexOf(ch));
  const bytes = [];
  for (; n > 0n; n >>= 8n) bytes.unshift(Number(n & 0xffn));
  return Buffer.from([...Array(text.length - text.replace(/^1+/, '').length).fill(0), ...bytes]);
}
function didKeyJwk(did) {
  const raw = base58(did.split('#')[0].slice('did:key:z'.length));
  if (raw[0] !== 0xed || raw[1] !== 0x01) throw new Error(`${did} is not an Ed25519 did:key`);
  return { kty: 'OKP', crv: 'Ed25519', x: raw.subarray(2).toString('base64url') };
}

async function verifyJwtVc(presentation) {
  // B.1.3.1.5 / VC-JWT 1.1 §6.3.1: a VP-JWT signed by the holder, nonce and aud, holding the VC-JWTs
  const { kid } = jose.decodeProtectedHeader(presentation);
  const holder = await jose.importJWK(didKeyJwk(kid), 'EdDSA');
  const { payload } = await jose.jwtVerify(presentation, holder, { audience: clientId });
  if (payload.nonce !== requestPayload.nonce) throw new Error(`VP-JWT nonce is ${payload.nonce}, not the request's`);
  const out = [];
  for (const vc of payload.vp.verifiableCredential) {
    const issuerKey = await jose.importJWK(didKeyJwk(jose.decodeProtectedHeader(vc).kid), 'EdDSA');
    const checked = await jose.jwtVerify(vc, issuerKey);
    if (checked.payload.sub !== payload.iss) throw new Error('the credential is not about the holder');
    out.push(checked.payload.vc);
  }
  return out;
}

async function verifyPresentation(format, presentation) {
  if (format === 'dc+sd-jwt') return verifySdJwt(presentation);
  if (format === 'ldp_vc') return verifyLdp(presentation);
  if (format === 'jwt_vc_json') return verifyJwtVc(presentation);
  throw new Error(`format ${format} is not checked by this oracle`);
}

const results = [];

async function answer(form) {
  const errors = [];
  const disclosed = {};
  const parsed = await verifier.parseOpenid4vpAuthorizationResponse({
    authorizationResponse: form, authorizationRequestPayload: requestPayload, callbacks,
  });
  if (parsed.type !== 'dcql') throw new Error('not a DCQL answer');
  const formats = Object.fromEntries(config.dcql_query.credentials.map((c) => [c.id, c.format]));
  for (const [queryId, presentations] of Object.entries(parsed.dcql.presentations)) {
    if (!formats[queryId]) { errors.push(`answer for ${queryId}, which was not asked`); continue; }
    for (const p of presentations) {
      try {
        disclosed[queryId] = await verifyPresentation(formats[queryId], p);
      } catch (error) {
        errors.push(`${queryId}: ${error && error.message ? error.message : error}`);
      }
    }
  }
  return { accepted: errors.length === 0, errors, disclosed, state: parsed.authorizationResponsePayload.state,
           encrypted: parsed.jarm !== undefined };
}

function body(req) {
  return new Promise((resolve, reject) => {
    const chunks = [];
    req.on('data', (c) => chunks.push(c));
    req.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    req.on('error', reject);
  });
}

function send(res, status, type, text) {
  res.writeHead(status, { 'content-type': type });
  res.end(text);
}

server.on('request', async (req, res) => {
  try {
    const form = Object.fromEntries(new URLSearchParams(await body(req)));
    if (req.url === '/request' && signer) {
      const jwt = await signedRequestObject(req.method === 'POST' ? form.wallet_nonce : undefined);
      return send(res, 200, 'application/oauth-authz-req+jwt', jwt);
    }
    if (req.url === '/response' && req.method === 'POST') {
      let outcome;
      try {
        outcome = await answer(form);
      } catch (error) {
        outcome = { accepted: false, errors: [String(error && error.message ? error.message : error)], disclosed: {} };
      }
      results.push(outcome);
      if (outcome.accepted) return send(res, 200, 'application/json', JSON.stringify({ redirect_uri: `${base}/done` }));
      return send(res, 400, 'application/json', JSON.stringify({ error: 'invalid_request',
                                                                 error_description: outcome.errors.join('; ') }));
    }
    if (req.url === '/results') return send(res, 200, 'application/json', JSON.stringify({ results }));
    return send(res, 404, 'text/plain', 'not found');
  } catch (error) {
    return send(res, 500, 'text/plain', String(error));
  }
});

process.stdout.write(JSON.stringify({ link, base, client_id: clientId }) + '\n');
