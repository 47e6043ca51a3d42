import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import java.lang.reflect.Constructor;
import java.util.Arrays;
import java.util.Random;
import java.util.UUID;
import org.trustfleet.cache.BoundedCache;
import org.trustfleet.cache.Caches;
import org.trustfleet.payload.PayloadBytes;

/**
 * How many 200s find their payload's bytes in memory after a store change replaced every group's payload: the
 * service's {@code PayloadBytes} (keyed by group) against the same Caffeine cache keyed by ETag, as it was up to
 * e63c294, fed the same fetches. No timing: the figure is the fraction of fetches answered from the cache, which
 * decides how many read their bytes from PostgreSQL during the change.
 *
 * <p>Model (the scale benchmark's store change, bench/scale/run.sh with STORE_WARM=150): GROUPS groups, payloads of
 * SIZE bytes, a cache of CACHE bytes; WARM fetches of random groups' payloads before the change (a replica's first
 * three minutes at 1,100/s, 85 % of them 200s), then every group's payload replaced at once, then PER_MINUTE fetches
 * of random groups for MINUTES minutes, each wanting the group's new payload. A fetch that finds no bytes keeps
 * them, as one that read them from the database does.
 *
 * <p>Run from the repository's root once the service is packaged ({@code ./mvnw -B -q package -DskipTests -pl
 * service -am}):
 * <pre>
 * L=service/target/quarkus-app/lib
 * java -Djava.util.logging.manager=org.jboss.logmanager.LogManager \
 *     -cp "service/target/classes:$L/main/*:$L/boot/*" bench/scale/PayloadBytesAdmission.java
 * </pre>
 * Arguments GROUPS SIZE CACHE WARM PER_MINUTE MINUTES SEED; defaults 50000 3800 100663296 170000 66000 6 1. The
 * figures vary by about a percentage point between runs of one seed: Caffeine's admission breaks some ties at random.
 */
public class PayloadBytesAdmission {
    public static void main(String[] args) throws Exception {
        int groups = arg(args, 0, 50_000);
        int size = arg(args, 1, 3_800);
        long cache = arg(args, 2, 96 << 20);
        int warm = arg(args, 3, 170_000);
        int perMinute = arg(args, 4, 66_000);
        int minutes = arg(args, 5, 6);
        long seed = arg(args, 6, 1);

        Constructor<PayloadBytes> limited = PayloadBytes.class.getDeclaredConstructor(long.class);
        limited.setAccessible(true); // the service's own class, with the bound its configuration would give it
        PayloadBytes byGroup = limited.newInstance(cache);
        BoundedCache<String, ByteBuf> byEtag = Caches.weighted("by-etag", cache, ByteBuf::capacity, ByteBuf::release);
        byte[] cms = new byte[size];

        System.out.printf("%d groups, payloads of %d bytes, a cache of %d bytes, %d fetches before the change, "
                + "%d a minute after it; seed %d%n", groups, size, cache, warm, perMinute, seed);
        for (String variant : new String[] {"keyed by ETag (up to e63c294)", "keyed by group (PayloadBytes)"}) {
            boolean grouped = variant.contains("group");
            Random random = new Random(seed);
            int[] generation = new int[groups];
            for (int i = 0; i < warm; i++) {
                fetch(grouped, byGroup, byEtag, random.nextInt(groups), generation, cms);
            }
            Arrays.fill(generation, 1); // a store change: every group's payload replaced
            StringBuilder found = new StringBuilder();
            for (int m = 0; m < minutes; m++) {
                int hits = 0;
                for (int i = 0; i < perMinute; i++) {
                    hits += fetch(grouped, byGroup, byEtag, random.nextInt(groups), generation, cms) ? 1 : 0;
                }
                found.append(String.format(" %4.1f %%", 100.0 * hits / perMinute));
            }
            System.out.printf("%-32s found in memory, minute 1..%d after the change:%s%n", variant, minutes, found);
            byEtag.invalidateAll();
        }
    }

    /** One 200 of group {@code g}: whether its payload's bytes were found; kept if not. */
    private static boolean fetch(boolean grouped, PayloadBytes byGroup, BoundedCache<String, ByteBuf> byEtag, int g,
            int[] generation, byte[] cms) {
        String etag = g + "-" + generation[g];
        if (grouped) {
            UUID group = new UUID(0, g);
            ByteBuf held = byGroup.retained(group, etag);
            if (held != null) {
                held.release();
                return true;
            }
            byGroup.keep(group, etag, cms).release();
            return false;
        }
        if (byEtag.get(etag) != null) {
            return true;
        }
        ByteBuf direct = Unpooled.directBuffer(cms.length, cms.length).writeBytes(cms);
        if (!byEtag.addIfAbsent(etag, direct)) {
            direct.release();
        }
        return false;
    }

    private static int arg(String[] args, int i, int fallback) {
        return args.length > i ? Integer.parseInt(args[i]) : fallback;
    }
}
