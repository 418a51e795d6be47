/**
 * Who a request or a page session speaks for: the partner (ADMIN_TOKEN), who may do everything, or
 * one merchant's API key, which may read and change that merchant only.
 */
export type Principal =
  | { readonly kind: 'partner' }
  | {
      readonly kind: 'merchant';
      readonly merchantId: string;
      readonly keyId: string;
      readonly prefix: string;
    };
