/**
 * Stored templates render with only the helpers they were given, cannot reach
 * prototypes, and are always compiled from strings.
 */
import t from 'tap';
import { createTemplateRenderer } from '../../../core/plugin/template-renderer.js';

t.test('renders data, escaped', async (t) => {
  const r = createTemplateRenderer({ upper: (s: unknown) => String(s).toUpperCase() });
  t.equal(r.render('سلام {{name}}!', { name: 'مریم' }), 'سلام مریم!');
  t.equal(r.render('{{name}}', { name: '<img src=x onerror=alert(1)>' }), '&lt;img src&#x3D;x onerror&#x3D;alert(1)&gt;', 'HTML is escaped');
  t.equal(r.render('{{upper name}}', { name: 'ali' }), 'ALI', 'given helpers work');
});

t.test('no prototype access, no helpers it was not given', async (t) => {
  const r = createTemplateRenderer();
  t.equal(r.render('{{constructor.name}}', {}), '', 'constructor is not reachable');
  t.equal(r.render('{{__proto__}}', { a: 1 }), '');
  t.equal(r.render('{{#with this}}{{constructor}}{{/with}}', {}), '');
  t.throws(() => r.render('{{lookup this "constructor"}}{{log "x"}}{{evil name}}', { name: 'x' }), /evil|helper/i, 'an unknown helper is a compile error');
  t.throws(() => r.render({ type: 'Program', body: [] } as unknown as string, {}), TypeError, 'an AST is refused');
});
