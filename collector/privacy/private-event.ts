// A debug-log event as the farm's `privacy.users` lets it out, before it becomes a log message or
// counts towards a denial burst: its user replaced (hashed) or dropped (hidden), and taken out of
// the text built around it (the message, the denial's reason, the raw line) and of a host named
// after it.
import type { DebugLogEvent } from '../parsers/debuglog.ts';
import { publishedUser, withoutUser, type UserPrivacy } from './user-privacy.ts';

export function privateEvent(e: DebugLogEvent, privacy: UserPrivacy): DebugLogEvent {
  if (e.user === undefined || privacy.users === 'plain') return e;
  const { user, ...rest } = e;
  const shown = publishedUser(user, privacy);
  return {
    ...rest,
    ...(shown !== null && { user: shown }),
    ...(e.host !== undefined && { host: withoutUser(e.host, user, privacy) }),
    message: withoutUser(e.message, user, privacy),
    text: withoutUser(e.text, user, privacy),
    ...(e.reason !== undefined && { reason: withoutUser(e.reason, user, privacy) }),
  };
}
