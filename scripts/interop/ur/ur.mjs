// Satchel interop driver for Blockchain Commons URs: the reference TypeScript implementation
// (@ngraveio/bc-ur, pinned in package-lock.json) encodes and decodes, so that
// credentials/_formats/ur.py can be checked byte for byte against it. No network is used.
//
//   node ur.mjs encode TYPE MAX_FRAGMENT_LEN COUNT < message.cbor   -> one part per line (seqNum 1..COUNT)
//   node ur.mjs decode < parts.txt                                   -> {"type", "cbor_hex", "parts_used"}
//
// "encode" reads the CBOR item of the message from stdin as hex and prints COUNT parts.
// "decode" reads one part per line until the decoder says it is complete.

import fs from 'node:fs';
import { UR, UREncoder, URDecoder } from '@ngraveio/bc-ur';

const [command, ...args] = process.argv.slice(2);
const input = fs.readFileSync(0, 'utf8');

if (command === 'encode') {
  const [type, maxFragmentLength, count] = args;
  const ur = new UR(Buffer.from(input.trim(), 'hex'), type);
  const encoder = new UREncoder(ur, Number(maxFragmentLength), 0, 10);
  const parts = [];
  for (let i = 0; i < Number(count); i++) parts.push(encoder.nextPart());
  process.stdout.write(parts.join('\n') + '\n');
} else if (command === 'decode') {
  const decoder = new URDecoder();
  let used = 0;
  for (const line of input.split('\n').map((l) => l.trim()).filter(Boolean)) {
    decoder.receivePart(line);
    used += 1;
    if (decoder.isComplete()) break;
  }
  if (!decoder.isComplete() || !decoder.isSuccess()) {
    process.stdout.write(JSON.stringify({ error: decoder.isComplete() ? decoder.resultError() : 'incomplete', parts_used: used }) + '\n');
    process.exit(1);
  }
  const ur = decoder.resultUR();
  process.stdout.write(JSON.stringify({ type: ur.type, cbor_hex: ur.cbor.toString('hex'), parts_used: used }) + '\n');
} else {
  process.stderr.write('usage: node ur.mjs encode TYPE MAX_FRAGMENT_LEN COUNT | decode\n');
  process.exit(2);
}
