import type { NextFunction, Request, Response } from 'express';
import type { AccessTokens } from './access-tokens.js';
import type { SandboxCredential } from './sandbox-credentials.js';

/**
 * `Authorization: Bearer <accessToken>` on every API route but /oauth2/token (contract §1, §2).
 * A missing, unknown, expired or revoked token is a 401 with an empty body and a `WWW-Authenticate`
 * header, as ASP.NET Core's JWT bearer handler answers.
 */
export function requireBearer(tokens: AccessTokens) {
  return (req: Request, res: Response, next: NextFunction): void => {
    const credential = bearerCredential(req, tokens);
    if (credential) {
      res.locals.credential = credential;
      next();
      return;
    }
    const sent = req.get('authorization') !== undefined;
    res
      .status(401)
      .setHeader('www-authenticate', sent ? 'Bearer error="invalid_token"' : 'Bearer')
      .end();
  };
}

export function bearerCredential(req: Request, tokens: AccessTokens): SandboxCredential | undefined {
  const match = /^Bearer\s+(\S+)\s*$/i.exec(req.get('authorization') ?? '');
  return match?.[1] ? tokens.authenticate(match[1]) : undefined;
}
