import { IntegrationsInbox1795400100000 } from './1795400100000-IntegrationsInbox.js';
import { Tickets1795400200000 } from './1795400200000-Tickets.js';
import { SlaConfig1795400000000 } from './1795400000000-SlaConfig.js';
import { TicketEventsInbox1795400300000 } from './1795400300000-TicketEventsInbox.js';
import { CalendarVersions1795400400000 } from './1795400400000-CalendarVersions.js';
import { ClockFingerprints1795400500000 } from './1795400500000-ClockFingerprints.js';
import { SlaSteps1795400700000 } from './1795400700000-SlaSteps.js';
import { InboxClaims1795400800000 } from './1795400800000-InboxClaims.js';
import { ApiKeys1795400600000 } from './1795400600000-ApiKeys.js';
import { Notifications1795400900000 } from './1795400900000-Notifications.js';
import { AuditLog1795401000000 } from './1795401000000-AuditLog.js';
import { SecretRotationRetention1795401100000 } from './1795401100000-SecretRotationRetention.js';
import { EmailDirectoryHygiene1795401250000 } from './1795401250000-EmailDirectoryHygiene.js';
import { HelpdeskWriteBack1795401300000 } from './1795401300000-HelpdeskWriteBack.js';
import { ReportRollup1795401400000 } from './1795401400000-ReportRollup.js';
import { TicketWriteDigest1795401500000 } from './1795401500000-TicketWriteDigest.js';

/**
 * Every migration, in order. Listed explicitly (not globbed) so that the same list works from
 * compiled JavaScript, from the test runner and from the CLI. Add new migrations at the end.
 */
export const migrations: Array<new () => unknown> = [
  IntegrationsInbox1795400100000,
  Tickets1795400200000,
  SlaConfig1795400000000,
  TicketEventsInbox1795400300000,
  CalendarVersions1795400400000,
  ClockFingerprints1795400500000,
  ApiKeys1795400600000,
  SlaSteps1795400700000,
  InboxClaims1795400800000,
  Notifications1795400900000,
  AuditLog1795401000000,
  SecretRotationRetention1795401100000,
  EmailDirectoryHygiene1795401250000,
  HelpdeskWriteBack1795401300000,
  ReportRollup1795401400000,
  TicketWriteDigest1795401500000,
];
