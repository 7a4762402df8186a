import { ENTERPRISE, PATCH_OP, SITE_8X8 } from './identity-stack';

/**
 * Request bodies as Azure AD's provisioning service sends them (shapes recorded in
 * shared/reference/azure-scim.md §1.5–1.10): the default ("2017") PATCH dialect, and the one
 * enabled by the aadOptscim062020 flag.
 */
export const azure = {
  createUser: (userName: string, site = 'London') => ({
    schemas: ['urn:ietf:params:scim:schemas:core:2.0:User', ENTERPRISE],
    externalId: userName.split('@')[0],
    userName,
    active: true,
    displayName: 'Alice Example',
    title: 'Engineer',
    emails: [{ primary: true, type: 'work', value: userName }],
    phoneNumbers: [
      { type: 'mobile', value: '+1 (555) 555-0100' },
      { type: 'work', value: '+15555550101' },
    ],
    name: { formatted: 'Alice Example', familyName: 'Example', givenName: 'Alice' },
    [ENTERPRISE]: { department: 'Support' },
    [SITE_8X8]: { site },
    meta: { resourceType: 'User' },
    roles: [],
  }),

  /** Default dialect: capitalised ops, one op per attribute, booleans as strings. */
  updateUserDefault: (email: string) => ({
    schemas: [PATCH_OP],
    Operations: [
      { op: 'Replace', path: 'emails[type eq "work"].value', value: email },
      { op: 'Replace', path: 'name.familyName', value: 'Smith' },
      { op: 'Add', path: 'phoneNumbers[type eq "mobile"].value', value: '+15555550199' },
      { op: 'Replace', path: `${ENTERPRISE}:department`, value: 'Sales' },
      { op: 'Replace', path: 'active', value: 'True' },
    ],
  }),

  /** aadOptscim062020: lower-case ops, value paths kept, the rest merged into one path-less op. */
  updateUserFlagged: (email: string) => ({
    schemas: [PATCH_OP],
    Operations: [
      { op: 'replace', path: 'emails[type eq "work"].value', value: email },
      {
        op: 'replace',
        value: { displayName: 'Alice Smith', 'name.givenName': 'Alicia', 'name.familyName': 'Smith', [`${ENTERPRISE}:department`]: 'Ops', title: 'Lead' },
      },
    ],
  }),

  disableDefault: { schemas: [PATCH_OP], Operations: [{ op: 'Replace', path: 'active', value: 'False' }] },
  disableFlagged: { schemas: [PATCH_OP], Operations: [{ op: 'replace', path: 'active', value: false }] },
  enableDefault: { schemas: [PATCH_OP], Operations: [{ op: 'Replace', path: 'active', value: 'True' }] },

  createGroup: (displayName: string) => ({
    schemas: ['urn:ietf:params:scim:schemas:core:2.0:Group', 'http://schemas.microsoft.com/2006/11/ResourceManagement/ADSCIM/2.0/Group'],
    externalId: '8aa1a0c0-c4c3-4bc0-b4a5-2ef676900159',
    displayName,
    meta: { resourceType: 'Group' },
  }),
  addMembers: (ids: string[]) => ({ schemas: [PATCH_OP], Operations: [{ op: 'Add', path: 'members', value: ids.map((value) => ({ $ref: null, value })) }] }),
  removeMembersDefault: (ids: string[]) => ({ schemas: [PATCH_OP], Operations: [{ op: 'Remove', path: 'members', value: ids.map((value) => ({ value })) }] }),
  removeMemberFlagged: (id: string) => ({ schemas: [PATCH_OP], Operations: [{ op: 'remove', path: `members[value eq "${id}"]` }] }),
  renameGroup: (displayName: string) => ({ schemas: [PATCH_OP], Operations: [{ op: 'Replace', path: 'displayName', value: displayName }] }),
};
