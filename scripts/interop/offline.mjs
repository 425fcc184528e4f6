// What Satchel's offline interop drivers share (cborld/, ecdsasd/): sockets that throw, a JSON-LD
// document loader that answers only from the contexts Satchel bundles, and the stdin-jobs /
// stdout-results loop. Imported by path, so it needs no package of its own.

import fs from 'node:fs';
import http from 'node:http';
import https from 'node:https';
import net from 'node:net';
import path from 'node:path';
import tls from 'node:tls';
import { fileURLToPath } from 'node:url';

const here = path.dirname(fileURLToPath(import.meta.url));
const contextsDir = path.resolve(here, '..', '..', 'credentials', '_jsonld', 'contexts');
const index = JSON.parse(fs.readFileSync(path.join(contextsDir, 'index.json'), 'utf8'));

// Every way node opens a connection throws, naming the driver: nothing can leave the machine.
export function blockNetwork(driver) {
  const blocked = (what) => () => { throw new Error(`network blocked by ${driver} (${what})`); };
  net.Socket.prototype.connect = blocked('net.Socket.connect');
  net.connect = net.createConnection = blocked('net.connect');
  tls.connect = blocked('tls.connect');
  http.request = http.get = blocked('http.request');
  https.request = https.get = blocked('https.request');
  globalThis.fetch = blocked('fetch');
}

// A jsonld.js loader result for a context Satchel bundles (credentials/_jsonld/contexts/index.json:
// URL -> file), or null when it is not bundled.
export function bundledContext(url) {
  const entry = index[url];
  if (!entry) return null;
  const document = JSON.parse(fs.readFileSync(path.join(contextsDir, entry.file), 'utf8'));
  return { contextUrl: null, documentUrl: url, document };
}

// stdin is a JSON array of jobs {"op": ...}; stdout the array of their results, in order, with
// {"error": "..."} for a job that failed.
export async function runJobs(ops) {
  const jobs = JSON.parse(fs.readFileSync(0, 'utf8'));
  const results = [];
  for (const job of jobs) {
    try {
      const op = ops[job.op];
      if (!op) throw new Error(`unknown op ${job.op}`);
      results.push(await op(job));
    } catch (e) {
      results.push({ error: String(e && e.message || e) });
    }
  }
  process.stdout.write(JSON.stringify(results) + '\n');
}
