/** The admission benchmarks' review: a CREATE of the example gateway in a tenant's namespace, which is allowed. */
import { example } from '../fixtures/examples.ts';

export const REVIEWED_NAMESPACE = 'team-a';

/** The tenant holding the namespace, with a cap that admits the example gateway (autoscaling up to 10). */
export const reviewTenant = () =>
  example('MCPGTenant', { namespaces: [REVIEWED_NAMESPACE], quotas: { maxReplicasPerGateway: 10 } });

export const gatewayReview = JSON.stringify({
  apiVersion: 'admission.k8s.io/v1',
  kind: 'AdmissionReview',
  request: {
    uid: '705ab4f5-6393-11e8-b7cc-42010a800002',
    kind: { group: 'mcpg.dev', version: 'v1alpha2', kind: 'MCPGGateway' },
    resource: { group: 'mcpg.dev', version: 'v1alpha2', resource: 'mcpggateways' },
    namespace: REVIEWED_NAMESPACE,
    name: 'gw',
    operation: 'CREATE',
    userInfo: { username: 'alice', groups: ['system:authenticated'] },
    object: { ...example('MCPGGateway'), metadata: { name: 'gw', namespace: REVIEWED_NAMESPACE } },
  },
});
