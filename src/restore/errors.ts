// The database check cannot run (connection, credentials, a table the command needs, a lost
// connection mid-stream): this is never a finding. A partial comparison would read like a pass,
// so the command stops with exit code 2 and no report.

export class CannotRunError extends Error {
  override readonly name = 'CannotRunError';
}

/** --timeout expired (VerifyOptions.signal): the steps not finished are skipped, never judged on
 *  what they had read so far (a half-read table would show its unread rows as missing). */
export class StoppedError extends Error {
  override readonly name = 'StoppedError';
}

interface PgLikeError {
  code?: unknown;
  message?: unknown;
}

/** SQLSTATE classes and error codes → what the operator should hear. */
function hint(code: string): string {
  if (code === '28P01' || code === '28000') return 'wrong user name or password, or no access allowed';
  if (code === '3D000') return 'no such database';
  if (code === '42501') return 'permission denied: the user needs SELECT on the tables meshverify reads';
  if (code === '42P01') return 'a table is missing';
  if (code === '42703') return 'a column is missing';
  if (code === '40001' || code === '40P01')
    return 'the database changed in a way the read-only snapshot could not serialise; run the check again';
  if (code === '57014')
    return 'the query was cancelled (statement_timeout, or a conflict with recovery on a standby)';
  if (code.startsWith('57P')) return 'the server shut down or ended the session during the check';
  if (code.startsWith('08')) return 'the connection failed';
  if (code === 'ECONNREFUSED') return 'nothing listens at that address';
  if (code === 'ENOTFOUND' || code === 'EAI_AGAIN') return 'unknown host name';
  if (code === 'ETIMEDOUT' || code === 'ECONNRESET' || code === 'EPIPE')
    return 'the connection failed or was cut';
  return '';
}

/** Wrap any error from the pg client in a CannotRunError that says what was being done. */
export function cannotRun(what: string, e: unknown): CannotRunError {
  if (e instanceof CannotRunError) return e;
  const pe = (typeof e === 'object' && e !== null ? e : {}) as PgLikeError;
  const code = typeof pe.code === 'string' ? pe.code : '';
  let msg = e instanceof Error ? e.message : typeof pe.message === 'string' ? pe.message : String(e);
  // AggregateError (several addresses refused) has an empty message.
  if (msg === '' && e instanceof AggregateError)
    msg = e.errors.map((x) => (x instanceof Error ? x.message : String(x))).join('; ');
  const h = hint(code);
  return new CannotRunError(`${what}: ${msg}${code ? ` [${code}]` : ''}${h ? ` (${h})` : ''}`);
}
