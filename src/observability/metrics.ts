/** A tiny Prometheus text exposition: counters only, named in the domain's words. */
export class Metrics {
  private readonly counters = new Map<string, { help: string; value: number }>();

  counter(name: string, help: string): () => void {
    const entry = this.counters.get(name) ?? { help, value: 0 };
    this.counters.set(name, entry);
    return () => {
      entry.value++;
    };
  }

  render(): string {
    return [...this.counters]
      .map(([name, c]) => `# HELP ${name} ${c.help}\n# TYPE ${name} counter\n${name} ${c.value}\n`)
      .join('');
  }
}
