import type { ErrorObject, ValidateFunction } from 'ajv';
import compiledValidator from './config-validator.generated.cjs';
import schemaJson from '../../../schemas/aam-config.schema.json' with { type: 'json' };

/** A JSON Schema node as this project's schema uses it. */
export interface SchemaNode {
  $ref?: string;
  description?: string;
  type?: string | string[];
  enum?: unknown[];
  const?: unknown;
  default?: unknown;
  pattern?: string;
  errorMessage?: string;
  properties?: Record<string, SchemaNode>;
  items?: SchemaNode;
  required?: string[];
  additionalProperties?: boolean | SchemaNode;
  propertyNames?: SchemaNode;
  definitions?: Record<string, SchemaNode>;
}

export const CONFIG_SCHEMA = schemaJson as unknown as SchemaNode;

function resolve(node: SchemaNode | undefined): SchemaNode | undefined {
  let current = node;
  for (let hops = 0; current?.$ref && hops < 8; hops++) {
    const name = current.$ref.replace('#/definitions/', '');
    const target: SchemaNode | undefined = CONFIG_SCHEMA.definitions?.[name];
    current = target ? { ...target, description: current.description ?? target.description } : undefined;
  }
  return current;
}

/** The schema that describes the value at `path` (list indexes descend into `items`). */
export function schemaAt(path: readonly (string | number)[]): SchemaNode | undefined {
  let node = resolve(CONFIG_SCHEMA);
  for (const segment of path) {
    if (!node) return undefined;
    node = typeof segment === 'number' ? resolve(node.items) : resolve(node.properties?.[segment]);
  }
  return node;
}

/**
 * The schema's validator, as Ajv compiles it (allErrors, strict, verbose,
 * union types, an `errorMessage` annotation): compiled at build time by
 * scripts/config-validator.ts, as compiling it at start-up cost more than
 * everything else a one-package verification does.
 */
export function configValidator(): ValidateFunction {
  return compiledValidator;
}

export type SchemaError = ErrorObject;
