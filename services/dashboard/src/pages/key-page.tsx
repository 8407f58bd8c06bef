/**
 * Entering the API key: checked against the API (GET /experiments?limit=1) before it is
 * stored, so a wrong key is refused here with the API's own reason.
 */
import { useState, type FormEvent } from 'react';
import { useApi } from '../api/api-context.tsx';
import { createApiClient } from '../api/api-client.ts';
import { ApiError } from '../api/api-error.ts';
import { ErrorBox, Section } from '../components/common.tsx';

export function KeyPage({ onDone }: { onDone?: () => void }) {
  const { apiKey, setApiKey, rejection } = useApi();
  const [value, setValue] = useState('');
  const [checking, setChecking] = useState(false);
  const [error, setError] = useState<Error | null>(null);

  const onSubmit = async (event: FormEvent) => {
    event.preventDefault();
    const key = value.trim();
    if (!key) {
      setError(new Error('Paste an API key first (it starts with the prefix your admin gave you).'));
      return;
    }
    setChecking(true);
    setError(null);
    try {
      await createApiClient({ getKey: () => key }).get('/experiments?limit=1');
      setApiKey(key);
      setValue('');
      onDone?.();
    } catch (e) {
      setError(
        e instanceof ApiError && e.status === 403
          ? new Error(`This key cannot read experiments: ${e.message}`)
          : (e as Error),
      );
    } finally {
      setChecking(false);
    }
  };

  return (
    <Section title="API key">
      {rejection ? (
        <div className="error-box" role="alert" data-testid="key-rejected">
          {rejection.message}
        </div>
      ) : null}
      <p>
        The dashboard calls the Lathe API with your key (<code>Authorization: Bearer …</code>). It is kept in
        this browser's local storage only. A viewer key can read everything; starting runs and moving aliases
        needs an editor key. An admin creates keys with <code>POST /api-keys</code>.
      </p>
      {apiKey && !rejection ? <p className="notice">A key is stored ({apiKey.slice(0, 6)}…).</p> : null}
      <form className="inline-form" onSubmit={(e) => void onSubmit(e)}>
        <label>
          API key{' '}
          <input
            type="password"
            autoComplete="off"
            value={value}
            onChange={(e) => setValue(e.target.value)}
            aria-label="API key"
            name="apiKey"
          />
        </label>
        <button type="submit" disabled={checking}>
          {checking ? 'Checking…' : 'Use this key'}
        </button>
        {apiKey ? (
          <button type="button" className="secondary" onClick={() => setApiKey(null)}>
            Forget the stored key
          </button>
        ) : null}
      </form>
      <ErrorBox error={error} />
    </Section>
  );
}
