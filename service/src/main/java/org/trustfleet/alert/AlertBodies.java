package org.trustfleet.alert;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import jakarta.enterprise.context.ApplicationScoped;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Renders an event for each channel kind. The summary may hold text a scanned server chose (a subject, a host
 * name), so every rendering escapes it for its own format: Slack's mrkdwn control characters, Teams' HTML and
 * Markdown, line breaks in an e-mail subject. The generic webhook gets the event as JSON (JSON encoding is its
 * escaping).
 */
@ApplicationScoped
public class AlertBodies {
    private final ObjectMapper json;

    public AlertBodies(ObjectMapper json) {
        this.json = json;
    }

    /** The generic webhook body: the event itself. */
    public byte[] webhook(AlertEvent event) {
        return write(event);
    }

    /** A Slack incoming-webhook body ({@code text} in mrkdwn with a link to the console). */
    public byte[] slack(AlertEvent event) {
        String text = "*" + event.type().name() + "*: " + slackEscape(event.summary());
        if (event.consoleUrl() != null) {
            text += " <" + slackEscape(event.consoleUrl()) + "|Open in Trustfleet>";
        }
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("text", text);
        return write(body);
    }

    /** A Microsoft Teams incoming-webhook body (a MessageCard with a link action). */
    public byte[] teams(AlertEvent event) {
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("@type", "MessageCard");
        body.put("@context", "https://schema.org/extensions");
        body.put("summary", "Trustfleet " + event.type().name());
        body.put("title", "Trustfleet: " + event.type().name());
        body.put("text", teamsEscape(event.summary()));
        if (event.consoleUrl() != null) {
            body.put("potentialAction", List.of(Map.of("@type", "OpenUri", "name", "Open in Trustfleet",
                    "targets", List.of(Map.of("os", "default", "uri", event.consoleUrl())))));
        }
        return write(body);
    }

    /** The subject of an alert e-mail: one line, bounded. */
    public static String mailSubject(AlertEvent event) {
        String line = "[Trustfleet] " + event.type().name() + ": " + oneLine(event.summary());
        return line.length() > 200 ? line.substring(0, 199) + "…" : line;
    }

    /** The plain-text body of an alert e-mail. */
    public static String mailText(AlertEvent event) {
        StringBuilder text = new StringBuilder();
        text.append(event.summary()).append("\n\n");
        if (event.consoleUrl() != null) {
            text.append("Console: ").append(event.consoleUrl()).append('\n');
        }
        if (event.apiUrl() != null) {
            text.append("API: ").append(event.apiUrl()).append('\n');
        }
        text.append("Event id: ").append(event.id()).append('\n');
        return text.toString();
    }

    static String slackEscape(String s) {
        return s == null ? "" : oneLine(s).replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;");
    }

    static String teamsEscape(String s) {
        if (s == null) {
            return "";
        }
        StringBuilder out = new StringBuilder();
        for (char c : oneLine(s).toCharArray()) {
            switch (c) {
                case '&' -> out.append("&amp;");
                case '<' -> out.append("&lt;");
                case '>' -> out.append("&gt;");
                case '"' -> out.append("&quot;");
                case '\'' -> out.append("&#39;");
                case '*', '_', '[', ']', '(', ')', '`', '#', '\\', '~', '|' -> out.append('\\').append(c);
                default -> out.append(c);
            }
        }
        return out.toString();
    }

    static String oneLine(String s) {
        StringBuilder out = new StringBuilder(s.length());
        s.codePoints().forEach(cp -> out.appendCodePoint(Character.isISOControl(cp)
                || Character.getType(cp) == Character.LINE_SEPARATOR
                || Character.getType(cp) == Character.PARAGRAPH_SEPARATOR ? ' ' : cp));
        return out.toString();
    }

    private byte[] write(Object value) {
        try {
            return json.writeValueAsString(value).getBytes(StandardCharsets.UTF_8);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("alert body cannot be written", e);
        }
    }
}
