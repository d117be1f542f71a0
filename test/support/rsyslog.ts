// A real rsyslogd for the tests: own config, work dir and pid file in a temp folder, a TCP (or TLS, ossl driver)
// input on a free local port, every message written raw to one file. Never touches the system's rsyslog.
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import net from 'node:net';
import path from 'node:path';

export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = net.createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const port = (s.address() as net.AddressInfo).port;
      s.close(() => resolve(port));
    });
  });
}

export interface RsyslogOptions {
  /** PEM files for a TLS input (ossl driver, anonymous client auth). */
  tls?: { cert: string; key: string };
}

export class Rsyslog {
  private child: ChildProcess | null = null;
  readonly out: string;
  private constructor(
    readonly dir: string,
    readonly port: number,
    private readonly conf: string,
  ) {
    this.out = path.join(dir, 'received.log');
  }

  static async create(dir: string, o: RsyslogOptions = {}): Promise<Rsyslog> {
    const port = await freePort();
    await mkdir(path.join(dir, 'work'), { recursive: true });
    const tlsGlobal = o.tls
      ? `global(DefaultNetstreamDriver="ossl" DefaultNetstreamDriverCAFile="${o.tls.cert}" DefaultNetstreamDriverCertFile="${o.tls.cert}" DefaultNetstreamDriverKeyFile="${o.tls.key}")\n`
      : '';
    const tcpModule = o.tls
      ? 'module(load="imtcp" StreamDriver.Name="ossl" StreamDriver.Mode="1" StreamDriver.AuthMode="anon")'
      : 'module(load="imtcp")';
    const conf = path.join(dir, 'rsyslog.conf');
    await writeFile(
      conf,
      `global(workDirectory="${path.join(dir, 'work')}" maxMessageSize="64k")
${tlsGlobal}${tcpModule}
template(name="grithRaw" type="string" string="%rawmsg%\\n")
ruleset(name="grith") {
  action(type="omfile" file="${path.join(dir, 'received.log')}" template="grithRaw" flushOnTXEnd="on" asyncWriting="off")
}
input(type="imtcp" port="${port}" address="127.0.0.1" ruleset="grith")
`,
    );
    return new Rsyslog(dir, port, conf);
  }

  /** Start rsyslogd in the foreground (-n) and wait until its port takes connections. */
  async start(): Promise<void> {
    const child = spawn('rsyslogd', ['-n', '-f', this.conf, '-i', path.join(this.dir, 'rsyslogd.pid')], { stdio: ['ignore', 'ignore', 'pipe'] });
    let err = '';
    child.stderr!.on('data', (d) => (err += d));
    this.child = child;
    const until = Date.now() + 10_000;
    while (Date.now() < until) {
      if (child.exitCode !== null) throw new Error(`rsyslogd exited: ${err}`);
      const up = await new Promise<boolean>((r) => {
        const s = net.connect(this.port, '127.0.0.1', () => {
          s.destroy();
          r(true);
        });
        s.on('error', () => r(false));
      });
      if (up) return;
      await new Promise((r) => setTimeout(r, 50));
    }
    throw new Error(`rsyslogd did not listen on ${this.port}: ${err}`);
  }

  /** SIGTERM and wait for the process to end (it flushes what it took). */
  async stop(): Promise<void> {
    const child = this.child;
    if (!child || child.exitCode !== null) return;
    await new Promise<void>((resolve) => {
      child.once('exit', () => resolve());
      child.kill('SIGTERM');
      setTimeout(() => child.kill('SIGKILL'), 10_000).unref();
    });
    this.child = null;
  }

  async received(): Promise<string> {
    return readFile(this.out, 'utf8').catch(() => '');
  }
}
