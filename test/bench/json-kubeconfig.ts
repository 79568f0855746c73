import { readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { parse } from 'yaml';

/**
 * The control plane's kubeconfig rewritten as JSON in `dir`: a function reads a JSON kubeconfig without loading the
 * YAML parser, as in a cluster, where it reads none, so its memory is measured as deployed.
 */
export async function jsonKubeconfig(kubeconfig: string, dir: string): Promise<string> {
  const written = path.join(dir, 'kubeconfig.json');
  await writeFile(written, JSON.stringify(parse(await readFile(kubeconfig, 'utf8'))));
  return written;
}
