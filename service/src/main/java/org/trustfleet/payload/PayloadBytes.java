package org.trustfleet.payload;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.util.IllegalReferenceCountException;
import jakarta.inject.Inject;
import jakarta.inject.Singleton;
import java.util.concurrent.atomic.AtomicBoolean;
import org.jboss.logging.Logger;
import org.trustfleet.cache.BoundedCache;
import org.trustfleet.cache.Caches;
import org.trustfleet.core.TrustfleetConfig;

/**
 * The CMS bytes of the signed payloads a replica serves, by ETag, at most
 * {@code trustfleet.cache.payload-bytes-max-size} of them, outside the heap. Kept apart from the payloads themselves
 * (a few hundred bytes of heap each, which a replica keeps for every group it serves) because at a fleet's pace most
 * fetches are answered 304 and need only the ETag: a replica that held every group's bytes held about 190 MB for
 * 50,000 groups, plus the replaced ones until a full collection found them, which set its peak memory during a
 * platform store change. A 200 whose bytes are not kept reads them from {@code signed_payload}
 * ({@link SignedPayloadService#bytes}).
 *
 * <p>An ETag is the SHA-256 of the bytes, so an entry never goes stale and no replica invalidates another's. Each
 * buffer is reference-counted: the cache holds one reference, and each response that writes it holds one
 * ({@link #retained}) until written; the memory is freed when the last is released, at once rather than when the
 * collector finds the buffer, so the bound holds whatever the heap does.
 */
@Singleton
public class PayloadBytes {
    private static final Logger LOG = Logger.getLogger(PayloadBytes.class);
    private static final AtomicBoolean DIRECT_LIMIT_LOGGED = new AtomicBoolean();

    private final BoundedCache<String, ByteBuf> cache;

    @Inject
    public PayloadBytes(TrustfleetConfig config) {
        this(config.cache().payloadBytesMaxSize().asLongValue());
    }

    PayloadBytes(long maxBytes) {
        this.cache = Caches.weighted("payload-bytes", maxBytes, ByteBuf::capacity, ByteBuf::release);
    }

    /**
     * The bytes of the payload with this ETag, if kept: a read-only buffer of the caller's own (reader index 0) that
     * holds a reference, which the caller must release once done (once the response is written); or null.
     */
    public ByteBuf retained(String etag) {
        ByteBuf kept = cache.get(etag);
        if (kept == null) {
            return null;
        }
        try {
            return kept.retainedDuplicate();
        } catch (IllegalReferenceCountException evicted) {
            return null; // evicted and freed between the get and the retain: as if not kept
        }
    }

    /**
     * Keeps {@code cms} (the bytes whose SHA-256 is {@code etag}; copied, the array is not kept) unless bytes of that
     * ETag are kept already, and returns them as {@link #retained} does; never null. Where the cache keeps nothing,
     * or the JVM's limit on direct memory is reached, the bytes are returned on the heap instead, uncached.
     */
    public ByteBuf keep(String etag, byte[] cms) {
        ByteBuf held = retained(etag);
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
        if (!cache.addIfAbsent(etag, direct)) {
            direct.release(); // another thread kept the same bytes meanwhile: theirs stay, this copy goes with mine
        }
        return mine;
    }

    /** The bytes kept, in all (pending evictions run first). */
    long keptBytes() {
        cache.size();
        return cache.weightedSize();
    }
}
