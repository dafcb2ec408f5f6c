import type { NextFunction, Request, Response } from 'express';
import auth from 'basic-auth';
import { authenticateApplicationPassword } from '../../core/auth/authenticate';
import { LoginThrottle } from '../../core/auth/throttle';
import type { Host } from '../../core/host';
import type { User } from '../../core/store/users';
import { RestError } from '../errors';

declare module 'express-serve-static-core' {
  interface Request {
    /** The user the application password belongs to, set by the authentication middleware. */
    user?: User;
  }
}

const LOOPBACK = /^(127\.|::1$|localhost$|::ffff:127\.)/;

/** Application passwords need HTTPS outside a local set-up, as in WordPress. */
export function httpsRequired(host: Host): boolean {
  return process.env.NODE_ENV === 'production' && !LOOPBACK.test(host.config.host);
}

const unauthorized = (message: string) => new RestError(401, 'rest_not_logged_in', message, {}, { 'WWW-Authenticate': 'Basic realm="analytics-host", charset="UTF-8"' });

/**
 * HTTP Basic with login + application password. Missing or wrong credentials: 401.
 * An address with too many recent failures: 429 with Retry-After, before any check runs.
 */
/** One throttle per host, shared by every route that authenticates: failures add up across routes. */
const throttles = new WeakMap<Host, LoginThrottle>();

function throttleOf(host: Host): LoginThrottle {
  let t = throttles.get(host);
  if (!t) throttles.set(host, (t = new LoginThrottle(host.config.auth.max_failures, host.config.auth.window_seconds * 1000)));
  return t;
}

export function requireApplicationPassword(host: Host) {
  const throttle = throttleOf(host);
  const requireHttps = httpsRequired(host);
  return async (req: Request, _res: Response, next: NextFunction): Promise<void> => {
    const address = req.ip ?? req.socket.remoteAddress ?? 'unknown';
    const wait = throttle.retryAfterSeconds(address);
    if (wait > 0) {
      return next(new RestError(429, 'rest_too_many_login_attempts', 'Too many failed login attempts from this address. Try again later.', {}, { 'Retry-After': String(wait) }));
    }
    const header = req.headers.authorization;
    if (!header) return next(unauthorized('You are not currently logged in: send HTTP Basic credentials (login and application password).'));
    const credentials = auth.parse(header);
    if (!credentials) {
      throttle.recordFailure(address);
      return next(unauthorized('The Authorization header is not valid HTTP Basic credentials.'));
    }
    if (requireHttps && !req.secure) {
      return next(new RestError(401, 'application_passwords_disabled', 'Application passwords require HTTPS: this request came over plain HTTP.'));
    }
    try {
      const found = await authenticateApplicationPassword(host.store, host.secret, credentials.name, credentials.pass, address);
      if (!found) {
        throttle.recordFailure(address);
        return next(unauthorized('The provided login or application password is incorrect.'));
      }
      req.user = found.user;
      next();
    } catch (err) {
      next(err);
    }
  };
}
