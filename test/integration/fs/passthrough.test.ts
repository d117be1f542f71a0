// Real work in a real grith mount: git, npm, tsc, editors' atomic saves, links, times, sizes, mmap, odd names.

import { mkdir, readFile, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { startMount, run, type Harness } from '../../support/fs/harness.js';

let h: Harness;
const ok = (r: { code: number | null; stdout: string; stderr: string }) => {
  expect(r.stderr + r.stdout).toBeDefined();
  if (r.code !== 0) throw new Error(`exit ${r.code}\n${r.stdout}\n${r.stderr}`);
  return r.stdout;
};

beforeAll(async () => {
  h = await startMount();
});
afterAll(async () => {
  await h?.close();
});

describe('passthrough', () => {
  test('files written in the mount land in SOURCE and back', async () => {
    ok(await h.sh('printf "hello\\n" > a.txt && mkdir -p d/e && printf x > d/e/f'));
    expect(await readFile(join(h.src, 'a.txt'), 'utf8')).toBe('hello\n');
    expect(await readFile(join(h.src, 'd/e/f'), 'utf8')).toBe('x');
    await writeFile(join(h.src, 'from-source.txt'), 'direct\n');
    expect(ok(await h.sh('cat from-source.txt; ls'))).toMatch(/direct\n[\s\S]*from-source.txt/);
  });

  test('git init, commit, status, branch, checkout, clone (local)', async () => {
    const out = ok(
      await h.sh(`set -e
        mkdir repo && cd repo && git init -q -b main
        printf 'one\\n' > file.txt && mkdir -p src && printf 'code\\n' > src/x.c
        git add -A && git commit -qm first
        test -z "$(git status --porcelain)"
        git checkout -qb feature && printf 'two\\n' >> file.txt && git commit -qam second
        git checkout -q main && cat file.txt
        git checkout -q feature && cat file.txt
        cd .. && git clone -q repo clone && cd clone && git log --oneline | wc -l && git status --porcelain | wc -l`),
    );
    expect(out.trim().split('\n')).toEqual(['one', 'one', 'two', '2', '0']);
    expect((await stat(join(h.src, 'repo/.git/HEAD'))).isFile()).toBe(true);
  });

  test('repositories read core.untrackedCache=true through the mount; it never reaches the config on disk', async () => {
    const out = ok(
      await h.sh(`set -e
        mkdir cfg && cd cfg && git init -q -b main
        git config core.untrackedCache
        git config --local test.key value && git config test.key
        printf x > a && git add a && git commit -qm one && git status --porcelain | wc -l`),
    );
    expect(out.trim().split('\n')).toEqual(['true', 'value', '0']);
    const real = await readFile(join(h.src, 'cfg/.git/config'), 'utf8');
    expect(real).toContain('key = value');
    expect(real).not.toMatch(/untrackedCache|grith/);
  });

  test("an editor's atomic save: write temp, fsync, rename over the original", async () => {
    ok(await h.sh('printf "old\\n" > doc.txt'));
    ok(
      await run(
        'python3',
        ['-c', `import os\nd=os.environ['D']\nfd=os.open(d+'/.doc.txt.swp', os.O_WRONLY|os.O_CREAT|os.O_EXCL, 0o644)\nos.write(fd, b'new content\\n')\nos.fsync(fd)\nos.close(fd)\nos.rename(d+'/.doc.txt.swp', d+'/doc.txt')\ndfd=os.open(d, os.O_RDONLY)\nos.fsync(dfd)\nos.close(dfd)`],
        { cwd: h.base, env: { ...process.env, D: h.mnt } },
      ),
    );
    expect(await readFile(join(h.src, 'doc.txt'), 'utf8')).toBe('new content\n');
    expect(ok(await h.sh('ls -a | grep -c swp || true')).trim()).toBe('0');
  });

  test('symlinks and hard links', async () => {
    const out = ok(
      await h.sh(`set -e
        printf 'target\\n' > t.txt
        ln -s t.txt sl && readlink sl && cat sl
        ln t.txt hl && stat -c %h hl && printf 'more\\n' >> hl && cat t.txt
        [ "$(stat -c %i t.txt)" = "$(stat -c %i hl)" ] && echo same-inode
        ln -s /nonexistent/x dangling && readlink dangling && test ! -e dangling && echo dangling-ok`),
    );
    expect(out.split('\n')).toEqual(['t.txt', 'target', '2', 'target', 'more', 'same-inode', '/nonexistent/x', 'dangling-ok', '']);
    expect((await stat(join(h.src, 'hl'))).nlink).toBe(2);
  });

  test('chmod and utimens (touch -m, -a, -d)', async () => {
    const out = ok(
      await h.sh(`set -e
        printf x > m.sh && chmod 750 m.sh && stat -c %a m.sh
        touch -d '2001-02-03 04:05:06' m.sh && stat -c '%X %Y' m.sh
        touch -m -d '2010-01-01 00:00:00' m.sh && stat -c '%X %Y' m.sh
        touch -a -d '2011-01-01 00:00:00' m.sh && stat -c '%X %Y' m.sh`),
    );
    const [mode, both, monly, aonly] = out.trim().split('\n');
    expect(mode).toBe('750');
    const t2001 = Date.UTC(2001, 1, 3, 4, 5, 6) / 1000;
    const t2010 = Date.UTC(2010, 0, 1) / 1000;
    const t2011 = Date.UTC(2011, 0, 1) / 1000;
    expect(both).toBe(`${t2001} ${t2001}`);
    expect(monly).toBe(`${t2001} ${t2010}`); // -m leaves atime alone
    expect(aonly).toBe(`${t2011} ${t2010}`); // -a leaves mtime alone
    const st = await stat(join(h.src, 'm.sh'));
    expect(st.mode & 0o777).toBe(0o750);
    expect(Math.round(st.mtimeMs / 1000)).toBe(t2010);
  });

  test('times are exact to the nanosecond, as on SOURCE (git compares them across the mount boundary)', async () => {
    await writeFile(join(h.src, 'ns.txt'), 'x');
    const py = `import os\nos.utime('${h.src}/ns.txt', ns=(1234567890123456789, 1600000000987654321))`;
    ok(await run('python3', ['-c', py], { cwd: h.base }));
    const direct = ok(await run('stat', ['-c', '%x|%y', join(h.src, 'ns.txt')], { cwd: h.base }));
    const through = ok(await h.sh('stat -c "%x|%y" ns.txt'));
    expect(through).toBe(direct);
    expect(through).toContain('.987654321');
  });

  test('truncate, O_APPEND, O_EXCL, fsync', async () => {
    const py = `import os, errno
p='${h.mnt}/t.bin'
fd=os.open(p, os.O_WRONLY|os.O_CREAT|os.O_EXCL, 0o644); os.write(fd, b'0123456789'); os.fsync(fd); os.close(fd)
try:
    os.open(p, os.O_WRONLY|os.O_CREAT|os.O_EXCL); print('excl-broken')
except OSError as e: print('excl', errno.errorcode[e.errno])
fd=os.open(p, os.O_WRONLY|os.O_APPEND); os.write(fd, b'AB'); os.lseek(fd, 0, 0); os.write(fd, b'CD'); os.fdatasync(fd); os.close(fd)
print(open(p,'rb').read().decode())
os.truncate(p, 4); print(open(p,'rb').read().decode())
fd=os.open(p, os.O_RDWR); os.ftruncate(fd, 6); os.close(fd); print(open(p,'rb').read())
`;
    const out = ok(await run('python3', ['-c', py], { cwd: h.base }));
    expect(out.split('\n')).toEqual(['excl EEXIST', '0123456789ABCD', '0123', "b'0123\\x00\\x00'", '']);
    expect(await readFile(join(h.src, 't.bin'))).toEqual(Buffer.from('0123\0\0'));
  });

  test('a 64 MiB file round-trips byte for byte', async () => {
    const r = ok(
      await h.sh(`set -e
        head -c 67108864 /dev/urandom > "$BASE/big.orig"
        cp "$BASE/big.orig" big.bin && sync big.bin
        cmp big.bin "$BASE/big.orig" && cmp "$SRC/big.bin" "$BASE/big.orig" && echo same`, { timeoutMs: 60_000 }),
    );
    expect(r.trim()).toBe('same');
  }, 90_000);

  test('writes through mmap reach SOURCE', async () => {
    const py = `import mmap, os
p='${h.mnt}/mm.bin'
with open(p, 'wb') as f: f.write(b'.' * 10000)
with open(p, 'r+b') as f:
    m = mmap.mmap(f.fileno(), 0)
    m[0:5] = b'HELLO'; m[8000:8005] = b'WORLD'; m.flush(); m.close()
print('done')`;
    ok(await run('python3', ['-c', py], { cwd: h.base }));
    const b = await readFile(join(h.src, 'mm.bin'));
    expect(b.subarray(0, 5).toString()).toBe('HELLO');
    expect(b.subarray(8000, 8005).toString()).toBe('WORLD');
    expect(b.length).toBe(10000);
  });

  test('deep trees and unicode names', async () => {
    const deep = Array.from({ length: 40 }, (_, i) => `level${i}`).join('/');
    const out = ok(
      await h.sh(`set -e
        mkdir -p ${deep} && printf deep > ${deep}/leaf.txt && cat ${deep}/leaf.txt && echo
        mkdir -p 'üñï/日本語 dir' && printf snow > 'üñï/日本語 dir/☃ file.txt' && cat 'üñï/日本語 dir/☃ file.txt' && echo
        ls 'üñï/日本語 dir'
        find level0 -type f | wc -l
        rm -rf level0 && test ! -e level0 && echo removed`),
    );
    expect(out.split('\n')).toEqual(['deep', 'snow', '☃ file.txt', '1', 'removed', '']);
    expect(await readFile(join(h.src, 'üñï/日本語 dir/☃ file.txt'), 'utf8')).toBe('snow');
  });

  test('npm install of a local package, then a TypeScript build', async () => {
    const pkg = join(h.base, 'pkg');
    await mkdir(pkg);
    await writeFile(join(pkg, 'package.json'), JSON.stringify({ name: 'grith-fixture-lib', version: '1.0.0', main: 'index.js' }));
    await writeFile(join(pkg, 'index.js'), 'exports.greet = (n) => `hello ${n}`;\n');
    const packed = ok(await run('npm', ['pack', '--silent'], { cwd: pkg, env: { ...process.env, HOME: join(h.base, 'home') } })).trim();
    const tsc = join(process.cwd(), 'node_modules/typescript/bin/tsc');
    const out = ok(
      await h.sh(
        `set -e
        mkdir app && cd app
        npm init -y >/dev/null
        npm install --offline --no-audit --no-fund "${join(pkg, packed)}" >/dev/null 2>&1
        test -f node_modules/grith-fixture-lib/index.js
        printf '{"compilerOptions":{"outDir":"out","module":"commonjs","target":"es2020","strict":true}}' > tsconfig.json
        mkdir -p src && printf 'const lib = require("grith-fixture-lib");\\nconst n: string = "mount";\\nconsole.log(lib.greet(n));\\n' > src/main.ts
        printf 'declare function require(m: string): any;\\n' > src/env.d.ts
        node "${tsc}" -p . && node out/main.js`,
        { timeoutMs: 60_000 },
      ),
    );
    expect(out.trim()).toBe('hello mount');
    expect((await stat(join(h.src, 'app/node_modules/grith-fixture-lib/package.json'))).isFile()).toBe(true);
  }, 90_000);

  test('ordinary work produces no event', async () => {
    expect(h.ctx.events).toEqual([]);
  });
});


