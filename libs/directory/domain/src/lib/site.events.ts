/** Stored events of the Site aggregate (stream `site-<uuid>`). Published as is, see the contracts. */
export type SiteEvent =
  | { type: 'SiteCreated'; data: { siteId: string; name: string } }
  | { type: 'SiteRenamed'; data: { siteId: string; oldName: string; newName: string } };

export type SiteCommand =
  | { type: 'CreateSite'; siteId: string; name: string }
  | { type: 'RenameSite'; name: string };

export interface SiteState {
  exists: boolean;
  siteId: string;
  name: string;
  /** Earlier names: they stay reserved, so an IdP still sending one keeps matching this site. */
  aliases: readonly string[];
}
