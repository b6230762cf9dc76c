// Runs the map layout off the main thread (ARCHITECTURE.md principle 5): a 1,000-service
// simulation takes long enough to freeze scrolling and hover if it ran in the page.
import { computeLayout, type LayoutInput } from './layout.ts';

interface Request {
  id: number;
  input: LayoutInput;
}

self.onmessage = (event: MessageEvent<Request>) => {
  const { id, input } = event.data;
  try {
    const started = performance.now();
    const out = computeLayout(input);
    (self as unknown as Worker).postMessage({ id, ok: true, out, ms: performance.now() - started });
  } catch (err) {
    (self as unknown as Worker).postMessage({ id, ok: false, error: String((err as Error).message ?? err) });
  }
};
