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
//
// Unique indexes (every `_id`, and ours such as event_id_idx) are opened by FastIndexH2Backend below
// instead of the stock H2Database: same MVStore file, same documents, same uniqueness, but the index
// B-tree compares its keys by value. Stock mongo-java-server opens them with H2's ObjectDataType, which
// compares a KeyValue (not Comparable) by Java-serializing both sides on every comparison of every
// lookup: a JFR profile of the audit drain put 75 % of this server's CPU there (0.85 ms of CPU per
// inserted audit document, the bench's audit_log drain at 800-1,260 events/s).
import de.bwaldvogel.mongo.MongoServer;
import de.bwaldvogel.mongo.MongoVersion;
import de.bwaldvogel.mongo.MongoCollection;
import de.bwaldvogel.mongo.MongoDatabase;
import de.bwaldvogel.mongo.backend.AbstractMongoBackend;
import de.bwaldvogel.mongo.backend.AbstractUniqueIndex;
import de.bwaldvogel.mongo.backend.Index;
import de.bwaldvogel.mongo.backend.IndexKey;
import de.bwaldvogel.mongo.backend.KeyValue;
import de.bwaldvogel.mongo.backend.Missing;
import de.bwaldvogel.mongo.backend.ValueComparator;
import de.bwaldvogel.mongo.backend.h2.H2Backend;
import de.bwaldvogel.mongo.backend.h2.H2Database;
import de.bwaldvogel.mongo.backend.memory.MemoryBackend;
import org.h2.mvstore.MVMap;
import org.h2.mvstore.MVStore;
import org.h2.mvstore.type.ObjectDataType;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
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
                backend = FastIndexH2Backend.open(file.toString());
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

// H2Backend whose databases open unique indexes with ValueOrderedKeyType (see the top of the file).
class FastIndexH2Backend extends H2Backend {
    // H2Backend's constructor opens the existing databases, i.e. calls openOrCreateDatabase, before
    // this class's fields exist; H2Database's constructor likewise opens indexes. So the store is
    // reached through getMvStore() here and handed to FastIndexH2Database through a static.
    static MVStore store;

    static FastIndexH2Backend open(String fileName) {
        // As MVStore.open(fileName), plus a line in .tmp/mongo.log when the store fails in the background:
        // H2 then closes it and every later command answers "This store is closed", which once ended a CI
        // run's MongoDB in the middle of the e2e suite without a trace of why (test/setup/global-teardown.ts
        // prints these lines).
        store = new MVStore.Builder().fileName(fileName).backgroundExceptionHandler((thread, error) -> {
            System.out.println("MongoLauncher: MVStore failure in " + thread.getName() + ": " + error);
            error.printStackTrace(System.out);
        }).open();
        return new FastIndexH2Backend(store);
    }

    private FastIndexH2Backend(MVStore mvStore) {
        super(mvStore);
    }

    @Override
    protected MongoDatabase openOrCreateDatabase(String databaseName) {
        return new FastIndexH2Database(databaseName, getMvStore(), getCursorRegistry());
    }
}

class FastIndexH2Database extends H2Database {
    // A new map name, because the order of the keys in the tree changed: an index written by stock
    // mongo-java-server (sorted by serialized bytes) is copied into the new map once, then removed.
    private static final String SUFFIX = "~by-value";

    FastIndexH2Database(String databaseName, MVStore mvStore, de.bwaldvogel.mongo.backend.CursorRegistry cursorRegistry) {
        super(databaseName, mvStore, cursorRegistry);
    }

    @Override
    protected Index<Object> openOrCreateUniqueIndex(String collectionName, String indexName, List<IndexKey> keys, boolean sparse) {
        MVStore mvStore = FastIndexH2Backend.store;
        String stockName = getFullCollectionNamespace(collectionName) + "._index_" + indexName;
        String name = stockName + SUFFIX;
        boolean migrate = mvStore.hasMap(stockName);
        if (migrate && mvStore.hasMap(name)) mvStore.removeMap(name); // a copy cut short: start it again
        MVMap<KeyValue, Object> map = mvStore.openMap(name, new MVMap.Builder<KeyValue, Object>().keyType(new ValueOrderedKeyType()));
        if (migrate) {
            MVMap<KeyValue, Object> stock = mvStore.openMap(stockName);
            for (Map.Entry<KeyValue, Object> entry : stock.entrySet()) map.putIfAbsent(entry.getKey(), entry.getValue());
            mvStore.removeMap(stock);
        }
        return new ValueOrderedUniqueIndex(map, indexName, keys, sparse);
    }

    @Override
    protected void dropIndex(MongoCollection<Object> collection, String indexName) {
        super.dropIndex(collection, indexName);
        String name = getFullCollectionNamespace(collection.getCollectionName()) + "._index_" + indexName + SUFFIX;
        if (FastIndexH2Backend.store.hasMap(name)) FastIndexH2Backend.store.removeMap(name);
    }
}

// Stored exactly as before (ObjectDataType's format); only the comparison changes. Keys are ordered by
// MongoDB's value order, and keys equal by value but different (1 and 1.0 before normalisation) by
// their serialized bytes as before, so a key collides with another exactly when it did before.
class ValueOrderedKeyType extends ObjectDataType {
    private static final ValueComparator BY_VALUE = ValueComparator.ascWithoutListHandling();

    @Override
    public int compare(Object a, Object b) {
        if (a == b) return 0;
        if (a instanceof KeyValue ka && b instanceof KeyValue kb) {
            int n = Math.min(ka.size(), kb.size());
            for (int i = 0; i < n; i++) {
                int c = BY_VALUE.compare(ka.get(i), kb.get(i));
                if (c != 0) return c;
            }
            if (ka.size() != kb.size()) return Integer.compare(ka.size(), kb.size());
            if (ka.equals(kb)) return 0;
        }
        return super.compare(a, b);
    }
}

// H2UniqueIndex's constructor is package-private, so this is its code over the map opened above.
class ValueOrderedUniqueIndex extends AbstractUniqueIndex<Object> {
    private final MVMap<KeyValue, Object> map;

    ValueOrderedUniqueIndex(MVMap<KeyValue, Object> map, String name, List<IndexKey> keys, boolean sparse) {
        super(name, keys, sparse);
        this.map = map;
    }

    @Override
    protected Object removeDocument(KeyValue keyValue) {
        return map.remove(keyValue);
    }

    @Override
    protected boolean putKeyPosition(KeyValue keyValue, Object position) {
        return map.putIfAbsent(keyValue, Missing.ofNullable(position)) == null;
    }

    @Override
    protected Iterable<Map.Entry<KeyValue, Object>> getIterable() {
        return map.entrySet();
    }

    @Override
    protected Object getPosition(KeyValue keyValue) {
        return map.get(keyValue);
    }

    @Override
    public long getCount() {
        return map.sizeAsLong();
    }

    @Override
    public boolean isEmpty() {
        return map.isEmpty();
    }

    @Override
    public long getDataSize() {
        return getCount();
    }
}
