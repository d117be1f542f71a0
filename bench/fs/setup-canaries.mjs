// Registers N canaries (a mix of formats, a few with decoys) in $GRITH_HOME for the fs benchmark.
import { addCanary } from '../../dist/src/session/canary-ops.js';
import { FORMATS } from '../../dist/src/core/formats/index.js';

const home = process.env.GRITH_HOME;
const n = Number(process.argv[2] ?? 100);
if (!home) throw new Error('GRITH_HOME must be set');
for (let i = 0; i < n; i++) {
  const format = FORMATS[i % FORMATS.length].id;
  await addCanary(home, { format, label: `bench-${i}`, decoy: i < 5 ? [`decoys/${format}-${i}.txt`] : [] });
}
process.stdout.write(`${n} canaries registered\n`);
