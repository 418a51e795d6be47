import { ConfigError } from '../../plugin/core/errors.js';

/** The FlexCharge environments the plugin can talk to; `local` is the bundled sandbox. */
export type FlexChargeEnvironment = 'local' | 'sandbox' | 'production';

/** Base URLs of the hosted environments (new brand, contract §1). The local sandbox's is given when it listens. */
export const FLEXCHARGE_BASE_URLS = {
  sandbox: 'https://api-sandbox.flexfactor.io/v1/',
  production: 'https://api.flexfactor.io/v1/',
} as const;

/**
 * The API base URL for an environment, always ending in `/` so relative paths resolve under `/v1/`.
 * `override` (FLEXCHARGE_BASE_URL) wins; `local` needs the running sandbox's URL.
 */
export function resolveFlexChargeBaseUrl(input: {
  environment: FlexChargeEnvironment;
  override?: string | undefined;
  localBaseUrl?: string | undefined;
}): string {
  const url =
    input.override ??
    (input.environment === 'local' ? input.localBaseUrl : FLEXCHARGE_BASE_URLS[input.environment]);
  if (!url) {
    throw new ConfigError(
      'the local FlexCharge sandbox has no base URL: start it or set FLEXCHARGE_BASE_URL',
      [
        {
          variable: 'FLEXCHARGE_BASE_URL',
          message: 'required when the local sandbox is not started in-process',
        },
      ],
    );
  }
  return withTrailingSlash(url);
}

export function withTrailingSlash(url: string): string {
  return url.endsWith('/') ? url : `${url}/`;
}
