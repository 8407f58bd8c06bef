/** The API key, entered once and kept in localStorage (this browser only; never in the URL). */
const STORAGE_KEY = 'lathe.apiKey';

export function loadApiKey(storage: Pick<Storage, 'getItem'> = localStorage): string | null {
  const value = storage.getItem(STORAGE_KEY);
  return value && value.trim() ? value.trim() : null;
}

export function saveApiKey(
  key: string | null,
  storage: Pick<Storage, 'setItem' | 'removeItem'> = localStorage,
): void {
  if (key && key.trim()) storage.setItem(STORAGE_KEY, key.trim());
  else storage.removeItem(STORAGE_KEY);
}
