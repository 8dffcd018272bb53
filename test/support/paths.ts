// Locations of the repository's folders from compiled tests (dist/test/...).
import { fileURLToPath } from 'node:url';
import { dirname, join, resolve } from 'node:path';

const here = dirname(fileURLToPath(import.meta.url));
/** Repository root (dist/test/support → ../../..). */
export const ROOT = resolve(here, '..', '..', '..');
export const FIXTURES = join(ROOT, 'fixtures');
export const BIN = join(ROOT, 'bin', 'meshverify');
