import { freshdeskAdapter } from './freshdesk.adapter.js';
import { genericAdapter } from './generic.adapter.js';
import { intercomAdapter } from './intercom.adapter.js';
import { jiraAdapter } from './jira.adapter.js';
import type { ProviderAdapter, ProviderName } from './provider-adapter.js';
import { zammadAdapter } from './zammad.adapter.js';
import { zendeskAdapter } from './zendesk.adapter.js';

/**
 * Every provider adapter by name. Adding a helpdesk: write its adapter file and add one line here.
 * The Record type makes the compiler insist that every provider in PROVIDERS has one.
 */
export const PROVIDER_ADAPTERS: Record<ProviderName, ProviderAdapter> = {
  generic: genericAdapter,
  zendesk: zendeskAdapter,
  freshdesk: freshdeskAdapter,
  jira: jiraAdapter,
  zammad: zammadAdapter,
  intercom: intercomAdapter,
};

export function adapterFor(provider: ProviderName): ProviderAdapter {
  return PROVIDER_ADAPTERS[provider];
}
