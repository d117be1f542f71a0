// What the session adds to each model request, from the fake model's clock and the tool's: a turn asks the agent to
// run `date +%s%N`; the next request carries that time back. Per request, "response path" is from the model's last
// byte to the tool's clock (proxy relay of the answer, the agent, the tool's start under the exec guard) and
// "request path" from the tool's clock to the next request's arrival (the agent building it, the proxy's scan and
// relay). Medians through grith minus medians of the same script run directly.
import type { ModelReply, ModelRequest } from './script.js';

export function timedScript(n: number): ModelReply[] {
  return Array.from({ length: n }, () => ({ bash: 'date +%s%N' }));
}

interface Sample {
  gap: number;
  resp: number;
  req: number;
}

function samples(turns: ModelRequest[]): Sample[] {
  const out: Sample[] = [];
  for (let i = 1; i < turns.length; i++) {
    const prev = turns[i - 1]!;
    // The newest tool output's clock (Codex sends back every earlier output too).
    const stamp = turns[i]!.toolResults.join('\n').match(/\b\d{19}\b/g)?.at(-1);
    if (!stamp || prev.answeredAt === undefined) continue;
    const tool = Number(BigInt(stamp) / 1000n) / 1000; // ns → ms
    out.push({ gap: turns[i]!.receivedAt - prev.answeredAt, resp: tool - prev.answeredAt, req: turns[i]!.receivedAt - tool });
  }
  return out;
}

const median = (xs: number[]): number => {
  const s = [...xs].sort((a, b) => a - b);
  if (s.length === 0) return NaN;
  const m = s.length >> 1;
  return s.length % 2 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
};

export interface LatencyFigures {
  n: number;
  grith: Sample;
  direct: Sample;
  added: Sample;
}

export function latency(grithTurns: ModelRequest[], directTurns: ModelRequest[]): LatencyFigures {
  const g = samples(grithTurns);
  const d = samples(directTurns);
  const med = (xs: Sample[]): Sample => ({ gap: median(xs.map((x) => x.gap)), resp: median(xs.map((x) => x.resp)), req: median(xs.map((x) => x.req)) });
  const gm = med(g);
  const dm = med(d);
  return { n: Math.min(g.length, d.length), grith: gm, direct: dm, added: { gap: gm.gap - dm.gap, resp: gm.resp - dm.resp, req: gm.req - dm.req } };
}

export function latencyReport(agent: string, grithTurns: ModelRequest[], directTurns: ModelRequest[]): string {
  const f = latency(grithTurns, directTurns);
  const ms = (x: number): string => `${x.toFixed(1)} ms`;
  return (
    `[agents] ${agent}: latency per model request, median over ${f.n} model requests (tool clock → request → answer → tool clock):\n` +
    `  between answer and next request: direct ${ms(f.direct.gap)}, through grith ${ms(f.grith.gap)}, added ${ms(f.added.gap)}\n` +
    `  of which request path (agent → proxy → model): direct ${ms(f.direct.req)}, grith ${ms(f.grith.req)}, added ${ms(f.added.req)}\n` +
    `  and response path + tool start (model → proxy → agent → exec guard → tool): direct ${ms(f.direct.resp)}, grith ${ms(f.grith.resp)}, added ${ms(f.added.resp)}`
  );
}
