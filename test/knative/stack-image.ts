/**
 * Images of the Knative stack's parts (Serving, Eventing, the networking layer, cert-manager): static Go binaries
 * built from the Go module proxy, each placed alone in an image and pushed to the bed's registry. They are the
 * upstream programs unchanged; only the packaging is ours, done the way images/builder packages our own programs.
 */
import { buildImage, pushImage, type PushTarget } from '../../images/builder/oci.ts';
import { NONROOT } from '../../images/builder/catalog.ts';


export interface StackImage {
  /** Repository under the registry, e.g. `knative/serving/controller`. */
  repository: string;
  /** The module version the binary was built from: the image's tag. */
  version: string;
  /** The built binary; it sits at `/<name>` in the image and is its entrypoint. */
  binary: string;
  name: string;
  /** Upstream's source address, recorded as the image's source annotation. */
  source: string;
  license: string;
  /** Extra files, e.g. the `KO_DATA_PATH` folder some Knative programs read. */
  files?: { path: string; content: string }[];
  env?: string[];
}

/** Builds and pushes one image; returns `<registry>/<repository>@<digest>`, the reference manifests should use. */
export async function pushStackImage(
  target: PushTarget & { registry: string },
  image: StackImage,
): Promise<string> {
  const built = await buildImage({
    layers: [
      [
        { path: image.name, source: image.binary, mode: 0o755 },
        ...(image.files ?? []).map((file) => ({ path: file.path, content: file.content })),
      ],
    ],
    entrypoint: [`/${image.name}`],
    ...(image.env ? { env: image.env } : {}),
    user: NONROOT,
    annotations: {
      'org.opencontainers.image.title': image.repository,
      'org.opencontainers.image.source': image.source,
      'org.opencontainers.image.version': image.version,
      'org.opencontainers.image.licenses': image.license,
    },
  });
  const repository = `${target.registry}/${image.repository}`;
  const digest = await pushImage(target, `${repository}:${image.version}`, built);
  return `${repository}@${digest}`;
}
