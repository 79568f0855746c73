/** The admission function's settings, read from the environment once at start (the only reader of process.env). */
import { z } from 'zod';
import { commaList, ingressPolicyOf, ingressPolicySettings } from '@mcpg-functions/shared/workloads';
import type { AdmissionPolicy } from './policy.ts';

const configSchema = ingressPolicySettings.extend({
  MCPG_ADMISSION_HOST: z.string().default('0.0.0.0'),
  MCPG_ADMISSION_PORT: z.coerce.number().int().min(1).max(65535).default(9443),
  MCPG_TLS_CERT_FILE: z.string().default('/etc/mcpg/tls/tls.crt'),
  MCPG_TLS_KEY_FILE: z.string().default('/etc/mcpg/tls/tls.key'),
  MCPG_LOOKUP_FAILURE_POLICY: z.enum(['Fail', 'Ignore']).default('Fail'),
  MCPG_PRIVILEGED_GROUPS: commaList('system:masters'),
  MCPG_OPERATOR_NAMESPACE: z.string().default(''),
  // The API server caps objects at about 3 MiB; a review carries the object and the old object.
  MCPG_BODY_LIMIT_BYTES: z.coerce
    .number()
    .int()
    .min(1024)
    .default(7 * 1024 * 1024),
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace']).default('info'),
  KUBECONFIG: z.string().optional(),
});

export type AdmissionConfig = z.infer<typeof configSchema>;

export function readConfig(env: NodeJS.ProcessEnv = process.env): AdmissionConfig {
  const parsed = configSchema.safeParse(env);
  if (!parsed.success) {
    const problems = parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ');
    throw new Error(`invalid admission settings: ${problems}`);
  }
  return parsed.data;
}

export function policyOf(config: AdmissionConfig): AdmissionPolicy {
  return { ...ingressPolicyOf(config), operatorNamespace: config.MCPG_OPERATOR_NAMESPACE };
}
