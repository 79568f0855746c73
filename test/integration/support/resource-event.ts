/**
 * An update CloudEvent for one object, in binary mode as Knative's ApiServerSource adapter sends it (the payload
 * is only a hint: functions re-read the object). Resolves with the function's HTTP status.
 */
export async function sendResourceEvent(
  functionUrl: string,
  object: { kind: string; name: string; namespace?: string | undefined },
): Promise<number> {
  const { kind, name, namespace } = object;
  const response = await fetch(`${functionUrl}/`, {
    method: 'POST',
    headers: {
      'content-type': 'application/json',
      'ce-specversion': '1.0',
      'ce-id': `${kind}-${name}-${Date.now()}`,
      'ce-source': 'tests',
      'ce-type': 'dev.knative.apiserver.resource.update',
      'ce-apiversion': 'mcpg.dev/v1alpha2',
      'ce-kind': kind,
      'ce-name': name,
      ...(namespace === undefined ? {} : { 'ce-namespace': namespace }),
    },
    // The object as far as the event names it: a strict receiver refuses data that names no object.
    body: JSON.stringify({
      apiVersion: 'mcpg.dev/v1alpha2',
      kind,
      metadata: { name, ...(namespace === undefined ? {} : { namespace }) },
    }),
  });
  return response.status;
}
