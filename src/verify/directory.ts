// Verifying a live node's directories (tuf/metadata, certs) rather than an archive.
import { Findings } from '../findings/collector.js';
import type { VerifyContext } from './context.js';
import type { VerifyOptions } from './options.js';

export function directoryContext(opts: VerifyOptions): VerifyContext {
  return {
    opts,
    findings: new Findings(opts.severityOverrides, opts.limits.maxFindings),
    archive: undefined,
    dumps: [],
    sections: {},
    shared: new Map(),
  };
}
