// Message loss, duplication and gaps from what the probe publisher sent and what its consumer got (pure).

export interface PublishedMessage {
  n: number;
  /** the publisher treated the message as sent (with the correct strategy: a PubAck arrived) */
  acknowledged: boolean;
  /** a PubAck from the broker confirmed it */
  confirmed: boolean;
}

export interface DeliveredMessage {
  n: number;
  streamSeq: number;
  redelivered: boolean;
}

export interface DeliveryAnalysis {
  /** distinct sequence numbers the publisher attempted */
  published: number;
  /** sequence numbers the publisher treated as sent */
  acknowledged: number;
  /** of those, confirmed by a PubAck */
  confirmedByPubAck: number;
  /** distinct sequence numbers delivered to the consumer */
  delivered: number;
  /** acknowledged to the publisher, never delivered */
  lost: number;
  /** the first lost sequence numbers (at most 50) */
  lostSequences: number[];
  /** sequence numbers delivered more than once (any reason) */
  duplicated: number;
  /** deliveries beyond the first, summed over all sequence numbers */
  extraDeliveries: number;
  /** deliveries the server flagged as redeliveries */
  redeliveries: number;
  /** sequence numbers stored at more than one stream sequence: the msgID deduplication failed */
  storedMoreThanOnce: number;
  /** delivered although the publisher never saw it sent (e.g. the PubAck was lost, the retry deduplicated or gave up) */
  deliveredUnacknowledged: number;
  /** longest run of consecutive sequence numbers (1..highest published) never delivered */
  maxGap: number;
}

const SAMPLE = 50;

export function analyseDelivery(published: readonly PublishedMessage[], deliveries: readonly DeliveredMessage[]): DeliveryAnalysis {
  const acked = new Set(published.filter((p) => p.acknowledged).map((p) => p.n));
  const confirmed = published.filter((p) => p.acknowledged && p.confirmed).length;
  const count = new Map<number, number>();
  const streamSeqs = new Map<number, Set<number>>();
  let redeliveries = 0;
  for (const d of deliveries) {
    count.set(d.n, (count.get(d.n) ?? 0) + 1);
    let seqs = streamSeqs.get(d.n);
    if (!seqs) streamSeqs.set(d.n, (seqs = new Set()));
    seqs.add(d.streamSeq);
    if (d.redelivered) redeliveries++;
  }
  const lostAll = [...acked].filter((n) => !count.has(n)).sort((a, b) => a - b);
  let duplicated = 0;
  let extra = 0;
  for (const c of count.values()) {
    if (c > 1) {
      duplicated++;
      extra += c - 1;
    }
  }
  const highest = published.reduce((max, p) => Math.max(max, p.n), 0);
  let maxGap = 0;
  let run = 0;
  for (let n = 1; n <= highest; n++) {
    run = count.has(n) ? 0 : run + 1;
    maxGap = Math.max(maxGap, run);
  }
  return {
    published: new Set(published.map((p) => p.n)).size,
    acknowledged: acked.size,
    confirmedByPubAck: confirmed,
    delivered: count.size,
    lost: lostAll.length,
    lostSequences: lostAll.slice(0, SAMPLE),
    duplicated,
    extraDeliveries: extra,
    redeliveries,
    storedMoreThanOnce: [...streamSeqs.values()].filter((s) => s.size > 1).length,
    deliveredUnacknowledged: [...count.keys()].filter((n) => !acked.has(n)).length,
    maxGap,
  };
}
