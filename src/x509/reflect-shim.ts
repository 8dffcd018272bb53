// @peculiar/x509 registers its algorithms through tsyringe, which refuses to load unless a Reflect
// metadata API exists, and no polyfill package is installed. This is the small subset tsyringe
// calls (reflect-metadata semantics, per target and property). Import it before @peculiar/x509:
// ES modules evaluate their imports in order, so this runs first.
type Key = unknown;
type Target = object;
const store = new WeakMap<Target, Map<string | symbol | undefined, Map<Key, unknown>>>();

function table(
  target: Target,
  prop: string | symbol | undefined,
  create: boolean,
): Map<Key, unknown> | undefined {
  let byProp = store.get(target);
  if (!byProp) {
    if (!create) return undefined;
    byProp = new Map();
    store.set(target, byProp);
  }
  let m = byProp.get(prop);
  if (!m && create) {
    m = new Map();
    byProp.set(prop, m);
  }
  return m;
}

function chain(target: Target): Target[] {
  const out: Target[] = [];
  for (
    let o: Target | null = target;
    o !== null && out.length < 64;
    o = Object.getPrototypeOf(o) as Target | null
  )
    out.push(o);
  return out;
}

const R = Reflect as unknown as Record<string, unknown>;
if (typeof R['getMetadata'] !== 'function') {
  const defineMetadata = (k: Key, v: unknown, t: Target, p?: string | symbol): void => {
    table(t, p, true)?.set(k, v);
  };
  Object.assign(R, {
    defineMetadata,
    getOwnMetadata: (k: Key, t: Target, p?: string | symbol): unknown => table(t, p, false)?.get(k),
    hasOwnMetadata: (k: Key, t: Target, p?: string | symbol): boolean => table(t, p, false)?.has(k) ?? false,
    getMetadata: (k: Key, t: Target, p?: string | symbol): unknown => {
      for (const o of chain(t)) {
        const m = table(o, p, false);
        if (m?.has(k)) return m.get(k);
      }
      return undefined;
    },
    hasMetadata: (k: Key, t: Target, p?: string | symbol): boolean =>
      chain(t).some((o) => table(o, p, false)?.has(k) ?? false),
    metadata:
      (k: Key, v: unknown) =>
      (t: Target, p?: string | symbol): void =>
        defineMetadata(k, v, t, p),
  });
}

export {};
