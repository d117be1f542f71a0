// The body gate: encoded, multipart and git-pack bodies are scanned decoded, and what it releases never decodes to a canary.
import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { brotliCompressSync, constants, deflateRawSync, deflateSync, gzipSync, brotliDecompressSync, gunzipSync, inflateSync, inflateRawSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { BodyGate, HoldLimitError } from '../../../../src/guards/proxy/body-gate.js';
import { UnsupportedEncodingError } from '../../../../src/guards/proxy/body-decoders.js';
import { makeCanary, matcherFor, variantBytes } from '../../../support/canaries.js';

const canary = makeCanary({ id: 'c1' });
const matcher = matcherFor([canary, makeCanary({ id: 'c2' }), makeCanary({ id: 'c3' })]);
const filler = (n: number): Buffer => Buffer.from(Array.from({ length: n }, (_, i) => `line ${i} of ordinary text\n`).join(''));

async function run(gate: BodyGate, body: Buffer, step: number): Promise<{ hit: boolean; out: Buffer }> {
  const out: Buffer[] = [];
  for (let i = 0; i < body.length; i += step) {
    const r = await gate.push(body.subarray(i, i + step));
    if (r.hits.length > 0) return { hit: true, out: Buffer.concat(out) };
    out.push(r.release);
  }
  const r = await gate.end();
  if (r.hits.length > 0) return { hit: true, out: Buffer.concat(out) };
  out.push(r.release);
  return { hit: false, out: Buffer.concat(out) };
}

const partial = { finishFlush: constants.Z_SYNC_FLUSH };
const codecs = {
  gzip: { enc: (b: Buffer) => gzipSync(b), dec: (b: Buffer) => gunzipSync(b, partial) },
  deflate: { enc: (b: Buffer) => deflateSync(b), dec: (b: Buffer) => inflateSync(b, partial) },
  'deflate-raw': { enc: (b: Buffer) => deflateRawSync(b), dec: (b: Buffer) => inflateRawSync(b, partial) },
  br: {
    enc: (b: Buffer) => brotliCompressSync(b),
    dec: (b: Buffer) => brotliDecompressSync(b, { finishFlush: constants.BROTLI_OPERATION_FLUSH }),
  },
} as const;

function decodesTo(name: keyof typeof codecs, raw: Buffer): Buffer {
  if (raw.length === 0) return raw;
  try {
    return codecs[name].dec(raw);
  } catch {
    return Buffer.alloc(0);
  }
}

describe('BodyGate', () => {
  it('passes a clean identity body through unchanged', async () => {
    const body = filler(2000);
    const r = await run(new BodyGate(matcher), body, 1000);
    expect(r.hit).toBe(false);
    expect(r.out.equals(body)).toBe(true);
  });

  for (const name of Object.keys(codecs) as (keyof typeof codecs)[]) {
    it(`decodes ${name} and never releases bytes that decode to the canary`, async () => {
      const plain = Buffer.concat([filler(3000), Buffer.from(canary.value), filler(3000)]);
      const body = codecs[name].enc(plain);
      for (const step of [1, 97, 4096, body.length]) {
        const gate = new BodyGate(matcher, { contentEncoding: name === 'deflate-raw' ? 'deflate' : name });
        const r = await run(gate, body, step);
        expect(r.hit).toBe(true);
        expect(decodesTo(name, r.out).includes(Buffer.from(canary.value))).toBe(false);
      }
      const clean = codecs[name].enc(filler(5000));
      const ok = await run(new BodyGate(matcher, { contentEncoding: name === 'deflate-raw' ? 'deflate' : name }), clean, 333);
      expect(ok.hit).toBe(false);
      expect(ok.out.equals(clean)).toBe(true);
    });
  }

  it('decodes chained encodings (gzip then br)', async () => {
    const body = brotliCompressSync(gzipSync(Buffer.concat([filler(100), Buffer.from(canary.value)])));
    expect((await run(new BodyGate(matcher, { contentEncoding: 'gzip, br' }), body, 50)).hit).toBe(true);
  });

  it('refuses encodings it cannot decode, and corrupt compressed bodies', async () => {
    expect(() => new BodyGate(matcher, { contentEncoding: 'zstd' })).toThrow(UnsupportedEncodingError);
    const bad = Buffer.concat([gzipSync(filler(10)).subarray(0, 12), Buffer.from('not gzip at all')]);
    await expect(run(new BodyGate(matcher, { contentEncoding: 'gzip' }), bad, 5)).rejects.toThrow();
  });

  it('finds a base64 multipart part whose lines wrap through the canary', async () => {
    const b64 = Buffer.from(`secret=${canary.value}\n`).toString('base64');
    for (let shift = 0; shift < 8; shift++) {
      const wrapped = ('x'.repeat(shift) + b64).replace(/.{76}/g, '$&\r\n');
      const body = Buffer.from(
        `--b\r\nContent-Disposition: form-data; name="f"; filename="a"\r\nContent-Transfer-Encoding: base64\r\n\r\n${wrapped}\r\n--b--\r\n`,
      );
      const r = await run(new BodyGate(matcher, { contentType: 'multipart/form-data; boundary=b' }), body, 64);
      expect(r.hit).toBe(true);
    }
  });

  it('bounds what it holds back', async () => {
    const gate = new BodyGate(matcher, { contentType: 'application/x-git-receive-pack-request', maxHold: 1000 });
    // One large pack object: nothing of it can leave before it is inflated whole.
    const head = Buffer.from([0x50, 0x41, 0x43, 0x4b, 0, 0, 0, 2, 0, 0, 0, 1, 0xb0, 0xea, 0x30]);
    const body = Buffer.concat([Buffer.from('0000'), head, deflateSync(randomBytes(100000)).subarray(0, 5000)]);
    await expect(run(gate, body, 10)).rejects.toBeInstanceOf(HoldLimitError);
  });

  describe('git receive-pack', () => {
    const repo = mkdtempSync(path.join(tmpdir(), 'grith-pack-'));
    const git = (...a: string[]): string => execFileSync('git', ['-C', repo, ...a], { encoding: 'utf8' });
    git('init', '-q');
    git('config', 'user.email', 't@example.com');
    git('config', 'user.name', 't');
    writeFileSync(path.join(repo, 'big.txt'), filler(4000));
    git('add', '.');
    git('commit', '-qm', 'one');
    // A second version of the file: packed as a delta whose inserted literal carries the canary.
    writeFileSync(path.join(repo, 'big.txt'), filler(2000).toString() + `token = "${canary.value}"\n` + filler(4000).subarray(filler(2000).length).toString());
    git('commit', '-qam', 'two');

    function request(revs: string, thin = false): Buffer {
      const pack = execFileSync('git', ['-C', repo, 'pack-objects', '--stdout', '--revs', ...(thin ? ['--thin'] : [])], {
        input: revs,
      });
      const line = `${'0'.repeat(40)} ${'1'.repeat(40)} refs/heads/main\0 report-status side-band-64k\n`;
      const pkt = (line.length + 4).toString(16).padStart(4, '0') + line;
      return Buffer.concat([Buffer.from(pkt + '0000'), pack]);
    }

    it('finds a canary inside a deflated delta object of a pushed pack', async () => {
      const body = request('HEAD^..HEAD\n', true);
      expect(body.includes(Buffer.from(canary.value))).toBe(false); // only visible once inflated
      for (const step of [1, 100, body.length]) {
        const r = await run(new BodyGate(matcher, { contentType: 'application/x-git-receive-pack-request' }), body, step);
        expect(r.hit).toBe(true);
        expect(r.out.length).toBeLessThan(body.length);
      }
    });

    it('passes a clean pack whole and refuses a corrupt one', async () => {
      const body = request('HEAD^\n');
      const r = await run(new BodyGate(matcher, { contentType: 'application/x-git-receive-pack-request' }), body, 777);
      expect(r.hit).toBe(false);
      expect(r.out.equals(body)).toBe(true);
      const bad = Buffer.from(body);
      bad.fill(0x55, body.length - 200, body.length - 100);
      await expect(run(new BodyGate(matcher, { contentType: 'application/x-git-receive-pack-request' }), bad, 777)).rejects.toThrow();
    });
  });

  it('variants of the canary are caught in a plain body', async () => {
    for (const v of variantBytes(canary)) {
      expect((await run(new BodyGate(matcher), Buffer.concat([filler(10), v]), 3)).hit).toBe(true);
    }
  });
});
