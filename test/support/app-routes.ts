import type { Express } from 'express';

export type Method = 'get' | 'put' | 'post' | 'delete';

/** Every route the app serves, read from its own router stacks: a route added later is in here too. */
export function routesOf(app: Express): { method: Method; path: string }[] {
  const found: { method: Method; path: string }[] = [];
  type Layer = {
    route?: { path: string | string[]; methods: Record<string, boolean> };
    handle?: { stack?: Layer[] };
    rawPath?: unknown;
  };
  const walk = (stack: Layer[], prefix: string) => {
    for (const layer of stack) {
      if (layer.route) {
        const paths = ([] as string[]).concat(layer.route.path);
        for (const method of Object.keys(layer.route.methods).filter((m) => m !== '_all'))
          for (const path of paths) found.push({ method: method as Method, path: prefix + path });
      } else if (layer.handle?.stack) {
        const mount = typeof layer.rawPath === 'string' && layer.rawPath !== '/' ? layer.rawPath : '';
        walk(layer.handle.stack, prefix + mount);
      }
    }
  };
  walk((app as unknown as { router: { stack: Layer[] } }).router.stack, '');
  return found;
}
