// A zip reader for the Office Open XML formats, written around zip bombs: it reads the central
// directory itself, refuses entries whose declared sizes are implausible before inflating, and
// while inflating (in small slices, so one slice cannot blow up) counts what really comes out, so
// lying headers are caught too. Entries are streamed to the caller, never held whole.
import { Inflate } from 'fflate';
import { ExtractError, type Guard } from './text.js';

interface Entry {
  name: string;
  flags: number;
  method: number;
  compressedSize: number;
  size: number;
  localOffset: number;
}

/** Entries smaller than this are not held to the ratio: a few KB of repeated XML compress that well. */
const RATIO_EXEMPT_BYTES = 1024 * 1024;
/** Compressed input per inflate step; deflate expands at most ~1032×, so one step yields ≤ 16 MB. */
const SLICE = 16 * 1024;

export class ZipArchive {
  private readonly view: DataView;
  private readonly entries = new Map<string, Entry>();
  private inflatedTotal = 0;

  constructor(
    private readonly bytes: Uint8Array,
    private readonly maxRatio: number,
    /** Budget for everything inflated from this archive. */
    private readonly maxInflatedBytes: number,
    private readonly guard: Guard,
  ) {
    this.view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
    this.readCentralDirectory();
  }

  /** Entry names are case-insensitive in OOXML packages. */
  has(name: string): boolean {
    return this.entries.has(name.toLowerCase());
  }

  /** Streams an entry's content as text to `onText`; false if there is no such entry. */
  readText(name: string, onText: (s: string) => void): boolean {
    let decoder: InstanceType<typeof TextDecoder> | undefined;
    const found = this.read(name, (chunk) => {
      if (!decoder) {
        // XML parts may be UTF-16 with a BOM; otherwise they are UTF-8 (the decoder drops its BOM).
        const utf16 = chunk.length >= 2 && ((chunk[0] === 0xff && chunk[1] === 0xfe) || (chunk[0] === 0xfe && chunk[1] === 0xff));
        decoder = new TextDecoder(utf16 ? (chunk[0] === 0xff ? 'utf-16le' : 'utf-16be') : 'utf-8');
      }
      const s = decoder.decode(chunk, { stream: true });
      if (s) onText(s);
    });
    const rest = decoder?.decode();
    if (rest) onText(rest);
    return found;
  }

  /** Streams an entry's bytes to `onChunk`; false if there is no such entry. */
  read(name: string, onChunk: (chunk: Uint8Array) => void): boolean {
    const e = this.entries.get(name.toLowerCase());
    if (!e) return false;
    if (e.flags & 1) throw new Error(`zip entry ${e.name} is encrypted`);
    if (e.method !== 0 && e.method !== 8) throw new Error(`zip entry ${e.name} uses unsupported compression method ${e.method}`);
    if (e.size > RATIO_EXEMPT_BYTES && e.size > this.maxRatio * e.compressedSize) {
      throw new ExtractError(
        `zip bomb: ${e.name} declares ${e.size} bytes from ${e.compressedSize} compressed, ` +
          `a ratio over the maxDecompressionRatio of ${this.maxRatio}`,
      );
    }
    this.charge(e, e.size);

    const data = this.entryData(e);
    if (e.method === 0) {
      if (e.size !== e.compressedSize) throw new Error(`stored zip entry ${e.name} has inconsistent sizes`);
      for (let off = 0; off < data.length; off += SLICE) {
        this.guard.check();
        onChunk(data.subarray(off, Math.min(off + SLICE, data.length)));
      }
      return true;
    }

    let produced = 0;
    const inflate = new Inflate((chunk) => {
      produced += chunk.length;
      if (produced > e.size) {
        throw new ExtractError(`zip bomb: ${e.name} inflates beyond its declared ${e.size} bytes`);
      }
      onChunk(chunk);
    });
    if (data.length === 0) throw new Error(`zip entry ${e.name} has no data`);
    for (let off = 0; off < data.length; off += SLICE) {
      this.guard.check();
      const end = Math.min(off + SLICE, data.length);
      inflate.push(data.subarray(off, end), end === data.length);
    }
    if (produced !== e.size) throw new Error(`zip entry ${e.name} is truncated (${produced} of ${e.size} bytes)`);
    return true;
  }

  private charge(e: Entry, size: number): void {
    this.inflatedTotal += size;
    if (this.inflatedTotal > this.maxInflatedBytes) {
      throw new ExtractError(
        `zip bomb: inflating ${e.name} passes ${this.maxInflatedBytes} bytes, ` +
          `the maxDecompressionRatio of ${this.maxRatio} times the archive's size`,
      );
    }
  }

  private entryData(e: Entry): Uint8Array {
    const p = e.localOffset;
    if (p + 30 > this.bytes.length || this.view.getUint32(p, true) !== 0x04034b50) {
      throw new Error(`zip entry ${e.name} has no local header (truncated archive?)`);
    }
    const start = p + 30 + this.view.getUint16(p + 26, true) + this.view.getUint16(p + 28, true);
    const end = start + e.compressedSize;
    if (end > this.bytes.length) throw new Error(`zip entry ${e.name} runs past the end of the archive (truncated?)`);
    return this.bytes.subarray(start, end);
  }

  private readCentralDirectory(): void {
    const v = this.view;
    const len = this.bytes.length;
    let eocd = -1;
    for (let p = len - 22; p >= Math.max(0, len - 22 - 0xffff); p--) {
      if (v.getUint32(p, true) === 0x06054b50) {
        eocd = p;
        break;
      }
    }
    if (eocd < 0) {
      throw new Error(len >= 4 && v.getUint32(0, true) === 0x04034b50 ? 'truncated zip archive (no central directory)' : 'not a zip archive');
    }
    let count = v.getUint16(eocd + 10, true);
    let offset = v.getUint32(eocd + 16, true);
    if (count === 0xffff || offset === 0xffffffff) {
      const loc = eocd - 20;
      if (loc < 0 || v.getUint32(loc, true) !== 0x07064b50) throw new Error('zip64 archive without its locator');
      const rec = Number(v.getBigUint64(loc + 8, true));
      if (rec + 56 > len || v.getUint32(rec, true) !== 0x06064b50) throw new Error('zip64 end of central directory not found');
      count = Number(v.getBigUint64(rec + 32, true));
      offset = Number(v.getBigUint64(rec + 48, true));
    }
    const names = new TextDecoder('utf-8');
    let p = offset;
    for (let i = 0; i < count; i++) {
      if (p + 46 > len || v.getUint32(p, true) !== 0x02014b50) throw new Error('corrupt zip central directory');
      const nameLen = v.getUint16(p + 28, true);
      const extraLen = v.getUint16(p + 30, true);
      const commentLen = v.getUint16(p + 32, true);
      if (p + 46 + nameLen + extraLen > len) throw new Error('corrupt zip central directory');
      const e: Entry = {
        name: names.decode(this.bytes.subarray(p + 46, p + 46 + nameLen)),
        flags: v.getUint16(p + 8, true),
        method: v.getUint16(p + 10, true),
        compressedSize: v.getUint32(p + 20, true),
        size: v.getUint32(p + 24, true),
        localOffset: v.getUint32(p + 42, true),
      };
      this.readZip64Extra(e, p + 46 + nameLen, extraLen);
      this.entries.set(e.name.toLowerCase(), e);
      p += 46 + nameLen + extraLen + commentLen;
    }
  }

  /** Sizes and offsets too big for 32 bits live in the zip64 extra field, in this order. */
  private readZip64Extra(e: Entry, start: number, length: number): void {
    if (e.size !== 0xffffffff && e.compressedSize !== 0xffffffff && e.localOffset !== 0xffffffff) return;
    const v = this.view;
    for (let p = start; p + 4 <= start + length; ) {
      const id = v.getUint16(p, true);
      const size = v.getUint16(p + 2, true);
      if (id === 0x0001) {
        let q = p + 4;
        const next = (): number => {
          if (q + 8 > p + 4 + size) throw new Error('corrupt zip64 extra field');
          const n = Number(v.getBigUint64(q, true));
          q += 8;
          return n;
        };
        if (e.size === 0xffffffff) e.size = next();
        if (e.compressedSize === 0xffffffff) e.compressedSize = next();
        if (e.localOffset === 0xffffffff) e.localOffset = next();
        return;
      }
      p += 4 + size;
    }
    throw new Error(`zip entry ${e.name} lacks its zip64 sizes`);
  }
}
