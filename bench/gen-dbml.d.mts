// Types for bench/gen-dbml.mjs, so TypeScript tests can use the generator.
export function prng(seed: number): () => number
export function generate(tables?: number, seed?: number): string
