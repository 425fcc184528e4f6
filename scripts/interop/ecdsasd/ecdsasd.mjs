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

import { blockNetwork, bundledContext, runJobs } from '../offline.mjs';

blockNetwork('ecdsasd.mjs');

const EcdsaMultikey = await import('@digitalbazaar/ecdsa-multikey');
const { createSignCryptosuite, createDiscloseCryptosuite, createVerifyCryptosuite } =
  await import('@digitalbazaar/ecdsa-sd-2023-cryptosuite');
const { DataIntegrityProof } = await import('@digitalbazaar/data-integrity');
const { default: jsigs } = await import('jsonld-signatures');
const { purposes: { AssertionProofPurpose } } = jsigs;

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
  const loaded = bundledContext(url);
  if (!loaded) throw new Error(`not bundled and not a did:key: ${url}`);
  return loaded;
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

await runJobs({ sign, derive, verify });
