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
  for (let i = 0; i < 16; i++) {
    let b = RANDOM[randomAt + i]!;
    if (i === 6) b = (b & 0x0f) | 0x40; // version 4
    else if (i === 8) b = (b & 0x3f) | 0x80; // variant 10
    if (i === 4 || i === 6 || i === 8 || i === 10) out[at++] = 0x2d; // '-'
    out[at++] = HEX[b >> 4]!;
    out[at++] = HEX[b & 15]!;
  }
  randomAt += 16;
  return at;
}

/** A random version 4 UUID as a string, as crypto.randomUUID() gives one. */
export function uuid(): string {
  writeUuid(TEXT, 0);
  return TEXT.toString('latin1', 0, UUID_LENGTH);
}
