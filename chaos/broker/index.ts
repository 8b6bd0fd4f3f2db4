// Broker failover on a real NATS JetStream cluster: the cluster, the fault, and its probe.
export { resolveNatsServer } from './nats-binary.ts';
export { natsNodeConfig, type NatsClusterSpec, type NatsNodeSpec, type NatsNodePorts } from './nats-config.ts';
export { startNatsCluster, type NatsCluster, type NatsNode, type KilledNode, type SpawnFn, type StartNatsClusterOptions } from './nats-cluster.ts';
export { ensureStream, readStreamGroup, streamGroup, groupIsCurrent, waitForGroup, type StreamGroup, type StreamPeer, type EnsureStreamOptions } from './stream-state.ts';
export { SequencePublisher, sendWithPubAck, SEQ_HEADER, RUN_HEADER, type ProbeSend, type ProbeMessage, type SendOutcome, type PublishRecord } from './sequence-publisher.ts';
export { SequenceConsumer, type Delivery } from './sequence-consumer.ts';
export { analyseDelivery, type DeliveryAnalysis, type PublishedMessage, type DeliveredMessage } from './delivery-analysis.ts';
export { BrokerFailover, brokerFailover, type BrokerFailoverOptions, type BrokerFailoverReport, type FailoverCluster, type InjectedFailover } from './failover.ts';
export { BrokerDriver, type BrokerDriverOptions, type FailoverFigures } from './driver.ts';
