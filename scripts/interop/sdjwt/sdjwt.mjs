// The OpenWallet Foundation SD-JWT packages (@sd-jwt/sd-jwt-vc, @sd-jwt/crypto-nodejs; versions
// pinned in package-lock.json) as an independent oracle for Satchel's SD-JWT VC reader.
//
//   node sdjwt.mjs issue   < {"nonce", "aud", "iat"}
//       -> {"issued", "presented", "issuerJwk", "holderJwk" (private)}: an ES256 SD-JWT VC issued
//          by a did:jwk issuer, and its SD-JWT+KB presentation for nonce/aud/iat
//   node sdjwt.mjs verify  < {"sdjwt", "issuerJwk", "nonce"}
//       -> {"ok": true, "payload", "kb"} | {"ok": false, "error"}: verified as their verifier does,
//          the key binding checked with the cnf key when a nonce is given
import { ES256, digest, generateSalt } from '@sd-jwt/crypto-nodejs';
import { SDJwtVcInstance } from '@sd-jwt/sd-jwt-vc';

const read = async () => {
  const chunks = [];
  for await (const chunk of process.stdin) chunks.push(chunk);
  return JSON.parse(Buffer.concat(chunks).toString('utf8'));
};

const publicOf = ({ kty, crv, x, y }) => ({ kty, crv, x, y });

const kbVerifier = async (data, sig, payload) => (await ES256.getVerifier(payload.cnf.jwk))(data, sig);

async function issue({ nonce, aud, iat }) {
  const issuerKeys = await ES256.generateKeyPair();
  const holderKeys = await ES256.generateKeyPair();
  const issuerJwk = publicOf(issuerKeys.publicKey);
  const did = 'did:jwk:' + Buffer.from(JSON.stringify(issuerJwk)).toString('base64url');
  const sdjwt = new SDJwtVcInstance({
    hasher: digest, saltGenerator: generateSalt, signAlg: ES256.alg,
    signer: await ES256.getSigner(issuerKeys.privateKey),
    kbSigner: await ES256.getSigner(holderKeys.privateKey), kbSignAlg: ES256.alg,
  });
  const claims = {
    iss: did, vct: 'https://credentials.example.edu/wound-care', iat: iat - 60,
    cnf: { jwk: publicOf(holderKeys.publicKey) },
    given_name: 'Ada', family_name: 'Lovelace',
    achievement: { name: 'Wound care basics', achievementType: 'Badge' },
    skills: ['wound cleaning', 'dressing'],
  };
  // Selectively disclosable: the names, the achievement (and its name, recursively), each skill.
  const frame = { _sd: ['given_name', 'family_name', 'achievement'], achievement: { _sd: ['name'] }, skills: { _sd: [0, 1] } };
  const issued = await sdjwt.issue(claims, frame, { header: { kid: `${did}#0` } });
  const presented = await sdjwt.present(issued, { achievement: { name: true }, skills: { 1: true } },
    { kb: { payload: { nonce, aud, iat } } });
  return { issued, presented, issuerJwk, holderJwk: holderKeys.privateKey };
}

async function verify({ sdjwt, issuerJwk, nonce }) {
  const verifier = new SDJwtVcInstance({
    hasher: digest, verifier: await ES256.getVerifier(issuerJwk), kbVerifier,
  });
  try {
    const result = await verifier.verify(sdjwt, nonce ? { keyBindingNonce: nonce } : {});
    return { ok: true, payload: result.payload, kb: result.kb ? result.kb.payload : null };
  } catch (error) {
    return { ok: false, error: String(error && error.message ? error.message : error) };
  }
}

const commands = { issue, verify };
const command = commands[process.argv[2]];
if (!command) {
  process.stderr.write('usage: node sdjwt.mjs issue|verify < input.json\n');
  process.exit(2);
}
process.stdout.write(JSON.stringify(await command(await read())) + '\n');
