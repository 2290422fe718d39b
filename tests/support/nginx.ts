// Debian's nginx in front of a test server, run from deploy/nginx.conf (the README's example):
// only its ports and certificate paths are changed. TLS with a self-signed certificate made by
// openssl in a temporary folder, which also holds nginx's pid, logs and temporary files.
import { execFileSync, spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import net from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';

export interface RunningNginx {
  /** The certificate nginx presents: the client's only trusted CA. */
  certificate: string;
  output: () => string;
  stop(): Promise<void>;
}

/** Ports free on 127.0.0.1 right now (the kernel's choice), for nginx to listen on. */
export async function freePorts(count: number): Promise<number[]> {
  const servers = await Promise.all(
    Array.from(
      { length: count },
      () =>
        new Promise<net.Server>((resolve, reject) => {
          const s = net
            .createServer()
            .listen(0, '127.0.0.1', () => resolve(s))
            .on('error', reject);
        }),
    ),
  );
  const ports = servers.map((s) => (s.address() as net.AddressInfo).port);
  await Promise.all(servers.map((s) => new Promise((r) => s.close(r))));
  return ports;
}

/** deploy/nginx.conf with the test's ports and certificate; nothing else changes. */
export async function nginxSiteConfig(
  ports: { http: number; https: number; upstream: number },
  cert: { file: string; key: string },
): Promise<string> {
  const site = await readFile('deploy/nginx.conf', 'utf8');
  const replaced = site
    .replace('listen 80;', `listen 127.0.0.1:${ports.http};`)
    .replace('listen [::]:80;', `listen [::1]:${ports.http};`)
    .replace('listen 443 ssl;', `listen 127.0.0.1:${ports.https} ssl;`)
    .replace('listen [::]:443 ssl;', `listen [::1]:${ports.https} ssl;`)
    .replace('/etc/ssl/qubi/fullchain.pem', cert.file)
    .replace('/etc/ssl/qubi/privkey.pem', cert.key)
    .replace('http://127.0.0.1:4321', `http://127.0.0.1:${ports.upstream}`);
  // Every line this file means to change must have been found.
  for (const original of [
    'listen 80;',
    'listen [::]:80;',
    'listen 443 ssl;',
    'listen [::]:443 ssl;',
    '/etc/ssl/qubi/',
    ':4321',
  ]) {
    if (replaced.includes(original)) throw new Error(`deploy/nginx.conf: "${original}" was not replaced`);
  }
  if (replaced === site) throw new Error('deploy/nginx.conf changed shape');
  return replaced;
}

export async function startNginx(ports: { http: number; https: number; upstream: number }): Promise<RunningNginx> {
  const dir = await mkdtemp(path.join(tmpdir(), 'qubi-nginx-'));
  const cert = { file: path.join(dir, 'cert.pem'), key: path.join(dir, 'key.pem') };
  execFileSync(
    'openssl',
    [
      'req',
      '-x509',
      '-newkey',
      'ec',
      '-pkeyopt',
      'ec_paramgen_curve:prime256v1',
      '-nodes',
      '-days',
      '1',
      '-subj',
      '/CN=127.0.0.1',
      '-addext',
      'subjectAltName=IP:127.0.0.1,IP:::1',
      '-keyout',
      cert.key,
      '-out',
      cert.file,
    ],
    { stdio: 'ignore' },
  );
  await writeFile(path.join(dir, 'site.conf'), await nginxSiteConfig(ports, cert));
  const temp = (name: string) => path.join(dir, name);
  await writeFile(
    path.join(dir, 'nginx.conf'),
    [
      'daemon off;',
      // As root, workers would switch to nobody, who cannot write into this private folder.
      process.getuid?.() === 0 ? 'user root;' : '',
      'worker_processes 1;',
      `pid ${temp('nginx.pid')};`,
      `error_log ${temp('error.log')} warn;`,
      'events { worker_connections 256; }',
      'http {',
      '  access_log off;',
      ...['client_body', 'proxy', 'fastcgi', 'uwsgi', 'scgi'].map((kind) => `  ${kind}_temp_path ${temp(kind)};`),
      `  include ${temp('site.conf')};`,
      '}',
    ].join('\n'),
  );
  // /usr/sbin is not on every user's PATH.
  const child = spawn(
    existsSync('/usr/sbin/nginx') ? '/usr/sbin/nginx' : 'nginx',
    ['-p', dir, '-c', path.join(dir, 'nginx.conf'), '-e', temp('error.log')],
    { stdio: ['ignore', 'pipe', 'pipe'] },
  );
  let log = '';
  child.stdout!.on('data', (d) => (log += d));
  child.stderr!.on('data', (d) => (log += d));
  const exited = new Promise<void>((resolve) => child.on('exit', () => resolve()));
  const errorLog = () => readFile(temp('error.log'), 'utf8').catch(() => '');
  const deadline = Date.now() + 10000;
  while (!(await accepts(ports.https))) {
    if (child.exitCode !== null || Date.now() > deadline)
      throw new Error(`nginx did not start:\n${log}\n${await errorLog()}`);
    await new Promise((r) => setTimeout(r, 50));
  }
  return {
    certificate: await readFile(cert.file, 'utf8'),
    output: () => log,
    async stop() {
      if (child.exitCode === null) child.kill('SIGTERM');
      await exited;
      await rm(dir, { recursive: true, force: true });
    },
  };
}

function accepts(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = net.connect(port, '127.0.0.1');
    socket.once('connect', () => (socket.destroy(), resolve(true)));
    socket.once('error', () => resolve(false));
  });
}
