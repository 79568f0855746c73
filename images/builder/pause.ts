/** The pod sandbox image: images/pause/pause.c compiled static with the machine's gcc, alone in one layer. */
import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { buildImage, type BuiltImage } from './oci.ts';

const run = promisify(execFile);
const SOURCE = path.resolve(import.meta.dirname, '../pause/pause.c');

export async function buildPauseImage(annotations: Record<string, string>): Promise<BuiltImage> {
  const dir = mkdtempSync(path.join(tmpdir(), 'mcpg-pause-'));
  try {
    const binary = path.join(dir, 'pause');
    await run('gcc', ['-static', '-Os', '-s', '-o', binary, SOURCE]).catch((cause: unknown) => {
      throw new Error(
        `compiling ${SOURCE} failed: install gcc and libc6-dev (hack/install-debian-packages.sh)`,
        {
          cause,
        },
      );
    });
    return await buildImage({
      layers: [[{ path: 'pause', source: binary, mode: 0o755 }]],
      entrypoint: ['/pause'],
      user: '65535:65535',
      annotations,
    });
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
