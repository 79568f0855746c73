import { stringify } from 'yaml';
import { GROUP } from '../api/common.ts';
import { KINDS } from '../api/kinds.ts';
import { buildCrd } from './crd.ts';

const HEADER =
  '# Generated from the zod schemas in functions/shared/src/api by `make generate`. Do not edit.\n';

/** Every CRD as file name → YAML text, in a stable order. */
export function renderCrds(): Map<string, string> {
  return new Map(
    KINDS.map((kind) => [
      `${GROUP}_${kind.plural}.yaml`,
      HEADER + stringify(buildCrd(kind), { lineWidth: 0 }),
    ]),
  );
}
