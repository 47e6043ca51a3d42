package org.trustfleet.scan;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.Locale;

/**
 * The plain-text part of a mail protocol's STARTTLS: reads the greeting, asks for TLS and checks the go-ahead, on the
 * socket the TLS handshake then runs over. Reads byte by byte (nothing past the server's last line may be consumed,
 * it would belong to TLS), caps each line at {@link #MAX_LINE_BYTES} and each reply at {@link #MAX_REPLY_LINES}; time
 * is bounded by the socket's read timeout and the probe's handshake watchdog, which closes the socket.
 *
 * <p>What the server says is data: it is matched against the protocol's fixed tokens and never copied into a detail;
 * a refusal names only the step and, for SMTP, the three-digit reply code.
 */
final class StartTls {

    /** RFC 5321 4.5.3.1.5 allows 512 octets per reply line; twice that tolerates chatty servers. */
    static final int MAX_LINE_BYTES = 1024;
    /** An EHLO reply lists a dozen extensions; more lines than this is not a mail server talking. */
    static final int MAX_REPLY_LINES = 64;

    /** EHLO argument: a name that cannot collide with a real client (RFC 2606 reserves .invalid). */
    private static final String EHLO_NAME = "trustfleet.invalid";
    private static final String IMAP_TAG = "a1";

    /** The server answered, but not with a go-ahead for TLS. {@link #getMessage()} is a fixed sentence. */
    static final class Refused extends Exception {
        private static final long serialVersionUID = 1L;

        Refused(String detail) {
            super(detail, null, false, false);
        }
    }

    private final InputStream in;
    private final OutputStream out;
    private final StartTlsProtocol protocol;

    private StartTls(Socket socket, StartTlsProtocol protocol) throws IOException {
        this.in = socket.getInputStream();
        this.out = socket.getOutputStream();
        this.protocol = protocol;
    }

    /**
     * Runs the dialogue of {@code protocol} on {@code socket}; returns when the server is ready for the TLS handshake.
     * Does nothing for {@link StartTlsProtocol#TLS}.
     *
     * @throws Refused     the server's answers say it will not start TLS (or are not the protocol's)
     * @throws IOException the connection failed or timed out
     */
    static void negotiate(Socket socket, StartTlsProtocol protocol) throws IOException, Refused {
        if (protocol == StartTlsProtocol.TLS) {
            return;
        }
        StartTls dialogue = new StartTls(socket, protocol);
        switch (protocol) {
            case SMTP -> dialogue.smtp();
            case IMAP -> dialogue.imap();
            case POP3 -> dialogue.pop3();
            default -> throw new IllegalStateException("no dialogue for " + protocol);
        }
    }

    private void smtp() throws IOException, Refused {
        int greeting = smtpReply(null);
        if (greeting != 220) {
            throw refused("the SMTP greeting was " + describe(greeting) + ", not 220 (service ready)");
        }
        send("EHLO " + EHLO_NAME);
        boolean[] offered = new boolean[1];
        int ehlo = smtpReply(offered);
        if (ehlo != 250) {
            throw refused("the SMTP server answered EHLO with " + describe(ehlo) + ", not 250");
        }
        if (!offered[0]) {
            throw refused("the SMTP server does not offer STARTTLS (not in its EHLO reply)");
        }
        send("STARTTLS");
        int go = smtpReply(null);
        if (go != 220) {
            throw refused("the SMTP server answered STARTTLS with " + describe(go) + ", not 220 (ready to start TLS)");
        }
    }

    /**
     * Reads one (possibly multi-line) SMTP reply and returns its code, -1 when a line is not {@code ddd[ -]...}; sets
     * {@code starttls[0]} when a line's keyword is STARTTLS (EHLO replies).
     */
    private int smtpReply(boolean[] starttls) throws IOException, Refused {
        for (int lines = 0; lines < MAX_REPLY_LINES; lines++) {
            String line = readLine();
            if (line.length() < 3 || !isDigits(line.substring(0, 3))
                    || (line.length() > 3 && line.charAt(3) != '-' && line.charAt(3) != ' ')) {
                return -1;
            }
            if (starttls != null && line.length() > 4
                    && line.substring(4).strip().split(" ", 2)[0].toUpperCase(Locale.ROOT).equals("STARTTLS")) {
                starttls[0] = true;
            }
            if (line.length() == 3 || line.charAt(3) == ' ') {
                return Integer.parseInt(line.substring(0, 3));
            }
        }
        throw refused("the SMTP reply has more than " + MAX_REPLY_LINES + " lines");
    }

    private void imap() throws IOException, Refused {
        String greeting = readLine();
        if (!startsWithWord(greeting, "* OK")) {
            throw refused(startsWithWord(greeting, "* PREAUTH")
                    ? "the IMAP server greets with PREAUTH, after which STARTTLS is not allowed"
                    : "the IMAP greeting is not an untagged OK");
        }
        send(IMAP_TAG + " STARTTLS");
        for (int lines = 0; lines < MAX_REPLY_LINES; lines++) {
            String line = readLine();
            if (line.startsWith("* ") || line.equals("*")) {
                continue; // untagged data (e.g. CAPABILITY) before the tagged answer
            }
            if (startsWithWord(line, IMAP_TAG + " OK")) {
                return;
            }
            if (startsWithWord(line, IMAP_TAG + " NO") || startsWithWord(line, IMAP_TAG + " BAD")) {
                throw refused("the IMAP server refused STARTTLS ("
                        + (startsWithWord(line, IMAP_TAG + " NO") ? "NO" : "BAD") + ")");
            }
            throw refused("the IMAP server did not answer STARTTLS with a tagged OK");
        }
        throw refused("the IMAP server sent more than " + MAX_REPLY_LINES + " lines without answering STARTTLS");
    }

    private void pop3() throws IOException, Refused {
        if (!startsWithWord(readLine(), "+OK")) {
            throw refused("the POP3 greeting is not +OK");
        }
        send("STLS");
        if (!startsWithWord(readLine(), "+OK")) {
            throw refused("the POP3 server refused STLS (its answer is not +OK)");
        }
    }

    private void send(String command) throws IOException {
        out.write((command + "\r\n").getBytes(StandardCharsets.US_ASCII));
        out.flush();
    }

    /** One line without its CRLF (a bare LF also ends it); more than {@link #MAX_LINE_BYTES} is refused. */
    private String readLine() throws IOException, Refused {
        ByteArrayOutputStream line = new ByteArrayOutputStream(128);
        while (true) {
            int b = in.read();
            if (b < 0) {
                throw refused("the server closed the connection during the dialogue");
            }
            if (b == '\n') {
                byte[] bytes = line.toByteArray();
                int length = bytes.length > 0 && bytes[bytes.length - 1] == '\r' ? bytes.length - 1 : bytes.length;
                // ISO-8859-1 maps every byte to one char: matching stays byte-exact whatever the server sends
                return new String(bytes, 0, length, StandardCharsets.ISO_8859_1);
            }
            if (line.size() >= MAX_LINE_BYTES) {
                throw refused("the " + protocol.label() + " server sent a line longer than " + MAX_LINE_BYTES
                        + " bytes");
            }
            line.write(b);
        }
    }

    private Refused refused(String why) {
        return new Refused(protocol.label() + " STARTTLS failed: " + why + ".");
    }

    private static boolean startsWithWord(String line, String prefix) {
        return line.regionMatches(true, 0, prefix, 0, prefix.length())
                && (line.length() == prefix.length() || line.charAt(prefix.length()) == ' ');
    }

    private static boolean isDigits(String s) {
        return !s.isEmpty() && s.chars().allMatch(c -> c >= '0' && c <= '9');
    }

    private static String describe(int code) {
        return code < 0 ? "not an SMTP reply" : "reply code " + code;
    }
}
