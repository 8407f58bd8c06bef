/**
 * The serving gateway against a bare Express + tfjs handler with the same model, in the same
 * run, on this machine: requests per second and p50/p99 latency at concurrency 1, 16 and 64,
 * for an image CNN (predict, one image per request) and a recommender (top-10 per request).
 * Both servers run as child processes; the load comes from this process over keep-alive HTTP.
 * Goals: at concurrency 64, ≥ 1.5× the bare handler's req/s and p99 ≤ 1.2× its p99; at
 * concurrency 1, at most 1 ms added to the median. Each line also shows the CPU time the server
 * process used per request (from /proc, Linux): on a shared machine req/s mostly follows the
 * share of the CPUs each server got, while CPU per request is its own cost.
 *
 * Usage: pnpm exec tsx bench/serve.ts [seconds-per-level=4] [--levels=1,16,64] [--only=cnn|recommender] [--sweep] [--profile=dir]
 *   --sweep also runs the gateway at concurrency 64 with several micro-batching settings (the
 *   measurement behind the defaults in services/serve/src/config.ts).
 *   --profile=dir writes each gateway process's V8 CPU profile (.cpuprofile) into dir.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { Agent, request } from 'node:http';
import { readFileSync } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { LocalArtifactStore } from '../packages/artifacts/src/index.ts';
import { train } from '../packages/ml/src/index.ts';
import { syntheticImages, syntheticInteractions } from '../packages/ml/src/testing/synthetic.ts';
import { registerModelVersion, replaceDirectDeployment } from '../packages/registry/src/index.ts';
import { createTestDatabase, freePort, REPO_ROOT, servicesEnv } from '../test/harness/index.ts';

const secondsPerLevel = Number(process.argv.find((a) => /^\d+(\.\d+)?$/.test(a)) ?? 4);
const sweep = process.argv.includes('--sweep');
const option = (name: string) => process.argv.find((a) => a.startsWith(`--${name}=`))?.split('=')[1];
const LEVELS = (option('levels') ?? '1,16,64').split(',').map(Number);
/** `--only=cnn` or `--only=recommender`: one workload. */
const only = option('only');
const profileDir = option('profile');
const IMAGE = 28;

const db = await createTestDatabase('bench_serve');
const dir = await mkdtemp(join(tmpdir(), 'lathe-bench-serve-'));
const store = new LocalArtifactStore(join(dir, 'store'));
const children: ChildProcess[] = [];

async function register(
  name: string,
  useCase: 'image' | 'recommendation',
  family: string,
  buffer: Buffer,
  signature: unknown,
) {
  const stored = await store.put(buffer);
  const { modelVersion } = await registerModelVersion(db.registry, {
    modelName: name,
    useCase,
    modelFamily: family,
    artifactUri: stored.uri,
    sha256: stored.sha256,
    sizeBytes: stored.sizeBytes,
    signature: signature as never,
  });
  await replaceDirectDeployment(db.registry, { endpoint: name, modelVersionId: modelVersion.id });
  const file = join(dir, `${name}.bundle`);
  await writeFile(file, buffer);
  return file;
}

const images = syntheticImages(300, 1, IMAGE);
const cnn = await train({
  family: 'cnn',
  hyperparameters: { epochs: 1 },
  seed: 1,
  dataset: { useCase: 'image', imageShape: { width: IMAGE, height: IMAGE, channels: 1 } },
  trainRows: async function* () {
    yield* images;
  },
});
const cnnFile = await register('digits', 'image', 'cnn', cnn.buffer, cnn.bundle.signature);
const interactions = syntheticInteractions({ users: 1000, items: 500, clusters: 8, perUser: 20, seed: 2 });
const mf = await train({
  family: 'mf',
  hyperparameters: { epochs: 2, embeddingDim: 16 },
  seed: 1,
  dataset: { useCase: 'recommendation' },
  trainRows: async function* () {
    yield* interactions.train;
  },
});
const mfFile = await register('shop', 'recommendation', 'mf', mf.buffer, mf.bundle.signature);

async function startChild(
  args: string[],
  env: Record<string, string>,
  ready: (url: string) => Promise<boolean>,
) {
  const port = await freePort();
  const profile =
    profileDir && args[0] === 'services/serve/src/main.ts'
      ? ['--cpu-prof', `--cpu-prof-dir=${profileDir}`]
      : [];
  const child = spawn(
    process.execPath,
    [...profile, '--import', 'tsx', ...args.map((a) => a.replace('$PORT', String(port)))],
    {
      cwd: REPO_ROOT,
      env: { ...process.env, ...env, LATHE_SERVE_PORT: String(port) },
      stdio: ['ignore', 'ignore', 'inherit'],
    },
  );
  children.push(child);
  const url = `http://127.0.0.1:${port}`;
  for (let i = 0; i < 600; i++) {
    if (child.exitCode !== null) throw new Error(`${args[0]} exited (${child.exitCode})`);
    if (await ready(url).catch(() => false)) return { url, child };
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  throw new Error(`${args[0]} did not come up`);
}
const stopChild = async (child: ChildProcess) => {
  if (child.exitCode !== null) return;
  const exited = new Promise((resolve) => child.once('exit', resolve));
  child.kill('SIGTERM');
  await exited;
};

interface Workload {
  name: string;
  bundle: string;
  barePath: string;
  gatewayPath: string;
  body: (i: number) => unknown;
}
const workloads: Workload[] = [
  {
    name: 'cnn predict (1 image)',
    bundle: cnnFile,
    barePath: '/predict',
    gatewayPath: '/v1/endpoints/digits/predict',
    body: (i) => ({ instances: [{ pixels: Array.from(images[i % images.length]!.pixels) }] }),
  },
  {
    name: 'recommender top-10',
    bundle: mfFile,
    barePath: '/recommend',
    gatewayPath: '/v1/endpoints/shop/recommend',
    body: (i) => ({ userId: `u${(i * 7919) % 1000}`, k: 10 }),
  },
];

interface Result {
  rps: number;
  /** CPU time the server process used per answered request (ms; null where /proc is missing). */
  cpuPerRequest: number | null;
  p50: number;
  p99: number;
  failed: number;
}

/** A keep-alive client of one server: `concurrency` senders, each sending its next request when the last is answered. */
/**
 * CPU milliseconds a process has used (user + system, all its threads), from /proc; null where
 * there is none. On a shared machine this moves far less than req/s: it is the server's own
 * cost per request, whatever share of the CPUs the scheduler gave it.
 */
function cpuMs(pid: number | undefined): number | null {
  if (pid === undefined) return null;
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    // utime and stime are fields 14 and 15 of stat(5); fields[0] here is field 3.
    return ((Number(fields[11]) + Number(fields[12])) * 1000) / CLOCK_TICKS;
  } catch {
    return null;
  }
}
/** Linux's USER_HZ (`getconf CLK_TCK`), the unit of /proc's CPU times. */
const CLOCK_TICKS = 100;

function client(url: string, body: (i: number) => unknown, concurrency: number, pid?: number) {
  const agent = new Agent({ keepAlive: true, maxSockets: concurrency });
  const bodies = Array.from({ length: 512 }, (_, i) => Buffer.from(JSON.stringify(body(i))));
  let next = 0;
  const send = () =>
    new Promise<number>((resolve) => {
      const payload = bodies[next++ % bodies.length]!;
      const req = request(
        url,
        {
          method: 'POST',
          agent,
          headers: { 'content-type': 'application/json', 'content-length': payload.length },
        },
        (res) => {
          res.resume();
          res.on('end', () => resolve(res.statusCode ?? 0));
        },
      );
      req.on('error', () => resolve(0));
      req.end(payload);
    });
  const latencies: number[] = [];
  let failed = 0;
  let wallMs = 0;
  let usedCpuMs: number | null = 0;
  return {
    async warm() {
      await Promise.all(
        Array.from({ length: concurrency }, async () => {
          for (let k = 0; k < 5; k++) await send();
        }),
      );
    },
    async slice(ms: number) {
      const cpuBefore = cpuMs(pid);
      const started = performance.now();
      const end = started + ms;
      await Promise.all(
        Array.from({ length: concurrency }, async () => {
          while (performance.now() < end) {
            const t = performance.now();
            const status = await send();
            latencies.push(performance.now() - t);
            if (status !== 200) failed++;
          }
        }),
      );
      wallMs += performance.now() - started;
      const cpuAfter = cpuMs(pid);
      usedCpuMs =
        usedCpuMs === null || cpuBefore === null || cpuAfter === null
          ? null
          : usedCpuMs + cpuAfter - cpuBefore;
    },
    result(): Result {
      agent.destroy();
      const sorted = [...latencies].sort((a, b) => a - b);
      const at = (q: number) => sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))]!;
      return {
        rps: sorted.length / (wallMs / 1000),
        cpuPerRequest: usedCpuMs === null ? null : usedCpuMs / sorted.length,
        p50: at(0.5),
        p99: at(0.99),
        failed,
      };
    },
  };
}

/**
 * Both servers at one concurrency, in alternating slices (bare, gateway, bare, …): on a machine
 * whose other load comes and goes, each side sees the same conditions.
 */
async function compare(
  bareUrl: string,
  gatewayUrl: string,
  body: (i: number) => unknown,
  concurrency: number,
  seconds: number,
  pids: { bare?: number; gateway?: number },
) {
  const bare = client(bareUrl, body, concurrency, pids.bare);
  const gateway = client(gatewayUrl, body, concurrency, pids.gateway);
  await bare.warm();
  await gateway.warm();
  const slices = 6;
  for (let k = 0; k < slices; k++) {
    await bare.slice((seconds * 1000) / slices);
    await gateway.slice((seconds * 1000) / slices);
  }
  return { bare: bare.result(), gateway: gateway.result() };
}

async function load(url: string, body: (i: number) => unknown, concurrency: number, seconds: number) {
  const one = client(url, body, concurrency);
  await one.warm();
  await one.slice(seconds * 1000);
  return one.result();
}

const env = servicesEnv();
const gatewayEnv = (extra: Record<string, string> = {}) => ({
  DATABASE_URL: db.schemaUrl,
  REDIS_URL: env?.redisUrl ?? 'redis://127.0.0.1:6379',
  LATHE_SERVE_AUTH: 'none',
  LATHE_SERVE_ROUTING_PUSH: 'off',
  LATHE_ARTIFACT_DIR: join(dir, 'store'),
  LATHE_LOG_LEVEL: 'fatal',
  ...extra,
});
const up = (url: string) => fetch(`${url}/healthz`).then((r) => r.ok);
const fmt = (r: Result) =>
  `${r.rps.toFixed(0).padStart(6)} req/s  cpu ${r.cpuPerRequest === null ? '-' : r.cpuPerRequest.toFixed(3)} ms/req  p50 ${r.p50.toFixed(2).padStart(6)} ms  p99 ${r.p99.toFixed(2).padStart(6)} ms${r.failed ? `  ${r.failed} failed` : ''}`;

console.log(
  `bench/serve.ts: ${secondsPerLevel} s per level, concurrency ${LEVELS.join('/')}; other processes on this machine share its CPUs`,
);
try {
  for (const workload of workloads.filter((w) => !only || w.name.startsWith(only))) {
    const bare = await startChild(
      ['bench/support/bare-serve.ts', workload.bundle, '$PORT'],
      {},
      async (url) => (await fetch(`${url}/nothing`).catch(() => null)) !== null,
    );
    const gateway = await startChild(['services/serve/src/main.ts'], gatewayEnv(), up);
    console.log(`\n${workload.name}`);
    for (const concurrency of LEVELS) {
      const { bare: b, gateway: g } = await compare(
        `${bare.url}${workload.barePath}`,
        `${gateway.url}${workload.gatewayPath}`,
        workload.body,
        concurrency,
        secondsPerLevel,
        { bare: bare.child.pid, gateway: gateway.child.pid },
      );
      console.log(`  c=${String(concurrency).padEnd(3)} bare    ${fmt(b)}`);
      console.log(`  c=${String(concurrency).padEnd(3)} gateway ${fmt(g)}`);
      console.log(
        `  c=${String(concurrency).padEnd(3)} ratio   req/s ${(g.rps / b.rps).toFixed(2)}×  p99 ${(g.p99 / b.p99).toFixed(2)}×  p50 added ${(g.p50 - b.p50).toFixed(2)} ms` +
          (g.cpuPerRequest !== null && b.cpuPerRequest !== null
            ? `  cpu/req ${(g.cpuPerRequest / b.cpuPerRequest).toFixed(2)}×`
            : ''),
      );
    }
    await stopChild(bare.child);
    await stopChild(gateway.child);
  }
  if (sweep) {
    console.log('\nmicro-batching settings at concurrency 64 (gateway only; maxBatchSize/maxWaitMs)');
    for (const workload of workloads) {
      for (const [size, wait] of [
        [1, 0],
        [16, 0],
        [64, 0],
        [64, 1],
        [64, 2],
        [256, 1],
      ] as const) {
        const gateway = await startChild(
          ['services/serve/src/main.ts'],
          gatewayEnv({
            LATHE_SERVE_BATCH_MAX_SIZE: String(size),
            LATHE_SERVE_BATCH_MAX_WAIT_MS: String(wait),
          }),
          up,
        );
        const g = await load(`${gateway.url}${workload.gatewayPath}`, workload.body, 64, secondsPerLevel);
        const c1 = await load(`${gateway.url}${workload.gatewayPath}`, workload.body, 1, secondsPerLevel / 2);
        console.log(
          `  ${workload.name.padEnd(22)} ${String(size).padStart(3)}/${wait}  c=64 ${fmt(g)}  | c=1 p50 ${c1.p50.toFixed(2)} ms`,
        );
        await stopChild(gateway.child);
      }
    }
  }
} finally {
  for (const child of children) await stopChild(child);
  await db.drop();
  await rm(dir, { recursive: true, force: true });
}
