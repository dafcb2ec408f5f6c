/**
 * PHP's user error levels, used as the `level` of `altis.analytics.export.log`.
 */
export const E_USER_ERROR = 256;
export const E_USER_WARNING = 512;
export const E_USER_NOTICE = 1024;
export const E_USER_DEPRECATED = 16384;

export type ErrorLevel = typeof E_USER_ERROR | typeof E_USER_WARNING | typeof E_USER_NOTICE | typeof E_USER_DEPRECATED;
