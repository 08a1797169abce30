// Mass-loss protection (opt-in, `lossProtection`): when more than `maxShare` of a tenant's routes
// that this client held as found have gone away within `windowMs` (and at least `minRoutes` of
// them), the client keeps answering those routes with the URL it last held, as origin 'preserved',
// until the losses are older than `windowMs` or acceptLosses() is called. A deactivation here is a
// normal, audited change that the client otherwise follows at once; this is for the day a script or
// a person deactivates most of a tenant by mistake, so its clients keep routing while people react
// (the same idea as Eureka's self-preservation and Envoy's panic threshold, which act on health,
// applied to configuration). Off by default: a legitimate mass deactivation is then delayed too.

export interface LossProtectionOptions {
  // Share (0..1) of the tenant's held routes that must be lost before protection engages.
  maxShare?: number;
  // Fewer losses than this never engage it (small tenants change a large share routinely).
  minRoutes?: number;
  // How long a loss counts, and so how long a preserved answer is given at most.
  windowMs?: number;
}

const DEFAULTS: Required<LossProtectionOptions> = { maxShare: 0.5, minRoutes: 10, windowMs: 5 * 60_000 };

export class LossGuard {
  private readonly options: Required<LossProtectionOptions>;
  // tenant -> route id -> when it was lost
  private readonly losses = new Map<string, Map<string, number>>();
  private readonly engagedTenants = new Set<string>();

  constructor(
    options: LossProtectionOptions,
    // How many routes of the tenant the client holds as found now.
    private readonly foundIn: (tenant: string) => number,
    private readonly onChange: (tenant: string, engaged: boolean, lost: number) => void,
    private readonly now: () => number = Date.now,
  ) {
    this.options = { ...DEFAULTS, ...Object.fromEntries(Object.entries(options).filter(([, v]) => v !== undefined)) };
  }

  // A route held as found is now known not to be (a push or a 404).
  lost(tenant: string, routeId: string): void {
    let routes = this.losses.get(tenant);
    if (!routes) this.losses.set(tenant, (routes = new Map()));
    routes.set(routeId, this.now());
    this.evaluate(tenant);
  }

  // A route is found again: no longer a loss.
  found(tenant: string, routeId: string): void {
    if (this.losses.get(tenant)?.delete(routeId)) this.evaluate(tenant);
  }

  // True when a lost route of this tenant should still be answered with its last URL.
  preserves(tenant: string, routeId: string): boolean {
    if (!this.losses.get(tenant)?.has(routeId)) return false;
    this.evaluate(tenant);
    return this.engagedTenants.has(tenant) && this.losses.get(tenant)?.has(routeId) === true;
  }

  engaged(tenant: string): boolean {
    return this.engagedTenants.has(tenant);
  }

  // Takes the losses as intended: lost routes are answered as not found from now on.
  accept(tenant?: string): void {
    for (const t of tenant === undefined ? [...this.losses.keys()] : [tenant]) {
      this.losses.delete(t);
      this.evaluate(t);
    }
  }

  private evaluate(tenant: string): void {
    const routes = this.losses.get(tenant);
    const cutoff = this.now() - this.options.windowMs;
    if (routes) for (const [id, at] of routes) if (at <= cutoff) routes.delete(id);
    const lost = routes?.size ?? 0;
    if (routes && lost === 0) this.losses.delete(tenant);
    const held = this.foundIn(tenant) + lost;
    const engage = lost >= this.options.minRoutes && held > 0 && lost / held > this.options.maxShare;
    if (engage !== this.engagedTenants.has(tenant)) {
      if (engage) this.engagedTenants.add(tenant);
      else this.engagedTenants.delete(tenant);
      this.onChange(tenant, engage, lost);
    }
  }
}
