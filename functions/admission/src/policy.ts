/**
 * The operator's settings the webhook applies: what MCPG objects may ask of Ingress controllers (shared with the
 * functions that render Ingresses) and which namespace no tenant may claim.
 */
import { DEFAULT_INGRESS_POLICY, type IngressPolicy } from '@mcpg-functions/shared/workloads';

export interface AdmissionPolicy extends IngressPolicy {
  /** The namespace the operator runs in, which no tenant may claim (empty: unknown). */
  operatorNamespace: string;
}

export const OPEN_POLICY: AdmissionPolicy = { ...DEFAULT_INGRESS_POLICY, operatorNamespace: '' };
