// gameday's hands on a Kafka cluster, through the official Java client (kafka-clients, on the
// same classpath as the broker): the admin questions the TS side asks (is every node registered,
// create the probe topic, who leads it, is the ISR whole) and the write probe, an idempotent
// acks=all producer writing sequence numbers with a consumer reading them back. Every answer is
// one JSON line on stdout; chaos/store/kafka-tool.ts and kafka-probe.ts read them.
//
//   GamedayKafka format   --cluster-id ID --config C --quorum standalone|join
//     formats a node's storage as kafka-storage.sh format does (unless it is formatted already).
//     "standalone": the first controller, a quorum of one that elects itself at once; "join": a
//     controller that starts as an observer (the topic command adds it to the quorum).
//   GamedayKafka node     --cluster-id ID --config C --quorum standalone|join
//     a node: format, then kafka.Kafka on C in the same JVM.
//   GamedayKafka topic    --bootstrap B --topic T --nodes 3 --replication-factor 3 --min-isr 2 --timeout-ms 60000 [--also T2,T3] [--voters 2@H:P,3@H:P]
//     creates T (and the --also topics, in the same request) once every node is registered, adds the
//     --voters (controllers fetching as observers) to the quorum one at a time; answers T's state
//     once every ISR is whole and every --voters node is a voter.
//   GamedayKafka describe --bootstrap B --topic T
//   GamedayKafka wait-isr --bootstrap B --topic T --size 3 --timeout-ms 30000
//   GamedayKafka probe    --bootstrap B --topic T --interval-ms 20 --max-writes 20000 --delivery-timeout-ms 60000
//     writes until "stop" (or EOF) on stdin, then reads the topic back from its first offset.
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.stream.Collectors;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.admin.QuorumInfo;
import org.apache.kafka.clients.admin.RaftVoterEndpoint;
import org.apache.kafka.clients.admin.TopicDescription;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.Node;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.TopicPartitionInfo;
import org.apache.kafka.common.errors.TopicExistsException;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;

public final class GamedayKafka {
  private static final Object OUT = new Object();

  public static void main(String[] argv) throws Exception {
    if (argv.length == 0) fail("usage: GamedayKafka format|node --cluster-id ID --config FILE --quorum standalone|join, or GamedayKafka topic|describe|wait-isr|probe --bootstrap HOST:PORT,... --topic NAME ...");
    Map<String, String> a = options(argv);
    if (argv[0].equals("format") || argv[0].equals("node")) {
      String config = required(a, "config");
      format(required(a, "cluster-id"), config, required(a, "quorum"));
      if (argv[0].equals("format")) System.exit(0);
      // the node in this JVM: no second JVM start before it can start (kafka.Kafka exits the JVM when it stops)
      Class.forName("kafka.Kafka").getMethod("main", String[].class).invoke(null, (Object) new String[] {config});
      return;
    }
    String bootstrap = required(a, "bootstrap");
    String topic = required(a, "topic");
    try {
      switch (argv[0]) {
        case "topic" -> createTopic(bootstrap, topic, a.getOrDefault("also", ""), a.getOrDefault("voters", ""), intOf(a, "nodes", 3), intOf(a, "replication-factor", 3), intOf(a, "min-isr", 2), intOf(a, "timeout-ms", 60_000));
        case "describe" -> {
          try (Admin admin = admin(bootstrap)) {
            emit(describe(admin, topic));
          }
        }
        case "wait-isr" -> waitIsr(bootstrap, topic, intOf(a, "size", 3), intOf(a, "timeout-ms", 30_000));
        case "probe" -> probe(bootstrap, topic, intOf(a, "interval-ms", 20), intOf(a, "max-writes", 20_000), intOf(a, "delivery-timeout-ms", 60_000));
        default -> fail("unknown command " + argv[0] + " (format, node, topic, describe, wait-isr, probe)");
      }
    } catch (ExecutionException e) {
      fail(e.getCause().getClass().getSimpleName() + ": " + e.getCause().getMessage());
    }
    System.exit(0); // the clients' threads are not daemons
  }

  // --- storage ---------------------------------------------------------------------------------

  /** kafka-storage.sh format of one node's storage, in this JVM (the broker's own StorageTool, found on the class path). */
  private static void format(String clusterId, String config, String quorum) throws Exception {
    String initial = switch (quorum) {
      case "standalone" -> "--standalone";
      case "join" -> "--no-initial-controllers";
      default -> {
        fail("--quorum is standalone or join, not " + quorum);
        yield "";
      }
    };
    java.lang.reflect.Method execute = Class.forName("kafka.tools.StorageTool").getMethod("execute", String[].class, java.io.PrintStream.class);
    java.io.ByteArrayOutputStream said = new java.io.ByteArrayOutputStream();
    int code = (Integer) execute.invoke(null, new String[] {"format", "--cluster-id", clusterId, "--config", config, "--ignore-formatted", initial}, new java.io.PrintStream(said, true, StandardCharsets.UTF_8));
    if (code != 0) fail("formatting the storage of " + config + " failed (code " + code + "): " + said.toString(StandardCharsets.UTF_8));
    emit("{\"t\":\"formatted\",\"config\":" + quote(config) + "}");
  }

  // --- admin ---------------------------------------------------------------------------------

  private static Admin admin(String bootstrap) {
    Properties p = new Properties();
    p.put(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
    p.put(AdminClientConfig.REQUEST_TIMEOUT_MS_CONFIG, 3000);
    p.put(AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, 5000);
    p.put(AdminClientConfig.RETRY_BACKOFF_MS_CONFIG, 50);
    p.put(AdminClientConfig.RECONNECT_BACKOFF_MAX_MS_CONFIG, 250);
    return Admin.create(p);
  }

  /** The topic's partitions (leader, replicas, ISR), the registered brokers and the active controller. */
  private static String describe(Admin admin, String topic) throws Exception {
    Collection<Node> nodes = admin.describeCluster().nodes().get(5, TimeUnit.SECONDS);
    Map<String, TopicDescription> topics = admin.describeTopics(List.of(topic)).allTopicNames().get(5, TimeUnit.SECONDS);
    int controller = -1;
    String voters = "[]";
    try {
      QuorumInfo q = admin.describeMetadataQuorum().quorumInfo().get(5, TimeUnit.SECONDS);
      controller = q.leaderId();
      voters = q.voters().stream().map(v -> String.valueOf(v.replicaId())).sorted().collect(Collectors.joining(",", "[", "]"));
    } catch (ExecutionException e) {
      // answered by the active controller only through a broker: unknown while there is none
    }
    StringBuilder parts = new StringBuilder();
    for (TopicPartitionInfo p : topics.get(topic).partitions()) {
      if (parts.length() > 0) parts.append(',');
      parts.append("{\"partition\":").append(p.partition())
          .append(",\"leader\":").append(p.leader() == null ? -1 : p.leader().id())
          .append(",\"replicas\":").append(ids(p.replicas()))
          .append(",\"isr\":").append(ids(p.isr())).append('}');
    }
    return "{\"t\":\"topic\",\"topic\":" + quote(topic) + ",\"brokers\":" + ids(nodes) + ",\"controller\":" + controller + ",\"voters\":" + voters + ",\"partitions\":[" + parts + "]}";
  }

  private static void createTopic(String bootstrap, String topic, String also, String voters, int nodes, int rf, int minIsr, int timeoutMs) throws Exception {
    long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(timeoutMs);
    List<String> names = new ArrayList<>(List.of(topic));
    for (String t : also.split(",")) if (!t.isBlank() && !names.contains(t.trim())) names.add(t.trim());
    try (Admin admin = admin(bootstrap)) {
      // the controllers join the quorum while the brokers register (the admin client is thread-safe)
      CompletableFuture<Void> joined = CompletableFuture.runAsync(() -> {
        try {
          for (String v : voters.split(",")) if (!v.isBlank()) addVoter(admin, v.trim(), deadline, timeoutMs);
        } catch (Exception e) {
          throw new CompletionException(e);
        }
      });
      String last = "";
      // every node registered (and unfenced) before the topics, or their replicas would be placed on fewer
      for (;;) {
        try {
          int seen = admin.describeCluster().nodes().get(5, TimeUnit.SECONDS).size();
          if (seen >= nodes) break;
          last = seen + "/" + nodes + " brokers registered";
        } catch (Exception e) {
          last = e.getMessage();
        }
        if (System.nanoTime() > deadline) fail("timed out after " + timeoutMs + " ms waiting for " + nodes + " brokers (last: " + last + ")");
        Thread.sleep(50);
      }
      List<NewTopic> wanted = names.stream().map(n -> new NewTopic(n, 1, (short) rf).configs(Map.of("min.insync.replicas", String.valueOf(minIsr), "unclean.leader.election.enable", "false"))).toList();
      for (Map.Entry<String, org.apache.kafka.common.KafkaFuture<Void>> created : admin.createTopics(wanted).values().entrySet()) {
        try {
          created.getValue().get(10, TimeUnit.SECONDS);
        } catch (ExecutionException e) {
          if (!(e.getCause() instanceof TopicExistsException)) throw e;
        }
      }
      for (String n : names.subList(1, names.size())) awaitIsr(admin, n, rf, deadline, timeoutMs);
      joined.get(); // addVoter ends the program itself when it runs out of time
      emit(awaitIsr(admin, topic, rf, deadline, timeoutMs));
    }
  }

  /**
   * Adds `id@host:port` (its CONTROLLER listener) to the quorum as a voter once it fetches from the
   * leader as an observer (its directory id is the observer's), and returns once it is a voter.
   * The controllers' own auto-join would wait controller.quorum.fetch.timeout.ms (2 s) first.
   */
  private static void addVoter(Admin admin, String voter, long deadline, int timeoutMs) throws Exception {
    int at = voter.indexOf('@');
    int colon = voter.lastIndexOf(':');
    if (at < 1 || colon < at) fail("--voters takes id@host:port, not " + voter);
    int id = Integer.parseInt(voter.substring(0, at));
    RaftVoterEndpoint endpoint = new RaftVoterEndpoint("CONTROLLER", voter.substring(at + 1, colon), Integer.parseInt(voter.substring(colon + 1)));
    String last = "";
    for (;;) {
      try {
        QuorumInfo q = admin.describeMetadataQuorum().quorumInfo().get(5, TimeUnit.SECONDS);
        if (q.voters().stream().anyMatch(v -> v.replicaId() == id)) return;
        QuorumInfo.ReplicaState observer = q.observers().stream().filter(o -> o.replicaId() == id).findFirst().orElse(null);
        if (observer == null) last = "node " + id + " is not fetching from the leader yet";
        else {
          // one voter change at a time: the answer comes once the new voter set is committed
          admin.addRaftVoter(id, observer.replicaDirectoryId(), Set.of(endpoint)).all().get(10, TimeUnit.SECONDS);
          continue;
        }
      } catch (Exception e) {
        last = e.getMessage();
      }
      if (System.nanoTime() > deadline) fail("timed out after " + timeoutMs + " ms waiting for node " + id + " to become a voter (last: " + last + ")");
      Thread.sleep(50);
    }
  }

  private static void waitIsr(String bootstrap, String topic, int size, int timeoutMs) throws Exception {
    try (Admin admin = admin(bootstrap)) {
      emit(awaitIsr(admin, topic, size, System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(timeoutMs), timeoutMs));
    }
  }

  /** The description once every partition has a leader and an ISR of `size`. */
  private static String awaitIsr(Admin admin, String topic, int size, long deadline, int timeoutMs) throws Exception {
    String last = "";
    for (;;) {
      try {
        Map<String, TopicDescription> d = admin.describeTopics(List.of(topic)).allTopicNames().get(5, TimeUnit.SECONDS);
        boolean whole = d.get(topic).partitions().stream().allMatch(p -> p.leader() != null && p.isr().size() >= size);
        if (whole) return describe(admin, topic);
        last = d.get(topic).partitions().stream().map(p -> "partition " + p.partition() + " ISR " + ids(p.isr())).collect(Collectors.joining(", "));
      } catch (Exception e) {
        last = e.getMessage();
      }
      if (System.nanoTime() > deadline) fail("timed out after " + timeoutMs + " ms waiting for an ISR of " + size + " on " + topic + " (last: " + last + ")");
      Thread.sleep(50);
    }
  }

  // --- the probe -----------------------------------------------------------------------------

  private static void probe(String bootstrap, String topic, int intervalMs, int maxWrites, int deliveryTimeoutMs) throws Exception {
    Properties p = new Properties();
    p.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
    p.put(ProducerConfig.ACKS_CONFIG, "all");
    p.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true);
    p.put(ProducerConfig.MAX_IN_FLIGHT_REQUESTS_PER_CONNECTION, 5);
    p.put(ProducerConfig.LINGER_MS_CONFIG, 0);
    // a write sent during the failover is retried, in order, until the new leader takes it
    p.put(ProducerConfig.DELIVERY_TIMEOUT_MS_CONFIG, deliveryTimeoutMs);
    p.put(ProducerConfig.REQUEST_TIMEOUT_MS_CONFIG, Math.min(5000, deliveryTimeoutMs));
    // ask for the new leader every 100 ms at most (Kafka's defaults back off to 1 s): the failover
    // measured is the cluster's, not the client's back-off
    p.put(ProducerConfig.RETRY_BACKOFF_MS_CONFIG, 20);
    p.put(ProducerConfig.RETRY_BACKOFF_MAX_MS_CONFIG, 100);
    p.put(ProducerConfig.RECONNECT_BACKOFF_MS_CONFIG, 20);
    p.put(ProducerConfig.RECONNECT_BACKOFF_MAX_MS_CONFIG, 100);
    p.put(ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, StringSerializer.class.getName());
    p.put(ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, StringSerializer.class.getName());
    AtomicBoolean running = new AtomicBoolean(true);
    Thread stdin = new Thread(() -> {
      try (BufferedReader in = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8))) {
        for (String line; (line = in.readLine()) != null; ) if (line.trim().equals("stop")) break;
      } catch (Exception ignored) {
        // EOF or a closed pipe: stop as well
      }
      running.set(false);
    });
    stdin.setDaemon(true);
    stdin.start();
    try (KafkaProducer<String, String> producer = new KafkaProducer<>(p)) {
      emit("{\"t\":\"start\",\"at\":" + now() + "}");
      for (int seq = 1; seq <= maxWrites && running.get(); seq++) {
        final int s = seq;
        emit("{\"t\":\"send\",\"seq\":" + s + ",\"at\":" + now() + "}");
        try {
          producer.send(new ProducerRecord<>(topic, "probe", String.valueOf(s)), (meta, err) -> {
            double at = now();
            if (err == null) emit("{\"t\":\"ack\",\"seq\":" + s + ",\"at\":" + at + ",\"partition\":" + meta.partition() + ",\"offset\":" + meta.offset() + "}");
            else emit("{\"t\":\"fail\",\"seq\":" + s + ",\"at\":" + at + ",\"error\":" + quote(err.getClass().getSimpleName() + ": " + err.getMessage()) + "}");
          });
        } catch (Exception err) {
          emit("{\"t\":\"fail\",\"seq\":" + s + ",\"at\":" + now() + ",\"error\":" + quote(err.getClass().getSimpleName() + ": " + err.getMessage()) + "}");
        }
        Thread.sleep(intervalMs);
      }
      // what is still in flight gets its answer (or its delivery timeout) before the read-back
      producer.flush();
    }
    readBack(bootstrap, topic);
  }

  /** Every sequence number in the topic, from its first offset to its end, in offset order. */
  private static void readBack(String bootstrap, String topic) {
    Properties c = new Properties();
    c.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
    c.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
    c.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_uncommitted");
    c.put(ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, StringDeserializer.class.getName());
    c.put(ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, StringDeserializer.class.getName());
    List<String> seqs = new ArrayList<>();
    try (KafkaConsumer<String, String> consumer = new KafkaConsumer<>(c)) {
      List<TopicPartition> parts = consumer.partitionsFor(topic, Duration.ofSeconds(10)).stream().map(i -> new TopicPartition(topic, i.partition())).toList();
      consumer.assign(parts);
      consumer.seekToBeginning(parts);
      Map<TopicPartition, Long> end = consumer.endOffsets(parts, Duration.ofSeconds(10));
      long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
      while (parts.stream().anyMatch(tp -> consumer.position(tp) < end.get(tp))) {
        if (System.nanoTime() > deadline) fail("timed out after 30 s reading " + topic + " back to its end offsets " + end);
        for (ConsumerRecord<String, String> r : consumer.poll(Duration.ofMillis(200))) seqs.add(r.value());
      }
      Map<String, Long> endOffsets = new HashMap<>();
      end.forEach((tp, o) -> endOffsets.put(String.valueOf(tp.partition()), o));
      emit("{\"t\":\"read\",\"at\":" + now() + ",\"endOffsets\":" + endOffsets.values().stream().mapToLong(Long::longValue).sum() + ",\"seqs\":[" + String.join(",", seqs) + "]}");
    }
  }

  // --- plumbing ------------------------------------------------------------------------------

  /** Wall clock in epoch milliseconds with microseconds (Instant.now() is microsecond-precise on Linux). */
  private static double now() {
    Instant t = Instant.now();
    return t.getEpochSecond() * 1000.0 + t.getNano() / 1_000_000.0;
  }

  private static void emit(String json) {
    synchronized (OUT) {
      System.out.println(json);
      System.out.flush();
    }
  }

  private static void fail(String message) {
    emit("{\"t\":\"error\",\"message\":" + quote(message) + "}");
    System.exit(2);
  }

  private static String ids(Collection<Node> nodes) {
    return nodes.stream().map(n -> String.valueOf(n.id())).collect(Collectors.joining(",", "[", "]"));
  }

  private static String quote(String s) {
    StringBuilder b = new StringBuilder("\"");
    for (char ch : String.valueOf(s).toCharArray()) {
      if (ch == '"' || ch == '\\') b.append('\\').append(ch);
      else if (ch < 0x20) b.append(String.format("\\u%04x", (int) ch));
      else b.append(ch);
    }
    return b.append('"').toString();
  }

  private static Map<String, String> options(String[] argv) {
    Map<String, String> m = new HashMap<>();
    for (int i = 1; i < argv.length; i++) {
      if (!argv[i].startsWith("--") || i + 1 >= argv.length) fail("expected --name value, got " + argv[i]);
      m.put(argv[i].substring(2), argv[++i]);
    }
    return m;
  }

  private static String required(Map<String, String> a, String name) {
    String v = a.get(name);
    if (v == null) fail("--" + name + " is required");
    return v;
  }

  private static int intOf(Map<String, String> a, String name, int dflt) {
    String v = a.get(name);
    if (v == null) return dflt;
    try {
      return Integer.parseInt(v);
    } catch (NumberFormatException e) {
      fail("--" + name + " must be an integer, not " + v);
      return dflt;
    }
  }
}
