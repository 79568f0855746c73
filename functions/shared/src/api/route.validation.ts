import type { ValidationResult } from './field-errors.ts';
import type { RouteSpec } from './route.schema.ts';

export function validateRouteSpec(spec: RouteSpec): ValidationResult {
  const warnings =
    Object.keys(spec.attributes ?? {}).length === 0
      ? [
          'spec.attributes is empty: the route grants its tools to every caller of the gateway; set attributes.tenant',
        ]
      : [];
  return { errors: [], warnings };
}
