import type { ValidationResult } from './field-errors.ts';
import type { ServerSpec } from './server.schema.ts';

export function validateServerSpec(spec: ServerSpec): ValidationResult {
  const warnings =
    spec.verify === undefined && !spec.image.includes('@sha256:')
      ? [
          'spec.image is not pinned by digest and spec.verify is unset: any image pushed under this tag will run',
        ]
      : [];
  return { errors: [], warnings };
}
