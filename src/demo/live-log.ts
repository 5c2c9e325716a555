/** Prints the service's live events (GET /events, Server-Sent Events) as short lines; clock changes are counted. */
export async function followLiveEvents(
  baseUrl: string,
  key: string,
  log: (line: string) => void,
  signal: AbortSignal,
): Promise<void> {
  try {
    const res = await fetch(`${baseUrl}/events`, { headers: { authorization: `Bearer ${key}` }, signal });
    if (!res.ok || !res.body) return log(`live events unavailable (${res.status})`);
    const decoder = new TextDecoder();
    let buffer = '';
    for await (const chunk of res.body) {
      buffer += decoder.decode(chunk as Uint8Array, { stream: true });
      let end: number;
      while ((end = buffer.indexOf('\n\n')) >= 0) {
        const message = buffer.slice(0, end);
        buffer = buffer.slice(end + 2);
        const data = message
          .split('\n')
          .filter((l) => l.startsWith('data:'))
          .map((l) => l.slice(5).trim())
          .join('');
        if (data) describe(JSON.parse(data) as LiveEvent, log);
      }
    }
  } catch (error) {
    if (!signal.aborted) log(`live events stopped: ${(error as Error).message}`);
  }
}

interface LiveEvent {
  type: string;
  externalId: string;
  tier: string | null;
  priority: string | null;
  metric?: string;
  step?: string;
  late?: boolean;
}

function describe(e: LiveEvent, log: (line: string) => void): void {
  const what = `ticket ${e.externalId} (${e.tier ?? 'no tier'}, ${e.priority ?? '-'})`;
  switch (e.type) {
    case 'step.warning':
      return log(`WARNING     ${what}: ${e.metric} reached ${stepLabel(e.step)}`);
    case 'step.breach':
      return log(`BREACH      ${what}: ${e.metric} missed its deadline${e.late ? ' (recorded late)' : ''}`);
    case 'step.escalation':
      return log(`ESCALATION  ${what}: ${e.metric} ladder step ${stepLabel(e.step)}`);
    case 'breach.withdrawn':
      return log(`WITHDRAWN   ${what}: a late event shows ${e.metric} was met in time; the breach is undone`);
    case 'breach.acknowledged':
      return log(`ACKNOWLEDGED ${what}: ${e.metric} breach; the rest of its ladder stops`);
    default:
      return;
  }
}

/** `warning-75` → "75 %", `breach+1m` → "breach + 1 min". */
function stepLabel(step: string | undefined): string {
  const percent = /^warning-(\d+(?:\.\d+)?)$/.exec(step ?? '');
  if (percent) return `${percent[1]} %`;
  const after = /^breach\+(\d+)m$/.exec(step ?? '');
  return after ? `breach + ${after[1]} min` : (step ?? '');
}
