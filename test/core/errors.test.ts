import t from 'tap';
import { coreError, coreErrors } from '../../core/plugin/errors.js';

t.test('core errors carry code, status and i18n key', async (t) => {
  const err = coreError('CUSTOMER_NOT_FOUND', { id: 'x' });
  t.equal(err.code, 'CUSTOMER_NOT_FOUND');
  t.equal(err.status, 404);
  t.equal(err.i18nKey, 'core:errors.CUSTOMER_NOT_FOUND');
  for (const [code, spec] of Object.entries(coreErrors)) {
    t.equal(spec.i18nKey, `core:errors.${code}`, `${code} key follows the convention`);
  }
});
