import { createRegistry } from '../../src/engine/registry.ts';
import { ALL_RULES } from '../../src/rules/index.ts';

/** The registry the CLI and the operator run with: tests use the same rules as the product. */
export const REGISTRY = createRegistry(ALL_RULES);
