// Field schemas shared by client actions and server messages.
import { z } from 'zod';

export const LEVELS = ['debug', 'info', 'warn', 'error', 'critical'] as const;
export const LevelSchema = z.enum(LEVELS);
export type Level = z.infer<typeof LevelSchema>;

/**
 * A farm site's name. Restricted so it can sit inside Redis key names, hash tags and the
 * comma-separated `since` list without escaping.
 */
export const SITE_NAME_RE = /^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/;
export const SiteNameSchema = z
  .string()
  .regex(SITE_NAME_RE, 'a site is 1-64 characters of letters, digits, ".", "_" or "-", starting with a letter or digit');

export const TimestampSchema = z.iso.datetime({ offset: true });
