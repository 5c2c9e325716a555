import { freshdeskAdapter } from './freshdesk.adapter.js';
import { genericAdapter } from './generic.adapter.js';
import { intercomAdapter } from './intercom.adapter.js';
import { jiraAdapter } from './jira.adapter.js';
import type { ProviderAdapter, ProviderName } from './provider-adapter.js';
import { zammadAdapter } from './zammad.adapter.js';
import { zendeskAdapter } from './zendesk.adapter.js';

/**
 * Every provider adapter by name. Adding a helpdesk: write its adapter file and add one line here.
 * A provider listed in PROVIDERS without an adapter yet is rejected when a delivery arrives (501).
 */
export const PROVIDER_ADAPTERS: Partial<Record<ProviderName, ProviderAdapter>> = {
  generic: genericAdapter,
  zendesk: zendeskAdapter,
  freshdesk: freshdeskAdapter,
  jira: jiraAdapter,
  zammad: zammadAdapter,
  intercom: intercomAdapter,
};

export function adapterFor(provider: ProviderName): ProviderAdapter | undefined {
  return PROVIDER_ADAPTERS[provider];
}
