/**
 * A small typed client over `fetch`: sends the key as `Authorization: Bearer <key>`, parses
 * JSON, and turns every non-2xx answer (RFC 9457 problem+json) into an ApiError.
 * `fetchImpl` and `baseUrl` are injectable so the client works same-origin (served by the API),
 * behind Vite's dev proxy, or from a test.
 */
import { ApiError, apiErrorFrom } from './api-error.ts';

export interface ApiClientOptions {
  /** '' for the same origin as the page. */
  baseUrl?: string;
  getKey: () => string | null;
  fetchImpl?: typeof fetch;
  /** Called on 401, so the app can ask for another key. */
  onUnauthenticated?: (error: ApiError) => void;
}

export interface RequestOptions {
  body?: unknown;
  headers?: Record<string, string>;
  signal?: AbortSignal;
}

export interface ApiClient {
  get<T>(path: string, options?: RequestOptions): Promise<T>;
  post<T>(path: string, body?: unknown, options?: RequestOptions): Promise<T>;
  patch<T>(path: string, body: unknown, options?: RequestOptions): Promise<T>;
  put<T>(path: string, body: unknown, options?: RequestOptions): Promise<T>;
  /** The raw response of an authenticated GET (the run event stream reads its body). */
  stream(path: string, signal: AbortSignal): Promise<Response>;
}

/** Builds `path?a=1&b=2`, leaving out undefined values. */
export function withQuery(
  path: string,
  query: Record<string, string | number | boolean | undefined | null>,
): string {
  const params = new URLSearchParams();
  for (const [key, value] of Object.entries(query)) {
    if (value !== undefined && value !== null && value !== '') params.set(key, String(value));
  }
  const text = params.toString();
  return text ? `${path}?${text}` : path;
}

export function createApiClient(options: ApiClientOptions): ApiClient {
  const baseUrl = options.baseUrl ?? '';
  const doFetch = options.fetchImpl ?? ((input: RequestInfo | URL, init?: RequestInit) => fetch(input, init));

  const send = async (
    method: string,
    path: string,
    request: RequestOptions & { accept?: string } = {},
  ): Promise<Response> => {
    const headers: Record<string, string> = {
      accept: request.accept ?? 'application/json',
      ...(request.headers ?? {}),
    };
    const key = options.getKey();
    if (key) headers.authorization = `Bearer ${key}`;
    let body: string | undefined;
    if (request.body !== undefined) {
      body = JSON.stringify(request.body);
      headers['content-type'] = 'application/json';
    }
    let response: Response;
    try {
      response = await doFetch(baseUrl + path, {
        method,
        headers,
        ...(body !== undefined ? { body } : {}),
        ...(request.signal ? { signal: request.signal } : {}),
      });
    } catch (error) {
      if ((error as Error).name === 'AbortError') throw error;
      throw apiErrorFrom(0, { detail: (error as Error).message }, `${method} ${path}`);
    }
    if (!response.ok) {
      const text = await response.text();
      let parsed: unknown = null;
      try {
        parsed = text ? JSON.parse(text) : null;
      } catch {
        parsed = null;
      }
      const error = apiErrorFrom(response.status, parsed, `${method} ${path}`);
      if (error.isUnauthenticated) options.onUnauthenticated?.(error);
      throw error;
    }
    return response;
  };

  const json = async <T>(method: string, path: string, request: RequestOptions = {}): Promise<T> => {
    const response = await send(method, path, request);
    if (response.status === 204) return undefined as T;
    return (await response.json()) as T;
  };

  return {
    get: (path, request) => json('GET', path, request),
    post: (path, body, request) => json('POST', path, { ...request, body: body ?? {} }),
    patch: (path, body, request) => json('PATCH', path, { ...request, body }),
    put: (path, body, request) => json('PUT', path, { ...request, body }),
    stream: (path, signal) => send('GET', path, { signal, accept: 'text/event-stream' }),
  };
}

export { ApiError };
