// Test-only: runs Debezium's embedded engine with the connector and options of a properties file and
// prints every change event as one line {"topic":..,"key":<Connect JSON>,"value":<Connect JSON>}
// (JsonConverter with schemas, as a Kafka Connect worker writes them; a tombstone's value is null).
// Stops after max-events events, max-seconds seconds, or idle-seconds without an event once one came.
//   java -cp 'lib/*:classes' Harness engine.properties max-events max-seconds idle-seconds
import io.debezium.engine.ChangeEvent;
import io.debezium.engine.DebeziumEngine;
import io.debezium.embedded.Connect;
import java.io.FileInputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.kafka.connect.json.JsonConverter;
import org.apache.kafka.connect.source.SourceRecord;

public final class Harness {
    public static void main(String[] args) throws Exception {
        if (args.length != 4) {
            System.err.println("usage: Harness engine.properties max-events max-seconds idle-seconds");
            System.exit(2);
        }
        Properties props = new Properties();
        try (FileInputStream in = new FileInputStream(args[0])) {
            props.load(in);
        }
        long maxEvents = Long.parseLong(args[1]);
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(Long.parseLong(args[2]));
        long idleNanos = TimeUnit.SECONDS.toNanos(Long.parseLong(args[3]));

        JsonConverter keys = new JsonConverter(), values = new JsonConverter();
        keys.configure(Map.of("schemas.enable", "true", "converter.type", "key"), true);
        values.configure(Map.of("schemas.enable", "true", "converter.type", "value"), false);

        // stdout carries only events: the engine's logging goes to stderr
        PrintStream out = new PrintStream(new StdoutStream(), true, StandardCharsets.UTF_8);
        AtomicLong count = new AtomicLong(), last = new AtomicLong(0);
        Object lock = new Object();
        CountDownLatch ended = new CountDownLatch(1);

        DebeziumEngine<ChangeEvent<SourceRecord, SourceRecord>> engine = DebeziumEngine.create(Connect.class)
                .using(props)
                .notifying(rec -> {
                    SourceRecord r = rec.value();
                    String key = json(keys.fromConnectData(r.topic(), r.keySchema(), r.key()));
                    String value = json(values.fromConnectData(r.topic(), r.valueSchema(), r.value()));
                    synchronized (lock) {
                        out.println("{\"topic\":\"" + r.topic() + "\",\"key\":" + key + ",\"value\":" + value + "}");
                    }
                    count.incrementAndGet();
                    last.set(System.nanoTime());
                })
                .using((success, message, error) -> {
                    if (!success) {
                        System.err.println("harness: engine stopped: " + message);
                        if (error != null)
                            error.printStackTrace();
                    }
                    ended.countDown();
                })
                .build();
        ExecutorService exec = Executors.newSingleThreadExecutor();
        exec.execute(engine);
        while (System.nanoTime() < deadline && count.get() < maxEvents) {
            long l = last.get();
            if (l != 0 && System.nanoTime() - l > idleNanos)
                break;
            if (ended.await(100, TimeUnit.MILLISECONDS))
                break; // the engine ended on its own (an error, printed above)
        }
        engine.close();
        exec.shutdown();
        exec.awaitTermination(30, TimeUnit.SECONDS);
        out.flush();
        System.err.println("harness: " + count.get() + " events");
        System.exit(0);
    }

    private static String json(byte[] b) {
        return b == null ? "null" : new String(b, StandardCharsets.UTF_8);
    }

    // System.out as set up before any logging framework could take it over
    private static final class StdoutStream extends java.io.FilterOutputStream {
        StdoutStream() {
            super(new java.io.FileOutputStream(java.io.FileDescriptor.out));
        }
    }
}
