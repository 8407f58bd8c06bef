/**
 * A small client of the admin API. Problem+json errors become one readable message: auth
 * failures say where the key came from and how to set one; validation failures list each field.
 */
import type { Problem as ApiProblem } from '@lathe/contract';
import type { CliConfig } from './config.ts';
import { CliError, type CliIo } from './io.ts';

/** A problem+json body as far as it was sent (an error from a proxy may not be one). */
type Problem = Partial<ApiProblem> & { status: number };

export class ApiClient {
  constructor(
    readonly config: CliConfig,
    private readonly io: CliIo,
  ) {}

  headers(extra: Record<string, string> = {}): Record<string, string> {
    return { ...(this.config.apiKey ? { authorization: `Bearer ${this.config.apiKey}` } : {}), ...extra };
  }

  async raw(
    method: string,
    path: string,
    init: { body?: NonNullable<RequestInit['body']>; headers?: Record<string, string>; duplex?: 'half' } = {},
  ): Promise<Response> {
    let response: Response;
    try {
      response = await this.io.fetch(this.config.apiUrl + path, {
        method,
        headers: this.headers(init.headers),
        ...(init.body !== undefined ? { body: init.body } : {}),
        ...(init.duplex ? { duplex: init.duplex } : {}),
      } as RequestInit);
    } catch (error) {
      const cause = (error as { cause?: { code?: string } }).cause?.code ?? (error as Error).message;
      throw new CliError(
        `cannot reach the Lathe API at ${this.config.apiUrl} (${cause}); start it (lathe up, then the api service) or set LATHE_API_URL`,
      );
    }
    if (!response.ok) throw await this.problemError(response);
    return response;
  }

  // eslint-disable-next-line @typescript-eslint/no-explicit-any -- callers name the shape they expect; untyped reads stay loose
  async json<T = any>(
    method: string,
    path: string,
    body?: unknown,
    headers: Record<string, string> = {},
  ): Promise<{ body: T; headers: Headers; status: number }> {
    const response = await this.raw(method, path, {
      ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
      headers: { ...(body !== undefined ? { 'content-type': 'application/json' } : {}), ...headers },
    });
    const text = await response.text();
    return {
      body: (text ? JSON.parse(text) : undefined) as T,
      headers: response.headers,
      status: response.status,
    };
  }

  private async problemError(response: Response): Promise<CliError> {
    let problem: Problem = { status: response.status };
    try {
      problem = { ...problem, ...((await response.json()) as Problem) };
    } catch {
      // not JSON: keep the status
    }
    if (response.status === 401) {
      return new CliError(
        this.config.apiKey
          ? `the API rejected the key from ${this.config.source} (${problem.detail ?? 'invalid or revoked'}); set LATHE_API_KEY to a valid key`
          : 'no API key: set LATHE_API_KEY (the bring-up prints the bootstrap admin key) or put "apiKey" in ~/.config/lathe/config.json',
      );
    }
    if (response.status === 403)
      return new CliError(`not allowed: ${problem.detail ?? 'this key lacks the role'}`);
    const fields = problem.errors?.length
      ? `\n${problem.errors.map((e) => `  - ${e.field}: ${e.message}`).join('\n')}`
      : '';
    return new CliError(
      `${problem.detail ?? `HTTP ${response.status}`}${problem.code ? ` [${problem.code}]` : ''}${fields}`,
    );
  }
}
