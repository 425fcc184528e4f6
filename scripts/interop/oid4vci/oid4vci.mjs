// Animo's @openid4vc/openid4vci and @openid4vc/oauth2 (the issuance pieces inside Credo; versions
// pinned in package-lock.json) as an independent OpenID4VCI 1.0 counterpart for Satchel.
//
//   node oid4vci.mjs issuer
//       THEIR issuer on 127.0.0.1 (a free port): Openid4vciIssuer metadata, Oauth2AuthorizationServer
//       metadata and token endpoint (pre-authorized code, tx_code), nonce and credential endpoints
//       issuing an ES256 SD-JWT VC (@sd-jwt/sd-jwt-vc) from a did:jwk issuer, bound (cnf) to the key
//       of the wallet's proof. Prints {"base": URL} on its first line; POST /offers {"txCode": bool}
//       -> {"offer": link, "txCode"} makes an offer. Runs until stdin closes.
//   node oid4vci.mjs client  < {"offer": link, "txCode"?: code}
//       THEIR wallet side (Openid4vciClient) receives from Satchel's issuer stub with a fresh ES256
//       jwk key proof -> {"credentials": [...], "holderJwk"} | {"error"}.
// Only 127.0.0.1 is reached: every fetch goes through a guard, and nothing else opens a socket.
import { createHash, generateKeyPairSync, randomBytes, randomUUID } from 'node:crypto';
import http from 'node:http';
import { setGlobalConfig } from '@openid4vc/utils';
import { Oauth2AuthorizationServer, Oauth2ServerErrorResponseError } from '@openid4vc/oauth2';
import { Openid4vciClient, Openid4vciIssuer } from '@openid4vc/openid4vci';
import { ES256, digest, generateSalt } from '@sd-jwt/crypto-nodejs';
import { SDJwtVcInstance } from '@sd-jwt/sd-jwt-vc';
import { CompactSign, compactVerify, importJWK } from 'jose';

setGlobalConfig({ allowInsecureUrls: true }); // loopback http: the counterpart under test has no TLS

const PRE_AUTH = 'urn:ietf:params:oauth:grant-type:pre-authorized_code';
const CONFIGURATION = 'WoundCareBadge_sd_jwt';
const VCT = 'https://credentials.example.edu/wound-care';

const guardedFetch = async (input, init) => {
  const url = new URL(typeof input === 'string' || input instanceof URL ? input : input.url);
  if (url.hostname !== '127.0.0.1') throw new Error(`network guard: refusing ${url.origin}`);
  return fetch(url, init);
};

const read = async () => {
  const chunks = [];
  for await (const chunk of process.stdin) chunks.push(chunk);
  return JSON.parse(Buffer.concat(chunks).toString('utf8'));
};

// did:key (Ed25519, multicodec 0xed01) -> its public JWK: the key of a Satchel wallet's proof.
const B58 = '123456789ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz';
function didKeyJwk(didUrl) {
  const did = didUrl.split('#')[0];
  if (!did.startsWith('did:key:z')) throw new Error(`cannot resolve ${did}`);
  let n = 0n;
  for (const ch of did.slice('did:key:z'.length)) n = n * 58n + BigInt(B58.indexOf(ch));
  const bytes = [];
  while (n > 0n) { bytes.unshift(Number(n % 256n)); n /= 256n; }
  const raw = Buffer.from(bytes);
  if (raw[0] !== 0xed || raw[1] !== 0x01 || raw.length !== 34) throw new Error('not an Ed25519 did:key');
  return { kty: 'OKP', crv: 'Ed25519', x: raw.subarray(2).toString('base64url') };
}

function didJwkJwk(didUrl) {
  return JSON.parse(Buffer.from(didUrl.split('#')[0].slice('did:jwk:'.length), 'base64url').toString('utf8'));
}

function callbacks(privateJwk) {
  return {
    fetch: guardedFetch,
    hash: (data, alg) => new Uint8Array(createHash(alg.replace('-', '').toLowerCase()).update(data).digest()),
    generateRandom: (n) => new Uint8Array(randomBytes(n)),
    clientAuthentication: () => {},
    signJwt: async (signer, { header, payload }) => {
      const key = await importJWK(privateJwk, signer.alg);
      const jwt = await new CompactSign(new TextEncoder().encode(JSON.stringify(payload)))
        .setProtectedHeader(header).sign(key);
      const { d, ...publicJwk } = privateJwk;
      return { jwt, signerJwk: publicJwk };
    },
    verifyJwt: async (signer, jwt) => {
      let key;
      if (signer.method === 'jwk') key = signer.publicJwk;
      else if (signer.method === 'did' && signer.didUrl.startsWith('did:key:')) key = didKeyJwk(signer.didUrl);
      else if (signer.method === 'did' && signer.didUrl.startsWith('did:jwk:')) key = didJwkJwk(signer.didUrl);
      else return { verified: false };
      try {
        await compactVerify(jwt.compact, await importJWK(key, jwt.header.alg));
        return { verified: true, signerJwk: key };
      } catch {
        return { verified: false, signerJwk: key };
      }
    },
  };
}

const p256 = () => generateKeyPairSync('ec', { namedCurve: 'P-256' }).privateKey.export({ format: 'jwk' });
const publicOf = ({ kty, crv, x, y }) => (y === undefined ? { kty, crv, x } : { kty, crv, x, y });

// -- THEIR issuer -------------------------------------------------------------------------------------

async function runIssuer() {
  const signingJwk = p256();
  const did = 'did:jwk:' + Buffer.from(JSON.stringify(publicOf(signingJwk))).toString('base64url');
  const cb = callbacks(signingJwk);
  const issuer = new Openid4vciIssuer({ callbacks: cb });
  const authorizationServer = new Oauth2AuthorizationServer({ callbacks: cb });
  const sdjwt = new SDJwtVcInstance({ hasher: digest, saltGenerator: generateSalt, signAlg: ES256.alg,
    signer: await ES256.getSigner(signingJwk) });
  const offers = new Map(); // pre-authorized code -> {txCode, used}
  const tokens = new Set();
  const nonces = new Map(); // c_nonce -> expiry
  let metadata;

  const server = http.createServer(async (req, res) => {
    const send = (status, body) => {
      res.writeHead(status, { 'Content-Type': 'application/json', 'Cache-Control': 'no-store' });
      res.end(JSON.stringify(body));
    };
    try {
      const url = new URL(req.url, metadata.credentialIssuer.credential_issuer);
      const chunks = [];
      for await (const chunk of req) chunks.push(chunk);
      const raw = Buffer.concat(chunks).toString('utf8');
      const request = { method: req.method, url: url.href, headers: new Headers(req.headers) };
      if (url.pathname === '/.well-known/openid-credential-issuer') return send(200, metadata.credentialIssuer);
      if (url.pathname === '/.well-known/oauth-authorization-server') return send(200, metadata.authorizationServers[0]);
      if (url.pathname === '/offers') {
        const wanted = JSON.parse(raw || '{}');
        const code = randomUUID();
        const txCode = wanted.txCode ? String(randomBytes(4).readUInt32BE() % 1000000).padStart(6, '0') : undefined;
        offers.set(code, { txCode, used: false });
        const grant = { 'pre-authorized_code': code };
        if (txCode) grant.tx_code = { input_mode: 'numeric', length: 6, description: 'Sent to you by e-mail' };
        const { credentialOffer } = await issuer.createCredentialOffer({
          issuerMetadata: metadata, credentialConfigurationIds: [CONFIGURATION], grants: { [PRE_AUTH]: grant } });
        return send(201, { offer: credentialOffer, txCode });
      }
      if (url.pathname === '/token') {
        const form = Object.fromEntries(new URLSearchParams(raw));
        const parsed = authorizationServer.parseAccessTokenRequest({ request, accessTokenRequest: form });
        const offer = offers.get(parsed.grant.preAuthorizedCode);
        if (!offer || offer.used) return send(400, { error: 'invalid_grant', error_description: 'unknown or used code' });
        await authorizationServer.verifyPreAuthorizedCodeAccessTokenRequest({
          grant: parsed.grant, accessTokenRequest: parsed.accessTokenRequest, request,
          expectedPreAuthorizedCode: parsed.grant.preAuthorizedCode, expectedTxCode: offer.txCode,
          authorizationServerMetadata: metadata.authorizationServers[0] });
        offer.used = true;
        const cNonce = randomUUID();
        nonces.set(cNonce, Date.now() + 300_000);
        const answer = await authorizationServer.createAccessTokenResponse({
          audience: metadata.credentialIssuer.credential_issuer, authorizationServer: metadata.authorizationServers[0].issuer,
          expiresInSeconds: 600, subject: parsed.grant.preAuthorizedCode, cNonce, cNonceExpiresIn: 300,
          signer: { method: 'jwk', alg: 'ES256', publicJwk: publicOf(signingJwk) } });
        tokens.add(answer.access_token);
        return send(200, answer);
      }
      if (url.pathname === '/nonce') {
        const cNonce = randomUUID();
        nonces.set(cNonce, Date.now() + 300_000);
        return send(200, issuer.createNonceResponse({ cNonce, cNonceExpiresIn: 300 }));
      }
      if (url.pathname === '/credential') {
        const bearer = (req.headers.authorization || '').replace(/^(Bearer|DPoP) /, '');
        if (!tokens.has(bearer)) return send(401, { error: 'invalid_token' });
        const parsed = issuer.parseCredentialRequest({ issuerMetadata: metadata, credentialRequest: JSON.parse(raw) });
        const jwts = parsed.proofs?.jwt ?? [];
        const credentials = [];
        for (const jwt of jwts) {
          const nonce = JSON.parse(Buffer.from(jwt.split('.')[1], 'base64url').toString('utf8')).nonce;
          const expires = nonces.get(nonce);
          if (!expires) return send(400, { error: 'invalid_nonce' });
          const { signer } = await issuer.verifyCredentialRequestJwtProof({
            issuerMetadata: metadata, jwt, expectedNonce: nonce, nonceExpiresAt: new Date(expires) });
          const now = Math.floor(Date.now() / 1000);
          credentials.push({ credential: await sdjwt.issue(
            { iss: did, vct: VCT, iat: now, cnf: { jwk: signer.publicJwk },
              achievement: { name: 'Wound care basics', achievementType: 'Badge' }, given_name: 'Ada' },
            { _sd: ['given_name'] }, { header: { kid: `${did}#0`, typ: 'dc+sd-jwt' } }) });
          nonces.delete(nonce);
        }
        return send(200, issuer.createCredentialResponse({ credentialRequest: parsed, credentials }));
      }
      return send(404, { error: 'not_found' });
    } catch (error) {
      if (error instanceof Oauth2ServerErrorResponseError) return send(400, error.errorResponse);
      return send(400, { error: 'invalid_request', error_description: String(error?.message ?? error) });
    }
  });
  await new Promise((done) => server.listen(0, '127.0.0.1', done));
  const base = `http://127.0.0.1:${server.address().port}`;
  metadata = {
    originalDraftVersion: 'v1',
    credentialIssuer: issuer.createCredentialIssuerMetadata({
      credential_issuer: base, credential_endpoint: `${base}/credential`, nonce_endpoint: `${base}/nonce`,
      display: [{ name: 'Their demo issuer (@openid4vc)', locale: 'en' }],
      credential_configurations_supported: { [CONFIGURATION]: {
        format: 'dc+sd-jwt', vct: VCT, cryptographic_binding_methods_supported: ['jwk', 'did:key'],
        credential_signing_alg_values_supported: ['ES256'],
        proof_types_supported: { jwt: { proof_signing_alg_values_supported: ['ES256', 'EdDSA'] } },
        credential_metadata: { display: [{ name: 'Wound care badge (their SD-JWT VC)', locale: 'en' }] } } },
    }),
    authorizationServers: [authorizationServer.createAuthorizationServerMetadata({
      issuer: base, token_endpoint: `${base}/token`, 'pre-authorized_grant_anonymous_access_supported': true })],
  };
  metadata.knownCredentialConfigurations = issuer.getKnownCredentialConfigurationsSupported(metadata.credentialIssuer);
  process.stdout.write(JSON.stringify({ base }) + '\n');
  process.stdin.resume();
  process.stdin.on('end', () => server.close(() => process.exit(0)));
}

// -- THEIR wallet side ---------------------------------------------------------------------------------

async function runClient() {
  const { offer, txCode } = await read();
  const holderJwk = p256();
  const client = new Openid4vciClient({ callbacks: callbacks(holderJwk) });
  try {
    const credentialOffer = await client.resolveCredentialOffer(offer);
    const issuerMetadata = await client.resolveIssuerMetadata(credentialOffer.credential_issuer);
    const { accessTokenResponse } = await client.retrievePreAuthorizedCodeAccessTokenFromOffer({
      credentialOffer, issuerMetadata, txCode });
    const { c_nonce: nonce } = await client.requestNonce({ issuerMetadata });
    const configurationId = credentialOffer.credential_configuration_ids[0];
    const { jwt } = await client.createCredentialRequestJwtProof({
      issuerMetadata, credentialConfigurationId: configurationId, nonce,
      signer: { method: 'jwk', alg: 'ES256', publicJwk: publicOf(holderJwk) } });
    const { credentialResponse } = await client.retrieveCredentials({
      issuerMetadata, credentialConfigurationId: configurationId, accessToken: accessTokenResponse.access_token,
      proofs: { jwt: [jwt] } });
    return { credentials: credentialResponse.credentials.map((c) => c.credential), holderJwk: publicOf(holderJwk),
             issuerName: issuerMetadata.credentialIssuer.display?.[0]?.name ?? null };
  } catch (error) {
    const detail = error?.response ? ` (HTTP ${error.response.status})` : '';
    return { error: `${error?.constructor?.name}: ${error?.message ?? error}${detail}`,
             response: error?.errorResponse ?? error?.credentialErrorResponseResult?.data ?? null };
  }
}

const mode = process.argv[2];
if (mode === 'issuer') await runIssuer();
else if (mode === 'client') process.stdout.write(JSON.stringify(await runClient()) + '\n');
else { process.stderr.write('usage: node oid4vci.mjs issuer | client\n'); process.exit(2); }
