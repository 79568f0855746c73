/** The command's entry point (bundled into dist/mcpg.cjs, which bin/mcpg.cjs loads once Node is new enough). */
import { processIo } from './io.ts';
import { run } from './main.ts';

run(process.argv.slice(2), processIo()).then(
  (code) => {
    process.exitCode = code;
  },
  (error: unknown) => {
    process.stderr.write(
      `mcpg: internal error: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`,
    );
    process.exitCode = 3;
  },
);
