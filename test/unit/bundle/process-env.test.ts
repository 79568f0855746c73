import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { FUNCTION_PROCESS_ENV, functionNames } from '../../../hack/bundle.ts';

const root = path.resolve(import.meta.dirname, '../../..');

// Images carry FUNCTION_PROCESS_ENV; kn func builds from the folder with its own builder, so func.yaml must carry
// the same settings or a function deployed that way runs with V8's and glibc's large-server defaults.
describe('the process settings of a function deployed with kn func', () => {
  it.each(functionNames().map((name) => [name]))(
    'are the images’ in functions/%s/func.yaml',
    async (name) => {
      const func = parse(await readFile(path.join(root, 'functions', name, 'func.yaml'), 'utf8')) as {
        run?: { envs?: { name: string; value: unknown }[] };
      };
      const envs = new Map((func.run?.envs ?? []).map((e) => [e.name, String(e.value)]));
      for (const [key, value] of Object.entries(FUNCTION_PROCESS_ENV)) {
        expect(envs.get(key), `run.envs ${key} in functions/${name}/func.yaml`).toBe(value);
      }
    },
  );
});
