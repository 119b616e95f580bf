import * as nodeCrypto from 'node:crypto';
import { createHmac } from 'node:crypto';

const BLOCK = 64; // SHA-256's block size in bytes
const MAX_INLINE_MESSAGE = 4096;

// crypto.hash (one-shot, Node >= 20.12): no Hash object per call. Its string outputs are cheaper than
// its Buffer output, hence 'binary' (Latin-1) for the inner digest, written straight into the outer block.
const oneShot = typeof nodeCrypto.hash === 'function' ? nodeCrypto.hash : undefined;
// Where Latin-1 and UTF-8 bytes agree; a SigV4 string to sign is always ASCII.
const ASCII = /^[\x00-\x7f]*$/;

/**
 * HMAC-SHA256 (RFC 2104) under one fixed key, for the last step of SigV4 verification, which runs on
 * every request. The key's pads are laid out once, and a message costs two one-shot hashes over
 * reused buffers instead of a `createHmac` object (half the time). A string to sign has the same
 * length on every request of a scope, so the inner buffer is kept at that length. Other messages
 * (non-ASCII, long) take `createHmac`.
 */
export class HmacKey {
  private readonly innerPad = Buffer.alloc(BLOCK, 0x36);
  private inner: Buffer = Buffer.alloc(0);
  // Outer pad followed by the 32-byte inner digest.
  private readonly outer = Buffer.alloc(BLOCK + 32, 0x5c);

  constructor(private readonly key: Uint8Array) {
    if (key.length > BLOCK) throw new Error('HmacKey: keys longer than a block are hashed first; SigV4 keys are 32 bytes');
    for (let i = 0; i < key.length; i++) {
      this.innerPad[i]! ^= key[i]!;
      this.outer[i]! ^= key[i]!;
    }
  }

  /** The HMAC of `message`'s UTF-8 bytes, in lowercase hex. */
  hex(message: string): string {
    if (!oneShot || message.length > MAX_INLINE_MESSAGE || !ASCII.test(message)) return createHmac('sha256', this.key).update(message).digest('hex');
    if (this.inner.length !== BLOCK + message.length) {
      this.inner = Buffer.allocUnsafe(BLOCK + message.length);
      this.innerPad.copy(this.inner);
    }
    this.inner.write(message, BLOCK, 'latin1');
    this.outer.write(oneShot('sha256', this.inner, 'binary'), BLOCK, 'latin1');
    return oneShot('sha256', this.outer, 'hex');
  }
}

/** Compares two strings in time that depends on their length only (for signatures). */
export function constantTimeEqual(a: string, b: string): boolean {
  if (a.length !== b.length) return false;
  let diff = 0;
  for (let i = 0; i < a.length; i++) diff |= a.charCodeAt(i) ^ b.charCodeAt(i);
  return diff === 0;
}
