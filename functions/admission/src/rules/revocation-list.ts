import type { RevocationListSpec } from '@mcpg-functions/shared/api';
import { NOTHING, type CrossObjectRule } from './context.ts';

export const AUTHORITATIVE_REVOCATION_LIST = 'cluster-default';

/** Only the authoritative list applies everywhere; say so when another one is written. */
export const revocationListRules: CrossObjectRule<RevocationListSpec> = ({ name }) =>
  Promise.resolve(
    name === AUTHORITATIVE_REVOCATION_LIST
      ? NOTHING
      : {
          errors: [],
          warnings: [
            `MCPGRevocationList ${name} applies only to gateways whose spec.revocationListRef names it; ${AUTHORITATIVE_REVOCATION_LIST} applies to all`,
          ],
        },
  );
