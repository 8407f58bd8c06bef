/**
 * `lathe predict <endpoint>` and `lathe recommend <endpoint>`: a quick look at what the serving
 * gateway answers (LATHE_SERVE_URL, default http://127.0.0.1:8081, with the same API key as
 * the admin API). Requests are checked against the gateway's own schemas before they are sent.
 */
import type { Command } from 'commander';
import {
  predictRequestSchema,
  predictResponseSchema,
  recommendRequestSchema,
  recommendResponseSchema,
  type PredictResponse,
  type RecommendResponse,
} from '@lathe/contract';
import { ApiClient } from '../api-client.ts';
import { loadCliConfig } from '../config.ts';
import { CliError, type CliIo } from '../io.ts';
import { formatTable } from '../table.ts';

const DEFAULT_SERVE_URL = 'http://127.0.0.1:8081';

function gateway(io: CliIo): ApiClient {
  const config = loadCliConfig(io.env);
  return new ApiClient(
    { ...config, apiUrl: (io.env.LATHE_SERVE_URL ?? DEFAULT_SERVE_URL).replace(/\/+$/, '') },
    io,
  );
}

interface Checker<T> {
  safeParse(
    body: unknown,
  ):
    | { success: true; data: T }
    | { success: false; error: { issues: ReadonlyArray<{ path: PropertyKey[]; message: string }> } };
}

function checked<T>(schema: Checker<T>, body: unknown): T {
  const parsed = schema.safeParse(body);
  if (!parsed.success)
    throw new CliError(
      `the request is not valid: ${parsed.error.issues.map((i) => `${i.path.map(String).join('.') || 'body'}: ${i.message}`).join('; ')}`,
    );
  return parsed.data;
}

function parseJson(text: string, what: string): unknown {
  try {
    return JSON.parse(text);
  } catch (error) {
    throw new CliError(`${what} is not valid JSON (${(error as Error).message})`);
  }
}

const list = (text: string | undefined) =>
  text === undefined
    ? undefined
    : text
        .split(',')
        .map((s) => s.trim())
        .filter(Boolean);

const servedBy = (r: { endpoint: string; modelVersionId: string; abTest: PredictResponse['abTest'] }) =>
  `${r.endpoint}: model version ${r.modelVersionId}${r.abTest ? `, A/B test ${r.abTest.id} arm ${r.abTest.variant} (step ${r.abTest.step + 1})` : ''}`;

export function renderPredictions(response: PredictResponse): string {
  const rows = response.predictions.map((p, i) => [
    i,
    p.label ?? null,
    p.label !== undefined && p.probabilities ? (p.probabilities[p.label] ?? null) : null,
    p.score ?? null,
    p.fallback ? 'yes' : null,
  ]);
  return `${servedBy(response)}\n${formatTable(['#', 'label', 'probability', 'score', 'fallback'], rows)}`;
}

export function renderRecommendations(response: RecommendResponse): string {
  const basis =
    response.basis === 'popularity' ? 'popularity (a shopper the model never saw)' : 'the model’s scores';
  return `${servedBy(response)}; ranked by ${basis}\n${formatTable(
    ['rank', 'item', 'score'],
    response.items.map((x, i) => [i + 1, x.itemId, x.score.toPrecision(4)]),
  )}`;
}

export function registerServingCommands(program: Command, io: CliIo): void {
  program
    .command('predict')
    .description('ask the serving gateway for predictions (LATHE_SERVE_URL)')
    .argument('<endpoint>')
    .requiredOption(
      '--instances <json>',
      'a JSON array of instances, e.g. \'[{"features":{"tenure":3,"plan":"pro"}}]\'',
    )
    .option('--unit <id>', 'the A/B unit (needed while an A/B test runs on the endpoint)')
    .action(async (endpoint: string, options: { instances: string; unit?: string }) => {
      const body = checked(predictRequestSchema, {
        instances: parseJson(options.instances, '--instances'),
        ...(options.unit ? { unitId: options.unit } : {}),
      });
      const { body: response } = await gateway(io).json(
        'POST',
        `/v1/endpoints/${encodeURIComponent(endpoint)}/predict`,
        body,
      );
      io.stdout.write(renderPredictions(predictResponseSchema.parse(response)));
    });

  program
    .command('recommend')
    .description('ask the serving gateway for the top-k items for a shopper (LATHE_SERVE_URL)')
    .argument('<endpoint>')
    .option('--user <id>', 'the shopper (absent or unknown: the popularity ranking)')
    .option('-k, --k <n>', 'how many items', '10')
    .option('--exclude <items>', 'comma-separated item ids never to return')
    .option('--candidates <items>', 'comma-separated item ids to rank (all by default)')
    .option('--include-seen', 'also return items the shopper interacted with in training')
    .option('--unit <id>', 'the A/B unit (default: the user)')
    .action(
      async (
        endpoint: string,
        options: {
          user?: string;
          k: string;
          exclude?: string;
          candidates?: string;
          includeSeen?: boolean;
          unit?: string;
        },
      ) => {
        const exclude = list(options.exclude);
        const candidates = list(options.candidates);
        const body = checked(recommendRequestSchema, {
          k: Number(options.k),
          ...(options.user ? { userId: options.user } : {}),
          ...(options.unit ? { unitId: options.unit } : {}),
          ...(exclude ? { exclude } : {}),
          ...(candidates ? { candidates } : {}),
          ...(options.includeSeen ? { includeSeen: true } : {}),
        });
        const { body: response } = await gateway(io).json(
          'POST',
          `/v1/endpoints/${encodeURIComponent(endpoint)}/recommend`,
          body,
        );
        io.stdout.write(renderRecommendations(recommendResponseSchema.parse(response)));
      },
    );
}
