/**
 * The smallest useful MCP server: it answers `initialize`, `ping` and `tools/list` (one `echo` tool) and
 * `tools/call` of that tool. Images built from it give tests and the demo a real server to run on a real node.
 */
export interface JsonRpcMessage {
  jsonrpc?: string;
  id?: string | number | null;
  method?: string;
  params?: Record<string, unknown>;
}

const PROTOCOL_VERSION = '2025-06-18';

const ECHO_TOOL = {
  name: 'echo',
  description: 'Returns the text it is given.',
  inputSchema: { type: 'object', properties: { text: { type: 'string' } }, required: ['text'] },
};

function result(method: string, params: Record<string, unknown>, serverName: string): unknown {
  switch (method) {
    case 'initialize':
      return {
        protocolVersion:
          typeof params.protocolVersion === 'string' ? params.protocolVersion : PROTOCOL_VERSION,
        capabilities: { tools: { listChanged: false } },
        serverInfo: { name: serverName, version: '0.1.0' },
      };
    case 'ping':
      return {};
    case 'tools/list':
      return { tools: [ECHO_TOOL] };
    case 'tools/call':
      return params.name === 'echo'
        ? {
            content: [
              {
                type: 'text',
                text:
                  typeof params.arguments === 'object'
                    ? String((params.arguments as { text?: unknown }).text)
                    : '',
              },
            ],
          }
        : undefined;
    default:
      return undefined;
  }
}

/** The response to a message, or undefined for a notification (nothing is sent back). */
export function answer(message: JsonRpcMessage, serverName: string): Record<string, unknown> | undefined {
  if (message.id === undefined || message.id === null) return undefined;
  const base = { jsonrpc: '2.0', id: message.id };
  const value =
    typeof message.method === 'string' ? result(message.method, message.params ?? {}, serverName) : undefined;
  if (value !== undefined) return { ...base, result: value };
  return { ...base, error: { code: -32601, message: `method not found: ${String(message.method)}` } };
}
