package org.trustfleet.alert;

import jakarta.enterprise.context.ApplicationScoped;

/** Sends alert e-mails; see the mailer configuration ({@code quarkus.mailer.*}) in the README. */
@ApplicationScoped
public class AlertMail {

    /** @return null when the message was handed to the SMTP server, else why not */
    String send(String to, AlertEvent event) {
        return "e-mail delivery is not available in this build";
    }
}
