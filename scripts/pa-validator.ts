// npm run pa-validator -- --validator <dir> [--scale] — the Designers Italia validator
// (italia/pa-website-validator-ng, "modello Comuni") against the built site served as in production:
// Debian's nginx with deploy/nginx.conf terminating TLS (tests/support/nginx.ts, a self-signed
// certificate) in front of the server started with PUBLIC_URL=https://…. A script, not CI: the
// validator is heavy (Puppeteer, Lighthouse, a crawl) and is not a dependency of this project.
//
// The validator is prepared once, outside this repository, without letting it download a browser:
//   git clone https://github.com/italia/pa-website-validator-ng <dir> && cd <dir>   # or export a snapshot of it
//   PUPPETEER_SKIP_DOWNLOAD=1 npm install --ignore-scripts   # its "prepare" would fetch Chrome
//   npx tsc && npx copyfiles -u 1 "src/**/*.{ejs,json,scss,css,map}" dist/
// Its Puppeteer is pointed at the system Chromium (PUPPETEER_EXECUTABLE_PATH) through a wrapper
// that trusts the test certificate (--ignore-certificate-errors); its own HTTP requests (axios)
// trust it through NODE_EXTRA_CA_CERTS. The result goes to docs/pa-validator.md, the full report
// to lighthouse-reports/pa-validator/ (not committed).
import { spawn } from 'node:child_process';
import { chmodSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { freePorts, startNginx } from '../tests/support/nginx.ts';
import { CHROMIUM_PATH } from '../tests/browser/support.ts';
import { startMeasuredSite } from './measured-site.ts';

const arg = (name: string) => {
  const i = process.argv.indexOf(`--${name}`);
  return i === -1 ? undefined : process.argv[i + 1];
};
const validatorDir = path.resolve(arg('validator') ?? process.env.PA_VALIDATOR_DIR ?? '../pa-website-validator-ng');
if (!existsSync(path.join(validatorDir, 'dist', 'index.js'))) {
  console.error(
    `No built validator in ${validatorDir} (dist/index.js): see how to prepare it at the top of this file.`,
  );
  process.exit(2);
}

const [httpPort, httpsPort] = await freePorts(2);
const publicOrigin = `https://127.0.0.1:${httpsPort}`;
const site = await startMeasuredSite({ PUBLIC_URL: publicOrigin, TRUSTED_PROXIES: '127.0.0.1' });
const nginx = await startNginx({ http: httpPort!, https: httpsPort!, upstream: Number(new URL(site.origin).port) });
const work = mkdtempSync(path.join(tmpdir(), 'qubi-pa-validator-'));
const caFile = path.join(work, 'ca.pem');
writeFileSync(caFile, nginx.certificate);
const browser = path.join(work, 'chromium');
writeFileSync(browser, `#!/bin/sh\nexec ${CHROMIUM_PATH} --ignore-certificate-errors "$@"\n`);
chmodSync(browser, 0o755);
const reports = path.resolve('lighthouse-reports', 'pa-validator');
mkdirSync(reports, { recursive: true });

const started = Date.now();
const code = await new Promise<number | null>((resolve) => {
  const run = spawn(
    process.execPath,
    [
      '--max-old-space-size=4096',
      'dist',
      ...['--type', 'municipality', '--destination', reports, '--report', 'qubi'],
      ...['--website', `${publicOrigin}/it`, '--scope', 'local', '--view', 'false', '--accuracy', 'min'],
      ...['--timeout', '60000', '--concurrentPages', '2'],
    ],
    {
      cwd: validatorDir,
      env: { ...process.env, PUPPETEER_EXECUTABLE_PATH: browser, NODE_EXTRA_CA_CERTS: caFile },
      stdio: ['ignore', 'inherit', 'inherit'],
    },
  );
  run.on('exit', resolve);
});
await nginx.stop();
await site.stop();
rmSync(work, { recursive: true, force: true });

const reportFile = path.join(reports, 'qubi.json');
if (!existsSync(reportFile)) {
  console.error(`The validator exited with ${code} and wrote no report.`);
  process.exit(1);
}
interface AuditResult {
  id?: string;
  title?: string;
  specificScore?: number;
}
const report = JSON.parse(readFileSync(reportFile, 'utf8')) as { audits?: Record<string, AuditResult> };
// 0.5 is the validator's yellow: its report shows it as passed, with a tolerance.
const outcome = (score: number | undefined) =>
  score === 1
    ? 'pass'
    : score === 0.5
      ? 'pass with tolerance'
      : score === 0
        ? 'fail'
        : 'not assessed (informative, or error pages)';
const rows = Object.entries(report.audits ?? {}).map(
  ([id, a]) => `| \`${id}\` | ${(a.title ?? '').replace(/\|/g, '/')} | ${outcome(a.specificScore)} |`,
);
const passed = Object.values(report.audits ?? {}).filter((a) => a.specificScore === 1).length;
const version = (JSON.parse(readFileSync(path.join(validatorDir, 'package.json'), 'utf8')) as { version: string })
  .version;
// The run's part of docs/pa-validator.md is replaced; what people wrote around it (findings) stays.
const section = `<!-- run:start -->\nRun by \`npm run pa-validator\` on ${new Date().toISOString().slice(0, 10)}: pa-website-validator-ng ${version}, \`--type municipality --scope local --accuracy min\`, against \`${publicOrigin}/it\` (nginx with deploy/nginx.conf and a self-signed certificate in front of the built server, ${process.argv.includes('--scale') ? 'the city-scale data' : "the site's own sample data"}), Debian's Chromium; ${Math.round((Date.now() - started) / 1000)} s, exit code ${code}. ${passed} of ${rows.length} audits pass.\n\n| audit | title | result |\n|---|---|---|\n${rows.join('\n')}\n<!-- run:end -->`;
const docPath = 'docs/pa-validator.md';
const doc = existsSync(docPath)
  ? readFileSync(docPath, 'utf8')
  : '# Designers Italia validator (modello Comuni)\n\n<!-- run:start -->\n<!-- run:end -->\n';
writeFileSync(docPath, doc.replace(/<!-- run:start -->[\s\S]*<!-- run:end -->/, section));
console.log(`${passed} of ${rows.length} audits pass: docs/pa-validator.md`);
