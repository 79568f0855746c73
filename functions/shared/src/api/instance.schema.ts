import { z } from 'zod';
import { commonStatusFields, countSet, int32, nameRef, nonBlank, timestamp, withRules } from './common.ts';

const duration = (description: string) =>
  z
    .string()
    .regex(/^([0-9]+(s|m|h))+$/, 'must be a duration such as 30m or 1h30m')
    .describe(description);

export const INSTANCE_PHASES = ['Pending', 'Starting', 'Running', 'Idle', 'Terminating', 'Failed'] as const;

export const instanceSpecSchema = withRules(
  z.strictObject({
    serverTemplateRef: nameRef(
      'An MCPGServer in the same namespace whose pod template the instance copies.',
    ).optional(),
    image: z.string().min(1).optional().describe('Inline image when no server template is referenced.'),
    port: int32('MCP port of the inline image.').min(1).max(65535).default(8080),
    subjectKey: nonBlank('Who the instance serves: a user, role or group key, as the isolation mode says.'),
    isolation: z
      .enum(['shared', 'per-role', 'per-group', 'per-user'])
      .default('per-user')
      .describe('The isolation boundary: one pod shared, per role, per group or per user.'),
    secretName: z.string().optional().describe('Secret with the subject’s credentials, injected as envFrom.'),
    idleTTL: duration('Delete the instance after this long without use.').default('30m'),
    maxLifetime: duration('Delete the instance this long after it started, used or not.').default('24h'),
  }),
  'A per-subject MCP server pod, garbage-collected when idle.',
  [
    {
      cel: 'has(self.serverTemplateRef) != has(self.image)',
      message: 'set exactly one of serverTemplateRef or image',
      holds: (i) => countSet(i.serverTemplateRef, i.image) === 1,
    },
  ],
);

export const instanceStatusSchema = z
  .strictObject({
    ...commonStatusFields,
    phase: z.enum(INSTANCE_PHASES).optional().describe('Lifecycle phase.'),
    podName: z.string().optional().describe('The instance’s pod.'),
    serviceURL: z.string().optional().describe('In-cluster URL of the instance’s MCP endpoint.'),
    startedAt: timestamp('When the pod first became ready.').optional(),
    expiresAt: timestamp(
      'When spec.maxLifetime runs out (from startedAt, or from creation until then); the instance is deleted then.',
    ).optional(),
    lastUsedAt: timestamp('When the gateway last routed a call to it (written by the gateway).').optional(),
  })
  .describe('Observed state of the instance.');

export type InstanceSpec = z.infer<typeof instanceSpecSchema>;
