// The few Reflect metadata calls tsyringe (a dependency of @peculiar/x509) makes, so no polyfill package is needed.
// Installed only when absent; import this module before @peculiar/x509.
type Key = unknown;
const store = new WeakMap<object, Map<Key, unknown>>();
const R = Reflect as unknown as Record<string, unknown>;

function own(target: object, prop?: PropertyKey): Map<Key, unknown> | undefined {
  const t = prop === undefined ? target : (target as Record<PropertyKey, object>)[prop];
  return t && (typeof t === 'object' || typeof t === 'function') ? store.get(t) : undefined;
}

if (typeof R.getMetadata !== 'function') {
  R.defineMetadata = (key: Key, value: unknown, target: object): void => {
    let m = store.get(target);
    if (!m) store.set(target, (m = new Map()));
    m.set(key, value);
  };
  R.getOwnMetadata = (key: Key, target: object, prop?: PropertyKey): unknown => own(target, prop)?.get(key);
  R.getMetadata = (key: Key, target: object, prop?: PropertyKey): unknown => {
    for (let t: object | null = target; t; t = Object.getPrototypeOf(t) as object | null) {
      const m = own(t, prop);
      if (m?.has(key)) return m.get(key);
    }
    return undefined;
  };
  R.hasMetadata = (key: Key, target: object, prop?: PropertyKey): boolean =>
    (R.getMetadata as (k: Key, t: object, p?: PropertyKey) => unknown)(key, target, prop) !== undefined;
  R.metadata =
    (key: Key, value: unknown) =>
    (target: object): void =>
      (R.defineMetadata as (k: Key, v: unknown, t: object) => void)(key, value, target);
}
export {};
