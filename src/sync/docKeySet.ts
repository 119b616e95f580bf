/**
 * The documents a sync found unchanged, by doc_key, one bit each: deletion detection keeps these
 * without a write per document. A bit per doc_key up to the largest seen (the store's keys are dense
 * integers), so 1,000,000 documents take 125 KB whatever the folder.
 */
export class DocKeySet {
  private bits = new Uint8Array(1024);

  add(key: number): void {
    const byte = key >>> 3;
    if (byte >= this.bits.length) {
      const grown = new Uint8Array(Math.max(this.bits.length * 2, byte + 1));
      grown.set(this.bits);
      this.bits = grown;
    }
    this.bits[byte]! |= 1 << (key & 7);
  }

  has(key: number): boolean {
    const byte = key >>> 3;
    return byte < this.bits.length && (this.bits[byte]! & (1 << (key & 7))) !== 0;
  }
}
