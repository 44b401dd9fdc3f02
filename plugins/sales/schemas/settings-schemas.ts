/** JSON Schemas of the sales settings and web forms. */
import { currency, line, obj, principal, str } from './common.js';

const ruleId = { type: 'string', pattern: '^[a-z0-9][a-z0-9_-]{0,63}$' } as const;
const points = { type: 'integer', minimum: -1000, maximum: 1000 } as const;

/** One lead assignment rule. */
export const assignmentRuleSchema = {
  type: 'object',
  additionalProperties: false,
  required: ['id', 'members'],
  properties: {
    id: ruleId,
    when: { type: 'object', additionalProperties: false, properties: { territory: str(100, 1), tag: str(100, 1), source: str(100, 1) } },
    team: principal,
    members: { type: 'array', minItems: 1, maxItems: 200, uniqueItems: true, items: principal },
  },
} as const;

/** One lead scoring rule: on an attribute of the lead, or on an activity done with it. */
export const scoringRuleSchema = {
  oneOf: [
    {
      type: 'object',
      additionalProperties: false,
      required: ['id', 'kind', 'field', 'points'],
      properties: { id: ruleId, kind: { const: 'attribute' }, field: { type: 'string', enum: ['source', 'utm.source', 'utm.medium', 'utm.campaign', 'territory', 'company', 'email', 'phone', 'tag'] }, equals: str(200, 1), points },
    },
    {
      type: 'object',
      additionalProperties: false,
      required: ['id', 'kind', 'activity', 'points'],
      properties: { id: ruleId, kind: { const: 'activity' }, activity: { type: 'string', enum: ['call', 'meeting', 'todo'] }, points, maxPoints: { type: 'integer', minimum: 0, maximum: 100_000 } },
    },
  ],
} as const;

const fields = {
  acceptedCurrencies: { type: 'array', minItems: 1, maxItems: 50, uniqueItems: true, items: currency },
  assignmentRules: { type: 'array', maxItems: 100, items: assignmentRuleSchema },
  scoringRules: { type: 'array', maxItems: 200, items: scoringRuleSchema },
} as const;

/** Body of PATCH /settings: given keys replace the stored ones. */
export const settingsPatchSchema = { type: 'object', additionalProperties: false, minProperties: 1, properties: fields } as const;

/** The settings in responses. */
export const settingsSchema = obj({ ...fields, version: { type: 'integer' } }, ['acceptedCurrencies', 'assignmentRules', 'scoringRules', 'version']);

/** Body of POST /web-forms. */
export const webFormInputSchema = { type: 'object', additionalProperties: false, required: ['name'], properties: { name: line(200, 1), source: str(100, 1), ownerId: principal } } as const;

/** A web form in responses. */
export const webFormSchema = obj({ id: { type: 'string' }, name: { type: 'string' }, key: { type: 'string' }, source: { type: 'string' }, ownerId: { type: 'string' }, createdAt: { type: 'string' } }, ['id', 'name', 'key', 'createdAt']);
