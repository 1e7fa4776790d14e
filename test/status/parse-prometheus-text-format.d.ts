/**
 * Types for parse-prometheus-text-format 1.1 (the package ships none): the parser the
 * metrics tests read `/metrics` with, an implementation independent of prom-client.
 */
declare module 'parse-prometheus-text-format' {
  export interface PromSample {
    readonly value: string;
    readonly labels?: Readonly<Record<string, string>>;
    readonly buckets?: Readonly<Record<string, string>>;
    readonly count?: string;
    readonly sum?: string;
  }
  export interface PromFamily {
    readonly name: string;
    readonly help: string;
    readonly type: 'COUNTER' | 'GAUGE' | 'HISTOGRAM' | 'SUMMARY' | 'UNTYPED';
    readonly metrics: readonly PromSample[];
  }
  export default function parsePrometheusTextFormat(text: string): PromFamily[];
}
