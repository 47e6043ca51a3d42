package org.trustfleet.cli;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.security.cert.X509Certificate;
import org.trustfleet.pki.AndroidVersions;
import org.trustfleet.pki.CertificateSummary;
import org.trustfleet.pki.Finding;
import org.trustfleet.pki.FixFinder;
import org.trustfleet.pki.Sha256;

/**
 * The {@code check --json} document: the evaluation shape of a scan result ({@code presented}, {@code completedPath},
 * {@code findings}, {@code perApiLevel}) plus what only the command knows. Stable: documented in {@code docs/cli.md}.
 */
final class JsonReport {
    /** Schema name, changed only with an incompatible change of the document. */
    static final String SCHEMA = "trustfleet.check/v1";

    private static final ObjectMapper MAPPER = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

    private JsonReport() {
    }

    static String render(CheckRun run) {
        ObjectNode root = MAPPER.createObjectNode();
        root.put("schema", SCHEMA);
        ObjectNode target = root.putObject("target");
        if (run.options().offline()) {
            target.put("chainFile", run.options().chainFile().toString());
        } else {
            target.put("host", run.options().host());
            target.put("port", run.options().port());
            target.put("protocol", run.options().protocol().wireName());
        }
        target.put("serverName", run.options().verifiedName().orElse(null));
        root.put("checkedAt", run.checkedAt().toString());
        root.put("anchors", run.options().trustFile() == null ? "android-bundled" : "trust-file");
        run.probe().ifPresent(p -> {
            root.put("status", p.status().name());
            root.put("tlsVersion", p.tlsVersion());
            root.put("address", p.address() == null ? null : p.address().getHostAddress());
            root.put("sniSent", p.sniSent());
        });
        if (run.probe().isEmpty()) {
            root.put("status", "OK");
        }
        ArrayNode presented = root.putArray("presented");
        for (X509Certificate c : run.presented()) {
            summary(presented.addObject(), c);
        }
        ArrayNode completed = root.putArray("completedPath");
        run.evaluation().completedPath().forEach(c -> completed.add(Sha256.of(c)));
        ArrayNode fetched = root.putArray("fetchedByAia");
        run.evaluation().fetchedByAia().forEach(c -> summary(fetched.addObject(), c));
        ArrayNode findings = root.putArray("findings");
        for (Finding f : run.findings()) {
            ObjectNode n = findings.addObject();
            n.put("code", f.code().name());
            if (f.sha256() != null) {
                n.put("sha256", f.sha256());
            }
            n.put("detail", f.detail());
        }
        ArrayNode levels = root.putArray("perApiLevel");
        run.levels().forEach((level, answer) -> {
            ObjectNode n = levels.addObject();
            n.put("apiLevel", level);
            n.put("androidVersion", AndroidVersions.name(level));
            n.put("store", run.storeNames().get(level));
            n.put("trusted", answer.kind() == FixFinder.Kind.TRUSTED);
            ArrayNode missing = n.putArray("missing");
            answer.missing().forEach(missing::add);
            n.put("failure", answer.verdict().trusted() ? null
                    : answer.verdict().failure() + ": " + answer.verdict().detail());
            n.put("outcome", answer.kind().name());
            if (answer.kind() == FixFinder.Kind.UNFIXABLE) {
                n.put("blocker", answer.blocker().name());
                n.put("reason", answer.detail());
            }
        });
        ArrayNode needed = root.putArray("deviceNeeds");
        java.util.Map<String, ObjectNode> bySha = new java.util.LinkedHashMap<>();
        run.levels().forEach((level, answer) -> {
            if (answer.kind() == FixFinder.Kind.FIXABLE) {
                FixFinder.CertificateFix fix = answer.fixes().get(0);
                ObjectNode n = bySha.computeIfAbsent(fix.sha256(), sha -> {
                    ObjectNode c = needed.addObject();
                    summary(c, fix.certificate());
                    c.putArray("apiLevels");
                    return c;
                });
                ((ArrayNode) n.get("apiLevels")).add(level);
            }
        });
        run.serverFix().ifPresent(fix -> {
            // the shape of scan.ServerFixAdvice (scan results, chain checks), plus the --server-chain file
            ObjectNode n = root.putObject("serverFix");
            ArrayNode chain = n.putArray("chain");
            fix.chainSha256().forEach(chain::add);
            n.put("changesPresented", fix.changesPresented());
            ArrayNode verdicts = n.putArray("perApiLevel");
            fix.perLevel().forEach((level, v) -> verdicts.addObject().put("apiLevel", level)
                    .put("trusted", v.trusted()).put("trustedAsPresented", v.trustedAsPresented())
                    .put("failure", v.reasonOrNull()));
            ArrayNode notFixed = n.putArray("levelsNotFixed");
            fix.levelsNotFixed().forEach(notFixed::add);
            n.put("file", run.options().serverChainFile() == null ? null : run.options().serverChainFile().toString());
        });
        root.put("allAccept", run.allAccept());
        try {
            return MAPPER.writeValueAsString(root);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("JSON tree not writable", e);
        }
    }

    private static void summary(ObjectNode n, X509Certificate c) {
        CertificateSummary s = CertificateSummary.of(c);
        n.put("sha256", s.sha256());
        n.put("subject", s.subject());
        n.put("issuer", s.issuer());
        n.put("notBefore", s.notBefore().toString());
        n.put("notAfter", s.notAfter().toString());
        n.put("isCa", s.isCa());
    }
}
