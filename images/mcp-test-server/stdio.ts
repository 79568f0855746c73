/** The test MCP server over stdio: one JSON-RPC message per line in, one per line out. */
import readline from 'node:readline';
import { answer, type JsonRpcMessage } from './protocol.ts';

const lines = readline.createInterface({ input: process.stdin });
lines.on('line', (line) => {
  let message: JsonRpcMessage;
  try {
    message = JSON.parse(line) as JsonRpcMessage;
  } catch {
    return;
  }
  const response = answer(message, 'mcpg-test-stdio');
  if (response) process.stdout.write(`${JSON.stringify(response)}\n`);
});
lines.on('close', () => process.exit(0));
