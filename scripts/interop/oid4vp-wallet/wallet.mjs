// An independent OpenID4VP 1.0 wallet for Satchel's verifier (tests/test_interop_openid4vp_verifier.py):
// Animo's @openid4vc/openid4vp client (the wallet side inside Credo) resolves the request, checks the
// Request Object's signature under its client_id prefix, and builds and sends the direct_post or
// direct_post.jwt answer; @sd-jwt/sd-jwt-vc issues and presents the SD-JWT VC (with a KB-JWT); jose
// and node's crypto do the JWS/JWE work the library asks of its callbacks. Versions: package-lock.json.
//
//   node wallet.mjs < {"link": "openid4vp://?...", "trustedCertificates": [base64 DER, ...],
//                      "present": "sd-jwt" | "vp-jwt", "vpJwt"?: "<a VP JWT made by the test>",
//                      "kbNonce"?: "<another nonce>", "kbAud"?: "<another audience>"}
//       -> {"ok": true, "status", "body", "clientId", "prefix", "clientName", "dcql"} | {"ok": false, "error"}
//
// Network guard: every fetch goes to 127.0.0.1 only (the test's verifier); anything else is refused.
import { createHash, createPublicKey, X509Certificate } from 'node:crypto';
import { setGlobalConfig } from '@openid4vc/utils';
import { Openid4vpClient } from '@openid4vc/openid4vp';
import { ES256, digest, generateSalt } from '@sd-jwt/crypto-nodejs';
import { SDJwtVcInstance } from '@sd-jwt/sd-jwt-vc';
import { CompactEncrypt, compactVerify, importJWK } from 'jose';

setGlobalConfig({ allowInsecureUrls: true }); // loopback http; the verifier under test has no TLS

const read = async () => {
  const chunks = [];
  for await (const chunk of process.stdin) chunks.push(chunk);
  return JSON.parse(Buffer.concat(chunks).toString('utf8'));
};

const guardedFetch = async (input, init) => {
  const url = new URL(typeof input === 'string' || input instanceof URL ? input : input.url);
  if (url.hostname === 'localhost') url.hostname = '127.0.0.1';
  if (url.hostname !== '127.0.0.1') throw new Error(`network guard: refusing ${url.origin}`);
  return fetch(url, init);
};

// did:key (Ed25519, multicodec 0xed01) -> its public JWK; the verifier's decentralized_identifier.
const B58 = '123456789ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz';
function base58(text) {
  let n = 0n;
  for (const ch of text) {
    const v = B58.indexOf(ch);
    if (v < 0) throw new Error('not base58btc');
    n = n * 58n + BigInt(v);
  }
  const bytes = [];
  while (n > 0n) { bytes.unshift(Number(n % 256n)); n /= 256n; }
  for (const ch of text) { if (ch !== '1') break; bytes.unshift(0); }
  return Buffer.from(bytes);
}
function didKeyJwk(didUrl) {
  const did = didUrl.split('#')[0];
  if (!did.startsWith('did:key:z')) throw new Error(`cannot resolve ${did}`);
  const raw = base58(did.slice('did:key:z'.length));
  if (raw[0] !== 0xed || raw[1] !== 0x01 || raw.length !== 34) throw new Error('not an Ed25519 did:key');
  return { kty: 'OKP', crv: 'Ed25519', x: raw.subarray(2).toString('base64url') };
}

function makeCallbacks(trusted) {
  return {
    fetch: guardedFetch,
    hash: (data, alg) => new Uint8Array(createHash(alg.replace('-', '').toLowerCase()).update(data).digest()),
    generateRandom: (n) => crypto.getRandomValues(new Uint8Array(n)),
    getX509CertificateMetadata: (certificate) => {
      const cert = new X509Certificate(Buffer.from(certificate, 'base64'));
      const names = (cert.subjectAltName || '').split(',').map((s) => s.trim());
      return { sanDnsNames: names.filter((s) => s.startsWith('DNS:')).map((s) => s.slice(4)),
               sanUriNames: names.filter((s) => s.startsWith('URI:')).map((s) => s.slice(4)) };
    },
    verifyJwt: async (signer, jwt) => {
      let key;
      if (signer.method === 'did') key = didKeyJwk(signer.didUrl);
      else if (signer.method === 'x5c') {
        // trust: the leaf is one the test said it trusts (as a wallet's trust list would)
        if (!trusted.includes(signer.x5c[0])) return { verified: false };
        key = createPublicKey(new X509Certificate(Buffer.from(signer.x5c[0], 'base64')).publicKey.export({ format: 'pem', type: 'spki' })).export({ format: 'jwk' });
      } else if (signer.method === 'jwk') key = signer.publicJwk;
      else return { verified: false };
      try {
        await compactVerify(jwt.compact, await importJWK(key, jwt.header.alg));
        return { verified: true, signerJwk: key };
      } catch {
        return { verified: false, signerJwk: key };
      }
    },
    encryptJwe: async (encryptor, data) => {
      const header = { alg: encryptor.alg, enc: encryptor.enc, kid: encryptor.publicJwk.kid };
      if (encryptor.apu) header.apu = encryptor.apu;
      if (encryptor.apv) header.apv = encryptor.apv;
      const jwe = await new CompactEncrypt(new TextEncoder().encode(data)).setProtectedHeader(header)
        .encrypt(await importJWK(encryptor.publicJwk, encryptor.alg));
      return { encryptionJwk: encryptor.publicJwk, jwe };
    },
    decryptJwe: async () => ({ decrypted: false }),
    signJwt: async () => { throw new Error('this wallet signs no JWT through the library'); },
  };
}

// An SD-JWT VC (ES256, did:jwk issuer) bound to a fresh holder key, presented with a KB-JWT.
async function sdJwtPresentation(vct, nonce, aud) {
  const issuerKeys = await ES256.generateKeyPair();
  const holderKeys = await ES256.generateKeyPair();
  const pub = ({ kty, crv, x, y }) => ({ kty, crv, x, y });
  const did = 'did:jwk:' + Buffer.from(JSON.stringify(pub(issuerKeys.publicKey))).toString('base64url');
  const sdjwt = new SDJwtVcInstance({
    hasher: digest, saltGenerator: generateSalt, signAlg: ES256.alg,
    signer: await ES256.getSigner(issuerKeys.privateKey),
    kbSigner: await ES256.getSigner(holderKeys.privateKey), kbSignAlg: ES256.alg,
  });
  const now = Math.floor(Date.now() / 1000);
  const issued = await sdjwt.issue({
    iss: did, vct, iat: now - 60, cnf: { jwk: pub(holderKeys.publicKey) },
    given_name: 'Ada', achievement: { name: 'Wound care basics', achievementType: 'Badge' },
  }, { _sd: ['given_name', 'achievement'] }, { header: { kid: `${did}#0` } });
  return sdjwt.present(issued, { achievement: true }, { kb: { payload: { nonce, aud, iat: now } } });
}

async function answer(given) {
  const client = new Openid4vpClient({ callbacks: makeCallbacks(given.trustedCertificates || []) });
  const parsed = client.parseOpenid4vpAuthorizationRequest({ authorizationRequest: given.link });
  const resolved = await client.resolveOpenId4vpAuthorizationRequest({ authorizationRequestPayload: parsed.params });
  const request = resolved.authorizationRequestPayload;
  const query = resolved.dcql.query;
  let vpToken;
  if (given.present === 'vp-jwt') {
    vpToken = { [query.credentials.find((c) => c.format === 'jwt_vc_json').id]: [given.vpJwt] };
  } else {
    const cq = query.credentials.find((c) => c.format === 'dc+sd-jwt');
    const presented = await sdJwtPresentation(cq.meta.vct_values[0], given.kbNonce ?? request.nonce,
      given.kbAud ?? request.client_id);
    vpToken = { [cq.id]: [presented] };
  }
  const encrypted = request.response_mode === 'direct_post.jwt';
  const response = await client.createOpenid4vpAuthorizationResponse({
    authorizationRequestPayload: request,
    authorizationResponsePayload: { vp_token: vpToken },
    ...(encrypted ? { jarm: { encryption: { nonce: 'wallet-nonce' }, serverMetadata: {
      authorization_signing_alg_values_supported: [], authorization_encryption_alg_values_supported: ['ECDH-ES'],
      authorization_encryption_enc_values_supported: ['A128GCM', 'A256GCM'] } } } : {}),
  });
  const sent = await client.submitOpenid4vpAuthorizationResponse({
    authorizationRequestPayload: request,
    authorizationResponsePayload: response.authorizationResponsePayload,
    ...(response.jarm ? { jarm: { responseJwt: response.jarm.responseJwt } } : {}),
  });
  return { ok: true, status: sent.response.status, body: await sent.response.json(), clientId: request.client_id,
           prefix: resolved.client.prefix, clientName: request.client_metadata?.client_name ?? null,
           responseMode: sent.responseMode, nonce: request.nonce, dcql: query, version: resolved.version };
}

const given = await read();
try {
  process.stdout.write(JSON.stringify(await answer(given)) + '\n');
} catch (error) {
  const detail = error && (error.errorResponse?.error_description || error.message) || String(error);
  process.stdout.write(JSON.stringify({ ok: false, error: String(detail) }) + '\n');
}
