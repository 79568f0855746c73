/** Sends what a PingSource sends: a `dev.knative.sources.ping` CloudEvent in binary mode, asking for a resync. */
let sent = 0;

export function sendPing(functionUrl: string, extraHeaders: Record<string, string> = {}): Promise<Response> {
  sent += 1;
  return fetch(`${functionUrl}/`, {
    method: 'POST',
    headers: {
      ...extraHeaders,
      'content-type': 'application/json',
      'ce-specversion': '1.0',
      'ce-id': `ping-${process.pid}-${sent}`,
      'ce-type': 'dev.knative.sources.ping',
      'ce-source': '/apis/v1/namespaces/mcpg-system/pingsources/resync',
    },
    body: '{}',
  });
}
