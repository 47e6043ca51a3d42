package org.trustfleet.alert;

import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.scheduler.Scheduled;
import jakarta.annotation.Priority;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import java.time.Clock;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicBoolean;
import org.jboss.logging.Logger;

/**
 * Sends due deliveries, on every replica: each poll claims a batch (rows another replica holds are skipped), sends
 * each, and records the outcome. At least once: a replica killed between sending and recording leaves the row
 * leased, and it is sent again when the lease ends, with the same {@code Idempotency-Key} (the event id).
 */
@ApplicationScoped
public class DeliveryWorker {
    private static final Logger LOG = Logger.getLogger(DeliveryWorker.class);
    private static final int BATCH = 20;

    private final DeliveryStore store;
    private final WebhookClient webhooks;
    private final AlertBodies bodies;
    private final AlertMail mail;
    private final Clock clock;
    private final AtomicBoolean running = new AtomicBoolean();
    private final AtomicBoolean again = new AtomicBoolean();
    private volatile boolean stopped;

    public DeliveryWorker(DeliveryStore store, WebhookClient webhooks, AlertBodies bodies, AlertMail mail,
            Clock clock) {
        this.store = store;
        this.webhooks = webhooks;
        this.bodies = bodies;
        this.mail = mail;
        this.clock = clock;
    }

    @Scheduled(every = "${trustfleet.alerts.poll-interval:2s}", delayed = "1s",
            executeWith = Scheduled.SIMPLE, concurrentExecution = Scheduled.ConcurrentExecution.SKIP)
    void poll() {
        drain();
    }

    /** Asks for a poll now (after an event was committed), without waiting for the next scheduled one. */
    void wake() {
        if (stopped) {
            return;
        }
        again.set(true);
        if (!running.get()) {
            Thread.ofVirtual().name("alert-delivery").start(this::drain);
        }
    }

    /** Sends until nothing is due; one drain at a time per replica. */
    void drain() {
        if (!running.compareAndSet(false, true)) {
            again.set(true);
            return;
        }
        try {
            do {
                again.set(false);
                List<DeliveryStore.Claimed> batch;
                while (!stopped && !(batch = store.claim(BATCH)).isEmpty()) {
                    batch.forEach(this::send);
                }
            } while (again.get() && !stopped);
        } catch (RuntimeException e) {
            // the database may be away; the next poll tries again
            LOG.warnf("alert delivery paused: %s", e.toString());
        } finally {
            running.set(false);
        }
    }

    void stop(@Observes @Priority(1) ShutdownEvent event) {
        stopped = true;
    }

    private void send(DeliveryStore.Claimed claimed) {
        DeliveryStore.Target channel = claimed.channel();
        if (channel == null) {
            store.attemptFailed(claimed, null, "the channel was deleted", true);
            return;
        }
        AlertEvent event = claimed.event();
        if (channel.kind() == ChannelKind.EMAIL) {
            String error = mail.send(channel.target(), event);
            if (error == null) {
                store.delivered(claimed, 250);
            } else {
                store.attemptFailed(claimed, null, error, false);
            }
            return;
        }
        byte[] body = switch (channel.kind()) {
            case SLACK -> bodies.slack(event);
            case TEAMS -> bodies.teams(event);
            default -> bodies.webhook(event);
        };
        Map<String, String> headers = new LinkedHashMap<>();
        headers.put("Idempotency-Key", event.id().toString());
        headers.put("Trustfleet-Event-Id", event.id().toString());
        headers.put("Trustfleet-Event-Type", event.type().name());
        headers.put("Trustfleet-Delivery-Attempt", Integer.toString(claimed.attempts()));
        if (channel.kind() == ChannelKind.WEBHOOK && channel.secret() != null) {
            headers.put(Signatures.HEADER, Signatures.header(channel.secret(), clock.instant().getEpochSecond(),
                    body));
        }
        WebhookClient.Answer answer = webhooks.post(channel.target(), body, headers);
        if (answer.accepted()) {
            store.delivered(claimed, answer.status());
        } else {
            store.attemptFailed(claimed, answer.status() == 0 ? null : answer.status(), answer.error(), false);
        }
    }
}
