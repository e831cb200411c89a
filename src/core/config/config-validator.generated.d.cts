// The types of config-validator.generated.cjs (written by scripts/config-validator.ts).
import type { ValidateFunction } from 'ajv';

declare const validate: ValidateFunction;
export = validate;
