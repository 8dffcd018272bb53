// Spec 6 cross-checks, as steps: each runs when its inputs were read and trusted, and is skipped
// with an explicit finding otherwise.
import { checkArtifacts, checkSecrets, checkTiming, checkTrustState } from '../cross/index.js';
import type { JsonValue } from '../findings/types.js';
import type { TufReport } from '../tuf/index.js';
import type { VerifyContext } from './context.js';
import { runStep, skipStep } from './steps.js';
import type { CollectedTable } from './table-rows.js';

type TableRole = 'trustState' | 'artifacts' | 'secrets';

function table(ctx: VerifyContext, role: TableRole): CollectedTable | undefined {
  return ctx.dumps.map((d) => d.result.tables[role]).find((t) => t !== undefined);
}

export async function verifyCrossStep(ctx: VerifyContext): Promise<void> {
  const section: { [k: string]: JsonValue } = {};
  ctx.sections['cross'] = section;
  const tuf = ctx.shared.get('tuf.report') as TufReport | undefined;
  const p = ctx.opts.profile;
  const noDump = ctx.dumps.length === 0;

  const need = (role: TableRole, id: string, title: string): CollectedTable | undefined => {
    const t = table(ctx, role);
    if (!t) {
      const name = p.tables[role];
      skipStep(
        ctx.findings,
        id,
        'cross',
        title,
        noDump ? 'no database dump was read' : `the dump has no data for ${p.database.schema}.${name}`,
      );
      if (!noDump)
        ctx.findings.add(
          'CROSS_TABLE_MISSING',
          { table: `${p.database.schema}.${name}` },
          `the dump holds no ${name} table data`,
        );
    }
    return t;
  };

  const ts = need('trustState', 'cross.trust-state', 'trust_state agrees with the metadata files');
  if (ts) {
    if (!tuf)
      skipStep(
        ctx.findings,
        'cross.trust-state',
        'cross',
        'trust_state agrees with the metadata files',
        'no TUF metadata was verified',
      );
    else
      await runStep(
        ctx.findings,
        ctx.opts.strict,
        'cross.trust-state',
        'cross',
        'trust_state agrees with the metadata files',
        () => {
          section['trustState'] = JSON.parse(
            JSON.stringify(checkTrustState(ts, tuf, ctx.findings)),
          ) as JsonValue;
        },
      );
  }
  const art = need('artifacts', 'cross.artifacts', 'artifacts agree with the signed targets, both ways');
  if (art) {
    if (!tuf)
      skipStep(
        ctx.findings,
        'cross.artifacts',
        'cross',
        'artifacts agree with the signed targets, both ways',
        'no TUF metadata was verified',
      );
    else
      await runStep(
        ctx.findings,
        ctx.opts.strict,
        'cross.artifacts',
        'cross',
        'artifacts agree with the signed targets, both ways',
        () => {
          section['artifacts'] = { ...checkArtifacts(art, tuf, ctx.findings) };
        },
      );
  }
  const sec = need('secrets', 'cross.secrets', 'every secret is an encrypted envelope');
  if (sec)
    await runStep(
      ctx.findings,
      ctx.opts.strict,
      'cross.secrets',
      'cross',
      'every secret is an encrypted envelope',
      () => {
        section['secrets'] = checkSecrets(sec, p.secrets.envelopeMagic, ctx.findings);
      },
    );

  const a = ctx.archive;
  const newest =
    ctx.dumps
      .flatMap((d) => d.result.chains)
      .map((c) => c.newestMicros)
      .find((v) => v !== null) ?? null;
  if (!a || noDump)
    skipStep(
      ctx.findings,
      'cross.timing',
      'cross',
      'dump, metadata and certificates were taken together',
      'no archive or dump',
    );
  else
    await runStep(
      ctx.findings,
      ctx.opts.strict,
      'cross.timing',
      'cross',
      'dump, metadata and certificates were taken together',
      () => {
        const folders = [
          ...(a.layout.tufMetadata !== undefined
            ? [{ name: 'TUF metadata', path: a.layout.tufMetadata }]
            : []),
          ...(a.layout.certs !== undefined ? [{ name: 'certificate', path: a.layout.certs }] : []),
        ];
        section['timing'] = checkTiming(
          {
            newestAuditMs: newest === null ? null : Math.floor(newest / 1000),
            entries: a.entries,
            folders,
            dumps: ctx.dumps.map((d) => d.result.facts),
            windowSeconds: p.cross.clockSkewSeconds,
          },
          ctx.findings,
        );
      },
    );
}
