// YAML for --profile and --policy files, loaded on first use: most runs read no YAML, and
// importing the parser costs every run ~18 ms of start-up (measured).
import { createRequire } from 'node:module';
import type * as Yaml from 'yaml';

let yaml: typeof Yaml | undefined;

/** YAML text → a plain value; aliases bounded (a billion-laughs document is refused). */
export function parseYaml(text: string): unknown {
  yaml ??= createRequire(import.meta.url)('yaml') as typeof Yaml;
  return yaml.parse(text, { maxAliasCount: 100 });
}
