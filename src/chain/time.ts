// Epoch microseconds → ISO-8601 UTC text, for findings only (not a hot path).
export function formatMicros(us: number): string {
  if (us === Infinity) return 'infinity';
  if (us === -Infinity) return '-infinity';
  if (Number.isNaN(us)) return 'unknown';
  const ms = Math.floor(us / 1000);
  const d = new Date(ms);
  if (Number.isNaN(d.getTime())) return `${us}us`;
  const frac = String(((us % 1_000_000) + 1_000_000) % 1_000_000).padStart(6, '0');
  return d.toISOString().replace(/\.\d{3}Z$/, `.${frac}Z`);
}
