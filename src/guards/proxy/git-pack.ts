// Scans what `git push` sends over smart HTTP: the pack's zlib-deflated objects, inflated one by one.
//
// Body of a receive-pack request: pkt-lines (commands, then optional push options) ending in flush-pkts, then
// "PACK", version, object count, the entries (type/size varint header, an OFS/REF delta base, a zlib stream),
// then a trailer checksum. Deltas are scanned as inflated and as the concatenation of their inserted literals, so a
// canary git splits across two insert instructions is still whole. Anything malformed is an error: fail closed.
import { inflateSync } from 'node:zlib';
import type { Hit, Matcher } from '../../core/matcher/types.js';

export class PackParseError extends Error {}

type State = 'pkt' | 'pack-header' | 'entry-header' | 'entry-data' | 'trailer' | 'done';

const OFS_DELTA = 6;
const REF_DELTA = 7;

export class GitPackScanner {
  private buf: Buffer = Buffer.alloc(0);
  /** Absolute offset (in the body) of buf[0]. */
  private base = 0;
  private state: State = 'pkt';
  private remaining = 0;
  private objSize = 0;
  private objType = 0;
  private lastTry = 0;
  private hashLen = 20;

  constructor(private readonly matcher: Matcher) {}

  /** Body bytes before this offset are fully parsed and their objects scanned. */
  safe(): number {
    return this.base;
  }

  write(chunk: Buffer): Hit[] {
    this.buf = this.buf.length === 0 ? chunk : Buffer.concat([this.buf, chunk]);
    return this.parse(false);
  }

  end(): Hit[] {
    const hits = this.parse(true);
    if (this.state !== 'done' && this.state !== 'pkt' && !(this.state === 'trailer' && this.buf.length === 0))
      throw new PackParseError(`git pack ends early (${this.state})`);
    if (this.state === 'pkt' && this.buf.length > 0) throw new PackParseError('git request ends inside a pkt-line');
    return hits;
  }

  private consume(n: number): void {
    this.buf = this.buf.subarray(n);
    this.base += n;
  }

  private parse(final: boolean): Hit[] {
    const hits: Hit[] = [];
    for (;;) {
      const b = this.buf;
      switch (this.state) {
        case 'pkt': {
          if (b.length >= 4 && b.toString('latin1', 0, 4) === 'PACK') {
            this.state = 'pack-header';
            continue;
          }
          if (b.length < 4) return hits;
          const len = parseInt(b.toString('latin1', 0, 4), 16);
          if (!/^[0-9a-f]{4}$/i.test(b.toString('latin1', 0, 4))) throw new PackParseError('bad pkt-line length');
          if (len === 0 || len === 1 || len === 2) {
            this.consume(4);
            continue;
          }
          if (len < 4) throw new PackParseError('bad pkt-line length');
          if (b.length < len) return hits;
          if (/object-format=sha256/.test(b.toString('latin1', 4, len))) this.hashLen = 32;
          this.consume(len);
          continue;
        }
        case 'pack-header': {
          if (b.length < 12) return hits;
          const version = b.readUInt32BE(4);
          if (version !== 2 && version !== 3) throw new PackParseError(`unsupported pack version ${version}`);
          this.remaining = b.readUInt32BE(8);
          this.consume(12);
          this.state = this.remaining > 0 ? 'entry-header' : 'trailer';
          continue;
        }
        case 'entry-header': {
          let i = 0;
          if (b.length < 1) return hits;
          let c = b[i++];
          this.objType = (c >> 4) & 7;
          let size = c & 0x0f;
          let shift = 4;
          while (c & 0x80) {
            if (i >= b.length) return hits;
            c = b[i++];
            size += (c & 0x7f) * 2 ** shift;
            shift += 7;
            if (shift > 53) throw new PackParseError('pack entry size overflows');
          }
          if (this.objType === 0 || this.objType === 5) throw new PackParseError(`bad pack object type ${this.objType}`);
          if (this.objType === OFS_DELTA) {
            do {
              if (i >= b.length) return hits;
              c = b[i++];
            } while (c & 0x80);
          } else if (this.objType === REF_DELTA) {
            if (b.length < i + this.hashLen) return hits;
            i += this.hashLen;
          }
          this.objSize = size;
          this.lastTry = 0;
          this.consume(i);
          this.state = 'entry-data';
          continue;
        }
        case 'entry-data': {
          // Inflating is retried only as the buffer grows geometrically, so a large object costs O(size) overall.
          if (!final && b.length < Math.max(1, Math.ceil(this.lastTry * 1.5))) return hits;
          let inflated: Buffer;
          let used: number;
          try {
            const r = inflateSync(b, { info: true, maxOutputLength: Math.max(1, this.objSize) }) as unknown as {
              buffer: Buffer;
              engine: { bytesWritten: number };
            };
            inflated = r.buffer;
            used = r.engine.bytesWritten;
          } catch (e) {
            const code = (e as NodeJS.ErrnoException).code;
            if (code === 'Z_BUF_ERROR' && !final) {
              this.lastTry = b.length;
              return hits;
            }
            throw new PackParseError(`pack object does not inflate (${code ?? (e as Error).message})`);
          }
          if (inflated.length !== this.objSize) throw new PackParseError('pack object size does not match its header');
          hits.push(...this.matcher.scan(inflated));
          if (this.objType === OFS_DELTA || this.objType === REF_DELTA) hits.push(...this.matcher.scan(deltaLiterals(inflated)));
          this.consume(used);
          this.remaining--;
          this.state = this.remaining > 0 ? 'entry-header' : 'trailer';
          continue;
        }
        case 'trailer': {
          if (b.length < this.hashLen) return hits;
          this.consume(this.hashLen);
          this.state = 'done';
          continue;
        }
        case 'done': {
          if (b.length > 0) throw new PackParseError('data after the pack trailer');
          return hits;
        }
      }
    }
  }
}

function varint(d: Buffer, i: number): number {
  let shift = 0;
  let c: number;
  do {
    if (i >= d.length) throw new PackParseError('delta header truncated');
    c = d[i++];
    shift += 7;
  } while (c & 0x80);
  return i;
}

/** The bytes a delta inserts, back to back (copy instructions refer to the base and contribute nothing here). */
export function deltaLiterals(d: Buffer): Buffer {
  let i = varint(d, varint(d, 0));
  const parts: Buffer[] = [];
  while (i < d.length) {
    const op = d[i++];
    if (op & 0x80) {
      for (let bit = 0; bit < 7; bit++) if (op & (1 << bit)) i++;
    } else if (op > 0) {
      parts.push(d.subarray(i, i + op));
      i += op;
    } else throw new PackParseError('delta opcode 0');
  }
  return Buffer.concat(parts);
}
