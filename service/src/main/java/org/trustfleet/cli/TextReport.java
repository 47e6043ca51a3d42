package org.trustfleet.cli;

import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.SortedSet;
import java.util.TreeSet;
import javax.security.auth.x500.X500Principal;
import org.trustfleet.pki.AndroidVersions;
import org.trustfleet.pki.Finding;
import org.trustfleet.pki.FindingCode;
import org.trustfleet.pki.FixFinder;
import org.trustfleet.pki.ServerFix;
import org.trustfleet.pki.Sha256;
import org.trustfleet.scan.ApiLevels;
import org.trustfleet.scan.StartTlsProtocol;

/**
 * The {@code check} report for people: one line per Android version, then what to change on the server (first:
 * it fixes every device at once), then what a device would need. Text from the server is escaped before printing.
 */
final class TextReport {
    private static final String GREEN = "\u001b[32m";
    private static final String YELLOW = "\u001b[33m";
    private static final String RED = "\u001b[31m";
    private static final String BOLD = "\u001b[1m";
    private static final String RESET = "\u001b[0m";

    /** Findings the server's administrator fixes, in the order they are shown. */
    private static final Set<FindingCode> SERVER_SIDE = EnumSet.of(FindingCode.MISSING_INTERMEDIATE,
            FindingCode.HOSTNAME_MISMATCH, FindingCode.EXPIRED, FindingCode.NOT_YET_VALID, FindingCode.WRONG_ORDER,
            FindingCode.SNI_REQUIRED, FindingCode.EXTRA_CERTIFICATE, FindingCode.DUPLICATE_CERTIFICATE,
            FindingCode.TOO_MANY_CERTIFICATES, FindingCode.CONTAINS_ROOT, FindingCode.EXPIRES_SOON,
            FindingCode.WEAK_SIGNATURE, FindingCode.WEAK_KEY);

    private final boolean colour;
    private final StringBuilder out = new StringBuilder();

    TextReport(boolean colour) {
        this.colour = colour;
    }

    String render(CheckRun run) {
        header(run);
        out.append('\n');
        int width = run.levels().keySet().stream().mapToInt(l -> AndroidVersions.label(l).length()).max().orElse(0);
        run.levels().forEach((level, answer) -> levelLine(level, answer, width));
        out.append('\n');
        serverSide(run);
        serverChain(run);
        deviceSide(run);
        notes(run);
        if (run.allAccept()) {
            out.append(paint(GREEN, "Every selected Android version accepts this chain: certificates are not the cause"
                    + " of a sign-in failure on "
                    + (run.options().offline() ? "an endpoint that sends it" : "this endpoint")
                    + ".")).append('\n');
        }
        return out.toString();
    }

    private void header(CheckRun run) {
        if (run.options().offline()) {
            out.append(paint(BOLD, "Chain file " + Text.safe(run.options().chainFile().toString())));
        } else {
            out.append(paint(BOLD, Text.safe(run.options().host()) + ":" + run.options().port()));
            run.probe().ifPresent(p -> out.append(" (").append(Text.safe(p.address() == null ? ""
                    : p.address().getHostAddress())).append(", ").append(Text.safe(p.tlsVersion()))
                    .append(p.sniSent() == null ? ", no SNI" : ", SNI " + Text.safe(p.sniSent()))
                    .append(run.options().protocol() == StartTlsProtocol.TLS ? ""
                            : ", after " + run.options().protocol().label() + " STARTTLS").append(')'));
        }
        out.append('\n');
        run.options().verifiedName().ifPresent(n -> out.append("  name verified: ").append(Text.safe(n)).append('\n'));
        if (run.options().trustFile() != null) {
            out.append("  anchors: exactly the certificates in ")
                    .append(Text.safe(run.options().trustFile().toString())).append('\n');
        }
        out.append("  checked at: ").append(run.checkedAt()).append('\n');
        out.append("  presented:\n");
        for (int i = 0; i < run.presented().size(); i++) {
            X509Certificate c = run.presented().get(i);
            out.append("    ").append(i).append(' ').append(subject(c)).append("  (issuer ")
                    .append(Text.safe(c.getIssuerX500Principal().getName(X500Principal.RFC2253))).append(")\n");
        }
    }

    private void levelLine(int level, FixFinder.LevelFixes answer, int width) {
        String label = String.format(Locale.ROOT, "%-" + width + "s", AndroidVersions.label(level));
        out.append("  ").append(label).append("  ");
        switch (answer.kind()) {
            case TRUSTED -> out.append(paint(GREEN, "trusted as presented"));
            case FIXABLE -> out.append(paint(YELLOW, "trusted once the device holds "
                    + describe(answer.fixes().get(0).certificate())));
            case UNFIXABLE -> out.append(paint(RED, "not fixable on the device: " + blocker(answer.blocker())));
        }
        out.append('\n');
    }

    /** Why no installation helps, in a few words; the full detail follows once under "What a device would need". */
    private static String blocker(FixFinder.Blocker blocker) {
        return switch (blocker) {
            case EXPIRED_LEAF -> "the server's certificate has expired";
            case NOT_YET_VALID_LEAF -> "the server's certificate is not valid yet";
            case HOSTNAME_MISMATCH -> "the server's certificate is not valid for this name";
            case EXPIRED_CHAIN -> "a certificate the chain needs is expired or not yet valid";
            case INVALID_CHAIN -> "the chain is invalid";
            case NO_PATH -> "no known certificate completes the chain";
        };
    }

    private void serverSide(CheckRun run) {
        List<String> lines = new ArrayList<>();
        for (FindingCode code : SERVER_SIDE) {
            for (Finding f : run.findings()) {
                if (f.code() == code) {
                    lines.add(serverSentence(run, f));
                }
            }
        }
        run.serverFix().filter(fix -> fix.changesPresented() && !fix.levelsFixed().isEmpty()).ifPresent(fix -> {
            StringBuilder s = new StringBuilder("Send this chain from the server (leaf first, without the root): ");
            for (int i = 0; i < fix.chain().size(); i++) {
                s.append(i == 0 ? "" : ", then ").append(subject(fix.chain().get(i)));
            }
            s.append(". It makes ").append(versions(new TreeSet<>(fix.levelsFixed())))
                    .append(" accept the chain without installing anything");
            if (!fix.levelsNotFixed().isEmpty()) {
                s.append("; no server chain helps ").append(versions(new TreeSet<>(fix.levelsNotFixed())));
            }
            lines.add(s.append('.').toString());
        });
        section("What to fix on the server", lines);
    }

    /** With {@code --server-chain}: the proposed chain's verdict next to today's, per level. */
    private void serverChain(CheckRun run) {
        if (run.options().serverChainFile() == null || run.serverFix().isEmpty()) {
            return;
        }
        ServerFix fix = run.serverFix().get();
        out.append(paint(BOLD, "Chain the server should send")).append(" (written to ")
                .append(Text.safe(run.options().serverChainFile().toString())).append("):\n");
        for (int i = 0; i < fix.chain().size(); i++) {
            out.append("    ").append(i).append(' ').append(describe(fix.chain().get(i))).append('\n');
        }
        int width = fix.perLevel().keySet().stream().mapToInt(l -> AndroidVersions.label(l).length()).max().orElse(0);
        fix.perLevel().forEach((level, v) -> out.append("  ")
                .append(String.format(Locale.ROOT, "%-" + width + "s", AndroidVersions.label(level)))
                .append("  today: ").append(v.trustedAsPresented() ? paint(GREEN, "trusted ") : paint(RED, "rejected"))
                .append("  with this chain: ").append(v.trusted() ? paint(GREEN, "trusted") : paint(RED, "rejected"))
                .append('\n'));
        out.append('\n');
    }

    private String serverSentence(CheckRun run, Finding f) {
        if (f.code() == FindingCode.MISSING_INTERMEDIATE && f.sha256() != null) {
            X509Certificate missing = certificate(run, f.sha256());
            if (missing != null) {
                return "The server does not send its intermediate " + subject(missing) + "; configure the server "
                        + "(or the load balancer in front of it) to send it after its own certificate. Android does "
                        + "not fetch missing intermediates.";
            }
        }
        if (f.code() == FindingCode.MISSING_INTERMEDIATE && f.sha256() == null && !run.presented().isEmpty()) {
            X509Certificate top = run.presented().get(run.presented().size() - 1);
            return "The server does not send the issuer of " + subject(top) + " ('"
                    + Text.safe(top.getIssuerX500Principal().getName(X500Principal.RFC2253)) + "'), and it was not "
                    + "found or fetched: configure the server (or the load balancer in front of it) to send its "
                    + "intermediate certificates.";
        }
        return sentence(f.detail());
    }

    private void deviceSide(CheckRun run) {
        Map<String, SortedSet<Integer>> byFix = new LinkedHashMap<>();
        Map<String, X509Certificate> certificates = new LinkedHashMap<>();
        Map<String, SortedSet<Integer>> unfixable = new LinkedHashMap<>();
        run.levels().forEach((level, answer) -> {
            if (answer.kind() == FixFinder.Kind.FIXABLE) {
                FixFinder.CertificateFix fix = answer.fixes().get(0);
                byFix.computeIfAbsent(fix.sha256(), k -> new TreeSet<>()).add(level);
                certificates.put(fix.sha256(), fix.certificate());
            } else if (answer.kind() == FixFinder.Kind.UNFIXABLE) {
                unfixable.computeIfAbsent(Text.safe(answer.detail()), k -> new TreeSet<>()).add(level);
            }
        });
        List<String> lines = new ArrayList<>();
        byFix.forEach((sha, levels) -> {
            String file = run.options().outDir() == null ? ""
                    : " Written to " + Text.safe(run.options().outDir().resolve(CertificateFiles.baseName(
                            certificates.get(sha))).toString()) + ".pem and .cer.";
            lines.add(versions(levels) + " need " + describe(certificates.get(sha))
                    + " installed as a CA certificate (an MDM can deliver it)." + file);
        });
        unfixable.forEach((why, levels) -> lines.add(versions(levels) + ": no certificate on the device helps ("
                + why + ")."));
        section("What a device would need", lines);
    }

    private void notes(CheckRun run) {
        List<String> lines = new ArrayList<>();
        for (Finding f : run.findings()) {
            if (!SERVER_SIDE.contains(f.code())) {
                lines.add(sentence(f.detail()));
            }
        }
        section("Also found", lines);
    }

    private void section(String title, List<String> lines) {
        if (lines.isEmpty()) {
            return;
        }
        out.append(paint(BOLD, title)).append(":\n");
        for (String line : lines) {
            out.append("  - ").append(line).append('\n');
        }
        out.append('\n');
    }

    private static String versions(SortedSet<Integer> levels) {
        if (levels.size() == 1) {
            return AndroidVersions.label(levels.first());
        }
        return "Android " + AndroidVersions.name(levels.first()) + "–" + AndroidVersions.name(levels.last())
                + " (API " + ApiLevels.describe(levels) + ")";
    }

    private static X509Certificate certificate(CheckRun run, String sha) {
        for (List<X509Certificate> list : List.of(run.presented(), run.evaluation().completedPath(),
                run.evaluation().fetchedByAia())) {
            for (X509Certificate c : list) {
                if (Sha256.of(c).equals(sha)) {
                    return c;
                }
            }
        }
        return null;
    }

    private static String describe(X509Certificate c) {
        return subject(c) + " (SHA-256 " + Sha256.of(c).substring(0, 16) + "…)";
    }

    private static String subject(X509Certificate c) {
        return "'" + Text.safe(c.getSubjectX500Principal().getName(X500Principal.RFC2253)) + "'";
    }

    /** A finding's detail as a sentence: capital first letter, full stop. */
    private static String sentence(String detail) {
        String s = Text.safe(detail).trim();
        if (s.isEmpty()) {
            return s;
        }
        s = Character.toUpperCase(s.charAt(0)) + s.substring(1);
        return s.endsWith(".") ? s : s + ".";
    }

    private String paint(String code, String text) {
        return colour ? code + text + RESET : text;
    }
}
