// The tool's version, read once from package.json (dist/src/version.js → ../../package.json).
import { readFileSync } from 'node:fs';

function read(): string {
  try {
    const pkg = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as {
      version?: unknown;
    };
    return typeof pkg.version === 'string' ? pkg.version : '0.0.0';
  } catch {
    return '0.0.0';
  }
}

export const VERSION = read();
