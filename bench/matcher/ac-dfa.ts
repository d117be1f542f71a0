// Bench baseline: a plain byte-level Aho-Corasick DFA (full transition table), streaming, counting matches.

export interface AcDfaInfo {
  states: number;
  /** Columns per state: 256, or the number of byte classes when a 256-wide table would not fit. */
  width: number;
  tableBytes: number;
}

export class AcDfa {
  readonly info: AcDfaInfo;
  private readonly table: Int32Array;
  /** Byte → column; identity when width is 256. */
  private readonly classOf: Uint8Array;
  /** Matches ending in a state (its own pattern plus those along its failure chain). */
  private readonly outCount: Int32Array;

  constructor(patterns: readonly Uint8Array[], maxTableBytes = 512 * 1024 * 1024) {
    let total = 1;
    for (const p of patterns) total += p.length;
    const used = new Uint8Array(256);
    for (const p of patterns) for (const b of p) used[b] = 1;
    let width = 256;
    this.classOf = new Uint8Array(256);
    if (total * 256 * 4 <= maxTableBytes) {
      for (let b = 0; b < 256; b++) this.classOf[b] = b;
    } else {
      // Bytes no pattern uses share column 0.
      width = 1;
      for (let b = 0; b < 256; b++) if (used[b]) this.classOf[b] = width++;
    }
    // Trie: state s lives at row s * width; 0 means "no edge" while building (no edge leads back to the root).
    const table = new Int32Array(total * width);
    const own = new Int32Array(total);
    let states = 1;
    for (const p of patterns) {
      let s = 0;
      for (const b of p) {
        const at = s * width + this.classOf[b];
        if (table[at] === 0) table[at] = states++;
        s = table[at];
      }
      own[s]++;
    }
    // Breadth-first failure links, filling missing edges with the failure state's transitions.
    const fail = new Int32Array(states);
    const queue = new Int32Array(states);
    const outCount = new Int32Array(states);
    let head = 0;
    let tail = 0;
    for (let a = 0; a < width; a++) {
      const child = table[a];
      if (child !== 0) {
        fail[child] = 0;
        queue[tail++] = child;
      }
    }
    while (head < tail) {
      const s = queue[head++];
      outCount[s] = own[s] + outCount[fail[s]];
      const row = s * width;
      const frow = fail[s] * width;
      for (let a = 0; a < width; a++) {
        const child = table[row + a];
        if (child !== 0) {
          fail[child] = table[frow + a];
          queue[tail++] = child;
        } else table[row + a] = table[frow + a];
      }
    }
    // Pre-multiply by width; a state with matches is stored as ~row so the scan loop tests one sign bit.
    for (let i = 0; i < states * width; i++) {
      const next = table[i];
      table[i] = outCount[next] > 0 ? ~(next * width) : next * width;
    }
    this.table = table.subarray(0, states * width);
    this.outCount = outCount;
    this.info = { states, width, tableBytes: states * width * 4 };
  }

  stream(): { write(chunk: Uint8Array): number } {
    let s = 0;
    const { table, classOf, outCount } = this;
    const width = this.info.width;
    const wide = width === 256;
    return {
      write(chunk: Uint8Array): number {
        let matches = 0;
        const n = chunk.length;
        if (wide) {
          for (let i = 0; i < n; i++) {
            let v = table[s + chunk[i]];
            if (v < 0) {
              v = ~v;
              matches += outCount[v / 256];
            }
            s = v;
          }
        } else {
          for (let i = 0; i < n; i++) {
            let v = table[s + classOf[chunk[i]]];
            if (v < 0) {
              v = ~v;
              matches += outCount[v / width];
            }
            s = v;
          }
        }
        return matches;
      },
    };
  }
}
