/**
 * mcpg: the offline tools for GitOps pipelines and for working with the functions.
 *   mcpg validate [--output text|json] <file, folder or ->...   check mcpg.dev manifests without a cluster
 *   mcpg replay [--event n|id]... [--namespace ns] <fixture> <url>   send recorded CloudEvents to a function
 */
import { parseArgs } from 'node:util';
import type { Io } from './io.ts';
import { replay } from './replay.ts';
import { validate, type OutputFormat } from './validate.ts';

export const USAGE = `usage:
  mcpg validate [--output text|json] <file, folder or - for standard input>...
      checks mcpg.dev manifests (YAML or JSON) against every rule that needs no cluster;
      exit 0 valid, 1 errors found, 2 a path that does not exist
  mcpg replay [--event <position or ce-id>]... [--namespace <namespace>] <fixture.json> <function URL>
      sends recorded CloudEvents (binary mode) to a running function and prints each answer;
      exit 0 every answer 2xx, 1 otherwise`;

const OUTPUTS: readonly OutputFormat[] = ['text', 'json'];

/** Runs one command line; resolves with the exit code. */
export async function run(argv: readonly string[], io: Io): Promise<number> {
  const [command, ...rest] = argv;
  try {
    if (command === 'validate') return await runValidate(rest, io);
    if (command === 'replay') return await runReplay(rest, io);
    if (command === 'help' || command === '--help' || command === '-h') {
      io.out(USAGE);
      return 0;
    }
    throw new UsageError(
      command === undefined ? 'name a command' : `unknown command ${JSON.stringify(command)}`,
    );
  } catch (error) {
    if (!(error instanceof UsageError) && !isParseArgsError(error)) throw error;
    io.err(`mcpg: ${(error as Error).message}\n${USAGE}`);
    return 2;
  }
}

class UsageError extends Error {}

function isParseArgsError(error: unknown): boolean {
  return (
    typeof error === 'object' &&
    error !== null &&
    String((error as { code?: unknown }).code).startsWith('ERR_PARSE_ARGS')
  );
}

async function runValidate(args: string[], io: Io): Promise<number> {
  const { values, positionals } = parseArgs({
    args,
    allowPositionals: true,
    options: { output: { type: 'string', short: 'o', default: 'text' } },
  });
  const output = OUTPUTS.find((o) => o === values.output);
  if (!output) throw new UsageError(`--output must be text or json (got ${JSON.stringify(values.output)})`);
  if (positionals.length === 0) throw new UsageError('validate needs at least one file, folder or -');
  return validate(positionals, output, io);
}

async function runReplay(args: string[], io: Io): Promise<number> {
  const { values, positionals } = parseArgs({
    args,
    allowPositionals: true,
    options: { event: { type: 'string', multiple: true, default: [] }, namespace: { type: 'string' } },
  });
  const [fixture, url, ...extra] = positionals;
  if (fixture === undefined || url === undefined || extra.length > 0) {
    throw new UsageError('replay needs a fixture file and the function URL');
  }
  return replay({ fixture, url, events: values.event, namespace: values.namespace }, io);
}
