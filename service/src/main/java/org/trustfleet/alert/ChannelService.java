package org.trustfleet.alert;

import com.fasterxml.jackson.core.type.TypeReference;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.persistence.EntityManager;
import jakarta.transaction.Transactional;
import jakarta.validation.Valid;
import jakarta.validation.constraints.NotNull;
import java.sql.Timestamp;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.UUID;
import java.util.regex.Pattern;
import org.trustfleet.core.JsonColumns;
import org.trustfleet.core.NativeColumns;
import org.trustfleet.core.TrustfleetException;
import org.trustfleet.payload.KeyVault;
import org.trustfleet.payload.MasterKeyProvider;

/**
 * A tenant's alert channels. A webhook's secret is generated here, returned once by {@link #create} and never read
 * back through the API; webhook URLs are checked with the scanner's address guard when they are stored (and again
 * at every send).
 */
@ApplicationScoped
public class ChannelService {
    /** Channels one tenant may have; alerts fan out to each, so the number stays small. */
    public static final int MAX_CHANNELS = 50;
    private static final Pattern EMAIL = Pattern.compile("^[^@\\s\\p{Cntrl}<>,;\"]{1,64}@[A-Za-z0-9.-]{1,189}$");

    private final EntityManager em;
    private final JsonColumns json;
    private final Clock clock;
    private final WebhookClient webhooks;
    private final AlertOutbox outbox;
    private final MasterKeyProvider masterKeys;

    public ChannelService(EntityManager em, JsonColumns json, Clock clock, WebhookClient webhooks,
            AlertOutbox outbox, MasterKeyProvider masterKeys) {
        this.em = em;
        this.json = json;
        this.clock = clock;
        this.webhooks = webhooks;
        this.outbox = outbox;
        this.masterKeys = masterKeys;
    }

    @Transactional
    public CreatedChannel create(UUID tenantId, @NotNull @Valid AlertChannelInput body) {
        String target;
        String secret = null;
        if (body.kind() == ChannelKind.EMAIL) {
            if (body.email() == null || !EMAIL.matcher(body.email().strip()).matches()) {
                throw TrustfleetException.validation("'email' must be an e-mail address for an EMAIL channel");
            }
            if (body.url() != null) {
                throw TrustfleetException.validation("'url' is not used by an EMAIL channel");
            }
            target = body.email().strip().toLowerCase(Locale.ROOT);
        } else {
            if (body.email() != null) {
                throw TrustfleetException.validation("'email' is used only by an EMAIL channel");
            }
            target = webhooks.check(body.url()).toString();
            if (body.kind() == ChannelKind.WEBHOOK) {
                secret = Signatures.newSecret();
            }
        }
        List<AlertEventType> types = body.eventTypes() == null ? List.of()
                : body.eventTypes().stream().distinct().sorted().toList();
        if (types.contains(AlertEventType.TEST)) {
            throw TrustfleetException.validation("'eventTypes' cannot name TEST: every channel can be tested");
        }
        Number count = (Number) em.createNativeQuery("SELECT count(*) FROM alert_channel WHERE tenant_id = ?1")
                .setParameter(1, tenantId).getSingleResult();
        if (count.intValue() >= MAX_CHANNELS) {
            throw TrustfleetException.conflict("a tenant can have at most " + MAX_CHANNELS + " alert channels");
        }
        UUID id = UUID.randomUUID();
        Instant now = clock.instant();
        em.createNativeQuery("""
                INSERT INTO alert_channel (id, tenant_id, name, kind, target, secret, event_types, created_at)
                VALUES (?1, ?2, ?3, ?4, ?5, ?6, CAST(?7 AS jsonb), ?8)""")
                .setParameter(1, id).setParameter(2, tenantId).setParameter(3, body.name().strip())
                .setParameter(4, body.kind().name()).setParameter(5, target)
                .setParameter(6, secret == null ? null : new KeyVault(masterKeys.masterKey()).sealSecret(id.toString(), secret))
                .setParameter(7, json.write(types.stream().map(Enum::name).toList()))
                .setParameter(8, Timestamp.from(now)).executeUpdate();
        return CreatedChannel.of(view(id, body.name().strip(), body.kind(), target, types, now), secret);
    }

    @Transactional
    public List<AlertChannel> list(UUID tenantId) {
        @SuppressWarnings("unchecked")
        List<Object[]> rows = em.createNativeQuery("""
                SELECT id, name, kind, target, CAST(event_types AS text), created_at FROM alert_channel
                WHERE tenant_id = ?1 ORDER BY created_at, id""").setParameter(1, tenantId).getResultList();
        List<AlertChannel> channels = new ArrayList<>(rows.size());
        for (Object[] r : rows) {
            channels.add(view(r));
        }
        return channels;
    }

    @Transactional
    public AlertChannel get(UUID tenantId, UUID channelId) {
        @SuppressWarnings("unchecked")
        List<Object[]> rows = em.createNativeQuery("""
                SELECT id, name, kind, target, CAST(event_types AS text), created_at FROM alert_channel
                WHERE tenant_id = ?1 AND id = ?2""").setParameter(1, tenantId).setParameter(2, channelId)
                .getResultList();
        if (rows.isEmpty()) {
            throw TrustfleetException.notFound("alert channel");
        }
        return view(rows.get(0));
    }

    /** Deletes the channel; its pending deliveries fail with "the channel was deleted", its log stays. */
    @Transactional
    public void delete(UUID tenantId, UUID channelId) {
        int n = em.createNativeQuery("DELETE FROM alert_channel WHERE tenant_id = ?1 AND id = ?2")
                .setParameter(1, tenantId).setParameter(2, channelId).executeUpdate();
        if (n == 0) {
            throw TrustfleetException.notFound("alert channel");
        }
    }

    /** Queues a TEST event for this channel only; the delivery log shows how it went. */
    @Transactional
    public AlertEvent test(UUID tenantId, UUID channelId) {
        AlertChannel channel = get(tenantId, channelId);
        return outbox.test(tenantId, channel.id(), channel.name());
    }

    private AlertChannel view(Object[] r) {
        List<String> codes = json.read((String) r[4], new TypeReference<List<String>>() {});
        List<AlertEventType> types = codes.stream().map(AlertEventType::valueOf).toList();
        return view((UUID) r[0], (String) r[1], ChannelKind.valueOf((String) r[2]), (String) r[3], types,
                NativeColumns.instant(r[5]));
    }

    private static AlertChannel view(UUID id, String name, ChannelKind kind, String target,
            List<AlertEventType> types, Instant createdAt) {
        boolean email = kind == ChannelKind.EMAIL;
        return new AlertChannel(id, name, kind, email ? null : target, email ? target : null, types, createdAt);
    }
}
