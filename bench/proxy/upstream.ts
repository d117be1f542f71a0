// Bench upstream (its own process): HTTPS on 127.0.0.1, tiny answers to GET, counts and acknowledges POST bodies.
// Usage (forked by run.ts): node dist/bench/proxy/upstream.js CERT_PEM_FILE KEY_PEM_FILE
import { readFileSync } from 'node:fs';
import https from 'node:https';
import type { AddressInfo } from 'node:net';

const [certFile, keyFile] = process.argv.slice(2);
const server = https.createServer({ cert: readFileSync(certFile), key: readFileSync(keyFile), keepAlive: true }, (req, res) => {
  let n = 0;
  req.on('data', (d: Buffer) => (n += d.length));
  req.on('end', () => {
    const body = req.method === 'POST' ? String(n) : 'ok';
    res.writeHead(200, { 'content-type': 'text/plain', 'content-length': Buffer.byteLength(body) });
    res.end(body);
  });
});
server.keepAliveTimeout = 60_000;
server.listen(0, '127.0.0.1', () => process.send?.({ port: (server.address() as AddressInfo).port }));
process.on('disconnect', () => process.exit(0));
