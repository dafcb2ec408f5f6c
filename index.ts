/**
 * analytics-host's public API: the WordPress hook functions (snake_case, as in WordPress),
 * isolated registries, the PHP error-level constants and the plugin type.
 */
export * from './hooks';
export type { Plugin, PluginContext, PluginRegister } from './core/plugins/types';
export { definePlugin } from './core/plugins/types';
export type { IntegrationConfig } from './core/config';
export type { Logger } from './core/log';
export { postWithRetry, retryOptionsFrom, retryAfterMs, backoffMs, DeliveryError } from './core/delivery/post-with-retry';
export type { RetryOptions, RequestFactory, DeliveryResult } from './core/delivery/post-with-retry';
