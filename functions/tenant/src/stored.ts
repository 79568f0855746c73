/**
 * Fields of other kinds' objects read as stored, where the CRD schema is the only guarantee (it may have been
 * written under an older one): anything not of the expected shape reads as absent instead of throwing.
 */
export function listAt(value: unknown): unknown[] {
  return Array.isArray(value) ? value : [];
}

export interface StoredEntry {
  id: string;
  pluginRef: { name: string };
}

function isEntry(value: unknown): value is StoredEntry {
  const entry = value as { id?: unknown; pluginRef?: { name?: unknown } } | null;
  return typeof entry?.id === 'string' && typeof entry.pluginRef?.name === 'string';
}

/** The well-formed entries of a plugin set's spec. */
export function storedEntries(spec: unknown): StoredEntry[] {
  return listAt((spec as { entries?: unknown } | null | undefined)?.entries).filter(isEntry);
}

/** The namespaces a tenant's spec lists. */
export function storedNamespaces(spec: unknown): string[] {
  return listAt((spec as { namespaces?: unknown } | null | undefined)?.namespaces).filter(
    (n): n is string => typeof n === 'string',
  );
}
