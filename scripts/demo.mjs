#!/usr/bin/env node
// `npm run demo` (`npm run demo -- --quick` for a shorter look): the main job, end to end, on a
// fresh machine (after scripts/bootstrap.mjs). A small store, seeded:
//   1. bring up Postgres + Redis (infra/local/up.sh) and migrate; build the dashboard; use the
//      bootstrap admin key that up.sh created (.lathe/local/admin-key);
//   2. start the API, the serving gateway and the four workers as separate processes (logs in
//      .lathe/logs/);
//   3. three use cases, each a real pipeline (ingest → train → evaluate and gate → deploy) with
//      live progress from the `lathe` CLI, each deployed to its endpoint:
//        store-products      product photos (Fashion-MNIST, Debian's dataset-fashion-mnist), a CNN;
//        store-descriptions  Debian package descriptions labelled with their Section (real text
//                            this machine has; four sections stand in for product categories);
//        store-recommender   shopper–item interactions generated from known latent preferences
//                            (seeded; each shopper's latest 2 interactions held out), matrix factorisation;
//   4. recommender v2 (better settings) must pass the gate against v1 in production, and enters an
//      A/B test through the experiment's rollout policy;
//   5. simulated shoppers (`lathe simulate`, a simulation and labelled so) use the recommend
//      endpoint: a page of 10 items from their arm's model, clicks and purchases drawn from their
//      true preferences, outcomes with revenue. Policy durations are compressed (20 s per traffic
//      step, a look every 5 s) so the sequential test can reach a verdict within the demo; the
//      verdict is the statistics', not the script's;
//   6. print the decision, the true uplift next to the measured one, where `production` points,
//      and leave everything running with the URLs and the key. Ctrl-C stops the processes;
//      `npm run down` stops Postgres and Redis.
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, openSync, readFileSync, rmSync } from 'node:fs';
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

// `--fresh`: the store starts over. Only what the demo itself keeps goes: the registry's default
// schema (other schemas, e.g. the tests', stay), the queues under the default prefix, the local
// artifacts and the admin key (up.sh makes a new one).
if (process.argv.includes('--fresh')) {
  say(
    '--fresh: emptying the registry schema "public", the queues under the queue prefix and .lathe/artifacts',
  );
  const databaseUrl = env.DATABASE_URL.replace(/\?.*$/, '');
  const sql = 'DROP SCHEMA IF EXISTS public CASCADE; CREATE SCHEMA public;';
  if (spawnSync('psql', ['-q', databaseUrl, '-c', sql], { stdio: 'inherit', env }).status !== 0)
    fail('could not empty the registry schema (psql failed)');
  spawnSync(
    'bash',
    [
      '-c',
      'redis-cli -u "$REDIS_URL" --scan --pattern "${LATHE_QUEUE_PREFIX:-lathe}:*" | xargs -r redis-cli -u "$REDIS_URL" DEL >/dev/null',
    ],
    {
      stdio: 'inherit',
      env,
    },
  );
  rmSync(join(root, '.lathe', 'artifacts'), { recursive: true, force: true });
  rmSync(join(stateDir, 'admin-key'), { force: true });
  if (spawnSync('bash', [join(root, 'infra/local/up.sh')], { stdio: 'inherit', env }).status !== 0)
    fail('bring-up failed');
}

// 2. Dashboard (its browser test builds dist/ itself and passes --prebuilt-dashboard: a build
// here would empty dist/ under another test's browser)
if (process.argv.includes('--prebuilt-dashboard')) say('using the built dashboard');
else {
  say('building the dashboard');
  const build = spawnSync(pnpm, ['--filter', '@lathe/dashboard', 'run', 'build'], {
    stdio: ['ignore', 'ignore', 'inherit'],
    cwd: root,
    env,
  });
  if (build.status !== 0) fail('the dashboard build failed');
}

// 3. Admin key
const tsx = (script) => [process.execPath, ['--import', 'tsx', join(root, script)]];
// infra/local/up.sh created it (printed once) and kept it here.
const keyFile = join(stateDir, 'admin-key');
const apiKey = process.env.LATHE_API_KEY || (existsSync(keyFile) ? readFileSync(keyFile, 'utf8').trim() : '');
if (!apiKey) fail(`an admin key exists already but is not in ${keyFile}: set LATHE_API_KEY to an admin key`);

// 4. Processes
const logDir = process.env.LATHE_LOG_DIR ?? join(root, '.lathe', 'logs');
mkdirSync(logDir, { recursive: true });
const processEnv = {
  ...env,
  LATHE_API_PORT: String(port),
  LATHE_SERVE_PORT: String(servePort),
  LATHE_DASHBOARD_DIR: join(root, 'services/dashboard/dist'),
  LATHE_ARTIFACT_DIR: env.LATHE_ARTIFACT_DIR ?? join(root, '.lathe', 'artifacts'),
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

// 3–6. The store
const quick = process.argv.includes('--quick');
const started = Date.now();
const elapsedText = () => `${Math.round((Date.now() - started) / 1000)} s`;
// Asynchronous on purpose: a synchronous spawn would block this process's event loop for minutes,
// and its fetch pool would then reuse a keep-alive socket the API closed meanwhile.
const lathe = (args) =>
  new Promise((resolve) => {
    const child = spawn(process.execPath, [join(root, 'packages/cli/bin/lathe.mjs'), ...args], {
      stdio: 'inherit',
      env: { ...env, LATHE_API_URL: apiUrl, LATHE_SERVE_URL: serveUrl, LATHE_API_KEY: apiKey },
    });
    child.on('exit', (code) => resolve({ status: code ?? 1 }));
  });
const store = storeCatalogue(quick);

async function ensureExperiment(entry) {
  const datasets = await api('GET', '/datasets?limit=200');
  const dataset =
    datasets.items.find((d) => d.name === entry.dataset.name) ??
    (await api('POST', '/datasets', entry.dataset));
  const experiments = await api('GET', '/experiments?limit=200');
  return (
    experiments.items.find((e) => e.name === entry.experiment.name) ??
    (await api('POST', '/experiments', { ...entry.experiment, datasetId: dataset.id }))
  );
}

const failedRuns = [];
for (const [i, entry] of store.entries()) {
  const experiment = await ensureExperiment(entry);
  say(
    `step ${i + 1}/${store.length + 2}: ${entry.title} — pipeline of experiment ${experiment.name} (${elapsedText()})`,
  );
  if ((await lathe(['run', 'start', experiment.name, '--follow'])).status !== 0)
    failedRuns.push(experiment.name);
}
if (failedRuns.length > 0)
  say(`runs that did not succeed: ${failedRuns.join(', ')} (see above, the dashboard, and .lathe/logs/)`);

// A look at what each endpoint answers.
const gatewayHeaders = { 'content-type': 'application/json', authorization: `Bearer ${apiKey}` };
async function gatewayPost(endpoint, route, body) {
  const response = await fetch(`${serveUrl}/v1/endpoints/${endpoint}/${route}`, {
    method: 'POST',
    headers: gatewayHeaders,
    body: JSON.stringify(body),
  });
  const answer = await response.json().catch(() => ({}));
  if (!response.ok) throw new Error(`${response.status} ${answer.detail ?? ''}`);
  return answer;
}
await gatewayPost('store-descriptions', 'predict', {
  instances: [
    { text: 'a fast-paced puzzle game with colourful levels' },
    { text: 'documentation for the library API' },
  ],
})
  .then((a) =>
    say(`store-descriptions reads two product texts as: ${a.predictions.map((p) => p.label).join(', ')}`),
  )
  .catch((error) => say(`store-descriptions did not answer (${error.message}); see .lathe/logs/serve.log`));
await gatewayPost('store-recommender', 'recommend', { userId: 'u1', k: 5 })
  .then((a) =>
    say(`store-recommender's top 5 for shopper u1 (${a.basis}): ${a.items.map((x) => x.itemId).join(', ')}`),
  )
  .catch((error) => say(`store-recommender did not answer (${error.message}); see .lathe/logs/serve.log`));

// 4. Recommender v2 must earn production.
const recommender = store.find((e) => e.experiment.name === 'store-recommender');
let test;
if (!failedRuns.includes('store-recommender')) {
  say(
    `step ${store.length + 1}/${store.length + 2}: recommender v2 (${recommender.challenger.join(' ')}) must pass the gate against v1, then an A/B test on live traffic (${elapsedText()})`,
  );
  const v2 = await lathe([
    'run',
    'start',
    'store-recommender',
    ...recommender.challenger.flatMap((kv) => ['--set', kv]),
    '--follow',
  ]);
  test =
    v2.status === 0
      ? (await api('GET', '/ab-tests?endpoint=store-recommender&status=running')).items[0]
      : undefined;
  if (!test)
    say('no A/B test started (v2 did not pass the gate, or is production already): see the run above');
}

// 5. Simulated shoppers until the rollout monitor decides.
if (test) {
  say(
    `step ${store.length + 2}/${store.length + 2}: SIMULATED shoppers on ${serveUrl}/v1/endpoints/store-recommender/recommend until the rollout monitor decides (${elapsedText()})`,
  );
  await lathe([
    'simulate',
    'store-recommender',
    '--until-decided',
    '--duration',
    String(quick ? 120 : 300),
    '--concurrency',
    '8',
    '--seed',
    '7',
  ]);
  await lathe(['ab', 'report', test.id]);
  const report = await api('GET', `/ab-tests/${test.id}/report`).catch(() => null);
  const last = report?.history?.at(-1);
  if (report)
    say(`the A/B test is ${report.status}${last ? `: ${last.action} — ${last.reasons?.[0] ?? ''}` : ''}`);
  const aliases = await api('GET', '/models/store-recommender/aliases').catch(() => null);
  const production = aliases?.items?.find((a) => a.alias === 'production');
  if (production) say(`production of store-recommender points to version ${production.modelVersion.version}`);
} else if (!failedRuns.includes('store-recommender')) {
  const earlier = (await api('GET', '/ab-tests?endpoint=store-recommender&limit=1')).items[0];
  if (earlier) {
    say(
      `the store's earlier A/B test (${earlier.status}): \`npm run demo -- --fresh\` starts the store over`,
    );
    await lathe(['ab', 'report', earlier.id]);
  }
}

// 6. Leave it running
console.log('');
console.log(`Lathe is running (the demo took ${elapsedText()}).`);
console.log(`  Dashboard  ${apiUrl}/`);
console.log(`  API        ${apiUrl}    docs: ${apiUrl}/docs`);
for (const entry of store)
  console.log(
    `  Serving    ${serveUrl}/v1/endpoints/${entry.experiment.name}/${entry.route}   ${entry.example}`,
  );
console.log(`  Admin key  ${apiKey}   (also in ${keyFile}; export LATHE_API_KEY=… for the lathe CLI)`);
console.log(`  CLI        node packages/cli/bin/lathe.mjs --help   (e.g. lathe simulate store-recommender)`);
console.log(`  Logs       .lathe/logs/`);
console.log('Ctrl-C stops the API, the gateway and the workers; `npm run down` stops Postgres and Redis.');

/**
 * The store's three use cases. `quick` trades quality for time (fewer rows and epochs). The
 * rollout policy is compressed for a demo (a simulation): 20 s per traffic step, 300 shoppers
 * per arm before any decision, at most 10 minutes.
 */
function storeCatalogue(quick) {
  const interactions = {
    users: quick ? 2000 : 4000,
    items: quick ? 200 : 300,
    interactionsPerUser: 20,
    dimensions: 8,
    implicit: true,
    seed: 2026,
  };
  return [
    {
      title: 'product photos',
      route: 'predict',
      example: '(POST {"instances": [{"pixels": [784 values 0–255]}]})',
      dataset: {
        name: 'store-products',
        useCase: 'image',
        description:
          'product photos: Fashion-MNIST (Debian package dataset-fashion-mnist), 10 clothing categories',
      },
      experiment: {
        name: 'store-products',
        description: 'product photo → category: a small CNN',
        useCase: 'image',
        modelFamily: 'cnn',
        source: {
          source: { kind: 'sample', name: 'fashion-mnist', options: { part: 'train' } },
          limit: quick ? 1500 : 4000,
          split: { strategy: 'stratified', seed: 1 },
        },
        hyperparameters: {
          epochs: quick ? 1 : 3,
          batchSize: 32,
          learningRate: 0.005,
          depth: 1,
          width: 8,
          hiddenUnits: 32,
          batchNorm: false,
        },
        gate: [{ metric: 'accuracy', op: '>=', value: 0.6 }],
      },
    },
    {
      title: 'product descriptions',
      route: 'predict',
      example: '(POST {"instances": [{"text": "…"}]})',
      dataset: {
        name: 'store-descriptions',
        useCase: 'nlp',
        description:
          'Debian package descriptions labelled with their Section (apt-cache dumpavail): real labelled text standing in for product categories',
      },
      experiment: {
        name: 'store-descriptions',
        description: 'description → category (doc, games, libdevel, python): embedding bag',
        useCase: 'nlp',
        modelFamily: 'embedding-pool',
        source: {
          source: {
            kind: 'sample',
            name: 'debian-packages',
            options: { sections: ['doc', 'games', 'libdevel', 'python'] },
          },
          schema: { columns: [], labels: ['doc', 'games', 'libdevel', 'python'] },
          invalidRows: 'drop',
          limit: quick ? 2000 : 4000,
          split: { strategy: 'stratified', fractions: { train: 0.7, validation: 0.1, test: 0.2 }, seed: 3 },
        },
        hyperparameters: {
          epochs: quick ? 3 : 5,
          batchSize: 32,
          learningRate: 0.01,
          maxLength: 12,
          embeddingDim: 16,
          hiddenUnits: 16,
        },
        gate: [{ metric: 'accuracy', op: '>=', value: 0.6 }],
      },
    },
    {
      title: 'shopper recommendations',
      route: 'recommend',
      example: '(POST {"userId": "u1", "k": 10})',
      // v2: longer training and a wider factorisation than v1.
      challenger: ['epochs=8', 'embeddingDim=16'],
      dataset: {
        name: 'store-shoppers',
        useCase: 'recommendation',
        description:
          "shopper–item clicks generated from known latent preferences (seeded, documented); each shopper's latest 2 held out",
      },
      experiment: {
        name: 'store-recommender',
        description: 'what should this shopper see? matrix factorisation on implicit clicks',
        useCase: 'recommendation',
        modelFamily: 'mf',
        source: {
          source: { kind: 'sample', name: 'synthetic-interactions', options: interactions },
          split: { strategy: 'leave-last-n-out', n: 2 },
        },
        hyperparameters: {
          epochs: 1,
          batchSize: 256,
          learningRate: 0.02,
          embeddingDim: 2,
          negativeSamples: 4,
        },
        // A challenger must rank at least as well as production on the same held-out interactions.
        gate: [{ metric: 'ndcg@10', maxDecrease: 0 }],
        rolloutPolicy: {
          steps: [0.2, 0.5],
          metric: 'conversion',
          minimumDetectableEffect: 0.1,
          minExposuresPerArm: 300,
          minStepDurationMs: 20_000,
          maxDurationMs: 10 * 60_000,
          secondaryMetrics: [{ name: 'click', kind: 'proportion' }],
          guardrails: { slowRequests: false },
        },
      },
    },
  ];
}
