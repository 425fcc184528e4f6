// Satchel interop driver: Digital Bazaar's ecdsa-sd-2023 cryptosuite
// (@digitalbazaar/ecdsa-sd-2023-cryptosuite with @digitalbazaar/data-integrity and
// jsonld-signatures, pinned in package-lock.json) signs, derives and verifies for
// tests/test_interop_ecdsa_sd.py, with no network at all.
//
//   node ecdsasd.mjs < jobs.json > results.json
//
// stdin is a JSON array of jobs, stdout the array of their results, in order:
//   {"op": "sign", "doc": {...}, "publicKeyMultibase": "zDn...", "secretKeyMultibase": "z42...",
//    "mandatoryPointers": ["/issuer", ...]}                            -> {"doc": {... base proof}}
//   {"op": "derive", "doc": {... base proof}, "selectivePointers": [...]} -> {"doc": {... derived}}
//   {"op": "verify", "doc": {... derived proof}}                       -> {"verified": true | false, "errors": [...]}
// and {"error": "..."} for a job the library refused.
//
// The document loader answers only from the JSON-LD contexts Satchel bundles
// (credentials/_jsonld/contexts/index.json: URL -> file) and, for did:key P-256 verification
// methods, from the did:key itself (W3C did:key method: the key is the identifier). Sockets throw,
// so nothing can leave the machine.

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
  return () => { throw new Error(`network blocked by ecdsasd.mjs (${what})`); };
}
net.Socket.prototype.connect = blocked('net.Socket.connect');
net.connect = net.createConnection = blocked('net.connect');
tls.connect = blocked('tls.connect');
http.request = http.get = blocked('http.request');
https.request = https.get = blocked('https.request');
globalThis.fetch = blocked('fetch');

const EcdsaMultikey = await import('@digitalbazaar/ecdsa-multikey');
const { createSignCryptosuite, createDiscloseCryptosuite, createVerifyCryptosuite } =
  await import('@digitalbazaar/ecdsa-sd-2023-cryptosuite');
const { DataIntegrityProof } = await import('@digitalbazaar/data-integrity');
const { default: jsigs } = await import('jsonld-signatures');
const { purposes: { AssertionProofPurpose } } = jsigs;

const index = JSON.parse(fs.readFileSync(path.join(contextsDir, 'index.json'), 'utf8'));
const MULTIKEY_V1 = 'https://w3id.org/security/multikey/v1';

function didKeyDocument(did) {
  const multibase = did.slice('did:key:'.length);
  const id = `${did}#${multibase}`;
  return {
    '@context': ['https://www.w3.org/ns/did/v1', MULTIKEY_V1],
    id: did,
    verificationMethod: [{ id, type: 'Multikey', controller: did, publicKeyMultibase: multibase }],
    assertionMethod: [id],
    authentication: [id],
  };
}

async function documentLoader(url) {
  if (url.startsWith('did:key:zDn')) {
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

async function sign(job) {
  const controller = `did:key:${job.publicKeyMultibase}`;
  const keyPair = await EcdsaMultikey.from({
    '@context': MULTIKEY_V1, type: 'Multikey', controller, id: `${controller}#${job.publicKeyMultibase}`,
    publicKeyMultibase: job.publicKeyMultibase, secretKeyMultibase: job.secretKeyMultibase,
  });
  const suite = new DataIntegrityProof({
    signer: keyPair.signer(), cryptosuite: createSignCryptosuite({ mandatoryPointers: job.mandatoryPointers || [] }),
  });
  return { doc: await jsigs.sign(job.doc, { suite, purpose: new AssertionProofPurpose(), documentLoader }) };
}

async function derive(job) {
  const suite = new DataIntegrityProof({
    cryptosuite: createDiscloseCryptosuite({ selectivePointers: job.selectivePointers || [] }),
  });
  return { doc: await jsigs.derive(job.doc, { suite, purpose: new AssertionProofPurpose(), documentLoader }) };
}

async function verify(job) {
  const suite = new DataIntegrityProof({ cryptosuite: createVerifyCryptosuite() });
  const result = await jsigs.verify(job.doc, { suite, purpose: new AssertionProofPurpose(), documentLoader });
  const errors = [];
  if (result.error) {
    for (const e of result.error.errors || [result.error]) errors.push(String(e && e.message || e));
  }
  return { verified: result.verified === true, errors };
}

const OPS = { sign, derive, verify };
const jobs = JSON.parse(fs.readFileSync(0, 'utf8'));
const results = [];
for (const job of jobs) {
  try {
    const op = OPS[job.op];
    if (!op) throw new Error(`unknown op ${job.op}`);
    results.push(await op(job));
  } catch (e) {
    results.push({ error: String(e && e.message || e) });
  }
}
process.stdout.write(JSON.stringify(results) + '\n');
