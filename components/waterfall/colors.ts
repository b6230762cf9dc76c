// Service colours: stable for a given service set (sorted), distinct for the first 20, then
// cycled with a lightness shift so neighbours in a big system still differ.
const PALETTE = [
  '#5b9cff', '#f2a33a', '#4cc38a', '#e5646e', '#a98bff', '#3fc1c9', '#f07bc0', '#c0ca33', '#ff8a5b', '#7aa6c2',
  '#8bd17c', '#d4a5ff', '#ffd166', '#61d4ff', '#ff9eb1', '#9ccc65', '#b39ddb', '#80cbc4', '#ffab91', '#90a4ae',
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
