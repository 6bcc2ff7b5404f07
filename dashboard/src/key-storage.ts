// The API key is typed once and kept in this browser's localStorage: never in the URL, so never
// in the history, a bookmark, a Referer header or a proxy's access log.

const STORAGE_KEY = 'licmon.apiKey';

export function storedKey(): string | undefined {
  try {
    return localStorage.getItem(STORAGE_KEY) || undefined;
  } catch {
    return undefined; // storage disabled (privacy mode): the key lives only as long as the page
  }
}

export function storeKey(key: string): void {
  try {
    localStorage.setItem(STORAGE_KEY, key);
  } catch {
    // As above: the dashboard still works for this page's lifetime.
  }
}

export function forgetKey(): void {
  try {
    localStorage.removeItem(STORAGE_KEY);
  } catch {
    // Nothing stored.
  }
}
