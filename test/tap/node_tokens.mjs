// Reference values from Node's crypto for covara's token functions.
//   node test/tap/node_tokens.mjs vectors N   -> TSV: token(base64 of UTF-8), key(hex),
//                                               sha256 hex, base64, base64url, hmac hex,
//                                               fits LATIN1 (t/f)
//   node test/tap/node_tokens.mjs check-generated < tokens  -> checks base64url tokens
import crypto from 'node:crypto';
import fs from 'node:fs';

const mode = process.argv[2];

// Deterministic pseudo-random numbers, so a failure can be reproduced.
let seed = 20261123;
const rnd = (n) => { seed = (seed * 1103515245 + 12345) % 2147483648; return Math.floor((seed / 2147483648) * n); };

const pools = [
  [0x20, 0x7e],        // ASCII
  [0xa0, 0xff],        // Latin-1 supplement
  [0x100, 0x17f],      // Latin extended
  [0x3040, 0x30ff],    // kana
  [0x4e00, 0x9fff],    // CJK
  [0x1f300, 0x1faff],  // emoji (surrogate pairs in JS strings)
];

// Every third token uses only characters LATIN1 can hold.
function randomToken(n) {
  const len = rnd(5) === 0 ? rnd(300) : rnd(64);
  const npools = n % 3 === 0 ? 2 : pools.length;
  let s = '';
  for (let i = 0; i < len; i++) {
    const [lo, hi] = pools[rnd(npools)];
    s += String.fromCodePoint(lo + rnd(hi - lo + 1));
  }
  return s;
}

if (mode === 'vectors') {
  const n = Number(process.argv[3] || 1000);
  const fixed = ['', 'abc', 'é', '日本語', '🎉', 'a'.repeat(55), 'b'.repeat(56), 'c'.repeat(64), 'd'.repeat(119)];
  const out = [];
  for (let i = 0; i < n; i++) {
    const t = i < fixed.length ? fixed[i] : randomToken(i);
    const key = crypto.createHash('sha256').update(String(i)).digest().subarray(0, rnd(100) + 1);
    const h = crypto.createHash('sha256').update(t);
    const d = h.digest();
    out.push([
      Buffer.from(t, 'utf8').toString('base64'),
      key.toString('hex'),
      d.toString('hex'),
      d.toString('base64'),
      d.toString('base64url'),
      crypto.createHmac('sha256', key).update(t).digest('hex'),
      [...t].every((c) => c.codePointAt(0) <= 0xff) ? 't' : 'f',
    ].join('\t'));
  }
  process.stdout.write(out.join('\n') + '\n');
} else if (mode === 'check-generated') {
  // every line must be canonical unpadded base64url of the expected length
  const want = Number(process.argv[3] || 32);
  const lines = fs.readFileSync(0, 'utf8').split('\n').filter(Boolean);
  let bad = 0;
  for (const tok of lines) {
    const buf = Buffer.from(tok, 'base64url');
    if (buf.length !== want || buf.toString('base64url') !== tok) bad++;
  }
  console.log(`${lines.length} ${bad}`);
} else {
  console.error('usage: node_tokens.mjs vectors N | check-generated NBYTES');
  process.exit(2);
}
