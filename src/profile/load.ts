// Loading a --profile file (JSON or YAML): a deep partial of the default profile. Unknown keys
// are rejected so a typo cannot silently fall back to a default.
import { readFileSync } from 'node:fs';
import { parseYaml } from './yaml.js';
import { DEFAULT_PROFILE, type Profile } from './profile.js';

export class ProfileError extends Error {}

const MAX_PROFILE_BYTES = 1024 * 1024;

export function loadProfile(path: string): Profile {
  let text: string;
  try {
    const buf = readFileSync(path);
    if (buf.length > MAX_PROFILE_BYTES)
      throw new ProfileError(`profile ${path} is larger than ${MAX_PROFILE_BYTES} bytes`);
    text = buf.toString('utf8');
  } catch (e) {
    if (e instanceof ProfileError) throw e;
    throw new ProfileError(`cannot read profile ${path}: ${e instanceof Error ? e.message : String(e)}`);
  }
  let data: unknown;
  try {
    data = /^\s*[{[]/.test(text) ? JSON.parse(text) : parseYaml(text);
  } catch (e) {
    throw new ProfileError(
      `profile ${path} is not valid JSON/YAML: ${e instanceof Error ? e.message : String(e)}`,
    );
  }
  return mergeProfile(DEFAULT_PROFILE, data, path);
}

export function mergeProfile(base: Profile, over: unknown, where: string): Profile {
  return merge(base, over, where, '') as Profile;
}

function merge(base: unknown, over: unknown, where: string, at: string): unknown {
  if (over === undefined || over === null) return base;
  if (Array.isArray(base)) {
    if (!Array.isArray(over) || !over.every((v) => typeof v === typeof base[0]))
      throw new ProfileError(
        `${where}: ${at || 'profile'} must be a list like the default ${JSON.stringify(base)}`,
      );
    return over;
  }
  if (typeof base === 'object' && base !== null) {
    if (typeof over !== 'object' || Array.isArray(over))
      throw new ProfileError(`${where}: ${at || 'profile'} must be an object`);
    const out: Record<string, unknown> = { ...(base as Record<string, unknown>) };
    for (const [k, v] of Object.entries(over as Record<string, unknown>)) {
      if (!(k in out)) throw new ProfileError(`${where}: unknown profile key ${at ? `${at}.` : ''}${k}`);
      out[k] = merge(out[k], v, where, at ? `${at}.${k}` : k);
    }
    return out;
  }
  if (typeof over !== typeof base)
    throw new ProfileError(`${where}: ${at} must be a ${typeof base}, not ${JSON.stringify(over)}`);
  return over;
}
