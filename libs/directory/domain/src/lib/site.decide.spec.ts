import { deciderSpec } from '@identity/platform-testing';
import { siteDecider, siteNameKey, siteNameReservations } from './site.decide';

const siteId = '5e2b1f7a-3c4d-4b8e-a1f2-9d0c7b6a5e43';
const created = { type: 'SiteCreated' as const, data: { siteId, name: 'Redmond HQ' } };
const spec = deciderSpec(siteDecider);

describe('Site aggregate', () => {
  it('creates a site with a tidied name', () => {
    spec.given([]).when({ type: 'CreateSite', siteId, name: '  Redmond   HQ ' }).then([created]);
  });

  it('refuses an empty or over-long name', () => {
    spec.given([]).when({ type: 'CreateSite', siteId, name: ' ' }).thenThrows({ code: 'invalid-name' });
    spec.given([]).when({ type: 'CreateSite', siteId, name: 'x'.repeat(201) }).thenThrows({ code: 'invalid-name' });
  });

  it('renames, keeping the old name, and a rename to the same name is a no-op', () => {
    spec
      .given([created])
      .when({ type: 'RenameSite', name: 'Redmond Campus' })
      .then([{ type: 'SiteRenamed', data: { siteId, oldName: 'Redmond HQ', newName: 'Redmond Campus' } }]);
    spec.given([created]).when({ type: 'RenameSite', name: 'Redmond HQ' }).then([]);
    spec.given([]).when({ type: 'RenameSite', name: 'x' }).thenThrows({ code: 'site-not-found' });
  });

  it('reserves names per tenant regardless of case, and never releases an old name', () => {
    expect(siteNameKey('t1', ' Redmond HQ ')).toEqual({ scope: 'site-name:t1', key: 'redmond hq' });
    expect(siteNameReservations('t1')([{ type: 'SiteRenamed', data: { siteId, oldName: 'A', newName: 'B' } }])).toEqual([
      { action: 'reserve', scope: 'site-name:t1', key: 'b' },
    ]);
  });
});
