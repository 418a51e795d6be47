import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { configJsonSchema } from './config-schema.js';

/** The project's manifest.json: two levels up from the sources, three from the compiled `dist/`. */
const MANIFEST_CANDIDATES = ['../../manifest.json', '../../../manifest.json'].map((relative) =>
  fileURLToPath(new URL(relative, import.meta.url)),
);
export const MANIFEST_PATH = MANIFEST_CANDIDATES.find((path) => existsSync(path)) ?? MANIFEST_CANDIDATES[0]!;

export function readManifest(): Record<string, unknown> {
  return JSON.parse(readFileSync(MANIFEST_PATH, 'utf8')) as Record<string, unknown>;
}

/** Rewrites manifest.json's `configuration` from the zod schema; everything else is kept as written. */
export function writeManifestConfiguration(): void {
  const manifest = readManifest();
  manifest.configuration = configJsonSchema();
  writeFileSync(MANIFEST_PATH, `${JSON.stringify(manifest, null, 2)}\n`);
}
