// Service colours (never red: red means error): stable for a given service set (sorted), distinct for the first 20, then
// cycled with a lightness shift so neighbours in a big system still differ.
const PALETTE = [
  '#5b9cff', '#f2a33a', '#4cc38a', '#d9a6e8', '#a98bff', '#3fc1c9', '#f07bc0', '#c0ca33', '#e8c07a', '#7aa6c2',
  '#8bd17c', '#d4a5ff', '#ffd166', '#61d4ff', '#a3b8ff', '#9ccc65', '#b39ddb', '#80cbc4', '#d7ccc8', '#90a4ae',
];

export function serviceColors(services: Iterable<string>): Map<string, string> {
  const sorted = [...new Set(services)].sort();
  const out = new Map<string, string>();
  sorted.forEach((s, i) => {
    const base = PALETTE[i % PALETTE.length];
    const round = Math.floor(i / PALETTE.length);
    out.set(s, round === 0 ? base : shade(base, round % 2 === 1 ? -0.25 : 0.2));
  });
  return out;
}

function shade(hex: string, amount: number): string {
  const n = parseInt(hex.slice(1), 16);
  const ch = [(n >> 16) & 255, (n >> 8) & 255, n & 255].map((c) =>
    Math.round(amount < 0 ? c * (1 + amount) : c + (255 - c) * amount),
  );
  return `#${ch.map((c) => c.toString(16).padStart(2, '0')).join('')}`;
}
