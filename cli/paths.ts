import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

/** The Faultline checkout (or installed package) this CLI runs from: the dashboard and bin live here. */
export function checkoutRoot(): string {
  return resolve(dirname(fileURLToPath(import.meta.url)), '..');
}

export function binPath(): string {
  return resolve(checkoutRoot(), 'bin', 'faultline.js');
}
