package org.trustfleet.payload;

import java.nio.ByteBuffer;
import java.time.Instant;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicBoolean;
import org.jboss.logging.Logger;

/**
 * A group's payload as served: the DER CMS SignedData bytes and what identifies them. The same bytes are served
 * to every device of the group until the requirements version or the signer changes, or half the validity passed.
 *
 * <p>The bytes are held outside the collected heap, in a read-only direct buffer that the JVM frees once the payload
 * is unreachable. A replica keeps one payload per group (about 190 MB for a fleet's 50,000 groups), and on the heap
 * they were most of what a platform store change promoted into the old generation (each group's new payload), which
 * kept G1 marking the heap from one cycle to the next during the change. Responses write them to the socket without
 * copying them first; anything that holds a view (a response still being written) keeps them alive. Where the JVM's
 * limit on such memory ({@code -XX:MaxDirectMemorySize}) is reached even after the collection it runs for it, a
 * payload keeps its bytes on the heap instead: served the same, never refused for want of that memory.
 *
 * @param etag the strong entity tag, unquoted: lowercase hex SHA-256 of the CMS bytes
 * @param cms  DER ContentInfo/SignedData, read-only; {@link #cms()} gives each caller its own view
 */
public record SignedPayload(UUID tenantId, UUID groupId, long version, UUID signerId, Instant issuedAt,
        Instant expiresAt, String etag, ByteBuffer cms) {

    private static final Logger LOG = Logger.getLogger(SignedPayload.class);
    private static final AtomicBoolean DIRECT_LIMIT_LOGGED = new AtomicBoolean();

    public SignedPayload {
        if (!cms.isReadOnly()) {
            throw new IllegalArgumentException("a payload's bytes are shared: a read-only buffer is required");
        }
        cms = cms.slice(); // from the caller's position to its limit, with a position of its own
    }

    /**
     * A payload whose CMS bytes are copied out of the heap; the caller must not change the array afterwards (it is
     * kept, as the payload's bytes, when the limit on memory outside the heap is reached).
     */
    public SignedPayload(UUID tenantId, UUID groupId, long version, UUID signerId, Instant issuedAt,
            Instant expiresAt, String etag, byte[] cms) {
        this(tenantId, groupId, version, signerId, issuedAt, expiresAt, etag, offHeap(cms));
    }

    private static ByteBuffer offHeap(byte[] bytes) {
        ByteBuffer direct;
        try {
            direct = ByteBuffer.allocateDirect(bytes.length);
        } catch (OutOfMemoryError directLimit) {
            // allocateDirect's way of saying -XX:MaxDirectMemorySize is reached (after a collection and retries):
            // the heap still has room for one payload, and a device should get it rather than an error
            if (DIRECT_LIMIT_LOGGED.compareAndSet(false, true)) {
                LOG.warnf("The JVM's limit on direct memory is reached (%s): a signed payload that finds no room "
                        + "there is kept on the heap; raise -XX:MaxDirectMemorySize (docs/operations.md)",
                        directLimit.getMessage());
            }
            return ByteBuffer.wrap(bytes).asReadOnlyBuffer();
        }
        return direct.put(bytes).flip().asReadOnlyBuffer();
    }

    /** The CMS bytes, a view of its own (position 0, limit the size) that the caller may move through. */
    @Override
    public ByteBuffer cms() {
        return cms.duplicate();
    }

    /** The number of CMS bytes. */
    public int size() {
        return cms.capacity();
    }

    /** A copy of the CMS bytes on the heap (to store them). */
    public byte[] cmsBytes() {
        byte[] copy = new byte[size()];
        cms.duplicate().get(copy);
        return copy;
    }

    /** True while more than half of the validity is left at {@code now}. */
    public boolean freshAt(Instant now) {
        return freshAt(issuedAt, expiresAt, now);
    }

    /**
     * Whether a payload issued at {@code issuedAt} and expiring at {@code expiresAt} is still served as it is at
     * {@code now}: while more than half of its validity is left. The one rule for a payload in memory and a stored
     * row alike.
     */
    static boolean freshAt(Instant issuedAt, Instant expiresAt, Instant now) {
        return now.isBefore(issuedAt.plus(java.time.Duration.between(issuedAt, expiresAt).dividedBy(2)));
    }
}
