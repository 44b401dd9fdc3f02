/**
 * Route types come from the route schemas (`SchemaType`, `PeyvandTypeProvider`). The
 * type assertions below are checked by `npm run typecheck`; the requests check at run
 * time what the types promise — a defaulted `limit` is present, `null` passes a
 * `nullable` field, an unknown field is refused — with core's own validator compiler.
 */
import t from 'tap';
import Fastify from 'fastify';
import { createValidatorCompiler } from '../../../core/http/validation.js';
import { idParams, lineString, nullable, pageQuerySchema, type PeyvandTypeProvider, type SchemaType } from '../../../core/plugin/index.js';

/** True when A and B are the same type (not merely assignable either way). */
type Equal<A, B> = (<T>() => T extends A ? 1 : 2) extends (<T>() => T extends B ? 1 : 2) ? true : false;
const same = <A, B>(check: Equal<A, B>): Equal<A, B> => check;

const noteSchema = {
  type: 'object',
  additionalProperties: false,
  required: ['title', 'kind'],
  properties: { title: lineString(300, 1), kind: { type: 'string', enum: ['call', 'visit'] }, due: nullable({ type: 'string', format: 'date' }) },
} as const;
// Only their types are needed here, so they are written as schema literal types.
type OpenSchema = { type: 'object'; properties: { a: { type: 'integer' } } };
type OneOfSchema = { type: 'object'; additionalProperties: false; properties: { email: { type: 'string' }; phone: { type: 'string' } }; anyOf: [{ required: ['email'] }, { required: ['phone'] }] };

same<SchemaType<typeof noteSchema>, { title: string; kind: 'call' | 'visit'; due?: string | null }>(true);
same<SchemaType<typeof pageQuerySchema>, { limit: number; cursor?: string }>(true);
same<SchemaType<typeof idParams>, { id: string }>(true);
same<SchemaType<OpenSchema>, { a?: number; [k: string]: unknown }>(true);
same<SchemaType<OneOfSchema>, { email: string; phone?: string } | { email?: string; phone: string }>(true);

const app = Fastify().withTypeProvider<PeyvandTypeProvider>();
app.setValidatorCompiler(createValidatorCompiler());
app.get('/notes', { schema: { querystring: pageQuerySchema } }, async (request) => {
  same<typeof request.query, { limit: number; cursor?: string }>(true);
  return { limit: request.query.limit, cursor: request.query.cursor ?? null };
});
app.post('/notes/:id', { schema: { params: idParams, body: noteSchema } }, async (request) => {
  same<typeof request.body, SchemaType<typeof noteSchema>>(true);
  return { id: request.params.id, due: request.body.due === null ? 'removed' : (request.body.due ?? 'absent') };
});
t.teardown(() => app.close());

t.test('a defaulted query property is present, as its type says', async (t) => {
  t.same((await app.inject({ url: '/notes' })).json(), { limit: 50, cursor: null });
  t.same((await app.inject({ url: '/notes?limit=7&cursor=x' })).json(), { limit: 7, cursor: 'x' });
  t.equal((await app.inject({ url: '/notes?limit=0' })).statusCode, 400, 'the schema still bounds it');
});

t.test('nullable takes null; required, enum and additionalProperties:false are enforced', async (t) => {
  const post = (payload: object) => app.inject({ method: 'POST', url: '/notes/n1', payload });
  t.same((await post({ title: 'Call back', kind: 'call', due: null })).json(), { id: 'n1', due: 'removed' });
  t.same((await post({ title: 'Call back', kind: 'visit' })).json(), { id: 'n1', due: 'absent' });
  t.equal((await post({ title: 'Call back', kind: 'email' })).statusCode, 400, 'a value outside the enum');
  t.equal((await post({ kind: 'call' })).statusCode, 400, 'a missing required field');
  t.equal((await post({ title: 'Call back', kind: 'call', extra: 1 })).statusCode, 400, 'an unknown field');
});
