/** What the webhook's ServiceAccount may do: read MCPG objects, namespaces and Ingresses, and ask the authorizer. */
import { GROUP, KINDS } from '@mcpg-functions/shared/api';

export const ADMISSION_RULES = [
  { apiGroups: [GROUP], resources: KINDS.map((k) => k.plural).sort(), verbs: ['get', 'list', 'watch'] },
  { apiGroups: [''], resources: ['namespaces'], verbs: ['get', 'list', 'watch'] },
  // Hosts already served by other namespaces.
  { apiGroups: ['networking.k8s.io'], resources: ['ingresses'], verbs: ['list'] },
  // Whether a Secret or ConfigMap an object newly names carries the watch label: read as metadata only, and only
  // after the requesting user's own right to read it is confirmed.
  { apiGroups: [''], resources: ['secrets', 'configmaps'], verbs: ['get'] },
  // Whether the requesting user may use what an object names (SubjectAccessReview with their identity).
  { apiGroups: ['authorization.k8s.io'], resources: ['subjectaccessreviews'], verbs: ['create'] },
];
