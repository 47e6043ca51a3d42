package org.trustfleet.payload;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.util.IllegalReferenceCountException;
import jakarta.inject.Inject;
import jakarta.inject.Singleton;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicBoolean;
import org.jboss.logging.Logger;
import org.trustfleet.cache.BoundedCache;
import org.trustfleet.cache.Caches;
import org.trustfleet.core.TrustfleetConfig;

/**
 * The CMS bytes of the signed payloads a replica serves, one payload per group, at most
 * {@code trustfleet.cache.payload-bytes-max-size} of them, outside the heap. Kept apart from the payloads themselves
 * (a few hundred bytes of heap each, which a replica keeps for every group it serves) because at a fleet's pace most
 * fetches are answered 304 and need only the ETag: a replica that held every group's bytes held about 190 MB for
 * 50,000 groups, plus the replaced ones until a full collection found them, which set its peak memory during a
 * platform store change. A 200 whose bytes are not kept reads them from {@code signed_payload}
 * ({@link SignedPayloadService#bytes}).
 *
 * <p>Keyed by group, each entry telling its ETag (the SHA-256 of the bytes), which a read must match: a group's new
 * payload replaces its previous one's bytes in place. Keyed by ETag, a store change left the replaced payloads' bytes
 * in the cache, never asked for again but with the access counts Caffeine's admission weighs, and the new payloads
 * lost to them until fetched as often: most 200s after a change read the database (the scale benchmark's later
 * store changes read 4,919-6,069 payloads' bytes each, against 1-2,680 keyed by group; bench/scale/RESULTS.md,
 * Run 46). Bytes never go stale, so no replica invalidates another's; a replica holding a group's previous bytes
 * reads the current ones when first asked for them.
 *
 * <p>Each buffer is reference-counted: the cache holds one reference, and each response that writes it holds one
 * ({@link #retained}) until written; the memory is freed when the last is released, at once rather than when the
 * collector finds the buffer, so the bound holds whatever the heap does.
 */
@Singleton
public class PayloadBytes {
    private static final Logger LOG = Logger.getLogger(PayloadBytes.class);
    private static final AtomicBoolean DIRECT_LIMIT_LOGGED = new AtomicBoolean();

    private final BoundedCache<UUID, Held> cache;

    /** A group's payload bytes, and the ETag they are the bytes of. */
    private record Held(String etag, ByteBuf bytes) {}

    @Inject
    public PayloadBytes(TrustfleetConfig config) {
        this(config.cache().payloadBytesMaxSize().asLongValue());
    }

    PayloadBytes(long maxBytes) {
        this.cache = Caches.weighted("payload-bytes", maxBytes, held -> held.bytes().capacity(),
                held -> held.bytes().release());
    }

    /**
     * The bytes of the group's payload with this ETag, if kept: a read-only buffer of the caller's own (reader index
     * 0) that holds a reference, which the caller must release once done (once the response is written); or null,
     * also when the bytes kept for the group are another payload's.
     */
    public ByteBuf retained(UUID groupId, String etag) {
        Held kept = cache.get(groupId);
        if (kept == null || !kept.etag().equals(etag)) {
            return null;
        }
        try {
            return kept.bytes().retainedDuplicate();
        } catch (IllegalReferenceCountException evicted) {
            return null; // evicted or replaced, and freed, between the get and the retain: as if not kept
        }
    }

    /**
     * Keeps {@code cms} (the bytes whose SHA-256 is {@code etag}; copied, the array is not kept) as the group's, in
     * place of bytes kept for its previous payload, unless these are kept already, and returns them as
     * {@link #retained} does; never null. Where the cache keeps nothing, or the JVM's limit on direct memory is
     * reached, the bytes are returned on the heap instead, uncached.
     */
    public ByteBuf keep(UUID groupId, String etag, byte[] cms) {
        ByteBuf held = retained(groupId, etag);
        if (held != null) {
            return held;
        }
        ByteBuf direct;
        try {
            direct = Unpooled.directBuffer(cms.length, cms.length).writeBytes(cms).asReadOnly();
        } catch (OutOfMemoryError directLimit) {
            // allocateDirect's way of saying -XX:MaxDirectMemorySize is reached (after a collection and retries): a
            // device should get its payload rather than an error
            if (DIRECT_LIMIT_LOGGED.compareAndSet(false, true)) {
                LOG.warnf("The JVM's limit on direct memory is reached (%s): payload bytes that find no room there "
                        + "are served from the heap, uncached; raise -XX:MaxDirectMemorySize or lower "
                        + "trustfleet.cache.payload-bytes-max-size (docs/operations.md)", directLimit.getMessage());
            }
            return Unpooled.wrappedBuffer(cms).asReadOnly();
        }
        ByteBuf mine = direct.retainedDuplicate();
        // what it replaces is released by the cache: a previous payload's bytes, or the same bytes another thread
        // kept meanwhile. A fetch that read a group's previous bytes from the database before its new payload was
        // stored may put them back over the new ones; the next 200 then reads the new ones again, once.
        cache.put(groupId, new Held(etag, direct));
        return mine;
    }

    /** The bytes kept, in all (pending evictions run first). */
    long keptBytes() {
        cache.size();
        return cache.weightedSize();
    }
}
