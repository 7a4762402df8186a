/** Routes a request path to the service that owns its public prefix; `*` stands for one segment. */
export interface PrefixRoute<Target> {
  prefix: string;
  target: Target;
}

export class PathRouter<Target> {
  private readonly routes: { pattern: RegExp; specificity: number; target: Target }[];

  constructor(routes: readonly PrefixRoute<Target>[]) {
    this.routes = routes
      .map((route) => ({
        pattern: new RegExp(`^${route.prefix.split('/').map((segment) => (segment === '*' ? '[^/]+' : escape(segment))).join('/')}(?:/|$|\\?)`),
        specificity: route.prefix.split('/').length,
        target: route.target,
      }))
      .sort((a, b) => b.specificity - a.specificity);
  }

  match(path: string): Target | undefined {
    return this.routes.find((route) => route.pattern.test(path))?.target;
  }
}

function escape(segment: string): string {
  return segment.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}
