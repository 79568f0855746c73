/**
 * Whether every field we want is already on the live object with the same value. Fields the API server or
 * other managers added are ignored, so an unchanged object costs no write and a drifted one is re-applied.
 */
export function isSubset(desired: unknown, live: unknown): boolean {
  // The API server drops empty lists and maps from what it stores.
  if (live === undefined && isEmpty(desired)) return true;
  if (Array.isArray(desired)) return isListSubset(desired, live);
  if (typeof desired === 'object' && desired !== null) return isMapSubset(desired, live);
  return desired === live;
}

function isListSubset(desired: unknown[], live: unknown): boolean {
  return (
    Array.isArray(live) && desired.length === live.length && desired.every((d, i) => isSubset(d, live[i]))
  );
}

function isMapSubset(desired: object, live: unknown): boolean {
  if (typeof live !== 'object' || live === null || Array.isArray(live)) return false;
  const liveRecord = live as Record<string, unknown>;
  return Object.entries(desired).every(
    ([key, value]) => value === undefined || isSubset(value, liveRecord[key]),
  );
}

function isEmpty(value: unknown): boolean {
  if (Array.isArray(value)) return value.length === 0;
  return typeof value === 'object' && value !== null && Object.keys(value).length === 0;
}
