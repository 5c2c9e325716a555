import { DomainError } from '../../common/errors.js';

const COLLECTIONS = { tier: 'tiers', calendar: 'calendars', ladder: 'ladders' } as const;
const DETAIL_KEYS = { tier: 'missingTiers', calendar: 'missingCalendars', ladder: 'missingLadders' } as const;

/** Well-formed configuration that refers to a tier, calendar or ladder that does not exist (422: fix it or create it). */
export class UnknownReferenceError extends DomainError {
  constructor(what: keyof typeof COLLECTIONS, ids: string[], where: string) {
    const list = ids.map((id) => `"${id}"`).join(', ');
    const plural = ids.length > 1 ? 's' : '';
    super(
      422,
      'unknown_reference',
      `${where} refers to ${what}${plural} ${list} that do${ids.length > 1 ? '' : 'es'} not exist. ` +
        `Create ${ids.length > 1 ? 'them' : 'it'} first (POST /${COLLECTIONS[what]}) or fix the id.`,
      { [DETAIL_KEYS[what]]: ids },
    );
  }
}
