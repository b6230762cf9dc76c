// The workplace's shared folder, which sits beside the checkout (`../shared`; CI clones main
// next to it): the public Zipkin fixtures and SMELLS.md, the rule catalogue the findings follow.
// A checkout elsewhere fails these tests with this message rather than with missing files.
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

export const SHARED_URL = new URL('../../shared/', import.meta.url);
export const SHARED = fileURLToPath(SHARED_URL);

if (!existsSync(fileURLToPath(new URL('fixtures/zipkin/', SHARED_URL)))) {
  throw new Error(
    `Faultline's tests read the shared fixtures and SMELLS.md from ${SHARED} (the shared/ folder beside this checkout), and it is not there: ` +
      'clone the repository next to shared/, as CI does.',
  );
}

/** The public Zipkin fixtures (shared/fixtures/README.md says what each holds). */
export const ZIPKIN_FIXTURES_URL = new URL('fixtures/zipkin/', SHARED_URL);
export const ZIPKIN_FIXTURES = fileURLToPath(ZIPKIN_FIXTURES_URL).replace(/\/$/, '');
