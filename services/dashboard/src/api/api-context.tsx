/**
 * The API client and the key, shared by every page, and `useApiData`: load a path, expose
 * data/error/loading and a reload. A 401 anywhere marks the key as rejected, and the app
 * asks for another one.
 */
import {
  createContext,
  useCallback,
  useContext,
  useEffect,
  useMemo,
  useRef,
  useState,
  type ReactNode,
} from 'react';
import { createApiClient, type ApiClient } from './api-client.ts';
import type { ApiError } from './api-error.ts';
import { loadApiKey, saveApiKey } from './api-key-store.ts';

interface ApiContextValue {
  client: ApiClient;
  apiKey: string | null;
  setApiKey: (key: string | null) => void;
  /** The last 401, until a new key is entered. */
  rejection: ApiError | null;
}

const ApiContext = createContext<ApiContextValue | null>(null);

export function ApiProvider({ children }: { children: ReactNode }) {
  const [apiKey, setKeyState] = useState<string | null>(() => loadApiKey());
  const [rejection, setRejection] = useState<ApiError | null>(null);
  const keyRef = useRef(apiKey);
  keyRef.current = apiKey;
  const client = useMemo(
    () =>
      createApiClient({ getKey: () => keyRef.current, onUnauthenticated: (error) => setRejection(error) }),
    [],
  );
  const setApiKey = useCallback((key: string | null) => {
    saveApiKey(key);
    keyRef.current = key;
    setKeyState(key);
    setRejection(null);
  }, []);
  const value = useMemo(
    () => ({ client, apiKey, setApiKey, rejection }),
    [client, apiKey, setApiKey, rejection],
  );
  return <ApiContext.Provider value={value}>{children}</ApiContext.Provider>;
}

export function useApi(): ApiContextValue {
  const value = useContext(ApiContext);
  if (!value) throw new Error('useApi outside ApiProvider');
  return value;
}

export interface ApiData<T> {
  data: T | null;
  error: Error | null;
  loading: boolean;
  reload: () => void;
}

/** GETs `path` (null: nothing to load) and again on reload or when the key changes. */
export function useApiData<T>(path: string | null, options: { refreshMs?: number } = {}): ApiData<T> {
  const { client, apiKey } = useApi();
  const [state, setState] = useState<{ data: T | null; error: Error | null; loading: boolean }>({
    data: null,
    error: null,
    loading: path !== null,
  });
  const [tick, setTick] = useState(0);
  const reload = useCallback(() => setTick((t) => t + 1), []);
  useEffect(() => {
    if (path === null) return;
    const controller = new AbortController();
    setState((s) => ({ ...s, loading: true }));
    client
      .get<T>(path, { signal: controller.signal })
      .then((data) => setState({ data, error: null, loading: false }))
      .catch((error: Error) => {
        if (!controller.signal.aborted) setState((s) => ({ data: s.data, error, loading: false }));
      });
    return () => controller.abort();
  }, [client, path, apiKey, tick]);
  useEffect(() => {
    if (!options.refreshMs || path === null) return;
    const timer = setInterval(reload, options.refreshMs);
    return () => clearInterval(timer);
  }, [options.refreshMs, path, reload]);
  return { ...state, reload };
}

/**
 * Like useApiData for what one GET cannot give (a page that reads several resources per item):
 * runs `load` with the client whenever `key` changes (null: nothing to load).
 */
export function useApiLoad<T>(
  key: string | null,
  load: (client: ApiClient, signal: AbortSignal) => Promise<T>,
): ApiData<T> {
  const { client, apiKey } = useApi();
  const [state, setState] = useState<{ data: T | null; error: Error | null; loading: boolean }>({
    data: null,
    error: null,
    loading: key !== null,
  });
  const [tick, setTick] = useState(0);
  const reload = useCallback(() => setTick((t) => t + 1), []);
  const loadRef = useRef(load);
  loadRef.current = load;
  useEffect(() => {
    if (key === null) return;
    const controller = new AbortController();
    setState((s) => ({ ...s, loading: true }));
    loadRef
      .current(client, controller.signal)
      .then((data) => {
        if (!controller.signal.aborted) setState({ data, error: null, loading: false });
      })
      .catch((error: Error) => {
        if (!controller.signal.aborted) setState((s) => ({ data: s.data, error, loading: false }));
      });
    return () => controller.abort();
  }, [client, key, apiKey, tick]);
  return { ...state, reload };
}

/** Runs a mutation, with its pending flag and error for the button that started it. */
export function useAction<A extends unknown[], R>(action: (client: ApiClient, ...args: A) => Promise<R>) {
  const { client } = useApi();
  const [pending, setPending] = useState(false);
  const [error, setError] = useState<Error | null>(null);
  const run = useCallback(
    async (...args: A): Promise<R | undefined> => {
      setPending(true);
      setError(null);
      try {
        return await action(client, ...args);
      } catch (e) {
        setError(e as Error);
        return undefined;
      } finally {
        setPending(false);
      }
    },
    [client, action],
  );
  return { run, pending, error };
}
