// A strict XML 1.0 well-formedness parser for the JUnit output: declaration, elements, quoted
// attributes (no duplicates), the five predefined entities and character references, comments,
// CDATA; one root; tags must balance. Returns a tree to assert on, or throws with the offset.
export interface XmlElement {
  name: string;
  attrs: Record<string, string>;
  children: XmlElement[];
  text: string;
}

const NAME = /^[A-Za-z_:][A-Za-z0-9_.:-]*/;
const ENTITIES: Record<string, string> = { amp: '&', lt: '<', gt: '>', quot: '"', apos: "'" };

export function parseXml(src: string): XmlElement {
  let i = 0;
  const fail = (why: string): never => {
    throw new Error(`XML not well-formed at offset ${i}: ${why}`);
  };
  const decode = (raw: string): string => {
    // eslint-disable-next-line no-control-regex
    if (/[\u0000-\u0008\u000b\u000c\u000e-\u001f\ufffe\uffff]/.test(raw)) fail('character not allowed in XML 1.0');
    if (/<|&(?!(amp|lt|gt|quot|apos|#\d+|#x[0-9a-fA-F]+);)/.test(raw)) fail(`bare < or & in ${JSON.stringify(raw.slice(0, 40))}`);
    return raw.replace(/&(#x[0-9a-fA-F]+|#\d+|\w+);/g, (_, e: string) =>
      e.startsWith('#x') ? String.fromCodePoint(parseInt(e.slice(2), 16)) : e.startsWith('#') ? String.fromCodePoint(Number(e.slice(1))) : ENTITIES[e],
    );
  };
  const skipMisc = () => {
    for (;;) {
      const ws = /^\s*/.exec(src.slice(i))![0];
      i += ws.length;
      if (src.startsWith('<!--', i)) {
        const end = src.indexOf('-->', i + 4);
        if (end < 0) fail('unterminated comment');
        if (src.slice(i + 4, end).includes('--')) fail('-- inside a comment');
        i = end + 3;
      } else return;
    }
  };
  if (src.startsWith('<?xml')) {
    const end = src.indexOf('?>');
    if (end < 0) fail('unterminated declaration');
    if (!/^<\?xml version="1\.[0-9]"( encoding="[A-Za-z0-9._-]+")?( standalone="(yes|no)")?\s*\?>$/.test(src.slice(0, end + 2))) fail('bad XML declaration');
    i = end + 2;
  }
  skipMisc();
  const element = (): XmlElement => {
    if (src[i] !== '<') fail('expected <');
    i++;
    const name = NAME.exec(src.slice(i))?.[0] ?? fail('expected an element name');
    i += name.length;
    const el: XmlElement = { name, attrs: {}, children: [], text: '' };
    for (;;) {
      const ws = /^\s*/.exec(src.slice(i))![0];
      i += ws.length;
      if (src.startsWith('/>', i)) {
        i += 2;
        return el;
      }
      if (src[i] === '>') {
        i++;
        break;
      }
      if (ws.length === 0) fail('expected whitespace before an attribute');
      const an = NAME.exec(src.slice(i))?.[0] ?? fail('expected an attribute name');
      i += an.length;
      if (an in el.attrs) fail(`duplicate attribute ${an}`);
      const m = /^\s*=\s*("([^"]*)"|'([^']*)')/.exec(src.slice(i)) ?? fail(`attribute ${an} needs a quoted value`);
      el.attrs[an] = decode(m[2] ?? m[3]);
      i += m[0].length;
    }
    for (;;) {
      if (i >= src.length) fail(`unclosed <${name}>`);
      if (src.startsWith('</', i)) {
        i += 2;
        const close = NAME.exec(src.slice(i))?.[0];
        if (close !== name) fail(`</${close}> closes <${name}>`);
        i += name.length;
        const ws = /^\s*>/.exec(src.slice(i)) ?? fail('expected >');
        i += ws[0].length;
        return el;
      }
      if (src.startsWith('<!--', i)) {
        const end = src.indexOf('-->', i + 4);
        if (end < 0) fail('unterminated comment');
        i = end + 3;
      } else if (src.startsWith('<![CDATA[', i)) {
        const end = src.indexOf(']]>', i);
        if (end < 0) fail('unterminated CDATA');
        el.text += src.slice(i + 9, end);
        i = end + 3;
      } else if (src[i] === '<') {
        el.children.push(element());
      } else {
        const next = src.indexOf('<', i);
        const raw = src.slice(i, next < 0 ? src.length : next);
        if (raw.includes(']]>')) fail(']]> in text');
        el.text += decode(raw);
        i += raw.length;
      }
    }
  };
  const root = element();
  skipMisc();
  if (i !== src.length) fail('content after the root element');
  return root;
}
