import { readFileSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { configJsonSchema } from './config-schema.js';

export const MANIFEST_PATH = fileURLToPath(new URL('../../manifest.json', import.meta.url));

export function readManifest(): Record<string, unknown> {
  return JSON.parse(readFileSync(MANIFEST_PATH, 'utf8')) as Record<string, unknown>;
}

/** Rewrites manifest.json's `configuration` from the zod schema; everything else is kept as written. */
export function writeManifestConfiguration(): void {
  const manifest = readManifest();
  manifest.configuration = configJsonSchema();
  writeFileSync(MANIFEST_PATH, `${JSON.stringify(manifest, null, 2)}\n`);
}
