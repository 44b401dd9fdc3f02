/**
 * The import's response schema, the one source of {@link ImportDto}: what
 * `GET /imports/{id}` and the undo route answer, and what the CLI's `import` prints.
 */
import type { SchemaType } from '../plugin/route-types.js';

const count = { type: 'integer' } as const;

/** An import in responses: its status and the row counts so far. */
export const importSchema = {
  type: 'object',
  additionalProperties: false,
  required: ['id', 'entity', 'status', 'dryRun', 'rowsRead', 'created', 'updated', 'unchanged', 'failed'],
  properties: {
    id: { type: 'string' },
    entity: { type: 'string' },
    status: { type: 'string', enum: ['queued', 'running', 'succeeded', 'failed', 'undone'] },
    dryRun: { type: 'boolean' },
    rowsRead: count,
    created: count,
    updated: count,
    unchanged: count,
    failed: count,
  },
} as const;

/** An import as the API shows it (the type of {@link importSchema}). */
export type ImportDto = SchemaType<typeof importSchema>;
