/**
 * The YAML parser, loaded on first use: a bundled function that never reads YAML (a JSON kubeconfig, no plugin
 * descriptor yet) never parses the parser's code, which stays in a chunk of its own.
 */
export async function parseYaml(text: string): Promise<unknown> {
  // Bundled, the parser's CommonJS build arrives as the module's default export.
  const yaml = (await import('yaml')) as typeof import('yaml') & { default?: typeof import('yaml') };
  const parse = yaml.default?.parse ?? yaml.parse;
  return parse(text);
}
