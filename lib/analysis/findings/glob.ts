// Config patterns: `*` matches any run of characters (dots included), everything else is literal,
// case-insensitive because service names are normalized to lower case.

const cache = new Map<string, RegExp>();

export function globToRegExp(pattern: string): RegExp {
  let re = cache.get(pattern);
  if (!re) {
    const body = pattern
      .split('*')
      .map((p) => p.replace(/[.+?^${}()|[\]\\]/g, '\\$&'))
      .join('.*');
    re = new RegExp(`^${body}$`, 'i');
    if (cache.size > 1000) cache.clear();
    cache.set(pattern, re);
  }
  return re;
}

export function globMatch(pattern: string, value: string): boolean {
  return globToRegExp(pattern).test(value);
}

/** True when the pattern matches the value or any of the values. */
export function globMatchAny(pattern: string, values: string | readonly string[]): boolean {
  return typeof values === 'string' ? globMatch(pattern, values) : values.some((v) => globMatch(pattern, v));
}
