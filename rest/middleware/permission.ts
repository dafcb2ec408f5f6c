import type { NextFunction, Request, Response } from 'express';
import { user_can } from '../../core/auth/capabilities';
import type { Host } from '../../core/host';
import { RestError } from '../errors';

/**
 * 403 unless the authenticated user has the capability that `filterHook` returns
 * (given `defaultCapability`), e.g. altis.analytics.export_events_capability → manage_options.
 */
export function requireCapability(host: Host, filterHook: string, defaultCapability: string) {
  return (req: Request, _res: Response, next: NextFunction): void => {
    const capability = host.hooks.apply_filters(filterHook, defaultCapability) as string;
    if (!req.user || !user_can(host.hooks, req.user, capability)) {
      return next(new RestError(403, 'rest_forbidden', 'Sorry, you are not allowed to do that.'));
    }
    next();
  };
}
