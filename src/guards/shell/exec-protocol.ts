// Wire format between the exec guard library (native/execguard) and the session: one request, one answer per connection.
//
// Request: u32 little-endian payload length, then NUL-terminated fields:
//   "GX1", kind (execve|posix_spawn|system|...), pid, ppid, path, argc, argv[0..argc-1]
// Answer: "A\n" (allow) or "D<one-line reason>\n" (deny; the library prints "grith: <reason>").
import { oneLine } from '../../core/display.js';

export const FRAME_MAGIC = 'GX1';
/** Largest request accepted: far above Linux's ARG_MAX; anything bigger is refused (fail closed). */
export const MAX_FRAME = 64 * 1024 * 1024;

export interface ExecRequest {
  kind: string;
  pid: number;
  ppid: number;
  path: string;
  argv: string[];
}

export type FrameResult =
  | { state: 'incomplete' }
  | { state: 'bad'; reason: string }
  | { state: 'ok'; request: ExecRequest; rest: Buffer };

/** Parse one frame from the start of buf. Never throws: a malformed frame is a value the server denies. */
export function parseFrame(buf: Buffer): FrameResult {
  if (buf.length < 4) return { state: 'incomplete' };
  const len = buf.readUInt32LE(0);
  if (len > MAX_FRAME) return { state: 'bad', reason: `request too large (${len} bytes)` };
  if (buf.length < 4 + len) return { state: 'incomplete' };
  const payload = buf.subarray(4, 4 + len);
  const fields: string[] = [];
  let start = 0;
  for (let i = 0; i < payload.length; i++) {
    if (payload[i] === 0) {
      fields.push(payload.toString('utf8', start, i));
      start = i + 1;
    }
  }
  if (start !== payload.length) return { state: 'bad', reason: 'unterminated field' };
  const [magic, kind, pid, ppid, path, argc, ...argv] = fields;
  if (magic !== FRAME_MAGIC) return { state: 'bad', reason: 'unknown protocol' };
  if (argc === undefined || Number(argc) !== argv.length) return { state: 'bad', reason: 'argument count mismatch' };
  return {
    state: 'ok',
    request: { kind: kind ?? '', pid: Number(pid) || 0, ppid: Number(ppid) || 0, path: path ?? '', argv },
    rest: buf.subarray(4 + len),
  };
}

/** Encode a request the way the C library does (tests and the `-c` pre-check use it). */
export function encodeFrame(req: ExecRequest): Buffer {
  const fields = [FRAME_MAGIC, req.kind, String(req.pid), String(req.ppid), req.path, String(req.argv.length), ...req.argv];
  const payload = Buffer.concat(fields.map((f) => Buffer.concat([Buffer.from(f, 'utf8'), Buffer.from([0])])));
  const hdr = Buffer.alloc(4);
  hdr.writeUInt32LE(payload.length, 0);
  return Buffer.concat([hdr, payload]);
}

/** Answers end at the first newline on the C side, and the library prints the reason: one clean line. */
export function encodeAnswer(allow: boolean, reason = ''): Buffer {
  return Buffer.from(allow ? 'A\n' : `D${oneLine(reason)}\n`, 'utf8');
}
