/**
 * Random (version 4) UUIDs for the hot paths, made cheaper than node:crypto's randomUUID: that one
 * concatenates twenty pieces per id (a string for each, then a flattened copy); here the 36 characters
 * are written into bytes and read out as one string, or written straight into an answer's bytes.
 * Both take their randomness the way randomUUID does: 16 bytes at a time from a buffer that
 * crypto.randomFillSync refills once used up.
 */
import { randomFillSync } from 'node:crypto';

export const UUID_LENGTH = 36;

const RANDOM = Buffer.allocUnsafeSlow(16 * 256);
let randomAt = RANDOM.length;
const HEX = Buffer.from('0123456789abcdef', 'latin1');
const TEXT = Buffer.allocUnsafeSlow(UUID_LENGTH);

/** A random version 4 UUID (RFC 9562: 122 random bits), lower-case, written at `at` in `out`; returns the position after it. */
export function writeUuid(out: Buffer, at: number): number {
  if (randomAt === RANDOM.length) {
    randomFillSync(RANDOM);
    randomAt = 0;
  }
  const r = randomAt;
  randomAt += 16;
  // xxxxxxxx-xxxx-4xxx-yxxx-xxxxxxxxxxxx: each byte's two hex digits from HEX_PAIRS, the dashes between.
  at = hexPairs(out, at, r, r + 4);
  out[at++] = 0x2d; // '-'
  at = hexPairs(out, at, r + 4, r + 6);
  out[at++] = 0x2d;
  at = hexPair(out, at, (RANDOM[r + 6]! & 0x0f) | 0x40); // version 4
  at = hexPair(out, at, RANDOM[r + 7]!);
  out[at++] = 0x2d;
  at = hexPair(out, at, (RANDOM[r + 8]! & 0x3f) | 0x80); // variant 10
  at = hexPair(out, at, RANDOM[r + 9]!);
  out[at++] = 0x2d;
  return hexPairs(out, at, r + 10, r + 16);
}

/** Each byte's two hex digits: HEX_PAIRS[2b], HEX_PAIRS[2b + 1]. */
const HEX_PAIRS = new Uint8Array(512);
for (let b = 0; b < 256; b++) {
  HEX_PAIRS[2 * b] = HEX[b >> 4]!;
  HEX_PAIRS[2 * b + 1] = HEX[b & 15]!;
}

function hexPair(out: Buffer, at: number, b: number): number {
  out[at] = HEX_PAIRS[2 * b]!;
  out[at + 1] = HEX_PAIRS[2 * b + 1]!;
  return at + 2;
}

/** RANDOM[from, to) as hex digits at `at`. */
function hexPairs(out: Buffer, at: number, from: number, to: number): number {
  for (let i = from; i < to; i++) at = hexPair(out, at, RANDOM[i]!);
  return at;
}

/** A random version 4 UUID as a string, as crypto.randomUUID() gives one. */
export function uuid(): string {
  writeUuid(TEXT, 0);
  return TEXT.toString('latin1', 0, UUID_LENGTH);
}
