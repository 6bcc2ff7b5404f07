// Validation at the publishing edge: anything a source, a script or the CLI hands over is
// checked against the shared schema, and a failure names the offending field.
import { StreamMessageSchema, type StreamMessage } from '../shared/protocol/index.ts';

export type Validation = { ok: true; message: StreamMessage } | { ok: false; error: string };

export function validateStreamMessage(candidate: unknown): Validation {
  const result = StreamMessageSchema.safeParse(candidate);
  if (result.success) return { ok: true, message: result.data };
  const problems = result.error.issues.map((issue) => {
    const field = issue.path.length > 0 ? issue.path.map(String).join('.') : '(message)';
    return `${field}: ${issue.message}`;
  });
  return { ok: false, error: problems.join('; ') };
}
