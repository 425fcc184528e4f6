// Satchel interop driver: the Digital Credentials Consortium's verifier-core verifies credential
// files, with no network at all.
//
//   node verify.mjs [--web DIR/web.json]... [--contexts DIR] [--schemas DIR] FILE.json...
//
// verifier-core builds its own JSON-LD document loader (securityLoader({fetchRemoteContexts:
// true})) and takes none from its caller. Everything that loader, its did:web driver and the
// schema check cannot answer from their bundled copies goes through globalThis.fetch, so this
// driver replaces fetch with an in-memory one that answers only from a map:
//   - the JSON-LD contexts bundled in credentials/_jsonld/contexts (index.json: URL -> file),
//   - the OB 3.0 JSON schemas bundled in credentials/_schemas (index.json: URL -> file),
//   - every document a `satchel-issuer sample` web.json names (DID documents, status lists...).
// did:web resolves to https://HOST/.well-known/did.json (did:web spec); the issuer stub serves
// its did:web over plain http on loopback, so a https URL ending in did.json is answered from the
// same map's http entry. Any other URL is refused (and listed in the output). Node's own sockets
// (net.Socket.connect, http(s).request) throw too, so nothing can leave the machine.
//
// Prints one JSON document: {"results": [{file, errors, log, schema, fetched, refused}...]}.

import fs from 'node:fs';
import http from 'node:http';
import https from 'node:https';
import net from 'node:net';
import path from 'node:path';
import tls from 'node:tls';
import { fileURLToPath } from 'node:url';

const here = path.dirname(fileURLToPath(import.meta.url));
const repo = path.resolve(here, '..', '..', '..');

function blocked(what) {
  return () => { throw new Error(`network blocked by verify.mjs (${what})`); };
}
net.Socket.prototype.connect = blocked('net.Socket.connect');
net.connect = net.createConnection = blocked('net.connect');
tls.connect = blocked('tls.connect');
http.request = http.get = blocked('http.request');
https.request = https.get = blocked('https.request');

const args = process.argv.slice(2);
const webMaps = [];
let contextsDir = path.join(repo, 'credentials', '_jsonld', 'contexts');
let schemasDir = path.join(repo, 'credentials', '_schemas');
const files = [];
for (let i = 0; i < args.length; i++) {
  if (args[i] === '--web') webMaps.push(args[++i]);
  else if (args[i] === '--contexts') contextsDir = args[++i];
  else if (args[i] === '--schemas') schemasDir = args[++i];
  else files.push(args[i]);
}
if (files.length === 0) {
  process.stderr.write('usage: node verify.mjs [--web web.json]... [--contexts DIR] [--schemas DIR] FILE...\n');
  process.exit(2);
}

// URL (no fragment) -> {body, type}
const documents = new Map();
function addIndex(dir, type) {
  const index = JSON.parse(fs.readFileSync(path.join(dir, 'index.json'), 'utf8'));
  for (const [url, entry] of Object.entries(index)) {
    documents.set(url, { file: path.join(dir, entry.file), type });
  }
}
addIndex(contextsDir, 'application/ld+json');
addIndex(schemasDir, 'application/schema+json');
for (const web of webMaps) {
  const base = path.dirname(path.resolve(web));
  for (const [url, rel] of Object.entries(JSON.parse(fs.readFileSync(web, 'utf8')))) {
    documents.set(url, { file: path.resolve(base, rel), type: 'application/json' });
  }
}

let fetched = [];
let refused = [];
function lookup(url) {
  const bare = url.split('#')[0];
  if (documents.has(bare)) return documents.get(bare);
  const u = new URL(bare);
  if (u.protocol === 'https:' && u.pathname.endsWith('/did.json')) {
    const plain = `http://${u.host}${u.pathname}`;
    if (documents.has(plain)) return documents.get(plain);
  }
  return null;
}

globalThis.fetch = async function memoryFetch(input, init) {
  const url = typeof input === 'string' ? input : (input instanceof URL ? input.href : input.url);
  const method = ((init && init.method) || (typeof input === 'object' && input.method) || 'GET').toUpperCase();
  const doc = method === 'GET' ? lookup(url) : null;
  if (!doc) {
    refused.push(url);
    throw new TypeError(`network blocked by verify.mjs: ${method} ${url} is not in the in-memory map`);
  }
  fetched.push(url);
  return new Response(fs.readFileSync(doc.file), { status: 200, headers: { 'content-type': doc.type } });
};

// verifier-core's schema check logs with console.log; stdout is for the JSON result only.
console.log = (...items) => console.error(...items);

const { verifyCredential } = await import('@digitalcredentials/verifier-core');

function plain(errors) {
  return (errors || []).map(e => ({ name: e.name, message: e.message }));
}

const results = [];
for (const file of files) {
  fetched = [];
  refused = [];
  let out;
  try {
    const credential = JSON.parse(fs.readFileSync(file, 'utf8'));
    const r = await verifyCredential({ credential, knownDIDRegistries: [] });
    const schema = (r.additionalInformation || []).find(a => a.id === 'schema_check');
    out = {
      errors: plain(r.errors),
      log: (r.log || []).map(s => ({ id: s.id, ...('valid' in s ? { valid: s.valid } : {}),
                                     ...(s.error ? { error: { name: s.error.name, message: s.error.message } } : {}) })),
      schema: schema ? schema.results : null,
    };
  } catch (e) {
    out = { errors: [{ name: 'driver_error', message: String(e && e.message || e) }], log: [], schema: null };
  }
  results.push({ file, ...out, fetched: [...new Set(fetched)], refused: [...new Set(refused)] });
}
process.stdout.write(JSON.stringify({ results }, null, 1) + '\n');
