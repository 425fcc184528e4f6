"""The web verifier page for share links (``GET /s``, ``/s.js``, ``/s.css``).

Kept as Python strings so the page ships with the package without package-data rules. The link
format is defined in the engine (``credentials.decode_link``); the script reads it from ``location.hash`` (never
sent to the server), opens relay blobs with WebCrypto AES-GCM, and asks this same origin's
``/presentations/verify`` or ``/credentials/verify`` for the verdict. Everything shown is set
through ``textContent``: a credential's fields are data, never markup. The script exports the
same functions to Node (``module.exports``) so tests can run the browser half for real.
"""

from __future__ import annotations

HTML = """<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="referrer" content="no-referrer">
<title>Satchel verifier</title>
<link rel="stylesheet" href="/s.css">
<script src="/s.js" defer></script>
</head>
<body>
<main>
<h1 id="headline" class="pending">Checking…</h1>
<p id="summary">Reading the shared badge from this link.</p>
<section id="credentials"></section>
<details id="details" hidden><summary>Every check</summary><ul id="checks"></ul></details>
<p class="note">This page reads the badge from the part of the link after “#”, which your browser
never sends to any server. It is checked by this verifier only and not stored.</p>
</main>
<noscript><p>This verifier page needs JavaScript to read the link.</p></noscript>
</body>
</html>
"""

CSS = """
body { font: 16px/1.45 system-ui, sans-serif; margin: 0; background: #f6f7f9; color: #1c1e21; }
main { max-width: 40rem; margin: 0 auto; padding: 1.5rem 1rem; }
h1 { font-size: 2rem; margin: 0 0 .5rem; padding: .75rem 1rem; border-radius: .5rem; }
h1.valid { background: #d8f3dc; color: #1b4332; }
h1.invalid { background: #ffd6d6; color: #7a1212; }
h1.unverifiable, h1.pending { background: #fff1c2; color: #5c4400; }
.card { background: #fff; border-radius: .5rem; padding: .75rem 1rem; margin: .75rem 0;
        box-shadow: 0 1px 2px rgba(0,0,0,.08); }
.card h2 { font-size: 1.15rem; margin: 0 0 .25rem; }
ul { padding-left: 1.2rem; }
li.passed::marker { content: "✓ "; color: #1b7a3a; }
li.failed::marker { content: "✗ "; color: #b3261e; }
li.warning::marker, li.could-not-check::marker { content: "? "; color: #8a6d00; }
li.skipped::marker { content: "– "; }
.note { color: #5f6368; font-size: .85rem; margin-top: 2rem; }
"""

JS = r"""
"use strict";
// Share-link format: credentials/_formats/share_links.py. #vp= / #vc= : base64url(zlib(JSON));
// #r=<relay id>&k=<base64url AES-256 key> : GET /relay/<id> -> nonce(12) || AES-GCM ciphertext+tag.
const SatchelShare = (() => {
  const MAX_PAYLOAD = 2 * 1024 * 1024;
  const HEADLINE = { valid: "Verified", invalid: "Problem", unverifiable: "Could not check" };

  class ShareError extends Error {}

  function b64urlDecode(text) {
    if (!/^[A-Za-z0-9_-]+$/.test(text || "")) throw new ShareError("The link is damaged (not base64url).");
    const b64 = text.replace(/-/g, "+").replace(/_/g, "/") + "===".slice((text.length + 3) % 4);
    const bin = atob(b64);
    const out = new Uint8Array(bin.length);
    for (let i = 0; i < bin.length; i++) out[i] = bin.charCodeAt(i);
    return out;
  }

  function params(hash) {
    const out = new Map();
    for (const part of (hash || "").replace(/^#/, "").split("&")) {
      const i = part.indexOf("=");
      if (i > 0 && !out.has(part.slice(0, i))) out.set(part.slice(0, i), part.slice(i + 1));
    }
    return out;
  }

  async function inflate(bytes) {
    // zlib (RFC 1950) is what DecompressionStream calls "deflate"; stop at 2 MB (zip bombs).
    const reader = new Blob([bytes]).stream().pipeThrough(new DecompressionStream("deflate")).getReader();
    const chunks = [];
    let size = 0;
    try {
      for (;;) {
        const { done, value } = await reader.read();
        if (done) break;
        size += value.length;
        if (size > MAX_PAYLOAD) throw new ShareError("The shared data is too large.");
        chunks.push(value);
      }
    } catch (e) {
      if (e instanceof ShareError) throw e;
      throw new ShareError("The link is damaged (it does not decompress).");
    }
    const out = new Uint8Array(size);
    let at = 0;
    for (const c of chunks) { out.set(c, at); at += c.length; }
    return out;
  }

  async function decrypt(blob, keyBytes) {
    if (keyBytes.length !== 32) throw new ShareError("The link's key is damaged.");
    if (blob.length < 28) throw new ShareError("The shared data is damaged.");
    const key = await crypto.subtle.importKey("raw", keyBytes, "AES-GCM", false, ["decrypt"]);
    try {
      const plain = await crypto.subtle.decrypt({ name: "AES-GCM", iv: blob.slice(0, 12) }, key, blob.slice(12));
      return new Uint8Array(plain);
    } catch (e) {
      throw new ShareError("The shared data does not open with this link's key (changed or another link).");
    }
  }

  function parseJson(bytes) {
    let doc;
    try { doc = JSON.parse(new TextDecoder("utf-8", { fatal: true }).decode(bytes)); }
    catch (e) { throw new ShareError("The shared data is not readable JSON."); }
    if (!doc || typeof doc !== "object" || Array.isArray(doc)) throw new ShareError("The shared data is not a badge.");
    return doc;
  }

  function isPresentation(doc) {
    const t = doc.type;
    return (Array.isArray(t) ? t : [t]).includes("VerifiablePresentation");
  }

  async function load(hash, base, fetchFn) {
    const p = params(hash);
    for (const kind of ["vp", "vc"]) {
      if (p.has(kind)) return { kind, doc: parseJson(await inflate(b64urlDecode(p.get(kind)))) };
    }
    if (p.has("r") && p.has("k")) {
      const id = p.get("r");
      if (!/^[A-Za-z0-9_-]{1,64}$/.test(id)) throw new ShareError("The link is damaged (relay id).");
      const key = b64urlDecode(p.get("k"));
      const resp = await fetchFn(base + "/relay/" + id, { cache: "no-store" });
      if (!resp.ok) {
        let message = "The shared badge could not be fetched (HTTP " + resp.status + ").";
        try { message = (await resp.json()).message || message; } catch (e) { /* keep the status text */ }
        throw new ShareError(message);
      }
      const doc = parseJson(await decrypt(new Uint8Array(await resp.arrayBuffer()), key));
      return { kind: isPresentation(doc) ? "vp" : "vc", doc };
    }
    throw new ShareError("This link carries no badge (nothing after “#”, or it was cut short).");
  }

  async function verify(kind, doc, base, fetchFn) {
    const vp = kind === "vp" || isPresentation(doc);
    const body = vp ? { verifiablePresentation: doc, options: {} } : { verifiableCredential: doc, options: {} };
    const resp = await fetchFn(base + (vp ? "/presentations/verify" : "/credentials/verify"), {
      method: "POST", headers: { "Content-Type": "application/json" }, body: JSON.stringify(body),
    });
    let answer;
    try { answer = await resp.json(); } catch (e) { throw new ShareError("The verifier answered oddly."); }
    if (!answer.verdict) throw new ShareError(answer.message || "The verifier could not check it.");
    return answer;
  }

  async function run(hash, base, fetchFn) {
    const { kind, doc } = await load(hash, base, fetchFn);
    return { kind, doc, result: await verify(kind, doc, base, fetchFn) };
  }

  return { ShareError, HEADLINE, b64urlDecode, params, inflate, decrypt, load, verify, run };
})();

if (typeof module !== "undefined") module.exports = SatchelShare;

if (typeof document !== "undefined") {
  const el = (tag, text, cls) => {
    const e = document.createElement(tag);
    if (text !== undefined) e.textContent = String(text);
    if (cls) e.className = cls;
    return e;
  };
  const name = (v) => (v && typeof v === "object" ? v.name || v.id : v) || "";
  const credentialCard = (cred, report) => {
    const card = el("div", undefined, "card");
    const subject = Array.isArray(cred.credentialSubject) ? cred.credentialSubject[0] : cred.credentialSubject;
    const achievement = subject && subject.achievement;
    card.append(el("h2", name(achievement) || cred.name || "A credential"));
    card.append(el("p", "Issued by " + (name(cred.issuer) || "an unnamed issuer")));
    if (achievement && achievement.description) card.append(el("p", achievement.description));
    if (report) card.append(el("p", SatchelShare.HEADLINE[report.verdict] +
      (report.problems.length ? " (" + report.problems.join(", ") + ")" : "")));
    return card;
  };
  const addChecks = (list, report, prefix) => {
    for (const c of report.checks || []) list.append(el("li", prefix + c.message, c.status));
    (report.credentials || []).forEach((sub, i) => addChecks(list, sub, "Credential " + (i + 1) + ": "));
  };
  const show = ({ kind, doc, result }) => {
    const h = document.getElementById("headline");
    h.textContent = SatchelShare.HEADLINE[result.verdict] || result.verdict;
    h.className = result.verdict;
    document.getElementById("summary").textContent = result.problems.length
      ? "Problems: " + result.problems.join(", ") + "."
      : (kind === "vp" ? "The presentation and every credential in it check out." : "The credential checks out.");
    const creds = kind === "vp" ? [].concat(doc.verifiableCredential || []) : [doc];
    const box = document.getElementById("credentials");
    creds.forEach((c, i) => {
      const report = kind === "vp" ? (result.credentials || [])[i] : null;
      if (c && typeof c === "object") box.append(credentialCard(c, report));
    });
    addChecks(document.getElementById("checks"), result, "");
    document.getElementById("details").hidden = false;
  };
  const fail = (err) => {
    const h = document.getElementById("headline");
    h.textContent = "Could not check";
    h.className = "unverifiable";
    document.getElementById("summary").textContent =
      err instanceof SatchelShare.ShareError ? err.message : "Something went wrong reading this link.";
  };
  document.addEventListener("DOMContentLoaded", () => {
    SatchelShare.run(location.hash, location.origin, fetch.bind(window)).then(show, fail);
  });
}
"""
