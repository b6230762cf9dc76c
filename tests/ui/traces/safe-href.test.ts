import { describe, expect, it } from 'vitest';
import { safeHref } from '../../../components/traces/safe-href.ts';

describe('safeHref', () => {
  it.each([
    ['https://example.com/a?b=c#d', 'https://example.com/a?b=c#d'],
    ['http://localhost:3000/x', 'http://localhost:3000/x'],
    ['HTTPS://EXAMPLE.com', 'https://example.com/'],
  ])('links %s', (input, href) => expect(safeHref(input)).toBe(href));

  it.each([
    'javascript:alert(1)',
    'JaVaScRiPt:alert(1)',
    ' javascript:alert(1)',
    'java\tscript:alert(1)',
    'java\nscript:alert(1)',
    '\u0001javascript:alert(1)',
    'data:text/html,<script>alert(1)</script>',
    'vbscript:msgbox(1)',
    '//evil.example/x',
    '/relative/path',
    'https://user:pass@example.com/',
    'https://exa\u200bmple.com/',
    'https://example.com/\u202etxt.exe',
    'http:/\\evil.example',
    'https://',
    'ftp://example.com/',
    'file:///etc/passwd',
    'https://example.com/' + 'a'.repeat(5000),
    '',
  ])('refuses %j', (input) => expect(safeHref(input)).toBeNull());

  it('refuses non-strings', () => {
    expect(safeHref(42)).toBeNull();
    expect(safeHref({ href: 'https://x' })).toBeNull();
    expect(safeHref(null)).toBeNull();
  });
});
