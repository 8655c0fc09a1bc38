/** The tenant whose directory a store's cases, snapshots and delta links describe. */
export interface TenantBinding {
  /** Lower case. */
  tenantId: string;
  /** The Graph simulator's tenant (demo, tests) rather than a real one. */
  simulated: boolean;
}

/** Keeps one store to one tenant: a store from another tenant is refused, not mixed in. */
export interface TenantBindingStore {
  /** Binds an unbound store to `tenant`; returns the binding in force, which may be another. */
  bindTenant(tenant: TenantBinding): Promise<TenantBinding>;
}
