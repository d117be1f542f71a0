// The payload net's matcher: the guard's own live matcher when the caller has one, else one compiled here from the
// store (recompiled when store.json changes). When the store cannot be read the net catches everything, so every
// alert goes out cut down to ids and chain fields: fail closed.
import { stat } from 'node:fs/promises';
import { compileMatcher } from '../../core/matcher/index.js';
import type { Matcher } from '../../core/matcher/types.js';
import { toTargets } from '../../core/targets.js';
import { storePath } from '../../store/home.js';
import { readStoreFile } from '../../store/store-file.js';
import type { PayloadNet } from './alert.js';

const CATCH_ALL: PayloadNet = { hits: () => true };

export class StoreNet {
  private key = '';
  private net: PayloadNet = CATCH_ALL;

  constructor(
    private readonly home: string,
    private readonly provided?: () => Matcher | null,
  ) {}

  async current(): Promise<PayloadNet> {
    if (this.provided) {
      const m = this.provided();
      return m ? netOf(m) : CATCH_ALL;
    }
    const file = storePath(this.home);
    try {
      const st = await stat(file).catch(() => null);
      const key = st ? `${st.mtimeMs}:${st.size}:${st.ino}` : 'absent';
      if (key !== this.key) {
        const doc = await readStoreFile(file);
        this.net = netOf(compileMatcher(toTargets(doc?.canaries ?? [])));
        this.key = key;
      }
      return this.net;
    } catch {
      this.key = '';
      return CATCH_ALL;
    }
  }
}

function netOf(m: Matcher): PayloadNet {
  return { hits: (p) => m.targetCount > 0 && m.scan(typeof p === 'string' ? Buffer.from(p, 'utf8') : p).length > 0 };
}
