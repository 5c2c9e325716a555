/** The SQL types a row set's columns take. */
export type RowSetColumnType =
  'uuid' | 'text' | 'varchar' | 'int' | 'bigint' | 'float8' | 'boolean' | 'timestamptz' | 'json' | 'jsonb';

/**
 * Many rows as one statement parameter: a JSON array of positional arrays, which the statement reads as a table
 * with `from('$n')`. One definition gives both sides, so the values and the columns cannot fall out of order, and
 * the column list must name every field of the row type.
 *
 * Why positional arrays read as jsonb, not objects read by json_to_recordset: json_to_recordset builds a hash table
 * for every record and the text repeats every key, while jsonb reads a value by position in constant time. Measured
 * on 500 clock rows of 24 columns, round trip from Node: 5.1 ms against 10.6 ms; in a burst of breaches, parsing the
 * write's inputs was 40 % of its statement's time.
 */
export class RowSet<Row extends object> {
  private readonly names: Array<keyof Row & string>;
  private readonly select: string;

  constructor(columns: { [K in keyof Row & string]-?: RowSetColumnType }) {
    this.names = Object.keys(columns) as Array<keyof Row & string>;
    this.select = this.names.map((name, i) => `${read(columns[name], i)} AS ${name}`).join(', ');
  }

  /** A FROM item (needs an alias) for the rows in parameter `param`, e.g. `FROM ${ROWS.from('$1')} AS x`. */
  from(param: string): string {
    return `(SELECT ${this.select} FROM jsonb_array_elements(${param}::jsonb) AS e)`;
  }

  /** The parameter's value. A missing field is NULL. */
  param(rows: readonly Row[]): string {
    return JSON.stringify(rows.map((row) => this.names.map((name) => row[name] ?? null)));
  }
}

function read(type: RowSetColumnType, i: number): string {
  switch (type) {
    case 'text':
      return `e->>${i}`;
    case 'jsonb':
      // JSON null is SQL NULL, as json_to_recordset has it.
      return `NULLIF(e->${i}, 'null')`;
    case 'json':
      return `NULLIF(e->${i}, 'null')::json`;
    default:
      return `(e->>${i})::${type}`;
  }
}
