// One way to read the API: typed failures instead of bare exceptions, so every page can say
// *why* it has no data (server down, bad request, server error) in its error state.

export type FetchErrorKind = 'network' | 'http' | 'parse' | 'aborted';

export class FetchJsonError extends Error {
  readonly kind: FetchErrorKind;
  readonly status?: number;
  readonly url: string;
  constructor(kind: FetchErrorKind, url: string, message: string, status?: number) {
    super(message);
    this.name = 'FetchJsonError';
    this.kind = kind;
    this.url = url;
    this.status = status;
  }
}

/** The message an API error body carries (`{error: "..."}` or `{message: "..."}` or `{error: {message}}`). */
export function errorMessageFromBody(body: unknown): string | undefined {
  if (typeof body !== 'object' || body === null) return undefined;
  const b = body as Record<string, unknown>;
  if (typeof b.error === 'string') return b.error;
  if (typeof b.message === 'string') return b.message;
  if (typeof b.error === 'object' && b.error !== null && typeof (b.error as Record<string, unknown>).message === 'string') {
    return (b.error as Record<string, string>).message;
  }
  return undefined;
}

export async function fetchJson<T>(url: string, init?: { signal?: AbortSignal }): Promise<T> {
  let res: Response;
  try {
    res = await fetch(url, { signal: init?.signal, headers: { accept: 'application/json' } });
  } catch (err) {
    if ((err as Error).name === 'AbortError') throw new FetchJsonError('aborted', url, 'request cancelled');
    throw new FetchJsonError('network', url, 'The Faultline server did not answer. Is `faultline serve` running?');
  }
  const text = await res.text();
  let body: unknown = undefined;
  if (text.length > 0) {
    try {
      body = JSON.parse(text);
    } catch {
      if (res.ok) throw new FetchJsonError('parse', url, `The server sent something that is not JSON (HTTP ${res.status}).`, res.status);
    }
  }
  if (!res.ok) {
    const detail = errorMessageFromBody(body) ?? res.statusText ?? 'request failed';
    throw new FetchJsonError('http', url, `HTTP ${res.status}: ${detail}`, res.status);
  }
  return body as T;
}

/** Query-string builder that drops empty values. */
export function withQuery(path: string, query: Record<string, string | number | boolean | undefined | null>): string {
  const qs = new URLSearchParams();
  for (const [k, v] of Object.entries(query)) if (v !== undefined && v !== null && v !== '') qs.set(k, String(v));
  const s = qs.toString();
  return s ? `${path}?${s}` : path;
}
