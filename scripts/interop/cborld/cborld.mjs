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
  return () => { throw new Error(`network blocked by cborld.mjs (${what})`); };
}
net.Socket.prototype.connect = blocked('net.Socket.connect');
net.connect = net.createConnection = blocked('net.connect');
tls.connect = blocked('tls.connect');
http.request = http.get = blocked('http.request');
https.request = https.get = blocked('https.request');
globalThis.fetch = blocked('fetch');

const { encode, decode } = await import('@digitalbazaar/cborld');

const index = JSON.parse(fs.readFileSync(path.join(contextsDir, 'index.json'), 'utf8'));
async function documentLoader(url) {
  const entry = index[url];
  if (!entry) throw new Error(`context not bundled: ${url}`);
  const document = JSON.parse(fs.readFileSync(path.join(contextsDir, entry.file), 'utf8'));
  return { contextUrl: null, documentUrl: url, document };
}

async function run(job) {
  if (job.op === 'encode') {
    const format = job.format || 'cbor-ld-1.0';
    const options = { jsonldDocument: job.doc, documentLoader, format };
    if (format !== 'legacy-singleton') options.registryEntryId = 1;
    const bytes = await encode(options);
    return { hex: Buffer.from(bytes).toString('hex') };
  }
  if (job.op === 'decode') {
    const doc = await decode({ cborldBytes: new Uint8Array(Buffer.from(job.hex, 'hex')), documentLoader });
    return { doc };
  }
  throw new Error(`unknown op ${job.op}`);
}

const jobs = JSON.parse(fs.readFileSync(0, 'utf8'));
const results = [];
for (const job of jobs) {
  try {
    results.push(await run(job));
  } catch (e) {
    results.push({ error: String(e && e.message || e) });
  }
}
process.stdout.write(JSON.stringify(results) + '\n');
