import { type Request, type Response, Router } from 'express';
import type { Clock } from '../../core/clock.js';
import type { SessionRepository } from '../../storage/session-repository.js';
import type { Access } from '../admin-auth.js';
import { html } from './html.js';
import { layout, messagePage } from './layout.js';
import type { LoginLimiter } from './login-limiter.js';
import { checkCsrf, cookieOf, formBody, noStore, requireSession, SESSION_COOKIE } from './page-session.js';

export interface LoginRouteDeps {
  access: Access;
  sessions: SessionRepository;
  limiter: LoginLimiter;
  clock: Clock;
  /** Mark the cookie `Secure` (every environment but FLEXCHARGE_ENV=local, served over plain HTTP). */
  secureCookies: boolean;
}

/**
 * `GET /login`, `POST /login` (the partner token or a merchant's API key as `password`) and
 * `POST /logout`. A login opens a session and sets `fcm_session`: HttpOnly, so no script reads it;
 * SameSite=Strict, as every page is reached from another page of ours and no flow comes back from
 * another site, so a request started elsewhere never carries it (the CSRF token is the second guard);
 * Secure but locally.
 */
export function loginRoutes(deps: LoginRouteDeps): Router {
  const router = Router();
  const { access, sessions, limiter, clock } = deps;
  router.use(['/login', '/logout'], noStore);

  // No Max-Age on a login: the server ends the session after 12 h idle, the browser when it closes.
  const cookie = (value: string, clear = false) =>
    [
      `${SESSION_COOKIE}=${value}`,
      'Path=/',
      'HttpOnly',
      'SameSite=Strict',
      ...(clear ? ['Max-Age=0'] : []),
      ...(deps.secureCookies ? ['Secure'] : []),
    ].join('; ');

  const loginPage = (res: Response, status: number, error?: string) =>
    res
      .status(status)
      .type('html')
      .send(
        layout(
          { title: 'Sign in' },
          html`<h1>Sign in</h1>
<section>
<form method="post" action="/login">
${error && html`<p class="notice" role="alert">${error}</p>`}
<label for="password">Partner token or merchant API key</label>
<input type="password" id="password" name="password" autocomplete="current-password" required>
<p><button type="submit">Sign in</button></p>
</form>
</section>`,
        ),
      );

  router.get('/login', (_req, res) => {
    if (!access.enabled) return disabled(res);
    loginPage(res, 200);
  });

  router.post('/login', formBody, async (req, res) => {
    if (!access.enabled) return disabled(res);
    // A login form posted from another site would sign the browser in as someone else.
    if (!sameOrigin(req))
      return res.status(403).type('html').send(messagePage('Refused', 'Sign in from this site.'));
    const ip = req.ip ?? req.socket.remoteAddress ?? 'unknown';
    const wait = limiter.retryAfterSeconds(ip, clock.now());
    if (wait > 0)
      return res
        .status(429)
        .set('Retry-After', String(wait))
        .type('html')
        .send(messagePage('Too many attempts', 'Too many failed sign-ins from here. Try again later.'));
    const password = typeof req.body?.password === 'string' ? req.body.password : '';
    const principal = await access.identify(password);
    if (!principal) {
      limiter.recordFailure(ip, clock.now());
      return loginPage(res, 401, 'That token or key is not valid.');
    }
    const previous = cookieOf(req, SESSION_COOKIE);
    if (previous) await sessions.close(previous);
    const session = await sessions.open(principal, clock.now());
    res.set('Set-Cookie', cookie(session.token));
    res.redirect(303, '/merchants');
  });

  router.post('/logout', formBody, requireSession, checkCsrf, async (req, res) => {
    const token = cookieOf(req, SESSION_COOKIE);
    if (token) await sessions.close(token);
    res.set('Set-Cookie', cookie('', true));
    res.redirect(303, '/login');
  });

  return router;
}

function disabled(res: Response) {
  res
    .status(403)
    .type('html')
    .send(messagePage('Sign-in is off', 'Set ADMIN_TOKEN to enable the admin pages.'));
}

// Browsers send Origin with every form POST; its absence (a script, a test) is no cross-site form.
function sameOrigin(req: Request): boolean {
  const origin = req.headers.origin;
  if (!origin) return true;
  try {
    return new URL(origin).host === req.headers.host;
  } catch {
    return false;
  }
}
