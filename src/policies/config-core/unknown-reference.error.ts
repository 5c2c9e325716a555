import { DomainError } from '../../common/errors.js';

/** Well-formed configuration that refers to a tier or calendar that does not exist (422: fix the reference or create it). */
export class UnknownReferenceError extends DomainError {
  constructor(what: 'tier' | 'calendar', ids: string[], where: string) {
    const list = ids.map((id) => `"${id}"`).join(', ');
    const plural = ids.length > 1 ? 's' : '';
    super(
      422,
      'unknown_reference',
      `${where} refers to ${what}${plural} ${list} that do${ids.length > 1 ? '' : 'es'} not exist. ` +
        `Create ${ids.length > 1 ? 'them' : 'it'} first (POST /${what === 'tier' ? 'tiers' : 'calendars'}) or fix the id.`,
      { [what === 'tier' ? 'missingTiers' : 'missingCalendars']: ids },
    );
  }
}
