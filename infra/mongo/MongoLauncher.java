// Local MongoDB wire-protocol server for development and tests (no mongod, no Docker).
//
// Started by scripts/infra.sh in Java source-file mode (no compile step):
//   java -Xmx256m -cp 'infra/mongo/target/libs/*' infra/mongo/MongoLauncher.java
//
// Backed by de.bwaldvogel:mongo-java-server 1.47.0. Settings (system properties, -Dname=value):
//   mongo.host     bind address                        default 127.0.0.1 (not "localhost": IPv6-first resolution)
//   mongo.port     bind port                           default 27017
//   mongo.backend  h2 | memory                         default h2
//   mongo.file     H2 MVStore file (h2 backend only)   default .tmp/mongo-data/mongo.mv (relative to the cwd)
//   mongo.wire     reported maxWireVersion             default 8 (stock; the mongodb Node driver 6.x needs >= 8)
//   mongo.oplog    true to enable the oplog (change streams, limited)   default false
//
// The h2 backend keeps databases, collections and indexes across restarts; the MVStore is committed in the
// background about once per second and fully on a clean shutdown (SIGTERM runs the shutdown hook below),
// so a SIGKILL may lose the last second of writes.
import de.bwaldvogel.mongo.MongoServer;
import de.bwaldvogel.mongo.MongoVersion;
import de.bwaldvogel.mongo.backend.AbstractMongoBackend;
import de.bwaldvogel.mongo.backend.h2.H2Backend;
import de.bwaldvogel.mongo.backend.memory.MemoryBackend;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.CountDownLatch;

public class MongoLauncher {

    public static void main(String[] args) throws Exception {
        String host = System.getProperty("mongo.host", "127.0.0.1");
        int port = Integer.getInteger("mongo.port", 27017);
        String backendName = System.getProperty("mongo.backend", "h2");
        int wire = Integer.getInteger("mongo.wire", 8);

        AbstractMongoBackend backend;
        String description;
        switch (backendName) {
            case "h2" -> {
                Path file = Path.of(System.getProperty("mongo.file", ".tmp/mongo-data/mongo.mv")).toAbsolutePath();
                Files.createDirectories(file.getParent());
                backend = new H2Backend(file.toString());
                description = "h2 file " + file;
            }
            case "memory" -> {
                backend = new MemoryBackend();
                description = "memory (data is lost on stop)";
            }
            default -> throw new IllegalArgumentException("mongo.backend must be h2 or memory, got " + backendName);
        }

        if (wire != 8) {
            // Only reports a different wire version; the server does not gain newer features.
            backend.version(new MongoVersion() {
                @Override
                public List<Integer> getVersionArray() {
                    return List.of(5, 0, 0);
                }

                @Override
                public int getWireVersion() {
                    return wire;
                }
            });
        }

        MongoServer server = new MongoServer(backend);
        if (Boolean.getBoolean("mongo.oplog")) {
            server.enableOplog();
        }
        server.bind(host, port);

        CountDownLatch stopped = new CountDownLatch(1);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            System.out.println("MongoLauncher: shutting down");
            server.shutdownNow(); // also closes the backend, i.e. commits and closes the H2 MVStore
            stopped.countDown();
        }, "mongo-shutdown"));

        // scripts/infra.sh waits for the port; this line is for humans reading .tmp/mongo.log
        System.out.println("MongoLauncher: listening on " + host + ":" + port + ", backend " + description
                + ", maxWireVersion " + wire);
        stopped.await();
    }
}
