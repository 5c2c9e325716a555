import type { WriteBackAuth, WriteBackProvider } from '../../integrations/write-back.schemas.js';
import {
  asHtml,
  basic,
  type HelpdeskApi,
  type HelpdeskWriter,
  segment,
  type WriteBackAction,
} from './helpdesk-api.js';

/**
 * Zendesk Support API: Basic auth `{email}/token:{api token}`. Tags: PUT /api/v2/tickets/{id}/tags adds,
 * DELETE removes (body `{"tags": [...]}`); the internal note is a ticket update with a private comment.
 */
const zendesk: HelpdeskWriter<WriteBackAuth<'zendesk'>> = {
  headers: (auth) => ({ authorization: basic(`${auth.email}/token`, auth.apiToken) }),
  async apply(api, id, action) {
    const ticket = `/api/v2/tickets/${segment(id)}`;
    if (action.add.length > 0) await api.call('PUT', `${ticket}/tags`, { tags: action.add });
    if (action.remove.length > 0) await api.call('DELETE', `${ticket}/tags`, { tags: action.remove });
    if (action.note !== null)
      await api.call('PUT', ticket, { ticket: { comment: { body: action.note, public: false } } });
  },
};

/**
 * Freshdesk API v2: Basic auth with the API key as user name and "X" as password. A ticket's tags are replaced
 * as a whole by PUT /api/v2/tickets/{id}, so they are read first (GET) and written only when they change; the
 * note is POST /api/v2/tickets/{id}/notes with `private: true` (HTML body).
 */
const freshdesk: HelpdeskWriter<WriteBackAuth<'freshdesk'>> = {
  html: true,
  headers: (auth) => ({ authorization: basic(auth.apiKey, 'X') }),
  async apply(api, id, action) {
    const ticket = `/api/v2/tickets/${segment(id)}`;
    if (action.add.length > 0 || action.remove.length > 0) {
      const current = ((await api.call('GET', ticket)) as { tags?: unknown } | null)?.tags;
      const tags = Array.isArray(current) ? current.filter((t): t is string => typeof t === 'string') : [];
      const next = [
        ...tags.filter((t) => !action.remove.includes(t)),
        ...action.add.filter((t) => !tags.includes(t)),
      ];
      if (next.length !== tags.length || next.some((t, i) => t !== tags[i]))
        await api.call('PUT', ticket, { tags: next });
    }
    if (action.note !== null)
      await api.call('POST', `${ticket}/notes`, { body: asHtml(action.note), private: true });
  },
};

/**
 * Jira Service Management (Cloud): Basic auth `{email}:{API token}`. Labels through the platform API's update
 * operations (PUT /rest/api/3/issue/{key}, `{"update": {"labels": [{"add": ...}, {"remove": ...}]}}`); the note is
 * an internal comment of the service desk API (POST /rest/servicedeskapi/request/{key}/comment, `public: false`).
 */
const jira: HelpdeskWriter<WriteBackAuth<'jira'>> = {
  headers: (auth) => ({ authorization: basic(auth.email, auth.apiToken) }),
  async apply(api, id, action) {
    const labels = [...action.add.map((l) => ({ add: l })), ...action.remove.map((l) => ({ remove: l }))];
    if (labels.length > 0) await api.call('PUT', `/rest/api/3/issue/${segment(id)}`, { update: { labels } });
    if (action.note !== null)
      await api.call('POST', `/rest/servicedeskapi/request/${segment(id)}/comment`, {
        body: action.note,
        public: false,
      });
  },
};

/**
 * Zammad REST API: `Authorization: Token token={access token}`. Tags one by one (POST /api/v1/tags/add,
 * DELETE /api/v1/tags/remove, `{"item", "object": "Ticket", "o_id"}`); the note is an internal article of type
 * "note" (POST /api/v1/ticket_articles).
 */
const zammad: HelpdeskWriter<WriteBackAuth<'zammad'>> = {
  headers: (auth) => ({ authorization: `Token token=${auth.token}` }),
  async apply(api, id, action) {
    const oId = /^\d{1,15}$/.test(id) ? Number(id) : id;
    for (const item of action.add)
      await api.call('POST', '/api/v1/tags/add', { item, object: 'Ticket', o_id: oId });
    for (const item of action.remove)
      await api.call('DELETE', '/api/v1/tags/remove', { item, object: 'Ticket', o_id: oId });
    if (action.note !== null)
      await api.call('POST', '/api/v1/ticket_articles', {
        ticket_id: oId,
        subject: 'SLA',
        body: action.note,
        content_type: 'text/plain',
        type: 'note',
        internal: true,
      });
  },
};

/** The Intercom REST API version the calls are written against (the Intercom-Version header). */
export const INTERCOM_VERSION = '2.11';

/**
 * Intercom REST API: `Authorization: Bearer {access token}` and `Intercom-Version`. Conversations are tagged by
 * tag id: POST /tags `{"name"}` creates or finds the tag, then POST /conversations/{id}/tags `{"id", "admin_id"}`
 * attaches it and DELETE /conversations/{id}/tags/{tag id} `{"admin_id"}` detaches it (404: it was not attached);
 * the note is POST /conversations/{id}/reply with `message_type: "note"` as the admin.
 */
const intercom: HelpdeskWriter<WriteBackAuth<'intercom'>> = {
  html: true,
  headers: (auth) => ({ authorization: `Bearer ${auth.accessToken}`, 'intercom-version': INTERCOM_VERSION }),
  async apply(api, id, action, auth) {
    const conversation = `/conversations/${segment(id)}`;
    const tagId = async (name: string) => {
      const tag = (await api.call('POST', '/tags', { name })) as { id?: unknown } | null;
      if (typeof tag?.id !== 'string' && typeof tag?.id !== 'number')
        throw new Error(`intercom answered POST /tags without a tag id`);
      return String(tag.id);
    };
    for (const name of action.add)
      await api.call('POST', `${conversation}/tags`, { id: await tagId(name), admin_id: auth.adminId });
    for (const name of action.remove)
      await api.call(
        'DELETE',
        `${conversation}/tags/${segment(await tagId(name))}`,
        { admin_id: auth.adminId },
        { alsoOk: [404] },
      );
    if (action.note !== null)
      await api.call('POST', `${conversation}/reply`, {
        message_type: 'note',
        type: 'admin',
        admin_id: auth.adminId,
        body: asHtml(action.note),
      });
  },
};

export const HELPDESK_WRITERS: { [P in WriteBackProvider]: HelpdeskWriter<WriteBackAuth<P>> } = {
  zendesk,
  freshdesk,
  jira,
  zammad,
  intercom,
};

export type { HelpdeskApi, WriteBackAction };
