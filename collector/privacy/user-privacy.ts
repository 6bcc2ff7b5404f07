// The farm option `privacy.users`: what the collector publishes in place of a user name, wherever
// it publishes one (holders and queues on metrics, debug-log lines, alerts and thus
// notifications, its own log). EU sites often may not spread who works when:
//   plain   the name as the license tool printed it (the default)
//   hashed  a stable keyed pseudonym, `u-` + the first 12 hex digits of HMAC-SHA256(key, name):
//           the same person gets the same pseudonym on every server, collector and restart (so
//           "one user holds 5 licenses" stays visible), and without the key nobody can check a
//           guessed name against it
//   hidden  no name at all (null in holder lists, `[hidden]` in text)
// A hashed farm needs a key (farm `privacy.key`, or LICMON_PRIVACY_KEY): the configuration
// refuses to load without one, because a per-process random key would give every collector of a
// farm different pseudonyms for the same person.
import { createHmac } from 'node:crypto';

export type UserPrivacy = { readonly users: 'plain' } | { readonly users: 'hidden' } | { readonly users: 'hashed'; readonly key: string };

export const PLAIN: UserPrivacy = { users: 'plain' };

/** What text shows where a hidden user's name was. */
export const HIDDEN_USER = '[hidden]';

/** The user name as published: itself, its pseudonym, or null (hidden). */
export function publishedUser(user: string, privacy: UserPrivacy): string | null {
  switch (privacy.users) {
    case 'plain':
      return user;
    case 'hidden':
      return null;
    case 'hashed':
      return `u-${createHmac('sha256', privacy.key).update(user).digest('hex').slice(0, 12)}`;
  }
}

/** Characters a user name is made of, for finding it as a whole token in text. */
const NAME_CHAR = /[\p{L}\p{N}._$-]/u;

/**
 * `text` with every whole-token occurrence of `user` replaced by what is published for it
 * (`[hidden]` when nothing is). For text the collector built around a user (a debug-log line's
 * message, a denial's reason): a feature spelled exactly like a user name is replaced too, which
 * errs on the side of privacy.
 */
export function withoutUser(text: string, user: string, privacy: UserPrivacy): string {
  if (privacy.users === 'plain' || user === '') return text;
  const shown = publishedUser(user, privacy) ?? HIDDEN_USER;
  let out = '';
  let from = 0;
  for (let at = text.indexOf(user); at >= 0; at = text.indexOf(user, at + 1)) {
    const before = text[at - 1];
    const after = text[at + user.length];
    const whole = (before === undefined || !NAME_CHAR.test(before)) && (after === undefined || !NAME_CHAR.test(after));
    if (!whole || at < from) continue;
    out += text.slice(from, at) + shown;
    from = at + user.length;
  }
  return out + text.slice(from);
}
