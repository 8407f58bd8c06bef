/**
 * The baseline of bench/serve.ts: the simplest serving a team would write by hand, an Express
 * app holding one tfjs model and calling it once per request (no routing, no batching, no
 * telemetry). Usage: node --import tsx bench/support/bare-serve.ts <bundle-file> <port>.
 * It uses the gateway's own Express (resolved from services/serve), so only the handling differs.
 */
import { readFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { loadModel, selectBackend } from '../../packages/ml/src/index.ts';

const [bundlePath, port] = process.argv.slice(2);
const require = createRequire(join(import.meta.dirname, '../../services/serve/package.json'));
// The few parts of Express used here, typed structurally (bench/ has no @types/express of its own).
type Body = { instances: unknown[]; userId: string; k: number };
type Handler = (req: { body: Body }, res: { json(body: unknown): void }) => Promise<void>;
interface ExpressApp {
  use(middleware: unknown): void;
  post(path: string, handler: Handler): void;
  listen(port: number, host: string, ready: () => void): void;
}
const express = require('express') as { (): ExpressApp; json(options: { limit: number }): unknown };

await selectBackend();
const model = await loadModel(await readFile(bundlePath!));
const app = express();
app.use(express.json({ limit: 1024 * 1024 }));
app.post('/predict', async (req, res) => {
  res.json({ predictions: await model.predict(req.body.instances) });
});
app.post('/recommend', async (req, res) => {
  const items = await model.recommend(req.body.userId, req.body.k, { excludeSeen: true });
  res.json({ items: items.map((x) => ({ itemId: x.item, score: x.score })) });
});
app.listen(Number(port), '127.0.0.1', () => process.stdout.write('ready\n'));
