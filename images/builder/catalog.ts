/**
 * Every image the project ships, and what goes into each: the reconcile functions and the admission webhook (one
 * image per function folder: Node.js, its libraries, the function's bundle), the plugin fetcher and the stdio
 * bridge (static Go programs alone), the test MCP servers, and the pod sandbox image of the test bed.
 */
import path from 'node:path';
import { build } from 'esbuild';
import { bundle, ESM_REQUIRE_BANNER, FUNCTION_PROCESS_ENV, functionNames } from '../../hack/bundle.ts';
import { buildLayer, type BuiltLayer, type ImageSpec, type LayerEntry } from './oci.ts';
import { goProgram, nodeRuntime, REPO_ROOT, type Component } from './sources.ts';

/** uid/gid of the images' user: no name, no home, no shell. */
export const NONROOT = '65532:65532';

export interface ImageRecipe {
  name: string;
  /** Path under the registry; the function images sit under mcpg-functions/, where the chart looks for them. */
  repository: string;
  /** What the image holds, for docs/images.md. */
  summary: string;
  /** `scratch` is an empty folder for files the layers are made from; it is removed once the image is built. */
  contents: (
    runtime: () => Promise<RuntimeLayer>,
    scratch: string,
  ) => Promise<Omit<ImageSpec, 'annotations' | 'user'> & { components: Component[] }>;
}

export interface RuntimeLayer {
  layer: BuiltLayer;
  components: Component[];
}

/** The Node.js layer, built once per run and shared by every Node image (the registry stores it once). */
export function runtimeLayer(): () => Promise<RuntimeLayer> {
  let pending: Promise<RuntimeLayer> | undefined;
  return () =>
    (pending ??= nodeRuntime().then(async (runtime) => ({
      layer: await buildLayer(runtime.entries),
      components: runtime.components,
    })));
}

const NODE_ENTRY = (script: string) => ['/usr/local/bin/node', script];

function functionRecipe(name: string): ImageRecipe {
  return {
    name,
    repository: `mcpg-functions/${name}`,
    summary:
      name === 'admission'
        ? 'the admission webhook (Knative function and the always-on webhook Deployment): Node.js and its bundle'
        : `the ${name} reconcile function: Node.js and its bundle`,
    contents: async (runtime) => {
      // The folder `make bundle` fills: source map paths relative to it are the same in every checkout.
      const outDir = path.dirname(await bundle(name));
      const base = await runtime();
      return {
        layers: [base.layer, [{ path: 'app', source: outDir }]],
        entrypoint: NODE_ENTRY('/app/function.mjs'),
        env: ['NODE_ENV=production', ...Object.entries(FUNCTION_PROCESS_ENV).map(([k, v]) => `${k}=${v}`)],
        workdir: '/app',
        components: [
          ...base.components,
          {
            name: `@mcpg-functions/${name}`,
            version: 'source',
            purl: `pkg:npm/%40mcpg-functions/${name}@source`,
          },
        ],
      };
    },
  };
}

function goRecipe(name: string, dir: string, file: string, summary: string): ImageRecipe {
  return {
    name,
    repository: name,
    summary,
    contents: async (_runtime, scratch) => {
      const program = await goProgram(dir, file, scratch);
      return {
        layers: [[{ path: file, source: program.binary, mode: 0o755 }]],
        entrypoint: [`/${file}`],
        components: program.components,
      };
    },
  };
}

/** A test program of ours (`images/<dir>/<entry>.ts`): its TypeScript bundled into one file, run by Node.js. */
function testProgramRecipe(name: string, entry: string, summary: string, env?: string[]): ImageRecipe {
  return {
    name,
    repository: name,
    summary,
    contents: async (runtime, outDir) => {
      await build({
        absWorkingDir: REPO_ROOT,
        entryPoints: [path.join(REPO_ROOT, 'images', `${entry}.ts`)],
        bundle: true,
        platform: 'node',
        format: 'esm',
        target: 'node24',
        outfile: path.join(outDir, 'server.mjs'),
        banner: ESM_REQUIRE_BANNER,
        logLevel: 'warning',
      });
      const base = await runtime();
      const app: LayerEntry[] = [
        { path: 'app/server.mjs', source: path.join(outDir, 'server.mjs'), mode: 0o644 },
      ];
      return {
        layers: [base.layer, app],
        entrypoint: NODE_ENTRY('/app/server.mjs'),
        ...(env ? { env } : {}),
        components: base.components,
      };
    },
  };
}

export function recipes(): ImageRecipe[] {
  return [
    ...functionNames().map(functionRecipe),
    goRecipe(
      'plugin-fetcher',
      'images/plugin-fetcher',
      'plugin-fetcher',
      "the gateway pods' plugin fetcher init container: one static Go program",
    ),
    goRecipe(
      'stdio-bridge',
      'images/stdio-bridge',
      'mcpg-stdio-bridge',
      'the stdio bridge MCPGServer pods copy in: one static Go program',
    ),
    testProgramRecipe(
      'mcp-test-http',
      'mcp-test-server/http',
      'a tiny streamable-HTTP MCP server (initialize, tools/list) for tests and the demo',
      ['PORT=8080'],
    ),
    testProgramRecipe(
      'mcp-test-stdio',
      'mcp-test-server/stdio',
      'the same MCP server over stdio, to run behind the stdio bridge',
    ),
    testProgramRecipe(
      'event-recorder',
      'event-recorder/recorder',
      'a CloudEvents sink for tests: keeps what it receives and lists it at GET /events',
      ['PORT=8080'],
    ),
  ];
}
