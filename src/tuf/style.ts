// How renderTufText colours its lines. The CLI passes chalk-backed functions; tests pass identity
// functions. Kept as an interface so this library never depends on a terminal library.
export interface Style {
  ok(s: string): string;
  bad(s: string): string;
  warn(s: string): string;
  dim(s: string): string;
  bold(s: string): string;
}

/** A Style that adds nothing (plain text, JSON-friendly tests). */
export const PLAIN_STYLE: Style = {
  ok: (s) => s,
  bad: (s) => s,
  warn: (s) => s,
  dim: (s) => s,
  bold: (s) => s,
};
