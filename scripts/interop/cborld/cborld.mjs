// Satchel interop driver: Digital Bazaar's CBOR-LD processor (@digitalbazaar/cborld, pinned in
// package-lock.json) encodes and decodes for tests/test_interop_cborld.py, with no network at all.
//
//   node cborld.mjs < jobs.json > results.json
//
// stdin is a JSON array of jobs, stdout the array of their results, in order:
//   {"op": "encode", "doc": {...}, "format": "cbor-ld-1.0" | "legacy-singleton"} -> {"hex": "d9cb1d..."}
//   {"op": "decode", "hex": "d9cb1d..."}                                        -> {"doc": {...}}
// and {"error": "..."} for a job the library refused.
//
// The document loader answers only from the JSON-LD contexts Satchel bundles
// (credentials/_jsonld/contexts/index.json: URL -> file), so both sides build their term codec
// map from the very same context documents; any other URL is an error. Sockets throw, so nothing
// can leave the machine.

import { blockNetwork, bundledContext, runJobs } from '../offline.mjs';

blockNetwork('cborld.mjs');

const { encode, decode } = await import('@digitalbazaar/cborld');

async function documentLoader(url) {
  const loaded = bundledContext(url);
  if (!loaded) throw new Error(`context not bundled: ${url}`);
  return loaded;
}

async function encodeJob(job) {
  const format = job.format || 'cbor-ld-1.0';
  const options = { jsonldDocument: job.doc, documentLoader, format };
  if (format !== 'legacy-singleton') options.registryEntryId = 1;
  const bytes = await encode(options);
  return { hex: Buffer.from(bytes).toString('hex') };
}

async function decodeJob(job) {
  const doc = await decode({ cborldBytes: new Uint8Array(Buffer.from(job.hex, 'hex')), documentLoader });
  return { doc };
}

await runJobs({ encode: encodeJob, decode: decodeJob });
