// Entry of the shell host process (started detached by `grith shell -c`): node dist/src/session/shell/host/main.js HOME DIR SOCK LIB.
import { runShellHost } from './host.js';

const [home, dir, sock, execLib] = process.argv.slice(2);
if (!home || !dir || !sock || !execLib) {
  process.stderr.write('usage: main.js HOME DIR SOCK EXEC_LIB\n');
  process.exit(2);
}
process.on('uncaughtException', (e) => {
  process.stderr.write(`grith shell host: ${e instanceof Error ? (e.stack ?? e.message) : String(e)}\n`);
  process.exit(1);
});
await runShellHost({ home, dir, sock, execLib, idleMs: Number(process.env.GRITH_SHELL_HOST_IDLE_MS) || undefined });
