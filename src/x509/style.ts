// How renderCertText colours its output. The CLI passes chalk-backed functions; the library never
// imports chalk, so it stays usable without a terminal.
export interface Style {
  ok(s: string): string;
  bad(s: string): string;
  warn(s: string): string;
  dim(s: string): string;
  bold(s: string): string;
}

const id = (s: string): string => s;

/** No colours: for logs, tests and non-TTY output. */
export const PLAIN_STYLE: Style = { ok: id, bad: id, warn: id, dim: id, bold: id };
