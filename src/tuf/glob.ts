// Delegation path patterns (spec "PATHPATTERN"): shell-style, matched segment by segment, so `*`
// and `?` never match `/` (as python-tuf: split both on "/", same segment count, fnmatch each).
// A non-backtracking-explosive matcher: hostile patterns cannot make it slow (O(n·m) per segment).

type Tok =
  | { t: 'lit'; c: string }
  | { t: 'any' }
  | { t: 'star' }
  | { t: 'class'; neg: boolean; items: Array<[string, string]> };

function tokenize(pattern: string): Tok[] {
  const cps = Array.from(pattern);
  const out: Tok[] = [];
  for (let i = 0; i < cps.length; i++) {
    const c = cps[i] ?? '';
    if (c === '*') {
      if (out[out.length - 1]?.t !== 'star') out.push({ t: 'star' });
    } else if (c === '?') out.push({ t: 'any' });
    else if (c === '[') {
      // fnmatch: "[!" negates; a "]" right after "[" or "[!" is a member; no closing "]" → literal "[".
      let j = i + 1;
      let neg = false;
      if (cps[j] === '!') {
        neg = true;
        j++;
      }
      let k = j;
      if (cps[k] === ']') k++;
      while (k < cps.length && cps[k] !== ']') k++;
      if (k >= cps.length) {
        out.push({ t: 'lit', c });
        continue;
      }
      const body = cps.slice(j, k);
      const items: Array<[string, string]> = [];
      for (let m = 0; m < body.length; m++) {
        const a = body[m] ?? '';
        const b = body[m + 2];
        if (body[m + 1] === '-' && b !== undefined) {
          items.push([a, b]);
          m += 2;
        } else items.push([a, a]);
      }
      out.push({ t: 'class', neg, items });
      i = k;
    } else out.push({ t: 'lit', c });
  }
  return out;
}

function one(tok: Tok, ch: string): boolean {
  switch (tok.t) {
    case 'lit':
      return tok.c === ch;
    case 'any':
      return true;
    case 'star':
      return false;
    case 'class': {
      const cp = ch.codePointAt(0) ?? 0;
      const inside = tok.items.some(
        ([a, b]) => cp >= (a.codePointAt(0) ?? 0) && cp <= (b.codePointAt(0) ?? -1),
      );
      return inside !== tok.neg;
    }
  }
}

/** fnmatch of one segment (no "/" inside either argument). */
export function matchSegment(pattern: string, text: string): boolean {
  const toks = tokenize(pattern);
  const s = Array.from(text);
  let ti = 0;
  let si = 0;
  let starT = -1;
  let starS = 0;
  while (si < s.length) {
    const tok = toks[ti];
    if (tok && tok.t !== 'star' && one(tok, s[si] ?? '')) {
      ti++;
      si++;
    } else if (tok?.t === 'star') {
      starT = ti++;
      starS = si;
    } else if (starT >= 0) {
      ti = starT + 1;
      si = ++starS;
    } else return false;
  }
  while (toks[ti]?.t === 'star') ti++;
  return ti === toks.length;
}

/** Does target path `path` match delegation pattern `pattern`? */
export function matchPathPattern(pattern: string, path: string): boolean {
  const ps = pattern.split('/');
  const ts = path.split('/');
  if (ps.length !== ts.length) return false;
  for (let i = 0; i < ps.length; i++) if (!matchSegment(ps[i] ?? '', ts[i] ?? '')) return false;
  return true;
}
