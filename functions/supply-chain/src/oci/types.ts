/** What the OCI distribution API hands around: media types, descriptors and manifests. */

export const MediaTypes = {
  ociManifest: 'application/vnd.oci.image.manifest.v1+json',
  ociIndex: 'application/vnd.oci.image.index.v1+json',
  dockerManifest: 'application/vnd.docker.distribution.manifest.v2+json',
  dockerList: 'application/vnd.docker.distribution.manifest.list.v2+json',
  ociEmpty: 'application/vnd.oci.empty.v1+json',
} as const;

export const MANIFEST_ACCEPT = [
  MediaTypes.ociManifest,
  MediaTypes.ociIndex,
  MediaTypes.dockerManifest,
  MediaTypes.dockerList,
].join(', ');

export interface Descriptor {
  mediaType: string;
  digest: string;
  size: number;
  artifactType?: string | undefined;
  annotations?: Record<string, string> | undefined;
}

export interface ManifestDocument {
  schemaVersion?: number;
  mediaType?: string;
  artifactType?: string;
  config?: Descriptor;
  layers?: Descriptor[];
  manifests?: Descriptor[];
  subject?: Descriptor;
  annotations?: Record<string, string>;
}

export interface Manifest {
  digest: string;
  mediaType: string;
  bytes: Buffer;
  document: ManifestDocument;
}

export type PushOutcome = 'exists' | 'mounted' | 'uploaded';
