package org.trustfleet.truststore;

import io.quarkus.hibernate.orm.panache.Panache;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Event;
import jakarta.transaction.Transactional;
import jakarta.validation.constraints.NotBlank;
import jakarta.validation.constraints.NotNull;
import jakarta.validation.constraints.Size;
import java.security.cert.X509Certificate;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicLong;
import java.util.regex.Pattern;
import org.trustfleet.cache.BoundedCache;
import org.trustfleet.cache.Caches;
import org.trustfleet.core.TrustfleetException;
import org.trustfleet.pki.Sha256;
import org.hibernate.validator.constraints.Range;
import org.trustfleet.core.PlainText;

/**
 * The catalog of platform stores: the bundled Android stores plus operator additions and replacements, with a
 * snapshot that every replica refreshes when the operator stores change.
 */
@ApplicationScoped
public class TrustStoreService {
    private static final Pattern NAME = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._-]{0,99}");
    private static final List<PlatformStore> BUNDLED = BundledStores.load();

    private final CertificateStore certificates;
    private final Clock clock;
    private final Event<TrustStoresChanged> changed;
    /** The snapshot by the operator stores' signature (count and latest change), which every replica reads. */
    private final BoundedCache<String, StoreSnapshot> snapshots = Caches.bounded("trust-store-snapshots", 1);
    private final AtomicLong generations = new AtomicLong();

    /** Fired after an operator store was added or replaced. */
    public record TrustStoresChanged(String storeName) {}

    /** The result of an upsert: the store and whether it replaced an existing one. */
    public record StoreWrite(TrustStoreSummary store, boolean replaced) {}

    public TrustStoreService(CertificateStore certificates, Clock clock, Event<TrustStoresChanged> changed) {
        this.certificates = certificates;
        this.clock = clock;
        this.changed = changed;
    }

    /** The stores in force now; reloaded only when the operator stores changed (on any replica). */
    @Transactional
    public StoreSnapshot snapshot() {
        Object[] row = (Object[]) Panache.getEntityManager()
                .createNativeQuery("SELECT count(*), coalesce(max(updated_at), 'epoch') FROM trust_store")
                .getSingleResult();
        String signature = row[0] + "/" + row[1];
        StoreSnapshot current = snapshots.get(signature);
        if (current != null) {
            return current;
        }
        List<PlatformStore> operator = new ArrayList<>();
        for (TrustStoreEntity entity : TrustStoreEntity.<TrustStoreEntity>list("order by updatedAt, name")) {
            List<X509Certificate> members = certificates.findAll(entity.sha256s);
            operator.add(new PlatformStore(entity.name, entity.platform, entity.apiLevel,
                    PlatformStore.StoreSource.OPERATOR, "", members, Set.copyOf(entity.sha256s)));
        }
        // a fresh generation per reload: derived caches key on it and must never mistake one store set for another
        StoreSnapshot snapshot = new StoreSnapshot(BUNDLED, operator, generations.incrementAndGet());
        snapshots.invalidateAll(); // the old signature is never current again
        snapshots.put(signature, snapshot);
        return snapshot;
    }

    public List<TrustStoreSummary> list() {
        StoreSnapshot snapshot = snapshot();
        List<TrustStoreSummary> result = new ArrayList<>();
        for (PlatformStore store : snapshot.all()) {
            boolean effective = snapshot.byApiLevel().get(store.apiLevel()) == store;
            result.add(summary(store, effective));
        }
        return result;
    }

    /** Adds an operator store, or replaces the one with the same name. Every certificate must be a CA. */
    @Transactional
    public StoreWrite upsert(@NotBlank @Size(max = 100) @PlainText String name, String platform,
            @NotNull @Range(min = 1, max = 100) Integer apiLevel, String pem) {
        name = name.strip();
        if (!NAME.matcher(name).matches()) {
            throw TrustfleetException.validation("'name' may hold letters, digits, '.', '_' and '-' only");
        }
        if (!"android".equals(platform)) {
            throw TrustfleetException.validation("'platform' must be \"android\"");
        }
        int level = apiLevel;
        List<X509Certificate> members = CertificateInput.caCertificates(pem, "pem");
        certificates.record(members);
        TrustStoreEntity entity = TrustStoreEntity.find("name", name).firstResult();
        boolean replaced = entity != null;
        if (entity == null) {
            entity = new TrustStoreEntity();
            entity.id = UUID.randomUUID();
            entity.name = name;
        }
        entity.platform = platform;
        entity.apiLevel = level;
        entity.updatedAt = Instant.now(clock);
        entity.sha256s = new HashSet<>(members.stream().map(Sha256::of).toList());
        entity.persist();
        changed.fire(new TrustStoresChanged(name));
        PlatformStore store = new PlatformStore(name, platform, level, PlatformStore.StoreSource.OPERATOR, "",
                members, Set.copyOf(entity.sha256s));
        return new StoreWrite(summary(store, true), replaced);
    }

    private static TrustStoreSummary summary(PlatformStore store, boolean effective) {
        return new TrustStoreSummary(store.name(), store.platform(), store.apiLevel(),
                store.source().name().toLowerCase(Locale.ROOT), store.sha256s().size(), effective,
                Objects.requireNonNullElse(store.provenance(), ""));
    }
}
