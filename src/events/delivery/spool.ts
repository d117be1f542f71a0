// Reading the event log as a spool: the events after a sink's cursor, in order, from the cursor's byte offset when
// that offset still points at the next line (else from the start), never past the last complete line.
import { open, type FileHandle } from 'node:fs/promises';
import { eventsPath } from '../../store/home.js';
import type { GrithEvent } from '../types.js';

export interface SpoolRead {
  /** Events with seq > after, in order, at most max. */
  events: { event: GrithEvent; end: number }[];
  /** seq of the last complete line in the log (0 when empty or absent). */
  head: number;
}

const MAX_READ = 4 * 1024 * 1024;

export async function readSpool(home: string, after: number, offsetHint: number, max: number): Promise<SpoolRead> {
  let fh;
  try {
    fh = await open(eventsPath(home), 'r');
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return { events: [], head: 0 };
    throw e;
  }
  try {
    const size = (await fh.stat()).size;
    // The hint is trusted only if the line just before it is the cursor's own line (a rewritten or replaced log
    // moves lines): then reading starts there instead of at the top.
    if (offsetHint > 0 && offsetHint <= size && (await lineBefore(fh, offsetHint))?.seq === after) {
      const read = await scanFrom(fh, offsetHint, size, after, max);
      return { ...read, head: Math.max(read.head, after) };
    }
    return await scanFrom(fh, 0, size, after, max);
  } finally {
    await fh.close();
  }
}

/** The event on the line that ends right before offset (whose newline is at offset - 1), or null. */
async function lineBefore(fh: FileHandle, offset: number): Promise<GrithEvent | null> {
  const len = Math.min(offset, 64 * 1024);
  const buf = Buffer.alloc(len);
  await fh.read(buf, 0, len, offset - len);
  if (buf[len - 1] !== 0x0a) return null;
  const start = buf.lastIndexOf(0x0a, len - 2) + 1;
  try {
    return JSON.parse(buf.subarray(start, len - 1).toString('utf8')) as GrithEvent;
  } catch {
    return null;
  }
}

async function scanFrom(fh: FileHandle, start: number, size: number, after: number, max: number): Promise<SpoolRead> {
  const out: SpoolRead = { events: [], head: 0 };
  let pos = start;
  let carry = Buffer.alloc(0);
  while (pos < size) {
    const len = Math.min(MAX_READ, size - pos);
    const buf = Buffer.alloc(len);
    const { bytesRead } = await fh.read(buf, 0, len, pos);
    if (bytesRead === 0) break;
    const chunk = carry.length ? Buffer.concat([carry, buf.subarray(0, bytesRead)]) : buf.subarray(0, bytesRead);
    const chunkStart = pos - carry.length;
    let lineStart = 0;
    for (let nl = chunk.indexOf(0x0a); nl >= 0; lineStart = nl + 1, nl = chunk.indexOf(0x0a, lineStart)) {
      let ev: GrithEvent;
      try {
        ev = JSON.parse(chunk.subarray(lineStart, nl).toString('utf8')) as GrithEvent;
      } catch {
        continue; // a damaged line is --verify's business; the spool skips what it cannot read
      }
      if (!Number.isInteger(ev.seq)) continue;
      out.head = ev.seq;
      if (ev.seq > after && out.events.length < max) out.events.push({ event: ev, end: chunkStart + nl + 1 });
    }
    carry = Buffer.from(chunk.subarray(lineStart));
    pos += bytesRead;
  }
  return out;
}
