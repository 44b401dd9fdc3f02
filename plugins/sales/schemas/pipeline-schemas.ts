/** JSON Schemas of pipelines. */
import { currency, id, line, obj, stamps } from './common.js';

const stageInput = { type: 'object', additionalProperties: false, required: ['name', 'probability'], properties: { id, name: line(200, 1), probability: { type: 'integer', minimum: 0, maximum: 100 } } } as const;
const stages = { type: 'array', minItems: 1, maxItems: 50, items: stageInput } as const;

/** Body of POST /pipelines. */
export const pipelineInputSchema = { type: 'object', additionalProperties: false, required: ['name', 'currency', 'stages'], properties: { name: line(200, 1), currency, stages } } as const;

/** Body of PATCH /pipelines/{id}: stages replace the list (kept ones carry their id). */
export const pipelinePatchSchema = { type: 'object', additionalProperties: false, minProperties: 1, properties: { name: line(200, 1), currency, stages } } as const;

/** A stage in responses. */
export const stageSchema = obj({ id: { type: 'string' }, name: { type: 'string' }, probability: { type: 'integer' } }, ['id', 'name', 'probability']);

/** A pipeline in responses. */
export const pipelineSchema = obj({ id: { type: 'string' }, name: { type: 'string' }, currency: { type: 'string' }, stages: { type: 'array', items: stageSchema }, ...stamps }, ['id', 'name', 'currency', 'stages', 'createdAt', 'updatedAt', 'version']);
