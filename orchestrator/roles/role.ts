/** What a node role needs from the orchestrator. Roles describe themselves; deploy reads this. */
export interface RoleDescriptor {
  name: string;
  summary: string;
  /** Forwards packets between its networks: gets ip_forward and is used as a next hop. */
  forwards: boolean;
  /** Linux capabilities beyond Docker's default set. Never "ALL", never privileged. */
  capabilities: string[];
  /** Namespaced sysctls set at container creation. */
  sysctls: Record<string, string>;
}
