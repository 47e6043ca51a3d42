package org.trustfleet.alert;

import io.quarkus.mailer.Mail;
import io.quarkus.mailer.Mailer;
import jakarta.enterprise.context.ApplicationScoped;
import org.trustfleet.core.TrustfleetConfig;

/**
 * Sends alert e-mails through quarkus-mailer, to the SMTP server the operator configures
 * ({@code quarkus.mailer.host}, {@code port}, {@code tls} or {@code start-tls}, {@code username},
 * {@code password}). Plain text only: nothing from a scanned server is ever interpreted as markup.
 */
@ApplicationScoped
public class AlertMail {
    private final Mailer mailer;
    private final String from;

    public AlertMail(Mailer mailer, TrustfleetConfig config) {
        this.mailer = mailer;
        this.from = config.alerts().mailFrom();
    }

    /** @return null when the SMTP server accepted the message, else why not */
    String send(String to, AlertEvent event) {
        try {
            mailer.send(Mail.withText(to, AlertBodies.mailSubject(event), AlertBodies.mailText(event))
                    .setFrom(from)
                    .addHeader("Idempotency-Key", event.id().toString())
                    .addHeader("X-Trustfleet-Event-Type", event.type().name()));
            return null;
        } catch (RuntimeException e) {
            return "the SMTP server did not take the message: " + e.getClass().getSimpleName();
        }
    }
}
