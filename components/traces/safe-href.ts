// The only way a string from span data becomes a link: http and https URLs, parsed (not pattern
// matched), so `javascript:`, `data:`, `vbscript:`, protocol-relative tricks, control characters
// and credentials-in-URL all come back as null and render as plain text.
const MAX_URL_CHARS = 2048;

export function safeHref(value: unknown): string | null {
  if (typeof value !== 'string') return null;
  if (value.length === 0 || value.length > MAX_URL_CHARS) return null;
  // Browsers strip tabs/newlines and leading control characters before parsing a scheme
  // ("java\tscript:"); refuse such strings outright instead of guessing what a browser does.
  // eslint-disable-next-line no-control-regex
  if (/[\u0000-\u001f\u007f-\u009f\s\u200b-\u200f\u2028-\u202e\u2060-\u206f\ufeff]/.test(value)) return null;
  if (!/^https?:\/\//i.test(value)) return null;
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    return null;
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') return null;
  if (url.username !== '' || url.password !== '') return null;
  if (url.hostname === '') return null;
  return url.href;
}
