package org.trustfleet.agent;

import java.io.IOException;
import java.util.List;

/**
 * Where the agent reads what it reports in {@code POST /api/v1/device/observations}: the device facts and the
 * SHA-256 set of the system CA store (Android: {@code AndroidCAStore} entries whose alias starts with
 * {@code system:}; the reference agent on the JVM: its configured trust store).
 */
public interface ObservationSource {

    /** The device's facts. */
    DeviceFacts facts();

    /** Lowercase hex SHA-256s of the system store's certificates (any order; the agent sorts them). */
    List<String> systemStoreSha256() throws IOException;
}
