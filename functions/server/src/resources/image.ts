/** Rewrites an image reference to another registry, keeping repository path, tag and digest. */
export function withRegistry(image: string, registryOverride: string | undefined): string {
  if (!registryOverride) return image;
  const [first, ...rest] = image.split('/');
  // The first part names a registry when it looks like a host; otherwise the image lives on Docker Hub.
  const hasRegistry =
    rest.length > 0 &&
    first !== undefined &&
    (first.includes('.') || first.includes(':') || first === 'localhost');
  const path = hasRegistry ? rest.join('/') : rest.length > 0 ? image : `library/${image}`;
  return `${registryOverride.replace(/\/+$/, '')}/${path}`;
}
