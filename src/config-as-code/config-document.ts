import { isMap, isSeq, LineCounter, parseDocument, type Document } from 'yaml';
import { findInputProblem } from '../common/json-body.js';

/** One thing wrong with a configuration file: where (a path such as `policies[2].targets.high`) and what. */
export interface ConfigProblem {
  path: string;
  message: string;
  /** 1-based line and column in the YAML text, when known. */
  line?: number;
  column?: number;
}

export type PathSegment = string | number;

/** `policies[2].targets.high.resolution` */
export function formatPath(path: readonly PathSegment[]): string {
  let out = '';
  for (const segment of path) {
    if (typeof segment === 'number') out += `[${segment}]`;
    else out += out === '' ? segment : `.${segment}`;
  }
  return out || '(document)';
}

/**
 * A parsed configuration document and a way back from a path to its line in the text (for YAML text; a JSON body
 * has no lines).
 */
export class ConfigSource {
  private constructor(
    readonly value: unknown,
    private readonly doc: Document | null,
    private readonly lines: LineCounter | null,
  ) {}

  static fromValue(value: unknown): ConfigSource {
    return new ConfigSource(value, null, null);
  }

  /** Parses YAML (JSON is YAML too); throws ConfigParseError with every syntax problem. */
  static parse(text: string): ConfigSource {
    const lines = new LineCounter();
    const doc = parseDocument(text, { lineCounter: lines, uniqueKeys: true, prettyErrors: false });
    const problems: ConfigProblem[] = doc.errors.map((error) => {
      const { line, col: column } = lines.linePos(error.pos[0]);
      return {
        path: '(document)',
        message: error.message.split('\n')[0].replace(/ at line \d+, column \d+:?$/, ''),
        line,
        column,
      };
    });
    if (problems.length > 0) throw new ConfigParseError(problems);
    let value: unknown;
    try {
      value = doc.toJS({ maxAliasCount: 100 }) ?? {};
    } catch (error) {
      throw new ConfigParseError([{ path: '(document)', message: (error as Error).message }]);
    }
    const problem = findInputProblem(value);
    if (problem) throw new ConfigParseError([{ path: '(document)', message: problem }]);
    return new ConfigSource(value, doc, lines);
  }

  /** Adds the line and column of `path` (or of its nearest enclosing node) to a problem. */
  locate(path: readonly PathSegment[], message: string): ConfigProblem {
    const problem: ConfigProblem = { path: formatPath(path), message };
    if (!this.doc || !this.lines) return problem;
    for (let n = path.length; n >= 0; n--) {
      const node = this.doc.getIn(path.slice(0, n), true) as { range?: [number, number, number] } | undefined;
      const start = node && (isMap(node) || isSeq(node) || node.range) ? node.range?.[0] : undefined;
      if (start !== undefined) {
        const { line, col } = this.lines.linePos(start);
        return { ...problem, line, column: col };
      }
    }
    return problem;
  }
}

/** The document cannot be read at all (YAML syntax, or a value the API refuses everywhere). */
export class ConfigParseError extends Error {
  constructor(readonly problems: ConfigProblem[]) {
    super(problems.map((p) => `${p.path}: ${p.message}`).join('; '));
  }
}

/** `file:line:column: path: message`, one line per problem. */
export function describeProblems(problems: readonly ConfigProblem[], file?: string): string {
  return problems
    .map((p) => {
      const where = [file, p.line, p.column].filter((part) => part !== undefined && part !== '').join(':');
      return `${where ? `${where}: ` : ''}${p.path}: ${p.message}`;
    })
    .join('\n');
}
