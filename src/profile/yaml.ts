// YAML for --profile and --policy files, loaded on first use: most runs read no YAML, and
// importing the parser costs every run ~18 ms of start-up (measured).
import { createRequire } from 'node:module';
import type * as Yaml from 'yaml';

let yaml: typeof Yaml | undefined;

/**
 * YAML text → a plain value; aliases bounded (a billion-laughs document is refused). A warning
 * (an unknown tag, say) is an error here: the parser would otherwise guess, print a Node warning
 * and run with a setting the operator did not write.
 */
export function parseYaml(text: string): unknown {
  yaml ??= createRequire(import.meta.url)('yaml') as typeof Yaml;
  const doc = yaml.parseDocument(text, { logLevel: 'silent' });
  const problem = doc.errors[0] ?? doc.warnings[0];
  if (problem) throw new Error(problem.message);
  return doc.toJS({ maxAliasCount: 100 });
}
