// What of a request head is scanned, and how a request is described in an event without the token in it.
//
// Scanned: the request line as sent and percent-decoded, every header line, and the destination host with its dots
// removed (a token cut into DNS labels: ghp_abc.def123.evil.example).
import type { Hit, Matcher } from '../../core/matcher/types.js';
import { maskSecrets } from '../../core/fingerprint.js';

export interface RequestHead {
  method: string;
  /** The request target exactly as the client sent it (origin-form, absolute-form or authority-form). */
  target: string;
  /** Flat [name, value, name, value, ...] as received. */
  rawHeaders: readonly string[];
  host: string;
  port: number;
}

/** Percent-decoding that never throws: bytes that are not %XX stay as they are. */
export function percentDecode(s: string): Buffer {
  const out = Buffer.alloc(Buffer.byteLength(s, 'latin1'));
  let n = 0;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c === 0x25 && i + 2 < s.length && /^[0-9a-fA-F]{2}$/.test(s.slice(i + 1, i + 3))) {
      out[n++] = parseInt(s.slice(i + 1, i + 3), 16);
      i += 2;
    } else if (c === 0x2b) out[n++] = 0x20;
    else out[n++] = c & 0xff;
  }
  return out.subarray(0, n);
}

/** The scanned bytes, and where in them the percent-decoded request target lies. */
export function headScanView(h: RequestHead): { bytes: Buffer; decoded: [number, number] } {
  const requestLine = Buffer.from(`${h.method} ${h.target} HTTP/1.1\n`, 'latin1');
  const target = percentDecode(h.target);
  const lines: string[] = [];
  for (let i = 0; i + 1 < h.rawHeaders.length; i += 2) {
    lines.push(`${h.rawHeaders[i]}: ${h.rawHeaders[i + 1]}`);
    // The Host header may name another host than the connection's: its labels are checked joined as well.
    if (h.rawHeaders[i].toLowerCase() === 'host') lines.push(h.rawHeaders[i + 1].replace(/\./g, ''));
  }
  lines.push(h.host.replace(/\./g, ''));
  const bytes = Buffer.concat([requestLine, target, Buffer.from('\n' + lines.join('\n') + '\n', 'latin1')]);
  return { bytes, decoded: [requestLine.length, requestLine.length + target.length] };
}

/** Hits in the head; a token found plain only once the target was percent-decoded was sent percent-encoded. */
export function scanHead(matcher: Matcher, h: RequestHead): Hit[] {
  const { bytes, decoded } = headScanView(h);
  return matcher.scan(bytes).map((hit) =>
    hit.variant === 'plain' && hit.start >= decoded[0] && hit.end <= decoded[1] ? { ...hit, variant: 'percent' } : hit,
  );
}

/** A string for an event: any matched range replaced, known secrets masked, bounded in length. */
export function maskForEvent(matcher: Matcher, secrets: readonly string[], text: string, max = 200): string {
  // Hits overlap (a token and its core): merge them into ranges, then replace from the end.
  const ranges: [number, number][] = [];
  for (const h of matcher.scan(Buffer.from(text, 'latin1')).sort((a, b) => a.start - b.start)) {
    const last = ranges.at(-1);
    if (last && h.start <= last[1]) last[1] = Math.max(last[1], h.end);
    else ranges.push([h.start, h.end]);
  }
  let out = text;
  for (const [s, e] of ranges.reverse()) out = out.slice(0, s) + '[masked]' + out.slice(e);
  out = maskSecrets(out, secrets);
  if (matcher.scan(percentDecode(out)).length > 0 || matcher.scan(out.replace(/\./g, '')).length > 0) out = '[masked]';
  return out.length > max ? out.slice(0, max) + '…' : out;
}
